"""Rights reservations embedded in every public rendition (the shield's layer 4).

XMP carries the machine-readable opt-out: the creator, the copyright line, `xmpRights:Marked`,
the work's web statement and the PLUS `DataMining` value that prohibits AI/ML training
(PLUS LDF 1.0). EXIF `Artist` and `Copyright` repeat the essentials for tools that only read
EXIF. The builders are pure functions so that tests and other apps can reuse them.
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.utils import timezone

DATA_MINING_PROHIBITED = "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"


@dataclass(frozen=True)
class Rights:
    creator: str  # the artist's display name
    profile_url: str  # absolute URL of the artist's Kiln profile
    work_url: str  # absolute URL of the work's page (or the profile when there is none yet)
    year: int

    @property
    def copyright(self) -> str:
        return f"© {self.year} {self.creator}. All rights reserved."

    @property
    def notice(self) -> str:
        return (
            f"No AI training: {self.creator} reserves all text and data mining rights "
            "(EU DSM Art. 4(3)). See " + self.work_url
        )


def rights_for_owner(*, owner, work_url: str = "", year: int | None = None) -> Rights:
    """The rights statement for a work owned by `owner`, with absolute URLs."""
    profile = getattr(owner, "profile", None)
    name = (getattr(profile, "display_name", "") or owner.username).strip()
    profile_url = f"{settings.KILN_SITE_URL}/@{owner.username}"
    if work_url and work_url.startswith("/"):
        work_url = settings.KILN_SITE_URL + work_url
    return Rights(
        creator=name,
        profile_url=profile_url,
        work_url=work_url or profile_url,
        year=year or timezone.now().year,
    )


def rights_xmp(rights: Rights) -> bytes:
    """An XMP packet with the creator, copyright and the AI-training prohibition."""
    creator = escape(rights.creator)
    lang_alt = '<rdf:Alt><rdf:li xml:lang="x-default">{}</rdf:li></rdf:Alt>'
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"
    xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"
    xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
    xmpRights:Marked="True"
    xmpRights:WebStatement={quoteattr(rights.work_url)}
    plus:DataMining={quoteattr(DATA_MINING_PROHIBITED)}>
   <dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>
   <dc:rights>{lang_alt.format(escape(rights.copyright))}</dc:rights>
   <xmpRights:UsageTerms>{lang_alt.format(escape(rights.notice))}</xmpRights:UsageTerms>
   <plus:OtherConstraints>{lang_alt.format(escape(rights.notice))}</plus:OtherConstraints>
   <plus:ImageCreator><rdf:Seq><rdf:li rdf:parseType="Resource">
    <plus:ImageCreatorName>{creator}</plus:ImageCreatorName>
    <plus:ImageCreatorID>{escape(rights.profile_url)}</plus:ImageCreatorID>
   </rdf:li></rdf:Seq></plus:ImageCreator>
   <plus:CopyrightOwner><rdf:Seq><rdf:li rdf:parseType="Resource">
    <plus:CopyrightOwnerName>{creator}</plus:CopyrightOwnerName>
    <plus:CopyrightOwnerID>{escape(rights.profile_url)}</plus:CopyrightOwnerID>
   </rdf:li></rdf:Seq></plus:CopyrightOwner>
   <Iptc4xmpCore:CreatorContactInfo rdf:parseType="Resource">
    <Iptc4xmpCore:CiUrlWork>{escape(rights.profile_url)}</Iptc4xmpCore:CiUrlWork>
   </Iptc4xmpCore:CreatorContactInfo>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"""
    return packet.encode("utf-8")


def rights_exif_fields(rights: Rights) -> dict[str, str]:
    """EXIF IFD0 strings, named the way libvips writes them on save.

    EXIF strings are ASCII: libvips transliterates other characters, so the XMP (UTF-8)
    stays the authoritative copy of the name. libvips drops a trailing " (...)" as its own
    type description, so each value ends with one to keep the real text intact.
    """
    return {
        "exif-ifd0-Artist": f"{rights.creator}, {rights.profile_url} (ASCII)",
        "exif-ifd0-Copyright": f"{rights.copyright} No AI training. (ASCII)",
    }


EXIF_PREFIX = b"Exif\x00\x00"


def webp_exif_chunk_fix(data: bytes) -> bytes:
    """libvips writes the JPEG-style "Exif\\0\\0" prefix into WebP's EXIF chunk; the WebP
    container wants the TIFF header first (exiftool: "Improper EXIF header"). Strip it and fix
    the chunk and RIFF sizes; anything that is not a well-formed WebP comes back unchanged."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return data
    chunks, offset, changed = [], 12, False
    while offset + 8 <= len(data):
        fourcc = data[offset : offset + 4]
        size = int.from_bytes(data[offset + 4 : offset + 8], "little")
        payload = data[offset + 8 : offset + 8 + size]
        if len(payload) != size:
            return data  # truncated: leave it alone
        if fourcc == b"EXIF" and payload.startswith(EXIF_PREFIX):
            payload, changed = payload[len(EXIF_PREFIX) :], True
        chunks.append(fourcc + len(payload).to_bytes(4, "little") + payload)
        if len(payload) % 2:
            chunks.append(b"\x00")
        offset += 8 + size + (size % 2)
    if not changed:
        return data
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body
