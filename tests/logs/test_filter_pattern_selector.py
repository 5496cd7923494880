"""Tests of awsmon/logs/filter_pattern_selector.py: reading messages as JSON.

`load_object` parses through `awsmon.jsondoc` (msgspec when the ``fast`` extra
is installed) and must answer exactly as the standard library does.
"""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from awsmon import jsondoc
from awsmon.logs.filter_pattern_selector import (
    is_missing,
    load_object,
    node_getter,
    parse_selector,
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=12,
)
raw_texts = st.lists(
    st.sampled_from(['{"a":', "1", "1e400", "9" * 25, "-", ".5", '"\\ud800"', "}", "[", "]", ","]),
    max_size=8,
).map("".join)


def _not_json(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def standard(message: str) -> object:
    """The standard library's answer: the object, or None when it is not a JSON object."""
    try:
        document = json.loads(message, parse_constant=_not_json)
    except (ValueError, RecursionError):
        return None
    return document if type(document) is dict else None


class TestLoadObject:
    @given(st.dictionaries(st.text(max_size=6), json_values, max_size=5))
    @example({"big": 2**64, "neg": -(2**63) - 1, "f": 1e19})
    def test_objects_read_back_exactly(self, document: dict[str, object]) -> None:
        """Whatever parser is used, a dumped object reads back equal, wide integers exact."""
        message = json.dumps(document)
        found = load_object(message)
        assert found == standard(message)
        assert json.dumps(found) == message

    @given(st.one_of(raw_texts, st.text(max_size=20)))
    @example('{"a":1e400}')
    @example('{"a":"\\ud800"}')
    @example('{"a":NaN}')
    def test_any_text_gets_the_standard_answer(self, message: str) -> None:
        """Texts msgspec refuses get the standard library's answer."""
        assert repr(load_object(message)) == repr(standard(message))

    def test_without_msgspec_the_standard_library_parses(self) -> None:
        """The pure fallback: no msgspec, same answers."""
        old = jsondoc.use_backend("json")
        try:
            assert load_object('{"a": [1, 2.5, "x"]}') == {"a": [1, 2.5, "x"]}
            assert load_object('{"big": 18446744073709551616}') == {"big": 2**64}
            assert load_object("[1]") is None
            assert load_object("{") is None
            assert load_object('{"a": NaN}') is None
        finally:
            jsondoc.use_backend(old)


KEYS = ["a", "b", "c"]
keyed_values = st.recursive(
    st.none() | st.integers(-3, 3) | st.sampled_from(["x", "a"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner),
    max_leaves=10,
)


class TestNodeGetter:
    @given(
        st.sampled_from(["$.a", "$.b", "$.a.b", "$.a.a", "$.a[0]", "$.a.*", "$.*", "$.a.b.c"]),
        keyed_values,
    )
    @example("$.a.b", {"a": [1]})
    @example("$.a", [{"a": 1}])
    def test_reads_what_first_reads(self, text: str, document: object) -> None:
        """The specialised getter reaches the very node `Selector.first` reaches, or nothing."""
        selector = parse_selector(text)
        fast, plain = node_getter(selector)(document), selector.first(document)
        assert is_missing(fast) == is_missing(plain)
        assert fast is plain or is_missing(plain)
