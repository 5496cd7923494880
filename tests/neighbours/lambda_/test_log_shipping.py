"""How invocations' log lines reach CloudWatch Logs: one stream per execution environment,
and the lines of one event-source-mapping poll shipped together in PutLogEvents batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock
from awsmon.neighbours.lambda_.telemetry import _batches

T0 = datetime(2025, 6, 1, tzinfo=UTC)


def test_a_warm_environment_keeps_its_stream_and_a_cold_start_opens_one() -> None:
    cloud = Cloud(clock=VirtualClock(T0), seed=2)
    cloud.lambda_.register("f", lambda event, context: print("hi"))
    first = cloud.lambda_.invoke("f", {})
    second = cloud.lambda_.invoke("f", {})
    records = cloud.lambda_.function("f").invocations
    assert records[0].log_stream_name == records[1].log_stream_name
    assert records[0].log_stream_name.startswith("2025/06/01/[$LATEST]")
    cloud.lambda_.update_function_configuration("f", memory_size=256)
    cloud.lambda_.invoke("f", {})
    assert records[2].cold_start
    assert records[2].log_stream_name != records[0].log_stream_name
    streams = cloud.client("logs").describe_log_streams(logGroupName="/aws/lambda/f")
    assert len(streams["logStreams"]) == 2
    assert first.status_code == second.status_code == 200


def test_a_polls_lines_arrive_together_in_time_order() -> None:
    cloud = Cloud(clock=VirtualClock(T0), seed=2)
    queue = cloud.sqs.create_queue("jobs")
    for index in range(25):
        cloud.sqs.deliver(queue.arn, f"job {index}", sender_id="test")

    def handler(event: Any, context: Any) -> None:
        for record in event["Records"]:
            print(record["body"])

    cloud.lambda_.register("worker", handler, duration=timedelta(milliseconds=30))
    cloud.lambda_.create_event_source_mapping("worker", queue.arn, batch_size=10)
    cloud.clock.advance(2)
    assert len(cloud.lambda_.function("worker").invocations) == 3
    events = cloud.client("logs").filter_log_events(logGroupName="/aws/lambda/worker")["events"]
    bodies = [e["message"].strip().rsplit("\t", 1)[-1] for e in events if "job " in e["message"]]
    assert sorted(bodies, key=lambda b: int(b.split()[1])) == [f"job {i}" for i in range(25)]
    assert sum("REPORT RequestId" in e["message"] for e in events) == 3
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps)
    puts = [
        m for m in cloud.timeline(kinds=["log-events"]) if m.detail["group"] == "/aws/lambda/worker"
    ]
    assert len(puts) == 1  # one poll, one stream: one PutLogEvents
    assert puts[0].detail["count"] == len(events)


_LINES = st.lists(
    st.tuples(st.integers(0, 3 * 86_400_000), st.text(min_size=1, max_size=300_000)),
    max_size=12,
).map(
    lambda items: [
        (T0 + timedelta(milliseconds=ms), text) for ms, text in sorted(items, key=lambda i: i[0])
    ]
)


@settings(max_examples=60, deadline=None)
@given(_LINES, st.integers(1, 40))
def test_batches_keep_every_line_within_putlogevents_limits(
    lines: list[tuple[datetime, str]], many: int
) -> None:
    lines = lines + [(T0 + timedelta(days=4), "x")] * many
    batches = list(_batches(lines))
    assert [line for batch in batches for line in batch] == lines
    for batch in batches:
        assert 1 <= len(batch) <= 10_000
        size = sum(len(text.encode()) + 26 for _, text in batch)
        assert size <= 1_048_576 or len(batch) == 1
        assert batch[-1][0] - batch[0][0] <= timedelta(hours=24)


def test_batches_hold_at_most_ten_thousand_events() -> None:
    lines = [(T0, f"line {i}") for i in range(25_000)]
    assert [len(batch) for batch in _batches(lines)] == [10_000, 10_000, 5_000]
