"""Copies of a whole simulation: what `Cloud.fork`, `Cloud.snapshot` and `Cloud.restore` use.

A cloud is one graph of plain objects (services, stores, the clock and its
queue of jobs), so `copy.deepcopy` with one shared memo copies it whole. Two
things need help, and get it here, for the duration of one copy only:

- clock jobs and callbacks hold closures (``lambda: self.principal``); a
  function is atomic to `copy`, so its captured variables would stay shared
  with the origin. Here a function with a closure is rebuilt over copied
  cells (a cell shared by two closures stays shared in the copy), and its
  defaults are copied too.
- weak references (X-Ray's entity → segment link) are atomic to `copy` as well;
  here they point at the copy of their referent.

Objects that cannot be copied (locks, threads, sockets, context variables)
give their own rules: `VirtualClock` drops its lock and its observers (bridges
to the world outside stay with the origin); the cloud seeds a fresh context
variable for its principal stack. A running X-Ray daemon holds a socket: a
cloud with one can't be copied (stop it first), and the error says so.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import types
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from awsmon.errors import ClockError

__all__ = ["deep_copy"]

T = TypeVar("T")

_dispatch: dict[type, Any] = copy._deepcopy_dispatch  # type: ignore[attr-defined]
_patch_lock = threading.Lock()


def _copy_function(fn: types.FunctionType, memo: dict[int, Any]) -> types.FunctionType:
    defaults = copy.deepcopy(fn.__defaults__, memo)
    kwdefaults = fn.__kwdefaults__
    if kwdefaults:
        copied_kw = copy.deepcopy(kwdefaults, memo)
        if any(copied_kw[key] is not value for key, value in kwdefaults.items()):
            kwdefaults = copied_kw
    if fn.__closure__ is None and defaults is fn.__defaults__ and kwdefaults is fn.__kwdefaults__:
        return fn  # nothing of its own to copy: share it, as `copy` does
    cells = None
    if fn.__closure__ is not None:
        copied = []
        for cell in fn.__closure__:
            twin = memo.get(id(cell))
            if twin is None:
                twin = types.CellType()
                memo[id(cell)] = twin
                with contextlib.suppress(ValueError):  # an empty cell: a name not bound yet
                    twin.cell_contents = copy.deepcopy(cell.cell_contents, memo)
            copied.append(twin)
        cells = tuple(copied)
    clone = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, defaults, cells)
    clone.__kwdefaults__ = kwdefaults
    clone.__qualname__ = fn.__qualname__
    clone.__dict__.update(fn.__dict__)
    memo[id(fn)] = clone
    return clone


def _copy_weakref(ref: weakref.ref[Any], memo: dict[int, Any]) -> Any:
    target = ref()
    if target is None:
        return ref
    return weakref.ref(copy.deepcopy(target, memo))


@contextmanager
def _closures_copied() -> Iterator[None]:
    with _patch_lock:
        saved = (_dispatch[types.FunctionType], _dispatch[weakref.ref])
        _dispatch[types.FunctionType] = _copy_function
        _dispatch[weakref.ref] = _copy_weakref
        try:
            yield
        finally:
            _dispatch[types.FunctionType], _dispatch[weakref.ref] = saved


def deep_copy(value: T, memo: dict[int, Any] | None = None) -> T:
    """A deep copy of `value` in which closures and weak references follow the copy.

    Args:
        value: the object graph to copy.
        memo: `copy`'s memo, pre-seeded with ``id(original) → replacement``
            for objects that must not be copied but replaced.

    Raises:
        ClockError: something in the graph can't be copied (a socket, a thread).
    """
    with _closures_copied():
        try:
            return copy.deepcopy(value, {} if memo is None else memo)
        except TypeError as exc:
            raise ClockError(
                f"this cloud can't be copied: {exc} (stop the X-Ray daemon and other "
                "bridges to the outside before fork() or snapshot())"
            ) from exc
