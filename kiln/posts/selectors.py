"""Reads for posts: visibility, hydration of a page of posts, threads, profile tabs."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects

from kiln.core.fastdb import PreparedQuery
from kiln.core.pagination import MAX_PAGE_SIZE, NO_CURSOR, CursorPage, page_of_ids
from kiln.posts.models import Bookmark, Post, PostAttachment, PostLike, PostMention
from kiln.provenance.selectors import asset_is_held
from kiln.social.models import Follow
from kiln.social.selectors import blocked_user_ids, following_ids


def _viewer_id(viewer) -> int | None:
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    return viewer.pk


def visibility_q(viewer, *, prefix: str = "") -> Q:
    """The one rule for which posts a viewer may see, apart from blocks and deletion (applied
    by `visible_posts`); `can_view_post` is the same rule for a post in memory, and
    tests/posts/test_visibility_rule.py checks that the two agree.

    Posts of active accounts: public ones; and followers-only posts of accounts the viewer
    follows, their own, or ones that mention them. A post with an image held for review (AI
    screening, a suspected repost) is seen only by its author and staff until it is cleared;
    an account limited by moderation is seen only by its followers (and staff).
    Subqueries, so a listing stays one query.
    """
    unlimited = Q(**{f"{prefix}author__is_limited": False})
    active = Q(**{f"{prefix}author__is_active": True})
    public = Q(**{f"{prefix}visibility": Post.Visibility.PUBLIC})
    held = PostAttachment.objects.filter(
        asset_is_held(OuterRef("asset_id")), post_id=OuterRef(f"{prefix}id")
    )
    viewer_id = _viewer_id(viewer)
    if viewer_id is None:
        return active & public & unlimited & ~Q(Exists(held))
    own = Q(**{f"{prefix}author_id": viewer_id})
    follows = Follow.objects.filter(follower_id=viewer_id, followed_id=OuterRef(f"{prefix}author"))
    mentioned = PostMention.objects.filter(user_id=viewer_id, post_id=OuterRef(f"{prefix}id"))
    seen = active & (public | own | Q(Exists(follows)) | Q(Exists(mentioned)))
    if getattr(viewer, "is_staff", False):
        return seen
    return seen & (own | ~Q(Exists(held))) & (own | unlimited | Q(Exists(follows)))


def visible_posts(viewer, *, blocked: set[int] | None = None) -> QuerySet[Post]:
    """Live posts the viewer may see, excluding authors blocked either way."""
    if blocked is None:
        blocked = blocked_user_ids(viewer)
    qs = Post.objects.filter(deleted_at__isnull=True).filter(visibility_q(viewer))
    if blocked:
        qs = qs.exclude(author_id__in=blocked)
    return qs


def can_view_post(post: Post, viewer, *, blocked=None, following=None) -> bool:
    """`visible_posts` (visibility_q, blocks, deletion) for a post already in memory."""
    if post.deleted_at is not None or not post.author.is_active:
        return False
    viewer_id = _viewer_id(viewer)
    if blocked is None:
        blocked = blocked_user_ids(viewer)
    if post.author_id in blocked:
        return False
    if post.author_id == viewer_id:
        return True
    if post.author.is_limited and not getattr(viewer, "is_staff", False):
        if viewer_id is None:
            return False
        following = following_ids(viewer) if following is None else following
        if post.author_id not in following:
            return False  # limited by moderation: its followers only
    if post.visibility == Post.Visibility.PUBLIC:
        return not _held_from(post, viewer)
    if viewer_id is None:
        return False
    if following is None:
        following = following_ids(viewer)
    if post.author_id not in following and not (
        PostMention.objects.filter(post_id=post.pk, user_id=viewer_id).exists()
    ):
        return False
    return not _held_from(post, viewer)


def _held_from(post: Post, viewer) -> bool:
    """Whether an image of the post is held for review and the viewer is neither its author
    nor staff (one query, only when the rest of the rule already lets the viewer see it)."""
    if _viewer_id(viewer) == post.author_id or getattr(viewer, "is_staff", False):
        return False
    return PostAttachment.objects.filter(
        asset_is_held(OuterRef("asset_id")), post_id=post.pk
    ).exists()


def _hydration_queryset() -> QuerySet[Post]:
    return Post.objects.select_related(
        "author__profile",
        "in_reply_to__author",
        "reblog__author__profile",
        "reblog__in_reply_to__author",
        "reblog__quote__author__profile",
        "quote__author__profile",
    )


ATTACHMENTS = Prefetch(
    "attachments",
    queryset=PostAttachment.objects.select_related("asset").prefetch_related("asset__renditions"),
)


def posts_hydrated(ids, viewer, *, hidden: set[int] | None = None) -> list[Post]:
    """The posts with these ids, in the given order, ready for `posts/_post.html`.

    A constant number of queries whatever len(ids): posts with authors, profiles, reblog and
    quote targets (one joined query); attachments, assets and renditions (two); the viewer's
    likes, reposts and bookmarks (three); blocks (one) unless `hidden` is given; and shared
    project cards (at most one). Deleted posts, reposts of deleted posts and anything by an
    author in `hidden` (default: blocked either way) are left out.
    """
    ids = [int(i) for i in ids]
    if not ids:
        return []
    if hidden is None:
        hidden = blocked_user_ids(viewer)
    by_id = {p.pk: p for p in _hydration_queryset().filter(pk__in=ids)}
    posts = []
    for pk in ids:
        post = by_id.get(pk)
        if post is None or post.deleted_at is not None or post.author_id in hidden:
            continue
        target = post.reblog
        if target is not None and (target.deleted_at is not None or target.author_id in hidden):
            continue
        posts.append(post)
    # Everything a card shows comes from the "display" post: the original for a repost.
    displays = [p.reblog or p for p in posts]
    quotes = [d.quote for d in displays if d.quote_id and d.quote is not None]
    for quote in quotes:
        if quote.deleted_at is not None or quote.author_id in hidden:
            quote.hidden_from_viewer = True
    prefetch_related_objects(displays + quotes, ATTACHMENTS)
    _mark_held_attachments(displays + quotes)
    target_ids = {d.pk for d in displays}
    viewer_id = _viewer_id(viewer)
    liked = reposted = bookmarked = set()
    if viewer_id is not None and target_ids:
        liked = set(
            PostLike.objects.filter(user_id=viewer_id, post_id__in=target_ids).values_list(
                "post_id", flat=True
            )
        )
        reposted = set(
            Post.objects.filter(author_id=viewer_id, reblog_id__in=target_ids).values_list(
                "reblog_id", flat=True
            )
        )
        bookmarked = set(
            Bookmark.objects.filter(
                collection__owner_id=viewer_id, post_id__in=target_ids
            ).values_list("post_id", flat=True)
        )
    from kiln.posts.projects import project_cards

    cards = project_cards([d.shared_project_id for d in displays if d.shared_project_id], viewer)
    for post, display in zip(posts, displays, strict=True):
        post.display = display
        display.viewer_liked = display.pk in liked
        display.viewer_reposted = display.pk in reposted
        display.viewer_bookmarked = display.pk in bookmarked
        display.viewer_is_author = display.author_id == viewer_id
        display.project_card = cards.get(display.shared_project_id)
    return posts


def _mark_held_attachments(posts) -> None:
    """Images the provenance screening holds (AI policy, repost match) are not shown; the card
    says why. Two queries for the whole page."""
    from kiln.provenance.selectors import held_asset_ids

    attachments = [a for p in posts for a in p.attachments.all()]
    held = held_asset_ids(asset_ids=[a.asset_id for a in attachments])
    for attachment in attachments:
        attachment.held = attachment.asset_id in held


def post_for_page(*, username: str, post_id: int, viewer) -> Post | None:
    """The post at /@username/posts/<id> if the viewer may see it (None otherwise)."""
    post = (
        Post.objects.select_related("author")
        .filter(pk=post_id, author__username__iexact=username, reblog__isnull=True)
        .first()
    )
    if post is None or not can_view_post(post, viewer):
        return None
    return post


def thread_for(*, post: Post, viewer) -> dict:
    """The whole thread around `post`: its ancestors, the post, and every visible reply below
    it (depth-first, oldest first), each with a `depth` for indentation. Four queries plus
    hydration, however long the thread.

    Posts by accounts the viewer muted keep their place but are marked `muted` (the page
    collapses them behind "Show", as X does); the focus post is never collapsed, since the
    viewer opened it."""
    from kiln.social.models import Mute

    root_id = post.thread_root_id or post.pk
    blocked = blocked_user_ids(viewer)
    viewer_id = _viewer_id(viewer)
    muted = (
        set(Mute.objects.filter(muter_id=viewer_id).values_list("muted_id", flat=True))
        if viewer_id is not None
        else set()
    )
    rows = list(
        Post.objects.filter(Q(pk=root_id) | Q(thread_root_id=root_id))
        .filter(Q(deleted_at__isnull=True) | Q(replies_count__gt=0))
        .filter(visibility_q(viewer) | Q(deleted_at__isnull=False))
        .exclude(author_id__in=blocked)
        .values_list("id", "in_reply_to_id", "deleted_at", "in_reply_to_deleted_account")
        .order_by("id")
    )
    parent_of = {pk: parent for pk, parent, _, _ in rows}
    deleted = {pk for pk, _, when, _ in rows if when is not None}
    answered_deleted_account = {pk for pk, _, _, flag in rows if flag}
    ancestors = []
    cursor = parent_of.get(post.pk)
    while cursor is not None and cursor in parent_of:
        ancestors.append(cursor)
        cursor = parent_of.get(cursor)
    ancestors.reverse()
    children: dict[int, list[int]] = {}
    for pk, parent, _, _ in rows:
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    descendants: list[tuple[int, int]] = []
    stack = [(child, 1) for child in reversed(children.get(post.pk, []))]
    while stack:
        pk, depth = stack.pop()
        descendants.append((pk, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(pk, [])))
    hydrated = {
        p.pk: p
        for p in posts_hydrated(
            [pk for pk in ancestors + [pk for pk, _ in descendants] if pk not in deleted]
            + [post.pk],
            viewer,
            hidden=blocked,
        )
    }

    def entry(pk, depth=0):
        found = hydrated.get(pk)
        return {
            "post": found,
            "deleted": pk in deleted,
            "depth": min(depth, 6),
            "muted": found is not None and found.author_id in muted,
        }

    top = ancestors[0] if ancestors else post.pk
    return {
        # The thread's first post we still have answered a post removed with its author's
        # account: the page shows a placeholder where that post was.
        "removed_parent": top in answered_deleted_account
        or (top == post.pk and post.in_reply_to_deleted_account),
        "ancestors": [entry(pk) for pk in ancestors],
        "focus": hydrated.get(post.pk),
        "replies": [entry(pk, depth) for pk, depth in descendants],
    }


class ReaderById:
    """A signed-in reader known only by id: what `visibility_q` needs to build a query."""

    is_authenticated = True

    def __init__(self, pk):
        self.pk = pk


def profile_posts_queryset(owner_id, before, reader=None, *, limit: int = MAX_PAGE_SIZE + 1):
    return (
        Post.objects.filter(
            deleted_at__isnull=True,
            author_id=owner_id,
            commented_project_id__isnull=True,
            id__lt=before,
        )
        .filter(visibility_q(reader))
        .order_by("-id")
        .values_list("id", flat=True)[:limit]
    )


# The Posts tab is read on every profile visit: prepared (kiln.core.fastdb), for a signed-out
# reader (public posts only) and for a signed-in one (followers-only posts they may see).
_profile_posts_public = PreparedQuery(profile_posts_queryset, "int", "int")
_profile_posts_for_reader = PreparedQuery(
    lambda owner_id, before, reader_id: profile_posts_queryset(
        owner_id, before, ReaderById(reader_id)
    ),
    "int",
    "int",
    "int",
)


def profile_post_ids(*, owner, viewer, before=None, size=20) -> CursorPage:
    """The Posts tab: ids of the owner's posts and reposts (not project comments), newest
    first. Blocks are the profile page's to apply: a blocked profile shows no tab at all."""
    size = min(size, MAX_PAGE_SIZE)
    before = NO_CURSOR if before is None else before
    viewer_id = _viewer_id(viewer)
    if viewer_id is None:
        rows = _profile_posts_public(owner.pk, before)
    else:
        rows = _profile_posts_for_reader(owner.pk, before, viewer_id)
    return page_of_ids([row[0] for row in rows], size)


def liked_post_page(*, owner, viewer, before=None, size=20, blocked=None):
    """The Likes tab: likes by `owner`, newest like first (cursor is the like's id)."""
    from kiln.core.pagination import paginate_by_id

    qs = PostLike.objects.filter(user_id=owner.pk).filter(
        Exists(visible_posts(viewer, blocked=blocked).filter(pk=OuterRef("post_id")))
    )
    return paginate_by_id(qs.only("id", "post_id"), before=before, size=size)


def post_edits(*, post: Post):
    return list(post.edits.all())


def project_like_state(*, project_id: int, viewer) -> dict:
    from kiln.posts.models import Bookmark, ProjectLike

    viewer_id = _viewer_id(viewer)
    count = ProjectLike.objects.filter(project_id=project_id).count()
    liked = (
        viewer_id is not None
        and ProjectLike.objects.filter(project_id=project_id, user_id=viewer_id).exists()
    )
    saved = (
        viewer_id is not None
        and Bookmark.objects.filter(project_id=project_id, collection__owner_id=viewer_id).exists()
    )
    return {"count": count, "liked": liked, "saved": saved}


def project_comments(*, project_id: int, viewer) -> list[dict]:
    """The comment threads on a project, each reply under its parent: [{post, depth}]."""
    blocked = blocked_user_ids(viewer)
    rows = list(
        visible_posts(viewer, blocked=blocked)
        .filter(commented_project_id=project_id)
        .order_by("id")
        .values_list("id", "in_reply_to_id")[:500]
    )
    present = {pk for pk, _ in rows}
    children: dict[int | None, list[int]] = {}
    for pk, parent in rows:
        children.setdefault(parent if parent in present else None, []).append(pk)
    ordered: list[tuple[int, int]] = []
    stack = [(pk, 0) for pk in reversed(children.get(None, []))]
    while stack:
        pk, depth = stack.pop()
        ordered.append((pk, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(pk, [])))
    hydrated = {p.pk: p for p in posts_hydrated([pk for pk, _ in ordered], viewer, hidden=blocked)}
    return [
        {"post": hydrated[pk], "depth": min(depth, 4)} for pk, depth in ordered if pk in hydrated
    ]


def favourite_rows(*, user) -> QuerySet[PostLike]:
    """The user's likes of posts they can still see, for the client API to page by like id."""
    visible = visible_posts(user).filter(pk=OuterRef("post_id"))
    return PostLike.objects.filter(user_id=user.pk).filter(Exists(visible)).only("id", "post_id")


def bookmark_rows(*, user) -> QuerySet[Bookmark]:
    """The user's bookmarked posts (any collection) they can still see, by bookmark id."""
    visible = visible_posts(user).filter(pk=OuterRef("post_id"))
    return (
        Bookmark.objects.filter(collection__owner_id=user.pk, post__isnull=False)
        .filter(Exists(visible))
        .only("id", "post_id")
    )
