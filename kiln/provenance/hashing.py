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

MIN_QUALITY = 50  # PDQ's own advice: below this the hash is not meaningful
DEFAULT_RADIUS = 31
HASH_SIDE = 512  # PDQ works on 64x64 after its own filter; pre-shrinking is 30x faster
CROP_SCALES = (0.95,)
CROP_ANCHORS = (0.0, 0.5, 1.0)


@dataclass(frozen=True)
class PdqHash:
    bits: bytes  # 32 bytes, PDQ bit 0 first (same order as its hex form)
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
    # pdqhash returns the 256 bits in the reference order; the canonical hex form writes
    # bit 255 first, so pack reversed to agree with other PDQ implementations.
    return np.packbits(np.asarray(bits, dtype=np.uint8)[::-1]).tobytes()


def load_rgb(source) -> np.ndarray:
    """RGB uint8 array from a path, bytes, PIL image or array; first frame; shrunk for hashing."""
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
    im.draft("RGB", (HASH_SIDE * 2, HASH_SIDE * 2))  # JPEG: decode at reduced size
    im = ImageOps.exif_transpose(im)
    if im.mode != "RGB":
        bg = Image.new("RGB", im.size, (255, 255, 255))
        rgba = im.convert("RGBA")
        bg.paste(rgba, mask=rgba.getchannel("A"))
        im = bg
    if max(im.size) > HASH_SIDE:
        im = im.copy()
        im.thumbnail((HASH_SIDE, HASH_SIDE), Image.Resampling.BILINEAR)
    return np.asarray(im)


def trim_borders(rgb: np.ndarray, tol: float = 12.0, max_frac: float = 0.3) -> np.ndarray:
    """Cut away uniform bands (padding, letterboxing) on each side."""
    h, w = rgb.shape[:2]
    a = rgb.astype(np.int16)

    def band(lines: np.ndarray, ref: np.ndarray, limit: int) -> int:
        # lines: (n, L, 3) in scan order from the edge inward
        dev = np.abs(lines - ref).max(axis=2)
        ok = (dev > tol).mean(axis=1) <= 0.02  # allow a few noisy pixels (JPEG ringing)
        n = 0
        while n < min(limit, ok.shape[0]) and ok[n]:
            n += 1
        return n

    ref_top, ref_bot = a[0].mean(axis=0), a[-1].mean(axis=0)
    top = band(a[: int(h * max_frac)], ref_top, int(h * max_frac))
    bot = band(a[::-1][: int(h * max_frac)], ref_bot, int(h * max_frac))
    at = np.transpose(a, (1, 0, 2))
    left = band(at[: int(w * max_frac)], a[:, 0].mean(axis=0), int(w * max_frac))
    right = band(at[::-1][: int(w * max_frac)], a[:, -1].mean(axis=0), int(w * max_frac))
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
    return out


def query_hashes(source) -> list[PdqHash]:
    """Hashes to look up for an upload: the 8 dihedral transforms of the trimmed image."""
    import pdqhash

    rgb = trim_borders(load_rgb(source))
    hashes, quality = pdqhash.compute_dihedral(np.ascontiguousarray(rgb))
    if int(quality) < MIN_QUALITY:
        return []
    return [PdqHash(_pack(b), int(quality), f"dihedral-{i}") for i, b in enumerate(hashes)]


def hamming(a: bytes, b: bytes) -> int:
    return int.from_bytes(a, "big").__xor__(int.from_bytes(b, "big")).bit_count()


class HashIndex:
    """Hamming-radius search over 256-bit hashes, each tagged with an owner key (a work id).

    faiss IndexBinaryMultiHash splits a hash into 16 substrings of 16 bits; two hashes within
    distance 31 must agree on some substring up to 1 flipped bit (pigeonhole), so probing
    each substring with nflip=1 is exact for radius <= 31, and only touches a few thousand
    candidates at a million entries. Removal is by tombstone; `compact()` rebuilds.
    """

    NHASH, BITS = 16, 16

    def __init__(self, radius: int = DEFAULT_RADIUS):
        import faiss

        self.radius = radius
        self._faiss = faiss
        self._lock = threading.RLock()
        self._new_index()
        self._owners: list[int] = []
        self._dead: set[int] = set()  # owner keys removed since the last rebuild
        self._rows: dict[int, list[int]] = {}

    def _new_index(self) -> None:
        self.index = self._faiss.IndexBinaryMultiHash(256, self.NHASH, self.BITS)
        # Exact up to radius NHASH*(nflip+1)-1.
        self.index.nflip = max(0, (self.radius + 1 + self.NHASH - 1) // self.NHASH - 1)

    def __len__(self) -> int:
        return len(self._owners)

    def add(self, owner: int, hashes: Iterable[bytes]) -> None:
        codes = [h for h in hashes if len(h) == 32]
        if not codes:
            return
        arr = np.frombuffer(b"".join(codes), dtype=np.uint8).reshape(-1, 32)
        with self._lock:
            self._dead.discard(owner)
            start = len(self._owners)
            self.index.add(arr)
            self._owners.extend([owner] * len(codes))
            self._rows.setdefault(owner, []).extend(range(start, start + len(codes)))

    def add_many(self, owners: np.ndarray, codes: np.ndarray) -> None:
        """Bulk load: owners (n,) int64, codes (n, 32) uint8."""
        with self._lock:
            start = len(self._owners)
            self.index.add(np.ascontiguousarray(codes, dtype=np.uint8))
            self._owners.extend(int(o) for o in owners)
            for i, o in enumerate(owners.tolist(), start):
                self._rows.setdefault(o, []).append(i)

    def remove(self, owner: int) -> None:
        with self._lock:
            if owner in self._rows:
                self._dead.add(owner)

    def search(self, hashes: Iterable[bytes], radius: int | None = None) -> dict[int, int]:
        """{owner: smallest distance} for every owner within the radius of any query hash."""
        radius = self.radius if radius is None else min(radius, self.radius)
        codes = [h for h in hashes if len(h) == 32]
        if not codes or not self._owners:
            return {}
        q = np.frombuffer(b"".join(codes), dtype=np.uint8).reshape(-1, 32)
        with self._lock:
            _lims, dist, ids = self.index.range_search(q, radius + 1)  # strict '<' in faiss
            best: dict[int, int] = {}
            for d, i in zip(dist.tolist(), ids.tolist(), strict=True):
                owner = self._owners[i]
                if owner in self._dead:
                    continue
                if d < best.get(owner, 1 << 30):
                    best[owner] = d
        return best

    def search_each(self, hashes: list[bytes], radius: int | None = None) -> list[tuple[int, int]]:
        """For each query hash, its nearest (owner, distance) within the radius, or (0, -1)."""
        radius = self.radius if radius is None else min(radius, self.radius)
        if not hashes or not self._owners:
            return [(0, -1)] * len(hashes)
        q = np.frombuffer(b"".join(hashes), dtype=np.uint8).reshape(-1, 32)
        out = []
        with self._lock:
            lims, dist, ids = self.index.range_search(q, radius + 1)
            for k in range(len(hashes)):
                best = (0, -1)
                for d, i in zip(
                    dist[lims[k] : lims[k + 1]], ids[lims[k] : lims[k + 1]], strict=True
                ):
                    owner = self._owners[int(i)]
                    if owner not in self._dead and (best[1] < 0 or d < best[1]):
                        best = (owner, int(d))
                out.append(best)
        return out

    def memory_bytes(self) -> int:
        """Serialized size of the faiss structure plus the owner table."""
        blob = self._faiss.serialize_index_binary(self.index)
        return int(blob.nbytes) + 8 * len(self._owners)
