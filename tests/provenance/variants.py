"""Writes test images carrying each AI-generation signal, and human images that must pass.

Everything is generated in code: no sample files are committed.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import struct
import zlib

import numpy as np
from PIL import Image, PngImagePlugin

WEBUI_PARAMS = (
    "a lighthouse at dusk, oil painting\n"
    "Negative prompt: blurry\n"
    "Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234567, Size: 768x512, "
    "Model hash: 31e35c80fc, Model: sd_xl_base_1.0, Version: v1.10.1"
)

SDXL_BITS = [int(b) for b in bin(0xB3EC907BB19E)[2:].zfill(48)]


def art(w: int = 512, h: int = 384, seed: int = 0, alpha: bool = False) -> Image.Image:
    """A busy, painterly test picture (watermarks need texture to survive quantisation)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    chans = []
    for _ in range(3):
        fx, fy, ph = rng.uniform(0.01, 0.08, 2).tolist() + [rng.uniform(0, 6.28)]
        chans.append(127 + 80 * np.sin(x * fx + ph) * np.cos(y * fy) + rng.normal(0, 18, (h, w)))
    rgb = np.clip(np.stack(chans, -1), 0, 255).astype(np.uint8)
    im = Image.fromarray(rgb, "RGB")
    return im.convert("RGBA") if alpha else im


def _save(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def png_with_text(chunks: dict[str, str], im: Image.Image | None = None) -> bytes:
    info = PngImagePlugin.PngInfo()
    for k, v in chunks.items():
        info.add_text(k, v)
    return _save(im or art(), "PNG", pnginfo=info)


def user_comment(text: str) -> bytes:
    # What piexif.helper.UserComment.dump(..., encoding="unicode") writes (A1111 does this).
    return b"UNICODE\0" + text.encode("utf-16-be")


def exif_bytes(**tags) -> bytes:
    ex = Image.Exif()
    ids = {"Software": 0x0131, "ImageDescription": 0x010E, "Make": 0x010F, "Model": 0x0110}
    for name, value in tags.items():
        if name == "UserComment":
            ex.get_ifd(0x8769)[0x9286] = value
        else:
            ex[ids[name]] = value
    return ex.tobytes()


def jpeg_webui_usercomment() -> bytes:
    return _save(art(), "JPEG", quality=90, exif=exif_bytes(UserComment=user_comment(WEBUI_PARAMS)))


def webp_webui_usercomment() -> bytes:
    return _save(art(), "WEBP", quality=90, exif=exif_bytes(UserComment=user_comment(WEBUI_PARAMS)))


def jpeg_software(name: str) -> bytes:
    return _save(art(), "JPEG", quality=90, exif=exif_bytes(Software=name))


def xmp_packet(source_type: str | None, creator_tool: str = "Adobe Photoshop 25.0") -> bytes:
    dst = f'\n   Iptc4xmpExt:DigitalSourceType="{source_type}"' if source_type else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 9.1-c002">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '   xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        '   xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"\n'
        '   xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"\n'
        f'   xmp:CreatorTool="{creator_tool}"\n'
        '   xmp:CreateDate="2024-03-01T10:00:00+01:00"\n'
        f'   photoshop:ColorMode="3"{dst}/>\n'
        " </rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def jpeg_xmp(source_type: str | None, creator_tool: str = "Adobe Photoshop 25.0") -> bytes:
    return _save(art(), "JPEG", quality=90, xmp=xmp_packet(source_type, creator_tool))


def webp_xmp(source_type: str | None) -> bytes:
    return _save(art(), "WEBP", quality=90, xmp=xmp_packet(source_type))


def iptc(code: str) -> str:
    return f"http://cv.iptc.org/newscodes/digitalsourcetype/{code}"


def watermarked_png(message: str) -> bytes:
    """Embeds the reference message with invisible-watermark's own encoder, as SD scripts do."""
    import cv2
    from imwatermark import WatermarkEncoder

    enc = WatermarkEncoder()
    if message == "sdxl":
        enc.set_watermark("bits", SDXL_BITS)
    else:
        enc.set_watermark("bytes", message.encode())
    bgr = cv2.cvtColor(np.asarray(art(768, 512, seed=3)), cv2.COLOR_RGB2BGR)
    out = enc.encode(bgr, "dwtDct")
    return _save(Image.fromarray(cv2.cvtColor(out, cv2.COLOR_BGR2RGB)), "PNG")


def stealth_png(payload: dict, magic: str = "stealth_pngcomp") -> bytes:
    """NovelAI stealth metadata: alpha LSBs, column by column, magic + 32-bit length + data."""
    data = json.dumps(payload).encode()
    if magic.endswith("comp"):
        data = gzip.compress(data)
    bits = np.unpackbits(
        np.frombuffer(magic.encode() + struct.pack(">I", len(data) * 8) + data, dtype=np.uint8)
    )
    im = art(512, 384, alpha=True)
    px = np.array(im)
    alpha = px[:, :, 3].T.copy().ravel()  # column-major order
    alpha[: bits.size] = (alpha[: bits.size] & 0xFE) | bits
    px[:, :, 3] = alpha.reshape(px.shape[1], px.shape[0]).T
    return _save(Image.fromarray(px, "RGBA"), "PNG")


def _test_certificates() -> tuple[bytes, bytes]:
    """A throwaway CA and an ES256 end-entity certificate shaped as C2PA signers need."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Kiln Test Root CA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kiln tests"),
        ]
    )
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Kiln Test Signer"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kiln tests"),
        ]
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    chain = leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(
        serialization.Encoding.PEM
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return chain, pem_key


def c2pa_signed(
    source_type: str = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
    claim_generator: str = "Adobe_Firefly/3.0",
    action: str = "c2pa.created",
    fmt: str = "jpeg",
) -> bytes:
    import c2pa

    chain, key = _test_certificates()
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(
            alg=c2pa.C2paSigningAlg.ES256, sign_cert=chain, private_key=key, ta_url=None
        )
    )
    manifest = {
        "claim_generator_info": [{"name": claim_generator, "version": "1.0"}],
        "title": "test image",
        "assertions": [
            {
                "label": "c2pa.actions.v2",
                "data": {
                    "actions": [
                        {
                            "action": action,
                            "digitalSourceType": source_type,
                            "softwareAgent": {"name": claim_generator},
                        }
                    ]
                },
            }
        ],
    }
    mime = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[fmt]
    src = io.BytesIO(_save(art(), fmt.upper(), **({"quality": 90} if fmt != "png" else {})))
    dest = io.BytesIO()
    with c2pa.Builder(manifest) as builder:
        builder.sign(signer, mime, src, dest)
    return dest.getvalue()


# --- malformed metadata -------------------------------------------------------------------------
def png_chunk(ctype: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + ctype
        + body
        + struct.pack(">I", zlib.crc32(ctype + body) & 0xFFFFFFFF)
    )


def png_insert_chunks(png: bytes, *chunks: bytes) -> bytes:
    """Insert chunks right after IHDR."""
    ihdr_end = 8 + 12 + struct.unpack(">I", png[8:12])[0]
    return png[:ihdr_end] + b"".join(chunks) + png[ihdr_end:]


def jpeg_insert_segment(jpeg: bytes, marker: int, body: bytes) -> bytes:
    seg = bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body
    return jpeg[:2] + seg + jpeg[2:]
