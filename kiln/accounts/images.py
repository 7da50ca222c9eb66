"""Avatar and banner images: decoded, size-checked and re-encoded, so no metadata or
polyglot payload from the upload is ever stored. (Portfolio work goes through kiln.media.)"""

import io
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
AVATAR_SIZE = (400, 400)
BANNER_SIZE = (1500, 500)


def _decode(upload) -> Image.Image:
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError("Images must be 10 MB or smaller.")
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in {"JPEG", "PNG", "WEBP", "GIF"}:
                raise ValidationError("Use a JPEG, PNG, WebP or GIF image.")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError("That image has too many pixels (40 megapixels at most).")
        image = Image.open(io.BytesIO(data))
        image.load()
    except ValidationError:
        raise
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationError("That file is not an image we can read.") from exc
    return ImageOps.exif_transpose(image).convert("RGB")


def normalise_profile_image(upload, *, kind: str) -> ContentFile:
    image = _decode(upload)
    if kind == "avatar":
        image = ImageOps.fit(image, AVATAR_SIZE, method=Image.Resampling.LANCZOS)
    else:
        image = ImageOps.fit(image, BANNER_SIZE, method=Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=85)
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(12)}.webp")
