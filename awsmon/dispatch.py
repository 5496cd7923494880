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
import random
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import attrs
from attrs import define, frozen

from awsmon import registry
from awsmon.arn import Arn, partition_for
from awsmon.errors import ServiceError
from awsmon.identity import Principal
from awsmon.policy import DeliveryChecks, DeliveryLog
from awsmon.skew import skewed, warn_if_skewed

if TYPE_CHECKING:
    from awsmon.clock import VirtualClock
    from awsmon.ids import IdFactory
    from awsmon.registry import ServiceSpec

__all__ = ["ApiCall", "CloudHandle", "Dispatcher", "Service", "ServiceContext", "operation"]

T = TypeVar("T")


class ApiCall:
    """One call of an AWS operation, as reported to the listeners.

    A plain slotted class, not an attrs record: one is built for every call
    that anyone listens to, so it must cost little to make (keyword
    arguments, no validation, no frozen-attribute checks) and little to keep.
    Listeners must not change it (nothing stops them: a frozen class costs
    twice as much to build).

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

    __slots__ = (
        "access_key_id",
        "account_id",
        "at",
        "error",
        "operation",
        "parameters",
        "principal",
        "region",
        "request_id",
        "response",
        "service",
        "source",
        "user_agent",
    )

    def __init__(
        self,
        *,
        request_id: str,
        at: datetime,
        service: str,
        operation: str,
        account_id: str,
        region: str,
        principal: Principal,
        parameters: Mapping[str, Any],
        response: Any = None,
        error: ServiceError | None = None,
        source: str,
        user_agent: str | None = None,
        access_key_id: str | None = None,
    ) -> None:
        self.request_id = request_id
        self.at = at
        self.service = service
        self.operation = operation
        self.account_id = account_id
        self.region = region
        self.principal = principal
        self.parameters = parameters
        self.response = response
        self.error = error
        self.source = source
        self.user_agent = user_agent
        self.access_key_id = access_key_id

    @property
    def succeeded(self) -> bool:
        """True when the call returned without an AWS error."""
        return self.error is None

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApiCall):
            return NotImplemented
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"ApiCall({shown})"


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

    Calls from many threads run one at a time (the clock's lock), so an
    application's thread pool sees the simulation as one thread would.

    Hooks in `before_call` run before each outermost call: bridges that bring
    outside input into the simulation on its own thread (the X-Ray daemon)
    drain their queues there, so the call sees what has arrived.
    """

    def __init__(
        self, clock: VirtualClock, ids: IdFactory, principal: Callable[[], Principal]
    ) -> None:
        self._clock = clock
        self._ids = ids
        self._principal = principal
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
        with self._clock.lock:
            return self._call(
                service,
                operation,
                account_id,
                region,
                parameters,
                handler,
                source,
                request_id,
                (user_agent, access_key_id),
            )

    def _call(
        self,
        service: str,
        operation: str,
        account_id: str,
        region: str,
        parameters: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
        handler: Callable[[], T],
        source: str,
        request_id: str | None,
        client: tuple[str | None, str | None] = (None, None),
    ) -> T:
        if self.before_call and not self._frames:
            for hook in list(self.before_call):
                hook()
        # The id is drawn whether or not anyone listens, so runs replay alike.
        call_id = request_id if request_id is not None else self._ids.uuid()
        if not self.listeners:
            self._frames.append(_Frame(service, operation, account_id, region, source))
            try:
                return handler()
            finally:
                self._frames.pop()
        at = self._clock.now()
        principal = self._principal()
        given = parameters() if callable(parameters) else parameters
        response: T | None = None
        error: ServiceError | None = None
        self._frames.append(_Frame(service, operation, account_id, region, source))
        try:
            response = handler()
        except ServiceError as failure:
            error = failure
        finally:
            self._frames.pop()
        # One record per call, built once its outcome is known (not for other exceptions).
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
                user_agent=client[0],
                access_key_id=client[1],
            )
        )
        if error is not None:
            raise error
        return response  # type: ignore[return-value]  # T itself: handler() returned

    def current_operation(self) -> tuple[str, str] | None:
        """The (botocore service name, operation) of the innermost open call, or None."""
        if not self._frames:
            return None
        top = self._frames[-1]
        return top.service, top.operation

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
        for listener in self.listeners.copy():
            listener(call)


class CloudHandle(Protocol):
    """What a service reaches of the cloud that holds it (an `awsmon.Cloud`).

    A protocol, so that the core's modules import one another in one direction
    only: the cloud builds contexts; contexts know the cloud by this shape.
    """

    @property
    def clock(self) -> VirtualClock: ...
    @property
    def ids(self) -> IdFactory: ...
    @property
    def rng(self) -> random.Random: ...
    @property
    def dispatcher(self) -> Dispatcher: ...
    @property
    def principal(self) -> Principal: ...
    def as_principal(self, principal: str | Principal) -> AbstractContextManager[Principal]: ...
    def service_in(self, account_id: str, region: str, name: str) -> Any: ...
    def account(self, account_id: str) -> Any: ...
    def add_credential_resolver(
        self, resolver: Callable[[str], Principal | None]
    ) -> Callable[[str], Principal | None]: ...
    def principal_for_access_key(self, access_key_id: str) -> Principal | None: ...
    def shared(self, key: str, factory: Callable[[], T]) -> T: ...
    @property
    def delivery_log(self) -> DeliveryLog: ...
    def note(
        self,
        kind: str,
        summary: str,
        *,
        service: str = "",
        account_id: str = "",
        region: str = "",
        **detail: Any,
    ) -> None: ...


@frozen
class ServiceContext(DeliveryChecks):
    """What a service instance gets from the cloud: where it lives and its neighbours.

    Its delivery checks (`check_delivery`, `check_other_account`, `check_key`,
    `refuse_delivery`) come from `awsmon.policy.DeliveryChecks`.

    Attributes:
        cloud: the owning `Cloud`.
        spec: the service's registry entry.
        account_id: the account this instance serves.
        region: the region this instance serves.
    """

    cloud: CloudHandle
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

    @property
    def rng(self) -> random.Random:
        """The cloud's seeded random source, for random decisions (sampling, jitter)."""
        return self.cloud.rng

    @property
    def principal(self) -> Principal:
        """Who is calling now."""
        return self.cloud.principal

    def as_principal(self, principal: str | Principal) -> AbstractContextManager[Principal]:
        """Run the block as `principal` (a service acting on its own, say)."""
        return self.cloud.as_principal(principal)

    def now(self) -> datetime:
        """The current virtual instant."""
        return self.cloud.clock.now()

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """State shared by every account and region of the cloud, made by `factory` once.

        For the few namespaces AWS keeps global (S3 bucket names): one per cloud,
        never per process, so two clouds stay apart.
        """
        return self.cloud.shared(key, factory)

    def note(self, kind: str, summary: str, **detail: Any) -> None:
        """Put a moment on the cloud's timeline: `kind` (`awsmon.timeline.KINDS`), a line, facts.

        For the few points worth seeing in `Cloud.timeline`: a state change, a
        rule match, a delivery. Recorded at the current instant, in this place.
        """
        self.cloud.note(
            kind,
            summary,
            service=self.spec.botocore_name,
            account_id=self.account_id,
            region=self.region,
            **detail,
        )

    def check_skew(self, what: str, when: datetime | float | None) -> None:
        """Warn (`awsmon.ClockSkewWarning`, once per service) if `when` is over a day from now.

        For timestamps callers supply (a metric datum, a log event, a segment):
        the answer stays AWS's; the warning explains the virtual clock.
        `when` is an aware datetime or epoch seconds.
        """
        now = self.cloud.clock.now()
        if skewed(when, now) is None:
            return
        warned: set[str] = self.cloud.shared("awsmon.skew-warned", set)
        warn_if_skewed(warned, self.spec.botocore_name, what, when, now, stacklevel=4)

    def sibling(
        self, name: str, *, account_id: str | None = None, region: str | None = None
    ) -> Any:
        """The service `name` (registry name) of this place, or of the account/region given."""
        return self.cloud.service_in(
            account_id or self.account_id, region or self.region, name
        )

    def service_at(self, arn: str | Arn, name: str | None = None) -> Any:
        """The service instance that holds the resource `arn`, in the ARN's account and region.

        An ARN without account or region (S3 buckets) names the caller's own.

        Args:
            arn: the resource's ARN.
            name: the registry name of the service (``"sqs"``, ``"lambda_"``); by
                default the service whose ARNs carry the ARN's service part.

        Raises:
            InvalidArn: `arn` is not an ARN.
            KeyError: awsmon simulates no such service.

        >>> from awsmon import Cloud
        >>> ctx = Cloud().sts.ctx
        >>> ctx.service_at("arn:aws:sts:eu-west-3:210987654321:assumed-role/r/s")
        <STS 210987654321/eu-west-3>
        """
        parsed = arn if isinstance(arn, Arn) else Arn.parse(arn)
        if name is None:
            spec = registry.spec_for_arn_service(parsed.service)
            if spec is None:
                raise KeyError(f"awsmon simulates no service for ARNs of {parsed.service!r}")
            name = spec.name
        return self.cloud.service_in(
            parsed.account_id or self.account_id, parsed.region or self.region, name
        )

    def arn(self, resource: str, *, region: str | None = None) -> str:
        """An ARN of this service, account and region (or `region`) for `resource`."""
        where = self.region if region is None else region
        return (
            f"arn:{partition_for(where)}:{self.spec.arn_service}:{where}:"
            f"{self.account_id}:{resource}"
        )


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
        # The parameter names after self, when every parameter is named (no *args or
        # **kwargs): then the call's arguments are named without `Signature.bind`.
        names: tuple[str, ...] | None = tuple(list(signature.parameters)[1:])
        if any(
            p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
            or p.kind is inspect.Parameter.POSITIONAL_ONLY
            for p in signature.parameters.values()
        ):
            names = None
        known = frozenset(names or ())

        def arguments(
            self: Service, args: tuple[Any, ...], kwargs: dict[str, Any]
        ) -> list[tuple[str, Any]]:
            """The given arguments after self, in signature order (as `bind` gives them)."""
            if names is None or len(args) > len(names) or not kwargs.keys() <= known:
                return list(signature.bind(self, *args, **kwargs).arguments.items())[1:]
            given = dict(zip(names, args, strict=False))
            return [
                (key, kwargs[key] if key in kwargs else given[key])
                for key in names
                if key in kwargs or key in given
            ]

        @functools.wraps(method)
        def dispatched(self: Service, *args: Any, **kwargs: Any) -> T:
            ctx = self.ctx
            dispatcher = ctx.cloud.dispatcher
            service = ctx.spec.botocore_name
            if dispatcher.in_wire_call(service, name, ctx.account_id, ctx.region):
                return method(self, *args, **kwargs)

            def parameters() -> dict[str, Any]:
                case = ctx.spec.parameter_case
                return {
                    _cased(key, case): _plain(value)
                    for key, value in arguments(self, args, kwargs)
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


@functools.cache
def _cased(name: str, case: str) -> str:
    words = name.split("_")
    if case == "pascal":
        return "".join(word[:1].upper() + word[1:] for word in words)
    return words[0] + "".join(word[:1].upper() + word[1:] for word in words[1:])


#: Types `_plain` returns as they are (exact types: an Enum that is also a str is not one).
_SCALARS = frozenset({str, int, float, bool})


def _plain(value: Any) -> Any:
    """A JSON-like copy of a domain argument, for the call record."""
    if value is None or type(value) in _SCALARS:
        return value
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
