"""The shield on every request.

`ShieldMiddleware` sits right after SecurityMiddleware and before WhiteNoise, so it sees every
request, static files included. In order: refuse AI crawlers (403), apply per-IP rate limits
(429), and on the way out add the reservation headers to every response.
`ShieldAccountMiddleware` sits after AuthenticationMiddleware: it applies the same budgets per
account, and refuses images to anonymous clients the honeypot banned.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from kiln.shield.client import client_ip, client_key
from kiln.shield.conf import shield_setting
from kiln.shield.crawlers import ai_crawler_token
from kiln.shield.models import RefusalTally
from kiln.shield.previews import is_preview_path, link_preview_agent, preview_document
from kiln.shield.ratelimit import ban_ident, is_banned, rate_limit_hit
from kiln.shield.refusals import refusal_record
from kiln.shield.signals_text import tdm_policy_url

Reason = RefusalTally.Reason
# The machine-readable opt-outs are served to everyone, AI crawlers included: a 4xx on
# robots.txt means "no restrictions" to RFC 9309 crawlers, and a reservation has to be readable.
OPT_OUT_PATHS = frozenset(
    {"/robots.txt", "/ai.txt", "/.well-known/tdmrep.json", "/.well-known/tdm-policy.json"}
)
# The do-not-train registry answers any client, AI crawlers included: it exists so that
# dataset builders can drop reserved works, whatever user agent their tooling sends. It keeps
# its own rate limit (KILN_REGISTRY_RATE_LIMIT) and serves no art.
CRAWLER_WELCOME_PATHS = OPT_OUT_PATHS | {"/api/registry/v1/lookup"}
# Load balancers poll the health check from one address; it is never rate-limited.
UNLIMITED_PATHS = frozenset({"/healthz"})
BASE_DIRECTIVES = ("noai", "noimageai")
RENDITION_VIEW = "media:rendition"

CRAWLER_MESSAGE = (
    "403 Forbidden: Kiln refuses AI crawlers.\n\n"
    "The artists on Kiln reserve their rights against text and data mining, including AI "
    "training (EU DSM Directive Art. 4(3)). Your user agent carries the token {token!r}, which "
    "is on Kiln's list of AI crawlers.\n"
    "Machine-readable reservations: /robots.txt, /ai.txt, /.well-known/tdmrep.json.\n"
    "How Kiln protects its artists' work: /protection\n"
)
RATE_MESSAGE = (
    "429 Too Many Requests: slow down.\n\n"
    "This client asked for more {what} than a person browsing would. Try again in {seconds} "
    "seconds.\n"
)
BANNED_MESSAGE = (
    "403 Forbidden: images are refused to this client for now.\n\n"
    "It followed a link that is hidden from people and disallowed in /robots.txt; only scrapers "
    "follow it. Access to images comes back on its own after a while.\n"
)


def is_rendition_path(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in shield_setting("KILN_RENDITION_PREFIXES"))


def is_static_path(path: str) -> bool:
    return bool(settings.STATIC_URL) and path.startswith(settings.STATIC_URL)


def plain(text: str, *, status: int) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def too_many(*, seconds: int, what: str) -> HttpResponse:
    response = plain(RATE_MESSAGE.format(what=what, seconds=seconds), status=429)
    response["Retry-After"] = str(seconds)
    return response


def image_search_allowed(request, response) -> bool:
    """Whether the image's owner allowed image search: the view says so, or we look it up."""
    marked = getattr(response, "shield_image_search", None)
    if marked is not None:
        return bool(marked)
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name != RENDITION_VIEW or response.status_code != 200:
        return False
    from kiln.media.delivery import key_for_name
    from kiln.media.models import Rendition

    key = key_for_name(match.kwargs.get("name", ""))
    if key is None:
        return False
    cache_key = f"shield:imgsearch:{key}"
    allowed = cache.get(cache_key)
    if allowed is None:
        allowed = bool(
            Rendition.objects.filter(key=key)
            .values_list("asset__owner__profile__allow_image_search", flat=True)
            .first()
        )
        # A consent change reaches cached answers within a minute.
        cache.set(cache_key, allowed, timeout=60)
    return allowed


def add_reservation_headers(response, request=None) -> None:
    """X-Robots-Tag (merged with any a view set), tdm-reservation and tdm-policy."""
    directives = [d.strip() for d in response.get("X-Robots-Tag", "").split(",") if d.strip()]
    wanted = list(BASE_DIRECTIVES)
    content_type = response.get("Content-Type", "")
    if content_type.startswith("image/") and not (
        request is not None and image_search_allowed(request, response)
    ):
        wanted.append("noimageindex")
    if getattr(response, "shield_noindex", False):
        wanted.append("noindex")
    for directive in wanted:
        if directive not in directives:
            directives.append(directive)
    response["X-Robots-Tag"] = ", ".join(directives)
    response["tdm-reservation"] = "1"
    response["tdm-policy"] = tdm_policy_url(request)


def mark_image_search(response, *, allowed: bool):
    """For image views: the owner allowed image search, so `noimageindex` is left off."""
    response.shield_image_search = bool(allowed)
    return response


def mark_noindex(response):
    """For pages of artists who do not allow search indexing."""
    response.shield_noindex = True
    return response


def is_exempt_from_budgets(path: str) -> bool:
    return is_static_path(path) or path in OPT_OUT_PATHS or path in UNLIMITED_PATHS


def budget_refusal(request, *, ident: str, ip: str) -> HttpResponse | None:
    """The page or image budget for one identity ("ip:…" or "user:…")."""
    path = request.path_info
    if is_rendition_path(path):
        limit, scope, what = shield_setting("KILN_RATE_RENDITIONS"), "r", "images"
        reason = Reason.RATE_RENDITIONS
    else:
        limit, scope, what = shield_setting("KILN_RATE_PAGES"), "p", "pages"
        reason = Reason.RATE_PAGES
    retry_after = rate_limit_hit(
        scope=scope, ident=ident, limit=limit, window=shield_setting("KILN_RATE_WINDOW_SECONDS")
    )
    if retry_after is None:
        return None
    user_agent = request.META.get("HTTP_USER_AGENT", "") or ""
    refusal_record(reason=reason, ip=ip, user_agent=user_agent, path=path, detail=ident)
    return too_many(seconds=retry_after, what=what)


def ban_refusal(request, *, ip: str) -> HttpResponse | None:
    """Images refused to an anonymous client (address + user agent) the honeypot banned."""
    user_agent = request.META.get("HTTP_USER_AGENT", "") or ""
    if not is_banned(ban_ident(client_key=client_key(ip), user_agent=user_agent)):
        return None
    path = request.path_info
    refusal_record(reason=Reason.HONEYPOT_BANNED, ip=ip, user_agent=user_agent, path=path)
    return plain(BANNED_MESSAGE, status=403)


PREVIEW_MESSAGE = (
    "Link previews get a shared page's card (its title, description and a small, reserved "
    "image), nothing else.\n"
)


def _is_html(response) -> bool:
    return (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and response.get("Content-Type", "").startswith("text/html")
    )


class ShieldMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.refuse(request)
        if response is None:
            response = self.get_response(request)
            if getattr(request, "shield_link_preview", None) and _is_html(response):
                response.content = preview_document(response.content)
        add_reservation_headers(response, request)
        return response

    def refuse(self, request) -> HttpResponse | None:
        path = request.path_info
        ip = client_ip(request)
        request.shield_client_ip = ip
        request.shield_client_key = client_key(ip)  # the login limits count by this too
        if path not in CRAWLER_WELCOME_PATHS:
            user_agent = request.META.get("HTTP_USER_AGENT", "") or ""
            preview = link_preview_agent(user_agent)
            if preview is not None:
                # Link-preview fetchers see shareable pages' card tags and card images only.
                request.shield_link_preview = preview
                if not is_preview_path(path):
                    refusal_record(
                        reason=Reason.AI_CRAWLER,
                        ip=ip,
                        user_agent=user_agent,
                        path=path,
                        detail=preview,
                    )
                    return plain(PREVIEW_MESSAGE, status=403)
                return budget_refusal(request, ident=f"ip:{request.shield_client_key}", ip=ip)
            token = ai_crawler_token(user_agent)
            if token is not None:
                refusal_record(
                    reason=Reason.AI_CRAWLER, ip=ip, user_agent=user_agent, path=path, detail=token
                )
                return plain(CRAWLER_MESSAGE.format(token=token), status=403)
        if is_exempt_from_budgets(path):
            return None
        return budget_refusal(request, ident=f"ip:{request.shield_client_key}", ip=ip)


class ShieldAccountMiddleware:
    """Needs request.user, so it runs after auth: per-account budgets for signed-in people, and
    honeypot bans for everyone else (a signed-in account is never banned)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        user = getattr(request, "user", None)
        if user is not None and not is_exempt_from_budgets(path):
            ip = getattr(request, "shield_client_ip", "") or client_ip(request)
            if user.is_authenticated:
                refused = budget_refusal(request, ident=f"user:{user.pk}", ip=ip)
            elif is_rendition_path(path):
                refused = ban_refusal(request, ip=ip)
            else:
                refused = None
            if refused is not None:
                return refused
        return self.get_response(request)
