"""Posts, shaped like a Mastodon Status: ids, visibility, in_reply_to, reblog, attachments.

A repost is a Post whose `reblog` points at the original (as in Mastodon), so one timeline
table carries both. A quote is a Post with `quote` set and its own text.
"""

from django.conf import settings
from django.db import models

from kiln.core.models import BaseModel
from kiln.posts.limits import MAX_TEXT_LENGTH


class Post(BaseModel):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        FOLLOWERS = "followers", "Followers only"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    text = models.TextField(max_length=MAX_TEXT_LENGTH, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    content_warning = models.CharField(max_length=200, blank=True)
    is_mature = models.BooleanField(default=False)
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    # Set when the post this one answered went with its author's deleted account: the link
    # and everything of that person are gone, but the reply still says it answered someone
    # (docs/decisions/arrive.md).
    in_reply_to_deleted_account = models.BooleanField(default=False)
    # The root of the thread this post belongs to (itself for a top-level post's replies' root).
    thread_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="thread_posts"
    )
    reblog = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reblogs"
    )
    quote = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    # The text rendered once at write time (escaped, autolinked), like a Mastodon Status's
    # `content`: reads never re-resolve mentions, so a page of posts needs no extra queries.
    text_html = models.TextField(blank=True)
    # A portfolio project shared as a rich card (stored by id: see ProjectLike).
    shared_project_id = models.BigIntegerField(null=True, blank=True)
    # Set on project comments (and their replies): the comment thread of that project.
    commented_project_id = models.BigIntegerField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Denormalised counters, updated in the same transaction as the row they count.
    replies_count = models.PositiveIntegerField(default=0)
    reblogs_count = models.PositiveIntegerField(default=0)
    likes_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["author", "-id"], name="post_author_newest"),
            models.Index(fields=["thread_root", "id"], name="post_thread"),
            models.Index(fields=["commented_project_id", "id"], name="post_project_comments"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "reblog"],
                condition=models.Q(reblog__isnull=False),
                name="post_one_reblog_per_author",
            )
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} by {self.author_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class PostAttachment(models.Model):
    """An image on a post: a media asset plus the alt text written for this use."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    # RESTRICT, not PROTECT: deleting an account deletes its posts and assets together.
    asset = models.ForeignKey("media.MediaAsset", on_delete=models.RESTRICT, related_name="+")
    alt_text = models.CharField(max_length=1500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "asset"], name="attachment_unique")]

    def __str__(self) -> str:
        return f"Attachment {self.asset_id} on {self.post_id}"


class PostLike(BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_likes"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="post_like_unique")]
        # The Likes tab reads a user's likes newest first.
        indexes = [models.Index(fields=["user", "-id"], name="post_like_user_newest")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.post_id}"


class PostMention(models.Model):
    """Who a post mentions, resolved when it is written (notifications, visibility, blocks)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentioned_in"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="mention_unique")]

    def __str__(self) -> str:
        return f"{self.post_id} mentions {self.user_id}"


class PostTag(models.Model):
    """A hashtag on a post, case-folded, so tag pages are one indexed range query."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "tag"], name="post_tag_unique")]
        indexes = [models.Index(fields=["tag", "-post"], name="post_tag_newest")]

    def __str__(self) -> str:
        return f"#{self.tag} on {self.post_id}"


class PostEdit(BaseModel):
    """The version of a post before an edit; the post row always holds the current text."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="edits")
    text = models.TextField(max_length=MAX_TEXT_LENGTH, blank=True)
    content_warning = models.CharField(max_length=200, blank=True)
    is_mature = models.BooleanField(default=False)
    # The images of that version, in order: [{"id": attachment id, "alt": alt text}], like
    # Mastodon's status edits record media. Null on edits written before images were editable.
    media = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Edit of {self.post_id}"


class ProjectLike(BaseModel):
    """A like on a portfolio project (stored by id so the feed does not depend on portfolio's
    migrations; the portfolio app owns the project row)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_likes"
    )
    project_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "project_id"], name="project_like_unique")
        ]
        indexes = [models.Index(fields=["project_id"], name="project_like_project")]

    def __str__(self) -> str:
        return f"{self.user_id} likes project {self.project_id}"


class BookmarkCollection(BaseModel):
    """A private, named set of saved posts and projects ("references", "inspiration")."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmark_collections"
    )
    name = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "owner", models.functions.Lower("name"), name="bookmark_collection_name_unique"
            )
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Bookmark(BaseModel):
    collection = models.ForeignKey(
        BookmarkCollection, on_delete=models.CASCADE, related_name="bookmarks"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="bookmarks"
    )
    project_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "post"],
                condition=models.Q(post__isnull=False),
                name="bookmark_post_unique",
            ),
            models.UniqueConstraint(
                fields=["collection", "project_id"],
                condition=models.Q(project_id__isnull=False),
                name="bookmark_project_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(post__isnull=False, project_id__isnull=True)
                | models.Q(post__isnull=True, project_id__isnull=False),
                name="bookmark_one_target",
            ),
        ]
        indexes = [models.Index(fields=["collection", "-id"], name="bookmark_newest")]

    def __str__(self) -> str:
        return f"Bookmark {self.pk}"
