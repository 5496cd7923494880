"""The record store: expiry keeps its invariants; Insights pairs on the clock."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["create", "read", "data"]), st.integers(min_value=0, max_value=40)
        ),
        max_size=30,
    )
)
def test_store_invariants_survive_expiry(steps: list[tuple[str, int]]) -> None:
    """Any mix of calls, waits of days and expiry leaves the store consistent."""
    cloud = Cloud()
    logs = cloud.client("logs")
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="inv-bucket")
    for i, (kind, days) in enumerate(steps):
        cloud.clock.advance(timedelta(days=days))
        if kind == "create":
            logs.create_log_group(logGroupName=f"g{i}")
        elif kind == "read":
            logs.describe_log_groups()
        else:
            s3.put_object(Bucket="inv-bucket", Key=str(i), Body=b"")
    history = cloud.cloudtrail.history
    history.expire(cloud.clock.now() - timedelta(days=90))
    history._check()
    assert all(r.at >= cloud.clock.now() - timedelta(days=90) for r in history.records())


class TestInsights:
    def test_call_rate_insight_start_and_end(self, cloud: Cloud, trail_bucket) -> None:  # type: ignore[no-untyped-def]
        """A burst of writes after a quiet week gives a Start/End pair sharing an id."""
        trail_bucket(cloud, "trail-bucket")
        client = cloud.client("cloudtrail")
        client.create_trail(Name="insightful", S3BucketName="trail-bucket")
        client.put_insight_selectors(
            TrailName="insightful", InsightSelectors=[{"InsightType": "ApiCallRateInsight"}]
        )
        assert client.get_insight_selectors(TrailName="insightful")["InsightSelectors"] == [
            {"InsightType": "ApiCallRateInsight", "EventCategories": ["Management"]}
        ]
        client.start_logging(Name="insightful")
        sns = cloud.client("sns")
        for day in range(8):
            sns.create_topic(Name=f"quiet-{day}")
            cloud.clock.advance(timedelta(days=1))
        for i in range(40):
            sns.create_topic(Name=f"burst-{i}")
        cloud.clock.advance(timedelta(minutes=3))
        page = client.lookup_events(EventCategory="insight")
        events = [json.loads(e["CloudTrailEvent"]) for e in page["Events"]]
        states = [e["insightDetails"]["state"] for e in events]
        assert states == ["End", "Start"]
        assert events[0]["sharedEventID"] == events[1]["sharedEventID"]
        details = events[1]["insightDetails"]
        assert (details["eventName"], details["insightType"]) == (
            "CreateTopic",
            "ApiCallRateInsight",
        )
        assert details["insightContext"]["statistics"]["insight"]["average"] == 40
        assert events[0]["eventCategory"] == "Insight"
        keys = [k for k in cloud.s3.bucket("trail-bucket").objects if "CloudTrail-Insight/" in k]
        assert len(keys) == 2
        assert keys[0].startswith("AWSLogs/123456789012/CloudTrail-Insight/us-east-1/")

    def test_insight_selectors_errors(self, cloud: Cloud, trail_bucket) -> None:  # type: ignore[no-untyped-def]
        """Unknown types are refused; a trail without Insights says so."""
        trail_bucket(cloud, "trail-bucket")
        client = cloud.client("cloudtrail")
        client.create_trail(Name="plain", S3BucketName="trail-bucket")
        with pytest.raises(Exception, match="InsightNotEnabledException"):
            client.get_insight_selectors(TrailName="plain")
        with pytest.raises(Exception, match="InvalidInsightSelectorsException"):
            client.put_insight_selectors(
                TrailName="plain", InsightSelectors=[{"InsightType": "Vibes"}]
            )
