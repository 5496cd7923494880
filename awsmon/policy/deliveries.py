"""The delivery log: every policy check a service-to-service delivery made, and the switch.

Each cloud owns one `DeliveryLog` (``Cloud(policies=...)``). A service that
delivers to another (SNS → SQS, EventBridge → Lambda, Logs export → S3 ...)
asks `DeliveryLog.check` with the target's policy and the context AWS
supplies; the answer says whether to deliver, and the check is recorded as a
`Delivery` the user reads with ``cloud.deliveries(failed=True)``.

Modes: ``enforce`` (AWS's behaviour: a refused delivery does not happen),
``warn`` (delivers, but records the refusal), ``off`` (delivers everything,
records nothing: for tests ported from simulators that ignore policies).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from attrs import frozen

from awsmon.policy.document import Context, Decision, MalformedPolicy, PolicyDocument, Verdict

__all__ = ["MODES", "Delivery", "DeliveryLog"]

MODES = ("enforce", "warn", "off")
"""The values of ``Cloud(policies=...)``."""

_KEPT = 100_000
"""How many checks the log keeps (the oldest go first)."""


@frozen
class Delivery:
    """One delivery's policy check.

    Attributes:
        at: the virtual instant of the check.
        source: the sender's ARN (the topic, rule, alarm, log group ...).
        target: the receiver's ARN (the queue, function, bucket ...).
        principal: who the sender acts as (``sns.amazonaws.com``).
        action: the action checked (``sqs:SendMessage``).
        allowed: whether the policy allows it.
        delivered: whether the delivery went ahead (refused ones do in ``warn`` mode).
        reason: the decision in words.
        statement: the deciding statement's Sid or position, or None.
    """

    at: datetime
    source: str
    target: str
    principal: str
    action: str
    allowed: bool
    delivered: bool
    reason: str
    statement: str | None = None

    @property
    def not_authorized(self) -> str:
        """AWS's wording of a refusal by a resource policy (the services' AccessDenied message)."""
        return (
            f"User: {self.principal} is not authorized to perform: {self.action} on resource: "
            f"{self.target} because no resource-based policy allows the {self.action} action"
        )

    @property
    def failed(self) -> bool:
        """True when the policy refused the delivery (whether or not it went ahead)."""
        return not self.allowed

    @property
    def summary(self) -> str:
        """One line: the outcome, who asked to do what, from where to where."""
        outcome = "allowed" if self.allowed else "refused"
        if not self.allowed and self.delivered:
            outcome = "refused (delivered anyway)"
        return (
            f"{outcome}: {self.principal} {self.action} from {self.source} to {self.target}"
        )

    def explain(self) -> str:
        """Why the delivery went ahead or not, in words, over a few lines.

        The outcome and the request; the deciding statement of the target's
        policy (the Allow that let it in, the Deny that refused it) or the lack
        of one; the evaluator's reason; what happened to the delivery under
        ``Cloud(policies=...)``; and for a refusal, what would let it through.

        >>> from datetime import UTC, datetime
        >>> print(Delivery(datetime(2025, 6, 1, tzinfo=UTC), "arn:aws:sns:us-east-1:1:t",
        ...     "arn:aws:sqs:us-east-1:1:q", "sns.amazonaws.com", "sqs:SendMessage",
        ...     True, True, "statement 'FromTopic' of the queue policy allows ...",
        ...     "FromTopic").explain())
        allowed: sns.amazonaws.com sqs:SendMessage from arn:aws:sns:us-east-1:1:t to arn:aws:sqs:us-east-1:1:q
          at: 2025-06-01 00:00:00 UTC
          decided by: statement 'FromTopic' (an Allow)
          why: statement 'FromTopic' of the queue policy allows ...
          outcome: delivered
        """  # noqa: E501 - a doctest's output is one line
        lines = [self.summary, f"  at: {self.at:%Y-%m-%d %H:%M:%S} UTC"]
        if self.statement is not None:
            name = f"statement #{self.statement[1:]}" if self.statement.startswith("#") else (
                f"statement {self.statement!r}"
            )
            effect = "an Allow" if self.allowed else "an explicit Deny, which beats any Allow"
            lines.append(f"  decided by: {name} ({effect})")
        elif not self.allowed:
            lines.append("  decided by: no statement (nothing allows it: an implicit deny)")
        lines.append(f"  why: {self.reason}")
        if self.allowed:
            lines.append("  outcome: delivered")
        elif self.delivered:
            lines.append('  outcome: delivered anyway (Cloud(policies="warn") only records it)')
        else:
            lines.append('  outcome: not delivered (Cloud(policies="enforce"), as in AWS)')
        if not self.allowed:
            lines.append(f"  to allow it: {self._remedy()}")
        return "\n".join(lines)

    def _remedy(self) -> str:
        if self.statement is not None:
            return (
                f"narrow or remove the Deny statement, then allow {self.principal} "
                f"{self.action} on {self.target}"
            )
        if self.action == "kms:GenerateDataKey":
            return f"let {self.principal} use the key in its key policy (kms:GenerateDataKey)"
        return (
            f"add a statement to the target's policy allowing {self.principal} {self.action} "
            f"on {self.target} (awsmon.policy.guides has the policies AWS's guides give)"
        )


class DeliveryLog:
    """The policy checks of one cloud's deliveries, and the ``policies`` switch.

    Args:
        mode: ``enforce``, ``warn`` or ``off``.

    Raises:
        ValueError: another mode.
    """

    def __init__(self, mode: str = "enforce") -> None:
        if mode not in MODES:
            raise ValueError(f"policies must be one of {', '.join(MODES)}, got {mode!r}")
        self.mode = mode
        self._checks: deque[Delivery] = deque(maxlen=_KEPT)

    def check(
        self,
        at: datetime,
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
        """Check one delivery against the target's `policy`, and record the check.

        Args:
            at: now.
            source: the sender's ARN.
            target: the receiver's ARN.
            principal: who the sender acts as.
            action: the action AWS checks.
            policy: the target's policy (text, decoded, or parsed), None when it has none.
            resource: the resource checked (the target by default).
            context: the condition keys AWS supplies (``aws:SourceArn`` ...).
            what: how the reason names the policy (``queue policy``).

        Returns:
            The check: deliver when its `delivered` is true. With policies
            ``off``, an allowed check that is not recorded.
        """
        if self.mode == "off":
            return Delivery(at, source, target, principal, action, True, True, "policies are off")
        verdict = _verdict(policy, principal, action, resource or target, context, what)
        statement = verdict.statement
        allowed = verdict.decision is Decision.ALLOW
        found = Delivery(
            at,
            source,
            target,
            principal,
            action,
            allowed,
            allowed or self.mode == "warn",
            verdict.reason,
            None if statement is None else (statement.sid or f"#{statement.index + 1}"),
        )
        self._checks.append(found)
        return found

    def refuse(
        self,
        at: datetime,
        *,
        source: str,
        target: str,
        principal: str,
        action: str,
        reason: str,
    ) -> Delivery:
        """Record a refusal decided elsewhere (a KMS key policy, a missing role).

        With policies ``off``, an allowed check that is not recorded.
        """
        if self.mode == "off":
            return Delivery(at, source, target, principal, action, True, True, "policies are off")
        found = Delivery(
            at, source, target, principal, action, False, self.mode == "warn", reason
        )
        self._checks.append(found)
        return found

    def deliveries(
        self, *, failed: bool | None = None, source: str | None = None, target: str | None = None
    ) -> list[Delivery]:
        """The recorded checks, oldest first: refused (or allowed) ones, of a source/target."""
        return [
            d
            for d in self._checks
            if (failed is None or d.failed == failed)
            and (source is None or d.source == source)
            and (target is None or d.target == target)
        ]

    def __iter__(self) -> Iterator[Delivery]:
        return iter(self._checks)

    def __len__(self) -> int:
        return len(self._checks)


def _verdict(
    policy: str | PolicyDocument | dict[str, Any] | None,
    principal: str,
    action: str,
    resource: str,
    context: Context | None,
    what: str,
) -> Verdict:
    if policy is None or policy == "" or policy == {}:
        return Verdict(
            Decision.IMPLICIT_DENY,
            None,
            f"{resource} has no {what}, so nothing allows {principal} to {action}",
        )
    try:
        if isinstance(policy, str):  # the usual case: the policy's text
            document = PolicyDocument.parse(policy)
        elif isinstance(policy, PolicyDocument):
            document = policy
        else:
            document = PolicyDocument.from_data(policy)
    except MalformedPolicy as exc:
        reason = f"the {what} of {resource} is malformed: {exc}"
        return Verdict(Decision.IMPLICIT_DENY, None, reason)
    return document.explain(principal, action, resource, context, what=what)
