"""Tests of awsmon/xray/assembly.py: inferred segments for untraced downstream calls."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from awsmon import Cloud, VirtualClock

START = datetime(2024, 1, 5, 9, 0, tzinfo=UTC)


def _inferred_names(aws: dict[str, str]) -> list[str]:
    """The names of the inferred nodes of one trace calling Lambda with these ``aws`` fields."""
    cloud = Cloud(clock=VirtualClock(start=START))
    now = cloud.clock.time()
    trace_id = f"1-{int(now) - 5:08x}-{1:024x}"
    segment = {
        "name": "api",
        "id": "0000000000000001",
        "trace_id": trace_id,
        "start_time": now - 5,
        "end_time": now - 4,
        "subsegments": [
            {
                "name": "Lambda",
                "id": "0000000000000002",
                "namespace": "aws",
                "start_time": now - 5,
                "end_time": now - 4.5,
                "aws": {"operation": "Invoke", **aws},
            }
        ],
    }
    assert cloud.xray.put_trace_segments([segment]) == []
    view = cloud.xray.store.view(trace_id)
    assert view is not None
    return [node.name for node in view.nodes() if node.inferred]


@pytest.mark.parametrize(
    ("aws", "name"),
    [
        ({"function_name": "orders"}, "orders"),
        ({"function_arn": "arn:aws:lambda:us-east-1:123456789012:function:orders"}, "orders"),
        ({"function_arn": "arn:aws:lambda:us-east-1:123456789012:function:orders:3"}, "orders"),
        ({"function_arn": "arn:aws:lambda:us-east-1:123456789012:function:orders:live"}, "orders"),
        ({"function_arn": "not an arn"}, "Lambda"),
    ],
    ids=["name", "arn", "arn-version", "arn-alias", "not-an-arn"],
)
def test_lambda_node_is_named_after_the_function(aws: dict[str, str], name: str) -> None:
    """A call to Lambda infers a node named after the function, without version or alias."""
    assert _inferred_names(aws) == [name]
