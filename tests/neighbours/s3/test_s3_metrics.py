"""Tests of awsmon/neighbours/s3/metrics.py, listing.py and ListObjects (v1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sortedcontainers import SortedDict
from vended_helpers import alarm_state, stat

from awsmon import Cloud
from awsmon.neighbours.s3 import MetricsConfiguration, NoSuchConfiguration, S3Object
from awsmon.neighbours.s3.listing import walk

DAY = 86_400


@pytest.fixture
def cloud() -> Cloud:
    cloud = Cloud()
    cloud.s3.create_bucket("bkt")
    return cloud


class TestStorageMetrics:
    def test_daily_size_and_count(self, cloud: Cloud) -> None:
        """BucketSizeBytes and NumberOfObjects arrive once a day, stamped at midnight UTC."""
        cloud.s3.put_object("bkt", "a", b"12345")
        cloud.s3.put_object("bkt", "c", b"678")
        cloud.clock.advance(timedelta(days=2))
        size = {"BucketName": "bkt", "StorageType": "StandardStorage"}
        count = {"BucketName": "bkt", "StorageType": "AllStorageTypes"}
        span = timedelta(days=3)
        sizes = stat(cloud, "AWS/S3", "BucketSizeBytes", size, "Average", period=DAY, span=span)
        assert sizes == [8.0, 8.0]
        midnight = datetime.combine(cloud.clock.now().date(), datetime.min.time(), UTC)
        points = cloud.cloudwatch.get_metric_statistics(
            "AWS/S3", "NumberOfObjects", start_time=midnight - span, end_time=midnight,
            period=3600, dimensions=count, statistics=["Average"],
        ).datapoints  # fmt: skip
        assert [p.statistics["Average"] for p in points] == [2.0, 2.0]
        assert all(p.timestamp.time() == datetime.min.time() for p in points)
        assert points[0].timestamp.tzinfo == UTC

    def test_alarm_on_bucket_size(self, cloud: Cloud) -> None:
        """A daily alarm on BucketSizeBytes fires once the bucket grows past its threshold."""
        cloud.cloudwatch.put_metric_alarm(
            "big", namespace="AWS/S3", metric_name="BucketSizeBytes",
            dimensions={"BucketName": "bkt", "StorageType": "StandardStorage"},
            statistic="Average", period=DAY, evaluation_periods=1, threshold=1000,
            comparison_operator="GreaterThanThreshold",
        )  # fmt: skip
        cloud.s3.put_object("bkt", "big", b"x" * 2000)
        cloud.clock.advance(timedelta(days=2))
        assert alarm_state(cloud, "big") == "ALARM"


class TestRequestMetrics:
    def test_only_with_a_configuration(self, cloud: Cloud) -> None:
        """Requests count per configuration whose prefix matches, from its creation on."""
        cloud.s3.put_object("bkt", "logs/early", b"x")
        config = MetricsConfiguration(id="logs", prefix="logs/")
        cloud.s3.put_bucket_metrics_configuration("bkt", "logs", config)
        cloud.s3.put_object("bkt", "logs/a", b"abc")
        cloud.s3.put_object("bkt", "other", b"zz")
        cloud.s3.get_object("bkt", "logs/a")
        with pytest.raises(LookupError):
            cloud.s3.get_object("bkt", "logs/missing")
        cloud.clock.advance(timedelta(minutes=1))
        where = {"BucketName": "bkt", "FilterId": "logs"}
        assert stat(cloud, "AWS/S3", "AllRequests", where) == [3.0]
        assert stat(cloud, "AWS/S3", "PutRequests", where) == [1.0]
        assert stat(cloud, "AWS/S3", "GetRequests", where) == [2.0]
        assert stat(cloud, "AWS/S3", "BytesUploaded", where) == [3.0]
        assert stat(cloud, "AWS/S3", "BytesDownloaded", where) == [3.0]
        assert stat(cloud, "AWS/S3", "4xxErrors", where) == [1.0]

    def test_wire_configuration_round_trip(self, cloud: Cloud) -> None:
        """Put, Get, List and Delete BucketMetricsConfiguration through the wire."""
        s3 = cloud.client("s3")
        tags = [{"Key": "k", "Value": "v"}]
        config = {"Id": "all", "Filter": {"And": {"Prefix": "p/", "Tags": tags}}}
        s3.put_bucket_metrics_configuration(Bucket="bkt", Id="all", MetricsConfiguration=config)
        got = s3.get_bucket_metrics_configuration(Bucket="bkt", Id="all")["MetricsConfiguration"]
        assert got == config
        listed = s3.list_bucket_metrics_configurations(Bucket="bkt")["MetricsConfigurationList"]
        assert [c["Id"] for c in listed] == ["all"]
        s3.delete_bucket_metrics_configuration(Bucket="bkt", Id="all")
        with pytest.raises(NoSuchConfiguration):
            cloud.s3.get_bucket_metrics_configuration("bkt", "all")


class TestListObjectsV1:
    KEYS = ("a.txt", "photos/2006/jan.jpg", "photos/2006/feb.jpg", "photos/2007/x.jpg", "z.txt")

    def fill(self, cloud: Cloud) -> None:
        for key in self.KEYS:
            cloud.s3.put_object("bkt", key, b"x")

    def test_delimiter_and_next_marker(self, cloud: Cloud) -> None:
        """With a delimiter, NextMarker pages through keys and common prefixes, each once."""
        self.fill(cloud)
        s3 = cloud.client("s3")
        seen: list[str] = []
        marker = ""
        while True:
            page = s3.list_objects(Bucket="bkt", Delimiter="/", MaxKeys=1, Marker=marker)
            seen += [o["Key"] for o in page.get("Contents", [])]
            seen += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
            if not page["IsTruncated"]:
                assert "NextMarker" not in page
                break
            marker = page["NextMarker"]
        assert seen == ["a.txt", "photos/", "z.txt"]

    def test_prefix_delimiter_and_plain_marker(self, cloud: Cloud) -> None:
        """A prefix with a delimiter rolls up one level; a key marker starts after that key."""
        self.fill(cloud)
        s3 = cloud.client("s3")
        page = s3.list_objects(Bucket="bkt", Prefix="photos/", Delimiter="/")
        assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["photos/2006/", "photos/2007/"]
        page = s3.list_objects(Bucket="bkt", Marker="photos/2006/jan.jpg")
        assert [o["Key"] for o in page["Contents"]] == ["photos/2007/x.jpg", "z.txt"]
        assert page["Contents"][0]["Owner"]["ID"]
        assert "NextMarker" not in page

    @given(
        st.lists(st.text("ab/", min_size=1, max_size=5), unique=True, max_size=12),
        st.integers(1, 4),
    )
    def test_paging_lists_every_entry_once(self, keys: list[str], size: int) -> None:
        """Paging a walk from its last entry yields what one unlimited walk yields."""
        stamp = datetime(2025, 1, 1, tzinfo=UTC)
        objects = SortedDict(
            {k: S3Object(key=k, body=b"", etag="", last_modified=stamp) for k in keys}
        )
        whole = walk(objects, prefix="", delimiter="/", max_keys=10_000)
        got: list[str] = []
        after, is_prefix = "", False
        while True:
            part = walk(
                objects, prefix="", delimiter="/", max_keys=size, after=after,
                after_is_prefix=is_prefix,
            )  # fmt: skip
            got += [o.key for o in part.contents] + list(part.common_prefixes)
            if not part.truncated:
                break
            assert part.last is not None
            after, is_prefix = part.last
        expected = [o.key for o in whole.contents] + list(whole.common_prefixes)
        assert sorted(got) == sorted(expected)
