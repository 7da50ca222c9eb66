"""What the streaming process (kiln/api/streaming.py) hears: small, viewer-independent events
made from the posts and notifications apps' events, after their transaction commits.

With REDIS_URL they are published on one pub/sub channel; without Redis they are rows of
StreamEvent that the streaming process polls. Each carries ids only: the streaming process
reads the post or notification again and decides, per connection, through the one visibility
rule (kiln.posts.selectors.can_view_post), whether that viewer is told at all.
"""

from __future__ import annotations

import functools
import logging

import orjson
from django.conf import settings
from django.db import transaction

from kiln.api.models import StreamEvent
from kiln.notifications import events as notification_events
from kiln.posts import events as posts_events
from kiln.posts.models import Post

CHANNEL = "kiln:streaming"
log = logging.getLogger(__name__)


@functools.cache
def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def publish(data: dict) -> None:
    """Send one event with the current transaction: a rolled-back post never streams.
    Streaming is best effort: a Redis outage loses live events, never the write."""
    if not settings.REDIS_URL:
        # Written in the sender's own transaction, not after it: on SQLite a second write
        # transaction per post doubled the write-lock waits and the feed's p99 under load.
        StreamEvent.objects.create(data=data)
        return

    def send():
        try:
            _redis().publish(CHANNEL, orjson.dumps(data))
        except Exception:  # noqa: BLE001 - the write has committed; only the live push is lost
            log.warning("streaming: could not publish %s", data.get("event"), exc_info=True)

    transaction.on_commit(send)


def _post_event(event: str, post: Post) -> dict:
    return {
        "event": event,
        "post_id": post.pk,
        "author_id": post.author_id,
        "public": post.visibility == Post.Visibility.PUBLIC,
    }


def on_post_created(event: posts_events.PostCreated) -> None:
    if event.post.commented_project_id is None:  # project comments are not statuses
        publish(_post_event("update", event.post))


def on_post_reblogged(event: posts_events.PostReblogged) -> None:
    publish(_post_event("update", event.reblog))


def on_post_edited(event: posts_events.PostEdited) -> None:
    if event.post.commented_project_id is None:
        publish(_post_event("status.update", event.post))


def on_post_deleted(event: posts_events.PostDeleted) -> None:
    for post in (event.post, *event.reblogs):
        publish(_post_event("delete", post))


def on_reblog_removed(event: posts_events.ReblogRemoved) -> None:
    publish(_post_event("delete", event.reblog))


def on_notification_created(event: notification_events.NotificationCreated) -> None:
    notification = event.notification
    publish(
        {
            "event": "notification",
            "notification_id": notification.pk,
            "user_id": notification.recipient_id,
        }
    )


def subscribe() -> None:
    posts_events.post_created.subscribe(on_post_created)
    posts_events.post_reblogged.subscribe(on_post_reblogged)
    posts_events.post_edited.subscribe(on_post_edited)
    posts_events.post_deleted.subscribe(on_post_deleted)
    posts_events.reblog_removed.subscribe(on_reblog_removed)
    notification_events.notification_created.subscribe(on_notification_created)
