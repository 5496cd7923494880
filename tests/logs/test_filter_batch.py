"""Tests of awsmon/logs/filter_batch.py: metric filter points over a shared batch.

The batch parses each JSON message once and tests each message once per
filter; the points must be those a plain loop makes, message by message,
with `FilterPattern.match`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from awsmon.cloudwatch import MetricKey
from awsmon.logs.filter_batch import FilterBatch, json_keys, literal_value
from awsmon.logs.filter_pattern import FilterPattern, node_number, node_numbers
from awsmon.logs.model import MetricTransformation, from_millis

LINES = [
    '{"latency": 150, "level": "ERROR", "path": "/a"}',
    '{"latency": 50, "level": "INFO", "path": "/b"}',
    '{"latency": "120", "level": "ERROR"}',
    '{"latency": null}',
    '{"lat\\u0065ncy": 300, "level": "ERROR", "path": "/c"}',
    "[1, 2]",
    '1.2.3.4 - bob [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 503 2326',
    '1.2.3.4 - bob [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 -',
    '1.2.3.4 5 bob [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 500 12 "r" 4.5',
    "ERROR upstream 5 x",
    "not json {",
]
#: Every line, a few seconds apart (some minutes hold several).
EVERY_LINE = [(i * 7_000, line) for i, line in enumerate(LINES)]
CASES = [
    ("{ $.latency > 100 }", "$.latency", {}),
    ('{ $.level = "ERROR" }', "1", {"Path": "$.path"}),
    ("{ $.latency = * }", "$.latency", {}),
    ("[ip, id, user, ts, request, status=5*, size, ...]", "$size", {}),
    ("[ip, id, user, ts, request, status, size]", "$7", {"Status": "$status"}),
    ("[ip, id, user, ts, request, status, size]", "$7", {}),
    ("[ip, id, user, ts, request, status, size]", "$size", {}),
    ("[ip, id, user, ts, request, status, size, ...]", "$9", {}),
    ("[ip, 7, user, ts, request, status, size, ...]", "$7", {}),
    ("[ip, id, user, ts, request, 2, size=*, ...]", "$2", {}),
    ("[ip, id, user, ts, request, status=5*, size, ...]", "$status", {}),
    ("ERROR", "1", {}),
    ("?upstream ?INFO", "2.5", {}),
]


def naive(
    pattern: FilterPattern,
    transformation: MetricTransformation,
    times: list[int],
    messages: list[str],
) -> dict[MetricKey, list[tuple[datetime, float]]]:
    """The points, one message at a time, through `FilterPattern.match`."""
    out: dict[MetricKey, list[tuple[datetime, float]]] = {}
    plain = MetricKey.of(transformation.metric_namespace, transformation.metric_name)
    literal = literal_value(transformation.metric_value)
    for timestamp, message in zip(times, messages, strict=True):
        at = from_millis(timestamp - timestamp % 60_000)
        result = pattern.match(message)
        if result is None:
            if transformation.default_value is not None:
                out.setdefault(plain, []).append((at, transformation.default_value))
            continue
        value = literal if literal is not None else result.number_of(transformation.metric_value)
        if value is None:
            continue
        key = plain
        if transformation.dimensions:
            resolved = {d: result.value_of(s) for d, s in transformation.dimensions.items()}
            if any(not v for v in resolved.values()):
                continue
            key = MetricKey.of(
                transformation.metric_namespace,
                transformation.metric_name,
                {k: str(v) for k, v in resolved.items()},
            )
        out.setdefault(key, []).append((at, value))
    return out


class TestFilterBatch:
    @given(
        st.lists(st.tuples(st.integers(0, 200_000), st.sampled_from(LINES)), max_size=20),
        st.sampled_from(CASES),
        st.one_of(st.none(), st.sampled_from([0.0, 1.0])),
    )
    @example(events=EVERY_LINE, case=CASES[0], default=1.0)
    @example(events=EVERY_LINE, case=CASES[3], default=0.0)
    @example(events=EVERY_LINE, case=CASES[5], default=None)
    @example(events=EVERY_LINE, case=CASES[6], default=0.0)
    @example(events=EVERY_LINE, case=CASES[8], default=None)
    @example(events=EVERY_LINE, case=CASES[9], default=None)
    @example(events=EVERY_LINE, case=CASES[10], default=None)
    def test_points_are_those_of_a_plain_loop(
        self,
        events: list[tuple[int, str]],
        case: tuple[str, str, dict[str, str]],
        default: float | None,
    ) -> None:
        """Same keys, same points in the same order, whether JSON was parsed once or not."""
        text, value, dimensions = case
        pattern = FilterPattern.parse(text)
        selectors: Any = dimensions  # attrs' dict converter is typed loosely for mypy
        transformation = MetricTransformation(
            metric_name="m",
            metric_namespace="ns",
            metric_value=value,
            default_value=None if dimensions else default,
            dimensions=selectors,
        )
        times = sorted(t for t, _ in events)
        messages = [m for _, m in events]
        other = FilterPattern.parse("{ $.level = * }")
        expected = naive(pattern, transformation, times, messages)
        # Whole objects, and only the fields the two filters read (what PutLogEvents does).
        for keys in (None, json_keys([(pattern, [transformation]), (other, [])])):
            batch = FilterBatch(times, messages, keys)
            batch.hits(other)  # another JSON filter parsed the documents first
            assert batch.points(pattern, transformation) == expected

    def test_json_keys_are_the_fields_the_json_filters_read(self) -> None:
        """Selectors' first steps, of patterns, values and dimensions; None for a wildcard."""

        def with_value(value: str, dimensions: Any = None) -> MetricTransformation:
            return MetricTransformation(
                metric_name="m",
                metric_namespace="ns",
                metric_value=value,
                dimensions=dimensions or {},
            )

        latency = FilterPattern.parse("{ $.latency > 1 && $['a.b'][0] = 2 }")
        size = FilterPattern.parse("[ip, size]")
        found = json_keys(
            [(latency, [with_value("$.user.id", {"P": "$.path"})]), (size, [with_value("$size")])]
        )
        assert found == ("a.b", "latency", "user", "path")
        assert json_keys([(size, [with_value("$size")])]) == ()
        assert json_keys([(FilterPattern.parse("{ $.* = 1 }"), [with_value("1")])]) is None
        assert json_keys([(latency, [with_value("$[*]")])]) is None
        assert json_keys([(latency, [with_value("$.")])]) == ("a.b", "latency")

    def test_a_json_message_is_parsed_once_for_every_filter(self) -> None:
        """Two JSON filters over one batch share each parsed object."""
        batch = FilterBatch([0, 1], [LINES[0], LINES[6]])
        assert batch.hits(FilterPattern.parse("{ $.latency > 100 }")) == [True, False]
        first = batch.document(0)
        assert batch.hits(FilterPattern.parse('{ $.level = "ERROR" }')) == [True, False]
        assert batch.document(0) is first
        assert batch.document(1) is None


class TestBatchPasses:
    @given(
        st.sampled_from(
            [
                "{ $.latency > 100 }",
                "{ $.latency != 5 }",
                "{ $.latency <= 1e2 }",
                "{ $.latency = 150 }",
                '{ $.level = "ERROR" || $.latency > 1 }',
                "{ $.a.b > 1 }",
            ]
        ),
        st.lists(
            st.dictionaries(
                st.sampled_from(["latency", "level", "a"]),
                st.one_of(
                    st.integers(-200, 200),
                    st.integers(-(2**70), 2**70),
                    st.floats(allow_nan=False),
                    st.booleans(),
                    st.none(),
                    st.sampled_from(["150", "ERROR"]),
                    st.just({"b": 2}),
                ),
            ),
            max_size=8,
        ),
    )
    def test_test_each_is_test_for_each(self, text: str, documents: list[dict[str, Any]]) -> None:
        """The C-level numeric comparison decides as the per-object test does."""
        json = FilterPattern.parse(text).json
        assert json is not None
        assert json.test_each(documents) == [json.test(document) for document in documents]

    def test_only_a_lone_numeric_comparison_of_a_top_field_is_numeric(self) -> None:
        """`numeric` names the field, operator and number; anything more is None."""
        found = FilterPattern.parse("{ $.latency > 100 }").json
        assert found is not None and found.numeric is not None
        assert (found.numeric[0], found.numeric[2]) == ("latency", 100)
        for text in ("{ $.a.b > 1 }", "{ $.a > 1 && $.b > 1 }", '{ $.a = "x" }', "{ $.a[0] > 1 }"):
            other = FilterPattern.parse(text).json
            assert other is not None and other.numeric is None, text

    @given(
        st.sampled_from(
            [
                "{ $.latency > 100 }",
                '{ $.level = "ERROR" && $.path = "/a" }',
                '{ $.level = "ERROR" || $.path = "/b" }',
                "{ $.latency NOT EXISTS }",
            ]
        ),
        st.lists(
            st.sampled_from([*LINES, ' {"level": "ERROR"}', '{"le\\u0076el": "ERROR"}']), max_size=8
        ),
    )
    def test_admits_each_is_admits_for_each(self, text: str, messages: list[str]) -> None:
        """The C-level required-text passes admit exactly what the per-message check admits."""
        json = FilterPattern.parse(text).json
        assert json is not None
        assert json.admits_each(messages) == [json.admits(message) for message in messages]

    @given(st.lists(st.sampled_from(["ERROR x", "x", "ERRO", ""]), max_size=6))
    def test_a_pattern_hits_what_it_matches(self, messages: list[str]) -> None:
        """`FilterPattern.hits` (one `in` per message for one term) is `matches` per message."""
        for text in ("ERROR", "ERROR -x", "?ERROR ?x", "ERROR ?x", '""'):
            pattern = FilterPattern.parse(text)
            assert pattern.hits(messages) == [pattern.matches(m) for m in messages]

    @given(st.lists(st.integers(0, 10**12), max_size=50).map(sorted))
    def test_minutes_are_each_event_s_minute_shared_within_a_minute(self, times: list[int]) -> None:
        """Found by bisection over the ordered times: the same minutes as one by one."""
        minutes = FilterBatch(times, ["m"] * len(times)).minutes()
        assert minutes == [from_millis(t - t % 60_000) for t in times]
        for index in range(1, len(times)):
            same = minutes[index] == minutes[index - 1]
            assert (minutes[index] is minutes[index - 1]) == same


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-(2**1100), 2**1100),
            st.sampled_from([2**1023, -(2**1023), 2**1024, 10**308 * 2]),
            st.floats(),
            st.sampled_from(["12", "-2.5", "1e3", "x", "", "1e400", "nan"]),
            st.dictionaries(st.just("a"), st.integers()),
        ),
        max_size=10,
    )
)
def test_node_numbers_is_node_number_of_each(nodes: list[object]) -> None:
    """The inline fast paths for JSON ints and floats give `node_number`'s answers."""
    assert node_numbers(nodes) == [node_number(node) for node in nodes]


@given(
    st.lists(
        st.one_of(
            st.text(alphabet="0123456789", min_size=1, max_size=30),
            st.sampled_from(["1" * 400, "9" * 5000, "0" * 20, "١٢", "²", "12a", ""]),
        ),
        max_size=6,
    )
)
def test_node_numbers_of_digit_fields_is_node_number_of_each(nodes: list[object]) -> None:
    """Space-delimited fields of ASCII digits, read by C-level passes, as one by one."""
    assert node_numbers(nodes) == [node_number(node) for node in nodes]


@given(
    st.lists(st.sampled_from(["{}", " {", "\u2003{", "x{", "{x", "", "\t", "[", " "]), max_size=6)
)
def test_object_candidates_are_the_messages_starting_with_a_brace(messages: list[str]) -> None:
    """First characters, or stripping when one is blank: the messages whose text starts ``{``."""
    expected = [i for i, message in enumerate(messages) if message.lstrip().startswith("{")]
    assert FilterBatch([0] * len(messages), messages)._object_indexes() == expected
