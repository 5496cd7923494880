"""Story: a Logs Insights investigation — why did checkout get slow for a while?

The checkout service logs one JSON line per request. Latency rose for a while.
We ask Logs Insights three questions, as an on-call engineer would: how latency
moved per 5 minutes, which endpoints were slow, and which errors came with it.
Queries run on the virtual clock: Scheduled, then Running, then Complete.

Run: ``python examples/insights_investigation.py`` (output kept beside it).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from awsmon import Cloud

GROUP = "/shop/checkout"


def ask(cloud: Cloud, query: str, start: int, end: int) -> list[dict[str, str]]:
    """Run a Logs Insights query and wait (on the virtual clock) for its rows."""
    logs = cloud.client("logs")
    query_id = logs.start_query(
        logGroupName=GROUP, startTime=start, endTime=end, queryString=query
    )["queryId"]
    answer: dict[str, Any] = logs.get_query_results(queryId=query_id)
    while answer["status"] in ("Scheduled", "Running"):
        cloud.clock.advance(timedelta(seconds=1))
        answer = logs.get_query_results(queryId=query_id)
    assert answer["status"] == "Complete", answer["status"]
    return [{f["field"]: f["value"] for f in row} for row in answer["results"]]


def main() -> None:
    """Write an hour of request logs with a slow stretch, then investigate."""
    cloud = Cloud(seed=8)
    logs = cloud.client("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="web-1")
    start = int(cloud.clock.now().timestamp())
    for minute in range(60):
        slow = 30 <= minute < 45
        now = int(cloud.clock.now().timestamp() * 1000)
        events = []
        for n in range(6):
            path = ("/cart", "/pay", "/search")[n % 3]
            latency = 900 + 40 * n if slow and path == "/pay" else 80 + 5 * n
            line = {"path": path, "latency_ms": latency, "status": 200}
            if slow and path == "/pay" and n == 4:
                line.update(status=504, error="PaymentGatewayTimeout")
            events.append({"timestamp": now + n, "message": json.dumps(line)})
        logs.put_log_events(logGroupName=GROUP, logStreamName="web-1", logEvents=events)
        cloud.clock.advance(timedelta(minutes=1))
    end = int(cloud.clock.now().timestamp())
    print(f"an hour of checkout logs: 360 requests in {GROUP}")

    print("1. p90 latency per 10 minutes:")
    rows = ask(cloud, "stats pct(latency_ms, 90) as p90 by bin(10m) | sort p90 desc", start, end)
    for row in rows:
        print(f"   {row['bin(10m)']}  p90 {float(row['p90']):.0f} ms")
    print("2. the slow endpoints:")
    rows = ask(cloud, "filter latency_ms > 500 | stats count(*) as slow, avg(latency_ms) as avg "
               "by path | sort slow desc", start, end)  # fmt: skip
    for row in rows:
        print(f"   {row['path']}: {row['slow']} slow requests, average {float(row['avg']):.0f} ms")
    assert [row["path"] for row in rows] == ["/pay"]
    print("3. the errors that came with them:")
    rows = ask(cloud, "filter ispresent(error) | stats count(*) as n, min(@timestamp) as first, "
               "max(@timestamp) as last by error", start, end)  # fmt: skip
    for row in rows:
        print(f"   {row['error']}: {row['n']} times, {row['first']} .. {row['last']}")
    assert rows[0]["error"] == "PaymentGatewayTimeout" and rows[0]["n"] == "15"
    print(f"answer: the payment gateway timed out from {rows[0]['first'][11:16]} to "
          f"{rows[0]['last'][11:16]}, and only /pay was slow")  # fmt: skip


if __name__ == "__main__":
    main()
