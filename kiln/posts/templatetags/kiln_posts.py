"""Template helpers for post cards: URLs, short times, image markup."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from kiln.posts.media import rendition_url

register = template.Library()

FORMAT_ORDER = ("avif", "webp", "jpeg", "gif")
MIME = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg", "gif": "image/gif"}


@register.filter
def post_url(post) -> str:
    return f"/@{post.author.username}/posts/{post.pk}"


@register.filter
def short_age(moment) -> str:
    """X-style: 42s, 5m, 3h, 6d, then "Nov 3" (and the year once it is not this year)."""
    if not moment:
        return ""
    now = timezone.now()
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return f"{max(seconds, 0)}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    if seconds < 7 * 86400:
        return f"{seconds // 86400}d"
    local = timezone.localtime(moment)
    if local.year == timezone.localtime(now).year:
        return local.strftime("%b %-d")
    return local.strftime("%b %-d, %Y")


@register.filter
def post_html(post):
    """The HTML rendered (escaped and autolinked) when the post was written."""
    return mark_safe(post.text_html)  # noqa: S308 - built from escaped pieces in kiln.posts.text


@register.simple_tag
def picture(asset) -> dict:
    """Sources per format (best first), the fallback and the intrinsic size, from prefetched
    renditions (no queries)."""
    renditions = list(asset.renditions.all())
    by_format: dict[str, list] = {}
    for rendition in renditions:
        by_format.setdefault(rendition.format, []).append(rendition)
    sources = []
    for fmt in FORMAT_ORDER:
        items = sorted(by_format.get(fmt, []), key=lambda r: r.width)
        if items:
            srcset = ", ".join(f"{rendition_url(r)} {r.width}w" for r in items)
            sources.append({"type": MIME[fmt], "srcset": srcset, "items": items})
    fallback = sources[-1] if sources else None
    smallest_fallback = None
    if fallback:
        # A middle width for the plain src: good enough for browsers without srcset.
        items = fallback["items"]
        smallest_fallback = items[min(1, len(items) - 1)]
    return {
        "ready": bool(sources),
        "sources": sources[:-1],
        "fallback_srcset": fallback["srcset"] if fallback else "",
        "src": rendition_url(smallest_fallback) if smallest_fallback else "",
        "width": asset.width or (smallest_fallback.width if smallest_fallback else 1),
        "height": asset.height or (smallest_fallback.height if smallest_fallback else 1),
    }


@register.simple_tag
def notification_summary(group) -> str:
    """ "Ana, Ben and 3 others" for a group of actors (newest first)."""
    names = [actor.profile.name if hasattr(actor, "profile") else actor.username for actor in group]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    others = len(names) - 2
    return f"{names[0]}, {names[1]} and {others} other{'s' if others != 1 else ''}"


@register.inclusion_tag("posts/_project_comments.html", takes_context=True)
def project_social(context, project):
    """Likes and comments for a portfolio project page: `{% project_social project %}`.

    The portfolio app includes this one tag; the feed owns everything inside it.
    """
    from kiln.posts.selectors import project_comments, project_like_state

    request = context.get("request")
    viewer = getattr(request, "user", None)
    return {
        "request": request,
        "user": viewer,
        "project": project,
        "like": project_like_state(project_id=project.pk, viewer=viewer),
        "comments": project_comments(project_id=project.pk, viewer=viewer),
        "csrf_token": context.get("csrf_token"),
        "max_text": 2000,
    }
