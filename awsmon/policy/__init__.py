"""The IAM policy evaluator every resource policy goes through, and the delivery log.

- `awsmon.policy.wildcard`: ``*``/``?`` patterns, compiled, linear-time (pure).
- `awsmon.policy.conditions`: the Condition operators (pure).
- `awsmon.policy.document`: parsing, checking and evaluating documents (pure):
  `PolicyDocument.parse` (cached per text), `evaluate` → `Decision`,
  `explain` → `Verdict` (the deciding statement and the reason in words).
- `awsmon.policy.deliveries`: `Delivery` records and the cloud's `DeliveryLog`
  (the ``Cloud(policies="enforce" | "warn" | "off")`` switch).
- `awsmon.policy.checks`: `DeliveryChecks`, the context's ``check_delivery``,
  ``check_other_account``, ``check_key`` and ``refuse_delivery``.
- `awsmon.policy.guides`: the policies AWS's guides give for each flow (pure).
"""

from __future__ import annotations

from awsmon.policy.checks import DeliveryChecks
from awsmon.policy.conditions import OPERATORS, Condition, ConditionError
from awsmon.policy.deliveries import MODES, Delivery, DeliveryLog
from awsmon.policy.document import (
    Context,
    Decision,
    MalformedPolicy,
    PolicyDocument,
    Statement,
    Verdict,
    normalize_context,
)
from awsmon.policy.wildcard import Glob, wildcard_match

__all__ = [
    "MODES",
    "OPERATORS",
    "Condition",
    "ConditionError",
    "Context",
    "Decision",
    "Delivery",
    "DeliveryChecks",
    "DeliveryLog",
    "Glob",
    "MalformedPolicy",
    "PolicyDocument",
    "Statement",
    "Verdict",
    "normalize_context",
    "wildcard_match",
]
