"""Perceptual hashes for repost detection, and an in-memory index for Hamming-radius search.

PDQ alone loses most matches once an image is cropped or padded. What we add (measured in
bench/repost.py, see docs/decisions/provenance.md):
- uniform borders are trimmed before hashing, on both sides, which undoes padding;
- an indexed work also stores hashes of crops of itself at 95% on a 3x3 grid of anchors, so a
  lightly cropped repost lands near one of them (PDQ moves ~10 bits per 1% of shift);
- the query side hashes all 8 dihedral transforms (PDQ gives them in one pass), so a mirrored
  or rotated repost matches the original's plain hashes.
No Django here: the DB-backed index lives in services/selectors.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .frames import content_box

MIN_QUALITY = 50  # PDQ's own advice: below this the hash is not meaningful
DEFAULT_RADIUS = 31
HASH_SIDE = 512  # PDQ works on 64x64 after its own filter; pre-shrinking is 30x faster
QUERY_SIDE = 1024  # a work inside a phone screenshot is a third of its height
CROP_SCALES = (0.95, 0.90)
CROP_ANCHORS = (0.0, 0.5, 1.0)
BAND = 0.70  # the middle 70% of the rows: what a top and bottom caption leaves alone


@dataclass(frozen=True)
class PdqHash:
    bits: bytes  # 32 bytes in the canonical hex order (bit 255 first)
    quality: int
    kind: str = "full"  # "full", "crop95-0-0", ..., "dihedral-3"

    @property
    def hex(self) -> str:
        return self.bits.hex()


def hash_from_hex(value: str) -> bytes:
    """Strict parser for the registry API: exactly 64 hex digits."""
    value = value.strip().lower()
    if len(value) != 64:
        raise ValueError(f"a PDQ hash is 64 hex digits, got {len(value)} characters")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise ValueError("a PDQ hash may only contain the hex digits 0-9 and a-f") from None


def _pack(bits: np.ndarray) -> bytes:
    # pdqhash returns bit 255 first (its binding reverses the reference bit order), so plain
    # MSB-first packing gives the canonical hex that ThreatExchange's PDQ tools print.
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes()


def load_rgb(source, side: int = HASH_SIDE) -> np.ndarray:
    """RGB uint8 array from a path, bytes, PIL image or array; first frame; shrunk to `side`."""
    import io

    from PIL import Image, ImageOps

    if isinstance(source, np.ndarray):
        im = Image.fromarray(source)
    elif isinstance(source, Image.Image):
        im = source
    elif isinstance(source, bytes | bytearray):
        im = Image.open(io.BytesIO(source))
    else:
        im = Image.open(source)
    im.seek(0) if hasattr(im, "seek") else None
    im.draft("RGB", (side * 2, side * 2))  # JPEG: decode at reduced size
    im = ImageOps.exif_transpose(im)
    if im.mode != "RGB":
        bg = Image.new("RGB", im.size, (255, 255, 255))
        rgba = im.convert("RGBA")
        bg.paste(rgba, mask=rgba.getchannel("A"))
        im = bg
    if max(im.size) > side:
        im = im.copy()
        im.thumbnail((side, side), Image.Resampling.BILINEAR)
    return np.asarray(im)


def shrink(rgb: np.ndarray, side: int = HASH_SIDE) -> np.ndarray:
    return rgb if max(rgb.shape[:2]) <= side else load_rgb(rgb, side)


def regions(big: np.ndarray) -> list[np.ndarray]:
    """What a query looks at: the whole upload, and the picture inside it when it sits in a
    frame or an app screenshot (content_box), each with uniform borders trimmed."""
    out = [trim_borders(big)]
    box = content_box(big)
    if box is not None:
        y0, y1, x0, x1 = box
        out.append(trim_borders(big[y0:y1, x0:x1]))
    return out


def middle_band(rgb: np.ndarray) -> np.ndarray:
    """The middle rows (BAND of the height), clear of top and bottom captions."""
    h = rgb.shape[0]
    cut = int(round(h * (1 - BAND) / 2))
    return rgb[cut : h - cut]


def trim_borders(rgb: np.ndarray, tol: float = 12.0, max_frac: float = 0.3) -> np.ndarray:
    """Cut away uniform bands (padding, letterboxing) on each side."""
    h, w = rgb.shape[:2]

    def band(lines: np.ndarray, limit: int) -> int:
        # lines: (n, L, 3) in scan order from the edge inward. Scanned in chunks, so an
        # image without a border (the usual case) costs one line per side.
        ref = lines[0].astype(np.int16).mean(axis=0)
        n, step = 0, 1
        while n < limit:
            chunk = lines[n : min(limit, n + step)].astype(np.int16)
            dev = np.abs(chunk - ref).max(axis=2)
            ok = (dev > tol).mean(axis=1) <= 0.02  # allow a few noisy pixels (JPEG ringing)
            if not ok.all():
                return n + int(np.argmin(ok))
            n += chunk.shape[0]
            step = min(step * 4, 64)
        return n

    lim_h, lim_w = int(h * max_frac), int(w * max_frac)
    top = band(rgb, lim_h)
    bot = band(rgb[::-1], lim_h)
    cols = np.transpose(rgb, (1, 0, 2))
    left = band(cols, lim_w)
    right = band(cols[::-1], lim_w)
    if top + bot >= h - 16 or left + right >= w - 16:
        return rgb
    return rgb[top : h - bot, left : w - right]


def _pdq(rgb: np.ndarray) -> tuple[bytes, int]:
    import pdqhash

    bits, quality = pdqhash.compute(np.ascontiguousarray(rgb))
    return _pack(bits), int(quality)


def index_hashes(source) -> list[PdqHash]:
    """Hashes stored for a published work: the whole image plus a grid of crops.

    Returns [] when the image is too flat for PDQ (quality below MIN_QUALITY)."""
    rgb = trim_borders(load_rgb(source))
    full, quality = _pdq(rgb)
    if quality < MIN_QUALITY:
        return []
    out = [PdqHash(full, quality, "full")]
    h, w = rgb.shape[:2]
    for scale in CROP_SCALES:
        ch, cw = int(round(h * scale)), int(round(w * scale))
        for ay in CROP_ANCHORS:
            for ax in CROP_ANCHORS:
                y0, x0 = int(round((h - ch) * ay)), int(round((w - cw) * ax))
                bits, q = _pdq(rgb[y0 : y0 + ch, x0 : x0 + cw])
                if q >= MIN_QUALITY:
                    out.append(PdqHash(bits, q, f"crop{int(scale * 100)}-{ax:g}-{ay:g}"))
    bits, q = _pdq(middle_band(rgb))
    if q >= MIN_QUALITY:
        out.append(PdqHash(bits, q, "band70"))
    return out


def query_hashes(source) -> list[PdqHash]:
    """Hashes to look up for an upload: for the whole image and for the picture found inside
    a frame or screenshot, the 8 dihedral transforms (rotations, mirrors) and the middle band
    (a captioned copy's caption-free part, compared with the original's band)."""
    import pdqhash

    big = source if isinstance(source, np.ndarray) else load_rgb(source, QUERY_SIDE)
    out: list[PdqHash] = []
    for n, region in enumerate(regions(big)):
        rgb = np.ascontiguousarray(shrink(region))
        hashes, quality = pdqhash.compute_dihedral(rgb)
        if int(quality) < MIN_QUALITY:
            continue
        tag = "" if n == 0 else "box-"
        out += [PdqHash(_pack(b), int(quality), f"{tag}dihedral-{i}") for i, b in enumerate(hashes)]
        bits, q = _pdq(middle_band(rgb))
        if q >= MIN_QUALITY:
            out.append(PdqHash(bits, q, f"{tag}band70"))
    return out


def hamming(a: bytes, b: bytes) -> int:
    return int.from_bytes(a, "big").__xor__(int.from_bytes(b, "big")).bit_count()


class HashIndex:
    """Exact Hamming-radius search over 256-bit hashes, each tagged with an owner (a work id).

    Multi-index hashing: a hash is cut into 16 substrings of 16 bits. Two hashes within
    distance 31 must agree on some substring up to 1 flipped bit (pigeonhole: 16 substrings
    x 2 bits > 31), so probing each substring's table with its 17 one-bit neighbours finds
    every match, and only touches a few thousand candidates at a million entries. Tables are
    sorted arrays (numpy), 100 MB for a million hashes. We measured faiss's
    IndexBinaryMultiHash (the same idea) at ~10x the latency and 5x the memory here.
    New hashes go to a small unsorted tail scanned by brute force until the next rebuild;
    removal is by tombstone.
    """

    SUBSTRINGS = 16
    TAIL_LIMIT = 50_000
    _FLIPS = np.array([0] + [1 << i for i in range(16)], dtype=np.int64)

    def __init__(self, radius: int = DEFAULT_RADIUS):
        if not 0 <= radius <= 31:
            raise ValueError("the multi-index layout is exact up to distance 31")
        self.radius = radius
        self._lock = threading.RLock()
        self._codes = np.zeros((0, 32), np.uint8)  # sorted part
        self._owners = np.zeros(0, np.int64)
        self._orders = np.zeros((self.SUBSTRINGS, 0), np.int32)
        self._starts = np.zeros((self.SUBSTRINGS, 65537), np.int64)
        self._tail_codes: list[np.ndarray] = []
        self._tail_owners: list[np.ndarray] = []
        self._tail_n = 0
        self._dead: set[int] = set()

    def __len__(self) -> int:
        return int(self._owners.shape[0]) + self._tail_n

    def _rebuild(self) -> None:
        if self._tail_n:
            self._codes = np.concatenate([self._codes, *self._tail_codes])
            self._owners = np.concatenate([self._owners, *self._tail_owners])
            self._tail_codes, self._tail_owners, self._tail_n = [], [], 0
        if self._dead:
            keep = ~np.isin(self._owners, np.fromiter(self._dead, np.int64))
            self._codes, self._owners = self._codes[keep], self._owners[keep]
            self._dead = set()
        n = self._codes.shape[0]
        keys = np.ascontiguousarray(self._codes).view("<u2")  # (n, 16)
        self._orders = np.empty((self.SUBSTRINGS, n), np.int32)
        for t in range(self.SUBSTRINGS):
            self._orders[t] = np.argsort(keys[:, t], kind="stable")
            np.cumsum(np.bincount(keys[:, t], minlength=65536), out=self._starts[t, 1:])

    def add_many(self, owners: np.ndarray, codes: np.ndarray) -> None:
        """Bulk load: owners (n,) int64, codes (n, 32) uint8."""
        codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, 32)
        owners = np.asarray(owners, dtype=np.int64)
        with self._lock:
            self._dead.difference_update(np.unique(owners).tolist())
            self._tail_codes.append(codes)
            self._tail_owners.append(owners)
            self._tail_n += codes.shape[0]
            if self._tail_n > self.TAIL_LIMIT:
                self._rebuild()

    def add(self, owner: int, hashes: Iterable[bytes]) -> None:
        codes = [h for h in hashes if len(h) == 32]
        if codes:
            arr = np.frombuffer(b"".join(codes), dtype=np.uint8).reshape(-1, 32)
            self.add_many(np.full(len(codes), owner, np.int64), arr)

    def remove(self, owner: int) -> None:
        with self._lock:
            self._dead.add(owner)

    def compact(self) -> None:
        with self._lock:
            self._rebuild()

    def _candidates(self, q: np.ndarray) -> np.ndarray:
        n = self._codes.shape[0]
        if n == 0:
            return np.zeros(0, np.int64)
        q16 = q.view("<u2").astype(np.int64)  # (16,)
        probes = q16[:, None] ^ self._FLIPS[None, :]  # (16, 17)
        rows = np.arange(self.SUBSTRINGS)[:, None]
        a = self._starts[rows, probes].ravel()
        b = self._starts[rows, probes + 1].ravel()
        lengths = b - a
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, np.int64)
        base = (a + np.repeat(np.arange(self.SUBSTRINGS), 17) * n).astype(np.int64)
        offsets = np.repeat(base - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        pos = offsets + np.arange(total)
        return np.unique(self._orders.reshape(-1)[pos])

    def _merge_tail(self) -> None:
        if len(self._tail_codes) > 1:  # one array to scan, not one per add() call
            self._tail_codes = [np.concatenate(self._tail_codes)]
            self._tail_owners = [np.concatenate(self._tail_owners)]

    def _query_one(self, q: np.ndarray, radius: int) -> list[tuple[int, int]]:
        """[(owner, distance)] of every live entry within the radius."""
        self._merge_tail()
        hits: list[tuple[int, int]] = []
        cand = self._candidates(q)
        if cand.size:
            d = np.bitwise_count(self._codes[cand] ^ q).sum(axis=1)
            m = d <= radius
            hits += zip(self._owners[cand[m]].tolist(), d[m].tolist(), strict=True)
        for codes, owners in zip(self._tail_codes, self._tail_owners, strict=True):
            d = np.bitwise_count(codes ^ q).sum(axis=1)
            m = d <= radius
            hits += zip(owners[m].tolist(), d[m].tolist(), strict=True)
        return [(o, dist) for o, dist in hits if o not in self._dead]

    def _queries(self, hashes) -> np.ndarray:
        codes = [h for h in hashes if len(h) == 32]
        return np.frombuffer(b"".join(codes), dtype=np.uint8).reshape(-1, 32)

    def search(self, hashes: Iterable[bytes], radius: int | None = None) -> dict[int, int]:
        """{owner: smallest distance} for every owner within the radius of any query hash."""
        radius = self.radius if radius is None else min(radius, self.radius)
        best: dict[int, int] = {}
        with self._lock:
            for q in self._queries(hashes):
                for owner, d in self._query_one(q, radius):
                    if d < best.get(owner, 1 << 30):
                        best[owner] = d
        return best

    def search_each(self, hashes: list[bytes], radius: int | None = None) -> list[tuple[int, int]]:
        """For each query hash, its nearest (owner, distance) within the radius, or (0, -1)."""
        radius = self.radius if radius is None else min(radius, self.radius)
        out = []
        with self._lock:
            for q in self._queries(hashes):
                hits = self._query_one(q, radius)
                out.append(min(hits, key=lambda h: h[1]) if hits else (0, -1))
        return out

    def search_each_all(
        self, hashes: list[bytes], radius: int | None = None
    ) -> list[dict[int, int]]:
        """For each query hash, {owner: smallest distance} of every owner within the radius."""
        radius = self.radius if radius is None else min(radius, self.radius)
        out = []
        with self._lock:
            for q in self._queries(hashes):
                best: dict[int, int] = {}
                for owner, d in self._query_one(q, radius):
                    if d < best.get(owner, 1 << 30):
                        best[owner] = d
                out.append(best)
        return out

    def memory_bytes(self) -> int:
        tail = sum(c.nbytes for c in self._tail_codes) + 8 * self._tail_n
        return (
            int(
                self._codes.nbytes + self._owners.nbytes + self._orders.nbytes + self._starts.nbytes
            )
            + tail
        )
