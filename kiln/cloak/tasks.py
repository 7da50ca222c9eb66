"""Background entry points for the cloak, on their own "cloak" queue (own worker), so slow
cloaking never starves thumbnails or the site."""

from django.core.cache import cache
from django_tasks import task

from kiln.cloak import services

SWEEP_EVERY = 60


@task(queue_name="cloak")
def cloak_job_run_task(job_id: int) -> bool:
    done = services.cloak_job_run(job_id=job_id)
    if cache.add("kiln.cloak.swept", 1, timeout=SWEEP_EVERY):
        services.cloak_sweep()
    return done


@task(queue_name="low")
def cloak_rebuild_task(asset_id: int) -> None:
    services.cloak_rebuild_renditions(asset_id=asset_id)
