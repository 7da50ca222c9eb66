"""Link previews: what a chat app's or social network's preview fetcher may see.

When an artist pastes a portfolio link into Slack, Discord, WhatsApp, iMessage, X or Facebook,
the app's fetcher asks for the page to draw a card. These fetchers get the page's Open Graph and
Twitter card tags (title, a short description, the artist's name) and the card image: a small,
watermarked rendition that carries the same reservations as every other. Nothing else: no
other page, no full-size image, no post text beyond the description. `facebookexternalhit`
is on ai.robots.txt's list (its use is disputed); under this policy it sees only the card.
docs/decisions.md ("Link previews") says why.
"""

import re

# Substrings of the fetchers' user agents (iMessage sends "facebookexternalhit ... Twitterbot").
LINK_PREVIEW_TOKENS = (
    "Slackbot",
    "Discordbot",
    "WhatsApp",
    "facebookexternalhit",
    "Facebot",
    "Twitterbot",
    "TelegramBot",
)
# The shareable pages (a profile, a project, a post) and their card images.
# Usernames are [A-Za-z0-9_] (kiln/accounts/validators.py), so "/@ana.rss" is not a profile.
PREVIEW_PATH = re.compile(r"^/@[A-Za-z0-9_]{1,30}(?:/projects/\d+|/posts/\d+)?(?:/card\.jpg)?/?$")
_TOKENS = re.compile("|".join(re.escape(t) for t in LINK_PREVIEW_TOKENS), re.IGNORECASE)
_CARD_TAG = re.compile(
    rb"<meta\s+(?:property=\"og:[^\"]+\"|name=\"twitter:[^\"]+\"|name=\"description\")[^>]*>",
    re.IGNORECASE,
)
_TITLE = re.compile(rb"<title>.*?</title>", re.IGNORECASE | re.DOTALL)


def link_preview_agent(user_agent: str) -> str | None:
    """The preview fetcher's token in this user agent, or None."""
    found = _TOKENS.search(user_agent or "")
    return found.group(0) if found else None


def is_preview_path(path: str) -> bool:
    return bool(PREVIEW_PATH.match(path))


def preview_document(html: bytes) -> bytes:
    """The page reduced to what a link card needs: its title and card tags, nothing else."""
    head = html.split(b"</head>", 1)[0]
    title = _TITLE.search(head)
    tags = _CARD_TAG.findall(head)
    parts = [
        b'<!DOCTYPE html>\n<html><head><meta charset="utf-8">',
        b'<meta name="robots" content="noai, noimageai, noindex">',
        title.group(0) if title else b"",
        *tags,
        b"</head><body></body></html>\n",
    ]
    return b"\n".join(parts)
