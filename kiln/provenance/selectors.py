"""Reads for provenance. `held_asset_ids` is the publish gate other apps call."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Appeal, RepostMatch, Screening, TakedownRequest
from .process_models import ProcessEvidence
from .services import BLOCKING_MATCH_STATES, PUBLISHABLE

HELD_STATES = (Screening.State.HELD, Screening.State.REJECTED)
MAX_COPY_HOPS = 8  # a copy of a copy of ...: chains longer than this are not followed


def held_asset_ids(*, asset_ids) -> set[int]:
    """The subset of `asset_ids` that must not be published: held by screening (AI policy
    'hold', or staff kept the hold), or waiting on / taken down after a repost match.
    Two indexed queries, whatever the number of ids."""
    ids = list(asset_ids)
    if not ids:
        return set()
    held = set(
        Screening.objects.filter(asset_id__in=ids, state__in=HELD_STATES).values_list(
            "asset_id", flat=True
        )
    )
    held |= set(
        RepostMatch.objects.filter(upload_id__in=ids, state__in=BLOCKING_MATCH_STATES).values_list(
            "upload_id", flat=True
        )
    )
    return held


def cleared_asset_ids(*, asset_ids) -> set[int]:
    """The subset of `asset_ids` that is cleared: screened publishable (clear, labelled or
    released) and not held by a repost match. Only cleared works enter the repost index and
    the registry, and only they can be credited as originals. Two indexed queries."""
    ids = list(asset_ids)
    if not ids:
        return set()
    ok = set(
        Screening.objects.filter(asset_id__in=ids, state__in=PUBLISHABLE)
        .exclude(asset__is_private=True)  # a private image is nobody's original
        .values_list("asset_id", flat=True)
    )
    if ok:
        ok -= set(
            RepostMatch.objects.filter(
                upload_id__in=ok, state__in=BLOCKING_MATCH_STATES
            ).values_list("upload_id", flat=True)
        )
    return ok


def credited_originals(*, asset_ids) -> dict[int, int]:
    """{asset id: the work it credits}. A known copy (an upload with a repost match, whatever
    its state, e.g. one the original artist let stand) credits the work it copies, followed
    through copies of copies, so a reposter's copy never stands in for the original."""
    credit = {a: a for a in asset_ids}
    hops: dict[int, int] = {}
    asked: set[int] = set()
    for _ in range(MAX_COPY_HOPS):
        frontier = set(credit.values()) - asked
        if not frontier:
            break
        asked |= frontier
        for upload_id, original_id in (
            RepostMatch.objects.filter(upload_id__in=frontier)
            .order_by("-original_id")  # several matches: the earliest original wins below
            .values_list("upload_id", "original_id")
        ):
            hops[upload_id] = original_id
        credit = {a: hops.get(root, root) for a, root in credit.items()}
    return credit


def credited_work(*, asset_ids) -> int | None:
    """The earliest cleared work among `asset_ids` once copies are resolved to what they copy
    (ids are time-sortable, so the smallest is the earliest upload), or None."""
    roots = set(credited_originals(asset_ids=asset_ids).values())
    cleared = cleared_asset_ids(asset_ids=roots)
    return min(cleared) if cleared else None


def ai_labels(*, asset_ids) -> dict[int, str]:
    """{asset id: label} for works published under the 'label' policy (or released by staff
    with findings), for the portfolio to show next to the image. A work released on verified
    process evidence carries no label: the evidence is what overruled the finding, and the
    page shows "process verified" instead of claiming the opposite."""
    ids = list(asset_ids)
    rows = (
        Screening.objects.filter(
            asset_id__in=ids, state__in=(Screening.State.LABELLED, Screening.State.RELEASED)
        )
        .exclude(verdict=Screening.Verdict.CLEAN)
        .exclude(
            state=Screening.State.RELEASED,
            asset_id__in=ProcessEvidence.objects.filter(asset_id__in=ids).values("asset_id"),
        )
    )
    return {
        s.asset_id: ("Contains AI-generated parts" if s.verdict == "composite" else "AI-generated")
        for s in rows
    }


def screening_for_asset(*, asset_id: int) -> Screening | None:
    return (
        Screening.objects.select_related("asset", "asset__owner")
        .prefetch_related("findings", "appeals")
        .filter(asset_id=asset_id)
        .first()
    )


def repost_matches_for_upload(*, asset_id: int) -> QuerySet[RepostMatch]:
    return RepostMatch.objects.filter(upload_id=asset_id).select_related("original_artist")


def repost_matches_for_artist(*, user) -> QuerySet[RepostMatch]:
    return (
        RepostMatch.objects.filter(original_artist=user)
        .select_related("upload", "upload__owner", "original")
        .order_by("-id")
    )


def review_queue() -> dict:
    """What staff need to look at: open appeals, open takedowns, and holds nobody appealed."""
    appeals = (
        Appeal.objects.filter(state=Appeal.State.OPEN)
        .select_related("screening", "screening__asset", "author")
        .prefetch_related("screening__findings")
        .order_by("id")
    )
    takedowns = (
        TakedownRequest.objects.filter(state=TakedownRequest.State.OPEN)
        .select_related(
            "match", "match__upload", "match__upload__owner", "match__original", "requested_by"
        )
        .order_by("id")
    )
    holds = (
        Screening.objects.filter(state=Screening.State.HELD)
        .exclude(appeals__state=Appeal.State.OPEN)
        .select_related("asset", "asset__owner")
        .prefetch_related("findings")
        .order_by("-id")[:100]
    )
    return {"appeals": appeals, "takedowns": takedowns, "holds": holds}


def preview_url(asset) -> str:
    """A rendition URL to show an asset in review pages ('' before it is rendered)."""
    from kiln.media.delivery import rendition_url

    renditions = list(asset.renditions.all())
    if not renditions:
        return ""
    webp = [r for r in renditions if r.format == "webp"] or renditions
    fitting = sorted((r for r in webp if r.width <= 1280), key=lambda r: r.width)
    pick = fitting[-1] if fitting else min(webp, key=lambda r: r.width)
    return rendition_url(pick)


def asset_is_held(asset_ref):
    """The `held_asset_ids` rule as a filter on an asset id expression (an OuterRef), so a
    listing can carry "is any image held?" in its own query (kiln.posts.cards does)."""
    from django.db.models import Exists, Q

    return Q(Exists(Screening.objects.filter(asset_id=asset_ref, state__in=HELD_STATES))) | Q(
        Exists(RepostMatch.objects.filter(upload_id=asset_ref, state__in=BLOCKING_MATCH_STATES))
    )


def held_assets_filter(query):
    """The media pipeline's `withheld_assets` subscriber: held work is served to its owner
    and staff only."""
    return asset_is_held(query.asset_ref)


def publication_status(*, screening: Screening, matches) -> tuple[str, str]:
    """One status for the findings page (label, what it means): a repost hold outranks a clear
    AI screening, so the page never says "clear to publish" about held work."""
    blocking = [m for m in matches if m.state in BLOCKING_MATCH_STATES]
    if screening.state in HELD_STATES:
        return screening.get_state_display(), (
            "This image is held: it can't be published, and a post that carries it is seen only "
            "by you and Kiln's reviewers, until the review is done."
        )
    if blocking:
        return "Held: it looks like another artist's work", (
            "The artist whose work it resembles has been asked, and Kiln's reviewers decide. "
            "Until then it can't be published, and a post that carries it is seen only by you "
            "and the reviewers."
        )
    return screening.get_state_display(), ""
