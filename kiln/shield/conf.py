"""The shield's settings, each with its default, read at call time so tests can override them."""

from django.conf import settings

DEFAULTS = {
    # Extra AI crawler tokens on top of the shipped list (also editable in the admin).
    "KILN_EXTRA_AI_CRAWLERS": [],
    # Requests per client IP (and per account when logged in) in each window.
    "KILN_RATE_PAGES": 240,
    "KILN_RATE_RENDITIONS": 300,
    "KILN_RATE_WINDOW_SECONDS": 60,
    # URL prefixes that serve images (renditions, avatars): their own, tighter budget.
    "KILN_RENDITION_PREFIXES": ["/media/"],
    # The honeypot link and how long a client (address + user agent) that follows it loses
    # access to images; 0 turns bans off. Short, because an address may be shared (NAT, proxy).
    "KILN_HONEYPOT_PATH": "/archive/originals/",
    "KILN_HONEYPOT_BAN_SECONDS": 3600,
    # Refusal tallies are buffered per process and written at most this often.
    "KILN_REFUSAL_FLUSH_SECONDS": 10,
    # Search engines allowed to crawl profile and project pages (robots.txt). Applebot is Apple's
    # search crawler (Applebot-Extended, its AI-training control, is refused: docs/decisions).
    # A name here is taken off the shipped AI crawler list.
    "KILN_SEARCH_ENGINE_CRAWLERS": [
        "Googlebot",
        "Applebot",
        "bingbot",
        "DuckDuckBot",
        "Baiduspider",
        "YandexBot",
        "Slurp",
        "Qwantbot",
        "ecosia",
        "SeznamBot",
    ],
    # Image-search crawlers allowed on rendition paths (empty: none, the rule). Artists
    # who have not consented still carry `noimageindex` on every image.
    "KILN_IMAGE_SEARCH_CRAWLERS": [],
}


def shield_setting(name: str):
    return getattr(settings, name, DEFAULTS[name])
