"""A cheap structural fingerprint of a cloud's state, to see what a failed call changed.

`fingerprint(cloud)` walks every service instance of every account and region
(the objects the domain keeps: dicts, lists, sets, attrs records, plain objects)
and returns a nested tuple that compares equal when the state is the same. It
stops at the shared machinery (the cloud, its clock, dispatcher, random source,
contexts, functions) and leaves out what a failed call may change in AWS too:
CloudTrail's record of the call itself. The clock counts as its pending jobs.
"""

from __future__ import annotations

import random
import types
from collections.abc import Mapping
from enum import Enum
from typing import Any

import attrs

from awsmon.clock import VirtualClock
from awsmon.cloud import Account, Cloud, Region
from awsmon.cloudwatch import VendedMetrics
from awsmon.dispatch import Dispatcher, ServiceContext

#: Services whose state a failed call legitimately changes (it records the call).
RECORDERS = frozenset({"cloudtrail"})

#: Not walked: the simulation's frame, and vended-metric counters (AWS counts failed calls
#: too: 4xxErrors, CallCount), which are recorders like CloudTrail.
_STOP = (
    Cloud,
    Account,
    Region,
    VirtualClock,
    Dispatcher,
    ServiceContext,
    random.Random,
    VendedMetrics,
)
_ATOMS = (str, bytes, int, float, bool, type(None), Enum)
_CALLABLES = (
    types.FunctionType,
    types.MethodType,
    types.BuiltinFunctionType,
    types.ModuleType,
    type,
)
_MAX_NODES = 200_000


def fingerprint(cloud: Cloud) -> dict[tuple[str, str, str], Any]:
    """(account, region, service) → the structure of that service's state."""
    found: dict[tuple[str, str, str], Any] = {}
    for account_id, account in list(cloud._accounts.items()):
        for region_name, region in list(account._regions.items()):
            for name, service in list(region._services.items()):
                if name in RECORDERS:
                    continue
                walker = _Walker()
                found[(account_id, region_name, name)] = walker.walk(service)
    found[("", "", "clock")] = tuple(
        (job.due_at, name)
        for job in cloud.clock.pending()
        if " metrics " not in (name := str(getattr(job, "name", "")))  # vended publishing
    )
    return found


def changes(before: dict[Any, Any], after: dict[Any, Any]) -> list[Any]:
    """The places whose state differs (places created by the call are not counted)."""
    return [key for key in before if key in after and before[key] != after[key]]


class _Walker:
    def __init__(self) -> None:
        self.seen: set[int] = set()  # the ids on the path from the root
        self.nodes = 0

    def walk(self, value: Any) -> Any:
        self.nodes += 1
        if self.nodes > _MAX_NODES:
            return "…"
        if isinstance(value, _ATOMS):
            return value
        if isinstance(value, (_STOP, _CALLABLES)):
            return type(value).__name__
        if id(value) in self.seen:  # a cycle: the value is its own ancestor
            return ("@", type(value).__name__)
        self.seen.add(id(value))
        try:
            return self._compound(value)
        finally:
            self.seen.discard(id(value))

    def _compound(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            return ("{}", tuple(sorted(((repr(k), self.walk(v)) for k, v in value.items()))))
        if isinstance(value, (list, tuple)):
            return ("[]", tuple(self.walk(v) for v in value))
        if isinstance(value, (set, frozenset)):
            return ("set", tuple(sorted(repr(v) for v in value)))
        if isinstance(value, (bytearray, memoryview)):
            return bytes(value)
        if hasattr(value, "tobytes"):  # numpy and array.array columns
            return ("array", value.tobytes())
        if attrs.has(type(value)):
            fields = attrs.fields(type(value))
            return (type(value).__name__, tuple(self.walk(getattr(value, f.name)) for f in fields))
        state = getattr(value, "__dict__", None)
        if state is None:
            slots = [s for c in type(value).__mro__ for s in getattr(c, "__slots__", ())]
            state = {s: getattr(value, s) for s in slots if hasattr(value, s)}
        if not state and hasattr(value, "__iter__") and not hasattr(value, "__next__"):
            try:
                return (type(value).__name__, tuple(self.walk(v) for v in value))
            except TypeError:
                pass
        return (type(value).__name__, self.walk(state))
