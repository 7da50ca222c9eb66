"""Template helpers for portfolio pages: mature blurring and the picture markup."""

from django import template
from django.urls import reverse

from kiln.media.templatetags.media_tags import picture
from kiln.portfolio.selectors import viewer_sees_mature

register = template.Library()


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


def _picture(asset, *, alt: str, sizes: str, loading: str, css_class: str) -> str:
    # The media app owns the <picture> markup (formats, srcset, placeholders, signed URLs).
    return picture(asset, sizes=sizes, alt=alt, eager=loading == "eager", css_class=css_class)


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
