"""Tests of awsmon/logs/filter_pattern_fields.py: the field reader and the needles.

Every fast path is compared with the plain one (split every field with
`split_fields`, then align) on random messages and patterns.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, reject
from hypothesis import strategies as st

from awsmon.logs.errors import InvalidParameterException
from awsmon.logs.filter_pattern import FilterPattern
from awsmon.logs.filter_pattern_delimited import split_fields
from awsmon.logs.filter_pattern_fields import (
    Needles,
    field_reader,
    field_value,
    gate_prefix,
    glob_needles,
)

# Pieces that exercise every splitting rule: quotes, brackets, unclosed ones,
# runs of spaces, tabs and newlines inside fields, adjacent groups.
PIECES = ["a", "b", "5", "45", "ab5", " ", "  ", '"', "[", "]", '"a b"', "[5 x]", "\t", "\n", "*"]
messages = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)
# The pieces a prefix written into a gate may be made of (no quote, bracket or space).
SAFE_PIECES = [piece for piece in PIECES if not set(piece) & set('"[] ')]

VALUES = ["5*", "*5", "a", "*a*", "4*5", '"a b"', "x*", "*", '""', "45", "5", '"5 x"', "%5$%"]
VALUES += ["ab*", "ab5", '"a*"', '"[5*"', '"a 5*"', "a]*"]
NUMBERS = ["45", "5", "-1", "4.5e1"]


@st.composite
def conditions(draw: st.DrawFn, name: str) -> str:
    """One field's conditions: comparisons joined by && and ||."""
    count = draw(st.integers(1, 3))
    parts = []
    for index in range(count):
        if draw(st.booleans()):
            op, value = draw(st.sampled_from(["=", "!="])), draw(st.sampled_from(VALUES))
        else:
            op = draw(st.sampled_from(["=", "!=", "<", ">", "<=", ">="]))
            value = draw(st.sampled_from(NUMBERS))
        joiner = "" if index == 0 else draw(st.sampled_from([" && ", " || "]))
        parts.append(f"{joiner}{name if index == 0 or draw(st.booleans()) else ''} {op} {value}")
    return "".join(parts)


@st.composite
def delimited_patterns(draw: st.DrawFn) -> str:
    """A space-delimited pattern of up to six fields, ellipses anywhere."""
    fields = []
    for index in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["name", "cond", "cond", "ellipsis", "empty"]))
        if kind == "name":
            fields.append(f"f{index}")
        elif kind == "cond":
            fields.append(draw(conditions(f"f{index}")))
        elif kind == "ellipsis":
            fields.append("...")
        else:
            fields.append("")
    return "[" + ", ".join(fields) + "]"


# The definition of a field split: repeated leftmost matches of this regex.
DEFINITION = re.compile(r'"([^"]*)"|\[([^\]]*)\]|([^ ]+)')


class TestSplitFields:
    @given(messages)
    @example('[ a "b [c')
    @example('x] [y "z" [')
    def test_split_fields_follows_the_definition(self, message: str) -> None:
        """The linear split (brackets after the last ']' read as plain text) gives the fields
        the defining regex gives."""
        expected = [q + b + p for q, b, p in DEFINITION.findall(message)]
        assert split_fields(message) == expected


class TestFieldReader:
    @given(messages, st.integers(0, 8), st.booleans())
    @example('"a b" [5 x]  ab', 2, False)
    @example('"', 1, True)
    @example('["', 1, True)
    def test_reads_the_fields_split_fields_gives(
        self, message: str, count: int, whole: bool
    ) -> None:
        """The reader's captured tokens, unwrapped, are the first fields of the plain split."""
        fields = split_fields(message)
        reader = field_reader(count, range(count), whole=whole)
        assert reader is not None
        found = reader.fullmatch(message) if whole else reader.match(message)
        if (len(fields) != count) if whole else (len(fields) < count):
            assert found is None
        else:
            assert found is not None
            assert [field_value(token) for token in found.groups()] == fields[:count]

    @pytest.mark.parametrize(
        ("text", "gated"),
        [
            ("[ip, id, user, ts, request, status=5*, size, ...]", True),
            ('[a = "GE*", b, c = x*]', True),
            ("[a, b, ...]", True),
            ("[a = 5*, ..., b]", False),  # an inner ellipsis: no reader at all
            ('[a = "[5*", b]', False),  # a bracket in the prefix
            ('[a = "x y*", b]', False),  # a space in the prefix
            ("[a = *5, b]", False),
            ("[a != 5*, b]", False),
            ("[a = 5* || a = 6*, b]", False),
            ("[a > 5, b]", False),
        ],
    )
    def test_prefix_conditions_are_written_into_a_gate(self, text: str, gated: bool) -> None:
        """Patterns whose conditions are all "= prefix*" (safe prefixes) decide by one regex."""
        delimited = FilterPattern.parse(text).delimited
        assert delimited is not None
        assert (delimited._gate is not None) == gated

    @given(st.lists(st.sampled_from(SAFE_PIECES), min_size=1, max_size=4).map("".join), messages)
    @example("5", '"5 x" a')
    @example("5", "[5 x] a")
    @example("5", '"x 5"')
    def test_a_prefix_token_reads_what_the_reader_reads(self, prefix: str, message: str) -> None:
        """A gate with one prefix field matches exactly when the reader's field starts so."""
        assert gate_prefix(prefix)
        reader = field_reader(2, [0], whole=False)
        gate = field_reader(2, [], whole=False, prefixes={0: prefix})
        assert reader is not None and gate is not None
        found = reader.match(message)
        expected = found is not None and field_value(found[1]).startswith(prefix)
        assert (gate.match(message) is not None) == expected

    def test_too_many_fields_get_no_reader(self) -> None:
        """Past 100 fields the pattern splits the plain way."""
        assert field_reader(101, [], whole=True) is None


class TestNeedles:
    @pytest.mark.parametrize(
        ("pattern", "expected"),
        [
            ("5*", Needles((" 5", '"5', "[5", "]5"), ("5",))),
            ("GET", Needles((" GET", '"GET', "[GET", "]GET"), ("GET",), "GET")),
            ("*html*", Needles(("html",))),
            ("*", None),
            ("", None),
        ],
    )
    def test_glob_needles(self, pattern: str, expected: Needles | None) -> None:
        """A glob's needles: its leading literal at a field start, or its longest literal."""
        assert glob_needles(pattern) == expected

    def test_a_disjunction_needs_needles_on_every_side(self) -> None:
        """With one alternative unconstrained, nothing is required."""
        assert FilterPattern.parse("[a = x* || a > 5, ...]").needles is None
        assert FilterPattern.parse("[a = x* || a = y*, ...]").needles is not None
        assert FilterPattern.parse("[a != x*, ...]").needles is None

    @given(delimited_patterns(), messages)
    @example("[f0 = 5*, ...]", 'x"5')
    @example("[f0, f1 = a]", '"a b"a')
    @example("[f0 = *a*]", "[b a]")
    def test_fast_matching_agrees_with_the_plain_one(self, text: str, message: str) -> None:
        """Needles, then the field reader, decide exactly as splitting and aligning does."""
        try:
            pattern = FilterPattern.parse(text)
        except InvalidParameterException:  # e.g. more regexes than AWS allows in one pattern
            reject()
        delimited = pattern._delimited
        assert delimited is not None
        plain = delimited.plain_matches(message)
        assert pattern.matches(message) == plain
        assert pattern.hits([message, message]) == [plain, plain]
        if plain and pattern.needles is not None:
            assert pattern.needles.admits(message)
        assert (pattern.match(message) is not None) == plain
