"""Tests of awsmon/logs/json_fields.py: the selected fields of JSON messages.

`FieldsReader` must give exactly `load_object`'s object restricted to the
selected top-level fields (None where `load_object` gives None), on any text:
msgspec's refusals, the depth bound and the plain fallback included.
"""

from __future__ import annotations

import json
import sys

from hypothesis import example, given
from hypothesis import strategies as st

from awsmon.jsondoc import MAX_DEPTH
from awsmon.logs import json_fields
from awsmon.logs.filter_pattern_selector import load_object
from awsmon.logs.json_fields import FieldsReader, deep_indexes, fields_reader

KEYS = ["a", "b", "lat.ency", ""]

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner),
    max_leaves=8,
)
# Pieces that make texts msgspec and json may read differently, or refuse.
pieces = st.sampled_from(
    [
        '{"a":',
        '"b":',
        '"\\u0061":',
        ",",
        "}",
        "{",
        "[",
        "]",
        "1",
        "1e400",
        "-0",
        "0.1000000000000000055511151231257827",
        "9" * 25,
        "NaN",
        "-Infinity",
        '"\\ud800"',
        '"\ud800"',
        '"\t"',
        " ",
        "\n",
        "\x0c",
        "true",
        "null",
        '"x"',
    ]
)
raw_texts = st.lists(pieces, max_size=10).map("".join)


def restricted(message: str, keys: list[str]) -> dict[str, object] | None:
    """The oracle: `load_object`'s object with only `keys`."""
    document = load_object(message)
    if document is None:
        return None
    return {key: document[key] for key in keys if key in document}


def nested(depth: int) -> str:
    """An object holding `depth` levels in all (arrays inside the top object)."""
    return '{"b": ' + "[" * (depth - 1) + "]" * (depth - 1) + ', "a": 1}'


class TestFieldsReader:
    @given(
        st.lists(
            st.one_of(
                st.dictionaries(st.sampled_from(KEYS), values, max_size=4).map(json.dumps),
                raw_texts,
                st.text(max_size=12),
            ),
            max_size=6,
        ),
        st.lists(st.sampled_from(KEYS), min_size=1, max_size=3),
    )
    @example(['{"a": 1, "a": 2}', '{"a": 1e400}', '{"b": 1e400, "a": 3}'], ["a"])
    @example(['{"a": NaN}', '{"b": NaN, "a": 1}', '{"a": "\\ud800"}', '{"a": "\ud800"}'], ["a"])
    @example(['{"a": 123456789012345678901234567890}', '{"\\u0061": 4}', ' {"a": 5} '], ["a"])
    @example([nested(MAX_DEPTH), nested(MAX_DEPTH + 1), nested(MAX_DEPTH + 2)], ["a", "b"])
    @example(['{"b": ' + "9" * 4301 + ', "a": 1}', '{"b": ' + "9" * 4300 + ', "a": 1}'], ["a"])
    @example(['{"a": ' + "9" * 4301 + "}", '{"b": "' + "9" * 5000 + '", "a": 1}'], ["a"])
    @example(
        ["{" * 101 + "}" * 101, '{"a": {"a": {"a": 1, "a": 2}}}', '{"a": [1, {"b": 2}]}'], ["a"]
    )
    def test_the_selected_fields_of_load_object(self, messages: list[str], keys: list[str]) -> None:
        """msgspec or not, batch or one by one: the plain object's selected fields."""
        expected = [restricted(message, keys) for message in messages]
        reader = FieldsReader(keys)
        found = reader.read_each(messages)
        assert repr(found) == repr(expected)  # repr: -0.0 and 0, 1 and 1.0 told apart
        assert repr([reader.read(message) for message in messages]) == repr(expected)
        assert repr(FieldsReader(keys, fast=False).read_each(messages)) == repr(expected)

    def test_a_lower_digit_limit_is_obeyed(self) -> None:
        """json reads integers as the interpreter allows: a lower limit refuses shorter ones."""
        message = '{"b": ' + "9" * 700 + ', "a": 1}'
        old = sys.get_int_max_str_digits()
        try:
            sys.set_int_max_str_digits(640)
            assert FieldsReader(["a"]).read_each([message]) == [restricted(message, ["a"])]
            assert restricted(message, ["a"]) is None
        finally:
            sys.set_int_max_str_digits(old)

    def test_the_backend_is_msgspec_when_installed(self) -> None:
        """The ``fast`` extra is installed for the tests: the fast path is the one tested."""
        assert json_fields.BACKEND == "msgspec"

    def test_readers_are_shared_per_key_set(self) -> None:
        """Building a struct type costs far more than a read: one reader per key set."""
        assert fields_reader(("a", "b")) is fields_reader(("a", "b"))
        assert fields_reader(("a",)).keys == ("a",)


class TestDeepIndexes:
    @given(
        st.lists(
            st.one_of(
                st.text(alphabet="[{]}a", max_size=250),
                st.text(alphabet="[{é", max_size=120),
                st.integers(0, 130).map(lambda n: "{" * n),
                st.integers(90, 110).map(nested),
            ),
            max_size=6,
        )
    )
    def test_the_messages_with_more_brackets_than_the_depth_bound(
        self, messages: list[str]
    ) -> None:
        """Vector passes over the joined batch count as `str.count` per message does."""
        expected = [
            index
            for index, message in enumerate(messages)
            if message.count("[") + message.count("{") > MAX_DEPTH
        ]
        assert deep_indexes(messages) == expected
        # A batch long enough for the vector passes (numpy), the same answers.
        many = messages * 20
        assert deep_indexes(many) == [
            index
            for index, message in enumerate(many)
            if message.count("[") + message.count("{") > MAX_DEPTH
        ]
