"""Writes for posts: create, reply, quote, repost, like, edit, delete, project likes.

Every check that refuses a request raises before anything is written: ValidationError for bad
input (shown next to the form), AccessDenied for what this user may not do.
"""

from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kiln.accounts.models import User
from kiln.core.access import AccessDenied
from kiln.core.converters import parse_id, parse_ids
from kiln.media.models import MediaAsset
from kiln.media.services import media_asset_create, media_asset_delete
from kiln.portfolio.models import ProjectImage
from kiln.posts import events
from kiln.posts.limits import MAX_ALT_TEXT, MAX_CONTENT_WARNING, MAX_IMAGES, MAX_TEXT_LENGTH
from kiln.posts.models import Post, PostAttachment, PostEdit, PostLike, PostMention, PostTag
from kiln.posts.selectors import can_view_post
from kiln.posts.text import extract_hashtags, extract_mentions, render_post_html
from kiln.social.selectors import blocked_user_ids


def _require_login(user, verb: str) -> None:
    if user is None or not user.is_authenticated:
        raise AccessDenied(f"Log in to {verb}.")


def _load_post(post) -> Post:
    if isinstance(post, Post):
        return post
    post_id = parse_id(post)
    if post_id is None:
        raise ValidationError("That post does not exist.")
    found = Post.objects.select_related("author").filter(pk=post_id).first()
    if found is None:
        raise ValidationError("That post does not exist.")
    return found


def _access_interaction(*, user, post: Post, verb: str) -> None:
    """Refuse interactions across a block, and with posts the user cannot see."""
    blocked = blocked_user_ids(user)
    if post.author_id in blocked:
        raise AccessDenied(f"You can't {verb} posts by @{post.author.username}.")
    if not can_view_post(post, user, blocked=blocked):
        raise ValidationError(f"You can't {verb} this post: it was deleted or you can't see it.")


def _validate_text(text: str, content_warning: str) -> None:
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError(
            f"A post can be at most {MAX_TEXT_LENGTH:,} characters; this one has {len(text):,}."
        )
    if len(content_warning) > MAX_CONTENT_WARNING:
        raise ValidationError(f"A content warning can be at most {MAX_CONTENT_WARNING} characters.")


def _resolve_mentions(*, author, text: str) -> list[User]:
    """Existing, active users mentioned in the text. Mentioning across a block is refused."""
    names = extract_mentions(text)
    if not names:
        return []
    from django.db.models import Q

    query = Q()
    for name in names:
        query |= Q(username__iexact=name)
    users = list(User.objects.filter(query, is_active=True))
    blocked = blocked_user_ids(author)
    for user in users:
        if user.pk in blocked:
            raise ValidationError(f"You can't mention @{user.username}.")
    return users


def _check_image_count(count: int) -> None:
    if count > MAX_IMAGES:
        raise ValidationError(f"A post can have at most {MAX_IMAGES} images; this one has {count}.")


def _clean_alt_text(alt_text, index: int) -> str:
    """Alt text is required and bounded; `index` is the image's 1-based place in the post."""
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise ValidationError(f"Describe image {index} (alt text) so everyone can enjoy it.")
    if len(alt_text) > MAX_ALT_TEXT:
        raise ValidationError(
            f"The description of image {index} is over {MAX_ALT_TEXT:,} characters "
            f"({len(alt_text):,})."
        )
    return alt_text


def _validate_attachments(*, author, attachments: Sequence, start: int = 1) -> list[tuple]:
    """[(asset, alt_text)], checked: the author's own, unused assets, each with alt text.
    `start` numbers the images in messages (an edit adds images after the kept ones)."""
    _check_image_count(start - 1 + len(attachments))
    if not attachments:  # most posts are text only: no queries to build
        return []
    checked = []
    ids = []
    for index, item in enumerate(attachments, start=start):
        asset, alt_text = item
        asset_id = asset.pk if isinstance(asset, MediaAsset) else asset
        alt_text = _clean_alt_text(alt_text, index)
        ids.append(asset_id)
        checked.append((asset_id, alt_text))
    if len(set(ids)) != len(ids):
        raise ValidationError("The same image is attached twice.")
    assets = {a.pk: a for a in MediaAsset.objects.filter(pk__in=ids, owner_id=author.pk)}
    used = _assets_in_use(ids)
    result = []
    for index, (asset_id, alt_text) in enumerate(checked, start=start):
        asset = assets.get(asset_id)
        if asset is None:
            raise ValidationError(f"Image {index} is not one of your uploads.")
        if asset_id in used:
            raise ValidationError(f"Image {index} is already used in another post.")
        if asset.state == MediaAsset.State.FAILED:
            raise ValidationError(f"Image {index} could not be processed.")
        result.append((asset, alt_text))
    return result


def _assets_in_use(asset_ids: list[int]) -> set[int]:
    """Assets already shown by a post or a portfolio project (the rows that *use* an asset as
    content): one use per asset, so deleting a post never deletes someone else's use of the file."""
    used = set(
        PostAttachment.objects.filter(asset_id__in=asset_ids).values_list("asset_id", flat=True)
    )
    return used | set(
        ProjectImage.objects.filter(asset_id__in=asset_ids).values_list("asset_id", flat=True)
    )


def _write_text(post: Post, *, text: str, mentioned: list[User]) -> None:
    """Rendered HTML, tags and mentions for the post's current text."""
    post.text = text
    post.text_html = render_post_html(text, {u.username.lower(): u.username for u in mentioned})


def _replace_tags_and_mentions(
    post: Post, *, text: str, mentioned: list[User], new: bool = False
) -> set[int]:
    """Returns the ids of users newly mentioned (to notify). A `new` post has no tags or
    mentions to replace: its write takes three statements fewer under SQLite's write lock."""
    before: set[int] = set()
    if not new:
        before = set(PostMention.objects.filter(post=post).values_list("user_id", flat=True))
        PostTag.objects.filter(post=post).delete()
        PostMention.objects.filter(post=post).delete()
    PostTag.objects.bulk_create(PostTag(post=post, tag=tag) for tag in extract_hashtags(text))
    PostMention.objects.bulk_create(PostMention(post=post, user=user) for user in mentioned)
    return {u.pk for u in mentioned} - before


@transaction.atomic
def post_create(
    *,
    author,
    text: str,
    visibility: str = Post.Visibility.PUBLIC,
    in_reply_to=None,
    quote=None,
    attachments: Iterable = (),
    content_warning: str = "",
    is_mature: bool = False,
    project=None,
    commented_project=None,
) -> Post:
    """Write a post (or a reply, quote, project share or project comment).

    `attachments` is a sequence of (MediaAsset or id, alt text). `project` shares a portfolio
    project as a card; `commented_project` makes this a comment in that project's thread.
    """
    _require_login(author, "post")
    text = (text or "").strip()
    content_warning = (content_warning or "").strip()
    attachments = list(attachments)
    if visibility not in Post.Visibility.values:
        raise ValidationError("Choose who can see this post: public or followers only.")
    _validate_text(text, content_warning)
    if not text and not attachments and project is None:
        raise ValidationError("A post needs some text or an image.")
    checked_attachments = _validate_attachments(author=author, attachments=attachments)

    parent = None
    if in_reply_to is not None:
        parent = _load_post(in_reply_to)
        if parent.reblog_id:
            parent = parent.reblog
        _access_interaction(user=author, post=parent, verb="reply to")
    quoted = None
    if quote is not None:
        quoted = _load_post(quote)
        if quoted.reblog_id:
            quoted = quoted.reblog
        _access_interaction(user=author, post=quoted, verb="quote")
        if quoted.visibility != Post.Visibility.PUBLIC and quoted.author_id != author.pk:
            raise ValidationError("Only public posts can be quoted.")
    shared_project_id = None
    if project is not None:
        from kiln.posts.projects import project_for_feed

        shared_project_id = project_for_feed(
            project_id=getattr(project, "pk", project), viewer=author
        ).pk
    commented_project_id = None
    project_owner = None
    if commented_project is not None:
        from kiln.posts.projects import project_for_feed, project_owner_id

        found = project_for_feed(
            project_id=getattr(commented_project, "pk", commented_project), viewer=author
        )
        commented_project_id = found.pk
        project_owner = project_owner_id(found)
        if project_owner in blocked_user_ids(author):
            raise AccessDenied("You can't comment on this project.")
    elif parent is not None:
        commented_project_id = parent.commented_project_id
    mentioned = _resolve_mentions(author=author, text=text)

    post = Post(
        author=author,
        visibility=visibility,
        content_warning=content_warning,
        is_mature=bool(is_mature),
        in_reply_to=parent,
        thread_root_id=(parent.thread_root_id or parent.pk) if parent else None,
        quote=quoted,
        shared_project_id=shared_project_id,
        commented_project_id=commented_project_id,
    )
    _write_text(post, text=text, mentioned=mentioned)
    post.save()
    _replace_tags_and_mentions(post, text=text, mentioned=mentioned, new=True)
    PostAttachment.objects.bulk_create(
        PostAttachment(post=post, asset=asset, alt_text=alt, position=i)
        for i, (asset, alt) in enumerate(checked_attachments)
    )

    if parent is not None:
        Post.objects.filter(pk=parent.pk).update(replies_count=F("replies_count") + 1)
    # Notifications, the author's timeline entry and its fan-out task commit with the post.
    events.post_created.send(
        events.PostCreated(
            post=post,
            parent=parent,
            quoted=quoted,
            project_owner_id=project_owner,
            mentioned_ids=tuple(user.pk for user in mentioned),
        )
    )
    return post


def _attachment_ids(raw, what: str) -> list[int]:
    try:
        return parse_ids(raw)
    except (TypeError, ValueError):
        raise ValidationError(f"That image ({what}) is not part of this post.") from None


def _media_snapshot(attachments) -> list[dict]:
    """A version's images for its PostEdit row: attachment ids in order, with their alt text."""
    return [{"id": a.pk, "alt": a.alt_text} for a in attachments]


def _attachments_delete(attachments) -> None:
    """Remove attachments and their assets' files (on commit): a post's delete, or an edit's."""
    PostAttachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    for attachment in attachments:
        media_asset_delete(asset=attachment.asset)


@transaction.atomic
def post_edit(
    *,
    post,
    editor,
    text: str | None = None,
    content_warning: str | None = None,
    is_mature: bool | None = None,
    alt_texts: Mapping | None = None,
    remove: Iterable = (),
    uploads: Sequence = (),
) -> Post:
    """Change a post's text, warning and images; the previous version is kept as a PostEdit.

    `alt_texts` maps attachment ids of this post to new alt text, `remove` lists attachment ids
    to drop (their files are deleted), `uploads` is [(file, alt text)] added after the kept
    images through the compose path's media pipeline. Everything is checked before any file
    is stored or deleted; any change sets `edited_at` (cached cards are keyed on it).
    """
    _require_login(editor, "edit posts")
    post = _load_post(post)
    if post.author_id != editor.pk:
        raise AccessDenied("Only the author can edit this post.")
    if post.deleted_at is not None or post.reblog_id:
        raise ValidationError("This post can't be edited.")
    text = post.text if text is None else (text or "").strip()
    content_warning = post.content_warning if content_warning is None else content_warning.strip()
    is_mature = post.is_mature if is_mature is None else bool(is_mature)
    _validate_text(text, content_warning)

    current = list(post.attachments.select_related("asset"))
    by_id = {a.pk: a for a in current}
    place = {a.pk: index for index, a in enumerate(current, start=1)}
    removed_ids = set(_attachment_ids(remove, "to remove"))
    new_alts = {}
    for raw_id, alt_text in dict(alt_texts or {}).items():
        (attachment_id,) = _attachment_ids([raw_id], "to describe")
        new_alts[attachment_id] = alt_text
    # A forged id (another post's image) is refused, not silently ignored.
    if not removed_ids <= by_id.keys() or not new_alts.keys() <= by_id.keys():
        raise ValidationError("That image is not part of this post.")
    kept = [a for a in current if a.pk not in removed_ids]
    changed_alts = {}
    for attachment in kept:
        if attachment.pk in new_alts:
            alt_text = _clean_alt_text(new_alts[attachment.pk], place[attachment.pk])
            if alt_text != attachment.alt_text:
                changed_alts[attachment.pk] = alt_text
    uploads = list(uploads)
    _check_image_count(len(kept) + len(uploads))
    _check_upload_alts(uploads, start=len(kept) + 1)
    if not text and not kept and not uploads and post.shared_project_id is None:
        raise ValidationError("A post needs some text or an image.")
    media_changed = bool(removed_ids or changed_alts or uploads)
    if not media_changed and (text, content_warning, is_mature) == (
        post.text,
        post.content_warning,
        post.is_mature,
    ):
        return post
    mentioned = _resolve_mentions(author=editor, text=text)

    # Checked: now write. New files are stored last, so a refusal above stored nothing.
    PostEdit.objects.create(
        post=post,
        text=post.text,
        content_warning=post.content_warning,
        is_mature=post.is_mature,
        media=_media_snapshot(current),
    )
    _write_text(post, text=text, mentioned=mentioned)
    post.content_warning = content_warning
    post.is_mature = is_mature
    post.edited_at = timezone.now()
    post.save(update_fields=["text", "text_html", "content_warning", "is_mature", "edited_at"])
    newly_mentioned = _replace_tags_and_mentions(post, text=text, mentioned=mentioned)
    if media_changed:
        _attachments_delete([a for a in current if a.pk in removed_ids])
        for attachment in kept:
            attachment.alt_text = changed_alts.get(attachment.pk, attachment.alt_text)
        for position, attachment in enumerate(kept):
            attachment.position = position
        PostAttachment.objects.bulk_update(kept, ["alt_text", "position"])
        stored = _store_uploads(owner=editor, uploads=uploads)
        try:
            added = _validate_attachments(author=editor, attachments=stored, start=len(kept) + 1)
        except BaseException:
            _discard_originals(stored)
            raise
        PostAttachment.objects.bulk_create(
            PostAttachment(post=post, asset=asset, alt_text=alt, position=len(kept) + i)
            for i, (asset, alt) in enumerate(added)
        )
    events.post_edited.send(
        events.PostEdited(post=post, editor=editor, newly_mentioned_ids=tuple(newly_mentioned))
    )
    return post


@transaction.atomic
def post_delete(*, post, actor) -> Post:
    """Soft-delete (the thread keeps its shape), remove the images from storage, drop reposts."""
    _require_login(actor, "delete posts")
    post = _load_post(post)
    if post.author_id != actor.pk:
        raise AccessDenied("Only the author can delete this post.")
    if post.reblog_id:
        raise ValidationError("Undo the repost instead.")
    if post.deleted_at is not None:
        return post
    _attachments_delete(list(post.attachments.select_related("asset")))
    reblogs = tuple(Post.objects.filter(reblog=post))
    Post.objects.filter(reblog=post).delete()
    if post.in_reply_to_id:
        Post.objects.filter(pk=post.in_reply_to_id, replies_count__gt=0).update(
            replies_count=F("replies_count") - 1
        )
    PostTag.objects.filter(post=post).delete()
    PostMention.objects.filter(post=post).delete()
    post.text = ""
    post.text_html = ""
    post.content_warning = ""
    post.reblogs_count = 0
    post.deleted_at = timezone.now()
    post.save(update_fields=["text", "text_html", "content_warning", "reblogs_count", "deleted_at"])
    events.post_deleted.send(events.PostDeleted(post=post, reblogs=reblogs))
    return post


def _original_post(post) -> Post:
    """The post an action is really about: a repost's original, else the post itself."""
    target = _load_post(post)
    return target.reblog if target.reblog_id else target


@transaction.atomic
def post_reblog(*, user, post) -> Post:
    """Repost: a Post whose `reblog` is the original (idempotent)."""
    _require_login(user, "repost")
    target = _original_post(post)
    _access_interaction(user=user, post=target, verb="repost")
    if target.visibility != Post.Visibility.PUBLIC:
        raise ValidationError("Only public posts can be reposted.")
    existing = Post.objects.filter(author=user, reblog=target).first()
    if existing is not None:
        return existing
    reblog = Post.objects.create(author=user, reblog=target, visibility=Post.Visibility.PUBLIC)
    Post.objects.filter(pk=target.pk).update(reblogs_count=F("reblogs_count") + 1)
    events.post_reblogged.send(events.PostReblogged(reblog=reblog, target=target, user=user))
    return reblog


@transaction.atomic
def post_unreblog(*, user, post) -> bool:
    _require_login(user, "undo a repost")
    target = _original_post(post)
    reblog = Post.objects.filter(author=user, reblog=target).first()
    if reblog is None:
        return False
    # A queryset delete keeps `reblog.pk` set for the timelines hook.
    Post.objects.filter(pk=reblog.pk).delete()
    Post.objects.filter(pk=target.pk, reblogs_count__gt=0).update(
        reblogs_count=F("reblogs_count") - 1
    )
    events.reblog_removed.send(events.ReblogRemoved(reblog=reblog))
    return True


@transaction.atomic
def post_like(*, user, post) -> Post:
    """Like (idempotent: a second like changes nothing). Returns the liked original."""
    _require_login(user, "like posts")
    target = _original_post(post)
    _access_interaction(user=user, post=target, verb="like")
    _, created = PostLike.objects.get_or_create(user=user, post=target)
    if created:
        Post.objects.filter(pk=target.pk).update(likes_count=F("likes_count") + 1)
        events.post_liked.send(events.PostLiked(post=target, user=user))
    target.refresh_from_db(fields=["likes_count"])
    return target


@transaction.atomic
def post_unlike(*, user, post) -> Post:
    _require_login(user, "like posts")
    target = _original_post(post)
    deleted, _ = PostLike.objects.filter(user=user, post=target).delete()
    if deleted:
        Post.objects.filter(pk=target.pk, likes_count__gt=0).update(
            likes_count=F("likes_count") - 1
        )
    target.refresh_from_db(fields=["likes_count"])
    return target


@transaction.atomic
def project_comment_create(*, author, project_id, text: str, in_reply_to=None) -> Post:
    """A comment on a portfolio project: the same Post and reply code as the feed."""
    if in_reply_to is not None:
        parent = _load_post(in_reply_to)
        if parent.commented_project_id != parse_id(project_id):
            raise ValidationError("That comment belongs to another project.")
        return post_create(author=author, text=text, in_reply_to=parent)
    return post_create(author=author, text=text, commented_project=project_id)


@transaction.atomic
def project_like_create(*, user, project_id) -> bool:
    """Like a project (idempotent). True when a new like was written."""
    from kiln.posts.models import ProjectLike
    from kiln.posts.projects import project_for_feed, project_owner_id

    _require_login(user, "like projects")
    project = project_for_feed(project_id=project_id, viewer=user)
    owner_id = project_owner_id(project)
    if owner_id in blocked_user_ids(user):
        raise AccessDenied("You can't like this project.")
    _, created = ProjectLike.objects.get_or_create(user=user, project_id=project.pk)
    if created:
        events.project_liked.send(
            events.ProjectLiked(project_id=project.pk, owner_id=owner_id, user=user)
        )
    return created


@transaction.atomic
def project_like_delete(*, user, project_id) -> bool:
    from kiln.posts.models import ProjectLike

    _require_login(user, "like projects")
    project_id = parse_id(project_id)
    if project_id is None:
        return False
    deleted, _ = ProjectLike.objects.filter(user=user, project_id=project_id).delete()
    return bool(deleted)


def _check_upload_alts(uploads: Sequence, *, start: int = 1) -> None:
    """Alt text for each (file, alt text) upload, checked before any file is stored."""
    for index, (_, alt_text) in enumerate(uploads, start=start):
        _clean_alt_text(alt_text, index)


def _store_uploads(*, owner, uploads: Sequence) -> list[tuple]:
    """Store uploads through the media pipeline (processing and screening are queued on
    commit), as [(asset, alt text)]. If one upload is refused, the originals already stored
    for this request are removed, since the transaction only rolls back rows."""
    stored = []
    try:
        for upload, alt in uploads:
            stored.append((media_asset_create(owner=owner, file=upload), alt))
    except BaseException:
        _discard_originals(stored)
        raise
    return stored


def _discard_originals(stored) -> None:
    """Delete originals stored for a write that is being refused: its transaction rolls back
    only rows, and a file without its row is an orphan (4 of 5 refused composes left one)."""
    from django.core.files.storage import storages

    for asset, _ in stored:
        if asset.original_key:
            storages["private"].delete(asset.original_key)


def post_compose(*, author, uploads: Sequence = (), **fields) -> Post:
    """The compose form: upload images through the media pipeline, then `post_create`.

    `uploads` is [(file, alt text)]. Counts, alt text and the text are checked before any file
    is stored, so a refused post leaves nothing behind.
    """
    _require_login(author, "post")
    uploads = list(uploads)
    _check_image_count(len(uploads))
    _check_upload_alts(uploads)
    text = (fields.get("text") or "").strip()
    _validate_text(text, (fields.get("content_warning") or "").strip())
    if not text and not uploads and fields.get("project") is None:
        raise ValidationError("A post needs some text or an image.")
    if not uploads:  # a text post: post_create's own transaction, without a savepoint in it
        return post_create(author=author, **fields)
    with transaction.atomic():
        attachments = _store_uploads(owner=author, uploads=uploads)
        try:
            return post_create(author=author, attachments=attachments, **fields)
        except BaseException:  # a bad reply, quote or project: the images go too
            _discard_originals(attachments)
            raise
