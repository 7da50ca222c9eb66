"""The agreed licence, inside each delivered file.

XMP (IPTC/PLUS): `xmpRights:UsageTerms` with the terms, `plus:DataMining` prohibiting AI/ML
training, the licensor (the artist) and the licensee (the client); then a signed C2PA manifest
with the same terms (kiln.media.c2pa's signer and its `cawg.training-mining` assertion).

JPEG and PNG originals keep their pixels untouched: the XMP goes into its own segment (APP1)
or chunk (iTXt) and C2PA adds its own. Other formats are converted to PNG (lossless) first,
because the rights have to travel inside the file the client keeps.
"""

import io
import json
import logging
import struct
import zlib
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyvips

from kiln.media.c2pa import TRAINING_MINING
from kiln.media.rights import DATA_MINING_PROHIBITED

logger = logging.getLogger("kiln.hiring")

XMP_APP1_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Licence:
    artist_name: str
    artist_url: str
    client_name: str
    terms: str
    year: int

    @property
    def usage_terms(self) -> str:
        return (
            f"Licensed by {self.artist_name} to {self.client_name}. {self.terms.strip()} "
            "No AI training, text or data mining (EU DSM Art. 4(3))."
        )

    @property
    def copyright(self) -> str:
        return f"© {self.year} {self.artist_name}. All rights reserved."


def licence_xmp(licence: Licence) -> bytes:
    lang_alt = '<rdf:Alt><rdf:li xml:lang="x-default">{}</rdf:li></rdf:Alt>'
    artist = escape(licence.artist_name)
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"
    xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"
    xmpRights:Marked="True"
    xmpRights:WebStatement={quoteattr(licence.artist_url)}
    plus:DataMining={quoteattr(DATA_MINING_PROHIBITED)}>
   <dc:creator><rdf:Seq><rdf:li>{artist}</rdf:li></rdf:Seq></dc:creator>
   <dc:rights>{lang_alt.format(escape(licence.copyright))}</dc:rights>
   <xmpRights:UsageTerms>{lang_alt.format(escape(licence.usage_terms))}</xmpRights:UsageTerms>
   <plus:Licensor><rdf:Seq><rdf:li rdf:parseType="Resource">
    <plus:LicensorName>{artist}</plus:LicensorName>
    <plus:LicensorURL>{escape(licence.artist_url)}</plus:LicensorURL>
   </rdf:li></rdf:Seq></plus:Licensor>
   <plus:Licensee><rdf:Seq><rdf:li rdf:parseType="Resource">
    <plus:LicenseeName>{escape(licence.client_name)}</plus:LicenseeName>
   </rdf:li></rdf:Seq></plus:Licensee>
   <plus:CopyrightOwner><rdf:Seq><rdf:li rdf:parseType="Resource">
    <plus:CopyrightOwnerName>{artist}</plus:CopyrightOwnerName>
   </rdf:li></rdf:Seq></plus:CopyrightOwner>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"""
    return packet.encode("utf-8")


def _jpeg_with_xmp(data: bytes, xmp: bytes) -> bytes:
    """SOI, our XMP APP1, then every original segment except an older XMP APP1."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out, pos = [data[:2]], 2
    payload = XMP_APP1_HEADER + xmp
    out.append(b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload)
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            break
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        segment = data[pos : pos + 2 + length]
        if not (marker == 0xE1 and segment[4:].startswith(XMP_APP1_HEADER)):
            out.append(segment)
        pos += 2 + length
    out.append(data[pos:])
    return b"".join(out)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_with_xmp(data: bytes, xmp: bytes) -> bytes:
    """The XMP as an iTXt chunk (keyword XML:com.adobe.xmp) before the first IDAT."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    itxt = _png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + xmp)
    out, pos, inserted = [PNG_SIGNATURE], len(PNG_SIGNATURE), False
    while pos + 8 <= len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos : pos + 12 + length]
        if kind == b"IDAT" and not inserted:
            out.append(itxt)
            inserted = True
        if not (kind == b"iTXt" and chunk[8:].startswith(b"XML:com.adobe.xmp\x00")):
            out.append(chunk)
        pos += 12 + length
    return b"".join(out)


def _sign_c2pa(data: bytes, *, mime: str, licence: Licence) -> bytes:
    import c2pa

    from kiln.media.c2pa import _signer_and_context  # the instance's one signer

    signer, context = _signer_and_context()
    definition = {
        "claim_generator_info": [{"name": "Kiln", "version": "1"}],
        "title": "commissioned work",
        "assertions": [
            TRAINING_MINING,
            {
                "label": "stds.schema-org.CreativeWork",
                "data": {
                    "@context": "https://schema.org",
                    "@type": "CreativeWork",
                    "author": [{"@type": "Person", "name": licence.artist_name}],
                    "copyrightHolder": {"@type": "Person", "name": licence.artist_name},
                    "url": licence.artist_url,
                    "usageInfo": licence.usage_terms,
                },
            },
        ],
    }
    builder = c2pa.Builder(json.dumps(definition), context=context)
    builder.set_intent(c2pa.C2paBuilderIntent.EDIT)
    out = io.BytesIO()
    builder.sign(signer, mime, io.BytesIO(data), out)
    return out.getvalue()


@dataclass(frozen=True)
class LicensedFile:
    data: bytes
    extension: str
    content_type: str
    c2pa_signed: bool


def licensed_file(data: bytes, *, fmt: str, licence: Licence) -> LicensedFile:
    """The delivered file with the licence inside (XMP always; C2PA unless signing fails,
    which is logged and recorded on the delivery row)."""
    xmp = licence_xmp(licence)
    if fmt == "jpeg":
        marked, ext, mime = _jpeg_with_xmp(data, xmp), "jpg", "image/jpeg"
    else:
        if fmt != "png":
            data = pyvips.Image.new_from_buffer(data, "").pngsave_buffer(compression=6)
        marked, ext, mime = _png_with_xmp(data, xmp), "png", "image/png"
    try:
        return LicensedFile(_sign_c2pa(marked, mime=mime, licence=licence), ext, mime, True)
    except Exception:
        logger.warning("C2PA manifest not added to a delivered %s", fmt, exc_info=True)
        return LicensedFile(marked, ext, mime, False)
