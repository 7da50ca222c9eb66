"""Background entry points for timelines: thin wrappers around services.

Fan-out goes on the default queue (readers are waiting for it); backfills, trims and rebuilds
go on "low" so a burst of follows never delays new posts.
"""

from django_tasks import task

from kiln.timelines import services


@task()
def fanout_post(*, post_id: int) -> int:
    return services.timeline_fanout_dispatch(post_id=post_id)


@task()
def fanout_post_batch(*, post_id: int, first_id: int, last_id: int) -> int:
    return services.timeline_fanout_batch(post_id=post_id, first_id=first_id, last_id=last_id)


@task(queue_name="low")
def backfill_follow(*, follower_id: int, followed_id: int) -> int:
    return services.timeline_backfill(follower_id=follower_id, followed_id=followed_id)


@task(queue_name="low")
def trim_timelines(*, user_ids: list[int]) -> int:
    return services.timeline_trim(user_ids=user_ids)


@task()
def rebuild_timeline(*, user_id: int) -> int:
    # On the default queue: the reader is looking at "catching up…" while it runs.
    return services.timeline_rebuild(user_id=user_id)
