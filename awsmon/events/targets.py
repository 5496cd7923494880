"""How EventBridge hands a matched event to each target: delivery, retries, dead letters.

`Deliverer` is the part of `awsmon.events.service.EventBridge` that, for one
rule and one target, works out what the target receives (Input, InputPath,
InputTransformer), hands it to the neighbouring service behind the target ARN,
and on failure retries with back-off on the virtual clock and finally sends
the event to the target's dead-letter queue. Every attempt is appended to
``EventBridge.invocations`` (an `Invocation`), so a test can see what arrived
and what failed, and counted in the ``AWS/Events`` metrics (Invocations,
FailedInvocations, InvocationsSentToDLQ, InvocationsFailedToBeSentToDLQ,
RetryInvocationAttempts) by rule name.

Targets, by the service in their ARN:

- ``sqs``: the queue (FIFO: ``SqsParameters.MessageGroupId``, and the event id
  as deduplication id), through `SQS.deliver`;
- ``sns``: the topic, published as the EventBridge service principal;
- ``lambda``: the function, invoked asynchronously (``Event``) with the input;
- ``kinesis`` (``PutRecord``, partition key from ``PartitionKeyPath`` or the
  event id), ``firehose`` (``PutRecord``) and ``logs`` (a log stream named
  after the event id, then ``PutLogEvents``) through those services' wire
  APIs once they are registered in awsmon;
- ``events``: another bus, of this or another account or region;
- anything else (Step Functions, ECS, API destinations ...), and the services
  above while awsmon has no simulation of them: recorded (outcome
  ``recorded``) and counted as delivered.

Permissions (reference errata): EventBridge needs the target's resource
policy for SQS, SNS and Lambda targets and for a dead-letter queue —
``events.amazonaws.com`` allowed ``sqs:SendMessage``, ``sns:Publish`` or
``lambda:InvokeFunction``, with ``aws:SourceArn`` (the rule ARN) and
``aws:SourceAccount`` in the condition context; PutTargets does not add it.
A cross-account bus target needs the receiving bus's policy to allow the
sender account ``events:PutEvents``. Without it the attempt fails with
``NO_PERMISSIONS`` and is not retried.

Failures (error types as the DLQ's ``ERROR_CODE`` names them): ``NO_RESOURCE``,
``NO_PERMISSIONS``, ``INVALID_JSON`` (an InputTransformer produced invalid
JSON), ``INVALID_PARAMETER``, ``THIRD_ACCOUNT_HOP_DETECTED`` /
``THIRD_REGION_HOP_DETECTED`` (an event that came from another bus sent on to
a third) are not retried; ``THROTTLING``, ``INTERNAL_ERROR`` and ``TIMEOUT``
are retried until ``MaximumRetryAttempts`` or ``MaximumEventAgeInSeconds`` is
exhausted. The dead-letter message body is the event; its attributes are
``RULE_ARN``, ``TARGET_ARN``, ``ERROR_CODE``, ``ERROR_MESSAGE``,
``RETRY_ATTEMPTS`` and, when a retry limit ended the delivery,
``EXHAUSTED_RETRY_CONDITION``.

Simulation notes:
    - Back-off (UNCONFIRMED in AWS): the n-th retry waits ``d/2 + U(0, d/2)``
      with ``d = min(retry_cap, retry_base * 2**(n-1))`` (1 s and 300 s by
      default, attributes of the service), U drawn from the cloud's seeded
      random source.
    - `EventBridge.fail_target` makes a target fail on purpose (any error
      type, retriable or not, a number of times), to exercise retries.
    - CloudWatch Logs resource policies are not checked (awsmon's Logs has none
      to read); Kinesis and Firehose targets need a RoleArn in AWS, which is
      not checked either.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from attrs import define, field

from awsmon.errors import AccessDenied, InternalFailure, NotFound, ServiceError, Throttled
from awsmon.events.model import Invocation, Rule, Target
from awsmon.events.transform import InputPath, TransformationFailed, WholeEvent
from awsmon.identity import Principal

if TYPE_CHECKING:
    from awsmon.events.service import EventBridge, Received
    from awsmon.policy import PolicyDocument

__all__ = ["EVENTS_PRINCIPAL", "EVENTS_SENDER_ID", "RETRIABLE", "Deliverer", "TargetFault"]

EVENTS_PRINCIPAL = "events.amazonaws.com"
"""The service principal EventBridge acts as toward targets."""

EVENTS_SENDER_ID = "AIDAIEVENTSBRIDGE0000"
"""The ``SenderId`` SQS records for messages EventBridge sends (simulated)."""

RETRIABLE = frozenset(
    {
        "CONNECTION_FAILURE",
        "INTERNAL_ERROR",
        "RESOURCE_LIMIT_EXCEEDED",
        "RESOURCE_MODIFICATION_COLLISION",
        "SDK_CLIENT_ERROR",
        "THROTTLING",
        "TIMEOUT",
    }
)
"""Error types EventBridge retries; every other type goes straight to the DLQ."""


@functools.lru_cache(maxsize=64)  # a target's policy is the same text event after event
def _parsed_policy(text: str) -> PolicyDocument | None:
    """The (immutable) policy document of `text`, or None when it is malformed."""
    from awsmon.policy import MalformedPolicy, PolicyDocument

    try:
        return PolicyDocument.parse(text)
    except MalformedPolicy:
        return None


class _Failed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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


@define
class _Attempt:
    rule: Rule
    target: Target
    received: Received
    body: str
    attempt: int = 1
    done: bool = field(default=False)


def _place(service: EventBridge, arn: str) -> Any:
    parts = arn.split(":")
    return service.ctx.cloud.account(parts[4]).region(parts[3])


def _resource_name(arn: str) -> str:
    """The name after ``type/`` or ``type:`` (whichever comes first) in an ARN's resource."""
    resource = arn.split(":", 5)[5]
    cut = min((i for i in (resource.find("/"), resource.find(":")) if i >= 0), default=-1)
    return resource if cut < 0 else resource[cut + 1 :]


def _from_service_error(error: ServiceError) -> _Failed:
    if isinstance(error, NotFound):
        return _Failed("NO_RESOURCE", error.message)
    if isinstance(error, AccessDenied):
        return _Failed("NO_PERMISSIONS", error.message)
    if isinstance(error, Throttled):
        return _Failed("THROTTLING", error.message)
    if isinstance(error, InternalFailure) or error.http_status >= 500:
        return _Failed("INTERNAL_ERROR", error.message)
    return _Failed("INVALID_PARAMETER", error.message)


class Deliverer:
    """Delivers matched events to targets for one `EventBridge` service instance."""

    def __init__(self, service: EventBridge) -> None:
        self.service = service

    # -- entry point -----------------------------------------------------------------

    def deliver(self, rule: Rule, target: Target, received: Received) -> None:
        """Deliver `received` (matched by `rule`) to `target`, retrying as its policy says."""
        event = received.event
        if target.service == "events":
            body = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
        else:
            compiled = target.compiled or WholeEvent()
            try:
                body = compiled.apply(
                    event,
                    rule_arn=rule.arn,
                    rule_name=rule.name,
                    ingestion_time=received.ingested_at,
                )
            except TransformationFailed as failed:
                job = _Attempt(rule, target, received, failed.text)
                self._failed(job, _Failed("INVALID_JSON", "Transformed input is not valid JSON."))
                return
        self._attempt(_Attempt(rule, target, received, body))

    # -- one attempt -----------------------------------------------------------------

    def _attempt(self, job: _Attempt) -> None:
        service = self.service
        target = job.target
        try:
            fault = service.target_faults.get(target.arn)
            if fault is not None and fault.remaining != 0:
                if fault.remaining is not None:
                    fault.remaining -= 1
                raise _Failed(fault.error_code, fault.error_message)
            outcome = self._send(job)
        except _Failed as failed:
            self._failed(job, failed)
            return
        self._record(job, succeeded=True, outcome=outcome)
        service.count("Invocations", job.rule)

    def _record(
        self,
        job: _Attempt,
        *,
        succeeded: bool,
        outcome: str,
        error: _Failed | None = None,
    ) -> None:
        failure = "" if error is None else f" ({error.code})"
        self.service.ctx.note(
            "delivery",
            f"rule {job.rule.name} → {job.target.arn} attempt {job.attempt}: {outcome}{failure}",
            rule=job.rule.name,
            target=job.target.arn,
            attempt=job.attempt,
            outcome=outcome,
            error=None if error is None else error.code,
        )
        self.service.invocations.append(
            Invocation(
                at=self.service.ctx.now(),
                rule_arn=job.rule.arn,
                target_id=job.target.id,
                target_arn=job.target.arn,
                event_id=job.received.event["id"],
                body=job.body,
                attempt=job.attempt,
                succeeded=succeeded,
                error_code=None if error is None else error.code,
                error_message=None if error is None else error.message,
                outcome=outcome,
            )
        )

    def _failed(self, job: _Attempt, failed: _Failed) -> None:
        service = self.service
        policy = job.target.retry_policy
        now = service.ctx.now()
        retries_done = job.attempt - 1
        exhausted: str | None = None
        if failed.code in RETRIABLE:
            age = now - job.received.ingested_at
            if retries_done >= policy.maximum_retry_attempts:
                exhausted = "MaximumRetryAttempts"
            else:
                delay = self._backoff(job.attempt)
                if age + delay > policy.maximum_event_age:
                    exhausted = "MaximumEventAgeInSeconds"
                else:
                    self._record(job, succeeded=False, outcome="retrying", error=failed)
                    service.count("RetryInvocationAttempts", job.rule)
                    job.attempt += 1
                    service.ctx.clock.call_later(
                        delay, self._attempt, job, name=f"events retry {job.target.arn}"
                    )
                    return
        service.count("Invocations", job.rule)
        service.count("FailedInvocations", job.rule)
        if job.target.dead_letter_arn is None:
            self._record(job, succeeded=False, outcome="dropped", error=failed)
            return
        sent = self._dead_letter(job, failed, retries_done, exhausted)
        self._record(
            job,
            succeeded=False,
            outcome="dead-lettered" if sent else "dead-letter-failed",
            error=failed,
        )
        service.count(
            "InvocationsSentToDLQ" if sent else "InvocationsFailedToBeSentToDLQ", job.rule
        )

    def _backoff(self, attempt: int) -> timedelta:
        service = self.service
        ceiling = min(service.retry_cap, service.retry_base * 2 ** (attempt - 1))
        seconds = ceiling / 2 + service.ctx.cloud.rng.uniform(0, ceiling / 2)
        return timedelta(seconds=seconds)

    def _dead_letter(
        self, job: _Attempt, failed: _Failed, retries_done: int, exhausted: str | None
    ) -> bool:
        from awsmon.neighbours.sqs import MessageAttribute

        arn = job.target.dead_letter_arn
        assert arn is not None
        attributes = {
            "RULE_ARN": job.rule.arn,
            "TARGET_ARN": job.target.arn,
            "ERROR_CODE": failed.code,
            "ERROR_MESSAGE": failed.message,
            "RETRY_ATTEMPTS": str(retries_done),
        }
        if exhausted is not None:
            attributes["EXHAUSTED_RETRY_CONDITION"] = exhausted
        body = json.dumps(job.received.event, separators=(",", ":"), ensure_ascii=False)
        try:
            sqs = _place(self.service, arn).service("sqs")
            queue = sqs.queue(arn)
            self._check_policy(queue.settings.get("Policy"), "sqs:SendMessage", arn, job.rule)
            sqs.deliver(
                arn,
                body,
                sender_id=EVENTS_SENDER_ID,
                message_attributes={
                    name: MessageAttribute("String", value, None)
                    for name, value in sorted(attributes.items())
                },
            )
        except (ServiceError, KeyError, IndexError, _Failed):
            return False
        return True

    # -- permissions -----------------------------------------------------------------

    def _check_policy(self, policy: str | None, action: str, resource: str, rule: Rule) -> None:
        if not self.service.enforce_target_policies:
            return
        allowed = False
        if policy:
            document = _parsed_policy(policy)
            if document is not None:
                context = {
                    "aws:SourceArn": rule.arn,
                    "aws:SourceAccount": self.service.account_id,
                }
                allowed = document.evaluate(EVENTS_PRINCIPAL, action, resource, context).allowed
        if not allowed:
            raise _Failed(
                "NO_PERMISSIONS",
                f"EventBridge is not authorized to perform: {action} on resource: {resource} "
                "because no resource-based policy allows it",
            )

    # -- the services ------------------------------------------------------------------

    def _send(self, job: _Attempt) -> str:
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
            raise _Failed(
                "INVALID_PARAMETER", f"Invalid target ARN {target.arn}: {error}"
            ) from None

    def _to_sqs(self, job: _Attempt) -> str:
        arn = job.target.arn
        sqs = _place(self.service, arn).service("sqs")
        queue = sqs.queue(arn)
        self._check_policy(queue.settings.get("Policy"), "sqs:SendMessage", arn, job.rule)
        fifo = queue.fifo
        sqs.deliver(
            arn,
            job.body,
            sender_id=EVENTS_SENDER_ID,
            group_id=job.target.message_group_id if fifo else None,
            deduplication_id=job.received.event["id"] if fifo else None,
        )
        return "delivered"

    def _to_sns(self, job: _Attempt) -> str:
        arn = job.target.arn
        sns = _place(self.service, arn).service("sns")
        topic = sns.topic(arn)
        self._check_policy(topic.attributes.get("Policy"), "sns:Publish", arn, job.rule)
        fifo = arn.endswith(".fifo")
        with self._as_events():
            sns.publish(
                arn,
                job.body,
                message_group_id=job.rule.name if fifo else None,
                message_deduplication_id=job.received.event["id"] if fifo else None,
            )
        return "delivered"

    def _to_lambda(self, job: _Attempt) -> str:
        arn = job.target.arn
        functions = _place(self.service, arn).service("lambda_")
        function = functions.function(arn)
        policy = None
        if function.policy:
            policy = json.dumps({"Version": "2012-10-17", "Statement": function.policy})
        self._check_policy(policy, "lambda:InvokeFunction", function.arn, job.rule)
        with self._as_events():
            functions.invoke(arn, job.body.encode(), invocation_type="Event")
        return "delivered"

    def _to_events(self, job: _Attempt) -> str:
        service = self.service
        arn = job.target.arn
        parts = arn.split(":")
        region, account = parts[3], parts[4]
        if job.received.forwarded:
            if region != service.region:
                raise _Failed("THIRD_REGION_HOP_DETECTED", "Unknown exception.")
            raise _Failed(
                "THIRD_ACCOUNT_HOP_DETECTED",
                "Events received from another event bus cannot be forwarded to this event bus.",
            )
        receiver: EventBridge = _place(service, arn).service("events")
        bus = receiver.buses.get(_resource_name(arn))
        if bus is None:
            raise _Failed("NO_RESOURCE", f"Event bus {_resource_name(arn)} does not exist.")
        if account != service.account_id and not receiver.allows_put_events(
            bus, Principal.root(service.account_id)
        ):
            raise _Failed(
                "NO_PERMISSIONS",
                f"Account {service.account_id} is not authorized to perform: events:PutEvents "
                f"on resource: {bus.arn}",
            )
        receiver.receive(bus, job.received.forward(cross_region=region != service.region))
        return "delivered"

    def _wire(self, arn: str, name: str, operation: str, params: Mapping[str, Any]) -> Any:
        """Call a neighbour's wire handler, or raise KeyError when awsmon lacks the service."""
        place = _place(self.service, arn)
        api = place.api(name)
        method = api.operations.get(operation)
        if method is None:
            raise KeyError(operation)
        with self._as_events():
            return getattr(api, method)(api.params(params))

    def _to_kinesis(self, job: _Attempt) -> str:
        key = job.received.event["id"]
        path = job.target.partition_key_path
        if path:
            found = InputPath.compile(path, target_id=job.target.id).apply(
                job.received.event, rule_arn="", rule_name="", ingestion_time=job.received.at
            )
            value = json.loads(found) if found else None
            if value is None:
                raise _Failed("INVALID_PARAMETER", f"PartitionKeyPath {path} selects nothing.")
            key = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        params = {
            "StreamName": _resource_name(job.target.arn),
            "Data": job.body.encode(),
            "PartitionKey": key,
        }
        return self._optional(job.target.arn, "kinesis", [("PutRecord", params)])

    def _to_firehose(self, job: _Attempt) -> str:
        params = {
            "DeliveryStreamName": _resource_name(job.target.arn),
            "Record": {"Data": job.body.encode()},
        }
        return self._optional(job.target.arn, "firehose", [("PutRecord", params)])

    def _to_logs(self, job: _Attempt) -> str:
        group = _resource_name(job.target.arn)
        if group.endswith(":*"):
            group = group[:-2]
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

    def _optional(
        self, arn: str, service: str, calls: Sequence[tuple[str, Mapping[str, Any]]]
    ) -> str:
        from awsmon import registry

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

    def _as_events(self) -> Any:
        return self.service.ctx.cloud.as_principal(
            Principal.service(EVENTS_PRINCIPAL, self.service.account_id)
        )
