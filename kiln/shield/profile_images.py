"""Avatars and banners carry the same reservations as renditions (issue 16.7): the rights XMP,
EXIF Artist/Copyright and, when KILN_MEDIA_C2PA is on, a signed C2PA manifest.

Subscribed to accounts' `profile_image_saving` in ShieldConfig.ready(); accounts sits below the
media and shield apps, so it cannot call them itself.
"""

import logging

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("kiln.shield")


def profile_image_mark(payload) -> bytes:
    """The avatar or banner re-encoded with the rights metadata (and C2PA) of its owner."""
    import pyvips

    from kiln.media.imaging import encode
    from kiln.media.rights import Rights, rights_exif_fields, rights_xmp

    profile_url = f"{settings.KILN_SITE_URL}/@{payload.username}"
    rights = Rights(
        creator=(payload.display_name or payload.username).strip(),
        profile_url=profile_url,
        work_url=profile_url,
        year=timezone.now().year,
    )
    image = pyvips.Image.new_from_buffer(payload.data, "").copy()
    for name in image.get_fields():
        if name.startswith(("exif-", "xmp-", "iptc-", "icc-")):
            image.remove(name)
    image.set_type(pyvips.GValue.blob_type, "xmp-data", rights_xmp(rights))
    for name, value in rights_exif_fields(rights).items():
        image.set_type(pyvips.GValue.gstr_type, name, value)
    data = encode(image, "webp")
    if not settings.KILN_MEDIA_C2PA:
        return data
    from kiln.media.c2pa import c2pa_sign_rendition

    try:
        return c2pa_sign_rendition(data, fmt="webp", creator=rights.creator, work_url=profile_url)
    except Exception:  # as for renditions: the XMP and EXIF still say no
        logger.warning("C2PA manifest not added to a %s", payload.kind, exc_info=True)
        return data
