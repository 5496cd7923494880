"""Tests of awsmon/neighbours/ec2/agent/ (the CloudWatch agent) and of Lambda telemetry wiring."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.neighbours.ec2.agent import (
    AgentConfigError,
    compile_timestamp_format,
    parse_config,
)

AMI = "ami-0123456789abcdef0"

#: The example of the CloudWatch agent configuration page (reference §E.3), abridged.
EXAMPLE = {
    "agent": {"metrics_collection_interval": 60, "run_as_user": "cwagent"},
    "metrics": {
        "namespace": "CWAgent",
        "append_dimensions": {"InstanceId": "${aws:InstanceId}"},
        "aggregation_dimensions": [["InstanceId"], []],
        "metrics_collected": {
            "mem": {"measurement": ["mem_used_percent"]},
            "disk": {"resources": ["/"], "measurement": ["used_percent"]},
            "cpu": {"totalcpu": True, "measurement": ["cpu_usage_idle", "usage_user"]},
        },
    },
    "logs": {
        "logs_collected": {
            "files": {
                "collect_list": [
                    {
                        "file_path": "/opt/aws/amazon-cloudwatch-agent/logs/test.log",
                        "log_group_name": "test.log",
                        "log_stream_name": "{instance_id}",
                        "timezone": "UTC",
                        "timestamp_format": "%H: %M: %S%y%b%-d",
                        "retention_in_days": 14,
                    }
                ]
            }
        },
        "log_stream_name": "my_log_stream_name",
        "force_flush_interval": 5,
    },
}


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def running_instance(cloud: Cloud, **kwargs: Any) -> Any:
    instance = cloud.ec2.run_instances(AMI, 1, 1, **kwargs).instances[0]
    cloud.clock.advance(30)
    return instance


def metric_names(cloud: Cloud, namespace: str = "CWAgent") -> set[tuple[str, tuple[str, ...]]]:
    found = cloud.client("cloudwatch").list_metrics(Namespace=namespace)["Metrics"]
    return {(m["MetricName"], tuple(sorted(d["Name"] for d in m["Dimensions"]))) for m in found}


class TestConfig:
    def test_documentation_example_parses(self) -> None:
        """The agent page's example gives its namespace, plugins, roll-ups and log entry."""
        config = parse_config(json.dumps(EXAMPLE))
        assert config.metrics is not None and config.logs is not None
        assert config.metrics.namespace == "CWAgent"
        assert config.metrics.aggregation_dimensions == (("InstanceId",), ())
        names = [m.metric_name for p in config.metrics.plugins for m in p.measurements]
        assert names == [
            "mem_used_percent",
            "disk_used_percent",
            "cpu_usage_idle",
            "cpu_usage_user",
        ]
        entry = config.logs.files[0]
        assert (entry.log_group_name, entry.retention_in_days) == ("test.log", 14)

    @pytest.mark.parametrize(
        ("config", "path", "message"),
        [
            ({}, "/", "at least one schema"),
            ({"metrics": {}}, "/metrics", "metrics_collected is required"),
            ({"metrics": {"metrics_collected": {"mem": {}}}}, "/metrics/metrics_collected/mem",
             "measurement is required"),
            ({"metrics": {"metrics_collected": {"gpu": {}}}}, "/metrics/metrics_collected",
             "Additional property gpu"),
            ({"agent": {"metrics_collection_interval": "60"}, "logs": {}},
             "/agent/metrics_collection_interval", "Expected: integer"),
            ({"metrics": {"metrics_collected": {
                "cpu": {"resources": ["0"], "measurement": ["x"]}}}},
             "/metrics/metrics_collected/cpu/resources", 'only "\\*"'),
            ({"logs": {"logs_collected": {"files": {"collect_list": [{"log_group_name": "g"}]}}}},
             "/logs/logs_collected/files/collect_list/0", "file_path is required"),
            ({"logs": {"logs_collected": {"files": {"collect_list": [
                {"file_path": "/a", "retention_in_days": 2}]}}}},
             "/logs/logs_collected/files/collect_list/0/retention_in_days", "not one of"),
            ({"logs": {"logs_collected": {"files": {"collect_list": [
                {"file_path": "/a", "log_group_name": "g", "retention_in_days": 7},
                {"file_path": "/b", "log_group_name": "g", "retention_in_days": 14}]}}}},
             "/logs/logs_collected/files/collect_list", "conflicting retention_in_days"),
            ({"logs": {"logs_collected": {"files": {"collect_list": [
                {"file_path": "/a", "timestamp_format": "%Y %Q"}]}}}},
             "/logs/logs_collected/files/collect_list/0/timestamp_format",
             "unknown directive %Q at position 3"),
            ("{", "/", "invalid JSON at line 1 column 2"),
        ],
        ids=["empty", "no-collected", "no-measurement", "plugin", "type", "cpu-resources",
             "file-path", "retention", "retention-conflict", "timestamp", "json"],
    )  # fmt: skip
    def test_error_table(self, config: Any, path: str, message: str) -> None:
        """Invalid configurations fail with the translator's path and message."""
        with pytest.raises(AgentConfigError, match=message) as caught:
            parse_config(config)
        assert caught.value.path == path
        assert str(caught.value).startswith(f"Under path : {path} | Error : ")

    def test_default_group_name_is_the_path_up_to_the_last_dot(self) -> None:
        """Without log_group_name, the group is the file path up to its last dot."""
        config = parse_config(
            {"logs": {"logs_collected": {"files": {"collect_list": [
                {"file_path": "/tmp/TestLogFile.log.2017-07-11-14"}]}}}}
        )  # fmt: skip
        assert config.logs is not None
        assert config.logs.files[0].log_group_name == "/tmp/TestLogFile.log"
        assert config.logs.files[0].log_stream_name == "{instance_id}"

    @given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
    def test_timestamp_formats_round_trip(self, moment: datetime) -> None:
        """A timestamp written with strftime is found and parsed back (to the second)."""
        for fmt in ("%Y-%m-%d %H:%M:%S", "%d/%b/%Y:%H:%M:%S", "%y%m%d %I:%M:%S %p"):
            line = "x " + moment.strftime(fmt) + " rest"
            parsed = compile_timestamp_format(fmt).parse(line, year=1999)
            assert parsed == moment.replace(microsecond=0, tzinfo=UTC)

    def test_timestamp_zones_and_fractions(self) -> None:
        """%z offsets convert to UTC; %f keeps milliseconds."""
        fmt = compile_timestamp_format("%Y-%m-%dT%H:%M:%S.%f%z")
        parsed = fmt.parse("2024-05-01T12:00:00.250+0200 x", year=2000)
        assert parsed == datetime(2024, 5, 1, 10, 0, 0, 250000, tzinfo=UTC)
        assert fmt.parse("no time here", year=2000) is None


class TestMetrics:
    def test_agent_metrics_on_the_clock(self, cloud: Cloud) -> None:
        """The example publishes mem/disk/cpu every 60 s with its dimensions and roll-ups."""
        instance = running_instance(cloud, instance_type="t3.small")
        instance.set_workload(memory_used_percent=42.0, cpu=30.0)
        instance.install_agent(EXAMPLE)
        cloud.clock.advance(timedelta(minutes=10))
        names = metric_names(cloud)
        assert ("mem_used_percent", ("InstanceId",)) in names
        assert ("mem_used_percent", ()) in names
        assert ("disk_used_percent", ("InstanceId", "device", "fstype", "path")) in names
        assert ("cpu_usage_idle", ("InstanceId", "cpu")) in names
        now = cloud.clock.now()
        stats = cloud.client("cloudwatch").get_metric_statistics(
            Namespace="CWAgent",
            MetricName="mem_used_percent",
            Dimensions=[{"Name": "InstanceId", "Value": instance.id}],
            StartTime=now - timedelta(minutes=10),
            EndTime=now,
            Period=60,
            Statistics=["Average"],
        )["Datapoints"]
        assert len(stats) == 10
        assert {p["Average"] for p in stats} == {42.0} and stats[0]["Unit"] == "Percent"

    def test_hostname_dimension_and_high_resolution(self, cloud: Cloud) -> None:
        """Without append_dimensions the host dimension is added; 10 s intervals are high-res."""
        instance = running_instance(cloud)
        instance.install_agent(
            {
                "agent": {"metrics_collection_interval": 10},
                "metrics": {"metrics_collected": {"swap": {"measurement": ["swap_used_percent"]}}},
            }
        )
        cloud.clock.advance(60)
        now = cloud.clock.now()
        stats = cloud.client("cloudwatch").get_metric_statistics(
            Namespace="CWAgent",
            MetricName="swap_used_percent",
            Dimensions=[{"Name": "host", "Value": instance.private_dns_name}],
            StartTime=now - timedelta(minutes=1),
            EndTime=now,
            Period=10,
            Statistics=["SampleCount"],
        )["Datapoints"]
        assert len(stats) == 6

    def test_nothing_while_stopped(self, cloud: Cloud) -> None:
        """The agent collects only while its instance runs."""
        instance = running_instance(cloud)
        agent = instance.install_agent(
            {"metrics": {"metrics_collected": {"mem": {"measurement": ["used"]}}}}
        )
        cloud.clock.advance(120)
        cloud.ec2.stop_instances([instance.id])
        before = agent.published
        cloud.clock.advance(600)
        assert agent.published == before == 2


class TestLogs:
    def test_lines_ship_to_logs_with_parsed_timestamps(self, awsmon_boto3: Cloud) -> None:
        """Written lines reach the group within the flush interval, multi-line events joined."""
        instance = running_instance(awsmon_boto3)
        instance.install_agent(
            {
                "logs": {
                    "logs_collected": {
                        "files": {
                            "collect_list": [
                                {
                                    "file_path": "/var/log/app/*.log",
                                    "log_group_name": "app-{instance_id}",
                                    "retention_in_days": 7,
                                    "timestamp_format": "%Y-%m-%d %H:%M:%S",
                                    "filters": [{"type": "exclude", "expression": "DEBUG"}],
                                }
                            ]
                        }
                    }
                }
            }
        )
        instance.write_log("/var/log/app/web.log", "2025-03-14 15:00:00 ERROR boom")
        instance.write_log("/var/log/app/web.log", "  at line 3")
        instance.write_log("/var/log/app/web.log", "2025-03-14 15:00:01 DEBUG noise")
        instance.write_log("/var/log/other.txt", "not tailed")
        logs = boto3.client("logs")
        group = f"app-{instance.id}"
        assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
        awsmon_boto3.clock.advance(5)
        described = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
        assert described["retentionInDays"] == 7
        events = logs.get_log_events(logGroupName=group, logStreamName=instance.id)["events"]
        assert [e["message"] for e in events] == ["2025-03-14 15:00:00 ERROR boom\n  at line 3"]
        assert events[0]["timestamp"] == int(
            datetime(2025, 3, 14, 15, tzinfo=UTC).timestamp() * 1000
        )

    def test_emf_through_the_agent(self, cloud: Cloud) -> None:
        """EMF documents sent to the agent become metrics."""
        instance = running_instance(cloud)
        instance.install_agent({"logs": {"metrics_collected": {"emf": {}}}})
        instance.emit_emf(
            {
                "_aws": {
                    "Timestamp": int(cloud.clock.time() * 1000),
                    "LogGroupName": "shop-emf",
                    "CloudWatchMetrics": [
                        {
                            "Namespace": "Shop",
                            "Dimensions": [["Svc"]],
                            "Metrics": [{"Name": "Orders"}],
                        }
                    ],
                },
                "Svc": "cart",
                "Orders": 3,
            }
        )
        assert ("Orders", ("Svc",)) in metric_names(cloud, "Shop")
        assert cloud.logs.log_group("shop-emf")
        with pytest.raises(AgentConfigError, match="EMF is not collected"):
            running_instance(cloud).install_agent({"logs": {}}).emf("{}")


class TestLambdaTelemetry:
    def test_invocations_publish_aws_lambda_metrics_and_logs(self, awsmon_boto3: Cloud) -> None:
        """Each invocation publishes Invocations/Errors/Duration and writes its log stream."""

        def handler(event: Any, context: Any) -> Any:
            if event.get("fail"):
                raise ValueError("bad")
            print("working")
            return {"ok": True}

        awsmon_boto3.lambda_.register("worker", handler, duration=timedelta(milliseconds=120))
        client = boto3.client("lambda")
        for payload in ({}, {}, {"fail": True}):
            client.invoke(FunctionName="worker", Payload=json.dumps(payload))
        awsmon_boto3.lambda_.put_function_concurrency("worker", 0)
        client.invoke(FunctionName="worker", Payload="{}", InvocationType="Event")
        now = awsmon_boto3.clock.now()
        awsmon_boto3.clock.advance(60)  # vended: published at the end of the minute

        def total(metric: str, statistic: str = "Sum") -> float:
            points = boto3.client("cloudwatch").get_metric_statistics(
                Namespace="AWS/Lambda",
                MetricName=metric,
                Dimensions=[{"Name": "FunctionName", "Value": "worker"}],
                StartTime=now - timedelta(minutes=5),
                EndTime=now + timedelta(minutes=1),
                Period=300,
                Statistics=[statistic],
            )["Datapoints"]
            return float(points[0][statistic]) if points else 0.0

        assert (total("Invocations"), total("Errors"), total("Throttles")) == (3.0, 1.0, 1.0)
        assert total("Duration", "Maximum") == pytest.approx(120.0)
        logs = boto3.client("logs")
        streams = logs.describe_log_streams(logGroupName="/aws/lambda/worker")["logStreams"]
        # One warm execution environment ran the three invocations, one after another:
        # one stream, as in AWS (a new stream comes with a new environment).
        assert len(streams) == 1
        events = logs.filter_log_events(logGroupName="/aws/lambda/worker", filterPattern="REPORT")
        assert len(events["events"]) == 3
