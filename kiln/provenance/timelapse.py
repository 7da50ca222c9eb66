"""Read a timelapse video as process evidence (issue 17): bytes in, sampled frames out.

PyAV (FFmpeg's libraries) does the decoding. Everything is bounded before a frame is decoded:
the file's size, the container (MP4/MOV or Matroska/WebM only), the stream's dimensions, then a
demux pass that reads packets without decoding them counts the frames and measures the
duration. Only then are SAMPLES frames decoded, each by seeking to the keyframe before it, with
a cap on the frames decoded per seek and in all, so a video built to make the decoder work
(a frame bomb) costs at most that cap.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .layered import ProcessError, similarity

MAX_FILE_BYTES = 300 * 1024 * 1024
MAX_SECONDS = 60 * 60  # an hour of timelapse: Procreate's full-length exports stay well under
MAX_FRAMES = 60 * 60 * 60  # an hour at 60 fps
MAX_SIDE = 4096
MAX_FRAME_PIXELS = 4096 * 2304  # 4K, with room for a tall canvas
SAMPLES = 12
MAX_DECODE_PER_SEEK = 300  # longer than x264's default keyframe interval (250)
MAX_DECODE_TOTAL = 3000  # about 40 s of 1080p decoding on a busy 2-core machine
ALLOWED_FORMATS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "webm"}
MIN_RISE = 0.05  # the last frames must be this much more like the work than the first ones
MIN_TREND = 0.5  # Spearman correlation of similarity with time


@dataclass(frozen=True)
class Timelapse:
    fmt: str  # mp4 | webm (MOV files are read as mp4: the same container family)
    width: int
    height: int
    frames: int
    seconds: float
    samples: list[np.ndarray]  # RGB uint8, oldest first; the last one is the video's end


def _open(data: bytes):
    import av

    try:
        container = av.open(io.BytesIO(data), mode="r")
    except Exception as exc:  # FFmpeg raises several kinds for garbage; all mean "not a video"
        raise ProcessError(
            "This file is not a video Kiln can read (MP4, MOV or WebM timelapses)."
        ) from exc
    fmt = ALLOWED_FORMATS.get(container.format.name)
    if fmt is None or not container.streams.video:
        container.close()
        raise ProcessError("This file is not a video Kiln can read (MP4, MOV or WebM timelapses).")
    return container, fmt


def _check_size(width: int, height: int) -> None:
    if width < 16 or height < 16:
        raise ProcessError(f"This video is {width}x{height}: too small to compare with the work.")
    if max(width, height) > MAX_SIDE or width * height > MAX_FRAME_PIXELS:
        raise ProcessError(
            f"This video is {width}x{height}; Kiln checks timelapses of up to {MAX_SIDE} pixels "
            "a side (4K). Export it at a smaller size."
        )


def _survey(container, stream) -> tuple[list[int], set[int]]:
    """Every packet's timestamp, sorted, and the keyframes' among them: demuxed, not decoded,
    so a frame bomb costs little."""
    stamps: list[int] = []
    keys: set[int] = set()
    for packet in container.demux(stream):
        if packet.size == 0 or packet.pts is None:
            continue  # the flush packet, or one without a time
        stamps.append(packet.pts)
        if packet.is_keyframe:
            keys.add(packet.pts)
        if len(stamps) > MAX_FRAMES:
            raise ProcessError(
                f"This video has more than {MAX_FRAMES:,} frames; Kiln checks timelapses of up "
                f"to {MAX_FRAMES:,}."
            )
    return sorted(stamps), keys


def _targets(stamps: list[int], keys: set[int], n: int) -> list[int]:
    """n sample times, evenly spaced by frame; each moved to the keyframe before it when one
    lies within half a spacing (decoding a keyframe costs one frame, not a whole group), and
    the last one always the video's last frame."""
    spacing = (len(stamps) - 1) / (n - 1)
    key_index = [i for i, pts in enumerate(stamps) if pts in keys]
    targets = []
    for k in range(n):
        want = round(k * spacing)
        before = [i for i in key_index if i <= want]
        if k < n - 1 and before and want - before[-1] <= spacing / 2:
            want = before[-1]
        targets.append(stamps[want])
    return targets


def _frame_rgb(frame) -> np.ndarray:
    _check_size(frame.width, frame.height)  # a stream may change size mid-way
    return frame.to_ndarray(format="rgb24")


def read_timelapse(data: bytes) -> Timelapse:
    if len(data) > MAX_FILE_BYTES:
        raise ProcessError(f"This video is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    container, fmt = _open(data)
    try:
        return _read(container, fmt)
    except ProcessError:
        raise
    except Exception as exc:  # a container that opens but breaks while reading
        raise ProcessError(
            f"This video is damaged: it could not be decoded ({exc.__class__.__name__})."
        ) from exc
    finally:
        container.close()


def _read(container, fmt: str) -> Timelapse:
    stream = container.streams.video[0]
    ctx = stream.codec_context
    _check_size(ctx.width, ctx.height)
    time_base = stream.time_base or Fraction(1, 1000)
    stream.thread_type = "AUTO"  # before the decoder opens
    stamps, keys = _survey(container, stream)
    if len(stamps) < 2:
        raise ProcessError("This video has fewer than two frames: it shows no process.")
    seconds = float((stamps[-1] - stamps[0]) * time_base)
    if seconds > MAX_SECONDS:
        raise ProcessError(
            f"This video is {seconds / 60:.0f} minutes long; Kiln checks timelapses of up to "
            f"{MAX_SECONDS // 60} minutes."
        )
    n = min(SAMPLES, len(stamps))
    targets = _targets(stamps, keys, n)
    samples: list[np.ndarray] = []
    decoded = 0
    for index, target in enumerate(targets):
        # On the way to a sample, frames no other frame refers to need not be decoded (about
        # half of an x264 stream); the last sample is the video's real last frame.
        ctx.skip_frame = "NONREF" if index < len(targets) - 1 else "DEFAULT"
        container.seek(target, stream=stream, backward=True, any_frame=False)
        picked = None
        for count, frame in enumerate(container.decode(stream), 1):
            decoded += 1
            if decoded > MAX_DECODE_TOTAL or count > MAX_DECODE_PER_SEEK:
                raise ProcessError(
                    "This video makes the decoder work far harder than a timelapse does "
                    "(too many frames between keyframes); it was refused."
                )
            picked = frame
            if frame.pts is not None and frame.pts >= target:
                break
        if picked is None:
            raise ProcessError("This video is damaged: a frame could not be decoded.")
        samples.append(_frame_rgb(picked))
    return Timelapse(fmt, ctx.width, ctx.height, len(stamps), seconds, samples)


def _spearman(values: list[float]) -> float:
    ranks = np.argsort(np.argsort(values)).astype(float)
    order = np.arange(len(values), dtype=float)
    if ranks.std() == 0:
        return 0.0
    return float(np.corrcoef(order, ranks)[0, 1])


def check_progress(samples: list[np.ndarray], final: np.ndarray) -> list[float]:
    """The frames must have the work's proportions, and grow more like it over the video.

    A timelapse has pauses, zooms and erasing, so this asks for a trend, not a rise at every
    sample: similarity must correlate with time (Spearman >= MIN_TREND), and the last third
    must be clearly more like the work than the first third."""
    fh, fw = final.shape[:2]
    h, w = samples[-1].shape[:2]
    if abs(w / h - fw / fh) > 0.03 * fw / fh:
        raise ProcessError(
            f"This video is {w}x{h}; its frames do not line up with the work ({fw}x{fh}). "
            "Export the timelapse of this canvas without borders."
        )
    sims = [round(similarity(s, final), 3) for s in samples]
    third = max(1, len(sims) // 3)
    first, last = np.mean(sims[:third]), np.mean(sims[-third:])
    if last - first < MIN_RISE or _spearman(sims) < MIN_TREND:
        raise ProcessError(
            "This video does not show the work taking shape: its frames are not growing more "
            f"like the work over time (similarity {sims[0]:.2f} at the start, {sims[-1]:.2f} at "
            "the end)."
        )
    return sims
