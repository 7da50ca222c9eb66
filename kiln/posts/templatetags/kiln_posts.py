"""Template helpers for post cards: URLs, short times, image markup."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from kiln.posts.limits import MAX_TEXT_LENGTH

register = template.Library()


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
def short_date(moment) -> str:
    """A card's time as the server renders it: "Nov 3", with the year once it is not this
    year. Stable for a year, so a card can be cached; kiln.js shows "5m", "3h"... on top."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    if local.year == timezone.localtime(timezone.now()).year:
        return local.strftime("%b %-d")
    return local.strftime("%b %-d, %Y")


@register.filter
def post_html(post):
    """The HTML rendered (escaped and autolinked) when the post was written."""
    return mark_safe(post.text_html)  # noqa: S308 - built from escaped pieces in kiln.posts.text


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
        "max_text": MAX_TEXT_LENGTH,
    }


@register.simple_tag(takes_context=True)
def feed_assets(context):
    """The card's stylesheet and script, emitted once per request wherever a card is first
    included (timelines, profile tabs, notifications), so any page can reuse the card.
    Pages that already link them in <head> mark the request the same way."""
    from django.templatetags.static import static
    from django.utils.html import format_html

    request = context.get("request")
    if request is None or getattr(request, "_kiln_feed_assets", False):
        return ""
    request._kiln_feed_assets = True
    return format_html(
        '<link rel="stylesheet" href="{}"><script src="{}" defer></script>',
        static("css/feed.css"),
        static("js/posts.js"),
    )
