"""Hot-path reads without the ORM's per-call cost.

Building SQL from a QuerySet costs 0.3-0.5 ms per query (measured on the home timeline:
more than the query itself, which SQLite answers in 20 µs). The few queries that run on
every logged-in request (session, user, profile) and on every timeline page are compiled
from an ORM queryset once per process, then executed directly with new parameters. The
rows still become real model instances (`Model.from_db`), so callers see no difference.
"""

from __future__ import annotations

import functools
import operator
import time
from typing import Any

from django.db import connections
from django.db.models import Model
from django.db.models.query import ModelIterable, get_related_populators

from kiln.core.sqlite.base import run_waiting_for_lock

# A value no real lookup uses, so it can be found among the compiled query's parameters.
_SENTINEL_INT = -7_346_182_953_118_731
_SENTINEL_STR = "kiln-sentinel-4c1f9e"


@functools.cache
def _get_by_sql(model: type[Model], field: str, using: str, sentinel: Any):
    queryset = model._default_manager.db_manager(using).filter(**{field: sentinel})
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    if list(params) != [sentinel]:  # pragma: no cover - a lookup that changes its parameter
        raise ValueError(f"{model.__name__}.{field}: cannot prepare this lookup")
    columns = [column for column, _, _ in compiler.select]
    # The backend's value converters (SQLite: text to aware datetimes, JSON, booleans...),
    # exactly as the ORM would apply them; called with the current thread's connection.
    converters = [
        (index, functions, column)
        for index, (functions, column) in compiler.get_converters(columns).items()
    ]
    return sql, [column.target.attname for column in columns], converters


def get_by(model: type[Model], field: str, value, *, using: str = "default") -> Model | None:
    """`model.objects.filter(field=value).first()` without ordering, as a prepared query.

    For unique fields only (the first row is returned). The instance is a normal one:
    saving it, reading relations and comparing it all work as usual.
    """
    sentinel = _SENTINEL_STR if isinstance(value, str) else _SENTINEL_INT
    sql, names, converters = _get_by_sql(model, field, using, sentinel)
    connection = connections[using]
    found = _execute(connection, sql, [value])
    if not found:
        return None
    row = found[0]
    if converters:
        row = list(row)
        for index, functions, column in converters:
            for convert in functions:
                row[index] = convert(row[index], column, connection)
    return model.from_db(using, names, row)


def rows(sql: str, params, *, using: str = "default") -> list[tuple]:
    """Run hand-written SQL (with %s placeholders) and return every row."""
    return _execute(connections[using], sql, params)


def _execute(connection, sql: str, params) -> list[tuple]:
    """Run a hot-path statement straight on the driver's connection, keeping Django's error
    wrapping and its query log (which tests count).

    PostgreSQL: as a server-side prepared statement; these few statements are planned once per
    connection instead of on every request (planning the timeline's joined query took 1.9 ms,
    running it 0.15 ms). psycopg keeps the statements.
    SQLite: in qmark style, converted once per statement; Django's cursor converts `%s` with a
    regular expression on every call, and sqlite3's own statement cache then skips the parse.
    Other databases: through Django's cursor."""
    if connection.vendor not in ("postgresql", "sqlite"):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.ensure_connection()
    start = time.monotonic()
    with connection.wrap_database_errors:
        if connection.vendor == "sqlite":
            raw = connection.connection
            result = run_waiting_for_lock(raw, raw.execute, _qmark(sql), params).fetchall()
        else:
            import psycopg

            with psycopg.Cursor(connection.connection) as cursor:
                cursor.adapters.register_loader("timestamptz", _timestamptz_loader())
                cursor.execute(sql, params, prepare=True)
                result = cursor.fetchall()
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {params!r}", "time": f"{time.monotonic() - start:.3f}"}
        )
    return result


@functools.cache
def _timestamptz_loader():
    """psycopg's own timestamptz loader (in C when psycopg's binary package is installed).

    Django registers a Python subclass of it that replaces each value's zone with the one of
    the connection; a timeline page's facts hold about 40 datetimes, and that subclass cost
    0.1-0.2 ms of each JSON page. psycopg's loader already gives datetimes in the session's
    time zone, which Django sets to its own (UTC) on connecting, so the values are the same
    instants in the same zone."""
    import psycopg
    from psycopg.postgres import types
    from psycopg.pq import Format

    return psycopg.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)


@functools.lru_cache(maxsize=256)
def _qmark(sql: str) -> str:
    """Django's SQLite placeholder conversion (`%s` to `?`, `%%` to `%`), once per statement."""
    from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

    return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")


class PreparedQuery:
    """A fixed-shape ORM query, compiled to SQL once per process and database alias.

    `build` receives stand-in values and returns a queryset (usually `values_list`); each
    call runs the compiled SQL with the real values put in their places, and applies the
    backend's converters, so rows come back as the ORM would return them. `shape` lists the
    parameters: "int" for one integer, "str" for one string, an integer N for an IN list of
    up to N integers. Lists are compiled in a few lengths (powers of two up to N) and padded
    to the next one by repeating their first value, which changes no result and keeps the
    planner's row estimate close (PostgreSQL plans 80 padded ids as 80 rows); empty lists
    are the caller's to skip. A queryset of model instances (not `values_list`) gives
    instances, with their `select_related` objects attached.
    """

    def __init__(self, build, *shape: str | int, opaque: tuple[str, ...] = ()):
        """`opaque`: `values_list` names whose values are only compared or tested for None,
        left as the database returns them (SQLite's datetimes are text: parsing a page's
        worth costs more than the query)."""
        self.build = build
        self.shape = shape
        self.opaque = frozenset(opaque)
        self._compiled: dict[tuple, tuple] = {}

    def _lengths(self, args) -> tuple:
        lengths = []
        for kind, value in zip(self.shape, args, strict=True):
            if isinstance(kind, int):
                count = len(value)
                if not 1 <= count <= kind:
                    raise ValueError(f"PreparedQuery: 1 to {kind} values expected")
                lengths.append(min(kind, 1 << (count - 1).bit_length()))
            else:
                lengths.append(None)
        return tuple(lengths)

    def _compile(self, using: str, lengths: tuple):
        stand_ins: list[Any] = []
        counter = iter(range(_SENTINEL_INT, _SENTINEL_INT + 10_000))
        for index, (kind, length) in enumerate(zip(self.shape, lengths, strict=True)):
            if kind == "int":
                stand_ins.append(next(counter))
            elif kind == "str":
                stand_ins.append(f"{_SENTINEL_STR}-{index}")
            else:
                stand_ins.append([next(counter) for _ in range(length)])
        queryset = self.build(*stand_ins).using(using)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        where: dict[Any, list[int]] = {}  # sentinel -> positions in the parameter list
        for position, value in enumerate(params):
            if isinstance(value, int | str):
                where.setdefault(value, []).append(position)
        slots = []  # for each call argument: positions per element
        for kind, stand_in in zip(self.shape, stand_ins, strict=True):
            values = stand_in if isinstance(kind, int) else [stand_in]
            positions = [where.get(value) for value in values]
            if any(p is None for p in positions):  # pragma: no cover - a query the ORM rewrote
                raise ValueError("PreparedQuery: a parameter was not found in the compiled SQL")
            slots.append(positions)
        columns = [column for column, _, _ in compiler.select]
        builder = reorder = None
        opaque_indexes: set[int] = set()
        if queryset._iterable_class is ModelIterable:
            builder = _instance_builder(compiler, using)
        else:
            # As ValuesListIterable: the SQL selects fields, then annotations; rows are put
            # back in the order the queryset asked for.
            query = queryset.query
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            fields = [
                *queryset._fields,
                *(f for f in query.annotation_select if f not in queryset._fields),
            ]
            if queryset._fields and fields != names:
                reorder = operator.itemgetter(*[names.index(f) for f in fields])
            opaque_indexes = {i for i, name in enumerate(names) if name in self.opaque}
        converters = [
            (index, functions, column)
            for index, (functions, column) in compiler.get_converters(columns).items()
            if index not in opaque_indexes
        ]
        compiled = (sql, list(params), slots, converters, builder or reorder)
        self._compiled[(using, lengths)] = compiled
        return compiled

    def __call__(self, *args, using: str = "default") -> list:
        lengths = self._lengths(args)
        sql, params, slots, converters, builder = self._compiled.get(
            (using, lengths)
        ) or self._compile(using, lengths)
        params = list(params)
        for length, value, positions in zip(lengths, args, slots, strict=True):
            values = [value] if length is None else list(value)
            if length is not None:
                values += [values[0]] * (length - len(values))
            for element, element_positions in zip(values, positions, strict=True):
                for position in element_positions:
                    params[position] = element
        connection = connections[using]
        result = _execute(connection, sql, params)
        if converters:
            converted = []
            for row in result:
                row = list(row)
                for index, functions, column in converters:
                    for convert in functions:
                        row[index] = convert(row[index], column, connection)
                converted.append(tuple(row))
            result = converted
        return [builder(row) for row in result] if builder else result  # instances, or reordered


def _instance_builder(compiler, using: str):
    """Rows to model instances as Django's ModelIterable builds them (select_related too)."""
    select, klass_info = compiler.select, compiler.klass_info
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    names = [column.target.attname for column, _, _ in select[start:end]]
    populators = get_related_populators(klass_info, select, using)
    annotations = list(compiler.annotation_col_map.items())

    def build(row):
        instance = model.from_db(using, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in annotations:
            setattr(instance, name, row[position])
        return instance

    return build
