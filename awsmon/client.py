"""What ``cloud.client("logs")`` returns: a boto3-shaped client of one simulated service.

>>> from awsmon import Cloud
>>> Cloud().client("sts").get_caller_identity()["Account"]
'123456789012'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

from awsmon.errors import ServiceError
from awsmon.identity import Principal
from awsmon.registry import ServiceSpec
from awsmon.wire import Response, snake_case

__all__ = ["Invoker", "WireClient"]


class Invoker(Protocol):
    """What a client needs of the cloud (an `awsmon.Cloud`): its one entry point and identity.

    The one statement of `Cloud.invoke`'s signature outside the cloud: boto3
    routing (`awsmon.boto.RoutedCloud`) extends this protocol.
    """

    def invoke(
        self,
        service: str,
        operation: str,
        params: Mapping[str, Any],
        *,
        region: str,
        source: str,
        request_id: str | None = None,
        unknown: Callable[[ServiceSpec, str], ServiceError] = ...,
        headers: Mapping[str, str] | None = None,
        access_key_id: str | None = None,
    ) -> dict[str, Any]: ...
    def as_principal(self, principal: str | Principal) -> AbstractContextManager[Principal]: ...


class WireClient:
    """A client of one simulated service, in the shape of a boto3 client.

    Methods are the snake_case operation names, taking the AWS parameters as
    keyword arguments and returning the response dict boto3 would return
    (without ``ResponseMetadata``). Errors raise the `ServiceError` subclass
    with the AWS code. The account is the current principal's
    (``cloud.as_principal``); the region is the client's.

    >>> from awsmon import Cloud
    >>> Cloud().client("sts").no_such_operation()
    Traceback (most recent call last):
    ...
    awsmon.errors.InvalidAction: InvalidAction: The sts API has no operation NoSuchOperation ...
    """

    def __init__(
        self, cloud: Invoker, spec: ServiceSpec, region: str, principal: Principal | None = None
    ) -> None:
        self._cloud = cloud
        self._spec = spec
        self._region = region
        self._principal = principal
        api_class = spec.load_api()
        self._by_method = {snake_case(name): name for name in api_class.operations}

    @property
    def region_name(self) -> str:
        """The region this client calls."""
        return self._region

    def __getattr__(self, method: str) -> Callable[..., Response]:
        if method.startswith("_"):
            raise AttributeError(method)
        operation_name = self._by_method.get(method) or _pascal(method)

        def call(**params: Any) -> Response:
            cloud = self._cloud
            if self._principal is None:
                return cloud.invoke(
                    self._spec.name, operation_name, params, region=self._region, source="wire"
                )
            with cloud.as_principal(self._principal):
                return cloud.invoke(
                    self._spec.name, operation_name, params, region=self._region, source="wire"
                )

        call.__name__ = method
        return call

    def __dir__(self) -> list[str]:
        return sorted(self._by_method)

    def __repr__(self) -> str:
        return f"<awsmon client {self._spec.botocore_name} {self._region}>"


def _pascal(method: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in method.split("_"))
