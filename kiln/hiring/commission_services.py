"""Writes for commissions: the sheet and tiers, requests and their state machine, delivery.

    waitlisted | requested ─ accept ─> accepted ─ start ─> in_progress ─ deliver ─> delivered
    delivered ─ complete ─> completed
    waitlisted | requested ─ decline ─> declined
    any of waitlisted, requested, accepted, in_progress ─ cancel ─> cancelled

Every step is one atomic service that locks the row, checks who is acting and what state the
request is in, stamps its time and tells the other party. Payment happens outside Kiln: the
artist records the agreed price on accepting; a payment provider would gate `start` on a
`payment_reference`.
"""

import hashlib
import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from kiln.core.access import AccessDenied
from kiln.hiring.licence import Licence, licensed_file
from kiln.hiring.models import (
    CommissionDelivery,
    CommissionReference,
    CommissionRequest,
    CommissionSheet,
    CommissionTier,
)
from kiln.media.services import _read_upload
from kiln.media.validation import probe_image
from kiln.messages.images import private_images_create
from kiln.messages.services import conversation_open_for_context
from kiln.notifications.models import Notification
from kiln.notifications.services import notification_create
from kiln.portfolio.models import Project, ProjectImage
from kiln.social.selectors import is_blocked_between

State = CommissionRequest.State
MAX_REFERENCES = 5
MAX_DELIVERY_FILES = 10
MAX_TIER_EXAMPLES = 4
ACTIVE_STATES = (State.ACCEPTED, State.IN_PROGRESS, State.DELIVERED)
# action: (states it may start from, who may do it, the state it leads to, the time stamp)
TRANSITIONS = {
    "accept": ({State.REQUESTED, State.WAITLISTED}, "artist", State.ACCEPTED, "accepted_at"),
    "decline": ({State.REQUESTED, State.WAITLISTED}, "artist", State.DECLINED, "declined_at"),
    "start": ({State.ACCEPTED}, "artist", State.IN_PROGRESS, "started_at"),
    "deliver": ({State.IN_PROGRESS}, "artist", State.DELIVERED, "delivered_at"),
    "complete": ({State.DELIVERED}, "client", State.COMPLETED, "completed_at"),
    "cancel": (
        {State.WAITLISTED, State.REQUESTED, State.ACCEPTED, State.IN_PROGRESS},
        "either",
        State.CANCELLED,
        "cancelled_at",
    ),
}


def _clean_currency(value: str) -> str:
    value = (value or "").strip().upper()
    if len(value) != 3 or not value.isalpha():
        raise ValidationError("Give the currency as a three-letter code, such as EUR or USD.")
    return value


@transaction.atomic
def commission_sheet_update(
    *, artist, status: str, slots: int, terms: str, payment_url: str = ""
) -> CommissionSheet:
    if not artist.is_authenticated:
        raise AccessDenied("Log in to edit your commission sheet.")
    if status not in CommissionSheet.Status.values:
        raise ValidationError("Choose open, waitlist or closed.")
    if slots is None or not 0 <= slots <= 50:
        raise ValidationError("Open slots must be between 0 and 50.")
    terms = (terms or "").strip()
    if not terms:
        raise ValidationError("Write your terms: clients agree to them when they request.")
    if payment_url and not payment_url.startswith("https://"):
        raise ValidationError("The payment link must start with https://.")
    sheet, _ = CommissionSheet.objects.update_or_create(
        artist=artist,
        defaults={
            "status": status,
            "slots": slots,
            "terms": terms[:4000],
            "payment_url": payment_url,
        },
    )
    return sheet


@transaction.atomic
def commission_tier_create(
    *,
    artist,
    name: str,
    description: str,
    price_from,
    currency: str,
    turnaround_days,
    example_image_ids=(),
) -> CommissionTier:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Name the tier.")
    if not price_from or price_from < 1:
        raise ValidationError("Give the tier's starting price.")
    if not turnaround_days or turnaround_days < 1:
        raise ValidationError("Give the turnaround in days.")
    currency = _clean_currency(currency)
    ids = list(dict.fromkeys(int(i) for i in example_image_ids))
    if len(ids) > MAX_TIER_EXAMPLES:
        raise ValidationError(f"Pick at most {MAX_TIER_EXAMPLES} example images.")
    examples = list(
        ProjectImage.objects.filter(
            pk__in=ids, project__owner=artist, project__state=Project.State.PUBLISHED
        )
    )
    if len(examples) != len(ids):
        raise ValidationError("Pick example images from your own published projects.")
    CommissionSheet.objects.get_or_create(artist=artist)
    tier = CommissionTier.objects.create(
        artist=artist,
        name=name[:80],
        description=(description or "").strip()[:2000],
        price_from=price_from,
        currency=currency,
        turnaround_days=turnaround_days,
        position=CommissionTier.objects.filter(artist=artist).count(),
    )
    tier.examples.set(examples)
    return tier


@transaction.atomic
def commission_tier_delete(*, artist, tier: CommissionTier) -> None:
    if tier.artist_id != artist.pk:
        raise AccessDenied("Only the artist can remove this tier.")
    tier.delete()


def open_slots(*, artist) -> int:
    sheet = CommissionSheet.objects.filter(artist=artist).first()
    if sheet is None:
        return 0
    taken = CommissionRequest.objects.filter(artist=artist, state__in=ACTIVE_STATES).count()
    return max(sheet.slots - taken, 0)


def _notify(*, actor, request: CommissionRequest) -> None:
    other = request.client_id if actor.pk == request.artist_id else request.artist_id
    notification_create(recipient_id=other, actor=actor, kind=Notification.Kind.COMMISSION_UPDATE)


@transaction.atomic
def commission_request_create(
    *, client, artist, tier_id, brief: str, budget, wished_date: date | None, references=()
) -> CommissionRequest:
    """A client's request from the artist's sheet. A closed sheet refuses; a waitlist-only
    sheet, or an open one with no free slot, takes it onto the waitlist."""
    if not client.is_authenticated:
        raise AccessDenied("Log in to request a commission.")
    if client.pk == artist.pk:
        raise ValidationError("You can't commission yourself.")
    if not artist.is_active or is_blocked_between(client.pk, artist.pk):
        raise AccessDenied(f"You can't request a commission from @{artist.username}.")
    sheet = CommissionSheet.objects.select_for_update().filter(artist=artist).first()
    if sheet is None or sheet.status == CommissionSheet.Status.CLOSED:
        raise ValidationError(f"@{artist.username} is not taking commissions right now.")
    tier = CommissionTier.objects.filter(pk=tier_id, artist=artist).first() if tier_id else None
    if tier is None:
        raise ValidationError("Pick one of the artist's tiers.")
    brief = (brief or "").strip()
    if len(brief) < 20:
        raise ValidationError("Describe what you would like in at least 20 characters.")
    if len(brief) > 4000:
        raise ValidationError("Keep the brief under 4,000 characters.")
    if not budget or budget < 1:
        raise ValidationError("Give your budget.")
    if wished_date is not None and wished_date < timezone.localdate():
        raise ValidationError("The wished date is in the past.")
    full = open_slots(artist=artist) == 0
    waitlisted = sheet.status == CommissionSheet.Status.WAITLIST or full
    request = CommissionRequest.objects.create(
        artist=artist,
        client=client,
        tier=tier,
        tier_name=tier.name,
        brief=brief,
        budget=budget,
        currency=tier.currency,
        wished_date=wished_date,
        licence_terms=sheet.terms,
        state=State.WAITLISTED if waitlisted else State.REQUESTED,
    )
    _notify(actor=client, request=request)
    # Files last (see private_images_create).
    assets = private_images_create(owner=client, uploads=references, limit=MAX_REFERENCES)
    CommissionReference.objects.bulk_create(
        [CommissionReference(request=request, asset=a, position=i) for i, a in enumerate(assets)]
    )
    return request


def _party(actor, request: CommissionRequest) -> str | None:
    if actor.is_authenticated and actor.pk == request.artist_id:
        return "artist"
    if actor.is_authenticated and actor.pk == request.client_id:
        return "client"
    return None


def _locked_for(*, actor, request: CommissionRequest, action: str) -> CommissionRequest:
    """The row, locked, after checking that `actor` may take `action` from its state."""
    request = CommissionRequest.objects.select_for_update().get(pk=request.pk)
    sources, who, _, _ = TRANSITIONS[action]
    party = _party(actor, request)
    if party is None or (who != "either" and party != who):
        raise AccessDenied(
            f"Only the {'artist or the client' if who == 'either' else who} can do that."
        )
    if is_blocked_between(request.artist_id, request.client_id):
        raise AccessDenied("This commission has ended: one of you blocked the other.")
    if request.state not in sources:
        raise ValidationError(
            f"A commission that is {request.get_state_display().lower()} can't be "
            f"{TRANSITIONS[action][2].label.lower()} now."
        )
    return request


def _apply(request: CommissionRequest, action: str, actor, **fields) -> CommissionRequest:
    _, _, target, stamp = TRANSITIONS[action]
    request.state = target
    setattr(request, stamp, timezone.now())
    for name, value in fields.items():
        setattr(request, name, value)
    request.save(update_fields=["state", stamp, *fields])
    _notify(actor=actor, request=request)
    return request


@transaction.atomic
def commission_request_accept(*, artist, request, agreed_price=None) -> CommissionRequest:
    request = _locked_for(actor=artist, request=request, action="accept")
    CommissionSheet.objects.select_for_update().filter(artist_id=request.artist_id).first()
    if open_slots(artist=artist) == 0:
        raise ValidationError("No open slot: finish or cancel a commission, or add a slot.")
    price = agreed_price if agreed_price is not None else request.budget
    if not price or price < 1:
        raise ValidationError("Give the agreed price.")
    return _apply(request, "accept", artist, agreed_price=price)


@transaction.atomic
def commission_request_decline(*, artist, request) -> CommissionRequest:
    return _apply(_locked_for(actor=artist, request=request, action="decline"), "decline", artist)


@transaction.atomic
def commission_request_start(*, artist, request) -> CommissionRequest:
    return _apply(_locked_for(actor=artist, request=request, action="start"), "start", artist)


@transaction.atomic
def commission_request_complete(*, client, request) -> CommissionRequest:
    return _apply(_locked_for(actor=client, request=request, action="complete"), "complete", client)


@transaction.atomic
def commission_request_cancel(*, user, request) -> CommissionRequest:
    request = _locked_for(actor=user, request=request, action="cancel")
    return _apply(request, "cancel", user, cancelled_by=user)


def commission_request_deliver(*, artist, request, files) -> CommissionRequest:
    """Store the final files with the licence inside, then mark the request delivered.

    All files are checked and licensed before anything is stored; if writing the rows fails,
    the stored files are deleted again."""
    with transaction.atomic():  # fail fast, before any work on the files
        _locked_for(actor=artist, request=request, action="deliver")
    files = [f for f in files if f]
    if not files:
        raise ValidationError("Attach the final files.")
    if len(files) > MAX_DELIVERY_FILES:
        raise ValidationError(f"Deliver at most {MAX_DELIVERY_FILES} files at once.")
    artist_profile = getattr(artist, "profile", None)
    licence = Licence(
        artist_name=(getattr(artist_profile, "display_name", "") or artist.username),
        artist_url=f"{settings.KILN_SITE_URL}/@{artist.username}",
        client_name=(
            getattr(request.client.profile, "display_name", "") or request.client.username
        ),
        terms=request.licence_terms,
        year=timezone.now().year,
    )
    prepared = []
    for upload in files:
        data = _read_upload(upload)
        probe = probe_image(data)
        stem = (getattr(upload, "name", "") or "final").rsplit(".", 1)[0][:80] or "final"
        prepared.append((stem, licensed_file(data, fmt=probe.format, licence=licence)))
    stored: list[str] = []
    try:
        for _, licensed in prepared:
            name = f"deliveries/{secrets.token_hex(16)}.{licensed.extension}"
            stored.append(storages["private"].save(name, ContentFile(licensed.data)))
        with transaction.atomic():
            request = _locked_for(actor=artist, request=request, action="deliver")
            CommissionDelivery.objects.bulk_create(
                [
                    CommissionDelivery(
                        request=request,
                        file_key=key,
                        filename=f"{stem}.{licensed.extension}",
                        content_type=licensed.content_type,
                        bytes=len(licensed.data),
                        sha256=hashlib.sha256(licensed.data).hexdigest(),
                        c2pa_signed=licensed.c2pa_signed,
                    )
                    for key, (stem, licensed) in zip(stored, prepared, strict=True)
                ]
            )
            return _apply(request, "deliver", artist)
    except BaseException:
        for key in stored:
            storages["private"].delete(key)
        raise


def commission_conversation(*, user, request: CommissionRequest):
    """The one thread between the artist and the client about this request."""
    if _party(user, request) is None:
        raise AccessDenied("Only the artist and the client can talk about a commission.")
    other = request.client if user.pk == request.artist_id else request.artist
    return conversation_open_for_context(
        starter=user,
        other=other,
        context_key=f"commission:{request.pk}",
        subject=f"Commission: {request.tier_name}",
        context_url=f"/commissions/{request.pk}",
    )
