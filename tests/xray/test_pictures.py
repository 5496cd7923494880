"""X-Ray pictures: the service map as DOT and a trace's waterfall."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from picture_checks import count_near

from awsmon import Cloud
from awsmon.pictures import Graph, png_size
from awsmon.xray.pictures import node_shares


@pytest.fixture
def cloud_and_traces() -> tuple[Cloud, list[str]]:
    """20 requests api → orders → orders-db; every 4th fails in the database."""
    cloud = Cloud(seed=3)
    api = cloud.xray.recorder("api", origin="AWS::EC2::Instance")
    orders = cloud.xray.recorder("orders", origin="AWS::ECS::Container")
    db = cloud.xray.recorder("orders-db")
    ids = []
    for i in range(20):
        with api.segment(method="POST", url="https://shop.example/orders") as request:
            ids.append(request.trace_id)
            cloud.clock.advance(0.005)
            with (
                request.subsegment("orders", namespace="remote") as call,
                orders.segment(trace_header=call.trace_header()) as order,
            ):
                cloud.clock.advance(0.01)
                with (
                    order.subsegment("orders-db", namespace="remote") as query,
                    db.segment(trace_header=query.trace_header()) as database,
                ):
                    cloud.clock.advance(0.03)
                    database.respond(500 if i % 4 == 0 else 200)
                order.respond(502 if i % 4 == 0 else (429 if i % 5 == 1 else 200))
            request.respond(502 if i % 4 == 0 else 200)
        cloud.clock.advance(timedelta(seconds=3))
    cloud.clock.advance(timedelta(seconds=30))
    return cloud, ids


def test_the_service_map_is_a_dot_graph(cloud_and_traces: tuple[Cloud, list[str]]) -> None:
    cloud, _ = cloud_and_traces
    now = cloud.clock.now()
    graph = cloud.xray.get_service_graph(now - timedelta(minutes=5), now)
    picture = graph.picture()
    assert isinstance(picture, Graph)
    dot = picture.dot
    labels = dict(re.findall(r'^  "(\d+)" \[.*label="([^"]*)"', dot, re.M))
    names = {ref: label.split("\\n")[0] for ref, label in labels.items()}
    assert sorted(names.values()) == ["api", "api", "orders", "orders-db"]
    edges = {(names[a], names[b]) for a, b in re.findall(r'^  "(\d+)" -> "(\d+)"', dot, re.M)}
    assert edges == {("api", "api"), ("api", "orders"), ("orders", "orders-db")}
    orders = next(label for label in labels.values() if label.startswith("orders\\n"))
    assert "20 req" in orders and "fault 25%" in orders and "throttle 15%" in orders
    png = graph._repr_png_()
    assert png_size(png)[0] >= 800
    assert count_near(png, (0xF8, 0xD0, 0xCF), 2) > 100  # faulty nodes are red


def test_node_shares() -> None:
    stats = {
        "OkCount": 5,
        "ErrorStatistics": {"ThrottleCount": 1, "OtherCount": 2, "TotalCount": 3},
        "FaultStatistics": {"OtherCount": 2, "TotalCount": 2},
        "TotalCount": 10,
    }
    assert node_shares(stats) == {"ok": 0.5, "error": 0.2, "fault": 0.2, "throttle": 0.1}


def test_a_trace_waterfall_has_a_row_per_segment(cloud_and_traces: tuple[Cloud, list[str]]) -> None:
    cloud, ids = cloud_and_traces
    (trace,) = cloud.xray.batch_get_traces([ids[0]]).traces
    assert repr(trace) == f"<TraceView {ids[0]}: 3 segments, 0.045 s, fault>"
    chart = trace.waterfall()
    png = chart.png()
    rows = 5  # api, its call, orders, its call, orders-db
    assert png_size(png) == (900, 100 + 20 * rows)
    red = count_near(png, (0xD6, 0x27, 0x28), 45)  # three faulty segments
    green = count_near(png, (0x2C, 0xA0, 0x2C), 45)  # two calls without a status
    assert red > 1.2 * green > 0
    assert "<svg" in trace._repr_svg_()
