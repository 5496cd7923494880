"""The daemon's buffers are bounded and a hostile datagram breaks nothing (issue 19, item 4)."""

from __future__ import annotations

import json

from awsmon import Cloud
from awsmon.xray.service import MAX_DAEMON_REJECTIONS, REJECTED_TEXT_CHARS

HEADER = b'{"format": "json", "version": 1}\n'


def _segment(cloud: Cloud) -> bytes:
    trace_id = f"1-{int(cloud.clock.time()):08x}-{'a' * 24}"
    now = cloud.clock.time()
    document = {
        "name": "web",
        "id": "70de5b6f19ff9a0a",
        "trace_id": trace_id,
        "start_time": now - 1,
        "end_time": now,
    }
    return json.dumps(document).encode()


def test_rejections_are_bounded_in_number_and_size() -> None:
    cloud = Cloud()
    xray = cloud.xray
    for _ in range(MAX_DAEMON_REJECTIONS + 200):
        xray.receive_datagram(b"not a header" + b"x" * 10_000)
    xray.pump_datagrams()
    assert len(xray.daemon_rejections) == MAX_DAEMON_REJECTIONS
    assert all(len(text) <= REJECTED_TEXT_CHARS for text, _ in xray.daemon_rejections)


def test_a_nested_datagram_is_rejected_and_the_valid_ones_are_kept() -> None:
    """1,500 nested arrays: an InvalidSegment rejection; the next call of any service works."""
    cloud = Cloud()
    xray = cloud.xray
    xray.receive_datagram(HEADER + b"[" * 1500 + b"]" * 1500)
    xray.receive_datagram(HEADER + _segment(cloud))
    assert cloud.client("sts").get_caller_identity()["Account"] == "123456789012"
    xray.pump_datagrams()
    assert [r.error_code for _, r in xray.daemon_rejections if r is not None] == ["InvalidSegment"]
    assert len(xray.store) == 1
