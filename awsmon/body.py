"""Readable response bodies, as boto3 returns S3 objects and Lambda payloads.

boto3 hands back a ``botocore.response.StreamingBody`` for streaming output
members (S3 ``GetObject.Body``, Lambda ``Invoke.Payload``); awsmon returns
the same class when botocore is installed, and a small stand-in with the same
reading methods otherwise.

>>> streaming_body(b"hello").read()
b'hello'
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

__all__ = ["Body", "streaming_body"]


class Body:
    """A minimal StreamingBody: `read`, `iter_chunks`, `iter_lines`, `close`."""

    def __init__(self, data: bytes) -> None:
        self._stream = io.BytesIO(data)
        self._content_length = len(data)

    def read(self, amt: int | None = None) -> bytes:
        """Read `amt` bytes, or everything left."""
        return self._stream.read(amt)

    def readlines(self) -> list[bytes]:
        """Every remaining line."""
        return self._stream.readlines()

    def iter_chunks(self, chunk_size: int = 1024) -> Iterator[bytes]:
        """The remaining bytes in chunks."""
        while chunk := self._stream.read(chunk_size):
            yield chunk

    def iter_lines(self, chunk_size: int = 1024, keepends: bool = False) -> Iterator[bytes]:
        """The remaining lines."""
        yield from self._stream.read().splitlines(keepends)

    def __iter__(self) -> Iterator[bytes]:
        return self.iter_chunks()

    def close(self) -> None:
        """Close the body."""
        self._stream.close()

    def __enter__(self) -> Body:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def streaming_body(data: bytes) -> Any:
    """A fresh readable body over `data` (botocore's StreamingBody when available)."""
    try:
        from botocore.response import StreamingBody
    except ImportError:  # pragma: no cover - botocore is optional
        return Body(data)
    return StreamingBody(io.BytesIO(data), len(data))
