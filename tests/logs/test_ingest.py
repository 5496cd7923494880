"""Tests of awsmon/logs/ingest.py: PutLogEvents, GetLogEvents and FilterLogEvents."""

from __future__ import annotations

import pytest
from logs_app import app_cloud, found

from awsmon import Cloud
from awsmon.logs.errors import InvalidParameterException, ResourceNotFoundException
from awsmon.logs.model import EventColumns, InputLogEvent, to_millis


@pytest.fixture
def cloud() -> Cloud:
    return app_cloud()


class TestPutLogEvents:
    def test_columns_store_what_pairs_store(self, cloud: Cloud) -> None:
        """`EventColumns` (the wire layer's form) is read as the same events given as pairs;
        columns of unequal length, or of a wrong type, get InvalidParameterException."""
        now = to_millis(cloud.clock.now())
        cloud.logs.put_log_events("app", "s1", EventColumns([now, now + 1], ["a", "b"]))
        cloud.logs.put_log_events("app", "s1", [(now + 2, "c")])
        assert found(cloud, "") == ["a", "b", "c"]
        with pytest.raises(InvalidParameterException, match="1 timestamps and 2 messages"):
            cloud.logs.put_log_events("app", "s1", EventColumns([now], ["a", "b"]))
        with pytest.raises(InvalidParameterException, match="Member must be a string"):
            cloud.logs.put_log_events("app", "s1", EventColumns([now], [b"a"]))  # type: ignore[list-item]
        assert found(cloud, "") == ["a", "b", "c"]

    def test_rejections_and_the_rest_stored(self, cloud: Cloud) -> None:
        """Too old, expired and too new events are reported by index; the rest is stored."""
        cloud.logs.put_retention_policy("app", 7)
        now = to_millis(cloud.clock.now())
        day = 86_400_000
        events = [
            InputLogEvent(now - 15 * day, "too old"),
            InputLogEvent(now - 8 * day, "expired"),
            InputLogEvent(now - 1000, "kept"),
            InputLogEvent(now + 3 * 3_600_000, "too new"),
        ]
        with pytest.raises(
            InvalidParameterException,
            match=r"^InvalidParameterException: The batch of log events in a single "
            r"PutLogEvents request cannot span more than 24 hours\.$",
        ):
            cloud.logs.put_log_events("app", "s1", [(now - 2 * day, "a"), (now, "b")])
        result = cloud.logs.put_log_events("app", "s1", events)
        assert result.rejected is not None
        assert (result.rejected.too_old_end_index, result.rejected.expired_end_index) == (1, 2)
        assert result.rejected.too_new_start_index == 3
        assert found(cloud, "") == ["kept"]
        stream = cloud.logs.log_group("app").streams["s1"]
        assert stream.last_ingestion_ms == now

    def test_batch_limits(self, cloud: Cloud) -> None:
        """Bytes count 26 per event; 10,000 events at most; order must be chronological."""
        now = to_millis(cloud.clock.now())
        size = 1_048_576 // 1 - 26
        cloud.logs.put_log_events("app", "s1", [(now, "x" * size)])
        with pytest.raises(
            InvalidParameterException,
            match=r"^InvalidParameterException: Upload too large: 1048577 bytes exceeds limit "
            r"of 1048576$",
        ):
            cloud.logs.put_log_events("app", "s1", [(now, "x" * (size + 1))])
        with pytest.raises(InvalidParameterException, match="chronological order"):
            cloud.logs.put_log_events("app", "s1", [(now, "b"), (now - 1, "a")])
        with pytest.raises(
            InvalidParameterException, match="Member must have length less than or equal to 10000"
        ):
            cloud.logs.put_log_events("app", "s1", [(now, "a")] * 10_001)
        assert len(cloud.logs.log_group("app").streams["s1"].store) == 1

    def test_missing_stream(self, cloud: Cloud) -> None:
        """A missing stream is ResourceNotFoundException with AWS's message."""
        with pytest.raises(
            ResourceNotFoundException,
            match=r"^ResourceNotFoundException: The specified log stream does not exist\.$",
        ):
            cloud.logs.put_log_events("app", "nope", [(0, "x")])


class TestGetLogEvents:
    def test_tokens_walk_and_stop(self, cloud: Cloud) -> None:
        """Forward pages cover every event once; at the end the same token comes back."""
        now = to_millis(cloud.clock.now())
        cloud.logs.put_log_events("app", "s1", [(now - 10 + i, str(i)) for i in range(10)])
        page = cloud.logs.get_log_events("app", "s1", limit=4, start_from_head=True)
        seen = [e.message for e in page.events]
        token = page.next_forward_token
        while True:
            page = cloud.logs.get_log_events("app", "s1", limit=4, next_token=token)
            if page.next_forward_token == token:
                assert page.events == ()
                break
            seen += [e.message for e in page.events]
            token = page.next_forward_token
        assert seen == [str(i) for i in range(10)]
        newest = cloud.logs.get_log_events("app", "s1", limit=3)
        assert [e.message for e in newest.events] == ["7", "8", "9"]
        back = cloud.logs.get_log_events(
            "app", "s1", limit=3, next_token=newest.next_backward_token
        )
        assert [e.message for e in back.events] == ["4", "5", "6"]

    def test_window_end_is_exclusive(self, cloud: Cloud) -> None:
        """startTime is inclusive and endTime exclusive (FilterLogEvents: both inclusive)."""
        now = to_millis(cloud.clock.now())
        cloud.logs.put_log_events("app", "s1", [(now - 2, "a"), (now - 1, "b"), (now, "c")])
        page = cloud.logs.get_log_events("app", "s1", start_time=now - 2, end_time=now)
        assert [e.message for e in page.events] == ["a", "b"]
        filtered = cloud.logs.filter_log_events("app", start_time=now - 2, end_time=now)
        assert [e.message for e in filtered.events] == ["a", "b", "c"]

    def test_bad_token(self, cloud: Cloud) -> None:
        """A token awsmon did not issue is InvalidParameterException."""
        with pytest.raises(
            InvalidParameterException,
            match=r"^InvalidParameterException: The specified nextToken is invalid\.$",
        ):
            cloud.logs.get_log_events("app", "s1", next_token="f/123")


class TestFilterLogEvents:
    def test_pagination_interleaves_streams(self, cloud: Cloud) -> None:
        """Pages follow (timestamp, arrival) across streams, and nextToken ends with the data."""
        now = to_millis(cloud.clock.now())
        cloud.logs.put_log_events(
            "app", "s1", [(now - 10 + 2 * i, f"ERROR a{i}") for i in range(5)]
        )
        cloud.logs.put_log_events("app", "s2", [(now - 9 + 2 * i, f"ERROR b{i}") for i in range(5)])
        messages: list[str] = []
        token = None
        while True:
            page = cloud.logs.filter_log_events(
                "app", filter_pattern="ERROR", limit=3, next_token=token
            )
            messages += [e.message for e in page.events]
            token = page.next_token
            if token is None:
                break
        assert messages == [f"ERROR {s}{i}" for i in range(5) for s in "ab"]
        only = cloud.logs.filter_log_events("app", log_stream_names=["s2"], filter_pattern="b1")
        assert [e.log_stream_name for e in only.events] == ["s2"]
        assert len({e.event_id for e in cloud.logs.filter_log_events("app").events}) == 10

    def test_names_and_prefix_are_exclusive(self, cloud: Cloud) -> None:
        """logStreamNames with logStreamNamePrefix is InvalidParameterException."""
        with pytest.raises(InvalidParameterException):
            cloud.logs.filter_log_events("app", log_stream_names=["s1"], log_stream_name_prefix="s")
