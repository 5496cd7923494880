"""pytest fixtures for awsmon, registered through the ``pytest11`` entry point.

- ``awsmon_cloud``: a fresh `Cloud` (default account, region, seed and start).
- ``awsmon_clock``: that cloud's `VirtualClock`.
- ``awsmon_boto3``: the same cloud with boto3 routed to it for the test
  (`Cloud.patch_boto3`); ``AWS_DEFAULT_REGION`` is set to the cloud's region
  when the environment has none, so ``boto3.client("logs")`` just works.

Example::

    def test_caller(awsmon_boto3):
        import boto3
        assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from awsmon.clock import VirtualClock
from awsmon.cloud import Cloud

__all__ = ["awsmon_boto3", "awsmon_clock", "awsmon_cloud"]


@pytest.fixture
def awsmon_cloud() -> Cloud:
    """A fresh simulated cloud."""
    return Cloud()


@pytest.fixture
def awsmon_clock(awsmon_cloud: Cloud) -> VirtualClock:
    """The virtual clock of ``awsmon_cloud``."""
    return awsmon_cloud.clock


@pytest.fixture
def awsmon_boto3(awsmon_cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    """``awsmon_cloud`` with every boto3/botocore client routed to it during the test."""
    import os

    if not os.environ.get("AWS_DEFAULT_REGION") and not os.environ.get("AWS_REGION"):
        monkeypatch.setenv("AWS_DEFAULT_REGION", awsmon_cloud.default_region)
    with awsmon_cloud.patch_boto3():
        yield awsmon_cloud
