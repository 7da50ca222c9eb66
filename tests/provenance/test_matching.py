"""The repost matcher on the transforms of issue 16.5, on a real painting: an 8% crop, a
caption, a screenshot-like frame, a phone screenshot, rotations. bench/repost.py measures
recall and false positives at scale; this pins each transform on one work, fast."""

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiln.provenance import hashing
from kiln.provenance.matching import RepostMatcher

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from artgen import artwork  # noqa: E402
from repost_transforms import TRANSFORMS  # noqa: E402

HARD = ["crop_8%", "text_overlay", "border_frame", "phone_screenshot", "rotate_90", "rotate_180"]


@pytest.fixture(scope="module")
def painting(shared_dir):
    im = Image.open(shared_dir / "samples" / "art" / "shipwreck.jpg").convert("RGB")
    im.thumbnail((1024, 1024))
    return im


@pytest.fixture(scope="module")
def matcher(painting):
    m = RepostMatcher()
    m.add(1, np.asarray(painting))
    for k in range(3):
        m.add(100 + k, np.asarray(artwork(20_000 + k)))
    return m


@pytest.mark.parametrize("name", HARD)
def test_hard_transforms_find_the_painting_and_only_it(matcher, painting, name):
    rng = np.random.default_rng(HARD.index(name))
    copy = TRANSFORMS[name](painting, rng)
    assert set(matcher.match(np.asarray(copy))) == {1}


@pytest.mark.parametrize("name", ["identity", "border_frame", "phone_screenshot"])
def test_unrelated_work_in_the_same_frame_matches_nothing(matcher, name):
    other = artwork(30_001)
    if name != "identity":
        other = TRANSFORMS[name](other, np.random.default_rng(5))
    assert matcher.match(np.asarray(other)) == {}


def test_content_box_finds_the_work_inside_a_screenshot(painting):
    shot = np.asarray(TRANSFORMS["phone_screenshot"](painting, np.random.default_rng(1)))
    y0, y1, x0, x1 = hashing.content_box(shot)
    h, w = shot.shape[:2]
    # The work is full width and keeps its aspect ratio; the status bar and header are out.
    assert x0 <= 2 and x1 >= w - 2 and y0 > 0.05 * h
    assert abs((x1 - x0) / (y1 - y0) - painting.width / painting.height) < 0.03
    assert hashing.content_box(np.asarray(painting)) is None


@pytest.mark.parametrize("name", ["crop_8%", "text_overlay"])
def test_smooth_low_detail_art_survives_a_crop_and_a_caption(name):
    """Few corners: the FAST threshold and the caption-free keypoint band carry these."""
    from kiln.core.procedural import artwork as smooth

    works = {s: smooth(s, 640, 480).convert("RGB") for s in (201, 203, 204)}
    m = RepostMatcher()
    for s, im in works.items():
        m.add(s, np.asarray(im))
    for s, im in works.items():
        copy = TRANSFORMS[name](im, np.random.default_rng(s))
        assert set(m.match(np.asarray(copy))) == {s}, s
