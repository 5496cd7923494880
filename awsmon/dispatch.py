"""The one point every AWS operation passes through, and the base of every service.

Main pieces:

- `ApiCall`: the record of one operation call (who, what, where, when, the
  outcome), handed to every listener; CloudTrail subscribes to these.
- `Dispatcher`: runs a call (validate → domain → response) and reports it.
- `Service` and `ServiceContext`: the base of each simulated service (one
  instance per account and region) and what the cloud hands it.
- `operation`: marks a domain method that stands for an AWS operation, so a
  call made through the domain is reported just like one made on the wire.

A wire call (``cloud.client("logs").create_log_group(...)`` or boto3) opens a
frame for its operation; when the wire layer then calls the domain method of
the same operation, that call belongs to the frame and is not reported twice.
A domain method called directly, or by another service (an alarm publishing to
SNS), is a call of its own.
"""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
from attrs import define, frozen

from awsmon.errors import ServiceError
from awsmon.identity import Principal

if TYPE_CHECKING:
    from awsmon.clock import VirtualClock
    from awsmon.cloud import Cloud
    from awsmon.ids import IdFactory
    from awsmon.registry import ServiceSpec

__all__ = ["ApiCall", "Dispatcher", "Service", "ServiceContext", "operation"]

T = TypeVar("T")


@frozen(kw_only=True)
class ApiCall:
    """One call of an AWS operation, as reported to the listeners.

    Attributes:
        request_id: the request id (also boto3's ``ResponseMetadata.RequestId``).
        at: the virtual instant of the call.
        service: the botocore service name (``"logs"``, ``"cloudwatch"``).
        operation: the AWS operation name (``"CreateLogGroup"``).
        account_id: the account the call acted in.
        region: the region the call acted in.
        principal: who made the call.
        parameters: the request parameters: the wire parameters for wire and
            boto3 calls; for domain calls, the method's arguments under the
            service's parameter casing.
        response: what the operation returned (None when it failed).
        error: the `ServiceError` it raised, or None.
        source: ``"boto3"``, ``"wire"`` or ``"domain"``: the layer called.
        user_agent: the caller's ``User-Agent`` header (boto3 calls), else None.
        access_key_id: the access key the request was signed with (boto3
            calls), else None.
    """

    request_id: str
    at: datetime
    service: str
    operation: str
    account_id: str
    region: str
    principal: Principal
    parameters: Mapping[str, Any]
    response: Any = None
    error: ServiceError | None = None
    source: str
    user_agent: str | None = None
    access_key_id: str | None = None

    @property
    def succeeded(self) -> bool:
        """True when the call returned without an AWS error."""
        return self.error is None


@define
class _Frame:
    service: str
    operation: str
    account_id: str
    region: str
    source: str


class Dispatcher:
    """Runs operation calls and reports each one to the listeners.

    Listeners are called with the `ApiCall` after the call, successful or
    not, in the order they were added. A listener that raises propagates to
    the caller: listeners are part of the simulation, not observers of it.

    Hooks in `before_call` run before each outermost call: bridges that bring
    outside input into the simulation on its own thread (the X-Ray daemon)
    drain their queues there, so the call sees what has arrived.
    """

    def __init__(self, cloud: Cloud) -> None:
        self._cloud = cloud
        self._frames: list[_Frame] = []
        self.listeners: list[Callable[[ApiCall], None]] = []
        self.before_call: list[Callable[[], None]] = []

    def call(
        self,
        *,
        service: str,
        operation: str,
        account_id: str,
        region: str,
        parameters: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
        handler: Callable[[], T],
        source: str,
        request_id: str | None = None,
        user_agent: str | None = None,
        access_key_id: str | None = None,
    ) -> T:
        """Run `handler` as a call of `service`.`operation`, and report it.

        Args:
            parameters: the request parameters, or a function giving them
                (called before `handler`, and only when someone listens).
            user_agent: the request's ``User-Agent`` header, when it had one.
            access_key_id: the access key that signed the request, when known.

        Returns:
            What `handler` returned.

        Raises:
            ServiceError: whatever `handler` raised, after reporting it.
        """
        if self.before_call and not self._frames:
            for hook in list(self.before_call):
                hook()
        cloud = self._cloud
        # The id is drawn whether or not anyone listens, so runs replay alike.
        call_id = request_id if request_id is not None else cloud.ids.uuid()
        if not self.listeners:
            self._frames.append(_Frame(service, operation, account_id, region, source))
            try:
                return handler()
            finally:
                self._frames.pop()
        at = cloud.clock.now()
        principal = cloud.principal
        given = parameters() if callable(parameters) else parameters

        def report(response: Any, error: ServiceError | None) -> None:
            # One record per call, built once its outcome is known.
            self._report(
                ApiCall(
                    request_id=call_id,
                    at=at,
                    service=service,
                    operation=operation,
                    account_id=account_id,
                    region=region,
                    principal=principal,
                    parameters=given,
                    response=response,
                    error=error,
                    source=source,
                    user_agent=user_agent,
                    access_key_id=access_key_id,
                )
            )

        self._frames.append(_Frame(service, operation, account_id, region, source))
        try:
            response = handler()
        except ServiceError as error:
            self._frames.pop()
            report(None, error)
            raise
        except BaseException:
            self._frames.pop()
            raise
        self._frames.pop()
        report(response, None)
        return response

    def in_wire_call(self, service: str, operation: str, account_id: str, region: str) -> bool:
        """True when the innermost open call is the wire call of this very operation."""
        if not self._frames:
            return False
        top = self._frames[-1]
        return (
            top.source != "domain"
            and top.service == service
            and top.operation == operation
            and top.account_id == account_id
            and top.region == region
        )

    def _report(self, call: ApiCall) -> None:
        for listener in list(self.listeners):
            listener(call)


@frozen
class ServiceContext:
    """What a service instance gets from the cloud: where it lives and its neighbours.

    Attributes:
        cloud: the owning `Cloud`.
        spec: the service's registry entry.
        account_id: the account this instance serves.
        region: the region this instance serves.
    """

    cloud: Cloud
    spec: ServiceSpec
    account_id: str
    region: str

    @property
    def clock(self) -> VirtualClock:
        """The cloud's virtual clock: the only source of time."""
        return self.cloud.clock

    @property
    def ids(self) -> IdFactory:
        """Deterministic ids from the cloud's seeded random source."""
        return self.cloud.ids

    def now(self) -> datetime:
        """The current virtual instant."""
        return self.cloud.clock.now()

    def sibling(self, name: str) -> Any:
        """The service `name` (registry name) of the same account and region."""
        return self.cloud.account(self.account_id).region(self.region).service(name)

    def arn(self, resource: str, *, region: str | None = None) -> str:
        """An ARN of this service, account and region for `resource`."""
        where = self.region if region is None else region
        return f"arn:aws:{self.spec.arn_service}:{where}:{self.account_id}:{resource}"


class Service:
    """Base of every simulated service: one instance per account and region.

    Subclasses keep their state on the instance and reach time, ids and the
    other services through `ctx`. Methods that stand for an AWS operation carry
    the `operation` decorator.
    """

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @property
    def account_id(self) -> str:
        """The account this service instance belongs to."""
        return self.ctx.account_id

    @property
    def region(self) -> str:
        """The region this service instance serves."""
        return self.ctx.region

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.ctx.account_id}/{self.ctx.region}>"


def operation(
    name: str,
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Mark a `Service` method as the AWS operation `name`.

    A direct call of the method is dispatched (and so reported to CloudTrail)
    as a call of `name`; when the method runs on behalf of the wire call of
    the same operation, it is part of that call instead.
    """

    def decorate(method: Callable[..., T]) -> Callable[..., T]:
        signature = inspect.signature(method)

        @functools.wraps(method)
        def dispatched(self: Service, *args: Any, **kwargs: Any) -> T:
            ctx = self.ctx
            dispatcher = ctx.cloud.dispatcher
            service = ctx.spec.botocore_name
            if dispatcher.in_wire_call(service, name, ctx.account_id, ctx.region):
                return method(self, *args, **kwargs)

            def parameters() -> dict[str, Any]:
                bound = signature.bind(self, *args, **kwargs)
                return {
                    _cased(key, ctx.spec.parameter_case): _plain(value)
                    for key, value in list(bound.arguments.items())[1:]
                }

            return dispatcher.call(
                service=service,
                operation=name,
                account_id=ctx.account_id,
                region=ctx.region,
                parameters=parameters,
                handler=lambda: method(self, *args, **kwargs),
                source="domain",
            )

        dispatched.__awsmon_operation__ = name  # type: ignore[attr-defined]
        return dispatched

    return decorate


def _cased(name: str, case: str) -> str:
    words = name.split("_")
    if case == "pascal":
        return "".join(word[:1].upper() + word[1:] for word in words)
    return words[0] + "".join(word[:1].upper() + word[1:] for word in words[1:])


def _plain(value: Any) -> Any:
    """A JSON-like copy of a domain argument, for the call record."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if attrs.has(type(value)):
        return {key: _plain(item) for key, item in attrs.asdict(value, recurse=False).items()}
    return value
