"""pytest fixtures for awsmon, registered through the ``pytest11`` entry point.

- ``awsmon_cloud``: a fresh `Cloud` (default account, region, seed and start).
- ``awsmon_clock``: that cloud's `VirtualClock`.
- ``awsmon_boto3``: the same cloud with boto3 routed to it for the test
  (`Cloud.patch_boto3`); ``AWS_DEFAULT_REGION`` is set to the cloud's region
  when the environment has none, so ``boto3.client("logs")`` just works.
- ``awsmon_wall_clock``: ``awsmon_boto3`` with the process's wall clock driven
  by the virtual clock (`VirtualClock.drive_wall_clock`, needs time-machine:
  ``awsmon[boto3]``), so SDKs that stamp data with ``time.time`` or
  ``datetime.now`` (watchtower, aws-lambda-powertools, aws-xray-sdk) stamp
  it with virtual time. ``pytest --awsmon-wall-clock`` turns this on for every
  test that uses ``awsmon_cloud`` (and so ``awsmon_boto3``) in the run.

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

__all__ = [
    "awsmon_boto3",
    "awsmon_clock",
    "awsmon_cloud",
    "awsmon_wall_clock",
    "pytest_addoption",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--awsmon-wall-clock``: every ``awsmon_cloud`` drives the process's wall clock."""
    parser.getgroup("awsmon").addoption(
        "--awsmon-wall-clock",
        action="store_true",
        default=False,
        help="make the wall clock (time.time, datetime.now) follow each test's awsmon "
        "virtual clock (needs time-machine)",
    )


@pytest.fixture
def awsmon_cloud(request: pytest.FixtureRequest) -> Iterator[Cloud]:
    """A fresh simulated cloud (driving the wall clock under ``--awsmon-wall-clock``)."""
    cloud = Cloud()
    if request.config.getoption("--awsmon-wall-clock", default=False):
        with cloud.clock.drive_wall_clock():
            yield cloud
    else:
        yield cloud


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


@pytest.fixture
def awsmon_wall_clock(awsmon_boto3: Cloud) -> Iterator[Cloud]:
    """``awsmon_boto3`` with the process's wall clock following its virtual clock."""
    if awsmon_boto3.clock.driving_wall_clock:
        yield awsmon_boto3
        return
    with awsmon_boto3.clock.drive_wall_clock():
        yield awsmon_boto3
