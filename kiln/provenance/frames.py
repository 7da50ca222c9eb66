"""Finding the picture inside a frame or an app screenshot, for repost queries. numpy only."""

from __future__ import annotations

import numpy as np


def _close_gaps(flags: np.ndarray, gap: int) -> np.ndarray:
    """Fill runs of False no longer than `gap` between Trues (a pale streak in a picture)."""
    out = flags.copy()
    idx = np.flatnonzero(flags)
    if idx.size < 2:
        return out
    for a, b in zip(idx[:-1], idx[1:], strict=True):
        if 1 < b - a <= gap + 1:
            out[a:b] = True
    return out


def _longest_run(flags: np.ndarray) -> tuple[int, int]:
    best, start = (0, 0), None
    for i, f in enumerate(np.append(flags, False)):
        if f and start is None:
            start = i
        elif not f and start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    return best


def content_box(rgb: np.ndarray, tol: int = 24, dense: float = 0.5, min_frac: float = 0.25):
    """The picture inside a frame or an app screenshot, as (top, bottom, left, right), or None.

    The background is the edge's dominant colour; the picture is the longest run of rows, then
    of columns within it, where most pixels differ from it. Status bars, app headers, captions
    and icons are sparse, so they fall outside; a thin rule or a shadow round the picture
    stays in (a few pixels). None when there is no one-coloured edge, or the box is the whole
    image or too small to be the work."""
    h, w = rgb.shape[:2]
    edge = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]]).astype(np.int32)
    keys = (edge[:, 0] // 16) * 256 + (edge[:, 1] // 16) * 16 + edge[:, 2] // 16
    values, counts = np.unique(keys, return_counts=True)
    if counts.max() < 0.5 * len(keys):
        return None
    bg = edge[keys == values[counts.argmax()]].mean(axis=0)
    mask = np.abs(rgb.astype(np.int32) - bg).max(axis=2) > tol
    y0, y1 = _longest_run(_close_gaps(mask.mean(axis=1) > dense, max(2, h // 50)))
    if y1 - y0 < min_frac * h:
        return None
    x0, x1 = _longest_run(_close_gaps(mask[y0:y1].mean(axis=0) > dense, max(2, w // 50)))
    if x1 - x0 < min_frac * w or (y1 - y0 >= h - 2 and x1 - x0 >= w - 2):
        return None
    return y0, y1, x0, x1
