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
import uuid

__all__ = ["IdFactory"]

_ALPHANUMERIC = string.ascii_letters + string.digits
_UPPER_ALPHANUMERIC = string.ascii_uppercase + string.digits


class IdFactory:
    """Ids in the formats AWS uses, drawn from one seeded `random.Random`."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def uuid(self) -> str:
        """A random (version 4) UUID string, as AWS uses for request and event ids."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

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
