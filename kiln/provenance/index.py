"""The process-wide repost index, rebuilt from the database at first use and kept in sync.

Each process (web or worker) holds one RepostMatcher. Before every search it loads the
ImageHash/ImageFeatures rows added since its last look (one indexed query), so works screened
by another process are found too. Only cleared works are loaded (selectors.cleared_asset_ids);
a work cleared later has its rows re-inserted, so they are new rows to every process. Works
that went away or stopped being cleared are filtered out against the database after the
search, and a shrinking table (a rollback, a purge) triggers a full rebuild.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.db.models import Max

from .hashing import DEFAULT_RADIUS
from .matching import RepostMatcher

_lock = threading.Lock()
_state: dict = {"matcher": None, "last_hash_id": 0, "feature_assets": set()}


def radius() -> int:
    return int(getattr(settings, "KILN_REPOST_MAX_DISTANCE", DEFAULT_RADIUS))


def _use_keypoints() -> bool:
    return bool(getattr(settings, "KILN_REPOST_KEYPOINTS", True))


def reset() -> None:
    """Forget the in-memory index (tests; after bulk deletes). The next search rebuilds it."""
    with _lock:
        _state.update(matcher=None, last_hash_id=0, feature_assets=set())


def _load(matcher: RepostMatcher, after_id: int) -> int:
    from .models import ImageFeatures, ImageHash

    rows = ImageHash.objects.filter(id__gt=after_id).order_by("id")
    last = after_id
    by_asset: dict[int, list[bytes]] = {}
    for pk, asset_id, bits in rows.values_list("id", "asset_id", "bits").iterator(chunk_size=5000):
        by_asset.setdefault(asset_id, []).append(bytes(bits))
        last = pk
    # Held, rejected or taken-down works stay out; they are re-inserted (new ids) when cleared.
    from .selectors import cleared_asset_ids

    ids, cleared = list(by_asset), set()
    for i in range(0, len(ids), 500):  # SQLite caps the parameters of one query
        cleared |= cleared_asset_ids(asset_ids=ids[i : i + 500])
    by_asset = {a: hashes for a, hashes in by_asset.items() if a in cleared}
    for asset_id, hashes in by_asset.items():
        matcher.hashes.add(asset_id, hashes)
    if matcher.features is not None and by_asset:
        loaded = _state["feature_assets"]
        new_ids = [a for a in by_asset if a not in loaded]
        for asset_id, blob in ImageFeatures.objects.filter(asset_id__in=new_ids).values_list(
            "asset_id", "blob"
        ):
            from .keypoints import Features

            matcher.features.add(asset_id, Features.from_bytes(bytes(blob)))
            loaded.add(asset_id)
    return last


def matcher() -> RepostMatcher:
    """The synced matcher. Cheap when nothing changed: one MAX(id) query."""
    from .models import ImageHash

    with _lock:
        current = ImageHash.objects.aggregate(m=Max("id"))["m"] or 0
        m = _state["matcher"]
        if m is None or current < _state["last_hash_id"]:
            m = RepostMatcher(radius=radius(), use_keypoints=_use_keypoints())
            _state.update(matcher=m, last_hash_id=0, feature_assets=set())
        if current > _state["last_hash_id"]:
            _state["last_hash_id"] = _load(m, _state["last_hash_id"])
        return m


def forget(asset_id: int) -> None:
    with _lock:
        m = _state["matcher"]
        if m is not None:
            m.remove(asset_id)
        _state["feature_assets"].discard(asset_id)  # re-admission loads (revives) them
