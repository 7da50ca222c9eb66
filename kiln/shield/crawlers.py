"""Which user agents are AI crawlers.

The list is Kiln's own data file (kiln/shield/data/ai_crawlers.txt, generated from the
ai.robots.txt project's robots.json), plus `KILN_EXTRA_AI_CRAWLERS`, plus tokens admins add
(`CrawlerToken`), plus a refreshed copy written by `manage.py update_ai_crawlers`.

Tokens are matched as product tokens, ignoring case: the token must start at the beginning of
the User-Agent, after a space, or inside a comment, and end at "/", a space, ";", ")" or the end.
So "GPTBot" matches "…; GPTBot/1.1; …" but never "NotGPTBotX". Generic words ("Spider", "Code",
"Operator") are marked strict: they match only as the first product of the UA or the first item
after "(" or ";". That keeps "Sogou web spider/4.0" and "Baiduspider" out of it.
"""

import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("kiln.shield")

SHIPPED_LIST = Path(__file__).resolve().parent / "data" / "ai_crawlers.txt"
STRICT_FLAG = "strict"
# Ordinary words or very short tokens that appear in unrelated user agents.
GENERIC_WORDS = frozenset(
    {
        "code",
        "cursor",
        "devin",
        "operator",
        "spider",
        "trae",
        "openai",
        "opencode",
        "useai",
        "newsai",
        "anomura",
        "lightpanda",
        "crawlspace",
        "panscient",
        "omgili",
        "awario",
    }
)
# Real agents put their token in the first few hundred characters; scanning is capped so an
# 8 KiB header costs no more than a normal one.
MAX_UA_CHARS = 1024


def token_is_generic(token: str) -> bool:
    return token.lower() in GENERIC_WORDS or len(token) <= 4


@dataclass(frozen=True)
class CrawlerEntry:
    token: str
    strict: bool


def parse_crawler_list(text: str) -> list[CrawlerEntry]:
    """Lines of `token` or `token<TAB>strict`; `#` starts a comment."""
    entries = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        token, _, flag = line.partition("\t")
        token = token.strip()
        if token:
            entries.append(CrawlerEntry(token=token, strict=flag.strip() == STRICT_FLAG))
    return entries


def format_crawler_list(tokens: list[str], *, header: str) -> str:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for token in sorted(set(tokens), key=str.lower):
        lines.append(f"{token}\t{STRICT_FLAG}" if token_is_generic(token) else token)
    return "\n".join(lines) + "\n"


def refreshed_list_path() -> Path:
    return Path(settings.VAR_DIR) / "shield" / "ai_crawlers.txt"


def _alternation(tokens: list[str]) -> str:
    """A regex for any of `tokens`, shaped as a trie so each position costs a few char tests."""
    trie: dict = {}
    for token in {t.lower() for t in tokens}:
        node = trie
        for char in token:
            node = node.setdefault(char, {})
        node[""] = {}  # end of a token
    return _trie_regex(trie)


def _trie_regex(node: dict) -> str:
    ends_here = "" in node
    branches = [re.escape(char) + _trie_regex(child) for char, child in node.items() if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # The lookahead after the group decides where a token may end, so the longer branch is
    # tried first and the shorter one is the fallback.
    return f"(?:{body})?" if ends_here else body


class CrawlerMatcher:
    """One compiled regex over every token; `match(ua)` returns the token it found or None."""

    def __init__(self, entries: list[CrawlerEntry]):
        self.entries = entries
        loose = [e.token for e in entries if not e.strict]
        strict = [e.token for e in entries if e.strict]
        parts = []
        if loose:
            parts.append(r"(?:^|[\s(;,])(" + _alternation(loose) + r")(?=$|[\s/;),])")
        if strict:
            parts.append(r"(?:^|\(\s*|;\s*)(" + _alternation(strict) + r")(?=$|[\s/;)])")
        self.regex = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def match(self, user_agent: str) -> str | None:
        if not user_agent or self.regex is None:
            return None
        found = self.regex.search(user_agent[:MAX_UA_CHARS])
        if found is None:
            return None
        return next(group for group in found.groups() if group)


def search_engine_tokens() -> set[str]:
    from kiln.shield.conf import shield_setting

    return {name.lower() for name in shield_setting("KILN_SEARCH_ENGINE_CRAWLERS")}


def load_entries(*, include_database: bool = True) -> list[CrawlerEntry]:
    entries = parse_crawler_list(SHIPPED_LIST.read_text())
    refreshed = refreshed_list_path()
    if refreshed.is_file():
        entries += parse_crawler_list(refreshed.read_text())
    # ai.robots.txt lists plain Applebot (Apple's search crawler, "AI Search Crawlers"); Kiln
    # serves it like Googlebot. Its AI-training control, Applebot-Extended, stays refused.
    search = search_engine_tokens()
    entries = [entry for entry in entries if entry.token.lower() not in search]
    extra = getattr(settings, "KILN_EXTRA_AI_CRAWLERS", [])
    entries += [CrawlerEntry(t.strip(), token_is_generic(t.strip())) for t in extra if t.strip()]
    if include_database:
        entries += _database_entries()
    return entries


def _database_entries() -> list[CrawlerEntry]:
    from kiln.shield.models import CrawlerToken

    try:
        tokens = list(CrawlerToken.objects.values_list("token", flat=True))
    except Exception:  # no table yet, or no database in this context: the file still applies
        logger.debug("admin crawler tokens unavailable", exc_info=True)
        return []
    return [CrawlerEntry(t, token_is_generic(t)) for t in tokens]


_lock = threading.Lock()
_state: dict = {"matcher": None, "version": None, "checked_at": 0.0}
# Admin changes bump this cache key; processes compare it at most every VERSION_CHECK_SECONDS
# (a cache read, never a database query, so request query counts stay exact).
VERSION_KEY = "shield:crawler-list-version"
VERSION_CHECK_SECONDS = 5


def crawler_matcher() -> CrawlerMatcher:
    """The process's matcher: built once (the only database read), rebuilt after admin edits."""
    matcher = _state["matcher"]
    now = time.monotonic()
    if matcher is not None and now - _state["checked_at"] < VERSION_CHECK_SECONDS:
        return matcher
    version = cache.get(VERSION_KEY)
    with _lock:
        _state["checked_at"] = now
        stale = version is not None and version != _state["version"]
        if _state["matcher"] is None or stale:
            _state["matcher"] = CrawlerMatcher(load_entries())
            _state["version"] = version
        return _state["matcher"]


def crawler_matcher_reset() -> None:
    """Rebuild here now, and tell every other process (through the cache) to rebuild too."""
    with _lock:
        _state["matcher"] = None
    cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def ai_crawler_token(user_agent: str) -> str | None:
    """The listed token this User-Agent carries, or None for everyone else."""
    return crawler_matcher().match(user_agent)


def ai_crawler_tokens() -> list[str]:
    """Every token, for robots.txt."""
    seen: dict[str, str] = {}
    for entry in crawler_matcher().entries:
        seen.setdefault(entry.token.lower(), entry.token)
    return sorted(seen.values(), key=str.lower)
