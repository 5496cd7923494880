"""Listing a bucket's keys: the walk ListObjects (v1) and ListObjectsV2 share.

`walk` goes through the keys in UTF-8 order from a starting point, rolls keys
up into common prefixes at the first `delimiter` after `prefix`, and stops
after `max_keys` entries (a common prefix counts once). Pure: it reads the
sorted key mapping it is given.
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import frozen
from sortedcontainers import SortedDict

from awsmon.neighbours.s3.model import S3Object

__all__ = ["Walk", "walk"]


@frozen
class Walk:
    """What a listing walk found.

    Attributes:
        contents: the objects listed.
        common_prefixes: the rolled-up prefixes listed.
        truncated: True when more entries follow.
        last: the last entry listed and whether it is a common prefix.
    """

    contents: tuple[S3Object, ...]
    common_prefixes: tuple[str, ...]
    truncated: bool
    last: tuple[str, bool] | None


def walk(
    objects: SortedDict | Mapping[str, S3Object],
    *,
    prefix: str,
    delimiter: str | None,
    max_keys: int,
    after: str = "",
    after_is_prefix: bool = False,
) -> Walk:
    """List the keys under `prefix` that sort after `after` (skipping its keys if a prefix)."""
    contents: list[S3Object] = []
    prefixes: list[str] = []
    last: tuple[str, bool] | None = None
    truncated = False
    lower = max(prefix, after) if after else prefix
    keys = objects.irange(minimum=lower) if isinstance(objects, SortedDict) else sorted(objects)
    for key in keys:
        if key < lower:
            continue
        if not key.startswith(prefix):
            if key > prefix:
                break
            continue
        if after and (key <= after or (after_is_prefix and key.startswith(after))):
            continue
        if prefixes and key.startswith(prefixes[-1]):
            continue
        rolled = None
        if delimiter:
            at = key.find(delimiter, len(prefix))
            if at >= 0:
                rolled = key[: at + len(delimiter)]
        if len(contents) + len(prefixes) >= max_keys:
            truncated = True
            break
        if rolled is not None:
            prefixes.append(rolled)
            last = (rolled, True)
        else:
            contents.append(objects[key])
            last = (key, False)
    return Walk(tuple(contents), tuple(prefixes), truncated, last)
