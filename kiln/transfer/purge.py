"""Deleting an account for real, after its grace period, in an order that survives a kill.

Every step is idempotent and works in batches, each its own transaction, and the rows
themselves say what is left: a worker killed at any point (kill -9 included) is followed by
one that starts the same steps again and finds less to do. Files are deleted *before* the
rows that point at them, so a kill between the two leaves a row whose files are already gone
(deleted again, harmlessly, next time), never a file that no row remembers.

Order: sessions and API tokens; likes, reblogs and bookmarks (with the counters they moved); posts;
projects; messages sent; media (files, then rows); profile images and exports; the account
row last, with its username retired for `KILN_RETIRED_USERNAME_DAYS`.

A legal hold (kiln.moderation's `LegalHold`) stops the purge before the first step that
would delete something the hold covers, which is everything but the sign-in steps: the
closure is parked as `held` (the account stays inactive, so its work stays hidden from
everyone but staff, and its username stays taken), and the sweep resumes it once the hold is
lifted.

Kept (docs/decisions.md, "Leaving Kiln"): other people's replies (their parent link is
cleared and they are marked as answering a deleted account), moderation audit entries
(pseudonymised by the moderation app when it exists), and everything under a legal hold.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from kiln.accounts.models import Profile, User
from kiln.media import events as media_events
from kiln.media.models import MediaAsset, Rendition
from kiln.messages.models import Message
from kiln.moderation.selectors import legal_held_account_ids
from kiln.moderation.services_holds import legal_hold_deletion_waiting
from kiln.portfolio.models import Project
from kiln.posts.models import Bookmark, BookmarkCollection, Post, PostLike, ProjectLike
from kiln.provenance import index as provenance_index
from kiln.search.services import search_post_remove, search_project_remove
from kiln.social.models import Block, Follow, Mute
from kiln.transfer.imports import archive_path
from kiln.transfer.models import AccountClosure, DataExport, InstagramImport, RetiredUsername

logger = logging.getLogger("kiln.transfer")

BATCH = 200
LEASE = timedelta(minutes=10)


def _delete_keys(alias: str, keys) -> None:
    storage = storages[alias]
    for key in keys:
        if key:
            storage.delete(key)  # a missing file is not an error (local and S3)


def _purge_sessions(user_id: int, now) -> None:
    """Sessions hold the user id only inside their signed data: read the live ones."""
    wanted = str(user_id)
    rows = Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500)  # real
    stale = [s.session_key for s in rows if s.get_decoded().get("_auth_user_id") == wanted]
    Session.objects.filter(session_key__in=stale).delete()


def _purge_api_tokens(user_id: int, now) -> None:
    """Every token, grant and refresh token the person gave an app (kiln.api's OAuth), and the
    apps they registered themselves."""
    for model in (
        get_refresh_token_model(),
        get_access_token_model(),
        get_id_token_model(),
        get_grant_model(),
    ):
        model.objects.filter(user_id=user_id).delete()
    get_application_model().objects.filter(user_id=user_id).delete()


def _purge_interactions(user_id: int, now) -> None:
    """Likes and reblogs moved other people's counters: give them back."""
    while ids := list(
        PostLike.objects.filter(user_id=user_id).values_list("pk", "post_id")[:BATCH]
    ):
        with transaction.atomic():
            for _, post_id in ids:
                Post.objects.filter(pk=post_id, likes_count__gt=0).update(
                    likes_count=F("likes_count") - 1
                )
            PostLike.objects.filter(pk__in=[pk for pk, _ in ids]).delete()
    reblogs = Post.objects.filter(author_id=user_id, reblog__isnull=False)
    while ids := list(reblogs.values_list("pk", "reblog_id")[:BATCH]):
        with transaction.atomic():
            for _, target in ids:
                Post.objects.filter(pk=target, reblogs_count__gt=0).update(
                    reblogs_count=F("reblogs_count") - 1
                )
            Post.objects.filter(pk__in=[pk for pk, _ in ids]).delete()
    ProjectLike.objects.filter(user_id=user_id).delete()
    Bookmark.objects.filter(collection__owner_id=user_id).delete()
    BookmarkCollection.objects.filter(owner_id=user_id).delete()
    Follow.objects.filter(follower_id=user_id).delete()
    Follow.objects.filter(followed_id=user_id).delete()
    Block.objects.filter(blocker_id=user_id).delete()
    Block.objects.filter(blocked_id=user_id).delete()
    Mute.objects.filter(muter_id=user_id).delete()
    Mute.objects.filter(muted_id=user_id).delete()


def _reroot(post_ids) -> None:
    """Give each of these surviving posts the thread root its surviving chain now leads to
    (their old root may have been one of the posts just deleted)."""
    for post in Post.objects.filter(pk__in=post_ids).only("pk", "in_reply_to_id"):
        root, cursor, seen = None, post.in_reply_to_id, set()
        while cursor is not None and cursor not in seen:  # a cycle is impossible; be safe
            seen.add(cursor)
            root = cursor
            cursor = Post.objects.filter(pk=cursor).values_list("in_reply_to_id", flat=True).first()
        Post.objects.filter(pk=post.pk).update(thread_root_id=root)


def _purge_posts(user_id: int, now) -> None:
    """Newest first, so a reply is gone before the post it answers. Other people's replies
    stay: their parent link is cleared and marked `in_reply_to_deleted_account`, so they
    still say they answered someone, and their threads are re-rooted on what survives."""
    posts = Post.objects.filter(author_id=user_id).order_by("-pk")
    while ids := list(posts.values_list("pk", "in_reply_to_id")[:BATCH]):
        gone = [pk for pk, _ in ids]
        with transaction.atomic():
            for pk, parent in ids:
                search_post_remove(post_id=pk)  # gives back the tag counts it added
                if parent is not None:
                    Post.objects.filter(pk=parent, replies_count__gt=0).exclude(
                        author_id=user_id
                    ).update(replies_count=F("replies_count") - 1)
            survivors = Post.objects.exclude(author_id=user_id)
            survivors.filter(in_reply_to_id__in=gone).update(
                in_reply_to=None, in_reply_to_deleted_account=True
            )
            orphaned = list(survivors.filter(thread_root_id__in=gone).values_list("pk", flat=True))
            Post.objects.filter(pk__in=gone).delete()
            _reroot(orphaned)


def _purge_projects(user_id: int, now) -> None:
    while ids := list(Project.objects.filter(owner_id=user_id).values_list("pk", flat=True)[:50]):
        with transaction.atomic():
            for pk in ids:
                search_project_remove(project_id=pk)
            Project.objects.filter(pk__in=ids).delete()


def _purge_messages(user_id: int, now) -> None:
    """The messages this person sent (the conversation stays for the other person)."""
    sent = Message.objects.filter(sender_id=user_id)
    while ids := list(sent.values_list("pk", flat=True)[:BATCH]):
        Message.objects.filter(pk__in=ids).delete()


def _purge_media(user_id: int, now) -> None:
    """Files first, then the rows: originals, masters, renditions (local or S3)."""
    assets = MediaAsset.objects.filter(owner_id=user_id).order_by("pk")
    while batch := list(assets[:50]):
        keys = {a.pk: a for a in batch}
        public = set()
        for asset in batch:
            public.update(asset.pending_keys or [])
        public.update(Rendition.objects.filter(asset_id__in=keys).values_list("key", flat=True))
        _delete_keys("default", public)
        _delete_keys("private", [k for a in batch for k in (a.original_key, a.master_key)])
        _delete_keys("private", media_events.private_files_of(keys))  # process evidence
        MediaAsset.objects.filter(pk__in=keys).delete()


def _purge_profile_files(user_id: int, now) -> None:
    profile = Profile.objects.filter(user_id=user_id).first()
    if profile is not None:
        for field in (profile.avatar, profile.banner):
            if field:
                field.storage.delete(field.name)
        Profile.objects.filter(pk=profile.pk).update(avatar="", banner="")
    for export in DataExport.objects.filter(owner_id=user_id):
        _delete_keys("private", [export.key])
        export.delete()
    for batch in InstagramImport.objects.filter(owner_id=user_id):
        archive_path(batch).unlink(missing_ok=True)  # an upload or import left unfinished
        batch.delete()


def _purge_account(user_id: int, now) -> None:
    """The last step: retire the username, delete the row (everything left cascades)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    until = now + timedelta(days=settings.KILN_RETIRED_USERNAME_DAYS)
    with transaction.atomic():
        RetiredUsername.objects.update_or_create(
            username=user.username.lower(), defaults={"until": until}
        )
        user.delete()


# (name, function). An app that keeps more of a person's data adds its step here, before
# "account" (kiln.transfer sits above every domain app, so it may import them).
STEPS = [
    ("sessions", _purge_sessions),
    ("api_tokens", _purge_api_tokens),
    ("interactions", _purge_interactions),
    ("posts", _purge_posts),
    ("projects", _purge_projects),
    ("messages", _purge_messages),
    ("media", _purge_media),
    ("files", _purge_profile_files),
    ("account", _purge_account),
]


# Steps that still run under a legal hold: the person can no longer sign in or act through an
# app. Every other step deletes something the hold keeps.
RUN_UNDER_HOLD = {"sessions", "api_tokens"}


def _held(user_id: int) -> bool:
    return legal_held_account_ids().filter(account_id=user_id).exists()


def _park(closure: AccountClosure, now) -> None:
    AccountClosure.objects.filter(pk=closure.pk).update(
        state=AccountClosure.State.HELD, locked_until=None
    )
    legal_hold_deletion_waiting(account_id=closure.user_id, now=now)
    logger.info("account %s: purge stopped by a legal hold", closure.user_id)


def _claim(closure_id: int, now) -> AccountClosure | None:
    with transaction.atomic():
        closure = AccountClosure.objects.select_for_update().filter(pk=closure_id).first()
        if closure is None:
            return None
        due = closure.state == AccountClosure.State.PENDING and closure.purge_after <= now
        lapsed = closure.state == AccountClosure.State.PURGING and (
            closure.locked_until is None or closure.locked_until <= now
        )
        released = closure.state == AccountClosure.State.HELD and not _held(closure.user_id)
        if not (due or lapsed or released):
            return None
        closure.state = AccountClosure.State.PURGING
        closure.locked_until = now + LEASE
        closure.attempts += 1
        closure.save(update_fields=["state", "locked_until", "attempts"])
        return closure


def account_purge(*, closure_id: int, now=None, after_step=None) -> bool:
    """Run (or resume) one account's deletion; False when it is not due, someone else has it,
    or a legal hold stopped it. `after_step(name)` is called after each step (the tests'
    kill point)."""
    now = now or timezone.now()
    closure = _claim(closure_id, now)
    if closure is None:
        return False
    user_id = closure.user_id
    started = timezone.now()
    for name, step in STEPS:
        if name not in RUN_UNDER_HOLD and _held(user_id):  # checked before each step
            _park(closure, now)
            return False
        step(user_id, now)
        if name != "account":
            AccountClosure.objects.filter(pk=closure.pk).update(
                step=name, locked_until=now + (timezone.now() - started) + LEASE
            )
        logger.info("account %s: purge step %s done", user_id, name)
        if after_step is not None:
            after_step(name)
    provenance_index.reset()
    return True


def accounts_due(*, now=None) -> list[int]:
    """Closures whose grace period is over, whose purging worker died, or whose legal hold
    was lifted."""
    now = now or timezone.now()
    released = AccountClosure.objects.filter(state=AccountClosure.State.HELD).exclude(
        user_id__in=legal_held_account_ids()
    )
    pending = AccountClosure.objects.filter(
        state=AccountClosure.State.PENDING, purge_after__lte=now
    )
    stuck = AccountClosure.objects.filter(state=AccountClosure.State.PURGING, locked_until__lte=now)
    return [
        *pending.values_list("pk", flat=True),
        *stuck.values_list("pk", flat=True),
        *released.values_list("pk", flat=True),
    ]


def retired_usernames_release(*, now=None) -> int:
    return RetiredUsername.objects.filter(until__lte=now or timezone.now()).delete()[0]
