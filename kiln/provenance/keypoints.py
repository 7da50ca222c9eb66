"""Keypoint verification for crops and padding, where PDQ is weak.

Each work stores up to MAX_FEATURES ORB keypoints (position + 256-bit descriptor). A query's
descriptors vote for works through a Hamming kNN search, and the best-voted works are
verified geometrically: RANSAC must find a similarity transform (scale, rotation, shift)
that MIN_INLIERS matches agree on. Unrelated images almost never produce that many
geometrically consistent matches, which is what keeps false positives low.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

MAX_FEATURES = 300
QUERY_FEATURES = 200  # the search cost is query x index descriptors; 200 keep crops at 100%
WORK_SIDE = 512
MATCH_RADIUS = 64  # ORB descriptor distance for a candidate match (of 256 bits)
# Measured on generated art: true crops/pads give >= 59 inliers, unrelated images <= 16.
MIN_VOTES = 30
MIN_INLIERS = 30
TOP_CANDIDATES = 5
FAST_THRESHOLD = 5


@dataclass
class Features:
    points: np.ndarray  # (n, 2) float32, in the WORK_SIDE-scaled frame
    descriptors: np.ndarray  # (n, 32) uint8

    def __len__(self) -> int:
        return int(self.points.shape[0])

    def to_bytes(self) -> bytes:
        n = len(self)
        return (
            np.uint32(n).tobytes()
            + self.points.astype(np.float32).tobytes()
            + self.descriptors.astype(np.uint8).tobytes()
        )

    @classmethod
    def from_bytes(cls, blob: bytes) -> Features:
        n = int(np.frombuffer(blob[:4], dtype=np.uint32)[0])
        pts = np.frombuffer(blob[4 : 4 + 8 * n], dtype=np.float32).reshape(n, 2)
        desc = np.frombuffer(blob[4 + 8 * n : 4 + 40 * n], dtype=np.uint8).reshape(n, 32)
        return cls(pts.copy(), desc.copy())


def _gray(rgb: np.ndarray) -> np.ndarray:
    import cv2

    h, w = rgb.shape[:2]
    scale = WORK_SIDE / max(h, w)
    if scale < 1:
        rgb = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)


def extract(rgb: np.ndarray, max_features: int = MAX_FEATURES) -> Features:
    import cv2

    gray = _gray(rgb)
    # A low FAST threshold: smooth, painterly images otherwise give too few points to
    # survive a crop (bench/repost.py and docs/decisions/provenance.md).
    orb = cv2.ORB_create(nfeatures=max_features, fastThreshold=FAST_THRESHOLD, edgeThreshold=15)
    kps, desc = orb.detectAndCompute(gray, None)
    if desc is None or not kps:
        return Features(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8))
    pts = np.array([k.pt for k in kps], dtype=np.float32)
    return Features(pts, desc)


def query_features(rgb: np.ndarray, mirrored: bool = True) -> list[Features]:
    """The upload's descriptors, and its mirror image's: ORB is not mirror-invariant, and a
    mirrored *and* cropped repost defeats PDQ, so only the mirrored pass catches it."""
    out = [extract(rgb, QUERY_FEATURES)]
    if mirrored:
        out.append(extract(np.ascontiguousarray(rgb[:, ::-1]), QUERY_FEATURES))
    return out


class FeatureIndex:
    """Descriptor index (faiss brute-force Hamming kNN) with per-work geometric verification."""

    def __init__(self):
        import faiss

        self._faiss = faiss
        self._lock = threading.RLock()
        self.index = faiss.IndexBinaryFlat(256)
        self._owner_of_row: list[int] = []
        self._features: dict[int, Features] = {}
        self._row_start: dict[int, int] = {}
        self._dead: set[int] = set()

    def __len__(self) -> int:
        return len(self._features) - len(self._dead)

    def add(self, owner: int, feats: Features) -> None:
        if len(feats) == 0:
            return
        with self._lock:
            if owner in self._features:  # forgotten, then cleared again: revive its rows
                self._dead.discard(owner)
                return
            self._row_start[owner] = len(self._owner_of_row)
            self._features[owner] = feats
            self.index.add(np.ascontiguousarray(feats.descriptors))
            self._owner_of_row.extend([owner] * len(feats))

    def remove(self, owner: int) -> None:
        with self._lock:
            if owner in self._features:
                self._dead.add(owner)

    def search(self, queries: list[Features]) -> dict[int, int]:
        """{owner: inliers} for works that pass geometric verification."""
        if not self._owner_of_row:
            return {}
        found: dict[int, int] = {}
        for q in queries:
            if len(q) < MIN_INLIERS:
                continue
            with self._lock:
                dist, rows = self.index.search(np.ascontiguousarray(q.descriptors), 2)
                owners = self._owner_of_row
                votes: dict[int, list[tuple[int, int]]] = {}
                for qi in range(len(q)):
                    d0, r0 = int(dist[qi, 0]), int(rows[qi, 0])
                    if r0 < 0 or d0 > MATCH_RADIUS:
                        continue
                    # Lowe's ratio test, only against a different work's descriptor.
                    d1, r1 = int(dist[qi, 1]), int(rows[qi, 1])
                    if r1 >= 0 and owners[r1] != owners[r0] and d0 > 0.8 * d1:
                        continue
                    owner = owners[r0]
                    if owner in self._dead:
                        continue
                    votes.setdefault(owner, []).append((qi, r0 - self._row_start[owner]))
                best = sorted(votes.items(), key=lambda kv: -len(kv[1]))[:TOP_CANDIDATES]
                for owner, pairs in best:
                    if len(pairs) < MIN_VOTES:
                        break
                    inliers = _verify(q, self._features[owner], pairs)
                    if inliers >= MIN_INLIERS:
                        found[owner] = max(found.get(owner, 0), inliers)
        return found

    def memory_bytes(self) -> int:
        return sum(len(f) * 40 for f in self._features.values()) + 8 * len(self._owner_of_row)


def _verify(q: Features, ref: Features, pairs: list[tuple[int, int]]) -> int:
    import cv2

    src = np.float32([q.points[a] for a, _ in pairs])
    dst = np.float32([ref.points[b] for _, b in pairs])
    model, mask = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=4.0, maxIters=500
    )
    if model is None or mask is None:
        return 0
    scale = float(np.hypot(model[0, 0], model[1, 0]))
    if not 0.5 < scale < 2.0:  # a repost is not a tiny detail of the original
        return 0
    return int(mask.sum())
