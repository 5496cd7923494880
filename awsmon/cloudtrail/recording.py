"""CloudTrail's listener on the cloud's dispatch: every call becomes a record.

`install` is the registry's cloud hook for CloudTrail: the `Cloud` calls it as
it is built, so recording is on from the first call, whether or not anyone
has touched ``cloud.cloudtrail``. The `Recorder` classifies each reported
call, drops those CloudTrail does not log, and hands the compact record to
the `CloudTrail` service of the call's account and region (created on first
use), which keeps its history and feeds trails and EventBridge.

Cost per call: one table lookup, one place lookup, one compact record; no
JSON is built until someone reads the record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from awsmon.cloudtrail.classify import Classification, classify
from awsmon.cloudtrail.records import CallRecord
from awsmon.dispatch import ApiCall

if TYPE_CHECKING:
    from awsmon.dispatch import CloudHandle

__all__ = ["Recorder", "install", "recorder_of"]


#: Not yet classified (None means: not logged).
_UNSEEN: Any = object()


class _Keeper(Protocol):
    def record(self, record: CallRecord) -> None: ...


class Recorder:
    """The cloud-wide dispatch listener that records calls for CloudTrail.

    Attributes:
        enabled: record calls (switch off to measure a run without CloudTrail).
        places: the CloudTrail service of each (account, region) seen so far.
    """

    def __init__(self, cloud: CloudHandle) -> None:
        self._cloud = cloud
        self.enabled = True
        self.places: dict[tuple[str, str], Any] = {}
        # (service, operation) -> classification, for the operations seen so far.
        self._kinds: dict[tuple[str, str], Classification | None] = {}

    def __call__(self, call: ApiCall) -> None:
        if not self.enabled:
            return
        what = (call.service, call.operation)
        kind = self._kinds.get(what, _UNSEEN)
        if kind is _UNSEEN:
            kind = self._kinds[what] = classify(*what)
        if kind is None:
            return
        keeper: _Keeper | None = self.places.get((call.account_id, call.region))
        if keeper is None:
            keeper = self._cloud.service_in(call.account_id, call.region, "cloudtrail")
        keeper.record(CallRecord(call, kind))

    def join(self, account_id: str, region: str, service: Any) -> None:
        """Register the CloudTrail service of a place (its constructor calls this)."""
        self.places[(account_id, region)] = service

    def services_of(self, account_id: str) -> list[Any]:
        """The CloudTrail services of every region of `account_id` seen so far."""
        return [s for (a, _), s in sorted(self.places.items()) if a == account_id]


def install(cloud: CloudHandle) -> Recorder:
    """Add CloudTrail's recorder to `cloud`'s dispatch listeners (the registry's cloud hook)."""
    recorder = Recorder(cloud)
    cloud.dispatcher.listeners.append(recorder)
    return recorder


def recorder_of(cloud: CloudHandle) -> Recorder:
    """The recorder installed on `cloud` (installed now if it is missing)."""
    for listener in cloud.dispatcher.listeners:
        if isinstance(listener, Recorder):
            return listener
    return install(cloud)
