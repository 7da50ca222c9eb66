"""Process evidence (issue 17): layered files and WIP stages, checked against the work."""

from __future__ import annotations

import io
import plistlib
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from PIL import Image
from test_services import ai_png, art_png

from kiln.core.access import AccessDenied
from kiln.core.procedural import artwork
from kiln.provenance import layered, process
from kiln.provenance.models import Appeal, ProcessEvidence


def _png_bytes(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def kra_file(merged: bytes, layers: int = 3, extra: dict | None = None) -> bytes:
    """A minimal Krita document: mimetype, maindoc.xml with `layers` layers, the merged PNG."""
    nodes = "".join(
        f'<layer name="Layer {i}" filename="layer{i}" nodetype="paintlayer"/>'
        for i in range(layers)
    )
    doc = f'<?xml version="1.0"?><DOC xmlns="http://www.calligra.org/DTD/krita"><IMAGE><layers>{nodes}</layers></IMAGE></DOC>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/x-krita")
        z.writestr("maindoc.xml", doc)
        z.writestr("mergedimage.png", merged)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def ora_file(layers: list[Image.Image], merged: bool) -> bytes:
    w, h = layers[0].size
    stack = "".join(
        f'<layer src="data/{i}.png" name="L{i}" x="0" y="0"/>' for i in reversed(range(len(layers)))
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "image/openraster")
        z.writestr("stack.xml", f'<image w="{w}" h="{h}"><stack>{stack}</stack></image>')
        for i, im in enumerate(layers):
            z.writestr(f"data/{i}.png", _png_bytes(im))
        if merged:
            z.writestr("mergedimage.png", _png_bytes(layers[-1]))
    return buf.getvalue()


def psd_with_layer_count(n: int) -> bytes:
    """A PSD header whose layer-info section claims `n` layers (the records need not follow)."""
    head = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, 64, 64, 8, 3)
    return (
        head
        + struct.pack(">I", 0)
        + struct.pack(">I", 0)
        + struct.pack(">IIh", 100, 96, n)
        + b"\0" * 96
    )


def work_png(seed: int = 3) -> bytes:
    return art_png(seed=seed)


# ------------------------------------------------------------------ parsing (no database)
def test_kra_is_counted_and_flattened():
    p = layered.parse_layered(kra_file(work_png(), layers=4), "cat.kra")
    assert (p.fmt, p.layers) == ("kra", 4)
    assert p.flat.shape == (360, 480, 3)


def test_ora_without_merged_image_is_composited():
    base = artwork(7, 200, 150).convert("RGBA")
    top = Image.new("RGBA", (200, 150), (0, 0, 0, 0))
    top.paste((255, 0, 0, 255), (10, 10, 60, 60))
    p = layered.parse_layered(ora_file([base, top], merged=False), "x.ora")
    assert (p.fmt, p.layers) == ("ora", 2)
    assert tuple(p.flat[30, 30]) == (255, 0, 0)  # the top layer is on top
    assert tuple(p.flat[100, 150]) == tuple(base.convert("RGB").getpixel((150, 100)))


def psd_file(top: Image.Image) -> bytes:
    """A two-layer PSD made with psd-tools: a flat background under the work."""
    from psd_tools import PSDImage
    from psd_tools.api.layers import PixelLayer

    psd = PSDImage.new("RGB", top.size)
    psd.append(PixelLayer.frompil(Image.new("RGB", top.size, (250, 250, 250)), psd))
    psd.append(PixelLayer.frompil(top, psd))
    buf = io.BytesIO()
    psd.save(buf)
    return buf.getvalue()


def test_real_psd_via_psd_tools():
    p = layered.parse_layered(psd_file(artwork(4, 128, 96).convert("RGB")), "a.psd")
    assert (p.fmt, p.layers) == ("psd", 2) and p.flat.shape == (96, 128, 3)


def test_psd_with_10000_layers_is_refused_before_parsing():
    with pytest.raises(layered.ProcessError, match="10000 layers"):
        layered.parse_layered(psd_with_layer_count(10000), "big.psd")
    assert layered.psd_layer_count(psd_with_layer_count(-12)) == 12  # negative: alpha merged


def test_kra_with_10000_layers_is_refused():
    with pytest.raises(layered.ProcessError, match="10000 layers"):
        layered.parse_layered(kra_file(work_png(), layers=10000), "many.kra")


def test_zip_bomb_inside_kra_is_refused_without_inflating():
    bomb = b"\0" * (5 * 1024 * 1024)  # deflates to ~5 KB: a 1000-fold ratio
    with pytest.raises(layered.ProcessError, match="zip bomb"):
        layered.parse_layered(kra_file(work_png(), extra={"layers/bomb": bomb}), "b.kra")


@pytest.mark.parametrize("name", ["../../etc/passwd", "/abs/path", "a/../../b", "C:/x", "..\\win"])
def test_path_traversal_is_refused(name):
    with pytest.raises(layered.ProcessError, match="unsafe path"):
        layered.parse_layered(kra_file(work_png(), extra={name: b"x"}), "t.kra")


@pytest.mark.parametrize(
    "data,name,msg",
    [
        (b"hello", "x.kra", "none of them"),
        (b"PK\x03\x04garbage", "x.kra", "damaged"),
        (b"8BPS\0\1", "x.psd", "truncated"),
    ],
)
def test_broken_files_get_a_clear_error(data, name, msg):
    with pytest.raises(layered.ProcessError, match=msg):
        layered.parse_layered(data, name)


def test_xml_entities_are_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("maindoc.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><DOC>&a;</DOC>')
        z.writestr("mergedimage.png", work_png())
    with pytest.raises(layered.ProcessError, match="entities"):
        layered.parse_layered(buf.getvalue(), "e.kra")


def _stages(final: Image.Image, n: int) -> list[Image.Image]:
    """The picture painted from the top down on a blank canvas, one band per stage."""
    out = []
    for i in range(1, n + 1):
        stage = Image.new("RGB", final.size, (245, 245, 240))
        band = final.crop((0, 0, final.width, final.height * i // n))
        stage.paste(band, (0, 0))
        out.append(stage)
    return out


def test_stages_rise_towards_the_work():
    final = artwork(3, 480, 360).convert("RGB")
    sims = layered.check_stages([_a(s) for s in _stages(final, 4)], _a(final))
    assert sims == sorted(sims) and sims[-1] > 0.99


def test_stages_out_of_order_or_misaligned_are_refused():
    final = artwork(3, 480, 360).convert("RGB")
    stages = [_a(s) for s in _stages(final, 3)]
    with pytest.raises(layered.ProcessError, match="order"):
        layered.check_stages([stages[2], stages[0]], _a(final))
    with pytest.raises(layered.ProcessError, match="line up"):
        layered.check_stages([_a(final.resize((300, 300))), stages[2]], _a(final))
    with pytest.raises(layered.ProcessError, match="2 to 10"):
        layered.check_stages(stages[:1], _a(final))
    other = _a(artwork(99, 480, 360).convert("RGB"))
    with pytest.raises(layered.ProcessError, match="does not look like"):
        layered.check_stages([other, other], _a(final))


def _a(im):
    import numpy as np

    return np.asarray(im)


# ------------------------------------------------------------------ services (database)
def _private_keys():
    try:
        return set(storages["private"].listdir("process")[1])
    except FileNotFoundError:
        return set()


def test_matching_kra_verifies_the_work(artist, upload):
    asset = upload(artist, work_png())
    ev = process.process_layered_attach(
        user=artist, asset=asset, upload=kra_file(work_png()), filename="w.kra"
    )
    assert (ev.file_format, ev.layer_count) == ("kra", 3)
    assert ev.hash_distance <= 8 and ev.match_score > 0.95
    assert storages["private"].exists(ev.file_keys[0])
    assert not Appeal.objects.exists()  # the work was not held: nothing to appeal


def test_held_work_gets_an_appeal_with_the_evidence(artist, upload):
    asset = upload(artist, ai_png())
    merged = _png_bytes(artwork(5, 320, 240).convert("RGB"))  # the same pixels, no metadata
    process.process_layered_attach(
        user=artist, asset=asset, upload=kra_file(merged), filename="w.kra"
    )
    appeal = Appeal.objects.get()
    assert "match score" in appeal.message and appeal.state == "open"


def test_released_on_evidence_is_not_labelled_ai(artist, upload, django_user_model):
    """Staff who accept the appeal on verified process evidence overrule the finding: the
    portfolio then shows "process verified", never an "AI-generated" label beside it."""
    from kiln.provenance import selectors, services

    asset = upload(artist, ai_png())
    merged = _png_bytes(artwork(5, 320, 240).convert("RGB"))
    process.process_layered_attach(
        user=artist, asset=asset, upload=kra_file(merged), filename="w.kra"
    )
    staff = django_user_model.objects.create_user("mod", "mod@example.com", "pw", is_staff=True)
    services.appeal_decide(staff=staff, appeal=Appeal.objects.get(), accept=True)
    assert selectors.ai_labels(asset_ids=[asset.pk]) == {}

    # Released without evidence, the finding still stands as a label.
    other = upload(artist, ai_png())
    screening = other.screening
    appeal = services.appeal_create(user=artist, screening=screening, message="It's mine")
    services.appeal_decide(staff=staff, appeal=appeal, accept=True)
    assert selectors.ai_labels(asset_ids=[other.pk]) == {other.pk: "AI-generated"}


@pytest.mark.parametrize(
    "make",
    [
        lambda: kra_file(art_png(seed=44)),  # another picture
        lambda: kra_file(work_png(), extra={"../evil": b"x"}),
        lambda: kra_file(work_png(), extra={"bomb": b"\0" * (5 * 1024 * 1024)}),
        lambda: kra_file(work_png(), layers=10000),
        lambda: psd_with_layer_count(10000),
    ],
    ids=["mismatch", "traversal", "zip-bomb", "10000-layers-kra", "10000-layers-psd"],
)
def test_bad_evidence_is_refused_and_leaves_nothing(artist, upload, make):
    asset = upload(artist, work_png())
    before = _private_keys()
    with pytest.raises(ValidationError):
        process.process_layered_attach(user=artist, asset=asset, upload=make(), filename="x.kra")
    assert not ProcessEvidence.objects.exists()
    assert _private_keys() == before
    assert not Appeal.objects.exists()


def test_mismatch_message_says_why(artist, upload):
    asset = upload(artist, work_png())
    with pytest.raises(ValidationError, match="does not match the work"):
        process.process_layered_attach(
            user=artist, asset=asset, upload=kra_file(art_png(seed=44)), filename="x.kra"
        )


def test_only_the_artist_can_attach(artist, thief, staff, upload):
    asset = upload(artist, work_png())
    for user in (thief, staff):
        with pytest.raises(AccessDenied):
            process.process_layered_attach(
                user=user, asset=asset, upload=kra_file(work_png()), filename="w.kra"
            )
    assert not ProcessEvidence.objects.exists()


def test_stages_service(artist, upload):
    final = artwork(3, 480, 360).convert("RGB")
    asset = upload(artist, _png_bytes(final))
    ev = process.process_stages_attach(
        user=artist, asset=asset, uploads=[_png_bytes(s) for s in _stages(final, 3)]
    )
    assert ev.stage_count == 3 and len(ev.file_keys) == 3
    before = _private_keys()
    with pytest.raises(ValidationError, match="2 to 10"):
        process.process_stages_attach(user=artist, asset=asset, uploads=[_png_bytes(final)] * 11)
    assert _private_keys() == before and ProcessEvidence.objects.count() == 1


# ------------------------------------------------------------------ views
def test_attach_page_is_the_artists_only(client, artist, thief, staff, upload, make_user):
    from kiln.social.services import block_create

    asset = upload(artist, work_png())
    blocked = make_user("cy")
    block_create(blocker=artist, blocked=blocked)
    url = f"/provenance/assets/{asset.pk}/process"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (thief, staff, blocked):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"layered": io.BytesIO(kra_file(work_png()))}).status_code == 404
    client.force_login(artist)
    assert client.get(url).status_code == 200
    f = io.BytesIO(kra_file(art_png(seed=44)))
    f.name = "other.kra"
    r = client.post(url, {"layered": f}, follow=True)
    assert "does not match the work" in r.content.decode()
    f = io.BytesIO(kra_file(work_png()))
    f.name = "mine.kra"
    r = client.post(url, {"layered": f}, follow=True)
    assert "Process verified" in r.content.decode()
    assert ProcessEvidence.objects.filter(asset=asset).count() == 1


def test_mark_on_the_post_page_only_when_verified(client, artist, upload):
    from kiln.posts.services import post_create

    asset = upload(artist, work_png())
    post = post_create(author=artist, text="piece", attachments=[(asset, "alt")])
    url = f"/@{artist.username}/posts/{post.pk}"
    assert "process-mark" not in client.get(url).content.decode()
    process.process_layered_attach(
        user=artist, asset=asset, upload=kra_file(work_png()), filename="w.kra"
    )
    assert "process-mark" in client.get(url).content.decode()  # anonymous reader sees it


def test_protection_page_says_what_screening_cannot_see(client, db):
    body = client.get("/protection").content.decode()
    assert "What upload screening can and cannot see" in body
    assert "stripped" in body and "does not use it" in body
    # The pixel signal's measured figures (docs/decisions/pixel.md, bench/pixel_screen.py).
    assert "none of the 68 stripped" in body and "one in eight" in body
    assert "C2PA" in body and "metadata" in body
    # What process evidence checks, and what it cannot (Procreate's tiles).
    assert "timelapse video" in body and "Document.archive" in body
    assert "cannot check that the layers add up" in body


# ------------------------------------------------------------------ Procreate
def procreate_archive(uuids: list[str], size=(480, 360)) -> bytes:
    """Document.archive as NSKeyedArchiver writes it: objects that point at each other by UID."""
    from plistlib import UID

    objects: list = ["$null"]
    root = {"$class": UID(0), "size": None, "layers": None, "name": "cat"}
    objects.append(root)
    root["size"] = UID(len(objects))
    objects.append(f"{{{size[0]}, {size[1]}}}")
    layer_uids = []
    for uuid in uuids:
        objects.append(uuid)
        objects.append({"UUID": UID(len(objects) - 1), "name": "Layer", "hidden": False})
        layer_uids.append(UID(len(objects) - 1))
    root["layers"] = UID(len(objects))
    objects.append({"NS.objects": layer_uids})
    archive = {"$archiver": "NSKeyedArchiver", "$version": 100000, "$top": {"root": UID(1)}}
    archive["$objects"] = objects
    return plistlib.dumps(archive, fmt=plistlib.FMT_BINARY)


def procreate_file(thumb: bytes, layers: int = 3, tiled: int = 2, archive=None, extra=None):
    uuids = [f"{i:08X}-0000-4000-8000-000000000000" for i in range(layers)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Document.archive", archive if archive is not None else procreate_archive(uuids))
        z.writestr("QuickLook/Thumbnail.png", thumb)
        for uuid in uuids[:tiled]:
            z.writestr(f"{uuid}/0~0.chunk", b"lzo tile")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def test_procreate_layers_are_counted_from_its_archive():
    p = layered.parse_layered(procreate_file(work_png(), layers=5, tiled=3), "cat.procreate")
    assert (p.fmt, p.layers) == ("procreate", 5)
    assert "3 of 5 layers have painted tiles" in p.note and p.flat.shape == (360, 480, 3)


@pytest.mark.parametrize(
    "make,msg",
    [
        (lambda: procreate_file(work_png(), archive=b"not a plist"), "could not be read"),
        (lambda: procreate_file(work_png(), archive=plistlib.dumps({"a": 1})), "could not be read"),
        (lambda: procreate_file(work_png(), layers=10000, tiled=0), "10000 layers"),
        (
            lambda: procreate_file(work_png(), extra={"FFFF-stray/0~0.chunk": b"x"}),
            "does not list",
        ),
        (lambda: procreate_file(_png_bytes(Image.new("RGB", (100, 300)))), "proportions"),
    ],
    ids=["not-a-plist", "wrong-shape", "10000-layers", "stray-tiles", "preview-misshapen"],
)
def test_bad_procreate_files_get_a_clear_error(make, msg):
    with pytest.raises(layered.ProcessError, match=msg):
        layered.parse_layered(make(), "x.procreate")


def test_matching_procreate_verifies_the_work(artist, upload):
    asset = upload(artist, work_png())
    ev = process.process_layered_attach(
        user=artist,
        asset=asset,
        upload=procreate_file(work_png(), layers=4),
        filename="w.procreate",
    )
    assert (ev.file_format, ev.layer_count) == ("procreate", 4)
