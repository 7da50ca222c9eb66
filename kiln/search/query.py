"""What a person typed, turned into a query every engine can run safely.

Nothing the user types reaches an engine's own syntax: the text is cut into words
(letters and digits in any script), "quoted phrases", -exclusions and OR, then each engine
writes its own query from those parts (FTS5 strings with every word quoted; a plain
websearch string on PostgreSQL). So `NEAR(`, `col:`, `*`, SQL and unbalanced quotes are only
ever words or nothing, never operators.
"""

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_CHARS = 200  # longer input is cut here, and the page says so
MAX_TERMS = 12
MAX_WORD_CHARS = 60

# A word: letters and digits in any script (underscore splits, as both engines' tokenisers do).
_WORD = re.compile(r"[^\W_]+")
_PIECE = re.compile(r'(-?)"([^"]*)"?|(\S+)')


class QueryProblem(ValueError):
    """The text can't be searched; the message says why, for the page to show."""


@dataclass(frozen=True)
class Item:
    words: tuple[str, ...]  # one word, or a phrase
    any_with_next: bool = False  # "a OR b": joined to the next item by OR


@dataclass(frozen=True)
class SearchQuery:
    items: tuple[Item, ...]
    excluded: tuple[tuple[str, ...], ...] = ()
    truncated: bool = False

    @property
    def words(self) -> list[str]:
        return [w for item in self.items for w in item.words]

    @property
    def text(self) -> str:
        """The query as it was understood, for the page ("Results for …")."""
        parts = []
        for item in self.items:
            parts.append(item.words[0] if len(item.words) == 1 else f'"{" ".join(item.words)}"')
            if item.any_with_next:
                parts.append("OR")
        parts += ["-" + (w[0] if len(w) == 1 else f'"{" ".join(w)}"') for w in self.excluded]
        return " ".join(parts)


def clean_text(raw: str | None) -> tuple[str, bool]:
    """NFKC, no control or format characters (null bytes, RTL overrides), at most 200 chars."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") else c for c in text
    )
    text = " ".join(text.split())
    truncated = len(text) > MAX_QUERY_CHARS
    return text[:MAX_QUERY_CHARS], truncated


def _words(fragment: str) -> tuple[str, ...]:
    return tuple(w.casefold()[:MAX_WORD_CHARS] for w in _WORD.findall(fragment))


def parse_query(raw: str | None) -> SearchQuery | None:
    """None for empty input; QueryProblem when nothing searchable is left (only operators,
    only exclusions, only emoji)."""
    text, truncated = clean_text(raw)
    if not text:
        return None
    items: list[Item] = []
    excluded: list[tuple[str, ...]] = []
    pending_or = False
    for match in _PIECE.finditer(text):
        negative, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare == "OR":
            pending_or = bool(items)
            continue
        if bare is not None:
            negative = "-" if bare.startswith("-") else ""
            words = _words(bare)
            # "a-b" is one hyphenated thing: a phrase, as both engines read it
        else:
            words = _words(phrase)
        if not words:
            continue
        if negative:
            excluded.append(words)
            continue
        if pending_or:
            items[-1] = Item(items[-1].words, any_with_next=True)
        pending_or = False
        items.append(Item(words))
        if len(items) + len(excluded) >= MAX_TERMS:
            truncated = True
            break
    if not items:
        if excluded:
            raise QueryProblem("Add a word to look for, not only words to leave out.")
        raise QueryProblem("Type a word or a name: letters or numbers, not only symbols.")
    return SearchQuery(items=tuple(items), excluded=tuple(excluded), truncated=truncated)


def prefix_words(raw: str | None) -> list[str]:
    """Words for prefix matching (autocomplete, names): no operators at all."""
    text, _ = clean_text(raw)
    return list(_words(text))[:MAX_TERMS]


# --- Rendering, one function per engine -----------------------------------------------------


def _fts5_phrase(words: tuple[str, ...], prefix: bool = False) -> str:
    # Words hold only letters and digits, so the quotes can't be broken out of.
    return '"' + " ".join(words) + '"' + ("*" if prefix else "")


def to_fts5(query: SearchQuery) -> str:
    parts = []
    for item in query.items:
        parts.append(_fts5_phrase(item.words))
        if item.any_with_next:
            parts.append("OR")
    expression = " ".join(parts)
    if query.excluded:
        expression = f"({expression})" + "".join(
            f" NOT {_fts5_phrase(words)}" for words in query.excluded
        )
    return expression


def to_fts5_prefix(words: list[str]) -> str:
    return " ".join(_fts5_phrase((w,), prefix=True) for w in words)


def to_websearch(query: SearchQuery) -> str:
    """The same query in websearch_to_tsquery's syntax (which never raises on any input)."""
    return query.text


def to_tsquery_prefix(words: list[str]) -> str:
    # Words are letters and digits only: nothing here can be read as tsquery syntax.
    return " & ".join(f"'{w}':*" for w in words)
