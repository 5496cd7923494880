"""How EventBridge hands a matched event to each target: delivery, retries, dead letters.

`Deliverer` is the part of `awsmon.events.service.EventBridge` that, for one
rule and one target, works out what the target receives (Input, InputPath,
InputTransformer), hands it to the neighbouring service behind the target ARN
(through `awsmon.events.destinations`),
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

import json
from datetime import timedelta

from awsmon.errors import ServiceError
from awsmon.events.destinations import (
    EVENTS_PRINCIPAL,
    EVENTS_SENDER_ID,
    Attempt,
    BusReceiver,
    DeliveryFailed,
    DeliveryHost,
    Destinations,
    TargetFault,
    parsed_arn,
)
from awsmon.events.model import Invocation, Received, Rule, Target
from awsmon.events.transform import TransformationFailed, WholeEvent
from awsmon.neighbours.sqs import MessageAttribute

__all__ = [
    "EVENTS_PRINCIPAL",
    "EVENTS_SENDER_ID",
    "RETRIABLE",
    "BusReceiver",
    "Deliverer",
    "DeliveryHost",
    "TargetFault",
]

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


class Deliverer:
    """Delivers matched events to targets for one `EventBridge` service instance."""

    def __init__(self, service: DeliveryHost) -> None:
        self.service = service
        self.destinations = Destinations(service)

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
                job = Attempt(rule, target, received, failed.text)
                self._failed(
                    job, DeliveryFailed("INVALID_JSON", "Transformed input is not valid JSON.")
                )
                return
        self._attempt(Attempt(rule, target, received, body))

    # -- one attempt -----------------------------------------------------------------

    def _attempt(self, job: Attempt) -> None:
        service = self.service
        target = job.target
        try:
            fault = service.target_faults.get(target.arn)
            if fault is not None and fault.remaining != 0:
                if fault.remaining is not None:
                    fault.remaining -= 1
                raise DeliveryFailed(fault.error_code, fault.error_message)
            outcome = self.destinations.send(job)
        except DeliveryFailed as failed:
            self._failed(job, failed)
            return
        self._record(job, succeeded=True, outcome=outcome)
        service.count("Invocations", job.rule)

    def _record(
        self,
        job: Attempt,
        *,
        succeeded: bool,
        outcome: str,
        error: DeliveryFailed | None = None,
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

    def _failed(self, job: Attempt, failed: DeliveryFailed) -> None:
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
        seconds = ceiling / 2 + service.ctx.rng.uniform(0, ceiling / 2)
        return timedelta(seconds=seconds)

    def _dead_letter(
        self, job: Attempt, failed: DeliveryFailed, retries_done: int, exhausted: str | None
    ) -> bool:
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
            sqs = self.service.ctx.service_at(parsed_arn(arn), "sqs")
            queue = sqs.queue(arn)
            self.destinations.check_policy(
                queue.settings.get("Policy"), "sqs:SendMessage", arn, job.rule
            )
            sqs.deliver(
                arn,
                body,
                sender_id=EVENTS_SENDER_ID,
                message_attributes={
                    name: MessageAttribute("String", value, None)
                    for name, value in sorted(attributes.items())
                },
            )
        except (ServiceError, KeyError, IndexError, DeliveryFailed):
            return False
        return True
