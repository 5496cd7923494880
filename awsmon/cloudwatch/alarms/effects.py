"""What an alarm's state change does outside the alarms: actions and the EventBridge event.

`AlarmEffects` is the alarm owner's (`awsmon.cloudwatch.alarms.store.Alarms`)
collaborator for the world outside CloudWatch. It keeps nothing: the owner
records what it returns.

- `AlarmEffects.run_actions`: carry out the actions of the state an alarm
  entered: SNS publish, Lambda invoke, or the service named in
  `awsmon.cloudwatch.alarms.actions.ACTION_ROUTES` when one is registered;
  otherwise the action is recorded only. Each becomes an `ActionInvocation`.
- `AlarmEffects.state_change_event`: the "CloudWatch Alarm State Change"
  event, put on the default event bus when an ``events`` service is
  registered (through its ``put_aws_event(source=, detail_type=, detail=,
  resources=, time=)`` method).

Simulation notes:
    Actions run as the service principal ``cloudwatch.amazonaws.com``
    (Lambda: ``lambda.alarms.cloudwatch.amazonaws.com``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from attrs import evolve

from awsmon import registry
from awsmon.arn import Arn
from awsmon.cloudwatch.alarms.actions import (
    ACTION_ROUTES,
    action_kind,
    lambda_payload,
    sns_message,
    sns_subject,
    state_change_event,
)
from awsmon.cloudwatch.alarms.history import Previous
from awsmon.cloudwatch.alarms.records import ActionInvocation, Alarm
from awsmon.dispatch import ServiceContext
from awsmon.errors import ServiceError
from awsmon.identity import Principal

__all__ = ["AlarmEffects"]

_CLOUDWATCH = "cloudwatch.amazonaws.com"
"""The service principal alarms publish to SNS topics as."""

_ALARMS_LAMBDA = "lambda.alarms.cloudwatch.amazonaws.com"
"""The service principal alarms invoke Lambda functions as (named in the function policy)."""


def _registered(name: str) -> bool:
    try:
        registry.spec(name)
    except KeyError:
        return False
    return True


class AlarmEffects:
    """Alarm actions and state-change events of the CloudWatch service at `ctx` (see the module)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def _target(self, arn: str, name: str) -> Any:
        """The service `name` that holds the action's target.

        EC2's ``arn:aws:automate:<region>:ec2:<action>`` ARNs name no account
        (their account part is ``ec2``): they act in the alarm's own account.
        """
        parsed = Arn.parse(arn)
        if not parsed.account_id.isdecimal():
            parsed = evolve(parsed, account_id="")
        return self._ctx.service_at(parsed, name)

    def run_actions(
        self,
        alarm: Alarm,
        previous: Previous,
        at: datetime,
        *,
        only_kinds: frozenset[str] | None = None,
        triggering: list[dict[str, Any]] | None = None,
    ) -> Iterator[ActionInvocation]:
        """Carry out the actions of the state `alarm` is in (when its actions are enabled).

        Each action runs when the caller asks for its invocation, so the caller
        records one before the next runs (an action may reach back into CloudWatch).

        Args:
            previous: the state it left, for the messages.
            only_kinds: run only actions of these kinds (Auto Scaling repeats).
            triggering: composite alarms: the children that triggered, for SNS.

        Yields:
            One invocation per action, in the alarm's order.
        """
        if not alarm.actions_enabled:
            return
        for arn in alarm.actions_for(alarm.state):
            kind = action_kind(arn) or "unknown"
            if only_kinds is None or kind in only_kinds:
                yield self._run_one(alarm, arn, kind, previous, at, triggering)

    def _run_one(
        self,
        alarm: Alarm,
        arn: str,
        kind: str,
        previous: Previous,
        at: datetime,
        triggering: list[dict[str, Any]] | None,
    ) -> ActionInvocation:
        ctx = self._ctx
        payload: Any = None
        outcome, error = "Recorded", None
        handler: Any = None
        try:
            if kind == "sns":
                payload = sns_message(
                    alarm,
                    account_id=ctx.account_id,
                    region=ctx.region,
                    previous=previous[0],
                    at=at,
                    triggering=triggering,
                )
                if _registered("sns"):
                    sns = self._target(arn, "sns")
                    error = self._refusal(alarm, arn, "sns:Publish", sns.topic(arn).attributes)
                    if error is None:
                        with ctx.as_principal(Principal.service(_CLOUDWATCH, ctx.account_id)):
                            sns.publish(
                                arn, payload, subject=sns_subject(alarm, alarm.state, ctx.region)
                            )
                    outcome = "Succeeded" if error is None else "Failed"
            elif kind == "lambda":
                payload = lambda_payload(
                    alarm, account_id=ctx.account_id, region=ctx.region, previous=previous, at=at
                )
                if _registered("lambda_"):
                    functions = self._target(arn, "lambda_")
                    statements = functions.function(arn).policy
                    policy = {"Version": "2012-10-17", "Statement": statements}
                    error = self._refusal(
                        alarm,
                        arn,
                        "lambda:InvokeFunction",
                        {"Policy": policy if statements else None},
                    )
                    if error is None:
                        with ctx.as_principal(Principal.service(_ALARMS_LAMBDA, ctx.account_id)):
                            functions.invoke(arn, payload, invocation_type="Event")
                    outcome = "Succeeded" if error is None else "Failed"
            else:
                payload = {
                    "alarmName": alarm.name,
                    "alarmArn": alarm.arn,
                    "state": alarm.state.value,
                    "previousState": previous[0].value,
                    "action": arn,
                }
                route = ACTION_ROUTES.get(kind)
                if route is not None and _registered(route):
                    handler = getattr(self._target(arn, route), "handle_alarm_action", None)
                    if callable(handler):
                        outcome = "Succeeded"
        except ServiceError as failure:
            outcome, error = "Failed", failure.message
        invocation = ActionInvocation(
            at=at,
            alarm_name=alarm.name,
            alarm_arn=alarm.arn,
            action_arn=arn,
            kind=kind,
            state=alarm.state,
            previous_state=previous[0],
            payload=payload,
            outcome=outcome,
            error=error,
        )
        if callable(handler):
            try:
                handler(invocation)
            except ServiceError as failure:
                invocation = evolve(invocation, outcome="Failed", error=failure.message)
        return invocation

    def _refusal(
        self, alarm: Alarm, arn: str, action: str, attributes: Mapping[str, Any]
    ) -> str | None:
        """Why the target's policy refuses the alarm's action (None: it may go ahead).

        SNS topics: CloudWatch publishes as ``cloudwatch.amazonaws.com`` with
        ``aws:SourceArn`` (the alarm), ``aws:SourceAccount`` and ``AWS:SourceOwner``
        (what the default topic policy checks); Lambda functions: as
        ``lambda.alarms.cloudwatch.amazonaws.com`` against the function policy.
        """
        ctx = self._ctx
        principal = _CLOUDWATCH if action.startswith("sns:") else _ALARMS_LAMBDA
        check = ctx.check_delivery(
            source=alarm.arn,
            target=arn,
            principal=principal,
            action=action,
            policy=attributes.get("Policy"),
            context={
                "aws:SourceArn": alarm.arn,
                "aws:SourceAccount": ctx.account_id,
                "AWS:SourceOwner": ctx.account_id,
            },
            what="topic policy" if action.startswith("sns:") else "function policy",
        )
        if check.delivered and action.startswith("sns:"):
            refused = ctx.check_key(
                attributes.get("KmsMasterKeyId"),
                source=alarm.arn,
                target=arn,
                principal=principal,
                account_id=arn.split(":")[4],
                region=arn.split(":")[3],
            )
            if refused is not None:
                return (
                    f'Failed to execute action {arn}. Received error: "CloudWatch Alarms does '
                    f'not have authorization to access the SNS topic encryption key." '
                    f"({refused.reason})"
                )
        if check.delivered:
            return None
        return (
            f'Failed to execute action {arn}. Received error: "Resource: {alarm.arn} is not '
            f'authorized to perform: {action} on resource: {arn}" ({check.reason})'
        )

    def state_change_event(self, alarm: Alarm, previous: Previous) -> dict[str, Any]:
        """Put the state-change event of `alarm` on the default bus, and return it."""
        ctx = self._ctx
        event = state_change_event(
            alarm,
            event_id=ctx.ids.uuid(),
            account_id=ctx.account_id,
            region=ctx.region,
            previous=previous,
            at=alarm.state_updated_at,
        )
        if _registered("events"):
            put = getattr(ctx.sibling("events"), "put_aws_event", None)
            if callable(put):
                event_id = put(
                    source=event["source"],
                    detail_type=event["detail-type"],
                    detail=event["detail"],
                    resources=event["resources"],
                    time=alarm.state_updated_at,
                )
                if isinstance(event_id, str):
                    event["id"] = event_id
        return event
