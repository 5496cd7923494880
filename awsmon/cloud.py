"""The simulated cloud: clock, randomness, accounts, regions, identity and dispatch.

Main classes:

- `Cloud`: owns the `VirtualClock`, the seeded random source, the services of
  every account and region, the caller identity and the `Dispatcher` through
  which every operation passes.
- `Account` and `Region`: views of one account, and of one account's region,
  whose attributes are that place's services (``cloud.region("eu-west-3").logs``).
- `WireClient` (from `awsmon.client`): what `Cloud.client` returns.

Accounts and regions are isolated as in AWS: each (account, region) has its
own instance of each regional service, created on first use.

>>> cloud = Cloud()
>>> cloud.sts.get_caller_identity().arn
'arn:aws:iam::123456789012:root'
>>> with cloud.as_principal("arn:aws:iam::210987654321:user/bob"):
...     cloud.client("sts").get_caller_identity()["Account"]
'210987654321'
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

from attrs import frozen

from awsmon import registry
from awsmon.client import WireClient
from awsmon.clock import Job, VirtualClock
from awsmon.dispatch import ApiCall, Dispatcher, Service, ServiceContext
from awsmon.errors import ServiceError
from awsmon.identity import Principal
from awsmon.ids import IdFactory
from awsmon.policy import Delivery, DeliveryLog
from awsmon.timeline import Timeline, TimelineView
from awsmon.wire import WireApi, no_such_operation

__all__ = ["Account", "Cloud", "CredentialResolver", "Region", "Snapshot", "WireClient"]

T = TypeVar("T")

#: Maps an access key id to the principal it belongs to, or None when it does not know it.
CredentialResolver = Callable[[str], Principal | None]

_ACCOUNT_ID = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}")


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value)
    return None


class Region:
    """One region of one account; its attributes are the services there.

    >>> Cloud().region("eu-west-3").sts.region
    'eu-west-3'
    """

    def __init__(self, cloud: Cloud, account_id: str, name: str) -> None:
        self.cloud = cloud
        self.account_id = account_id
        self.name = name
        self._services: dict[str, Service] = {}
        self._apis: dict[str, WireApi] = {}

    def service(self, name: str) -> Any:
        """The service registered as `name` (``"logs"``), created on first use.

        Raises:
            KeyError: awsmon has no such service.
        """
        found = self._services.get(name)
        if found is None:
            spec = registry.spec(name)
            ctx = ServiceContext(self.cloud, spec, self.account_id, self.name)
            found = spec.load_domain()(ctx)
            self._services[name] = found
        return found

    def api(self, name: str) -> WireApi:
        """The wire API of the service `name` here, created on first use."""
        found = self._apis.get(name)
        if found is None:
            found = registry.spec(name).load_api()(self.service(name))
            self._apis[name] = found
        return found

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.service(name)
        except KeyError as exc:
            raise AttributeError(str(exc)) from None

    def __repr__(self) -> str:
        return f"<Region {self.account_id}/{self.name}>"


class Account:
    """One account of the cloud; its attributes are its services in the default region."""

    def __init__(self, cloud: Cloud, account_id: str) -> None:
        self.cloud = cloud
        self.account_id = account_id
        self._regions: dict[str, Region] = {}

    @property
    def root(self) -> Principal:
        """The account's root user."""
        return Principal.root(self.account_id)

    def region(self, name: str) -> Region:
        """This account's region `name`.

        Raises:
            ValueError: `name` is not shaped like an AWS region (``eu-west-3``).
        """
        found = self._regions.get(name)
        if found is None:
            if not _REGION.fullmatch(name):
                raise ValueError(f"not an AWS region name: {name!r} (like 'eu-west-3')")
            found = Region(self.cloud, self.account_id, name)
            self._regions[name] = found
        return found

    def client(self, service_name: str, region_name: str | None = None) -> WireClient:
        """A wire client whose calls run as this account's root user."""
        return self.cloud.client(service_name, region_name, principal=self.root)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.region(self.cloud.default_region), name)

    def __repr__(self) -> str:
        return f"<Account {self.account_id}>"


class Cloud:
    """A simulated AWS cloud in this process.

    Attributes on the cloud reach the services of the default account and
    region (``cloud.sts``, and ``cloud.cloudwatch``, ``cloud.logs`` ... as they
    exist); `region` and `account` reach the others.

    Methods, by purpose:

    - places: `account`, `region`
    - clients: `client` (wire API), `patch_boto3` (route boto3 here)
    - identity: `principal`, `as_principal`
    - auditing: `dispatcher` and its ``listeners``, `on_api_call`, `timeline`, `note`
    - resource policies: `deliveries` (the delivery log), `policies` (the switch)
    - what if: `fork`, `snapshot`, `restore`

    Args:
        clock: the virtual clock (a new `VirtualClock` at its fixed default
            start when omitted; pass one to share it between clouds).
        start: where a new clock starts (a datetime, epoch seconds, or ``"wall"``
            for the wall time rounded down to the minute); not with `clock`.
        timeline: how many moments `timeline` keeps (a ring; 0 records none).
        account_id: the default account.
        region: the default region.
        seed: seeds `rng`, from which every id and random decision is drawn,
            so one seed replays one run.
        principal: the ARN of the default caller (the account's root when omitted).
        policies: how resource policies decide deliveries between services
            (SNS → SQS, EventBridge → Lambda ...): ``"enforce"`` (as AWS: a
            refused delivery does not happen), ``"warn"`` (delivers, records the
            refusal in `deliveries`), ``"off"`` (delivers everything).
    """

    def __init__(
        self,
        clock: VirtualClock | None = None,
        account_id: str = "123456789012",
        region: str = "us-east-1",
        seed: int = 0,
        principal: str | None = None,
        policies: str = "enforce",
        *,
        start: datetime | float | str | None = None,
        timeline: int = 10_000,
    ) -> None:
        if not _ACCOUNT_ID.fullmatch(account_id):
            raise ValueError(f"an AWS account id is 12 digits, got {account_id!r}")
        if not _REGION.fullmatch(region):
            raise ValueError(f"not an AWS region name: {region!r} (like 'eu-west-3')")
        if clock is not None and start is not None:
            raise ValueError("give a Cloud either a clock or a start, not both")
        self.delivery_log = DeliveryLog(policies)
        self.clock = clock if clock is not None else VirtualClock(start)
        self.rng = random.Random(seed)
        self.ids = IdFactory(self.rng)
        self.default_account_id = account_id
        self.default_region = region
        self.dispatcher = Dispatcher(self.clock, self.ids, self._current_principal)
        self._moments = Timeline(timeline)
        if timeline:
            self.dispatcher.listeners.append(self._note_call)
            self.clock.job_observers.append(self._note_job)
        self._accounts: dict[str, Account] = {}
        self._credential_resolvers: list[CredentialResolver] = []
        self._shared: dict[str, Any] = {}
        self._default_principal = (
            Principal.from_arn(principal) if principal else Principal.root(account_id)
        )
        # Each thread (and asyncio task) has its own stack of `as_principal` blocks.
        self._principals: ContextVar[tuple[Principal, ...]] = ContextVar(
            f"awsmon.principals.{id(self)}", default=()
        )
        for spec in registry.specs():
            hook = spec.load_cloud_hook()
            if hook is not None:
                hook(self)

    # -- places -----------------------------------------------------------------

    def account(self, account_id: str) -> Account:
        """The account `account_id` (12 digits).

        Raises:
            ValueError: not a 12-digit account id.
        """
        found = self._accounts.get(account_id)
        if found is None:
            if not _ACCOUNT_ID.fullmatch(account_id):
                raise ValueError(f"an AWS account id is 12 digits, got {account_id!r}")
            found = Account(self, account_id)
            self._accounts[account_id] = found
        return found

    def region(self, name: str) -> Region:
        """The default account's region `name`."""
        return self.account(self.default_account_id).region(name)

    def service_in(self, account_id: str, region: str, name: str) -> Any:
        """The service `name` (registry name) of account `account_id` in `region`.

        Raises:
            ValueError: not a 12-digit account id, or not a region name.
            KeyError: awsmon has no such service.
        """
        return self.account(account_id).region(region).service(name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.region(self.default_region), name)

    # -- identity ---------------------------------------------------------------

    def _current_principal(self) -> Principal:
        return self.principal

    @property
    def principal(self) -> Principal:
        """Who is calling now: the innermost `as_principal`, else the default caller."""
        stack = self._principals.get()
        return stack[-1] if stack else self._default_principal

    @contextmanager
    def as_principal(self, principal: str | Principal) -> Iterator[Principal]:
        """Make every call inside the block run as `principal` (an ARN or a `Principal`).

        Calls act in the principal's account. The block holds for the thread (or
        asyncio task) that opened it: other threads keep their own caller.
        """
        who = principal if isinstance(principal, Principal) else Principal.from_arn(principal)
        token = self._principals.set((*self._principals.get(), who))
        try:
            yield who
        finally:
            self._principals.reset(token)

    @property
    def policies(self) -> str:
        """How resource policies decide deliveries: ``enforce``, ``warn`` or ``off``."""
        return self.delivery_log.mode

    def deliveries(
        self, *, failed: bool | None = None, source: str | None = None, target: str | None = None
    ) -> list[Delivery]:
        """The policy checks of deliveries between services, oldest first.

        Args:
            failed: True for the refused ones only (False: the allowed ones).
            source: only those sent by this ARN (a topic, rule, alarm ...).
            target: only those sent to this ARN (a queue, function, bucket ...).

        Each `Delivery` gives the source, target, time, principal, action and
        the reason in words (``no statement of the queue policy allows
        sns.amazonaws.com to sqs:SendMessage on ... (aws:SourceArn=...)``).
        """
        return self.delivery_log.deliveries(failed=failed, source=source, target=target)

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """Cloud-wide state under `key`, made by `factory` on first use (see `ServiceContext`)."""
        if key not in self._shared:
            self._shared[key] = factory()
        found: T = self._shared[key]
        return found

    def add_credential_resolver(self, resolver: CredentialResolver) -> CredentialResolver:
        """Add a source of temporary credentials (STS adds itself); returns `resolver`."""
        self._credential_resolvers.append(resolver)
        return resolver

    def principal_for_access_key(self, access_key_id: str) -> Principal | None:
        """The principal behind credentials awsmon issued (AssumeRole), or None.

        For the boto3 routing: a client made with such credentials calls as
        their principal.

        Raises:
            ServiceError: the issuer's error for unusable credentials
                (ExpiredTokenException after expiry).
        """
        for resolver in self._credential_resolvers:
            found = resolver(access_key_id)
            if found is not None:
                return found
        return None

    # -- clients and dispatch -----------------------------------------------------

    def client(
        self,
        service_name: str,
        region_name: str | None = None,
        *,
        principal: Principal | None = None,
    ) -> WireClient:
        """The wire client of a service, named as boto3 names it (``"logs"``).

        Args:
            service_name: the botocore service name.
            region_name: the region (default: the cloud's).
            principal: a fixed caller for this client's calls (default: whoever
                is calling at the time, see `as_principal`).

        Raises:
            KeyError: awsmon does not simulate that service.
        """
        spec = registry.spec_for_botocore(service_name)
        if spec is None:
            known = ", ".join(sorted(s.botocore_name for s in registry.specs()))
            raise KeyError(f"awsmon does not simulate {service_name!r}; it has: {known}")
        region = region_name or self.default_region
        self.account(self.default_account_id).region(region)  # validates the name
        return WireClient(self, spec, region, principal)

    def invoke(
        self,
        service: str,
        operation: str,
        params: Mapping[str, Any],
        *,
        region: str,
        source: str,
        request_id: str | None = None,
        unknown: Callable[[registry.ServiceSpec, str], ServiceError] = no_such_operation,
        headers: Mapping[str, str] | None = None,
        access_key_id: str | None = None,
    ) -> dict[str, Any]:
        """Run one wire operation: the single entry point of the wire layer and boto3.

        The call acts in the current principal's account and in `region`, goes
        through the `dispatcher` (and so reaches the listeners), and returns
        the response dict. The ``User-Agent`` among `headers` and the
        `access_key_id` that signed the request reach the listeners.

        Raises:
            ServiceError: the AWS error of the call; `unknown(spec, operation)`
                when the service has no such operation.
        """
        spec = registry.spec(service)
        account_id = self.principal.account_id
        place = self.account(account_id).region(region)

        def handle() -> dict[str, Any]:
            api = place.api(spec.name)
            method_name = api.operations.get(operation)
            if method_name is None:
                raise unknown(spec, operation)
            response: dict[str, Any] = getattr(api, method_name)(api.params(params, headers))
            return response

        return self.dispatcher.call(
            service=spec.botocore_name,
            operation=operation,
            account_id=account_id,
            region=region,
            parameters=dict(params),
            handler=handle,
            source=source,
            request_id=request_id,
            user_agent=_header(headers, "User-Agent"),
            access_key_id=access_key_id,
        )

    def on_api_call(self, listener: Callable[[ApiCall], None]) -> Callable[[ApiCall], None]:
        """Add `listener` to be told of every operation call; returns it (a decorator too)."""
        self.dispatcher.listeners.append(listener)
        return listener

    def patch_boto3(self) -> AbstractContextManager[Cloud]:
        """Route every boto3/botocore client in the process to this cloud, inside the block.

        Usable as ``with cloud.patch_boto3():`` and as a decorator. See
        `awsmon.boto` for what is reached and how.
        """
        from awsmon.boto import Boto3Patch

        return Boto3Patch(self)

    # -- the timeline -------------------------------------------------------------

    def timeline(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        services: Collection[str] | None = None,
        kinds: Collection[str] | None = None,
    ) -> TimelineView:
        """What happened, in time order: calls, state changes, matches, deliveries, jobs.

        Keeps the newest moments only (``Cloud(timeline=size)``). See `awsmon.timeline`.

        Args:
            since: from this instant (inclusive).
            until: up to this instant (exclusive).
            services: only these services (botocore names; ``"clock"`` for jobs).
            kinds: only these kinds (``"call"``, ``"alarm-state"``, ... `awsmon.timeline.KINDS`).
        """
        return self._moments.view(since, until, services, kinds)

    def note(
        self,
        kind: str,
        summary: str,
        *,
        service: str = "",
        account_id: str = "",
        region: str = "",
        **detail: Any,
    ) -> None:
        """Add a moment to the timeline at the current instant (services use `ctx.note`)."""
        self._moments.add(self.clock.now(), kind, service, account_id, region, summary, detail)

    def _note_call(self, call: ApiCall) -> None:
        outcome = "ok" if call.error is None else call.error.code
        self._moments.add(
            call.at, "call", call.service, call.account_id, call.region,
            f"{call.operation} by {call.principal.arn} ({call.source}): {outcome}",
            {"operation": call.operation, "request_id": call.request_id, "error": outcome},
        )

    def _note_job(self, job: Job) -> None:
        name = str(job.name)
        self._moments.add(self.clock.now(), "job", "clock", "", "", name, {"name": name})

    # -- what if: forks and snapshots -------------------------------------------

    def fork(self) -> Cloud:
        """An independent copy of the whole simulation from this instant.

        The copy has its own clock (same time, same pending jobs), state, random
        source (in the same position, so it draws the same ids) and timeline;
        driving one never touches the other. Bridges to the outside (a clock
        driving the wall clock, boto3 routing, the X-Ray daemon) stay with the origin.

        Raises:
            ClockError: the cloud holds something that can't be copied (a running
                X-Ray daemon).
        """
        from awsmon.fork import deep_copy

        with self.clock.lock:
            return deep_copy(self, self._fresh_memo())

    def snapshot(self) -> Snapshot:
        """A frozen copy of this cloud's whole state, for `restore` (any number of times)."""
        return Snapshot(self.fork(), self.clock.now())

    def restore(self, snapshot: Snapshot) -> None:
        """Put this cloud back in the state of `snapshot`: time, state, jobs, rng, timeline.

        The cloud and its clock stay the same objects; its services are the
        snapshot's (fetch them again: ``cloud.logs``).
        """
        from awsmon.fork import deep_copy

        origin = snapshot.cloud
        with self.clock.lock:
            memo = origin._fresh_memo()
            memo[id(origin)] = self
            memo[id(origin.clock)] = self.clock
            clock_state = deep_copy(origin.clock.__getstate__(), memo)
            state = deep_copy(dict(origin.__dict__), memo)
            observers = self.clock._observers
            lock = self.clock.lock
            self.clock.__dict__.update(clock_state)
            self.clock.lock, self.clock._observers = lock, observers
            state["_principals"] = self._principals
            self.__dict__.clear()
            self.__dict__.update(state)

    def _fresh_memo(self) -> dict[int, Any]:
        principals: ContextVar[tuple[Principal, ...]] = ContextVar(
            "awsmon.principals.fork", default=()
        )
        return {id(self._principals): principals}

    def __repr__(self) -> str:
        return (
            f"<Cloud {self.default_account_id}/{self.default_region} "
            f"at {self.clock.now().isoformat()}>"
        )


@frozen
class Snapshot:
    """The saved state of a cloud (`Cloud.snapshot`), to `Cloud.restore` later.

    Attributes:
        cloud: a private copy of the cloud; don't drive it (restore copies it again).
        at: the virtual instant it was taken.
    """

    cloud: Cloud
    at: datetime
