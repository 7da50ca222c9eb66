"""Template helpers for portfolio pages: mature blurring and the picture markup."""

from django import template
from django.core.files.storage import storages
from django.template.loader import render_to_string
from django.urls import reverse

from kiln.core.hooks import optional_callable
from kiln.portfolio.selectors import viewer_sees_mature

register = template.Library()

# The widest rendition the pipeline makes; the page never asks for more.
MAX_RENDITION_WIDTH = 2048
FORMAT_ORDER = ("avif", "webp", "jpeg", "gif")
MIME = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg", "gif": "image/gif"}


@register.simple_tag(takes_context=True)
def project_blurred(context, project) -> bool:
    """Blur mature work unless the viewer opted in (always blurred when logged out)."""
    if not project.is_mature:
        return False
    request = context.get("request")
    viewer = getattr(request, "user", None)
    if viewer is None:
        return True
    return not viewer_sees_mature(viewer=viewer, owner_id=project.owner_id)


@register.filter
def project_url(project) -> str:
    return reverse(
        "portfolio:project",
        kwargs={"username": project.owner.username, "project_id": project.pk},
    )


def _rendition_url(rendition) -> str:
    media_url = optional_callable("kiln.media.services.rendition_url") or optional_callable(
        "kiln.media.selectors.rendition_url"
    )
    if media_url is not None:
        return media_url(rendition)
    return storages["default"].url(rendition.key)


def picture_data(asset) -> dict:
    """Sources per format (best first), the fallback src, and the display size."""
    renditions = list(asset.renditions.all())  # prefetched by the selectors
    by_format: dict[str, list] = {}
    for rendition in renditions:
        by_format.setdefault(rendition.format, []).append(rendition)
    sources = []
    for fmt in FORMAT_ORDER:
        items = sorted(by_format.get(fmt, []), key=lambda r: r.width)
        if items:
            srcset = ", ".join(f"{_rendition_url(r)} {r.width}w" for r in items)
            sources.append({"type": MIME[fmt], "srcset": srcset, "largest": items[-1]})
    fallback = sources[-1]["largest"] if sources else None
    width = asset.width or (fallback.width if fallback else 0)
    height = asset.height or (fallback.height if fallback else 0)
    if width > MAX_RENDITION_WIDTH and height:
        height = round(height * MAX_RENDITION_WIDTH / width)
        width = MAX_RENDITION_WIDTH
    largest = max(renditions, key=lambda r: (r.width, r.format != "avif"), default=None)
    return {
        "sources": sources[:-1],
        "fallback": fallback,
        "fallback_url": _rendition_url(fallback) if fallback else "",
        "fallback_srcset": sources[-1]["srcset"] if sources else "",
        "full_url": _rendition_url(largest) if largest else "",
        "width": width,
        "height": height,
    }


def _picture(asset, *, alt: str, sizes: str, loading: str, css_class: str) -> str:
    return render_to_string(
        "portfolio/_picture.html",
        {
            "asset": asset,
            "pic": picture_data(asset) if asset.is_ready else None,
            "alt": alt,
            "sizes": sizes,
            "loading": loading,
            "css_class": css_class,
        },
    )


@register.simple_tag
def project_picture(
    image, sizes: str = "100vw", loading: str = "lazy", css_class: str = "", alt: str | None = None
):
    """<picture> for a project image: AVIF, WebP, JPEG with srcset, explicit width and height,
    and the dominant colour as placeholder. Shows the processing state until ready."""
    alt_text = image.alt_text if alt is None else alt
    return _picture(image.asset, alt=alt_text, sizes=sizes, loading=loading, css_class=css_class)


@register.simple_tag
def asset_picture(asset, sizes: str = "100vw", loading: str = "lazy", css_class: str = ""):
    """A small preview of an upload in the editor (decorative: the card has the alt field)."""
    return _picture(asset, alt="", sizes=sizes, loading=loading, css_class=css_class)
