"""Tests of awsmon/logs/store.py: the columnar event store and its text search."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.logs import store as store_module
from awsmon.logs.filter_pattern import FilterPattern
from awsmon.logs.store import MAX_KEY, MIN_KEY, EventStore, Matcher


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Blocks of 4 events, so a few events exercise sealing, inserting and splitting."""
    monkeypatch.setattr(store_module, "BLOCK_SIZE", 4)
    yield


WORDS = ["ERROR", "WARN", "INFO", "x", "ERR", "OR E", "\n", "é"]
messages = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
batches = st.lists(
    st.tuples(st.integers(0, 50), st.lists(st.tuples(st.integers(0, 5), messages), max_size=12)),
    max_size=8,
)


def fill(
    batch_list: list[tuple[int, list[tuple[int, str]]]],
) -> tuple[EventStore, list[tuple[int, int, int, str]]]:
    """A store and the naive model (a sorted list) after the same batches."""
    store = EventStore()
    model: list[tuple[int, int, int, str]] = []
    seq = 0
    for ingested, (base, events) in enumerate(batch_list):
        times, texts = [], []
        at = base
        for step, text in events:
            at += step
            times.append(at)
            texts.append(text)
        store.add(times, seq, ingested, texts)
        model.extend(
            (t, seq + i, ingested, m) for i, (t, m) in enumerate(zip(times, texts, strict=True))
        )
        seq += len(times)
    model.sort()
    return store, model


class TestEventStore:
    @given(batches)
    def test_keeps_every_event_in_key_order(
        self, batch_list: list[tuple[int, list[tuple[int, str]]]]
    ) -> None:
        """After any batches, in order or not, the store holds exactly the model, sorted by key."""
        store, model = fill(batch_list)
        store._check()
        assert list(store.events(MIN_KEY, MAX_KEY)) == model
        assert list(store.events(MIN_KEY, MAX_KEY, reverse=True)) == model[::-1]
        assert len(store) == len(model)
        assert store.stored_bytes == sum(len(m[3].encode()) for m in model)

    @given(batches, st.integers(0, 120), st.integers(0, 120))
    def test_ranges(
        self, batch_list: list[tuple[int, list[tuple[int, str]]]], low: int, high: int
    ) -> None:
        """A key range returns exactly the model's events in that range."""
        store, model = fill(batch_list)
        expected = [e for e in model if (low, -1) <= (e[0], e[1]) < (high, -1)]
        assert list(store.events((low, -1), (high, -1))) == expected

    @given(batches, st.integers(0, 120))
    def test_expiry(self, batch_list: list[tuple[int, list[tuple[int, str]]]], cutoff: int) -> None:
        """Expiring frees exactly the events older than the cutoff and keeps the invariants."""
        store, model = fill(batch_list)
        removed = store.expire_before(cutoff)
        store._check()
        kept = [e for e in model if e[0] >= cutoff]
        assert removed == len(model) - len(kept)
        assert list(store.events(MIN_KEY, MAX_KEY)) == kept

    @given(
        batches,
        st.sampled_from(
            ["ERROR", "ERROR WARN", "ERROR -WARN", "?ERROR ?x", '"OR E"', "-x", '"é"', '"R E"', ""]
        ),
        st.integers(0, 60),
    )
    def test_scan_agrees_with_the_pattern(
        self, batch_list: list[tuple[int, list[tuple[int, str]]]], text: str, low: int
    ) -> None:
        """Scanning the joined text finds the same events as matching each message."""
        store, model = fill(batch_list)
        pattern = FilterPattern.parse(text)
        found = list(store.scan((low, -1), MAX_KEY, Matcher(pattern)))
        assert found == [e for e in model if (e[0], e[1]) >= (low, -1) and pattern.matches(e[3])]

    def test_a_term_never_matches_across_two_messages(self) -> None:
        """'OR E' spans 'ERROR' + separator + 'ERROR' in the text but lies in no message."""
        store = EventStore()
        store.add([1, 2], 0, 0, ["ERROR", "ERROR"])
        assert list(store.scan(MIN_KEY, MAX_KEY, Matcher(FilterPattern.parse('"R\nE"')))) == []
        assert len(list(store.scan(MIN_KEY, MAX_KEY, Matcher(FilterPattern.parse("ERROR"))))) == 2


FIELD_WORDS = ["5", "50", "a5", "[5", "5]", '"5', '5"', "x", "ab", "\n5", "\n", '"', "[", "]", "  "]
field_messages = st.lists(st.sampled_from(FIELD_WORDS), min_size=1, max_size=6).map("".join)
field_batches = st.lists(
    st.tuples(
        st.integers(0, 50), st.lists(st.tuples(st.integers(0, 5), field_messages), max_size=12)
    ),
    max_size=6,
)


class TestNeedleScan:
    @given(
        field_batches,
        st.sampled_from(
            [
                "[a=5*, ...]",
                "[a, b=5*]",
                "[a=*5, b]",
                '[a="5]", ...]',
                "[a=x || a=5*, ...]",
                "[..., b=5*]",
                "[a=ab, b=*b*, ...]",
            ]
        ),
        st.integers(0, 60),
    )
    def test_scan_with_needles_agrees_with_the_plain_match(
        self, batch_list: list[tuple[int, list[tuple[int, str]]]], text: str, low: int
    ) -> None:
        """Searching a block for the needles, then testing those events, finds what splitting
        and aligning every message finds (messages with newlines, quotes and brackets)."""
        store, model = fill(batch_list)
        pattern = FilterPattern.parse(text)
        assert pattern.needles is not None
        delimited = pattern._delimited
        assert delimited is not None
        found = list(store.scan((low, -1), MAX_KEY, Matcher(pattern)))
        assert found == [
            e for e in model if (e[0], e[1]) >= (low, -1) and delimited.plain_matches(e[3])
        ]


@given(
    st.one_of(
        st.lists(st.integers(-(2**63), 2**63 - 1), max_size=20),
        st.lists(st.one_of(st.integers(-(2**65), 2**65), st.booleans()), max_size=5),
        st.tuples(st.integers(-(2**63), 2**40), st.integers(0, 50)).map(
            lambda pair: range(pair[0], pair[0] + pair[1])
        ),
        st.lists(st.one_of(st.integers(0, 9), st.floats(), st.text(max_size=2)), max_size=4),
    )
)
def test_int64s_is_array_q(values: list[object]) -> None:
    """Packed from bytes or not, the same array, or the same error as ``array("q", values)``."""
    from array import array

    try:
        expected: object = array("q", values)  # type: ignore[arg-type]
    except (OverflowError, TypeError) as error:
        expected = type(error)
    try:
        found: object = store_module.int64s(values)  # type: ignore[arg-type]
    except (OverflowError, TypeError) as error:
        found = type(error)
    assert found == expected
