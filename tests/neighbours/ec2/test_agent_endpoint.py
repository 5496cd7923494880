"""Tests of awsmon/neighbours/ec2/agent/endpoint.py: the agent's EMF endpoint on loopback."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from typing import Any

import pytest

from awsmon import Cloud

AMI = "ami-0123456789abcdef0"
CONFIG = {"logs": {"metrics_collected": {"emf": {}}}}


def emf(cloud: Cloud, value: float, group: str = "svc-metrics") -> str:
    """One EMF document as aws-embedded-metrics' agent sink writes it."""
    stamp = int(cloud.clock.now().timestamp() * 1000)
    return json.dumps(
        {
            "_aws": {
                "Timestamp": stamp,
                "LogGroupName": group,
                "CloudWatchMetrics": [
                    {"Namespace": "App", "Dimensions": [["Service"]],
                     "Metrics": [{"Name": "Latency", "Unit": "Milliseconds"}]}
                ],
            },
            "Service": "checkout",
            "Latency": value,
        }
    )  # fmt: skip


@pytest.fixture
def agent() -> Any:
    cloud = Cloud()
    instance = cloud.ec2.run_instances(AMI, 1, 1).instances[0]
    cloud.clock.advance(30)
    return cloud, instance, instance.install_agent(CONFIG)


def test_tcp_and_udp_documents_become_log_events_and_metrics(agent: Any) -> None:
    """Lines over TCP and datagrams over UDP reach the group they name, metrics extracted."""
    cloud, instance, cwagent = agent
    with cwagent.listen(port=0) as endpoint:
        assert endpoint.endpoint == f"tcp://127.0.0.1:{endpoint.port}"
        with socket.create_connection(("127.0.0.1", endpoint.port)) as tcp:
            tcp.sendall((emf(cloud, 12.0) + "\n" + emf(cloud, 30.0) + "\n").encode())
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.sendto((emf(cloud, 7.0) + "\n").encode(), ("127.0.0.1", endpoint.port))
        udp.close()
        for _ in range(200):
            if endpoint.received >= 3:
                break
            endpoint.arrived.wait(0.05)
            endpoint.arrived.clear()
    assert endpoint.received == 3 and not endpoint.running
    events = cloud.logs.filter_log_events("svc-metrics").events
    assert len(events) == 3
    assert {e.log_stream_name for e in events} == {instance.id}
    cloud.clock.advance(timedelta(minutes=1))
    now = cloud.clock.now()
    stats = cloud.cloudwatch.get_metric_statistics(
        "App", "Latency", start_time=now - timedelta(minutes=5), end_time=now, period=300,
        dimensions={"Service": "checkout"}, statistics=["Maximum", "SampleCount"],
    )  # fmt: skip
    assert [p.statistics for p in stats.datapoints] == [{"Maximum": 30.0, "SampleCount": 3.0}]


def test_a_document_without_metadata_is_kept_aside() -> None:
    """Text that is not an EMF document lands in a group of its own, not lost."""
    cloud = Cloud()
    instance = cloud.ec2.run_instances(AMI, 1, 1).instances[0]
    cloud.clock.advance(30)
    endpoint = instance.install_agent(CONFIG).listen(port=0)
    endpoint._queue("not json\n")
    endpoint.stop()
    assert [e.message for e in cloud.logs.filter_log_events("emf-unparsed").events] == ["not json"]
