"""The demo content `make run` seeds: a newcomer's first screen. Every seeded picture goes
through the real media pipeline (screening, repost matching, renditions), none is held, and
no two are near-duplicates by Kiln's own repost detector (PDQ and keypoints)."""

import io
import itertools

import numpy as np
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import storages
from django.core.management import call_command
from PIL import Image

from kiln.accounts.models import Profile
from kiln.core.demo_art import STYLES, demo_artwork
from kiln.media.models import MediaAsset
from kiln.posts.models import Post
from kiln.posts.selectors import visibility_q
from kiln.provenance import hashing
from kiln.provenance.matching import RepostMatcher
from kiln.provenance.models import RepostMatch, Screening
from kiln.provenance.selectors import held_asset_ids

pytestmark = pytest.mark.django_db(transaction=True)


def _rgb(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_every_style_draws_a_picture_not_noise():
    """Each style has structure (PDQ finds detail in it) and is not noise: neighbouring
    pixels agree far more than random ones would."""
    for n, style in enumerate(STYLES):
        rgb = np.asarray(demo_artwork(40 + n, 480, 360, style), np.float32)
        grey = rgb.mean(axis=2)
        neighbour = np.abs(np.diff(grey, axis=1)).mean()
        shuffled = np.abs(np.diff(np.random.default_rng(0).permutation(grey.ravel()))).mean()
        assert neighbour < shuffled / 4, style
        assert grey.std() > 12, style  # a composition, not a flat fill
        assert np.array_equal(rgb, np.asarray(demo_artwork(40 + n, 480, 360, style))), style


def test_seeded_pictures_are_distinct_and_none_is_held():
    call_command("seed_demo", stdout=io.StringIO())
    assets = list(MediaAsset.objects.all())
    assert len(assets) >= 30
    ids = [a.pk for a in assets]
    # The pipeline ran on each (inline here, the worker under `make run`) and held nothing.
    assert all(a.state == MediaAsset.State.READY for a in assets)
    assert held_asset_ids(asset_ids=ids) == set()
    matches = [
        (
            m.upload.owner.username,
            m.upload.width,
            m.upload.height,
            m.original.owner.username,
            m.original.width,
            m.original.height,
            m.method,
            m.distance,
            m.inliers,
        )
        for m in RepostMatch.objects.select_related("upload__owner", "original__owner")
    ]
    assert matches == []
    assert not Screening.objects.exclude(state=Screening.State.CLEAR).exists()
    image_posts = Post.objects.filter(attachments__isnull=False).distinct()
    assert image_posts.exists()
    assert image_posts.filter(visibility_q(AnonymousUser())).count() == image_posts.count()

    # Every pair, through the detector itself: the originals and the profile pictures.
    private = storages["private"]
    pictures = {f"asset {a.pk}": _rgb(private.open(a.original_key).read()) for a in assets}
    for profile in Profile.objects.exclude(avatar=""):
        for field in (profile.avatar, profile.banner):
            with field.open("rb") as handle:
                pictures[field.name] = _rgb(handle.read())
    names = list(pictures)
    matcher = RepostMatcher()
    hashes = {}
    for owner, name in enumerate(names):
        hashes[name] = [h.bits for h in matcher.add(owner, pictures[name])]
    collisions = []
    for owner, name in enumerate(names):
        found = set(matcher.match(pictures[name])) - {owner}
        collisions += [(name, names[other]) for other in found]
    assert collisions == []
    closest = min(
        hashing.hamming(x, y)
        for a, b in itertools.combinations(names, 2)
        for x in hashes[a][:1]
        for y in hashes[b][:1]
    )
    print(f"\n{len(names)} seeded pictures; closest pair of PDQ hashes: {closest} bits")  # noqa: T201
    assert closest > hashing.DEFAULT_RADIUS
