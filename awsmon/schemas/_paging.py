"""Pages of list answers (ListRegistries, ListSchemas, ... ): a limit and an opaque token.

The token names the last item of the page (base64 of a mark and its key), so a
page after a deletion neither repeats nor skips items.

>>> items, token = page(["a", "b", "c"], key=str, limit=2, token=None)
>>> items, page(["a", "b", "c"], key=str, limit=2, token=token)
(['a', 'b'], (['c'], None))
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from awsmon.schemas.errors import BadRequestException

__all__ = ["DEFAULT_LIMIT", "page"]

T = TypeVar("T")

# Leads every token, so no token is empty (an empty key would give one) and a token
# awsmon did not hand out is refused.
_MARK = "awsmon:"

#: Items per page when the request gives no Limit.
DEFAULT_LIMIT = 100


def page(
    items: Sequence[T], *, key: Callable[[T], str], limit: int | None, token: str | None
) -> tuple[list[T], str | None]:
    """The page of `items` (sorted by `key`) after `token`, and the next page's token.

    Raises:
        BadRequestException: `token` is not one this function handed out, or
            `limit` is below 1.
    """
    if limit is not None and limit < 1:
        raise BadRequestException(f"Invalid Limit: {limit}", param="Limit", value=limit)
    ordered = sorted(items, key=key)
    if token:
        try:
            raw = base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True)
            after = raw.decode("utf-8")
            if not after.startswith(_MARK):
                raise ValueError(token)
            after = after[len(_MARK) :]
        except (ValueError, binascii.Error, UnicodeError):
            raise BadRequestException(
                f"Invalid NextToken: {token}", param="NextToken", value=token
            ) from None
        ordered = [item for item in ordered if key(item) > after]
    size = DEFAULT_LIMIT if limit is None else limit
    chosen = ordered[:size]
    if len(ordered) <= size:
        return chosen, None
    text = _MARK + key(chosen[-1])
    return chosen, base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")
