"""Where EventBridge sends a matched event: the service behind each target ARN.

`Destinations` hands one attempt's body to SQS, SNS, Lambda, another bus, or
(through their wire APIs, once awsmon simulates them) Kinesis, Firehose and
CloudWatch Logs, checking the target's resource policy as AWS does; a refusal
raises `DeliveryFailed` with the error type the dead-letter queue names.
`awsmon.events.targets.Deliverer` decides what to send and handles retries
and dead letters; see its module for the rules of each target.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from attrs import define, field

from awsmon import jsondoc, registry
from awsmon.arn import Arn
from awsmon.errors import AccessDenied, InternalFailure, NotFound, ServiceError, Throttled
from awsmon.events.model import EventBus, Invocation, Received, Rule, Target
from awsmon.events.transform import InputPath
from awsmon.identity import Principal

if TYPE_CHECKING:
    from awsmon.dispatch import ServiceContext

__all__ = [
    "EVENTS_PRINCIPAL",
    "EVENTS_SENDER_ID",
    "Attempt",
    "BusReceiver",
    "DeliveryFailed",
    "DeliveryHost",
    "Destinations",
    "TargetFault",
    "parsed_arn",
]

EVENTS_PRINCIPAL = "events.amazonaws.com"
"""The service principal EventBridge acts as toward targets."""

EVENTS_SENDER_ID = "AIDAIEVENTSBRIDGE0000"
"""The ``SenderId`` SQS records for messages EventBridge sends (simulated)."""


@define
class TargetFault:
    """A failure injected for a target ARN with `EventBridge.fail_target`.

    Attributes:
        error_code: the error type reported (``THROTTLING`` ...).
        error_message: the message reported.
        remaining: how many more attempts fail (None: every attempt).
    """

    error_code: str
    error_message: str
    remaining: int | None = None


class DeliveryHost(Protocol):
    """What a `Deliverer` needs of its EventBridge service (`awsmon.events.service.EventBridge`).

    Attributes:
        ctx: the service context (clock, ids, the cloud's other services).
        target_faults: failures injected with ``fail_target``, by target ARN.
        invocations: every delivery attempt, appended in order.
        enforce_target_policies: whether targets' resource policies are checked.
        retry_base: first retry's ceiling, seconds (the backoff doubles).
        retry_cap: largest retry delay, seconds.
    """

    ctx: ServiceContext
    target_faults: dict[str, TargetFault]
    invocations: list[Invocation]
    enforce_target_policies: bool
    retry_base: float
    retry_cap: float

    @property
    def account_id(self) -> str:
        """The service's account."""

    @property
    def region(self) -> str:
        """The service's region."""

    def count(self, metric: str, rule: Rule, value: float = 1.0) -> None:
        """Add to an AWS/Events metric of `rule`."""


class BusReceiver(Protocol):
    """What a bus target needs of the EventBridge that owns the receiving bus."""

    buses: dict[str, EventBus]

    def allows_put_events(self, bus: EventBus, principal: Principal) -> bool:
        """Whether the bus's resource policy lets `principal` put events on it."""

    def receive(self, bus: EventBus, received: Received) -> None:
        """Match `received` against the bus's rules and deliver it."""


class DeliveryFailed(Exception):
    """A refused attempt: its error type (``NO_PERMISSIONS`` ...) and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@define
class Attempt:
    """One attempt at delivering an event to a target (the retries count up `attempt`)."""

    rule: Rule
    target: Target
    received: Received
    body: str
    attempt: int = 1
    done: bool = field(default=False)


@functools.lru_cache(maxsize=1024)  # a target's ARN, parsed once for all its deliveries
def parsed_arn(text: str) -> Arn:
    """The parsed target ARN (targets are checked to be ARNs when they are put)."""
    return Arn.parse(text)


def _resource_name(arn: str) -> str:
    """The name after ``type/`` or ``type:`` (whichever comes first) in an ARN's resource."""
    return parsed_arn(arn).resource_id


def _from_service_error(error: ServiceError) -> DeliveryFailed:
    if isinstance(error, NotFound):
        return DeliveryFailed("NO_RESOURCE", error.message)
    if isinstance(error, AccessDenied):
        return DeliveryFailed("NO_PERMISSIONS", error.message)
    if isinstance(error, Throttled):
        return DeliveryFailed("THROTTLING", error.message)
    if isinstance(error, InternalFailure) or error.http_status >= 500:
        return DeliveryFailed("INTERNAL_ERROR", error.message)
    return DeliveryFailed("INVALID_PARAMETER", error.message)


class Destinations:
    """Sends attempts to the services behind target ARNs, for one `EventBridge`."""

    def __init__(self, service: DeliveryHost) -> None:
        self.service = service

    # -- permissions -----------------------------------------------------------------

    def check_policy(
        self,
        policy: str | dict[str, Any] | None,
        action: str,
        resource: str,
        rule: Rule,
        key: str | None = None,
    ) -> None:
        """Refuse (NO_PERMISSIONS) unless `policy` lets EventBridge do `action` on `resource`.

        Asked through ``ctx.check_delivery`` as ``events.amazonaws.com`` with
        ``aws:SourceArn`` (the rule) and ``aws:SourceAccount``, so the refusal also
        lands in ``cloud.deliveries()`` and follows ``Cloud(policies=...)``; an
        encrypted target's KMS key (`key`) must let EventBridge use it too.
        """
        if not self.service.enforce_target_policies:
            return
        ctx = self.service.ctx
        check = ctx.check_delivery(
            source=rule.arn,
            target=resource,
            principal=EVENTS_PRINCIPAL,
            action=action,
            policy=policy,
            context={"aws:SourceArn": rule.arn, "aws:SourceAccount": self.service.account_id},
        )
        if not check.delivered:
            raise DeliveryFailed(
                "NO_PERMISSIONS",
                f"EventBridge is not authorized to perform: {action} on resource: {resource} "
                f"because no resource-based policy allows it ({check.reason})",
            )
        where = parsed_arn(resource)
        refused = ctx.check_key(
            key,
            source=rule.arn,
            target=resource,
            principal=EVENTS_PRINCIPAL,
            account_id=where.account_id or None,
            region=where.region or None,
        )
        if refused is not None:
            raise DeliveryFailed(
                "NO_PERMISSIONS",
                f"EventBridge is not authorized to use the KMS key of {resource} "
                f"({refused.reason})",
            )

    # -- the services ------------------------------------------------------------------

    def send(self, job: Attempt) -> str:
        """Hand `job`'s body to the service behind its target ARN; the outcome (``delivered``)."""
        target = job.target
        kind = target.service
        sender = getattr(self, f"_to_{kind}", None)
        try:
            if sender is None:
                return "recorded"
            result: str = sender(job)
            return result
        except ServiceError as error:
            raise _from_service_error(error) from None
        except (IndexError, ValueError) as error:
            raise DeliveryFailed(
                "INVALID_PARAMETER", f"Invalid target ARN {target.arn}: {error}"
            ) from None

    def _to_sqs(self, job: Attempt) -> str:
        arn = job.target.arn
        sqs = self.service.ctx.service_at(parsed_arn(arn), "sqs")
        queue = sqs.queue(arn)
        self.check_policy(
            queue.settings.get("Policy"),
            "sqs:SendMessage",
            arn,
            job.rule,
            queue.settings.get("KmsMasterKeyId"),
        )
        fifo = queue.fifo
        sqs.deliver(
            arn,
            job.body,
            sender_id=EVENTS_SENDER_ID,
            group_id=job.target.message_group_id if fifo else None,
            deduplication_id=job.received.event["id"] if fifo else None,
        )
        return "delivered"

    def _to_sns(self, job: Attempt) -> str:
        arn = job.target.arn
        sns = self.service.ctx.service_at(parsed_arn(arn), "sns")
        topic = sns.topic(arn)
        self.check_policy(
            topic.attributes.get("Policy"),
            "sns:Publish",
            arn,
            job.rule,
            topic.attributes.get("KmsMasterKeyId"),
        )
        fifo = arn.endswith(".fifo")
        with self.as_events():
            sns.publish(
                arn,
                job.body,
                message_group_id=job.rule.name if fifo else None,
                message_deduplication_id=job.received.event["id"] if fifo else None,
            )
        return "delivered"

    def _to_lambda(self, job: Attempt) -> str:
        arn = job.target.arn
        functions = self.service.ctx.service_at(parsed_arn(arn), "lambda_")
        function = functions.function(arn)
        policy = None
        if function.policy:
            policy = {"Version": "2012-10-17", "Statement": function.policy}
        self.check_policy(policy, "lambda:InvokeFunction", function.arn, job.rule)
        with self.as_events():
            functions.invoke(arn, job.body.encode(), invocation_type="Event")
        return "delivered"

    def _to_events(self, job: Attempt) -> str:
        service = self.service
        arn = job.target.arn
        parsed = parsed_arn(arn)
        region, account = parsed.region, parsed.account_id
        if job.received.forwarded:
            if region != service.region:
                raise DeliveryFailed("THIRD_REGION_HOP_DETECTED", "Unknown exception.")
            raise DeliveryFailed(
                "THIRD_ACCOUNT_HOP_DETECTED",
                "Events received from another event bus cannot be forwarded to this event bus.",
            )
        receiver: BusReceiver = service.ctx.service_at(parsed, "events")
        bus = receiver.buses.get(parsed.resource_id)
        if bus is None:
            raise DeliveryFailed("NO_RESOURCE", f"Event bus {parsed.resource_id} does not exist.")
        if account != service.account_id and not self._bus_allows(job, bus):
            raise DeliveryFailed(
                "NO_PERMISSIONS",
                f"Account {service.account_id} is not authorized to perform: events:PutEvents "
                f"on resource: {bus.arn}",
            )
        receiver.receive(bus, job.received.forward(cross_region=region != service.region))
        return "delivered"

    def _bus_allows(self, job: Attempt, bus: EventBus) -> bool:
        """Whether another account's bus policy lets this account put the event (logged)."""
        account = self.service.account_id
        return self.service.ctx.check_delivery(
            source=job.rule.arn,
            target=bus.arn,
            principal=Principal.root(account).arn,
            action="events:PutEvents",
            policy=bus.policy,
            context={
                "aws:PrincipalAccount": account,
                "aws:SourceArn": job.rule.arn,
                "aws:SourceAccount": account,
            },
            what="event bus policy",
        ).delivered

    def _wire(self, arn: str, name: str, operation: str, params: Mapping[str, Any]) -> Any:
        """Call a neighbour's wire handler, or raise KeyError when awsmon lacks the service."""
        api = registry.spec(name).load_api()(self.service.ctx.service_at(parsed_arn(arn), name))
        method = api.operations.get(operation)
        if method is None:
            raise KeyError(operation)
        with self.as_events():
            return getattr(api, method)(api.params(params))

    def _to_kinesis(self, job: Attempt) -> str:
        key = job.received.event["id"]
        path = job.target.partition_key_path
        if path:
            found = InputPath.compile(path, target_id=job.target.id).apply(
                job.received.event, rule_arn="", rule_name="", ingestion_time=job.received.at
            )
            value = jsondoc.loads(found) if found else None
            if value is None:
                raise DeliveryFailed(
                    "INVALID_PARAMETER", f"PartitionKeyPath {path} selects nothing."
                )
            key = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        params = {
            "StreamName": _resource_name(job.target.arn),
            "Data": job.body.encode(),
            "PartitionKey": key,
        }
        return self._optional(job.target.arn, "kinesis", [("PutRecord", params)])

    def _to_firehose(self, job: Attempt) -> str:
        params = {
            "DeliveryStreamName": _resource_name(job.target.arn),
            "Record": {"Data": job.body.encode()},
        }
        return self._optional(job.target.arn, "firehose", [("PutRecord", params)])

    def _to_logs(self, job: Attempt) -> str:
        group = _resource_name(job.target.arn)
        if group.endswith(":*"):
            group = group[:-2]
        self._check_logs_policy(job)
        stream = job.received.event["id"]
        millis = int(job.received.at.timestamp() * 1000)
        calls = [
            ("CreateLogStream", {"logGroupName": group, "logStreamName": stream}),
            (
                "PutLogEvents",
                {
                    "logGroupName": group,
                    "logStreamName": stream,
                    "logEvents": [{"timestamp": millis, "message": job.body}],
                },
            ),
        ]
        return self._optional(job.target.arn, "logs", calls)

    def _check_logs_policy(self, job: Attempt) -> None:
        """The account's Logs resource policies must let EventBridge write to the group."""
        try:
            logs = self.service.ctx.service_at(parsed_arn(job.target.arn), "logs")
        except KeyError:
            return
        statements: list[Any] = []
        for found in logs.resource_policies.values():
            try:
                document = jsondoc.loads(found.document)
            except ValueError:
                continue
            raw = document.get("Statement", []) if isinstance(document, dict) else []
            statements.extend(raw if isinstance(raw, list) else [raw])
        policy = {"Version": "2012-10-17", "Statement": statements} if statements else None
        arn = job.target.arn if job.target.arn.endswith(":*") else f"{job.target.arn}:*"
        self.check_policy(policy, "logs:PutLogEvents", arn, job.rule)

    def _optional(
        self, arn: str, service: str, calls: Sequence[tuple[str, Mapping[str, Any]]]
    ) -> str:
        try:
            registry.spec(service)
        except KeyError:
            return "recorded"
        for operation, params in calls:
            try:
                self._wire(arn, service, operation, params)
            except KeyError:
                return "recorded"
            except ServiceError as error:
                if error.code != "ResourceAlreadyExistsException":
                    raise
        return "delivered"

    def as_events(self) -> Any:
        """A context in which calls run as the EventBridge service principal."""
        return self.service.ctx.as_principal(
            Principal.service(EVENTS_PRINCIPAL, self.service.account_id)
        )
