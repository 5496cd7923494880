"""Deterministic identifiers drawn from a cloud's seeded random source.

`IdFactory` makes every id the simulation hands out (request ids, event ids,
resource ids), so one seed replays one run exactly: no unseeded ``uuid`` call and no
wall-clock time anywhere.

>>> import random
>>> ids = IdFactory(random.Random(0))
>>> ids.uuid() == IdFactory(random.Random(0)).uuid()
True
"""

from __future__ import annotations

import random
import string

__all__ = ["IdFactory", "format_uuid4"]

_ALPHANUMERIC = string.ascii_letters + string.digits
_UPPER_ALPHANUMERIC = string.ascii_uppercase + string.digits


_VERSION_MASK = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_VERSION_BITS = (4 << 76) | (0x8000 << 48)


def format_uuid4(bits: int) -> str:
    """The version-4 UUID text of 128 random `bits`: what ``uuid.UUID(int=bits, version=4)``
    prints, without building the object (ids are drawn on every API call)."""
    text = f"{(bits & _VERSION_MASK) | _VERSION_BITS:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class IdFactory:
    """Ids in the formats AWS uses, drawn from one seeded `random.Random`."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def uuid(self) -> str:
        """A random (version 4) UUID string, as AWS uses for request and event ids."""
        return format_uuid4(self._rng.getrandbits(128))

    def hex(self, length: int) -> str:
        """`length` lowercase hex digits (X-Ray segment ids, trace id suffixes)."""
        return f"{self._rng.getrandbits(4 * length):0{length}x}"

    def alphanumeric(self, length: int, *, upper: bool = False) -> str:
        """`length` characters of ``[A-Za-z0-9]`` (or ``[A-Z0-9]`` when `upper`)."""
        alphabet = _UPPER_ALPHANUMERIC if upper else _ALPHANUMERIC
        return "".join(self._rng.choice(alphabet) for _ in range(length))

    def digits(self, length: int) -> str:
        """`length` decimal digits."""
        return "".join(self._rng.choice(string.digits) for _ in range(length))
