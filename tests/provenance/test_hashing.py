"""The hash index against brute force, the vectorised watermark decoder against the package's,
and the index following the database."""

import numpy as np
import pytest

from kiln.provenance import hashing
from kiln.provenance.screening.pixels import block_bits, decode_bits


def _near(rng, code, max_flips):
    bits = np.unpackbits(code)
    bits[rng.choice(256, int(rng.integers(0, max_flips)), replace=False)] ^= 1
    return np.packbits(bits)


def test_multi_index_hashing_equals_brute_force():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 256, (6000, 32), dtype=np.uint8)
    owners = np.arange(6000) // 3
    idx = hashing.HashIndex(31)
    idx.add_many(owners[:4000], codes[:4000])
    idx.compact()  # sorted tables ...
    idx.add_many(owners[4000:], codes[4000:])  # ... plus an unsorted tail
    idx.remove(5)
    for _ in range(150):
        q = _near(rng, codes[rng.integers(0, 6000)], 45)
        d = np.bitwise_count(codes ^ q).sum(axis=1)
        want: dict[int, int] = {}
        for i in np.nonzero(d <= 31)[0]:
            o = int(owners[i])
            if o != 5:
                want[o] = min(want.get(o, 999), int(d[i]))
        assert idx.search([q.tobytes()]) == want


def test_radius_over_31_is_refused():
    with pytest.raises(ValueError, match="31"):
        hashing.HashIndex(40)


def test_hash_hex_parser():
    assert hashing.hash_from_hex("AB" * 32) == bytes([0xAB]) * 32
    for bad in ["", "ab", "g" * 64, "0" * 63]:
        with pytest.raises(ValueError):
            hashing.hash_from_hex(bad)


def test_vectorised_watermark_decoder_matches_the_package():
    import cv2
    from imwatermark import WatermarkDecoder, WatermarkEncoder

    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (320, 400, 3), dtype=np.uint8)
    bits = rng.integers(0, 2, 48).tolist()
    enc = WatermarkEncoder()
    enc.set_watermark("bits", bits)
    bgr = enc.encode(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), "dwtDct")
    ref = WatermarkDecoder("bits", 48).decode(bgr, "dwtDct")
    mine = decode_bits(block_bits(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)), 48)
    assert list(mine.astype(int)) == [int(b) for b in ref]


def test_index_is_rebuilt_from_the_database(client, artist, upload, publish):
    from test_services import art_png

    from kiln.provenance import index

    publish(artist, upload(artist, art_png(seed=72)))
    exact = hashing.index_hashes(art_png(seed=72))[0].hex
    index.reset()  # a fresh process
    resp = client.get("/api/registry/v1/lookup", {"pdq": exact}).json()
    assert resp["match"] is True and resp["distance"] == 0
