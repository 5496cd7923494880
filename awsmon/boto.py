"""boto3 routing: real boto3/botocore client code answered by a simulated cloud.

``with cloud.patch_boto3():`` (or ``@cloud.patch_boto3()`` on a function)
makes every botocore client in the process answer from `cloud`, in-process:
no HTTP, no signing, no credentials.

How it works, and what it reaches: while a cloud is routed, two methods of
botocore's ``BaseClient`` class are wrapped, so **every client object in the
process is reached, whenever and however it was created** (module-level
clients made before the block, clients of any boto3 or botocore session,
paginators and waiters built on them):

- ``_convert_to_request_dict`` runs botocore's own input validation and
  serialisation first (so ``ParamValidationError`` is raised as usual), then
  keeps the validated parameters in the call's request context;
- ``_make_request``, the step that would send the HTTP request, instead hands
  those parameters to `Cloud.invoke` and returns the response as botocore's
  parser would have built it. The ``before-call`` and ``after-call`` events
  still fire, so ``botocore.stub.Stubber`` and user event handlers keep working.

A `ServiceError` comes back as an AWS error response, which botocore turns
into the modelled ``ClientError`` subclass (``client.exceptions.X``) with the
AWS code and message; short-circuited errors are not retried. An operation
awsmon does not simulate, of a service it simulates or not, raises a
``ClientError`` with code ``NotImplemented`` naming the service and operation:
never a silent empty answer, never the network.

Not reached: clients of another copy of botocore (aiobotocore and other async
clients), S3 transfers through the AWS CRT, and requests made outside botocore
with presigned URLs.

Waiters (``client.get_waiter(...).wait()``) sleep on the virtual clock while
routed: each of their delays advances the cloud's clock.

Nesting works (the innermost active cloud answers), and so do two clouds in
one process, one after the other or nested. Inside the block, botocore's
instance-metadata credential lookup is switched off
(``AWS_EC2_METADATA_DISABLED=true``) so that creating a client without
credentials never reaches for the network.
"""

from __future__ import annotations

import functools
import os
import threading
import time as _real_time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, ContextDecorator, nullcontext
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar
from xml.sax.saxutils import escape as xml_escape

from awsmon import registry
from awsmon.client import Invoker
from awsmon.errors import NotImplementedOperation, ServiceError, Unsupported

if TYPE_CHECKING:
    from awsmon.clock import VirtualClock
    from awsmon.identity import Principal
    from awsmon.ids import IdFactory

__all__ = ["Boto3Patch", "RoutedCloud", "active_cloud"]


class RoutedCloud(Invoker, Protocol):
    """What the routing needs of a cloud (an `awsmon.Cloud`): no service, only these.

    `invoke` and `as_principal` are `awsmon.client.Invoker`'s.
    """

    @property
    def clock(self) -> VirtualClock: ...
    @property
    def ids(self) -> IdFactory: ...
    @property
    def default_region(self) -> str: ...
    def principal_for_access_key(self, access_key_id: str) -> Principal | None: ...


C = TypeVar("C", bound=RoutedCloud)

_PARAMS_KEY = "awsmon.api_params"
_lock = threading.RLock()
_active: list[RoutedCloud] = []
_originals: dict[str, Callable[..., Any]] = {}
_saved_metadata_flag: list[str | None] = []

F = TypeVar("F", bound=Callable[..., Any])


def active_cloud() -> RoutedCloud | None:
    """The cloud boto3 is routed to now (the innermost block), or None."""
    return _active[-1] if _active else None


class Boto3Patch(ContextDecorator, Generic[C]):
    """Routes botocore clients to a cloud while active (a context manager and decorator)."""

    def __init__(self, cloud: C) -> None:
        self.cloud = cloud

    def __enter__(self) -> C:
        with _lock:
            if not _active:
                _install()
            _active.append(self.cloud)
        return self.cloud

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with _lock:
            # Remove the innermost entry of this cloud (blocks may close out of order).
            for index in range(len(_active) - 1, -1, -1):
                if _active[index] is self.cloud:
                    del _active[index]
                    break
            if not _active:
                _uninstall()


def _install() -> None:
    from botocore.client import BaseClient

    _originals["_convert_to_request_dict"] = BaseClient._convert_to_request_dict
    _originals["_make_request"] = BaseClient._make_request
    BaseClient._convert_to_request_dict = _keep_params(BaseClient._convert_to_request_dict)
    BaseClient._make_request = _answer_in_process(BaseClient._make_request)
    import botocore.waiter

    _originals["waiter_time"] = botocore.waiter.time
    botocore.waiter.time = _WAITER_TIME
    _saved_metadata_flag.append(os.environ.get("AWS_EC2_METADATA_DISABLED"))
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def _uninstall() -> None:
    from botocore.client import BaseClient

    BaseClient._convert_to_request_dict = _originals.pop("_convert_to_request_dict")
    BaseClient._make_request = _originals.pop("_make_request")
    import botocore.waiter

    botocore.waiter.time = _originals.pop("waiter_time")
    saved = _saved_metadata_flag.pop()
    if saved is None:
        os.environ.pop("AWS_EC2_METADATA_DISABLED", None)
    else:
        os.environ["AWS_EC2_METADATA_DISABLED"] = saved


def _keep_params(original: F) -> F:
    @functools.wraps(original)
    def convert(
        client: Any,
        api_params: dict[str, Any],
        operation_model: Any,
        endpoint_url: Any,
        context: dict[str, Any] | None = None,
        headers: Any = None,
        set_user_agent_header: bool = True,
    ) -> Any:
        if context is not None and active_cloud() is not None and _rpc(operation_model):
            context[_PARAMS_KEY] = api_params
            request = _validated_request(client, api_params, operation_model, endpoint_url, headers)
            request["context"] = context
            if set_user_agent_header:
                request["headers"]["User-Agent"] = client._user_agent_creator.to_string()
            return request
        request_dict = original(
            client,
            api_params,
            operation_model,
            endpoint_url,
            context,
            headers,
            set_user_agent_header,
        )
        if context is not None:
            context[_PARAMS_KEY] = api_params
        return request_dict

    return convert  # type: ignore[return-value]


def _rpc(operation_model: Any) -> bool:
    """True for RPC protocols (query, JSON, EC2): nothing of theirs travels in the URL."""
    protocol = operation_model.service_model.metadata.get("protocol", "")
    return not str(protocol).startswith("rest")


def _validated_request(
    client: Any, params: dict[str, Any], operation_model: Any, endpoint_url: Any, headers: Any
) -> dict[str, Any]:
    """botocore's parameter validation, without its serialization (answered in process).

    The simulation reads `params` itself, so the request body botocore would
    serialize (and the simulation never parse) is left empty: a PutMetricData
    of 1,000 datapoints spends most of its time there. Validation stays, with
    botocore's own errors, when the client's config asks for it.
    """
    from botocore.exceptions import ParamValidationError
    from botocore.validate import ParamValidator

    if client.meta.config.parameter_validation and operation_model.input_shape is not None:
        report = ParamValidator().validate(params, operation_model.input_shape)
        if report.has_errors():
            raise ParamValidationError(report=report.generate_report())
    return {
        "url_path": "/",
        "query_string": "",
        "method": operation_model.http.get("method", "POST"),
        "headers": dict(headers) if headers else {},
        "body": b"",
        "url": endpoint_url,
        "context": {},
    }


def _answer_in_process(original: F) -> F:
    @functools.wraps(original)
    def make_request(
        client: Any, operation_model: Any, request_dict: Any, request_context: dict[str, Any]
    ) -> Any:
        cloud = active_cloud()
        if cloud is None or _PARAMS_KEY not in request_context:
            return original(client, operation_model, request_dict, request_context)
        params = request_context[_PARAMS_KEY]
        headers = request_dict.get("headers") if isinstance(request_dict, dict) else None
        return _answer(cloud, client, operation_model, params, headers)

    return make_request  # type: ignore[return-value]


def _not_simulated(spec: registry.ServiceSpec, operation: str) -> ServiceError:
    return NotImplementedOperation(
        f"awsmon does not simulate {spec.botocore_name}.{operation} yet",
        param="Action",
        value=operation,
    )


def _answer(
    cloud: RoutedCloud,
    client: Any,
    operation_model: Any,
    params: dict[str, Any],
    headers: Mapping[str, str] | None = None,
) -> Any:
    from botocore.awsrequest import AWSResponse

    service_name = operation_model.service_model.service_name
    operation = operation_model.name
    region = client.meta.region_name
    if not region or region == "aws-global":
        region = cloud.default_region
    request_id = cloud.ids.uuid()
    spec = registry.spec_for_botocore(service_name)
    try:
        if spec is None:
            raise Unsupported(
                f"awsmon does not simulate the {service_name} service ({service_name}.{operation})",
                param="Action",
                value=operation,
            )
        with _caller(cloud, client):
            body = cloud.invoke(
                spec.name,
                operation,
                params,
                region=region,
                source="boto3",
                request_id=request_id,
                unknown=_not_simulated,
                headers=dict(headers) if headers else None,
                access_key_id=_access_key(client),
            )
        status = 200
    except ServiceError as error:
        body = error.to_response()
        status = error.http_status
    raw = _RAW_BODIES.get((service_name, operation))
    headers = {"x-amzn-requestid": request_id}
    body["ResponseMetadata"] = {
        "RequestId": request_id,
        "HTTPStatusCode": status,
        "HTTPHeaders": headers,
        "RetryAttempts": 0,
    }
    http = AWSResponse(
        url=f"https://{service_name}.{region}.awsmon.invalid/",
        status_code=status,
        headers=headers,
        raw=_Body(_error_xml(body) if status != 200 else raw(body) if raw is not None else b""),
    )
    return http, body


def _error_xml(body: Mapping[str, Any]) -> bytes:
    """AWS's XML error document for an error answer: botocore handlers that read the raw body
    of a failed call (S3 GetBucketLocation's) find a document, not an empty body."""
    error = body.get("Error") or {}
    code = xml_escape(str(error.get("Code", "")))
    message = xml_escape(str(error.get("Message", "")))
    text = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return text.encode("utf-8", "replace")


def _access_key(client: Any) -> str | None:
    """The access key id the client signs with (CloudTrail's ``accessKeyId``), or None."""
    credentials = getattr(getattr(client, "_request_signer", None), "_credentials", None)
    if credentials is None:
        return None
    key = credentials.get_frozen_credentials().access_key
    return key if isinstance(key, str) else None


def _caller(cloud: RoutedCloud, client: Any) -> AbstractContextManager[object]:
    """Run the call as the principal behind the client's credentials, when awsmon issued them.

    Temporary credentials from STS AssumeRole belong to the assumed-role
    principal; any other credentials (or none) leave the current principal.

    Raises:
        ServiceError: ExpiredTokenException for expired temporary credentials.
    """
    credentials = getattr(getattr(client, "_request_signer", None), "_credentials", None)
    if credentials is None:
        return nullcontext()
    principal = cloud.principal_for_access_key(credentials.get_frozen_credentials().access_key)
    return nullcontext() if principal is None else cloud.as_principal(principal)


def _bucket_location(body: dict[str, Any]) -> bytes:
    # botocore parses GetBucketLocation again from the raw XML in an after-call
    # handler, so the raw body must carry the answer too.
    region = body.get("LocationConstraint") or ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        f"{region}</LocationConstraint>"
    ).encode()


#: Operations whose raw HTTP body botocore reads again after parsing.
_RAW_BODIES: dict[tuple[str, str], Callable[[dict[str, Any]], bytes]] = {
    ("s3", "GetBucketLocation"): _bucket_location,
}


class _WaiterTime:
    """botocore's waiters wait on the virtual clock: their sleep advances it.

    A waiter polls, sleeps its Delay, and polls again; while a cloud is routed
    the sleep moves the cloud's clock instead of the wall clock, so waiting
    for a stream to become ACTIVE takes no real time and sees the simulated
    state change.
    """

    def sleep(self, seconds: float) -> None:
        cloud = active_cloud()
        if cloud is None:
            _real_time.sleep(seconds)  # wall-clock-ok: not routed, botocore's own wait
        else:
            cloud.clock.advance(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(_real_time, name)


_WAITER_TIME = _WaiterTime()


class _Body:
    """The raw body of a short-circuited response, for handlers that read one."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any) -> list[bytes]:
        return [self._content]

    def read(self, *_: Any) -> bytes:
        return self._content
