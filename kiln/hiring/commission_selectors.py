"""Reads for commissions: a sheet for its profile tab, requests for their two parties,
references and deliveries only for those parties."""

from django.db.models import Prefetch
from django.http import Http404

from kiln.hiring.models import (
    CommissionDelivery,
    CommissionReference,
    CommissionRequest,
    CommissionSheet,
    CommissionTier,
)
from kiln.portfolio.models import ProjectImage
from kiln.social.selectors import is_blocked_between


def sheet_of(*, artist) -> CommissionSheet | None:
    return CommissionSheet.objects.filter(artist=artist).first()


def tiers_of(*, artist) -> list[CommissionTier]:
    images = ProjectImage.objects.select_related("asset", "project").prefetch_related(
        "asset__renditions"
    )
    return list(
        CommissionTier.objects.filter(artist=artist).prefetch_related(
            Prefetch("examples", queryset=images)
        )
    )


def _requests():
    return CommissionRequest.objects.select_related(
        "artist__profile", "client__profile"
    ).prefetch_related("references", "deliveries")


def request_for_party(*, user, request_id: int) -> CommissionRequest:
    """The request for its artist or its client (404 for anyone else, staff included, and
    once a block stands between them)."""
    request = _requests().filter(pk=request_id).first()
    if request is None or not user.is_authenticated:
        raise Http404("No such commission.")
    if user.pk not in (request.artist_id, request.client_id):
        raise Http404("No such commission.")
    if is_blocked_between(request.artist_id, request.client_id):
        raise Http404("No such commission.")
    return request


def requests_received(*, artist) -> list[CommissionRequest]:
    return list(_requests().filter(artist=artist).order_by("-id")[:200])


def requests_made(*, client) -> list[CommissionRequest]:
    return list(_requests().filter(client=client).order_by("-id")[:200])


def reference_for_party(*, user, request_id: int, asset_id: int):
    request = request_for_party(user=user, request_id=request_id)
    reference = (
        CommissionReference.objects.filter(request=request, asset_id=asset_id)
        .select_related("asset")
        .prefetch_related("asset__renditions")
        .first()
    )
    if reference is None:
        raise Http404("No such image.")
    return reference.asset


def delivery_for_client(*, user, request_id: int, delivery_id: int) -> CommissionDelivery:
    """A delivered file for the client alone: the one place Kiln serves an original."""
    request = request_for_party(user=user, request_id=request_id)
    if user.pk != request.client_id:
        raise Http404("No such file.")
    if request.state not in (CommissionRequest.State.DELIVERED, CommissionRequest.State.COMPLETED):
        raise Http404("No such file.")
    delivery = CommissionDelivery.objects.filter(request=request, pk=delivery_id).first()
    if delivery is None:
        raise Http404("No such file.")
    return delivery
