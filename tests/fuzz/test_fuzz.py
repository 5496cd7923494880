"""Every wire operation survives any input: an AWS error or an answer, never a raw exception.

Each registered operation (`awsmon.registry.specs()`, its wire API's operations)
is driven with parameters drawn from botocore's input shape and mutated
(`fuzz.shapes`), in a fresh cloud where up to two creating calls of the same
service ran first (so names meet existing resources). The test fails on any
exception that is not a `ServiceError`, and on any change of state by a call
that failed (`fuzz.state.fingerprint` before and after). A sample of operations
also goes through boto3 (`patch_boto3`) with botocore-valid parameters.

Examples per operation: ``AWSMON_FUZZ_EXAMPLES`` (default 4) keeps the whole
module near a minute on a shared two-core machine; raise it locally to dig.
"""

from __future__ import annotations

import contextlib
import os
from functools import cache
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from botocore.session import get_session
from fuzz.shapes import request, valid_request
from fuzz.state import changes, fingerprint
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from awsmon import Cloud, registry
from awsmon.errors import ServiceError
from awsmon.wire import snake_case

EXAMPLES = int(os.environ.get("AWSMON_FUZZ_EXAMPLES", "4"))
#: The suite draws the same examples every run, so CI is green or red for a reason;
#: ``AWSMON_FUZZ_RANDOM=1`` (with more examples) explores new inputs on each run.
DERANDOMIZE = os.environ.get("AWSMON_FUZZ_RANDOM", "") != "1"
#: No shrinking: a hostile input's shrink can take minutes; the report shows it whole.
PHASES = [Phase.explicit, Phase.generate]

#: Parameters botocore handles on the client side (EndpointId needs botocore[crt]).
CLIENT_SIDE = frozenset({"EndpointId"})

#: Operations not yet fixed, each with the raw exception the fuzzer finds there.
#: An entry is removed when its site is fixed; the list only ever shrinks.
KNOWN_BROKEN: dict[tuple[str, str], str] = {}

#: Operation name prefixes that create something: run before the operation under test.
_CREATING = ("Create", "Put", "Register", "Tag", "Run", "Publish", "Send", "Start", "Enable")


@cache
def _model(botocore_name: str) -> Any:
    return get_session().get_service_model(botocore_name)


def _shape(spec: registry.ServiceSpec, operation: str) -> Any:
    model = _model(spec.botocore_name)
    if operation not in model.operation_names:
        return None
    return model.operation_model(operation).input_shape


def _operations() -> list[Any]:
    found = []
    for spec in registry.specs():
        for operation in sorted(spec.load_api().operations):
            reason = KNOWN_BROKEN.get((spec.name, operation))
            marks = [pytest.mark.skip(reason=f"KNOWN_BROKEN: {reason}")] if reason else []
            case = f"{spec.name}.{operation}"
            found.append(pytest.param(spec.name, operation, id=case, marks=marks))
    return found


def _creating(spec: registry.ServiceSpec) -> list[str]:
    return sorted(op for op in spec.load_api().operations if op.startswith(_CREATING))


def _call(cloud: Cloud, service: str, operation: str, params: dict[str, Any]) -> bool:
    """Run one call; True when it answered, False on an AWS error (raw exceptions escape)."""
    try:
        cloud.invoke(service, operation, params, region=cloud.default_region, source="wire")
    except ServiceError:
        return False
    return True


@pytest.mark.parametrize(("service", "operation"), _operations())
def test_operation_survives_any_input(service: str, operation: str) -> None:
    spec = registry.spec(service)
    shape = _shape(spec, operation)
    setups = [(op, _shape(spec, op)) for op in _creating(spec)]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        phases=PHASES,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def run(data: st.DataObject) -> None:
        cloud = Cloud()
        # AWS/Usage counts every call, failed or not, as AWS does: a recorder, like CloudTrail.
        cloud.cloudwatch.usage.enabled = False
        cloud.region(cloud.default_region).api(service)  # its clock jobs exist before the call
        count = data.draw(st.integers(0, 2 if setups else 0), label="setup calls")
        for _ in range(count):
            op, op_shape = data.draw(st.sampled_from(setups), label="setup operation")
            _call(cloud, service, op, data.draw(request(op_shape), label=op))
        params = data.draw(request(shape), label=operation)
        before = fingerprint(cloud)
        if not _call(cloud, service, operation, params):
            changed = changes(before, fingerprint(cloud))
            assert not changed, f"{operation} failed yet changed {changed}"

    run()


#: Operations the issue names, driven through boto3 with botocore-valid parameters.
BOTO3_SAMPLE = [
    ("ec2", "CreateTags"),
    ("sqs", "GetQueueUrl"),
    ("lambda", "CreateFunction"),
    ("cloudwatch", "DeleteDashboards"),
    ("cloudwatch", "PutDashboard"),
    ("cloudwatch", "SetAlarmState"),
    ("xray", "PutTraceSegments"),
    ("sns", "Publish"),
    ("s3", "GetBucketLocation"),
    ("events", "CreateArchive"),
    ("logs", "PutLogEvents"),
    ("events", "PutEvents"),
]


@pytest.mark.parametrize(("botocore_name", "operation"), BOTO3_SAMPLE)
def test_boto3_sample_survives_any_valid_input(botocore_name: str, operation: str) -> None:
    spec = registry.spec_for_botocore(botocore_name)
    assert spec is not None
    shape = _shape(spec, operation)
    method = _model(botocore_name).operation_model(operation)
    name = method.name

    @settings(
        max_examples=EXAMPLES * 2,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        phases=PHASES,
        suppress_health_check=list(HealthCheck),
    )
    @given(valid_request(shape))
    def run(params: dict[str, Any]) -> None:
        params = {k: v for k, v in params.items() if k not in CLIENT_SIDE}
        cloud = Cloud()
        with cloud.patch_boto3():
            client = boto3.client(botocore_name, region_name=cloud.default_region)
            with contextlib.suppress(ClientError, ParamValidationError):
                getattr(client, snake_case(name))(**params)

    run()
