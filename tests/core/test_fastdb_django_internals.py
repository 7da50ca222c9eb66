"""kiln/core/fastdb.py compiles a few hot queries once and builds rows the way Django's own
ModelIterable does. It leans on Django internals that are not public API; this test names
each one, so a Django upgrade that moves any of them fails here, with the reason, instead
of somewhere deep in a timeline page."""

import inspect

import django
import pytest
from django.db import connection
from django.db.models import query as django_query

from kiln.accounts.models import User

pytestmark = pytest.mark.django_db

WHY = (
    "kiln/core/fastdb.py relies on this Django internal ({what}); Django {version} changed it. "
    "Re-check fastdb's compile and row-building code against this Django version, then update "
    "this test."
)


def _fail_unless(condition: bool, what: str) -> None:
    assert condition, WHY.format(what=what, version=django.get_version())


def test_the_django_internals_fastdb_uses_are_still_there():
    queryset = User.objects.select_related("profile").filter(pk=1)
    compiler = queryset.query.get_compiler(using=connection.alias)
    sql, params = compiler.as_sql()
    _fail_unless(isinstance(sql, str) and list(params) == [1], "SQLCompiler.as_sql()")
    _fail_unless(
        all(len(entry) == 3 for entry in compiler.select),
        "SQLCompiler.select as (column, sql, alias) triples",
    )
    _fail_unless(
        hasattr(compiler.select[0][0], "target")
        and hasattr(compiler.select[0][0].target, "attname"),
        "Col.target.attname on compiled columns",
    )
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    _fail_unless(
        isinstance(converters, dict), "SQLCompiler.get_converters() -> {index: (funcs, col)}"
    )
    for functions, _column in converters.values():
        _fail_unless(isinstance(functions, list), "get_converters values (functions, column)")
    klass_info = compiler.klass_info
    _fail_unless(
        isinstance(klass_info, dict) and {"model", "select_fields"} <= klass_info.keys(),
        "SQLCompiler.klass_info with 'model' and 'select_fields'",
    )
    _fail_unless(hasattr(compiler, "annotation_col_map"), "SQLCompiler.annotation_col_map")
    populators = django_query.get_related_populators(klass_info, compiler.select, connection.alias)
    _fail_unless(
        all(hasattr(p, "populate") for p in populators),
        "django.db.models.query.get_related_populators() -> objects with .populate(row, obj)",
    )
    _fail_unless(
        list(inspect.signature(User.from_db).parameters)[:3] == ["db", "field_names", "values"],
        "Model.from_db(db, field_names, values)",
    )
    _fail_unless(queryset._iterable_class is django_query.ModelIterable, "QuerySet._iterable_class")
    values = User.objects.values_list("id", "username")
    _fail_unless(values._fields == ("id", "username"), "QuerySet._fields of values_list()")
    _fail_unless(
        hasattr(values.query, "values_select") and hasattr(values.query, "extra_select"),
        "Query.values_select / extra_select / annotation_select",
    )


def test_sqlites_placeholder_regex_is_still_there():
    from django.db.backends.sqlite3 import base

    _fail_unless(
        base.FORMAT_QMARK_REGEX.sub("?", "a = %s") == "a = ?",
        "django.db.backends.sqlite3.base.FORMAT_QMARK_REGEX",
    )
