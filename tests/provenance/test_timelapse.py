"""Timelapse videos as process evidence (issue 17). The videos are encoded here with PyAV."""

from __future__ import annotations

import contextlib
import io
from fractions import Fraction

import av
import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from PIL import Image
from test_process import _png_bytes, _private_keys, _stages
from test_services import ai_png

from kiln.core.procedural import artwork
from kiln.provenance import layered, process, timelapse
from kiln.provenance.models import Appeal, ProcessEvidence


def encode(frames, *, container="mp4", codec="libx264", fps=10, pts=None, options=None) -> bytes:
    """Encode RGB frames (PIL images or arrays) into a video in memory."""
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=container) as out:
        first = np.asarray(frames[0])
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height = first.shape[1], first.shape[0]
        stream.pix_fmt = "yuv420p"
        stream.options = options or {}
        stream.codec_context.gop_size = 10
        if pts is not None:
            stream.time_base = Fraction(1, fps)
        for i, im in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(np.asarray(im, dtype=np.uint8), format="rgb24")
            if pts is not None:
                frame.pts, frame.time_base = pts[i], Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def painting(seed=3, w=480, h=360) -> Image.Image:
    return artwork(seed, w, h).convert("RGB")


def painted_over_time(final: Image.Image, n: int = 30) -> list[Image.Image]:
    """The picture painted top-down, one band per frame, then held for a few frames."""
    return _stages(final, n) + [final] * 5


def test_a_timelapse_is_sampled_and_rises_towards_the_work():
    final = painting()
    video = timelapse.read_timelapse(encode(painted_over_time(final)))
    assert (video.fmt, video.width, video.height, video.frames) == ("mp4", 480, 360, 35)
    assert len(video.samples) == timelapse.SAMPLES and 3.0 < video.seconds < 3.6
    sims = timelapse.check_progress(video.samples, np.asarray(final))
    assert sims[-1] > 0.95 and sims[0] < sims[-1] - 0.2


def test_webm_is_read_too():
    final = painting(w=320, h=240)
    video = timelapse.read_timelapse(
        encode(painted_over_time(final, 12), container="webm", codec="libvpx-vp9")
    )
    assert video.fmt == "webm" and video.frames == 17


@pytest.mark.parametrize(
    "data,msg",
    [
        (b"not a video at all, just text", "not a video"),
        (_png_bytes(Image.new("RGB", (64, 64))), "not a video"),  # an image is not a timelapse
    ],
    ids=["text", "png"],
)
def test_not_a_video(data, msg):
    with pytest.raises(layered.ProcessError, match=msg):
        timelapse.read_timelapse(data)


def test_corrupt_container():
    good = encode(painted_over_time(painting(), 10))
    cut = good[: len(good) // 3]  # mdat cut short, moov (at the end) missing
    with pytest.raises(layered.ProcessError, match="not a video|damaged|fewer than two"):
        timelapse.read_timelapse(cut)
    scrambled = bytearray(good)
    rng = np.random.default_rng(1)
    for i in rng.integers(64, len(good), 400):
        scrambled[i] ^= 0xFF
    # Refused with a sentence, or read if the damage missed everything that matters; any
    # other exception (a crash) fails the test.
    with contextlib.suppress(layered.ProcessError):
        timelapse.read_timelapse(bytes(scrambled))


def test_absurd_dimensions_are_refused_before_decoding():
    thin = [np.zeros((16, 5000, 3), np.uint8)] * 2
    with pytest.raises(layered.ProcessError, match="5000x16"):
        timelapse.read_timelapse(encode(thin, codec="mpeg4"))


def test_decompression_bomb_frames_are_refused():
    """4096x4096 flat frames: 16.8 MP each (over the 4K limit) from a few kilobytes."""
    flat = [np.full((4096, 4096, 3), 200, np.uint8)] * 2
    data = encode(flat, options={"preset": "ultrafast"})
    assert len(data) < 200_000
    with pytest.raises(layered.ProcessError, match="4096x4096"):
        timelapse.read_timelapse(data)


def test_too_long_is_refused():
    """Two frames two hours apart: a tiny file that claims a long video."""
    still = np.asarray(painting(w=64, h=48))
    data = encode([still, still], fps=1, pts=[0, 2 * 3600])
    with pytest.raises(layered.ProcessError, match="120 minutes long"):
        timelapse.read_timelapse(data)


def test_frame_count_bomb_is_refused_without_decoding(monkeypatch):
    """Counted from packets: the limit is an hour at 60 fps; a smaller one keeps the test fast."""
    monkeypatch.setattr(timelapse, "MAX_FRAMES", 100)
    frames = [np.full((16, 16, 3), i % 255, np.uint8) for i in range(150)]
    with pytest.raises(layered.ProcessError, match="more than 100 frames"):
        timelapse.read_timelapse(encode(frames, fps=60))


def test_long_keyframe_gaps_are_bounded(monkeypatch):
    monkeypatch.setattr(timelapse, "MAX_DECODE_PER_SEEK", 5)
    with pytest.raises(layered.ProcessError, match="decoder work"):
        timelapse.read_timelapse(encode(painted_over_time(painting(w=64, h=48), 30)))


def test_a_video_that_does_not_grow_into_the_work_is_refused():
    final = painting()
    backwards = list(reversed(painted_over_time(final, 20)))
    video = timelapse.read_timelapse(encode(backwards))
    with pytest.raises(layered.ProcessError, match="not growing more like the work"):
        timelapse.check_progress(video.samples, np.asarray(final))


# ------------------------------------------------------------------ services (database)
def test_matching_timelapse_verifies_the_work(artist, upload):
    final = painting()
    asset = upload(artist, _png_bytes(final))
    ev = process.process_timelapse_attach(
        user=artist, asset=asset, upload=encode(painted_over_time(final))
    )
    assert (ev.kind, ev.file_format, ev.frame_count) == ("timelapse", "mp4", 35)
    assert ev.hash_distance <= 12 and len(ev.frame_keys) == timelapse.SAMPLES
    private = storages["private"]
    assert all(private.exists(k) for k in ev.file_keys + ev.frame_keys)
    assert ev.show_on_work is False  # off until the artist chooses


def test_held_work_gets_an_appeal_with_the_timelapse(artist, upload):
    asset = upload(artist, ai_png())
    final = painting(5, 320, 240)  # the same pixels as ai_png, without the metadata
    process.process_timelapse_attach(
        user=artist, asset=asset, upload=encode(painted_over_time(final, 16))
    )
    assert "timelapse video (21 frames" in Appeal.objects.get().message


@pytest.mark.parametrize(
    "make,msg",
    [
        (lambda f: encode(painted_over_time(painting(44), 16)), "not growing|does not end"),
        (lambda f: encode(painted_over_time(f, 16)[:-8]), "does not end with the work"),
        (lambda f: b"garbage" * 100, "not a video"),
        (lambda f: encode([np.asarray(f.resize((360, 360)))] * 4), "do not line up"),
    ],
    ids=["another-work", "stops-early", "not-a-video", "misaligned"],
)
def test_bad_timelapse_is_refused_and_leaves_nothing(artist, upload, make, msg):
    final = painting()
    asset = upload(artist, _png_bytes(final))
    before = _private_keys()
    with pytest.raises(ValidationError, match=msg):
        process.process_timelapse_attach(user=artist, asset=asset, upload=make(final))
    assert not ProcessEvidence.objects.exists() and not Appeal.objects.exists()
    assert _private_keys() == before


def test_the_view_takes_a_timelapse(client, artist, upload):
    final = painting()
    asset = upload(artist, _png_bytes(final))
    url = f"/provenance/assets/{asset.pk}/process"
    client.force_login(artist)
    f = io.BytesIO(encode(painted_over_time(final)))
    f.name = "timelapse.mp4"
    r = client.post(url, {"timelapse": f}, follow=True)
    body = r.content.decode()
    assert "Process verified" in body and "Timelapse video" in body
    bad = io.BytesIO(b"garbage")
    bad.name = "x.mp4"
    r = client.post(url, {"timelapse": bad}, follow=True)
    assert "not a video" in r.content.decode()
    assert ProcessEvidence.objects.count() == 1


def test_deleting_the_work_deletes_the_evidence_files(
    artist, upload, django_capture_on_commit_callbacks
):
    from kiln.media.services import media_asset_delete

    final = painting()
    asset = upload(artist, _png_bytes(final))
    ev = process.process_timelapse_attach(
        user=artist, asset=asset, upload=encode(painted_over_time(final, 12))
    )
    keys = ev.file_keys + ev.frame_keys
    assert len(keys) == 1 + timelapse.SAMPLES
    with django_capture_on_commit_callbacks(execute=True):
        media_asset_delete(asset=asset)
    private = storages["private"]
    assert not any(private.exists(k) for k in keys)
    assert not ProcessEvidence.objects.exists()
