"""Tests of awsmon/logs/insights/parser.py (and its lexer): syntax, errors, and properties."""

from __future__ import annotations

import contextlib
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import linear_regex
from awsmon.logs.insights import MalformedQueryException, Query
from awsmon.logs.insights.nodes import (
    BoolOp,
    Compare,
    Fields,
    Filter,
    Like,
    Not,
    Parse,
    Regex,
    Sort,
    Stats,
)
from awsmon.logs.insights.parser import parse_query


class TestSyntax:
    def test_pipeline(self) -> None:
        """Commands split on pipes; keywords are case-insensitive; comments are skipped."""
        commands = parse_query(
            "# recent errors\nFIELDS @timestamp, @message\n| FILTER level = 'ERROR' # inline\n"
            "| SORT @timestamp DESC | LIMIT 20"
        )
        assert [type(c).__name__ for c in commands] == ["Fields", "Filter", "Sort", "Limit"]
        sort = commands[2]
        assert isinstance(sort, Sort) and sort.keys[0].descending

    def test_precedence(self) -> None:
        """not binds tighter than and, and tighter than or."""
        (command,) = parse_query("filter not a = 1 and b = 2 or c = 3")
        assert isinstance(command, Filter)
        top = command.condition
        assert isinstance(top, BoolOp) and top.op == "or"
        left = top.operands[0]
        assert isinstance(left, BoolOp) and left.op == "and"
        assert isinstance(left.operands[0], Not) and isinstance(left.operands[0].operand, Compare)

    def test_slash_is_division_after_an_operand_and_a_regex_otherwise(self) -> None:
        """``a / b`` divides; ``like /x/`` and ``parse @message /.../`` read regexes."""
        (fields,) = parse_query("fields bytes / 1024 / 1024 as mb")
        assert isinstance(fields, Fields) and fields.items[0][1].source == "bytes / 1024 / 1024"
        (command,) = parse_query(r"filter @message like /a\/b/")
        assert isinstance(command, Filter) and isinstance(command.condition, Like)
        assert isinstance(command.condition.pattern, Regex)
        (parse,) = parse_query("parse @message /(?<user>\\w+)@(?<domain>\\S+)/")
        assert isinstance(parse, Parse) and parse.names == ("user", "domain")

    def test_unaliased_names_are_the_source_text(self) -> None:
        """``count(*)`` and ``bin(5m)`` name their columns as written."""
        (stats,) = parse_query("stats count(*), avg(x) as a by bin(5m), host")
        assert isinstance(stats, Stats)
        assert [name for name, _ in stats.items] == ["count(*)", "a"]
        assert [name for name, _ in stats.groups] == ["bin(5m)", "host"]

    def test_unmask_is_accepted_and_changes_nothing(self) -> None:
        """``unmask @message`` and ``unmask(@message)`` parse; awsmon masks nothing."""
        source = [(0, "secret", "s", "1:g", 0, None)]
        for text in ("fields @message | unmask @message", "fields @message | unmask(@message)"):
            assert Query.parse(text).run(source).rows == ({"@message": "secret", "@ptr": None},)

    def test_backquoted_and_dotted_names(self) -> None:
        """Backquotes allow any character; dots and digits make paths."""
        (fields,) = parse_query("fields `foo-bar`, a.b.0.c, @@example.com")
        assert isinstance(fields, Fields)
        assert [name for name, _ in fields.items] == ["foo-bar", "a.b.0.c", "@@example.com"]


ERRORS = [
    ("", "unexpected symbol found end of query", 0),
    ("fields", "unexpected symbol found end of query", 6),
    ("fields a |", "unexpected symbol found end of query", 10),
    ("select a", "unexpected symbol found select", 0),
    ("fields a b", "unexpected symbol found b", 9),
    ("filter x like", "unexpected symbol found end of query", 13),
    ("filter x = 'abc", "unterminated string", 11),
    ("filter x like /abc", "unterminated regular expression", 14),
    ("filter x =~ 'a'", "=~ must be followed by a regular expression", 12),
    ("fields count(*)", "aggregation function count is only allowed in stats", 7),
    ("stats x", "stats needs an aggregation function", 6),
    ("stats count(sum(x))", "aggregation function sum is only allowed in stats", 12),
    ("stats pct(x, 101)", "pct takes a field and a percentile between 0 and 100", 6),
    ("fields nosuch(x)", "unknown function nosuch", 7),
    ("fields strlen(a, b)", "wrong number of arguments for strlen: 2", 7),
    ("stats count(*) by bin(x)", "bin takes a time period", 18),
    ("fields 5parsecs", "unexpected symbol found 5parsecs", 7),
    ("limit 0", "limit must be between 1 and 10000", 6),
    ("limit 10001", "limit must be between 1 and 10000", 6),
    ("limit x", "unexpected symbol found x", 6),
    ("dedup a | sort a", "only the limit command may follow dedup", 10),
    ('parse @message "* *" as a', "the pattern has 2 wildcards for 1 field names", 15),
    ("parse @message /(a)/", "the regular expression has no named capture group", 15),
    (r"filter x like /(a)\1/",
     r"invalid regular expression /(a)\1/: "
     r"back-references are not supported", 14),
    ("filter x like /a(?=b)/",
     "invalid regular expression /a(?=b)/: "
     "look-around assertions are not supported", 14),
    ("filter x like /a[b/",
     "invalid regular expression /a[b/: "
     "unterminated character class", 14),
    ("fields a ~ b", "unexpected symbol found ~", 9),
    ("fields (a", "unexpected symbol found end of query", 9),
    ("fields a\n| fields ,", "unexpected symbol found ,", 18),
    ("fields " + "(" * 150 + "a" + ")" * 150, "the query nests too deeply", 47),
    ("filter " + "not " * 60 + "a", "the query nests too deeply", 167),
]


@pytest.mark.parametrize(("query", "message", "start"), ERRORS, ids=[e[0][:30] for e in ERRORS])
def test_errors(query: str, message: str, start: int) -> None:
    """Each malformed query names the problem and its position, as AWS does."""
    with pytest.raises(MalformedQueryException) as caught:
        Query.parse(query)
    error = caught.value
    line = query.count("\n", 0, start) + 1
    column = start - (query.rfind("\n", 0, start) + 1) + 1
    assert re.fullmatch(
        re.escape(message) + r".* at line \d+ and position \d+", error.message
    ), error.message
    assert error.message.endswith(f" at line {line} and position {column}")
    assert error.start == start
    assert error.code == "MalformedQueryException"
    assert error.to_response()["queryCompileError"]["location"]["startCharOffset"] == start


QUERY_ALPHABET = st.sampled_from(
    ["fields", "filter", "stats", "sort", "limit", "parse", "dedup", "display", "by", "as",
     "like", "not", "in", "and", "or", "count(*)", "avg(", "bin(5m)", "@message", "x", "1",
     "'s'", '"', "/", "/a/", "|", ",", "(", ")", "[", "]", "=", "!=", "<", ">=", "+", "*",
     "^", "%", "=~", " ", "\n", "#", "`", "5m", "1.5e3", "desc", "\\", "?", "{", "}"]
)  # fmt: skip


@given(st.lists(QUERY_ALPHABET, max_size=25).map("".join))
def test_token_soup_only_raises_malformed(text: str) -> None:
    """Any text made of query tokens parses or raises MalformedQueryException, nothing else."""
    try:
        query = Query.parse(text)
    except MalformedQueryException as error:
        assert 0 <= error.start <= len(text)
        return
    query.run([(0, "x 1 /a/", "s", "1:g", 0, None), (1, '{"x": 2}', "s", "1:g", 0, None)])


@given(st.text(max_size=60))
def test_random_text_only_raises_malformed(text: str) -> None:
    """Arbitrary text parses or raises MalformedQueryException, nothing else."""
    with contextlib.suppress(MalformedQueryException):
        Query.parse(text)


VALUES = st.sampled_from(["a", "b", "c", None])


@given(st.lists(VALUES, max_size=40))
def test_stats_count_by_field_equals_counter(values: list[str | None]) -> None:
    """``stats count(*) by x`` counts the events of each value of x, as a Counter does."""
    messages = [f'{{"x": "{v}"}}' if v is not None else '{"y": 1}' for v in values]
    source = [(i, m, "s", "1:g", 0, None) for i, m in enumerate(messages)]
    rows = Query.parse("stats count(*) by x").run(source).rows
    assert {row.get("x"): row["count(*)"] for row in rows} == Counter(values)
    assert [row.get("x") for row in rows] == list(dict.fromkeys(values))


# A tiny condition language with its own naive evaluator, rendered as a query.
LEAF = st.tuples(
    st.sampled_from(["a", "b", "missing"]),
    st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
    st.integers(-2, 2),
)


def conditions() -> st.SearchStrategy[object]:
    return st.recursive(
        LEAF,
        lambda inner: st.one_of(
            st.tuples(st.just("not"), inner),
            st.tuples(st.sampled_from(["and", "or"]), inner, inner),
        ),
        max_leaves=6,
    )


def render_condition(node: object) -> str:
    assert isinstance(node, tuple)
    if node[0] == "not":
        return f"not ({render_condition(node[1])})"
    if node[0] in ("and", "or"):
        return f"({render_condition(node[1])}) {node[0]} ({render_condition(node[2])})"
    return f"{node[0]} {node[1]} {node[2]}"


def naive(node: object, event: dict[str, int]) -> bool:
    assert isinstance(node, tuple)
    if node[0] == "not":
        return not naive(node[1], event)
    if node[0] == "and":
        return naive(node[1], event) and naive(node[2], event)
    if node[0] == "or":
        return naive(node[1], event) or naive(node[2], event)
    field, op, value = node
    if field not in event:
        return False  # a comparison with an absent field is false
    left = event[field]
    return {"=": left == value, "!=": left != value, "<": left < value, "<=": left <= value,
            ">": left > value, ">=": left >= value}[op]  # fmt: skip


@given(conditions(), st.lists(st.fixed_dictionaries({"a": st.integers(-3, 3),
                                                      "b": st.integers(-3, 3)}), max_size=20))
def test_filter_agrees_with_a_naive_evaluator(
    condition: object, rows: list[dict[str, int]]
) -> None:
    """``filter`` keeps exactly the events a direct Python evaluation keeps."""
    import json

    source = [(i, json.dumps(row), "s", "1:g", 0, i) for i, row in enumerate(rows)]
    query = Query.parse(f"filter {render_condition(condition)}")
    kept = [row["@ptr"] for row in query.run(source).rows]
    assert kept == [i for i, row in enumerate(rows) if naive(condition, row)]


NESTED = [
    ("filter x like /(a+)+$/",
     "invalid regular expression /(a+)+$/: "
     "nested quantifier + may backtrack catastrophically", 14),
    ("filter x like /(a|aa)*b/",
     "invalid regular expression /(a|aa)*b/: "
     "nested quantifier * may backtrack catastrophically", 14),
]  # fmt: skip


@pytest.mark.parametrize(("query", "message", "start"), NESTED, ids=[e[0] for e in NESTED])
def test_nested_quantifiers_without_re2(
    query: str, message: str, start: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without RE2, `re` would run them: they are refused (with RE2 they run, as on AWS)."""
    monkeypatch.setattr(linear_regex, "RE2", None)
    linear_regex.compile_regex.cache_clear()
    test_errors(query, message, start)
    linear_regex.compile_regex.cache_clear()


@pytest.mark.skipif(linear_regex.RE2 is None, reason="google-re2 is not installed")
@pytest.mark.parametrize("query", [e[0] for e in NESTED])
def test_nested_quantifiers_run_on_re2(query: str) -> None:
    linear_regex.compile_regex.cache_clear()
    assert Query.parse(query).run([(0, "x", "s", "1:g", 0, None)]).rows == ()
