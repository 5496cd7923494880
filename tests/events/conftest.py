"""Fixtures of the EventBridge wire tests: a cloud routed for boto3, and its clients.

Test modules that define their own ``cloud`` or ``events`` (test_service.py)
override these.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from awsmon import Cloud, VirtualClock


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    cloud = Cloud(clock=VirtualClock(start=datetime(2024, 1, 5, 9, 7, 30, tzinfo=UTC)))
    with cloud.patch_boto3():
        yield cloud


@pytest.fixture
def events(cloud: Cloud) -> Any:
    return boto3.client("events")


@pytest.fixture
def sqs(cloud: Cloud) -> Any:
    return boto3.client("sqs")
