"""The wire layer: AWS operations with AWS parameter names and response shapes.

Main pieces:

- `WireApi`: the base of each service's ``api.py``; one method per AWS
  operation, marked with `handles`, taking the request parameters and
  returning the response dict as boto3 would return it.
- `Params` and `Wording` (from `awsmon.params`, re-exported here): typed access
  to a request's parameters that raises the service's own AWS validation
  errors, with AWS's message wording.

What ``cloud.client("logs")`` returns is `awsmon.cloud.WireClient`, a client
whose calls go through the cloud's dispatcher to these handlers.

>>> from awsmon import Cloud
>>> Cloud().client("sts").get_caller_identity()["Arn"]
'arn:aws:iam::123456789012:root'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from awsmon.errors import InvalidAction, InvalidParameter, ServiceError
from awsmon.params import Params, Wording

if TYPE_CHECKING:
    from awsmon.registry import ServiceSpec

__all__ = [
    "Params",
    "Response",
    "WireApi",
    "Wording",
    "handles",
    "no_such_operation",
    "snake_case",
    "tags_page",
]

F = TypeVar("F", bound=Callable[..., Any])

Response = dict[str, Any]


def handles(operation_name: str) -> Callable[[F], F]:
    """Mark a `WireApi` method as the handler of the AWS operation `operation_name`."""

    def mark(method: F) -> F:
        method.__awsmon_handles__ = operation_name  # type: ignore[attr-defined]
        return method

    return mark


def snake_case(operation_name: str) -> str:
    """The Python method name of an AWS operation, as botocore spells it.

    >>> snake_case("PutMetricData"), snake_case("ListObjectsV2"), snake_case("AssociateKmsKey")
    ('put_metric_data', 'list_objects_v2', 'associate_kms_key')
    """
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", operation_name)
    words = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", words)
    return words.lower()


class WireApi:
    """Base of a service's wire translation (its ``api.py``).

    A subclass sets the error classes its service uses for bad and missing
    parameters and how its validation messages are worded, and marks each
    operation's method with `handles`. Methods take a `Params` and return the
    response dict without ``ResponseMetadata``.

    Attributes:
        operations: AWS operation name → method name, collected from `handles`.
        invalid_parameter: the service's error for a bad parameter value.
        missing_parameter: the service's error for a missing required parameter.
        wording: how the service words those errors (see `Wording`).
    """

    operations: ClassVar[dict[str, str]] = {}
    invalid_parameter: ClassVar[type[ServiceError]] = InvalidParameter
    missing_parameter: ClassVar[type[ServiceError]] = InvalidParameter
    wording: ClassVar[Wording] = Wording()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Every base's handlers count, so an API may gather per-resource mixins
        # (``class LogsApi(InsightsApi, GroupsApi, ...)``); nearer classes win.
        super().__init_subclass__(**kwargs)
        found: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            for attribute, value in vars(klass).items():
                name = getattr(value, "__awsmon_handles__", None)
                if name is not None:
                    found[name] = attribute
        cls.operations = found

    def __init__(self, domain: Any) -> None:
        self.domain = domain

    def params(self, data: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> Params:
        """The request parameters (and HTTP headers), checked with this service's errors."""
        return Params(
            data,
            invalid=self.invalid_parameter,
            missing=self.missing_parameter,
            headers=headers,
            wording=self.wording,
        )


def no_such_operation(spec: ServiceSpec, operation_name: str) -> ServiceError:
    """The error for an operation name the service's wire API does not have."""
    known = sorted(spec.load_api().operations)
    return InvalidAction(
        f"The {spec.botocore_name} API has no operation {operation_name} "
        f"({snake_case(operation_name)}); awsmon simulates: {', '.join(known)}",
        param="Action",
        value=operation_name,
    )


def tags_page(
    tags: Mapping[str, str], exclusive_start: str | None, limit: int
) -> tuple[list[dict[str, str]], bool]:
    """One page of a ListTags answer: tags after `exclusive_start` in key order, and whether
    more follow (Kinesis ListTagsForStream, Firehose ListTagsForDeliveryStream)."""
    keys = sorted(k for k in tags if exclusive_start is None or k > exclusive_start)
    return [{"Key": k, "Value": tags[k]} for k in keys[:limit]], len(keys) > limit
