"""{% picture asset sizes="..." alt="..." eager=False %}: responsive, placeholder-backed <picture>.

Sources go AVIF, then WebP, then the JPEG <img> (animations: animated WebP, then GIF). The <img>
has explicit width and height, so nothing shifts as it loads. The placeholder (dominant colour,
then the blurhash) is painted by static/js/media.js from data attributes: CSP forbids inline
style attributes, and scripts set styles through the CSSOM, which CSP allows.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from kiln.media import imaging
from kiln.media.delivery import rendition_url

register = template.Library()

DEFAULT_SIZES = "(max-width: 700px) 100vw, 1280px"


def _srcset(renditions) -> str:
    return ", ".join(f"{rendition_url(r)} {r.width}w" for r in renditions)


@register.simple_tag
def picture(asset, sizes: str = DEFAULT_SIZES, alt: str = "", eager: bool = False, css_class=""):
    if asset is None:
        return ""
    renditions = sorted(asset.renditions.all(), key=lambda r: r.width)  # uses a prefetch
    if not asset.is_ready or not renditions:
        return format_html(
            '<span class="kiln-picture kiln-picture-pending {}" role="img" aria-label="{}" '
            'data-color="{}" data-width="{}" data-height="{}">Processing…</span>',
            css_class,
            alt,
            asset.dominant_color,
            asset.width or "",
            asset.height or "",
        )
    by_format: dict[str, list] = {}
    for rendition in renditions:
        by_format.setdefault(rendition.format, []).append(rendition)
    fallback_format = "gif" if "gif" in by_format else "jpeg"
    fallback = by_format.get(fallback_format) or renditions
    largest = fallback[-1]
    sources = format_html_join(
        "",
        '<source type="{}" srcset="{}" sizes="{}">',
        (
            (imaging.CONTENT_TYPES[fmt], _srcset(by_format[fmt]), sizes)
            for fmt in ("avif", "webp")
            if fmt in by_format and fmt != fallback_format
        ),
    )
    loading = "eager" if eager else "lazy"
    img = format_html(
        '<img class="kiln-img" src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" '
        'loading="{}" decoding="async" data-color="{}" data-blurhash="{}"{}>',
        rendition_url(largest),
        _srcset(fallback),
        sizes,
        largest.width,
        largest.height,
        alt,
        loading,
        asset.dominant_color,
        asset.blurhash,
        mark_safe(' fetchpriority="high"') if eager else "",  # noqa: S308 - a constant
    )
    return format_html('<picture class="kiln-picture {}">{}{}</picture>', css_class, sources, img)


@register.simple_tag
def rendition_src(asset, width: int = 640, fmt: str = "jpeg") -> str:
    """The URL of the smallest rendition at least `width` wide in `fmt` (or the largest)."""
    candidates = sorted(
        (r for r in asset.renditions.all() if r.format == fmt), key=lambda r: r.width
    )
    if not candidates:
        return ""
    for rendition in candidates:
        if rendition.width >= width:
            return rendition_url(rendition)
    return rendition_url(candidates[-1])
