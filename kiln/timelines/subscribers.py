"""How timelines hear about posts and follows: subscribers to the posts and social events.

A new post's or repost's entry and fan-out task are written in the post's own transaction (one
commit); removals run on commit, so a timeline never loses a post whose deletion rolled back.
"""

from django.db import transaction

from kiln.posts import events as posts_events
from kiln.social import events as social_events
from kiln.timelines import services


def on_post_created(event: posts_events.PostCreated) -> None:
    if event.post.commented_project_id is None:  # project comments live on the project page
        services.timeline_post_created(post=event.post)


def on_post_reblogged(event: posts_events.PostReblogged) -> None:
    services.timeline_post_created(post=event.reblog)


def on_post_deleted(event: posts_events.PostDeleted) -> None:
    for post in (*event.reblogs, event.post):
        transaction.on_commit(lambda post=post: services.timeline_post_deleted(post=post))


def on_reblog_removed(event: posts_events.ReblogRemoved) -> None:
    transaction.on_commit(lambda: services.timeline_post_deleted(post=event.reblog))


def on_follow_created(event: social_events.FollowChange) -> None:
    transaction.on_commit(
        lambda: services.timeline_follow_created(follower=event.follower, followed=event.followed)
    )


def on_follow_removed(event: social_events.FollowChange) -> None:
    transaction.on_commit(
        lambda: services.timeline_follow_removed(follower=event.follower, followed=event.followed)
    )


def subscribe() -> None:
    posts_events.post_created.subscribe(on_post_created)
    posts_events.post_reblogged.subscribe(on_post_reblogged)
    posts_events.post_deleted.subscribe(on_post_deleted)
    posts_events.reblog_removed.subscribe(on_reblog_removed)
    social_events.follow_created.subscribe(on_follow_created)
    social_events.follow_removed.subscribe(on_follow_removed)
