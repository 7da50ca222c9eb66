"""ComfyUI graphs wherever EXIF carries them: any text field, any encoding, any case of the
"workflow"/"prompt" prefix or wrapper key. And human metadata with braces still passes."""

import json

import pytest
import variants as v
from PIL import Image

from kiln.provenance.screening import screen_bytes

WORKFLOW = {
    "nodes": [{"type": "UNETLoader", "widgets_values": ["flux1-dev.safetensors"]}],
    "links": [],
}
API = {
    "3": {"class_type": "KSampler", "inputs": {"seed": 1}},
    "4": {"class_type": "UNETLoader", "inputs": {"unet_name": "flux1-dev"}},
}
WF, PROMPT = json.dumps(WORKFLOW), json.dumps(API)


def _jpeg(ifd0: dict | None = None, exif_ifd: dict | None = None) -> bytes:
    ex = Image.Exif()
    for tag, value in (ifd0 or {}).items():
        ex[tag] = value
    for tag, value in (exif_ifd or {}).items():
        ex.get_ifd(0x8769)[tag] = value
    return v._save(v.art(), "JPEG", quality=90, exif=ex.tobytes())


USER_COMMENT, IMAGE_DESCRIPTION, MAKE, MODEL, ARTIST, COPYRIGHT = (
    0x9286,
    0x010E,
    0x010F,
    0x0110,
    0x013B,
    0x8298,
)
XP_COMMENT, IMAGE_UNIQUE_ID, LENS_MODEL = 0x9C9C, 0xA420, 0xA434


@pytest.mark.parametrize(
    ("ifd0", "exif_ifd", "signal"),
    [
        # The reported misses: wrapped graphs in UserComment, ASCII and UTF-16BE.
        (
            {},
            {USER_COMMENT: b"ASCII\0\0\0" + json.dumps({"workflow": WORKFLOW}).encode()},
            "UserComment",
        ),
        (
            {},
            {USER_COMMENT: b"UNICODE\0" + json.dumps({"prompt": API}).encode("utf-16-be")},
            "UserComment",
        ),
        # The same, other byte order, no header, a BOM, an undefined header.
        (
            {},
            {USER_COMMENT: b"UNICODE\0" + json.dumps({"prompt": API}).encode("utf-16-le")},
            "UserComment",
        ),
        ({}, {USER_COMMENT: json.dumps({"Workflow": WORKFLOW}).encode("utf-16-be")}, "UserComment"),
        ({}, {USER_COMMENT: b"\0" * 8 + ("\ufeff" + PROMPT).encode("utf-16")}, "UserComment"),
        # Prefixes in any case.
        ({MAKE: "workflow:" + WF}, {}, "Make"),
        ({MAKE: "Workflow:" + WF}, {}, "Make"),
        ({MODEL: "PROMPT: " + PROMPT}, {}, "Model"),
        ({IMAGE_DESCRIPTION: "Prompt=" + PROMPT}, {}, "ImageDescription"),
        # A wrapper holding the graph as a JSON string, as ComfyUI's PNG chunks do.
        ({IMAGE_DESCRIPTION: json.dumps({"WORKFLOW": WF})}, {}, "ImageDescription"),
        # Text after other text, and fields nobody thought of.
        ({ARTIST: "exported by tool v2 " + WF}, {}, "Artist"),
        ({COPYRIGHT: json.dumps({"prompt": API})}, {}, "Copyright"),
        ({XP_COMMENT: json.dumps({"workflow": WORKFLOW}).encode("utf-16-le")}, {}, "XPComment"),
        ({}, {IMAGE_UNIQUE_ID: "workflow:" + WF}, "ImageUniqueID"),
        ({}, {LENS_MODEL: PROMPT}, "LensModel"),
    ],
    ids=[
        "usercomment-ascii-workflow-wrapper",
        "usercomment-utf16be-prompt-wrapper",
        "usercomment-utf16le-prompt-wrapper",
        "usercomment-utf16be-no-header",
        "usercomment-bom-undefined-header",
        "make-lowercase-prefix",
        "make-capitalised-prefix",
        "model-uppercase-prefix",
        "description-equals-prefix",
        "description-wrapper-holding-a-json-string",
        "artist-after-text",
        "copyright-wrapper",
        "xpcomment-utf16le",
        "exif-ifd-imageuniqueid",
        "exif-ifd-lensmodel-bare",
    ],
)
def test_comfyui_graph_in_any_exif_field_encoding_and_case(ifd0, exif_ifd, signal):
    res = screen_bytes(_jpeg(ifd0, exif_ifd))
    found = [(f.signal, f.generator, f.model) for f in res.findings]
    assert ("exif:" + signal, "ComfyUI", "FLUX.1") in found, (found, res.errors)
    assert res.verdict == "ai"


@pytest.mark.parametrize(
    ("ifd0", "exif_ifd"),
    [
        ({COPYRIGHT: "{c} 2024 Ana Example", IMAGE_DESCRIPTION: "study {no. 4}"}, {}),
        ({}, {USER_COMMENT: b"ASCII\0\0\0" + json.dumps({"prompt": "a harbour study"}).encode()}),
        ({}, {USER_COMMENT: b"UNICODE\0" + "notes: {palette: ochre}".encode("utf-16-be")}),
        ({ARTIST: "Ana", XP_COMMENT: "painted in {Krita}".encode("utf-16-le")}, {}),
        ({IMAGE_DESCRIPTION: "{" * 5000}, {}),  # deep junk: no RecursionError, no finding
    ],
)
def test_human_metadata_with_braces_passes(ifd0, exif_ifd):
    res = screen_bytes(_jpeg(ifd0, exif_ifd))
    assert res.findings == [], res.findings


def test_graph_nested_too_deep_is_an_error_not_a_crash():
    deep = '{"workflow": ' + "[" * 20_000 + "]" * 20_000 + "}"
    res = screen_bytes(_jpeg({IMAGE_DESCRIPTION: deep}))
    assert res.verdict == "clean"


def test_png_text_keys_are_case_insensitive():
    data = v.png_with_text({"Workflow": WF, "PROMPT": PROMPT})
    found = {(f.signal, f.generator) for f in screen_bytes(data).findings}
    assert {("png:Workflow", "ComfyUI"), ("png:PROMPT", "ComfyUI")} <= found
