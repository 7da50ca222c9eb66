"""Repost matching: PDQ (fast, exact Hamming radius) plus keypoint verification (crops, pads).

Pure Python + numpy/faiss/OpenCV; the Django side feeds it from the database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import hashing, keypoints


@dataclass
class Match:
    owner: int
    method: str  # "pdq" or "keypoints"
    distance: int | None = None  # PDQ Hamming distance
    inliers: int | None = None  # keypoint matches that agree on one geometry


class RepostMatcher:
    def __init__(self, radius: int = hashing.DEFAULT_RADIUS, use_keypoints: bool = True):
        self.hashes = hashing.HashIndex(radius)
        self.features = keypoints.FeatureIndex() if use_keypoints else None

    def add(self, owner: int, rgb: np.ndarray) -> list[hashing.PdqHash]:
        hs = hashing.index_hashes(rgb)
        self.hashes.add(owner, [h.bits for h in hs])
        if self.features is not None:
            self.features.add(owner, keypoints.extract(hashing.load_rgb(rgb)))
        return hs

    def add_stored(self, owner: int, hashes: list[bytes], features: bytes | None) -> None:
        self.hashes.add(owner, hashes)
        if self.features is not None and features:
            self.features.add(owner, keypoints.Features.from_bytes(features))

    def remove(self, owner: int) -> None:
        self.hashes.remove(owner)
        if self.features is not None:
            self.features.remove(owner)

    def match(self, source) -> dict[int, Match]:
        """Works the upload looks like: PDQ over the whole image and the picture inside any
        frame or screenshot (all rotations and mirrors, and a caption-free band), then
        keypoints over the same regions for crops and overlays PDQ misses."""
        big = hashing.load_rgb(source, hashing.QUERY_SIDE)
        out: dict[int, Match] = {}
        for owner, dist in self.hashes.search(h.bits for h in hashing.query_hashes(big)).items():
            out[owner] = Match(owner, "pdq", distance=dist)
        if self.features is not None:
            queries = []
            for region in hashing.regions(big):
                queries += keypoints.query_features(region)
                # Caption strokes are the strongest corners and crowd the picture's points
                # out of the budget; the middle band has none.
                band = hashing.middle_band(region)
                queries.append(keypoints.extract(band, keypoints.QUERY_FEATURES))
            for owner, inliers in self.features.search(queries).items():
                if owner not in out:
                    out[owner] = Match(owner, "keypoints", inliers=inliers)
        return out
