"""The machine-readable reservations: robots.txt, ai.txt, TDMRep and its ODRL policy."""

from django.conf import settings
from django.core.exceptions import DisallowedHost

from kiln.shield.conf import shield_setting
from kiln.shield.crawlers import ai_crawler_tokens

# Paths no crawler may fetch: images, the API, and pages that are private or per-person.
PRIVATE_PREFIXES = [
    "/accounts/",
    "/settings/",
    "/notifications",
    "/compose",
    "/messages",
]
REGISTRY_LOOKUP_PATH = "/api/registry/v1/lookup"
AI_TXT_TYPES = ["jpg", "jpeg", "png", "gif", "webp", "avif", "heic", "tif", "tiff", "bmp", "svg"]
AI_TXT_TYPES += ["html", "htm", "txt", "json", "xml", "rss", "atom", "pdf"]


def robots_txt() -> str:
    media = [*shield_setting("KILN_RENDITION_PREFIXES"), settings.MEDIA_URL]
    closed = sorted({*media, "/api/", *PRIVATE_PREFIXES, shield_setting("KILN_HONEYPOT_PATH")})
    lines = [
        "# Kiln: the artists here reserve their rights against text and data mining, AI training",
        "# included (EU DSM Directive Art. 4(3)). Known AI crawlers get 403 on every other URL.",
        "# Also: /ai.txt, /.well-known/tdmrep.json and the ODRL policy it points to.",
        "",
        "# AI crawlers, AI agents and dataset builders: nothing here.",
    ]
    lines += [f"User-agent: {token}" for token in ai_crawler_tokens()]
    lines += ["Disallow: /", ""]
    image_crawlers = shield_setting("KILN_IMAGE_SEARCH_CRAWLERS")
    if image_crawlers:
        lines.append(
            "# Image search, for images whose artists allowed it (noimageindex otherwise)."
        )
        lines += [f"User-agent: {name}" for name in image_crawlers]
        lines += [f"Disallow: {path}" for path in closed if path not in media]
        lines += [f"Allow: {path}" for path in media] + ["Disallow: /", ""]
    lines += [
        "# Search engines: the home page, artists' profiles and their project pages. Artists who",
        "# turned search indexing off carry noindex on those pages.",
    ]
    lines += [f"User-agent: {name}" for name in shield_setting("KILN_SEARCH_ENGINE_CRAWLERS")]
    # Disallow lines come first so parsers that take the first match (Python's robotparser)
    # agree with those that take the longest (Google, Scrapy's Protego).
    lines += [f"Disallow: {path}" for path in closed]
    lines += ["Allow: /$", "Allow: /@", "Allow: /protection", "Disallow: /", ""]
    lines += ["# Every other crawler: nothing here."]
    lines += ["User-agent: *"] + [f"Disallow: {path}" for path in closed] + ["Disallow: /", ""]
    return "\n".join(lines)


def site_url(request=None) -> str:
    """The origin this request reached Kiln on (`PORT=8111 make run` answers with :8111), or
    KILN_SITE_URL where there is no request (renditions made in the worker)."""
    if request is not None:
        try:
            return f"{request.scheme}://{request.get_host()}"
        except DisallowedHost:
            pass
    return settings.KILN_SITE_URL


def ai_txt(request=None) -> str:
    """Spawning's ai.txt: the same grammar as robots.txt, read by dataset tools before download."""
    site = site_url(request)
    return "\n".join(
        [
            "# ai.txt (Spawning format): nothing on Kiln may be used to train AI.",
            "# The artists reserve their text and data mining rights (EU DSM Directive Art. 4(3)).",
            f"# Check whether an image came from Kiln: {site}{REGISTRY_LOOKUP_PATH}",
            f"# TDMRep: {site}/.well-known/tdmrep.json",
            "",
            "User-Agent: *",
            "Disallow: /",
            "Disallow: *",
            # Spawning's generator lists file types; tools that only match those see them too.
            *[f"Disallow: *.{ext}" for ext in AI_TXT_TYPES],
            "",
        ]
    )


def tdmrep_json(request=None) -> list[dict]:
    """W3C TDMRep final report (2024-05-10), section 3.3: rules for every location."""
    return [
        {"location": "/*", "tdm-reservation": 1, "tdm-policy": tdm_policy_url(request)},
    ]


def tdm_policy_url(request=None) -> str:
    return f"{site_url(request)}/.well-known/tdm-policy.json"


def tdm_policy(request=None) -> dict:
    """An ODRL policy in the TDMRep profile: mining the site's content is prohibited."""
    site = site_url(request)
    return {
        "@context": [
            "http://www.w3.org/ns/odrl.jsonld",
            {
                "tdm": "http://www.w3.org/ns/tdmrep#",
                "dct": "http://purl.org/dc/terms/",
                "vcard": "http://www.w3.org/2006/vcard/ns#",  # for assigner's vcard:fn
            },
        ],
        "@type": "Offer",
        "uid": tdm_policy_url(request),
        "profile": "http://www.w3.org/ns/tdmrep",
        "dct:description": (
            "The artists on Kiln reserve their rights against text and data mining (EU DSM "
            "Directive Art. 4(3)). No content may be mined, and in particular none may be used "
            "to train, fine-tune or evaluate AI models. No licence for this is offered."
        ),
        "assigner": {"uid": f"{site}/", "vcard:fn": "Kiln, on behalf of its artists"},
        # No constraint: mining is prohibited for every purpose, AI training included.
        "prohibition": [{"target": f"{site}/", "action": "tdm:mine"}],
    }
