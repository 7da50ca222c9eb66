"""Post text: parse #hashtags and @mentions, and render escaped HTML with autolinks.

The HTML is rendered once when a post is written (like a Mastodon Status's `content`) so that
reading a page of posts never resolves mentions again.
"""

import re

from django.utils.html import escape, urlize

# A hashtag is letters, digits and underscores in any script, with at least one letter, and
# it must not be glued to a word before it (so "a#b" and URL fragments are not tags).
HASHTAG_RE = re.compile(r"(?<![\w#&/])#(\w*[^\W\d_]\w*)")
MENTION_RE = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_]{1,30})\b")
URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
TRAILING_PUNCTUATION = ".,;:!?)]}'\""

TOKEN_RE = re.compile(
    r"(?P<url>https?://[^\s<>\"']+)"
    r"|(?P<tag>(?<![\w#&/])#\w*[^\W\d_]\w*)"
    r"|(?P<mention>(?<![\w@/.])@[A-Za-z0-9_]{1,30}\b)",
    re.IGNORECASE,
)


def normalise_tag(tag: str) -> str:
    return tag.casefold()


def _without_urls(text: str) -> str:
    return URL_RE.sub(" ", text)


def extract_hashtags(text: str) -> list[str]:
    """Case-folded, de-duplicated, in order of first use."""
    seen: dict[str, None] = {}
    for match in HASHTAG_RE.finditer(_without_urls(text or "")):
        seen.setdefault(normalise_tag(match.group(1))[:100], None)
    return list(seen)


def extract_mentions(text: str) -> list[str]:
    """Usernames as written (case preserved), de-duplicated ignoring case."""
    seen: dict[str, str] = {}
    for match in MENTION_RE.finditer(_without_urls(text or "")):
        seen.setdefault(match.group(1).lower(), match.group(1))
    return list(seen.values())


def _link(href: str, label: str, css: str, rel: str = "") -> str:
    rel_attr = f' rel="{rel}"' if rel else ""
    return f'<a class="{css}" href="{escape(href)}"{rel_attr}>{escape(label)}</a>'


def _render_inline(text: str, usernames: dict[str, str]) -> str:
    out = []
    pos = 0
    for match in TOKEN_RE.finditer(text):
        out.append(urlize(escape(text[pos : match.start()]), nofollow=True, autoescape=False))
        token = match.group(0)
        if match.group("url"):
            url = token.rstrip(TRAILING_PUNCTUATION)
            tail = token[len(url) :]
            out.append(_link(url, url, "post-link", "nofollow noopener ugc") + escape(tail))
        elif match.group("tag"):
            tag = normalise_tag(token[1:])[:100]
            out.append(_link(f"/tags/{tag}", token, "hashtag"))
        else:
            username = usernames.get(token[1:].lower())
            out.append(
                _link(f"/@{username}", f"@{username}", "mention") if username else escape(token)
            )
        pos = match.end()
    out.append(urlize(escape(text[pos:]), nofollow=True, autoescape=False))
    return "".join(out).replace('rel="nofollow"', 'rel="nofollow noopener ugc"')


def render_post_html(text: str, usernames: dict[str, str] | None = None) -> str:
    """Escaped paragraphs; URLs, #tags and @mentions (of `usernames`, lowercased -> actual
    spelling) become links. Nothing the author typed is ever emitted as markup."""
    usernames = usernames or {}
    paragraphs = [p for p in re.split(r"\n{2,}", (text or "").strip()) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(_render_inline(line, usernames) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
