"""The door every service-to-service delivery goes through: `DeliveryChecks`.

A mixin of `awsmon.dispatch.ServiceContext`: a service asks its context
whether a delivery may go ahead (``ctx.check_delivery``), whether a caller of
another account may reach a resource (``ctx.check_other_account``), and whether
the KMS key of an encrypted target lets the sender use it (``ctx.check_key``).
Each answer follows ``Cloud(policies=...)`` and is recorded in the cloud's
`DeliveryLog` (``cloud.deliveries()``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from awsmon.errors import ServiceError
from awsmon.identity import Principal
from awsmon.policy.deliveries import Delivery
from awsmon.policy.document import Context, PolicyDocument

__all__ = ["DeliveryChecks"]


class _Host(Protocol):
    """What the checks need of the context they are mixed into."""

    @property
    def account_id(self) -> str: ...
    @property
    def cloud(self) -> Any: ...
    @property
    def spec(self) -> Any: ...
    @property
    def principal(self) -> Principal: ...
    def now(self) -> datetime: ...
    def note(self, kind: str, summary: str, **detail: Any) -> None: ...
    def sibling(
        self, name: str, *, account_id: str | None = None, region: str | None = None
    ) -> Any: ...
    def check_delivery(
        self,
        *,
        source: str,
        target: str,
        principal: str,
        action: str,
        policy: str | PolicyDocument | dict[str, Any] | None,
        resource: str | None = None,
        context: Context | None = None,
        what: str = "resource policy",
    ) -> Delivery: ...
    def refuse_delivery(
        self, *, source: str, target: str, principal: str, action: str, reason: str
    ) -> Delivery: ...


class DeliveryChecks:
    """Policy checks of deliveries between services (mixed into `ServiceContext`)."""

    def check_delivery(
        self: _Host,
        *,
        source: str,
        target: str,
        principal: str,
        action: str,
        policy: str | PolicyDocument | dict[str, Any] | None,
        resource: str | None = None,
        context: Context | None = None,
        what: str = "resource policy",
    ) -> Delivery:
        """Ask the target's resource policy whether a delivery may go ahead, and log the check.

        The one door every service-to-service delivery goes through (SNS → SQS,
        EventBridge → Lambda ...): the answer follows ``Cloud(policies=...)``
        and lands in ``cloud.deliveries()``. Deliver when ``.delivered``; a
        refusal's ``.reason`` says why in words (``.explain()`` at more length)
        and it is a ``"delivery"`` moment of ``cloud.timeline()``.
        """
        found: Delivery = self.cloud.delivery_log.check(
            self.now(),
            source=source,
            target=target,
            principal=principal,
            action=action,
            policy=policy,
            resource=resource,
            context=context,
            what=what,
        )
        if not found.allowed:
            _note_refusal(self, found)
        return found

    def check_other_account(
        self: _Host,
        resource: str,
        owner: str,
        policy: str | PolicyDocument | dict[str, Any] | None,
        *,
        actions: Mapping[str, str] | None = None,
    ) -> Delivery | None:
        """The refusal when a principal of another account may not act on `resource`, or None.

        For a service whose operation reached a resource of account `owner`
        (a queue URL, topic, stream, key or function ARN of another account):
        only the resource policy can let the caller in, as in AWS. Asked only
        for this service's own operations called by a principal (not for a
        service delivering: those ask `check_delivery`); the action is
        ``<arn service>:<operation>`` unless `actions` renames the operation
        (``{"SendMessageBatch": "SendMessage", "Invoke": "InvokeFunction"}``).
        Follows ``Cloud(policies=...)`` and lands in ``cloud.deliveries()``.
        """
        who = self.principal
        if who.account_id == owner or who.type == "AWSService":
            return None
        current = self.cloud.dispatcher.current_operation()
        if current is None or current[0] != self.spec.botocore_name:
            return None
        operation = (actions or {}).get(current[1], current[1])
        check = self.check_delivery(
            source=who.arn,
            target=resource,
            principal=who.arn,
            action=f"{self.spec.arn_service}:{operation}",
            policy=policy,
            context={"aws:PrincipalAccount": who.account_id},
        )
        return None if check.delivered else check

    def check_key(
        self: _Host,
        key_id: str | None,
        *,
        source: str,
        target: str,
        principal: str,
        account_id: str | None = None,
        region: str | None = None,
    ) -> Delivery | None:
        """The refusal when the KMS key encrypting `target` does not let `principal` use it.

        For a service delivering to an encrypted queue or topic (SNS → SQS,
        EventBridge → SQS, an alarm → SNS): it needs ``kms:GenerateDataKey``
        from the key policy. AWS managed keys (``alias/aws/sqs``, ``alias/aws/sns``)
        serve only their own service in the account, so no other service can
        deliver. None when there is no key or the key allows it.

        Args:
            key_id: the target's ``KmsMasterKeyId`` (key id, ARN or alias), None when plain.
            account_id / region: where the key id is resolved (the target's place).
        """
        if not key_id:
            return None
        check: Delivery
        action = "kms:GenerateDataKey"
        if key_id.startswith("alias/aws/") or ":alias/aws/" in key_id:
            check = self.refuse_delivery(
                source=source,
                target=target,
                principal=principal,
                action=action,
                reason=f"the AWS managed key {key_id} serves only its own service, "
                f"so {principal} cannot encrypt with it; use a customer managed key",
            )
            return None if check.delivered else check
        try:
            kms = self.sibling("kms", account_id=account_id, region=region)
            key = kms.key(key_id)
        except (KeyError, ValueError, ServiceError):
            check = self.refuse_delivery(
                source=source,
                target=target,
                principal=principal,
                action=action,
                reason=f"the KMS key {key_id} of {target} does not exist",
            )
            return None if check.delivered else check
        state = getattr(getattr(key, "state", None), "value", "Enabled")
        if state != "Enabled":
            check = self.refuse_delivery(
                source=source,
                target=target,
                principal=principal,
                action=action,
                reason=f"the KMS key {key.arn} of {target} is {state}",
            )
        else:
            check = self.check_delivery(
                source=source,
                target=target,
                principal=principal,
                action=action,
                policy=key.policy,
                resource=key.arn,
                context={"aws:SourceArn": source, "aws:SourceAccount": self.account_id},
                what="key policy",
            )
        return None if check.delivered else check

    def refuse_delivery(
        self: _Host, *, source: str, target: str, principal: str, action: str, reason: str
    ) -> Delivery:
        """Log a delivery refused for a reason decided elsewhere (a KMS key policy)."""
        found: Delivery = self.cloud.delivery_log.refuse(
            self.now(),
            source=source,
            target=target,
            principal=principal,
            action=action,
            reason=reason,
        )
        if not found.allowed:
            _note_refusal(self, found)
        return found


def _note_refusal(host: _Host, found: Delivery) -> None:
    """Put a refused delivery on the cloud's timeline (a ``"delivery"`` moment)."""
    host.note(
        "delivery",
        found.summary,
        source=found.source,
        target=found.target,
        principal=found.principal,
        action=found.action,
        allowed=False,
        delivered=found.delivered,
        statement=found.statement,
        reason=found.reason,
    )
