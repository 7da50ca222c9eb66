"""Turning what people type into engine queries: nothing typed is ever engine syntax."""

import pytest

from kiln.search.query import QueryProblem, parse_query, to_fts5, to_websearch


@pytest.mark.parametrize(
    ("raw", "fts5", "websearch"),
    [
        ("watercolour", '"watercolour"', "watercolour"),
        ("Émile  ÜBER", '"émile" "über"', "émile über"),
        ('"big cat" -dog', '("big cat") NOT "dog"', '"big cat" -dog'),
        ("fox OR hare den", '"fox" OR "hare" "den"', "fox OR hare den"),
        ("NEAR(a b)", '"near a" "b"', '"near a" b'),
        ("col:x", '"col x"', '"col x"'),
        ("'; DROP TABLE posts_post;--", '"drop" "table" "posts post"', 'drop table "posts post"'),
        ("a\x00b", '"a" "b"', "a b"),
        ("\u202eevil\u202c", '"evil"', "evil"),
        ("ink 🎨", '"ink"', "ink"),
        ("OR ink OR", '"ink"', "ink"),
    ],
)
def test_queries_are_rebuilt_from_words(raw, fts5, websearch):
    query = parse_query(raw)
    assert to_fts5(query) == fts5
    assert to_websearch(query) == websearch


@pytest.mark.parametrize("raw", ['"', "-", "*", "OR", '"" - * OR', "🎨🖌️", "-ink"])
def test_nothing_searchable_is_a_clear_problem(raw):
    with pytest.raises(QueryProblem) as problem:
        parse_query(raw)
    assert str(problem.value)


def test_empty_is_no_query_and_long_input_is_cut():
    assert parse_query("") is None
    assert parse_query("   ") is None
    assert parse_query("\u202e\x00") is None  # only control and format characters
    long = parse_query("x" * 10_000)
    assert long.truncated and len(long.words) == 1 and len(long.words[0]) <= 60
    many = parse_query(" ".join(f"w{i}" for i in range(50)))
    assert many.truncated and len(many.words) == 12
    assert parse_query("a").words == ["a"]
