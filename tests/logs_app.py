"""Helpers of the CloudWatch Logs domain tests: a cloud with group ``app`` and two streams."""

from __future__ import annotations

from awsmon import Cloud
from awsmon.logs.model import to_millis


def app_cloud() -> Cloud:
    """A fresh cloud with log group ``app`` and its streams ``s1`` and ``s2``."""
    cloud = Cloud()
    cloud.logs.create_log_group("app")
    cloud.logs.create_log_stream("app", "s1")
    cloud.logs.create_log_stream("app", "s2")
    return cloud


def put(cloud: Cloud, messages: list[str], stream: str = "s1", offset_ms: int = 0) -> None:
    """Put `messages` on `stream` of ``app``, all at now + `offset_ms`."""
    now = to_millis(cloud.clock.now()) + offset_ms
    cloud.logs.put_log_events("app", stream, [(now, m) for m in messages])


def found(cloud: Cloud, pattern: str) -> list[str]:
    """The messages of ``app`` that `pattern` matches."""
    return [e.message for e in cloud.logs.filter_log_events("app", filter_pattern=pattern).events]
