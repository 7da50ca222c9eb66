"""Which page views count, and who the viewer is without keeping who they are.

Counted: a 200 HTML answer to a GET of a project page, a post page or a profile. Not counted:
link-preview fetchers, AI agents and anything else that says it is a bot, htmx fragments, and
the artist looking at their own things. The viewer is a salted hash of (account id, or address
and user agent); the salt is random per day and dropped two days later (kiln/insights/store.py),
so no address is ever stored and yesterday's hashes cannot be recomputed."""

import hashlib
import logging
import re

from django.utils import timezone

from kiln.insights.store import view_store

logger = logging.getLogger("kiln.insights")

# URL names whose views count, and the kind of subject each counts for.
COUNTED_ROUTES = {
    "portfolio:project": ("project", "project_id"),
    "posts:detail": ("post", "post_id"),
    "accounts:profile": ("profile", None),
    "accounts:profile_posts": ("profile", None),
    "accounts:profile_likes": ("profile", None),
    "accounts:profile_commissions": ("profile", None),
}
# Self-declared automation: search engines, monitors, libraries, headless browsers.
BOT_AGENT = re.compile(
    r"bot|crawl|spider|slurp|fetch|preview|monitor|headless|phantom|curl|wget|python|httpx|"
    r"java/|go-http|okhttp|libwww|scrapy|axios|node-fetch|^$",
    re.IGNORECASE,
)
_salts: dict[str, str] = {}  # per process: one store read per day, not per view


def is_automated(request) -> bool:
    if getattr(request, "shield_link_preview", None):
        return True
    # AI agents never get here: the shield answered them 403, and only a 200 counts.
    return bool(BOT_AGENT.search(request.META.get("HTTP_USER_AGENT", "") or ""))


def subject_of(request, response) -> str | None:
    """ "project:12:mira" for a view that counts, else None."""
    match = getattr(request, "resolver_match", None)
    if match is None or request.method != "GET" or response.status_code != 200:
        return None
    route = COUNTED_ROUTES.get(match.view_name)
    if route is None or request.META.get("HTTP_HX_REQUEST"):  # not .headers: it parses all
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None  # ?format=json and the like
    username = str(match.kwargs.get("username", "")).lower()
    user = request.user
    if not username or (user.is_authenticated and user.username.lower() == username):
        return None
    if is_automated(request):
        return None
    kind, id_arg = route
    return f"{kind}:{match.kwargs.get(id_arg, 0) if id_arg else 0}:{username}"


def viewer_hash(request, *, salt: str) -> str:
    user = request.user
    if user.is_authenticated:
        who = f"u{user.pk}"
    else:
        ip = getattr(request, "shield_client_ip", "") or request.META.get("REMOTE_ADDR", "")
        who = f"a{ip}|{request.META.get('HTTP_USER_AGENT', '')}"
    return hashlib.blake2b(who.encode(), key=salt.encode()[:64], digest_size=12).hexdigest()


def view_record(request, response) -> bool:
    """Count this view in the shared store if it counts; True when it did. A store that
    cannot be reached loses the count, never the page."""
    subject = subject_of(request, response)
    if subject is None:
        return False
    day = timezone.now().date().isoformat()
    try:
        store = view_store()
        salt = _salts.get(day)
        if salt is None:
            salt = store.salt(day)
            _salts.clear()
            _salts[day] = salt
        store.hit(day=day, subject=subject, viewer=viewer_hash(request, salt=salt))
    except Exception:
        logger.exception("insights store unavailable; view not counted")
        return False
    return True
