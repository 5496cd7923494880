"""`awsmon.jsondoc.loads`: json.loads with a bound on nesting depth."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.jsondoc import depth, loads

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=20,
)


@given(JSON, st.integers(1, 12))
def test_answers_as_json_loads_within_the_bound(value: object, max_depth: int) -> None:
    text = json.dumps(value)
    if depth(value) <= max_depth:
        assert loads(text, max_depth=max_depth) == value
        assert loads(text.encode(), max_depth=max_depth) == value
    else:
        with pytest.raises(json.JSONDecodeError, match="nested deeper"):
            loads(text, max_depth=max_depth)


@pytest.mark.parametrize(
    ("text", "position"),
    [("[" * 1500 + "]" * 1500, 100), ('{"a":' * 1500 + "1" + "}" * 1500, 500)],
)
def test_deep_nesting_is_a_decode_error_not_a_recursion_error(text: str, position: int) -> None:
    """The error names where the 101st level opens."""
    with pytest.raises(json.JSONDecodeError, match="nested deeper than 100") as caught:
        loads(text)
    assert caught.value.pos == position


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"a": "[" * 500 + '\\"' + "{" * 500})
    assert loads(text, max_depth=1) == json.loads(text)


def test_malformed_and_non_utf8_are_decode_errors() -> None:
    for bad in ("{", "[1,", b"\xff"):
        with pytest.raises(json.JSONDecodeError):
            loads(bad)


# -- the two backends: the same value or the same error, on any text ----------------------

from hypothesis import settings  # noqa: E402

from awsmon import jsondoc  # noqa: E402

needs_msgspec = pytest.mark.skipif(jsondoc._msgspec_loads is None, reason="msgspec not installed")

#: Pieces where json and msgspec differ, or could: constants, huge and 64-bit-edge numbers,
#: surrogates (escaped and raw), control characters, BOM, odd whitespace, duplicate keys.
_TRICKY = st.sampled_from(
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        "-1e400",
        "1e-400",
        "0.1e999999999999999",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "123456789012345678901234567890",
        "-0",
        "-0.0",
        "1E5",
        "1.",
        "01",
        ".5",
        "2.2250738585072011e-308",
        "4.9e-324",
        "1.7976931348623157e308",
        "12345678901234567890.5",
        '"\\ud800"',
        '"\\udfff\\ud800"',
        '"\\ud83d\\ude00"',
        '"\ud800"',
        '"\\u0000"',
        '"\x01"',
        '"\x7f"',
        "\ufeff",
        "\xa0",
        "\x0c",
        " ",
        "\t",
        "\n",
        "\r",
        "true",
        "false",
        "null",
        '{"a":1,"a":2}',
        "[1,]",
        '{"a":1,}',
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        '"',
        "\\",
        '"1-5759e988-00000000000000000000abcd"',
        "[9223372036854775808.0]",
        "1e19",
        "-1e19",
    ]
) | st.integers(20, 400).map(lambda digits: "1" * digits)
_NUMBERS = st.one_of(
    st.integers(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False)
).map(json.dumps)


@st.composite
def _json_like(draw: st.DrawFn) -> str:
    """Valid JSON with tricky pieces spliced in, or arbitrary text."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.text(max_size=40))
    leaf = _TRICKY | _NUMBERS | st.text(max_size=8).map(json.dumps)
    tree = st.recursive(
        leaf,
        lambda inner: (
            st.lists(inner, max_size=4).map(lambda items: "[" + ",".join(items) + "]")
            | st.lists(
                st.tuples(st.text(max_size=4).map(json.dumps) | _TRICKY, inner), max_size=4
            ).map(lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}")
        ),
        max_leaves=12,
    )
    text = draw(tree)
    if kind == 3:  # a splice anywhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(_TRICKY) + text[at:]
    return text


def _outcome(parse: Any, text: str | bytes, **options: Any) -> object:
    """What `parse` answers: a typed image of the value, or the error's type and message."""
    try:
        value = parse(text, **options)
    except json.JSONDecodeError as error:  # msgspec's own error must never escape
        return ("error", type(error), str(error), error.pos)
    return ("value", _typed(value))


def _typed(value: object) -> object:
    """`value` with every scalar tagged by type (1, 1.0 and True differ; -0.0; NaN equal)."""
    if isinstance(value, dict):
        return ("dict", [(key, _typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(item) for item in value])
    return (type(value).__name__, repr(value))


@needs_msgspec
@settings(max_examples=600, deadline=None)
@given(_json_like(), st.booleans(), st.booleans())
def test_msgspec_and_json_backends_answer_alike(text: str, constants: bool, int64: bool) -> None:
    """Same value (types, key order, -0.0 and big integers included) or same error."""
    options = {"constants": constants, "int64": int64}
    old = jsondoc.use_backend("json")
    try:
        reference = _outcome(jsondoc.loads, text, **options)
        jsondoc.use_backend("msgspec")
        assert _outcome(jsondoc.loads, text, **options) == reference
        if "\ud800" not in text:  # bytes must be UTF-8
            data = text.encode()
            assert _outcome(jsondoc.loads, data, **options) == reference
    finally:
        jsondoc.use_backend(old)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[NaN]", float("nan")),
        ("[-123456789012345678901234567890]", -123456789012345678901234567890),
        ("[18446744073709551616]", 18446744073709551616),
        ("[\n\t-18446744073709551617]", -18446744073709551617),
        ('[{"a":\r12345678901234567890123}]', {"a": 12345678901234567890123}),
        ('["\\ud800"]', "\ud800"),
        ("[1e400]", float("inf")),
    ],
)
def test_what_msgspec_refuses_is_parsed_by_json(text: str, expected: object) -> None:
    """Big integers stay exact; constants, lone surrogates and overflow are json's answers."""
    (value,) = jsondoc.loads(text)
    assert repr(value) == repr(expected) and type(value) is type(expected)
    assert jsondoc.loads(text[1:-1]) == value or value != value  # top level, NaN aside


def test_constants_and_int64_refused_on_request() -> None:
    with pytest.raises(json.JSONDecodeError, match="NaN is not a JSON number") as caught:
        loads('{"s": "NaN", "n": NaN}', constants=False)
    assert caught.value.pos == 18  # the NaN outside the string
    with pytest.raises(json.JSONDecodeError, match="does not fit in a signed 64-bit"):
        loads("[9223372036854775808]", int64=True)
    assert loads("[9223372036854775807, NaN]", int64=True)[0] == 2**63 - 1


def test_use_backend_names() -> None:
    with pytest.raises(ValueError, match="no JSON backend"):
        jsondoc.use_backend("simplejson")


def test_int64_sees_a_long_literal_that_a_duplicate_key_hides() -> None:
    """json's hook sees every literal, so the fast backend must not judge from the value."""
    text = '{"a": 99999999999999999999, "a": 1}'
    assert loads(text) == {"a": 1}
    with pytest.raises(json.JSONDecodeError, match="does not fit in a signed 64-bit"):
        loads(text, int64=True)
    assert loads('{"id": "1-5759e988-0000000000000000000abcde", "n": 7}', int64=True)["n"] == 7


@pytest.mark.parametrize("digits", [4300, 4301])
def test_the_integer_digit_limit_is_json_s(digits: int) -> None:
    """Python refuses integers of more than 4,300 digits; so does `loads`, on either backend."""
    text = "[" + "7" * digits + "]"
    try:
        expected: object = json.loads(text)
    except ValueError as error:
        with pytest.raises(ValueError, match="Exceeds the limit") as caught:
            loads(text)
        assert str(caught.value) == str(error)
    else:
        assert loads(text) == expected
