"""The one seam between Kiln and a full-text engine: which ids match, and in what order of
relevance. Two implementations chosen by the database in use (FTS5 on SQLite, tsvector and
pg_trgm on PostgreSQL); a dedicated engine would be a third (docs/decisions/search.md).

Every function returns ids only. Who may see them is the selectors' business, applied with
the same rules as the rest of Kiln, so an engine can change order, never visibility.
"""

import importlib
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.db.models.expressions import RawSQL

from kiln.search.query import (
    SearchQuery,
    to_fts5,
    to_fts5_prefix,
    to_tsquery_prefix,
    to_websearch,
)

CANDIDATES = 500  # best-match ranks this many text matches, then applies who-may-see-what
# Best match for words ranks the newest 5,000 matches, not every match: scoring all of a
# common word's matches grows with the index (265 ms p50 at 100k posts on SQLite under load),
# a window doesn't. Rare words have fewer matches, so for them it is exact.
RANK_WINDOW = 5000
# Artists' names are matched by trigrams (typos) only when the words find fewer than this.
TYPOS_BELOW = 50


@dataclass(frozen=True)
class Kind:
    table: str
    key: str
    fts: str
    bm25: str  # column weights for FTS5's bm25 (lower is better there)


POSTS = Kind("search_postdocument", "post_id", "search_post_fts", "")
PROJECTS = Kind("search_projectdocument", "project_id", "search_project_fts", ", 10.0, 1.0")
ARTISTS = Kind("search_artistdocument", "user_id", "search_artist_fts", ", 10.0, 1.0")


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _where(
    kind: Kind, query: SearchQuery | None, words: list[str] | None, *, typos: bool = True
) -> tuple[str, list]:
    """The match condition, on the document table aliased `d` (PostgreSQL) or the FTS table
    (SQLite), for a parsed query or (names, autocomplete) for prefixes of words. `typos`:
    artists' names by trigram similarity too (PostgreSQL)."""
    if _postgres():
        if query is not None:
            return "d.tsv @@ websearch_to_tsquery('kiln_search', %s)", [to_websearch(query)]
        prefix = "d.tsv @@ to_tsquery('kiln_search', %s)"
        if kind is ARTISTS and typos:  # trigrams: typos and partial names ("mira okafr")
            return f"({prefix} OR %s <%% d.name)", [to_tsquery_prefix(words), " ".join(words)]
        return prefix, [to_tsquery_prefix(words)]
    text = to_fts5(query) if query is not None else to_fts5_prefix(words)
    return f"{kind.fts} MATCH %s", [text]


def match_ids(kind: Kind, *, query=None, words=None) -> RawSQL:
    """A subquery of every matching id, for `pk__in=` (newest-first listings page by id)."""
    where, params = _where(kind, query, words)
    if _postgres():
        sql = f"SELECT d.{kind.key} FROM {kind.table} d WHERE {where}"  # noqa: S608
    else:
        sql = f"SELECT rowid FROM {kind.fts} WHERE {where}"  # noqa: S608
    return RawSQL(sql, params)  # noqa: S611 - fixed SQL; user text only as a parameter


def newest_windows(kind: Kind, *, query, before: int | None, sizes: list[int]):
    """Matching ids, newest first, below `before`, in chunks of `sizes` (a short or empty
    chunk: there are no more). Both engines walk their index in id order.

    SQLite: one statement, read a chunk at a time. To find where `before` falls in a common
    word's doclist, FTS5 walks its doclist index from the newest end, so the cost grows with
    the depth (1M posts, "sketch" in nearly every one: 0.05 ms for the newest, 7.6 ms at
    half way, 14.6 ms near the oldest): once a page, not once a window. PostgreSQL: a query
    per window (_pg_newest: a bounded walk, then by density). Close the generator when
    done with it."""
    where, params = _where(kind, query, None)
    if not _postgres():
        sql = f"SELECT rowid FROM {kind.fts} WHERE {where}"  # noqa: S608
        if before is not None:
            sql += " AND rowid < %s"
            params = [*params, before]
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} ORDER BY rowid DESC LIMIT %s", [*params, sum(sizes)])
            for size in sizes:
                chunk = [row[0] for row in cursor.fetchmany(size)]
                yield chunk
                if len(chunk) < size:
                    return
        return
    for size in sizes:
        chunk = _pg_newest(kind, query, where, params, before, size)
        yield chunk
        if len(chunk) < size:
            return
        before = chunk[-1]


# PostgreSQL, newest first. Its planner guesses how common a word is from a sample, and for
# a word outside the sample's most common ones it guesses 0.5% of rows: a rare word ("signed
# in" bench, ~40 of 1M posts) was then found by walking the primary key backwards through
# every row (640 ms). So the walk is tried for a bounded number of rows first, and what it
# finds (the word's density here) picks the rest: walk on, or the GIN index's matches sorted.
# The bitmap's cost is that of its candidates: for a phrase or an exclusion, GIN finds every
# post with the words and each is checked on the heap ("portrait figure" as a phrase: 53k
# candidates, 13 matches in 4,352 posts, 200 ms), so the probe counts those (querytree: the
# part GIN can answer, with phrases as plain AND).
# A candidate read through the GIN bitmap costs about 5 walked rows (a random heap read each,
# and the sort): measured on 1M posts, 1.3 us a walked row, 6 us a bitmap candidate.
BITMAP_ROW_COST = 5


def _next_probe(limit: int, found: int, walked: int) -> int:
    """Rows the walk's second probe reads: what the first's density says the window needs,
    with a margin; without any match yet, enough to tell a rare word (< 1 in 4,096)."""
    most = max(4096, 16 * limit)
    if not found:
        return most
    return min(most, max(limit, -(-3 * (limit - found) * walked // (2 * found))))


def _pg_newest(kind: Kind, query, where: str, params: list, before, limit: int) -> list:
    key = f"d.{kind.key}"
    found: list[int] = []
    walked = candidates = 0
    # Words alone: the candidates are the matches. Otherwise what GIN answers, or (NULL, as
    # for "-sketch" alone, where GIN can answer nothing) every row, so the walk goes on.
    simple = not query.excluded and all(len(item.words) == 1 for item in query.items)
    indexable, indexable_params = "NULL::boolean", []
    if not simple:
        indexable = (
            "coalesce(d.tsv @@ nullif(regexp_replace(querytree(websearch_to_tsquery("
            "'kiln_search', %s)), '<[0-9]*->|<[0-9]+>', '&', 'g'), 'T')::tsquery, true)"
        )
        indexable_params = [to_websearch(query)]
    probe = 2 * limit
    for _ in range(2):
        bound, bound_params = (f"WHERE {key} < %s", [before]) if before is not None else ("", [])
        sql = (
            "SELECT array_agg(w.id ORDER BY w.id DESC) FILTER (WHERE w.hit), min(w.id), "  # noqa: S608
            "count(*), count(*) FILTER (WHERE coalesce(w.candidate, w.hit)) "
            f"FROM (SELECT {key} AS id, {where} AS hit, {indexable} AS candidate "
            f"FROM {kind.table} d {bound} ORDER BY {key} DESC LIMIT %s) w"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *indexable_params, *bound_params, probe])
            hits, floor, rows, candidate_rows = cursor.fetchone()
        found += hits or []
        walked += rows
        candidates += candidate_rows
        if len(found) >= limit or rows < probe:  # enough, or no older rows
            return found[:limit]
        before = floor
        probe = _next_probe(limit, len(found), walked)
    wanted = limit - len(found)
    density, candidate_density = len(found) / walked, candidates / walked
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [kind.table])
        total = max(cursor.fetchone()[0], walked)
    # Walking on costs wanted / density rows; the bitmap, every candidate.
    walk = density and wanted / density <= BITMAP_ROW_COST * candidate_density * total
    # "+ 0": not the key's order, so the planner can't walk the key; it takes the GIN matches.
    order = key if walk else f"{key} + 0"
    sql = (
        f"SELECT {key} FROM {kind.table} d WHERE {where} AND {key} < %s "  # noqa: S608
        f"ORDER BY {order} DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, before, wanted])
        return found + [row[0] for row in cursor.fetchall()]


def newest_key(kind: Kind) -> int | None:
    """The newest document's id: best-match paging ranks only documents up to it, so what is
    written after a first page can't push results across the later pages."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({kind.key}) FROM {kind.table}")  # noqa: S608
        return cursor.fetchone()[0]


def ranked_ids(
    kind: Kind, *, query=None, words=None, limit: int = CANDIDATES, upto: int | None = None
) -> list[int]:
    """The best text matches first: bm25 on SQLite, ts_rank (+ name similarity) on
    PostgreSQL, among the newest RANK_WINDOW matches. Text relevance only: nothing about
    likes, follows or popularity.
    The order is total (ties by id, newest first), so the first n of a longer list are the
    list of n: pages cut from lists of different lengths agree. `upto`: ids up to it only."""
    if query is not None:
        return _ranked_window(kind, query, *_where(kind, query, None), limit, upto)
    if not (_postgres() and kind is ARTISTS):
        return _ranked_window(kind, None, *_where(kind, None, words), limit, upto, words=words)
    # Artists on PostgreSQL: names by trigram similarity too ("mira okafr"), but only when the
    # words alone find fewer than TYPOS_BELOW artists: with both, a common word ("sketch")
    # took 210 ms on 50,000 artists (every row's similarity computed), the words alone 16 ms.
    # At least TYPOS_BELOW are asked for, so the decision is the same for every page of one
    # search, whatever its `limit`.
    where, params = _where(kind, None, words, typos=False)
    found = _ranked_window(kind, None, where, params, max(limit, TYPOS_BELOW), upto, words=words)
    if len(found) >= TYPOS_BELOW:
        return found[:limit]
    return _ranked_window(kind, None, *_where(kind, None, words), limit, upto, words=words)


def name_prefix_ids(words: list[str], *, limit: int) -> list[int]:
    """Artists whose name or handle has a word starting with each of `words` (autocomplete):
    the name column only on SQLite; the trigram index (LIKE) on PostgreSQL."""
    if _postgres():
        conditions = " AND ".join("(d.name LIKE %s OR d.name LIKE %s)" for _ in words)
        params = [p for w in words for p in (f"{w}%", f"% {w}%")]
        sql = (
            f"SELECT d.user_id FROM {ARTISTS.table} d WHERE {conditions} "  # noqa: S608
            "ORDER BY similarity(d.name, %s) DESC, d.user_id DESC LIMIT %s"
        )
        params += [" ".join(words), limit]
    else:
        # Words are letters and digits only (query.prefix_words), so quoting them is safe.
        match = " AND ".join(f'name : "{w}"*' for w in words)
        sql = (
            f"SELECT rowid FROM {ARTISTS.fts} WHERE {ARTISTS.fts} MATCH %s "  # noqa: S608
            f"ORDER BY bm25({ARTISTS.fts}{ARTISTS.bm25}), rowid DESC LIMIT %s"
        )
        params = [match, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _ranked_window(kind: Kind, query, where: str, params: list, limit: int, upto, words=None):
    """Scores the newest RANK_WINDOW matches (up to `upto`) and returns the best `limit`:
    scoring every match of a common word grows with the index, a window doesn't."""
    if _postgres():
        key = f"d.{kind.key}"
        if query is not None:
            score = "ts_rank(s.tsv, websearch_to_tsquery('kiln_search', %s))"
            score_params = [to_websearch(query)]
        else:
            score = "ts_rank(s.tsv, to_tsquery('kiln_search', %s))"
            score_params = [to_tsquery_prefix(words)]
            if kind is ARTISTS:
                score += " + word_similarity(%s, s.name)"
                score_params.append(" ".join(words))
        name = ", d.name" if kind is ARTISTS else ""
        if upto is not None:
            where += f" AND {key} <= %s"
            params = [*params, upto]
        sql = (
            f"SELECT s.id FROM (SELECT {key} AS id, d.tsv{name} FROM {kind.table} d "  # noqa: S608
            f"WHERE {where} ORDER BY {key} DESC LIMIT {RANK_WINDOW}) s "
            f"ORDER BY {score} DESC, s.id DESC LIMIT %s"
        )
        params = [*params, *score_params]
    else:
        if upto is not None:
            where += " AND rowid <= %s"
            params = [*params, upto]
        sql = (
            f"SELECT id FROM (SELECT rowid AS id, bm25({kind.fts}{kind.bm25}) AS score "  # noqa: S608
            f"FROM {kind.fts} WHERE {where} ORDER BY rowid DESC LIMIT {RANK_WINDOW}) "
            "ORDER BY score, id DESC LIMIT %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [row[0] for row in cursor.fetchall()]


# The engines' structures as migration 0002 creates them (its statements, not a copy).
_ENGINES_MIGRATION = "kiln.search.migrations.0002_engines"
# PostgreSQL: each GIN index by name, with its table and column.
_GIN = [(f"search_{n}_tsv", f"search_{n}document", "tsv") for n in ("post", "project", "artist")]


@contextmanager
def bulk_load():
    """Rebuilding from nothing: the engines' indexes are built once at the end, in one pass
    over the documents, instead of row by row as each document lands. Inside a transaction
    (search_rebuild's), so no reader sees the index half-built.

    SQLite: the FTS5 triggers are dropped, the FTS tables emptied ('delete-all'), and
    'rebuild' reads the document tables once. PostgreSQL: the GIN indexes are dropped and
    created again (a sort, not a million pending-list inserts); the generated tsvector is
    still computed as each row lands, once."""
    migration = importlib.import_module(_ENGINES_MIGRATION)
    with connection.cursor() as cursor:
        if _postgres():
            for index, _table, _column in _GIN:
                cursor.execute(f"DROP INDEX IF EXISTS {index}")
        else:
            for kind in (POSTS, PROJECTS, ARTISTS):
                for suffix in ("ai", "ad", "au"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {kind.fts}_{suffix}")
                cursor.execute(f"INSERT INTO {kind.fts}({kind.fts}) VALUES ('delete-all')")  # noqa: S608
    yield
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # The documents' deferred foreign-key checks must run before an index can be
            # built on their table in this transaction; then deferred again, as Django has them.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for index, table, column in _GIN:
                cursor.execute(f"CREATE INDEX {index} ON {table} USING gin ({column})")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for kind in (POSTS, PROJECTS, ARTISTS):
                cursor.execute(f"INSERT INTO {kind.fts}({kind.fts}) VALUES ('rebuild')")  # noqa: S608
            for statement in migration._sqlite_statements():
                if statement.startswith("CREATE TRIGGER"):
                    cursor.execute(statement)


def index_size_bytes() -> dict[str, int]:
    """Bytes the search index takes, per table (for bench/search.py)."""
    sizes = {}
    with connection.cursor() as cursor:
        if _postgres():
            for kind in (POSTS, PROJECTS, ARTISTS):
                cursor.execute("SELECT pg_total_relation_size(%s)", [kind.table])
                sizes[kind.table] = cursor.fetchone()[0]
        else:
            for kind in (POSTS, PROJECTS, ARTISTS):
                total = 0
                for table in (kind.table, *(f"{kind.fts}_{s}" for s in ("data", "idx", "docsize"))):
                    cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name = %s", [table])
                    total += cursor.fetchone()[0] or 0
                sizes[kind.table] = total
    return sizes
