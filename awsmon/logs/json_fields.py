"""JSON log messages read only as far as metric filters look: their selected top-level fields.

A JSON metric filter reads a message through its selectors (``$.latency``,
``$.user.name``), so it needs the values of a few top-level fields, not the
whole parsed object. `FieldsReader` gives, for a message, the object
`load_object` would give restricted to the named top-level fields, or None
when `load_object` gives None (the message is not a JSON object):

    reader.read(message) == {k: v for k, v in load_object(message).items() if k in keys}

With the optional ``msgspec`` package (the ``fast`` extra) installed, the
message is decoded straight into a struct that declares only those fields:
msgspec checks the whole text but builds nothing for the other fields,
about a tenth of the cost of a full parse. Whenever msgspec might answer
differently, the message goes the plain way (`load_object`), so the answers
are always exactly the plain path's:

- msgspec refuses the text (malformed, ``NaN``, a number out of a float's
  range in a selected field, a lone surrogate): `load_object` decides
  (it refuses some of these too, and accepts ``1e400`` as infinity);
- the text may nest deeper than `jsondoc.MAX_DEPTH` (more opening brackets
  than that): `load_object` applies the depth bound, which msgspec would
  not check in the fields it skips;
- the text is long enough to hold an integer literal of more digits than
  Python reads (4,300 by default): json refuses such a text, which msgspec
  would accept when the literal is in a field it skips.

What msgspec accepts it reads as the standard library does (duplicate keys:
the last wins; integers of any size exact; floats correctly rounded);
tests/logs/test_json_fields.py compares the two on arbitrary text.

Main names: `FieldsReader`, `fields_reader`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import accumulate, repeat
from operator import add, attrgetter
from typing import Any

from awsmon.jsondoc import MAX_DEPTH
from awsmon.logs.filter_pattern_selector import load_object

__all__ = ["BACKEND", "FieldsReader", "deep_indexes", "fields_reader"]

try:
    import msgspec
except ImportError:  # pragma: no cover - msgspec is in the optional `fast` extra
    msgspec = None  # type: ignore[assignment]

#: ``"msgspec"`` when the selected fields are decoded by msgspec, else ``"plain"``.
BACKEND = "plain" if msgspec is None else "msgspec"

_FIRST = attrgetter("f0")
_SQUARE, _CURLY = ord("["), ord("{")
#: Batches of at least this many messages have their brackets counted by numpy (fewer do
#: not repay its fixed cost per call).
_NUMPY_FROM = 16
#: Python's default limit on the digits of an integer read from text.
_DIGITS_DEFAULT = 4300


class FieldsReader:
    """Reads the named top-level fields of JSON object messages (immutable once built).

    Args:
        keys: the top-level property names to keep.
        fast: decode with msgspec when it is installed (False: always the plain way).
    """

    def __init__(self, keys: Sequence[str], *, fast: bool = True) -> None:
        self.keys = tuple(dict.fromkeys(keys))
        self._decode: Callable[[str], Any] | None = None
        self._unset: object = None
        if fast and msgspec is not None:
            names = [f"f{index}" for index in range(len(self.keys))]
            struct = msgspec.defstruct(
                "SelectedFields",
                [(name, Any, msgspec.UNSET) for name in names],
                rename=dict(zip(names, self.keys, strict=True)),
                gc=False,
            )
            self._decode = msgspec.json.Decoder(struct).decode
            self._unset = msgspec.UNSET
            self._errors: tuple[type[BaseException], ...] = (
                msgspec.MsgspecError,
                ValueError,
                RecursionError,
            )

    def read(self, message: str) -> dict[str, object] | None:
        """The message's selected fields, or None if it is not a JSON object."""
        return self.read_each([message])[0]

    def read_each(self, messages: Sequence[str]) -> list[dict[str, object] | None]:
        """`read` of each message, by C-level passes over the list.

        The messages the plain way must read are found first: those with
        more opening brackets than `MAX_DEPTH` (`deep_indexes`), and those
        long enough to hold an integer literal beyond Python's limit on
        integer digits (json refuses the text; msgspec would skip the literal
        in a field it does not keep). In the rare batch with one, such
        messages go the plain way. The rest are decoded in one `map`; only
        when msgspec refuses one of them are they decoded one by one (each
        refused one the plain way).
        """
        decode = self._decode
        if decode is None:
            return list(map(self._plain, messages))
        plain = set(deep_indexes(messages))
        longest = _longest_plain()
        if messages and max(map(len, messages)) > longest:
            plain.update(i for i, size in enumerate(map(len, messages)) if size > longest)
        if plain:
            return [
                self._plain(message) if index in plain else self._one(message)
                for index, message in enumerate(messages)
            ]
        try:
            structs = list(map(decode, messages))
        except self._errors:
            return [self._one(message) for message in messages]
        return self._fields(structs)

    def _one(self, message: str) -> dict[str, object] | None:
        """`read` of a message no deeper than `MAX_DEPTH`: msgspec, else the plain way."""
        assert self._decode is not None  # only called on the msgspec path
        try:
            struct = self._decode(message)
        except self._errors:
            return self._plain(message)
        return self._fields([struct])[0]

    def _fields(self, structs: list[Any]) -> list[dict[str, object] | None]:
        """The selected fields of decoded structs, those absent from the message left out."""
        unset = self._unset
        if len(self.keys) == 1:
            key = self.keys[0]
            return [{} if value is unset else {key: value} for value in map(_FIRST, structs)]
        keys = self.keys
        return [
            {key: value for key, value in zip(keys, values, strict=True) if value is not unset}
            for values in map(msgspec.structs.astuple, structs)
        ]

    def _plain(self, message: str) -> dict[str, object] | None:
        """`read` by the plain parser: the whole object, then the selected fields."""
        document = load_object(message)
        if document is None:
            return None
        return {key: document[key] for key in self.keys if key in document}


def deep_indexes(messages: Sequence[str]) -> list[int]:
    """The indexes of the messages with more than `MAX_DEPTH` opening brackets (``[`` and ``{``).

    Only those can nest deeper than `MAX_DEPTH`. With numpy (the ``fast``
    extra), ASCII messages and a batch of `_NUMPY_FROM` or more, the
    brackets of the whole batch are found by vector passes over its joined
    bytes and counted per message; otherwise two `str.count` per message
    (several instructions per character).
    """
    np = _numpy() if len(messages) >= _NUMPY_FROM else None
    joined = "".join(messages) if np is not None else ""
    if np is None or not joined.isascii():
        count = str.count
        totals = map(add, map(count, messages, repeat("[")), map(count, messages, repeat("{")))
        return [index for index, total in enumerate(totals) if total > MAX_DEPTH]
    codes = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    positions = np.flatnonzero((codes == _SQUARE) | (codes == _CURLY))
    if len(positions) <= MAX_DEPTH:
        return []
    ends = np.fromiter(accumulate(map(len, messages)), dtype=np.int64, count=len(messages))
    owners = np.searchsorted(ends, positions, side="right")
    return [int(index) for index in np.flatnonzero(np.bincount(owners) > MAX_DEPTH)]


def _longest_plain() -> int:
    """The longest text msgspec may read: one holding no integer literal json refuses.

    json refuses an integer literal of more digits than the interpreter's
    limit (`sys.get_int_max_str_digits`, 4,300 by default; 0: no limit); a text
    no longer than the smaller of that and 4,300 characters cannot hold one.
    """
    limit = sys.get_int_max_str_digits()
    return min(limit, _DIGITS_DEFAULT) if limit else _DIGITS_DEFAULT


def _numpy() -> Any:
    """The numpy module when installed, else None (imported on first need)."""
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy is in the optional `fast` extra
        return None
    return numpy


@lru_cache(maxsize=256)
def fields_reader(keys: tuple[str, ...]) -> FieldsReader:
    """The reader of `keys` (one per key set: building a struct type costs far more than a read)."""
    return FieldsReader(keys)
