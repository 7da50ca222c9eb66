"""Demo projects for `python manage.py seed_demo`, made through the real services and the
real media pipeline, from demo art that looks made by a hand (kiln.core.demo_art: made from
numbers, copied from nothing; each artist has one style). Idempotent: a project whose title
the artist already published is skipped."""

import datetime
import time

from django.conf import settings

from kiln.core.demo_art import DESCRIPTIONS, demo_artwork_bytes, style_for
from kiln.media.services import media_asset_create, media_asset_process
from kiln.portfolio import services
from kiln.portfolio.models import Project
from kiln.portfolio.services import ImageInput, ProjectInput
from kiln.portfolio.templatetags.portfolio_tags import project_url

# (title, description, categories, software, mediums, tags, mature)
TEMPLATES = [
    (
        "Harbour at dusk",
        "Three evenings on the quay, painted before the light went.",
        ["seascapes", "landscapes"],
        [],
        ["oil"],
        ["harbour", "evening"],
        False,
    ),
    (
        "Field notes, spring",
        "Pages from a sketchbook I carried all April.",
        ["sketches", "nature"],
        [],
        ["ink", "watercolour"],
        ["sketchbook"],
        False,
    ),
    (
        "Signal towers",
        "Environment keys for a game about weather stations.\nMore at https://example.com/towers",
        ["environments", "science-fiction"],
        ["photoshop", "blender"],
        ["digital"],
        ["worldbuilding"],
        False,
    ),
    (
        "Kiln studies",
        "Glaze tests from the last three firings.",
        ["studies", "abstract"],
        [],
        ["ceramic"],
        ["glaze"],
        False,
    ),
    (
        "Lantern keeper",
        "A character sheet: turnarounds and colour keys.",
        ["character-design", "fantasy"],
        ["blender", "zbrush", "substance painter"],
        ["digital"],
        ["character", "turnaround"],
        False,
    ),
    (
        "Birds of the polder",
        "A linocut series, printed in two colours.",
        ["animals", "nature"],
        [],
        ["linocut"],
        ["birds", "print"],
        False,
    ),
    (
        "Night shift",
        "Storyboard frames for a short about a bakery.",
        ["storyboards", "urban"],
        ["procreate"],
        ["digital"],
        ["animation", "night"],
        False,
    ),
    (
        "Fern and moth",
        "Flash sheet of botanical designs.",
        ["botanical", "patterns"],
        ["procreate"],
        ["ink"],
        ["flash", "fineline"],
        False,
    ),
    (
        "Tide pools",
        "Colour studies of rock pools at low tide.",
        ["marine", "studies"],
        ["krita"],
        ["gouache"],
        ["sea"],
        False,
    ),
    (
        "Figure studies",
        "Life-drawing sessions, twenty-minute poses.",
        ["figure-drawing", "nudity"],
        [],
        ["charcoal"],
        ["lifedrawing"],
        True,
    ),
    (
        "Dune sea",
        "Abstract landscapes from a desert residency.",
        ["abstract", "landscapes"],
        ["procreate"],
        ["acrylic"],
        ["desert"],
        False,
    ),
    (
        "Clockwork orchard",
        "Key art for a tabletop campaign.",
        ["key-art", "steampunk"],
        ["clip studio"],
        ["digital"],
        ["tabletop"],
        False,
    ),
]
# Landscape, portrait, wide and square, so the justified grid has something to justify;
# modest sizes so seeding stays quick on two cores.
SIZES = [(1024, 768), (720, 960), (1024, 576), (880, 880)]


def _input(template, *, fields, images, cover=None, seed) -> ProjectInput:
    title, description, categories, software, mediums, tags, mature = template
    return ProjectInput(
        title=title,
        description=description,
        images=images,
        cover_asset_id=cover,
        fields=fields,
        categories=categories,
        software=software,
        mediums=mediums,
        tags=tags,
        is_mature=mature,
        created_on=datetime.date(2026, 1 + seed % 10, 1 + seed % 27),
    )


def _upload(artist, art_seed: int, width: int, height: int, work_url: str, style: str):
    """Upload one demo JPEG through the real pipeline."""
    data = demo_artwork_bytes(art_seed, width, height, style)
    return media_asset_create(owner=artist, upload=data, work_url=work_url)


def _seed_project(artist, template, *, seed: int, image_count: int, fields, style: str) -> None:
    # The project exists first so that its page URL goes into each image's rights metadata.
    project = services.project_create(
        owner=artist, data=_input(template, fields=fields, images=[], seed=seed)
    )
    work_url = settings.KILN_SITE_URL + project_url(project)
    images = []
    for n in range(image_count):
        width, height = SIZES[(seed + n) % len(SIZES)]
        asset = _upload(artist, seed * 10 + n, width, height, work_url, style)
        media_asset_process(asset_id=asset.pk)  # inline: the page is live without a worker
        alt = DESCRIPTIONS[style]
        images.append(ImageInput(asset_id=asset.pk, alt_text=alt))
    data = _input(template, fields=fields, images=images, cover=images[0].asset_id, seed=seed)
    project = services.project_update(user=artist, project=project, data=data)
    services.project_publish(user=artist, project=project)


def seed_projects(*, artists, stdout) -> None:
    started = time.perf_counter()
    created = skipped = 0
    for index, artist in enumerate(artists):
        count = 3 if index % 3 == 0 else 2  # 2-4 per artist, kept low for seeding speed
        fields = list(artist.profile.fields_of_work[:2])
        for k in range(count):
            seed = index * 7 + k
            template = TEMPLATES[(index * 3 + k) % len(TEMPLATES)]
            existing = Project.objects.filter(owner=artist, title=template[0]).first()
            if existing is not None and existing.is_published:
                skipped += 1
                continue
            if existing is not None:  # a draft left by an interrupted run: start it again
                services.project_delete(user=artist, project=existing)
            image_count = 2 if k == 0 and index % 2 == 0 else 1
            _seed_project(
                artist,
                template,
                seed=seed,
                image_count=image_count,
                fields=fields,
                style=style_for(artist.profile.fields_of_work, index),
            )
            created += 1
    stdout.write(
        f"Demo projects: {created} created, {skipped} existing "
        f"({time.perf_counter() - started:.1f} s)."
    )
