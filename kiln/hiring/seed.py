"""Demo content for `seed_demo`: a few job listings, two commission sheets, and one
commission in progress. Idempotent: it does nothing once the first demo listing exists."""

from datetime import timedelta

from django.utils import timezone

from kiln.hiring import commission_services, services
from kiln.hiring.models import JobListing
from kiln.portfolio.models import ProjectImage

JOBS = [
    (
        "Background painter for an animated short",
        "Lantern Bay Animation",
        ["illustration", "animation"],
        "contract",
        "remote",
        "",
        2800,
        3600,
        "EUR",
        "month",
    ),
    (
        "Junior character designer",
        "Ferncliff Games",
        ["character-design", "game-art"],
        "full_time",
        "hybrid",
        "Lyon",
        32000,
        38000,
        "EUR",
        "year",
    ),
    (
        "Book cover illustration",
        "Small Hours Press",
        ["illustration"],
        "freelance",
        "remote",
        "",
        900,
        1400,
        "GBP",
        "project",
    ),
    (
        "Ceramics studio internship",
        "Kiln & Co. Pottery",
        ["ceramics"],
        "internship",
        "on_site",
        "Porto",
        900,
        900,
        "EUR",
        "month",
    ),
]
DESCRIPTION = (
    "We are looking for an artist who draws and paints by hand. Tell us about your process "
    "and show us two or three projects close to this brief. The work is made by people, "
    "for people; we never use AI image generators."
)


def seed_hiring(*, artists, stdout) -> None:
    if len(artists) < 4 or JobListing.objects.filter(title=JOBS[0][0]).exists():
        stdout.write("Demo hiring: existing.")
        return
    studio = artists[-1]
    for title, org, fields, role, where, location, low, high, currency, period in JOBS:
        listing = services.job_listing_save(
            poster=studio,
            data={
                "title": title,
                "organisation": org,
                "description": DESCRIPTION,
                "fields_of_work": fields,
                "role_type": role,
                "workplace": where,
                "location": location,
                "pay_min": low,
                "pay_max": high,
                "currency": currency,
                "pay_period": period,
                "deadline": timezone.localdate() + timedelta(days=45),
                "apply_method": "kiln",
                "apply_url": "",
                "human_made": True,
            },
        )
        services.job_listing_publish(poster=studio, listing=listing)
    tiers = {}
    for artist, status in ((artists[0], "open"), (artists[1], "waitlist")):
        commission_services.commission_sheet_update(
            artist=artist,
            status=status,
            slots=3,
            terms=(
                "Personal use by the client. I keep the copyright; prints or merchandise only "
                "as agreed in writing. No AI training, no datasets, no NFTs."
            ),
            payment_url=f"https://pay.example/{artist.username}",
        )
        images = list(
            ProjectImage.objects.filter(project__owner=artist, project__state="published")
            .order_by("id")
            .values_list("pk", flat=True)[:2]
        )
        for name, price, days, examples in (
            ("Sketch portrait", 45, 5, images[:1]),
            ("Full colour illustration", 180, 21, images[1:2]),
        ):
            tiers[(artist.pk, name)] = commission_services.commission_tier_create(
                artist=artist,
                name=name,
                description="One character, simple background. Two rounds of changes.",
                price_from=price,
                currency="EUR",
                turnaround_days=days,
                example_image_ids=examples,
            )
    request = commission_services.commission_request_create(
        client=artists[2],
        artist=artists[0],
        tier_id=tiers[(artists[0].pk, "Full colour illustration")].pk,
        brief="My grandmother's garden in late summer, with her cat on the wall, for her 90th.",
        budget=200,
        wished_date=timezone.localdate() + timedelta(days=40),
    )
    commission_services.commission_request_accept(
        artist=artists[0], request=request, agreed_price=200
    )
    commission_services.commission_request_start(artist=artists[0], request=request)
    stdout.write(f"Demo hiring: {len(JOBS)} jobs, 2 commission sheets, 1 commission in progress.")
