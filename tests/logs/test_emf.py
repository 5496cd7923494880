"""Tests of awsmon/logs/emf.py: Embedded Metric Format extraction and publishing."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest

from awsmon import Cloud
from awsmon.cloudwatch import MetricKey
from awsmon.logs.emf import EmfError, extract
from awsmon.logs.model import to_millis

SPEC_EXAMPLE = (
    '{"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"lambda-function-metrics",'
    '"Dimensions":[["functionVersion"]],"Metrics":[{"Name":"time","Unit":"Milliseconds",'
    '"StorageResolution":60}]}]},"functionVersion":"$LATEST","time":100,"requestId":"989ffbf8"}'
)


def library_documents(timestamp_ms: int) -> list[str]:
    """What aws-embedded-metrics writes for a small handler (its own serializer, in-process).

    Skips the calling test when the optional SDK is not installed (the test extra has it).
    """
    pytest.importorskip("aws_embedded_metrics", reason="aws-embedded-metrics is not installed")
    from aws_embedded_metrics.environment.local_environment import LocalEnvironment
    from aws_embedded_metrics.logger.metrics_context import MetricsContext
    from aws_embedded_metrics.logger.metrics_logger import MetricsLogger
    from aws_embedded_metrics.serializers.log_serializer import LogSerializer
    from aws_embedded_metrics.sinks import Sink
    from aws_embedded_metrics.storage_resolution import StorageResolution

    captured: list[str] = []

    class ListSink(Sink):
        def accept(self, context: Any) -> None:
            captured.extend(LogSerializer().serialize(context))

        @staticmethod
        def name() -> str:
            return "ListSink"

    class Env(LocalEnvironment):  # type: ignore[misc]
        def get_sink(self) -> Sink:
            return ListSink()

    async def provider() -> Env:
        return Env()

    async def run() -> None:
        metrics = MetricsLogger(provider, MetricsContext.empty())
        metrics.set_namespace("Shop")
        metrics.put_dimensions({"Service": "checkout"})
        metrics.put_metric("Latency", 123.4, "Milliseconds")
        metrics.put_metric("Latency", 99.0, "Milliseconds")
        metrics.put_metric("Errors", 1, "Count", StorageResolution.HIGH)
        metrics.set_property("RequestId", "req-1")
        metrics.context.meta["Timestamp"] = timestamp_ms
        await metrics.flush()

    asyncio.run(run())
    return captured


class TestExtract:
    def test_spec_example(self) -> None:
        """The specification's example gives one datum; requestId is no dimension."""
        (datum,) = extract(SPEC_EXAMPLE)
        assert (datum.namespace, datum.name, datum.dimensions) == (
            "lambda-function-metrics",
            "time",
            (("functionVersion", "$LATEST"),),
        )
        assert (datum.values, datum.unit.value, datum.timestamp_ms) == (
            (100.0,),
            "Milliseconds",
            1574109732004,
        )

    def test_lambda_prefix_is_skipped(self) -> None:
        """Lambda's text before the JSON object does not hide the document."""
        assert len(extract("2024-01-01T00:00:00Z req-1 INFO " + SPEC_EXAMPLE)) == 1

    @pytest.mark.parametrize(
        ("change", "reason"),
        [
            (lambda d: d.pop("_aws"), "the _aws member is missing"),
            (lambda d: d["_aws"].pop("Timestamp"), "Timestamp"),
            (lambda d: d["_aws"]["CloudWatchMetrics"][0].pop("Namespace"), "Namespace"),
            (lambda d: d.pop("functionVersion"), "dimension 'functionVersion'"),
            (lambda d: d.update(time="fast"), "not a finite number"),
            (lambda d: d.update(time=list(range(101))), "1 to 100 values"),
            (
                lambda d: d["_aws"]["CloudWatchMetrics"][0]["Metrics"][0].update(Unit="Parsecs"),
                "Unit",
            ),
            (
                lambda d: d["_aws"]["CloudWatchMetrics"][0]["Metrics"][0].update(
                    StorageResolution=5
                ),
                "StorageResolution",
            ),
            (
                lambda d: d["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0].extend(
                    f"k{i}" for i in range(30)
                ),
                "at most 30",
            ),
        ],
        ids=[
            "no-_aws",
            "no-timestamp",
            "no-namespace",
            "missing-dimension",
            "text-value",
            "101-values",
            "bad-unit",
            "bad-resolution",
            "31-dimensions",
        ],
    )
    def test_invalid_documents(self, change: Any, reason: str) -> None:
        """Each broken rule makes the document invalid, saying why."""
        document = json.loads(SPEC_EXAMPLE)
        change(document)
        with pytest.raises(EmfError, match=reason):
            extract(json.dumps(document))


class TestPublishing:
    def test_library_output_becomes_metrics(self) -> None:
        """aws-embedded-metrics' documents, put with emf=True, publish its metrics."""
        cloud = Cloud()
        cloud.logs.create_log_group("emf")
        cloud.logs.create_log_stream("emf", "s")
        now = to_millis(cloud.clock.now())
        documents = library_documents(now)
        cloud.logs.put_log_events("emf", "s", [(now, d) for d in documents], emf=True)
        dims = {
            "LogGroup": "Unknown-metrics",
            "ServiceName": "Unknown",
            "ServiceType": "Unknown",
            "Service": "checkout",
        }
        stats = cloud.cloudwatch.get_metric_statistics(
            "Shop",
            "Latency",
            dimensions=dims,
            start_time=cloud.clock.now() - timedelta(minutes=1),
            end_time=cloud.clock.now() + timedelta(minutes=1),
            period=60,
            statistics=["SampleCount", "Sum"],
        )
        (point,) = stats.datapoints
        assert point.statistics["SampleCount"] == 2.0
        assert point.statistics["Sum"] == pytest.approx(222.4)
        assert cloud.cloudwatch.metric(MetricKey.of("Shop", "Errors", dims)) is not None

    def test_invalid_documents_are_stored_and_reported(self) -> None:
        """An invalid EMF event is kept as a log event and listed in emf_rejections."""
        cloud = Cloud()
        cloud.logs.create_log_group("emf")
        cloud.logs.create_log_stream("emf", "s")
        now = to_millis(cloud.clock.now())
        bad = SPEC_EXAMPLE.replace('"time":100', '"time":"x"')
        cloud.logs.put_log_events("emf", "s", [(now, bad)], emf=True)
        assert [e.message for e in cloud.logs.filter_log_events("emf").events] == [bad]
        assert "not a finite number" in cloud.logs.emf_rejections[-1][1]

    def test_without_the_flag_nothing_is_published(self) -> None:
        """EMF extraction happens only on the EMF path."""
        cloud = Cloud()
        cloud.logs.create_log_group("emf")
        cloud.logs.create_log_stream("emf", "s")
        cloud.logs.put_log_events("emf", "s", [(cloud.clock.now(), SPEC_EXAMPLE)])
        assert cloud.cloudwatch.metrics() == []
