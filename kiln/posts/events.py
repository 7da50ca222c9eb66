"""What the posts app tells the apps above it (timelines, notifications, search).

Sent from `kiln/posts/services.py` inside the write's transaction; subscribers register in their
`AppConfig.ready()` (`grep -rn "posts_events\\.\\|from kiln.posts.events" kiln`).
"""

from dataclasses import dataclass, field

from kiln.accounts.models import User
from kiln.core.events import Event
from kiln.posts.models import Post


@dataclass(frozen=True)
class PostCreated:
    """A new post, reply, quote, project share or project comment (not a repost)."""

    post: Post
    parent: Post | None = None
    quoted: Post | None = None
    project_owner_id: int | None = None  # set for a comment on a project
    mentioned_ids: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PostEdited:
    post: Post
    editor: User
    newly_mentioned_ids: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PostDeleted:
    """A post was soft-deleted; `reblogs` are the reposts of it that were removed with it."""

    post: Post
    reblogs: tuple[Post, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PostReblogged:
    reblog: Post
    target: Post
    user: User


@dataclass(frozen=True)
class ReblogRemoved:
    reblog: Post


@dataclass(frozen=True)
class PostLiked:
    post: Post
    user: User


@dataclass(frozen=True)
class ProjectLiked:
    project_id: int
    owner_id: int
    user: User


post_created: Event[PostCreated, None] = Event("post_created")
post_edited: Event[PostEdited, None] = Event("post_edited")
post_deleted: Event[PostDeleted, None] = Event("post_deleted")
post_reblogged: Event[PostReblogged, None] = Event("post_reblogged")
reblog_removed: Event[ReblogRemoved, None] = Event("reblog_removed")
post_liked: Event[PostLiked, None] = Event("post_liked")
project_liked: Event[ProjectLiked, None] = Event("project_liked")
