"""AI-generation screening: real samples, one generated variant per signal, human images, and
malformed metadata."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import variants as v

from kiln.provenance.screening import screen_bytes

ROOT = Path(__file__).resolve().parents[2]

EXPECTED_MODEL = {
    "flux2_": "FLUX.2",
    "flux_": "FLUX.1",
    "ltxv_": "LTX-Video",
    "qwen_image_": "Qwen-Image",
    "sd3_": "Stable Diffusion 3",
    "sdxl_": "SDXL",
    "wan_": "Wan",
    "z_image_": "Z-Image",
}


def _models(res):
    return {f.model for f in res.findings if f.model}


def test_every_ai_sample_is_flagged_with_its_family(samples_dir):
    files = sorted((samples_dir / "ai").iterdir())
    assert len(files) >= 8
    for path in files:
        res = screen_bytes(path.read_bytes())
        assert res.verdict == "ai", path.name
        assert {f.generator for f in res.findings} == {"ComfyUI"}, path.name
        want = next(m for prefix, m in EXPECTED_MODEL.items() if path.name.startswith(prefix))
        assert want in _models(res), (path.name, _models(res))


def test_no_art_sample_is_flagged(samples_dir):
    files = sorted((samples_dir / "art").iterdir())
    assert files
    for path in files:
        res = screen_bytes(path.read_bytes())
        assert res.findings == [], (path.name, res.findings)


@pytest.mark.parametrize(
    ("make", "signal", "generator"),
    [
        (v.jpeg_webui_usercomment, "exif:UserComment", "Stable Diffusion WebUI"),
        (v.webp_webui_usercomment, "exif:UserComment", "Stable Diffusion WebUI"),
        (
            lambda: v.png_with_text({"parameters": v.WEBUI_PARAMS}),
            "png:parameters",
            "Stable Diffusion WebUI",
        ),
        (
            lambda: v.png_with_text(
                {"parameters": v.WEBUI_PARAMS.replace("v1.10.1", "f2.0.1v1.10.1")}
            ),
            "png:parameters",
            "Stable Diffusion WebUI Forge",
        ),
        (
            lambda: v.png_with_text({"sui_image_params": '{"prompt": "x", "model": "flux1-dev"}'}),
            "png:sui_image_params",
            "SwarmUI",
        ),
        (
            lambda: v.png_with_text({"invokeai_metadata": '{"model": {"name": "sdxl"}}'}),
            "png:invokeai_metadata",
            "InvokeAI",
        ),
        (
            lambda: v.png_with_text({"sd-metadata": '{"model": "stable diffusion"}'}),
            "png:sd-metadata",
            "InvokeAI",
        ),
        (
            lambda: v.png_with_text({"Dream": '"a cat" -s 50 -S 42 -W 512 -H 512'}),
            "png:Dream",
            "InvokeAI",
        ),
        (
            lambda: v.png_with_text(
                {
                    "Software": "NovelAI",
                    "Comment": json.dumps(
                        {"steps": 28, "sampler": "k_euler", "seed": 1, "uc": "lowres"}
                    ),
                }
            ),
            "png:Comment",
            "NovelAI",
        ),
        (
            lambda: v.png_with_text(
                {
                    "Comment": json.dumps(
                        {
                            "Prompt": "x",
                            "Performance": "Speed",
                            "Base Model": "juggernautXL",
                            "Version": "Fooocus v2.5.3",
                        }
                    )
                }
            ),
            "png:Comment",
            "Fooocus",
        ),
        (
            lambda: v.png_with_text({"Description": "a fox --ar 3:2 Job ID: 0a1b2c3d-4e5f-6789"}),
            "png:Description",
            "Midjourney",
        ),
        (lambda: v.jpeg_software("NovelAI"), "exif:Software", "NovelAI"),
        (lambda: v.jpeg_software("Midjourney v6"), "exif:Software", "Midjourney"),
        (
            lambda: v.jpeg_xmp(v.iptc("trainedAlgorithmicMedia")),
            "xmp:DigitalSourceType",
            "Unknown generator",
        ),
        (
            lambda: v.webp_xmp(v.iptc("trainedAlgorithmicMedia")),
            "xmp:DigitalSourceType",
            "Unknown generator",
        ),
        (
            lambda: v.jpeg_xmp("http://c2pa.org/digitalsourcetype/trainedAlgorithmicData"),
            "xmp:DigitalSourceType",
            "Unknown generator",
        ),
        (
            lambda: v.jpeg_xmp(v.iptc("trainedAlgorithmicMedia"), creator_tool="Adobe Firefly"),
            "xmp:DigitalSourceType",
            "Adobe Firefly",
        ),
        (lambda: v.watermarked_png("sdxl"), "watermark:dwtDct", "Stable Diffusion XL"),
        (
            lambda: v.watermarked_png("StableDiffusionV1"),
            "watermark:dwtDct",
            "Stable Diffusion 1.x",
        ),
        (lambda: v.watermarked_png("SDV2"), "watermark:dwtDct", "Stable Diffusion 2.x"),
        (
            lambda: v.stealth_png({"Software": "NovelAI", "Comment": '{"steps": 28}'}),
            "stealth:stealth_pngcomp",
            "NovelAI",
        ),
        (
            lambda: v.stealth_png({"Software": "NovelAI"}, magic="stealth_pnginfo"),
            "stealth:stealth_pnginfo",
            "NovelAI",
        ),
        (lambda: v.c2pa_signed(), "c2pa:action", "Adobe Firefly"),
        (lambda: v.c2pa_signed(claim_generator="ChatGPT", fmt="png"), "c2pa:action", "OpenAI"),
    ],
)
def test_each_signal_is_found(make, signal, generator):
    res = screen_bytes(make())
    hits = [(f.signal, f.generator) for f in res.findings]
    assert (signal, generator) in hits, (hits, res.errors)
    assert res.verdict == "ai"
    assert all(f.evidence for f in res.findings)


def test_comfyui_workflow_in_webp_exif():
    wf = json.dumps(
        {
            "nodes": [{"type": "UNETLoader", "widgets_values": ["flux1-dev.safetensors"]}],
            "links": [],
        }
    )
    api = json.dumps(
        {
            "3": {"class_type": "KSampler", "inputs": {"seed": 1}},
            "4": {"class_type": "UNETLoader", "inputs": {"unet_name": "flux1-dev"}},
        }
    )
    data = v._save(v.art(), "WEBP", exif=v.exif_bytes(Make="workflow:" + wf, Model="prompt:" + api))
    res = screen_bytes(data)
    assert {(f.signal, f.generator, f.model) for f in res.findings} == {
        ("exif:Make", "ComfyUI", "FLUX.1"),
        ("exif:Model", "ComfyUI", "FLUX.1"),
    }


@pytest.mark.parametrize(
    "make",
    [
        lambda: v.jpeg_xmp(v.iptc("compositeWithTrainedAlgorithmicMedia")),
        lambda: v.webp_xmp(v.iptc("compositeSynthetic")),
        lambda: v.c2pa_signed(
            v.iptc("compositeWithTrainedAlgorithmicMedia"), claim_generator="Adobe Photoshop 25.9"
        ),
    ],
)
def test_composite_gets_its_own_verdict(make):
    res = screen_bytes(make())
    assert res.verdict == "composite", (res.findings, res.errors)
    assert res.ai


@pytest.mark.parametrize(
    "make",
    [
        # Photoshop-style XMP, a camera, editors and exporters: no AI markers.
        lambda: v.jpeg_xmp(None),
        lambda: v.jpeg_xmp(v.iptc("digitalCapture"), creator_tool="Adobe Lightroom Classic 13.2"),
        lambda: v.jpeg_xmp(v.iptc("minorHumanEdits")),
        lambda: v.webp_xmp(v.iptc("digitalArt")),
        lambda: v.jpeg_software("Adobe Photoshop 25.0 (Windows)"),
        lambda: v.jpeg_software("GIMP 2.10.36"),
        lambda: v.jpeg_software("Procreate"),
        lambda: v._save(
            v.art(),
            "JPEG",
            exif=v.exif_bytes(Make="Canon", Model="EOS R5", Software="Firmware 1.8.1"),
        ),
        lambda: v.png_with_text(
            {"Software": "Krita", "Comment": "painted over two evenings", "Title": "Harbour"}
        ),
        lambda: v.png_with_text({"Software": "CLIP STUDIO PAINT", "Description": "study"}),
        lambda: v.c2pa_signed(
            v.iptc("digitalCapture"), claim_generator="Leica Camera", action="c2pa.created"
        ),
        lambda: v._save(v.art(alpha=True), "PNG"),
        lambda: v._save(v.art(1024, 768, seed=9), "PNG"),
    ],
)
def test_human_images_pass(make):
    res = screen_bytes(make())
    assert res.findings == [], res.findings


# --- malformed metadata: no crash, and the other signals still show ------------------------------
def test_corrupt_exif_does_not_hide_xmp():
    good = v.jpeg_xmp(v.iptc("trainedAlgorithmicMedia"))
    bad_exif = b"Exif\0\0MM\0*\xff\xff\xff\xf0" + os.urandom(200)
    data = v.jpeg_insert_segment(good, 0xE1, bad_exif)
    res = screen_bytes(data)
    assert res.verdict == "ai"
    assert any(f.signal == "xmp:DigitalSourceType" for f in res.findings)


def test_exif_with_looping_and_out_of_range_offsets():
    tiff = (
        b"II*\0\x08\0\0\0"
        + b"\x02\0"
        + (
            b"\x31\x01\x02\0\xff\xff\0\0\xf0\xff\0\0"  # Software pointing far outside the block
            + b"\x69\x87\x04\0\x01\0\0\0\x08\0\0\0"  # Exif IFD pointing back at IFD0
        )
    )
    data = v.jpeg_insert_segment(v.jpeg_webui_usercomment(), 0xE1, b"Exif\0\0" + tiff)
    res = screen_bytes(data)
    assert any(f.signal == "exif:UserComment" for f in res.findings)


def test_giant_xmp_packet():
    packet = v.xmp_packet(v.iptc("trainedAlgorithmicMedia")).decode()
    giant = packet.replace(
        "photoshop:ColorMode", 'xmp:Junk="' + "A" * 20_000_000 + '"\n photoshop:ColorMode'
    )
    data = v.png_insert_chunks(
        v.png_with_text({"parameters": v.WEBUI_PARAMS}),
        v.png_chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0" + giant.encode()),
    )
    res = screen_bytes(data)
    assert {"xmp:DigitalSourceType", "png:parameters"} <= {f.signal for f in res.findings}


def test_ten_megabyte_text_chunk_does_not_hide_others():
    junk = v.png_chunk(b"tEXt", b"Comment\0" + b"x" * 10_000_000)
    data = v.png_insert_chunks(v.png_with_text({"parameters": v.WEBUI_PARAMS}), junk)
    res = screen_bytes(data)
    assert any(f.signal == "png:parameters" for f in res.findings)


def test_broken_c2pa_box_still_reports_source_type_and_other_signals():
    signed = v.c2pa_signed()
    # Flip bytes inside the JUMBF payload, after the 'c2pa' label: the Reader now rejects it.
    at = signed.find(b"c2pa.signature")
    broken = signed[:at] + b"\x00" * 64 + signed[at + 64 :]
    # exif_bytes() already starts with the "Exif\0\0" APP1 header.
    broken = v.jpeg_insert_segment(
        broken, 0xE1, v.exif_bytes(UserComment=v.user_comment(v.WEBUI_PARAMS))
    )
    res = screen_bytes(broken)
    sigs = {f.signal for f in res.findings}
    assert "exif:UserComment" in sigs
    assert sigs & {"c2pa:action", "c2pa:unverified"}


def test_truncated_file_and_garbage_never_raise():
    for data in [b"", b"\x89PNG\r\n\x1a\n\0\0", v.jpeg_webui_usercomment()[:300], os.urandom(4096)]:
        res = screen_bytes(data)
        assert isinstance(res.findings, list)


def test_cli_scan_prints_json_lines_without_django(samples_dir, tmp_path):
    human = tmp_path / "human.jpg"
    human.write_bytes(v.jpeg_xmp(None))
    ai = samples_dir / "ai" / "sdxl_sdxl_simple_example.png"
    env = {k: val for k, val in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(
        [sys.executable, "-m", "kiln.provenance", "scan", str(ai), str(human)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.splitlines()
    rows = [json.loads(line) for line in out]
    assert [r["file"] for r in rows] == [str(ai), str(human)]
    assert rows[0]["ai"] is True and rows[0]["findings"][0]["generator"] == "ComfyUI"
    assert set(rows[0]["findings"][0]) >= {"signal", "generator", "evidence"}
    assert rows[1] == {"file": str(human), "ai": False, "verdict": "clean", "findings": []}


def test_avif_with_webui_exif_and_xmp():
    import io

    buf = io.BytesIO()
    v.art().save(
        buf,
        "AVIF",
        quality=60,
        exif=v.exif_bytes(UserComment=v.user_comment(v.WEBUI_PARAMS)),
        xmp=v.xmp_packet(v.iptc("trainedAlgorithmicMedia")),
    )
    res = screen_bytes(buf.getvalue())
    assert {f.signal for f in res.findings} == {"exif:UserComment", "xmp:DigitalSourceType"}
    plain = io.BytesIO()
    v.art().save(plain, "AVIF", quality=60)
    assert screen_bytes(plain.getvalue()).findings == []


def test_comfyui_graph_moved_into_jpeg_usercomment(samples_dir):
    """A converter re-saved a ComfyUI PNG as JPEG, carrying the prompt JSON in UserComment."""
    from PIL import Image

    src = Image.open(samples_dir / "ai" / "flux_flux_dev_example.png")
    graph = src.info["prompt"]
    data = v._save(
        src.convert("RGB"), "JPEG", quality=85, exif=v.exif_bytes(UserComment=v.user_comment(graph))
    )
    res = screen_bytes(data)
    assert [(f.signal, f.generator, f.model) for f in res.findings] == [
        ("exif:UserComment", "ComfyUI", "FLUX.1")
    ]
