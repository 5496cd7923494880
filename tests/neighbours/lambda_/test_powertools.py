"""aws-lambda-powertools' Logger, Metrics and Tracer inside awsmon's Lambda runtime, unchanged."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import aws_xray_sdk.core  # noqa: F401  (imported before the runs, as in a test suite)
import pytest
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from awsmon import Cloud
from awsmon.neighbours.lambda_ import LambdaContext

ROLE = "arn:aws:iam::123456789012:role/lambda-exec"

# Made at import time, outside any invocation, as a handler module makes them.
logger = Logger(service="orders")
metrics = Metrics(namespace="Shop", service="orders")


@logger.inject_lambda_context
def logging_handler(event: Any, context: LambdaContext) -> str:
    logger.info("order placed", extra={"order_id": event["id"]})
    return "ok"


@metrics.log_metrics
def metrics_handler(event: Any, context: LambdaContext) -> None:
    metrics.add_metric(name="Orders", unit=MetricUnit.Count, value=2)


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def test_logger_writes_its_json_to_the_function_log(cloud: Cloud) -> None:
    """A module-level Logger's lines reach /aws/lambda/<name> with the context's fields."""
    cloud.lambda_.register("orders", logging_handler)
    assert cloud.lambda_.invoke("orders", {"id": 7}).payload == b'"ok"'
    invocation = cloud.lambda_.function("orders").invocations[0]
    records = [json.loads(t) for _, t in invocation.log_lines if t.startswith("{")]
    (record,) = records
    assert record["message"] == "order placed" and record["order_id"] == 7
    assert record["service"] == "orders" and record["level"] == "INFO"
    assert record["function_name"] == "orders"
    assert record["function_request_id"] == invocation.request_id
    assert record["function_memory_size"] == 128
    assert record["xray_trace_id"] == invocation.trace_id
    group = cloud.client("logs").filter_log_events(logGroupName="/aws/lambda/orders")
    assert any("order placed" in e["message"] for e in group["events"])


def test_metrics_reach_cloudwatch_through_emf(cloud: Cloud) -> None:
    """Metrics' EMF document, printed at the end of the run, becomes a CloudWatch metric."""
    cloud.lambda_.register("count", metrics_handler)
    cloud.lambda_.invoke("count", {})
    listed = cloud.client("cloudwatch").list_metrics(Namespace="Shop")["Metrics"]
    assert [(m["MetricName"], m["Dimensions"]) for m in listed] == [
        ("Orders", [{"Name": "service", "Value": "orders"}])
    ]


def test_tracer_subsegments_reach_xray(cloud: Cloud) -> None:
    """A Tracer in the function's code sends its ``## handler`` subsegment into the trace."""
    source = (
        "from aws_lambda_powertools import Tracer\n"
        "tracer = Tracer(service='orders', auto_patch=False)\n"
        "@tracer.capture_lambda_handler\n"
        "def handle(event, context):\n"
        "    tracer.put_annotation(key='order', value='7')\n"
        "    return 'traced'\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    cloud.client("lambda").create_function(
        FunctionName="traced",
        Role=ROLE,
        Handler="app.handle",
        Code={"ZipFile": buffer.getvalue()},
        TracingConfig={"Mode": "Active"},
    )
    assert cloud.lambda_.invoke("traced", {}).payload == b'"traced"'
    invocation = cloud.lambda_.function("traced").invocations[0]
    assert invocation.sampled and invocation.trace_id is not None
    documents = [dict(s.document) for s in cloud.xray.segments(invocation.trace_id)]
    handler = [d for d in documents if d.get("name") == "## handle"]
    assert handler, [d.get("name") for d in documents]
    assert handler[0]["annotations"]["order"] == "7"
