"""Which events notify whom: subscribers to the posts, social and provenance events.

Each runs in the sender's transaction, so a notification commits (or rolls back) with the
like, reply or follow it is about.
"""

from django.db import transaction

from kiln.notifications import services
from kiln.notifications.models import Notification
from kiln.posts import events as posts_events
from kiln.provenance import events as provenance_events
from kiln.social import events as social_events

Kind = Notification.Kind


def on_post_created(event: posts_events.PostCreated) -> None:
    """One notification per person: a reply (or project comment) beats a quote beats a mention."""
    post, author = event.post, event.post.author
    notified = set()
    if event.parent is not None:
        services.notification_create(
            recipient_id=event.parent.author_id, actor=author, kind=Kind.REPLY, post=post
        )
        notified.add(event.parent.author_id)
    elif event.project_owner_id is not None:
        services.notification_create(
            recipient_id=event.project_owner_id,
            actor=author,
            kind=Kind.PROJECT_COMMENT,
            post=post,
            project_id=post.commented_project_id,
        )
        notified.add(event.project_owner_id)
    if event.quoted is not None and event.quoted.author_id not in notified:
        services.notification_create(
            recipient_id=event.quoted.author_id, actor=author, kind=Kind.QUOTE, post=post
        )
        notified.add(event.quoted.author_id)
    for user_id in event.mentioned_ids:
        if user_id not in notified:
            services.notification_create(
                recipient_id=user_id, actor=author, kind=Kind.MENTION, post=post
            )


def on_post_edited(event: posts_events.PostEdited) -> None:
    for user_id in event.newly_mentioned_ids:
        services.notification_create(
            recipient_id=user_id, actor=event.editor, kind=Kind.MENTION, post=event.post
        )


def on_post_deleted(event: posts_events.PostDeleted) -> None:
    services.notifications_delete_for_post(post=event.post)


def on_post_reblogged(event: posts_events.PostReblogged) -> None:
    services.notification_create(
        recipient_id=event.target.author_id, actor=event.user, kind=Kind.REPOST, post=event.target
    )


def on_post_liked(event: posts_events.PostLiked) -> None:
    services.notification_create(
        recipient_id=event.post.author_id, actor=event.user, kind=Kind.LIKE, post=event.post
    )


def on_project_liked(event: posts_events.ProjectLiked) -> None:
    services.notification_create(
        recipient_id=event.owner_id,
        actor=event.user,
        kind=Kind.PROJECT_LIKE,
        project_id=event.project_id,
    )


def on_follow_created(event: social_events.FollowChange) -> None:
    services.notification_create(
        recipient_id=event.followed.pk, actor=event.follower, kind=Kind.FOLLOW
    )


def on_block_created(event: social_events.BlockCreated) -> None:
    services.notifications_delete_between(user_a_id=event.blocker.pk, user_b_id=event.blocked.pk)


def on_mute_created(event: social_events.MuteCreated) -> None:
    services.notifications_delete_from(recipient_id=event.muter.pk, actor_id=event.muted.pk)


def on_repost_found(event: provenance_events.RepostFound) -> None:
    """The original artist hears of a suspected copy on commit (the match page has the
    side-by-side view); a screening that rolls back tells nobody."""
    transaction.on_commit(
        lambda: services.notification_create(
            recipient_id=event.original_artist_id,
            actor=event.uploader,
            kind=Kind.REPOST_FOUND,
            repost_match_id=event.match_id,
        )
    )


def on_asset_held(event: provenance_events.AssetHeld) -> None:
    services.notification_create(
        recipient_id=event.owner.pk, actor=event.owner, kind=Kind.HELD, asset_id=event.asset_id
    )


def subscribe() -> None:
    posts_events.post_created.subscribe(on_post_created)
    posts_events.post_edited.subscribe(on_post_edited)
    posts_events.post_deleted.subscribe(on_post_deleted)
    posts_events.post_reblogged.subscribe(on_post_reblogged)
    posts_events.post_liked.subscribe(on_post_liked)
    posts_events.project_liked.subscribe(on_project_liked)
    social_events.follow_created.subscribe(on_follow_created)
    social_events.block_created.subscribe(on_block_created)
    social_events.mute_created.subscribe(on_mute_created)
    provenance_events.repost_found.subscribe(on_repost_found)
    provenance_events.asset_held.subscribe(on_asset_held)
