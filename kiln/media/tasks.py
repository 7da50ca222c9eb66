"""Background entry points for the media pipeline (thin wrappers around services)."""

from django.core.cache import cache
from django_tasks import task

from kiln.media import services

# A worker that is busy processing also sweeps, at most this often (seconds).
SWEEP_EVERY = 60


@task(queue_name="default")
def media_asset_process_task(asset_id: int) -> bool:
    done = services.media_asset_process(asset_id=asset_id)
    if cache.add("kiln.media.swept", 1, timeout=SWEEP_EVERY):
        services.media_sweep()
    return done


@task(queue_name="low")
def media_asset_rebuild_task(asset_id: int) -> None:
    from kiln.media.models import MediaAsset

    asset = MediaAsset.objects.filter(pk=asset_id, state=MediaAsset.State.READY).first()
    if asset is not None:
        services.media_asset_rebuild_renditions(asset=asset)
