"""Story: a traced three-service request whose failing database call is found with X-Ray.

``web`` calls ``orders``, which calls its database ``orders-db``. One request in
five meets a database timeout. Each application records with
``cloud.xray.recorder`` (as an X-Ray SDK would), passing the trace header on.
Then we look for the failures as an operator would: a filter expression over the
trace summaries, and the service graph's fault counts per edge.

Run: ``python examples/traced_request.py`` (output kept in ``traced_request.out``).
"""

from __future__ import annotations

from datetime import timedelta

from awsmon import Cloud


class DatabaseTimeout(Exception):
    """The database did not answer in time."""


def main() -> None:
    """Serve 20 requests, then find the failing database call."""
    cloud = Cloud(seed=21)
    web = cloud.xray.recorder("web", origin="AWS::EC2::Instance")
    orders = cloud.xray.recorder("orders", origin="AWS::ECS::Container")
    database = cloud.xray.recorder("orders-db")
    start = cloud.clock.now()

    for number in range(20):
        failing = number % 5 == 4
        with web.segment(method="GET", url="https://shop.example/orders/42") as request:
            request.annotate("customer", f"c-{number % 3}")
            with request.subsegment("orders", namespace="remote") as call:
                with orders.segment(trace_header=call.trace_header()) as handler:
                    try:
                        with (
                            handler.subsegment("orders-db", namespace="remote") as query,
                            database.segment(trace_header=query.trace_header()) as db,
                        ):
                            cloud.clock.advance(timedelta(seconds=2 if failing else 0.01))
                            if failing:
                                db.respond(500)
                                raise DatabaseTimeout("orders-db: no answer in 2 s")
                            db.respond(200)
                        handler.respond(200)
                    except DatabaseTimeout:
                        handler.respond(502)
                call.http_request(method="GET", url="http://orders.internal/42")
            request.respond(502 if failing else 200)
        cloud.clock.advance(timedelta(seconds=30))
    cloud.clock.advance(timedelta(minutes=1))
    end = cloud.clock.now()
    print("20 requests served: web -> orders -> orders-db")

    xray = cloud.client("xray")
    expression = 'service("orders-db") { fault } AND responsetime > 1'
    summaries = xray.get_trace_summaries(
        StartTime=start, EndTime=end, FilterExpression=expression
    )["TraceSummaries"]
    print(f"filter {expression!r}: {len(summaries)} traces")
    for summary in summaries[:2]:
        annotations = sorted(summary["Annotations"])
        print(f"  {summary['Id']} took {summary['ResponseTime']:.2f} s, "
              f"fault={summary['HasFault']} annotations={annotations}")  # fmt: skip
    assert len(summaries) == 4

    graph = xray.get_service_graph(StartTime=start, EndTime=end)["Services"]
    names = {node["ReferenceId"]: node["Name"] for node in graph}
    print("service graph:")
    for node in sorted(graph, key=lambda s: (s["Name"], s.get("Type", ""))):
        stats = node.get("SummaryStatistics", {})
        faults = stats.get("FaultStatistics", {}).get("TotalCount", 0)
        edges = [names[e["ReferenceId"]] for e in node.get("Edges", [])]
        kind = node.get("Type", "(no origin)")
        print(f"  {node['Name']:<10} {kind:<20} requests {stats.get('TotalCount', 0):>2}, "
              f"faults {faults}, calls {edges}")  # fmt: skip
    db_node = next(node for node in graph if node["Name"] == "orders-db")
    assert db_node["SummaryStatistics"]["FaultStatistics"]["TotalCount"] == 4
    print("the faults start at", db_node["Name"], "; called by",
          [names[n["ReferenceId"]] for n in graph for e in n.get("Edges", [])
           if e["ReferenceId"] == db_node["ReferenceId"]])  # fmt: skip


if __name__ == "__main__":
    main()
