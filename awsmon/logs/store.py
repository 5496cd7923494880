"""The event store of one log stream: time-ordered, columnar, searched at C speed.

Events are kept in key order, the key being ``(timestamp_ms, seq)`` where
``seq`` is the log group's arrival counter, so events of equal timestamp stay
in the order they arrived and keys are unique across a group's streams (the
order FilterLogEvents interleaves streams in).

The store is a list of blocks of up to `BLOCK_SIZE` events, in key order
(the layout of sortedcontainers' SortedList, with columns): each block keeps
its timestamps, sequence numbers and ingestion times in ``array('q')``
columns, and its messages either as a list (while the block is filling or
being edited) or joined with ``\\n`` into one string with the start offset
of every message (once full). Appending in time order, the common case,
extends the last block; an older event is inserted into the block it falls
in, which is split when it grows past twice the block size.

Searching uses the joined text: `Matcher` turns a `FilterPattern` of
unstructured terms into ``str.find`` calls over a whole block, mapping each
hit back to its event with a bisection over the offsets, so events that do
not match cost no Python code at all. A space-delimited pattern with
needles (`FilterPattern.needles`: texts one of which every matching message
contains or starts with) is searched the same way, and only the events the
needles occur in are tested. Other patterns (JSON, regex) test each message.

Main classes: `EventStore`, `Matcher`. Events come out as ``(timestamp_ms,
seq, ingestion_ms, message)`` tuples.

>>> store = EventStore()
>>> store.add([1000, 2000, 3000], 0, 5000, ["GET /a 200", "GET /b 404", "PUT /c 500"])
>>> from awsmon.logs.filter_pattern import FilterPattern
>>> [event[3] for event in store.scan(MIN_KEY, MAX_KEY, Matcher(FilterPattern.parse("GET")))]
['GET /a 200', 'GET /b 404']
>>> store.expire_before(2000), len(store)
(1, 2)
"""

from __future__ import annotations

import struct
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate, compress
from struct import pack as _pack

from awsmon.logs.filter_pattern import FilterPattern, PatternKind
from awsmon.logs.filter_pattern_fields import Needles

__all__ = ["BLOCK_SIZE", "MAX_KEY", "MIN_KEY", "Event", "EventStore", "Key", "Matcher"]

#: Events per block once a block is full (blocks hold up to twice this).
BLOCK_SIZE = 4096

#: A position in a store: ``(timestamp_ms, seq)``.
Key = tuple[int, int]
#: A stored event: ``(timestamp_ms, seq, ingestion_ms, message)``.
Event = tuple[int, int, int, str]

MIN_KEY: Key = (-(2**62), -1)
MAX_KEY: Key = (2**62, 0)

_PLUS_ONE = (1).__add__


def int64s(values: Sequence[int]) -> array[int]:
    """``array("q", values)``, built from packed bytes (a C-level pass, no per-item parse).

    ``array("q", a_list)`` converts each item through the argument parser,
    several times the cost of `struct.pack`; a range of sequence numbers is
    packed from `range` directly. A value out of the 64-bit range gets
    `array`'s own error.
    """
    try:
        return array("q", _pack(f"{len(values)}q", *values))
    except struct.error:
        return array("q", values)  # raises array's OverflowError (or TypeError)


class _Block:
    """Up to 2 × `BLOCK_SIZE` events in key order, columnar."""

    __slots__ = (
        "_messages",
        "_nbytes",
        "_newlines",
        "_starts",
        "_text",
        "ingested",
        "seqs",
        "times",
    )

    def __init__(
        self, times: array[int], seqs: array[int], ingested: array[int], messages: list[str]
    ):
        self.times = times
        self.seqs = seqs
        self.ingested = ingested
        self._messages: list[str] | None = messages
        self._text: str | None = None
        self._starts: array[int] | None = None
        # Whether a message holds a newline, counted on first need (None: not yet).
        self._newlines: bool | None = None
        self._nbytes: int | None = None

    def __len__(self) -> int:
        return len(self.times)

    # -- representations ---------------------------------------------------------

    def messages(self) -> list[str]:
        """The message list (rebuilt from the joined text when sealed)."""
        if self._messages is None:
            text, starts = self.text()
            self._messages = [text[starts[i] : starts[i + 1] - 1] for i in range(len(starts) - 1)]
        return self._messages

    def text(self) -> tuple[str, array[int]]:
        """The messages joined by ``\\n`` and the start offset of each (plus one past the end)."""
        if self._text is None or self._starts is None:
            messages = self.messages()
            self._text = "\n".join(messages)
            self._starts = array("q", accumulate(map(_PLUS_ONE, map(len, messages)), initial=0))
            self._newlines = None  # counted by `slice_messages` if it is ever asked
        return self._text, self._starts

    def seal(self) -> None:
        """Keep only the joined text (half the memory of text plus list)."""
        self.text()
        self._messages = None

    def _edited(self) -> None:
        self.messages()
        self._text = None
        self._starts = None
        self._nbytes = None

    def message(self, index: int) -> str:
        """The message at `index`."""
        if self._messages is not None:
            return self._messages[index]
        text, starts = self.text()
        return text[starts[index] : starts[index + 1] - 1]

    def slice_messages(self, start: int, stop: int) -> list[str]:
        """The messages in [`start`, `stop`), split from the text at C speed when possible."""
        if self._messages is not None:
            return self._messages[start:stop]
        text, starts = self.text()
        if start >= stop:
            return []
        if self._newlines is None:
            self._newlines = text.count("\n") != len(starts) - 2
        if not self._newlines:
            return text[starts[start] : starts[stop] - 1].split("\n")
        return [text[starts[i] : starts[i + 1] - 1] for i in range(start, stop)]

    def nbytes(self) -> int:
        """UTF-8 bytes of the messages (cached)."""
        if self._nbytes is None:
            text, _ = self.text()
            self._nbytes = len(text.encode("utf-8", "surrogatepass")) - max(len(self) - 1, 0)
        return self._nbytes

    # -- edits ---------------------------------------------------------------------

    def extend(
        self, times: Sequence[int], seqs: Sequence[int], ingested: int, messages: Sequence[str]
    ) -> None:
        self._edited()
        self.times.extend(int64s(times))
        self.seqs.extend(int64s(seqs))
        self.ingested.extend(array("q", [ingested]) * len(times))
        assert self._messages is not None
        self._messages.extend(messages)

    def insert(self, index: int, time: int, seq: int, ingested: int, message: str) -> None:
        self._edited()
        self.times.insert(index, time)
        self.seqs.insert(index, seq)
        self.ingested.insert(index, ingested)
        assert self._messages is not None
        self._messages.insert(index, message)

    def split(self) -> _Block:
        """Cut the block in two halves; return the second (self keeps the first)."""
        half = len(self) // 2
        messages = self.messages()
        second = _Block(self.times[half:], self.seqs[half:], self.ingested[half:], messages[half:])
        del self.times[half:], self.seqs[half:], self.ingested[half:]
        self._messages = messages[:half]
        self._text = self._starts = None
        self._nbytes = None
        return second

    def drop_before(self, index: int) -> None:
        """Remove the events before `index`."""
        messages = self.messages()
        del self.times[:index], self.seqs[:index], self.ingested[:index]
        self._messages = messages[index:]
        self._text = self._starts = None
        self._nbytes = None

    def position(self, key: Key) -> int:
        """Index of the first event whose key is >= `key`."""
        time, seq = key
        times = self.times
        low = bisect_left(times, time)
        high = bisect_right(times, time, low)
        if low == high:
            return low
        return bisect_left(self.seqs, seq, low, high)


class Matcher:
    """A `FilterPattern` prepared for scanning blocks.

    Unstructured term patterns search the block's joined text; everything
    else tests message by message with `FilterPattern.matches`.
    """

    def __init__(self, pattern: FilterPattern | None) -> None:
        self.pattern = pattern
        self.match_all = pattern is None or pattern.kind is PatternKind.MATCH_ALL
        terms = None if pattern is None or pattern.kind is not PatternKind.TERMS else pattern.terms
        self._include: tuple[str, ...] = ()
        self._exclude: tuple[str, ...] = ()
        self._optional: tuple[str, ...] = ()
        self._by_text = False
        self._needles = None if pattern is None else pattern.needles
        if terms is not None:
            include, exclude, optional = terms
            if include:
                # The longest term is usually the rarest: search it, check the rest per hit.
                ordered = sorted(include, key=len, reverse=True)
                self._include, self._exclude, self._by_text = tuple(ordered), exclude, True
            elif optional and not exclude:
                self._optional, self._by_text = optional, True

    def hits(self, block: _Block, start: int, stop: int) -> list[int]:
        """Indexes in [`start`, `stop`) of the block's events that match, ascending."""
        if start >= stop:
            return []
        if self.match_all:
            return list(range(start, stop))
        if self._by_text:
            return self._text_hits(block, start, stop)
        assert self.pattern is not None
        if self._needles is not None:
            admitted = self.pattern.matches_admitted
            message = block.message
            return [
                index
                for index in self._needle_hits(block, self._needles, start, stop)
                if admitted(message(index))
            ]
        flags = self.pattern.hits(block.slice_messages(start, stop))
        return list(compress(range(start, stop), flags))

    @staticmethod
    def _needle_hits(block: _Block, needles: Needles, start: int, stop: int) -> list[int]:
        """The events in [`start`, `stop`) that contain a needle or start with one, ascending."""
        text, starts = block.text()
        low, high = starts[start], starts[stop] - 1
        found: set[int] = set()
        for term in needles.anywhere:
            found.update(_find_all(text, starts, term, low, high))
        for prefix in needles.at_start:
            found.update(_find_starts(text, starts, prefix, start, high))
        return sorted(found)

    def _text_hits(self, block: _Block, start: int, stop: int) -> list[int]:
        text, starts = block.text()
        low, high = starts[start], starts[stop] - 1
        if self._include:
            first, *others = self._include
            found = _find_all(text, starts, first, low, high)
            if not others and not self._exclude:
                return found
            kept = []
            for index in found:
                message = text[starts[index] : starts[index + 1] - 1]
                if all(term in message for term in others) and not any(
                    term in message for term in self._exclude
                ):
                    kept.append(index)
            return kept
        union: set[int] = set()
        for term in self._optional:
            union.update(_find_all(text, starts, term, low, high))
        return sorted(union)


def _find_all(text: str, starts: array[int], term: str, low: int, high: int) -> list[int]:
    """Indexes of the messages in text[low:high] that contain `term` (searched at C speed)."""
    found: list[int] = []
    find = text.find
    length = len(term)
    position = low
    append = found.append
    while True:
        hit = find(term, position, high)
        if hit < 0:
            return found
        index = bisect_right(starts, hit) - 1
        following = starts[index + 1]
        if hit + length < following:  # inside message `index`, not across a separator
            append(index)
            position = following
        else:
            position = hit + 1


def _find_starts(text: str, starts: array[int], prefix: str, start: int, high: int) -> list[int]:
    """Indexes of the messages from `start` on (text up to `high`) that start with `prefix`."""
    found = [start] if text.startswith(prefix, starts[start], high) else []
    needle = "\n" + prefix
    find = text.find
    position = starts[start]
    while True:
        hit = find(needle, position, high)
        if hit < 0:
            return found
        index = bisect_right(starts, hit + 1) - 1
        if starts[index] == hit + 1:  # a message starts here (not a newline inside one)
            found.append(index)
        position = hit + 1


class EventStore:
    """The events of one log stream, in ``(timestamp_ms, seq)`` order.

    Methods: `add` (a batch sorted by time), `events` (a key range, either
    direction), `scan` (a key range through a `Matcher`), `expire_before`
    (retention), `first_key`/`last_key`, `stored_bytes`, `_check`.
    """

    def __init__(self) -> None:
        self._blocks: list[_Block] = []
        self._firsts: list[Key] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @property
    def stored_bytes(self) -> int:
        """UTF-8 bytes of the stored messages."""
        return sum(block.nbytes() for block in self._blocks)

    def first_key(self) -> Key | None:
        """The smallest key stored, or None when empty."""
        return self._firsts[0] if self._blocks else None

    def last_key(self) -> Key | None:
        """The largest key stored, or None when empty."""
        if not self._blocks:
            return None
        last = self._blocks[-1]
        return (last.times[-1], last.seqs[-1])

    # -- writing -----------------------------------------------------------------------

    def add(
        self, times: Sequence[int], first_seq: int, ingested: int, messages: Sequence[str]
    ) -> None:
        """Store a batch: `times` non-decreasing, sequence numbers from `first_seq` up.

        `first_seq` must exceed every sequence number stored before (the log
        group's arrival counter guarantees it).
        """
        count = len(times)
        if not count:
            return
        seqs = range(first_seq, first_seq + count)
        blocks = self._blocks
        if not blocks or times[0] >= blocks[-1].times[-1]:
            self._append(times, seqs, ingested, messages)
        else:
            self._insert(times, seqs, ingested, messages)
        self._count += count

    def _append(
        self, times: Sequence[int], seqs: Sequence[int], ingested: int, messages: Sequence[str]
    ) -> None:
        blocks = self._blocks
        done = 0
        total = len(times)
        if blocks and len(blocks[-1]) < BLOCK_SIZE:
            tail = blocks[-1]
            done = min(BLOCK_SIZE - len(tail), total)
            tail.extend(times[:done], seqs[:done], ingested, messages[:done])
            if len(tail) >= BLOCK_SIZE:
                tail.seal()
        while done < total:
            stop = min(done + BLOCK_SIZE, total)
            block = _Block(
                int64s(times[done:stop]),
                int64s(seqs[done:stop]),
                array("q", [ingested]) * (stop - done),
                list(messages[done:stop]),
            )
            if len(block) >= BLOCK_SIZE:
                block.seal()
            blocks.append(block)
            self._firsts.append((block.times[0], block.seqs[0]))
            done = stop

    def _insert(
        self, times: Sequence[int], seqs: Sequence[int], ingested: int, messages: Sequence[str]
    ) -> None:
        blocks = self._blocks
        firsts = self._firsts
        touched: set[int] = set()
        for time, seq, message in zip(times, seqs, messages, strict=True):
            index = max(bisect_right(firsts, (time, seq)) - 1, 0)
            block = blocks[index]
            block.insert(bisect_right(block.times, time), time, seq, ingested, message)
            touched.add(index)
        for index in sorted(touched, reverse=True):
            block = blocks[index]
            pieces = [block]
            while any(len(piece) > 2 * BLOCK_SIZE for piece in pieces):
                pieces = [
                    half
                    for piece in pieces
                    for half in (
                        (piece, piece.split()) if len(piece) > 2 * BLOCK_SIZE else (piece,)
                    )
                ]
            blocks[index : index + 1] = pieces
            for piece in pieces:
                if len(piece) >= BLOCK_SIZE:
                    piece.seal()
        self._firsts = [(block.times[0], block.seqs[0]) for block in blocks]

    def expire_before(self, cutoff_ms: int) -> int:
        """Free the events whose timestamp is before `cutoff_ms`; return how many."""
        blocks = self._blocks
        removed = 0
        while blocks and blocks[0].times[-1] < cutoff_ms:
            removed += len(blocks.pop(0))
        if blocks and blocks[0].times[0] < cutoff_ms:
            first = blocks[0]
            index = bisect_left(first.times, cutoff_ms)
            first.drop_before(index)
            removed += index
        self._firsts = [(block.times[0], block.seqs[0]) for block in blocks]
        self._count -= removed
        return removed

    # -- reading -------------------------------------------------------------------------

    def _locate(self, key: Key) -> tuple[int, int]:
        """(block index, index in block) of the first event whose key is >= `key`."""
        blocks = self._blocks
        if not blocks:
            return (0, 0)
        index = max(bisect_right(self._firsts, key) - 1, 0)
        position = blocks[index].position(key)
        if position >= len(blocks[index]) and index + 1 < len(blocks):
            return (index + 1, 0)
        return (index, position)

    def _ranges(self, low: Key, high: Key) -> Iterator[tuple[_Block, int, int]]:
        """(block, start, stop) slices covering the keys in [`low`, `high`), in order."""
        if low >= high or not self._blocks:
            return
        first_block, first_index = self._locate(low)
        last_block, last_index = self._locate(high)
        for number in range(first_block, last_block + 1):
            block = self._blocks[number]
            start = first_index if number == first_block else 0
            stop = last_index if number == last_block else len(block)
            if start < stop:
                yield block, start, stop

    def events(self, low: Key, high: Key, *, reverse: bool = False) -> Iterator[Event]:
        """The events with keys in [`low`, `high`), oldest first (newest first if `reverse`)."""
        ranges = list(self._ranges(low, high))
        if reverse:
            for block, start, stop in reversed(ranges):
                for index in range(stop - 1, start - 1, -1):
                    yield (
                        block.times[index],
                        block.seqs[index],
                        block.ingested[index],
                        block.message(index),
                    )
            return
        for block, start, stop in ranges:
            messages = block.slice_messages(start, stop)
            yield from zip(
                block.times[start:stop],
                block.seqs[start:stop],
                block.ingested[start:stop],
                messages,
                strict=True,
            )

    def scan(self, low: Key, high: Key, matcher: Matcher) -> Iterator[Event]:
        """The events with keys in [`low`, `high`) that `matcher` accepts, oldest first.

        Lazy by block: a caller that stops early (a full page) leaves the
        remaining blocks unsearched.
        """
        for block, start, stop in self._ranges(low, high):
            times, seqs, ingested = block.times, block.seqs, block.ingested
            for index in matcher.hits(block, start, stop):
                yield (times[index], seqs[index], ingested[index], block.message(index))

    def _check(self) -> None:
        """Assert the store's invariants (for tests)."""
        previous: Key | None = None
        count = 0
        assert len(self._firsts) == len(self._blocks)
        for block, first in zip(self._blocks, self._firsts, strict=True):
            size = len(block)
            assert 0 < size <= 2 * BLOCK_SIZE
            assert len(block.seqs) == len(block.ingested) == size == len(block.messages())
            assert first == (block.times[0], block.seqs[0])
            text, starts = block.text()
            assert len(starts) == size + 1 and len(text) == starts[-1] - 1
            for index in range(size):
                key = (block.times[index], block.seqs[index])
                assert previous is None or previous < key, (previous, key)
                assert block.message(index) == block.messages()[index]
                previous = key
            count += size
        assert count == self._count
