"""The engines' own index structures, different on each database (Django's models can't say
them). SQLite: FTS5 tables over the document tables, kept in step by triggers in the same
transaction. PostgreSQL: unaccent + English stemming, a generated tsvector column with a GIN
index per document table, and a trigram index on artist names (typos, "mira ok")."""

from django.db import migrations

FTS5_TOKENIZE = "porter unicode61 remove_diacritics 2"

# (document table, key column, fts table, indexed columns, prefix indexes)
SQLITE_TABLES = [
    ("search_postdocument", "post_id", "search_post_fts", ["body"], ""),
    ("search_projectdocument", "project_id", "search_project_fts", ["title", "body"], ""),
    ("search_artistdocument", "user_id", "search_artist_fts", ["name", "body"], "1 2 3"),
]


def _sqlite_statements():
    for table, key, fts, columns, prefix in SQLITE_TABLES:
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        prefix_option = f", prefix='{prefix}'" if prefix else ""
        yield (
            f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', "
            f"content_rowid='{key}', tokenize='{FTS5_TOKENIZE}'{prefix_option})"
        )
        delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.{key}, {old});"
        insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.{key}, {new});"
        yield f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END"
        yield f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END"
        yield f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END"


def _sqlite_reverse():
    for _table, _key, fts, _columns, _prefix in SQLITE_TABLES:
        for suffix in ("ai", "ad", "au"):
            yield f"DROP TRIGGER IF EXISTS {fts}_{suffix}"
        yield f"DROP TABLE IF EXISTS {fts}"


def _vector(column, weight=None):
    vector = f"to_tsvector('kiln_search'::regconfig, coalesce({column}, ''))"
    return f"setweight({vector}, '{weight}')" if weight else vector


POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # English stems ("watercolours" finds "watercolour") but no stop words: "the who" is a band.
    "CREATE TEXT SEARCH DICTIONARY kiln_stem (TEMPLATE = snowball, Language = english)",
    "CREATE TEXT SEARCH CONFIGURATION kiln_search (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION kiln_search ALTER MAPPING FOR asciiword, asciihword, "
    "hword_asciipart, word, hword, hword_part, numword, numhword WITH unaccent, kiln_stem",
    "ALTER TABLE search_postdocument ADD COLUMN tsv tsvector "
    f"GENERATED ALWAYS AS ({_vector('body')}) STORED",
    "CREATE INDEX search_post_tsv ON search_postdocument USING gin (tsv)",
    "ALTER TABLE search_projectdocument ADD COLUMN tsv tsvector "
    f"GENERATED ALWAYS AS ({_vector('title', 'A')} || {_vector('body', 'B')}) STORED",
    "CREATE INDEX search_project_tsv ON search_projectdocument USING gin (tsv)",
    "ALTER TABLE search_artistdocument ADD COLUMN tsv tsvector "
    f"GENERATED ALWAYS AS ({_vector('name', 'A')} || {_vector('body', 'B')}) STORED",
    "CREATE INDEX search_artist_tsv ON search_artistdocument USING gin (tsv)",
    "CREATE INDEX search_artist_name_trgm ON search_artistdocument USING gin (name gin_trgm_ops)",
]

POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS search_artist_name_trgm",
    "ALTER TABLE search_artistdocument DROP COLUMN IF EXISTS tsv",
    "ALTER TABLE search_projectdocument DROP COLUMN IF EXISTS tsv",
    "ALTER TABLE search_postdocument DROP COLUMN IF EXISTS tsv",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS kiln_search",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS kiln_stem",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, _sqlite_statements())
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, _sqlite_reverse())
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
