"""Video and 3D embeds: parse a pasted link from an allow-listed provider into (provider, id).

Only the provider and the id are stored; the iframe URL is rebuilt from them on our side, so
a user's URL never reaches an iframe (no lookalike hosts, no javascript:, no extra params).
"""

import re
from urllib.parse import parse_qs, urlsplit

URL_MAX = 500

YOUTUBE = "youtube"
VIMEO = "vimeo"
SKETCHFAB = "sketchfab"

PROVIDER_CHOICES = [(YOUTUBE, "YouTube"), (VIMEO, "Vimeo"), (SKETCHFAB, "Sketchfab")]
PROVIDER_LABELS = dict(PROVIDER_CHOICES)
# What the iframe shows, for its title attribute and the editor card.
KIND_LABELS = {YOUTUBE: "YouTube video", VIMEO: "Vimeo video", SKETCHFAB: "Sketchfab 3D model"}
# The only origins an embed iframe can load; settings' CSP frame-src lists the same three.
FRAME_ORIGINS = (
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
    "https://sketchfab.com",
)

_ID_PATTERNS = {
    YOUTUBE: re.compile(r"[A-Za-z0-9_-]{11}"),
    VIMEO: re.compile(r"[1-9][0-9]{0,11}"),
    SKETCHFAB: re.compile(r"[0-9a-f]{32}"),
}
_YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
_SKETCHFAB_HOSTS = {"sketchfab.com", "www.sketchfab.com"}

UNSUPPORTED = "Kiln can embed links from YouTube, Vimeo and Sketchfab only."


class EmbedError(ValueError):
    """A link that can't be embedded; the message is for the artist."""


def valid_id(provider: str, video_id: str) -> bool:
    pattern = _ID_PATTERNS.get(provider)
    return bool(pattern and isinstance(video_id, str) and pattern.fullmatch(video_id))


def embed_src(provider: str, video_id: str) -> str:
    """The canonical iframe URL, built only from a validated provider and id."""
    if not valid_id(provider, video_id):
        raise EmbedError(UNSUPPORTED)
    if provider == YOUTUBE:
        return f"https://www.youtube-nocookie.com/embed/{video_id}"
    if provider == VIMEO:
        return f"https://player.vimeo.com/video/{video_id}"
    return f"https://sketchfab.com/models/{video_id}/embed"


def _youtube_id(host: str, path: str, query: str) -> str | None:
    segments = [s for s in path.split("/") if s]
    if host == "youtu.be":
        return segments[0] if len(segments) == 1 else None
    if segments == ["watch"]:
        values = parse_qs(query).get("v", [])
        return values[0] if len(values) == 1 else None
    if len(segments) == 2 and segments[0] in ("embed", "shorts", "live", "v"):
        return segments[1]
    return None


def _vimeo_id(host: str, path: str) -> str | None:
    segments = [s for s in path.split("/") if s]
    if host == "player.vimeo.com":
        return segments[1] if len(segments) == 2 and segments[0] == "video" else None
    if len(segments) == 1:
        return segments[0]
    if len(segments) == 3 and segments[0] == "channels":
        return segments[2]
    return None


def _sketchfab_id(path: str) -> str | None:
    segments = [s for s in path.split("/") if s]
    if len(segments) == 2 and segments[0] == "3d-models":
        # The slug is free text; the model's id is the last 32 hex digits after a hyphen.
        match = re.search(r"(?:^|-)([0-9a-f]{32})$", segments[1])
        return match.group(1) if match else None
    if segments[:1] == ["models"] and (
        len(segments) == 2 or (len(segments) == 3 and segments[2] == "embed")
    ):
        return segments[1]
    return None


def parse_embed_url(raw: str) -> tuple[str, str]:
    """(provider, id) for a supported link; EmbedError with a message otherwise."""
    url = (raw or "").strip()
    if not url:
        raise EmbedError(f"Paste a link first. {UNSUPPORTED}")
    if len(url) > URL_MAX:
        raise EmbedError(f"That link is too long (over {URL_MAX} characters). {UNSUPPORTED}")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise EmbedError(f"That doesn't look like a link. {UNSUPPORTED}")
    lowered = url.lower()
    if "://" not in lowered:
        if re.match(r"^[a-z][a-z0-9+.-]*:", lowered):  # javascript:, data:, mailto: ...
            raise EmbedError(f"Only web links can be embedded. {UNSUPPORTED}")
        url, lowered = "https://" + url, "https://" + lowered
    if not lowered.startswith(("https://", "http://")):
        raise EmbedError(f"Only web links can be embedded. {UNSUPPORTED}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise EmbedError(f"That doesn't look like a link. {UNSUPPORTED}") from None
    # Exact host names only: no user info, no odd ports, no "youtube.com.evil.example".
    host = (parts.hostname or "").rstrip(".")
    if "@" in parts.netloc or port not in (None, 80, 443):
        raise EmbedError(UNSUPPORTED)
    if host in _YOUTUBE_HOSTS or host == "youtu.be":
        provider, video_id = YOUTUBE, _youtube_id(host, parts.path, parts.query)
    elif host in _VIMEO_HOSTS:
        provider, video_id = VIMEO, _vimeo_id(host, parts.path)
    elif host in _SKETCHFAB_HOSTS:
        provider, video_id = SKETCHFAB, _sketchfab_id(parts.path)
    else:
        raise EmbedError(UNSUPPORTED)
    if video_id is None or not valid_id(provider, video_id):
        raise EmbedError(
            f"That {PROVIDER_LABELS[provider]} link doesn't point to a single "
            f"{'model' if provider == SKETCHFAB else 'video'}; copy the link from its page."
        )
    return provider, video_id
