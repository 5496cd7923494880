"""Resource policies (bucket, queue, topic, key and function policies): parse and evaluate.

A pure module: `PolicyDocument.parse` turns the JSON text of an IAM policy
into an immutable `PolicyDocument`, whose `evaluate` answers whether a
principal may perform an action on a resource, with AWS's rule that an
explicit ``Deny`` beats any ``Allow`` and nothing is allowed by default.

>>> doc = PolicyDocument.parse('''{"Version": "2012-10-17", "Statement": [{
...   "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
...   "Action": "s3:PutObject", "Resource": "arn:aws:s3:::trail-bucket/AWSLogs/*"}]}''')
>>> doc.evaluate("cloudtrail.amazonaws.com", "s3:PutObject",
...              "arn:aws:s3:::trail-bucket/AWSLogs/123456789012/x.json.gz")
<Decision.ALLOW: 'Allow'>
>>> doc.evaluate("logs.amazonaws.com", "s3:PutObject", "arn:aws:s3:::trail-bucket/AWSLogs/x")
<Decision.IMPLICIT_DENY: 'ImplicitDeny'>

Simulation notes: principals match by ARN, by account (an account id or its
root ARN grants every principal of that account, as a resource policy does
when the account's own IAM policies allow the call, which awsmon assumes),
by service name, or ``*``. Conditions support the String*, Arn*, Numeric and
Bool operators (with ``IfExists`` and ``ForAnyValue:``/``ForAllValues:``
prefixes treated as the plain operator) against a context of keys the caller
supplies (``aws:SourceArn``, ``aws:SourceAccount`` ...); key names are
case-insensitive as in AWS; a key missing from the context fails the
condition unless the operator ends in ``IfExists``. Unknown operators fail the
statement, so a policy awsmon cannot read never grants more than AWS would.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from attrs import frozen

from awsmon import jsondoc

__all__ = ["Decision", "MalformedPolicy", "PolicyDocument", "Statement", "wildcard_match"]


class MalformedPolicy(ValueError):
    """The text is not a policy document (services turn this into their own AWS error)."""


class Decision(enum.Enum):
    """The outcome of evaluating a policy for one request."""

    ALLOW = "Allow"
    DENY = "Deny"
    IMPLICIT_DENY = "ImplicitDeny"

    @property
    def allowed(self) -> bool:
        """True only for an explicit Allow."""
        return self is Decision.ALLOW


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """True when `value` matches `pattern`, where ``*`` is any run and ``?`` one character.

    Linear in the length of `value` for a given pattern, whatever the pattern
    (no backtracking): the pieces between ``*`` must appear in order, the first
    at the start and the last at the end, and taking each piece at its leftmost
    place is always right.

    >>> wildcard_match("sqs:*", "SQS:SendMessage", ignore_case=True)
    True
    >>> wildcard_match("arn:aws:s3:::b/logs/?", "arn:aws:s3:::b/logs/ab")
    False
    >>> wildcard_match("*a*a*a*a*a*a*b", "a" * 10_000)
    False
    """
    if ignore_case and pattern.isascii() and value.isascii():
        pattern, value, ignore_case = pattern.lower(), value.lower(), False
    pieces = _pieces(pattern)
    if len(pieces) == 1:
        return len(value) == len(pattern) and _fits(pattern, value, 0, ignore_case)
    first, *middle, last = pieces
    end = len(value) - len(last)
    if len(first) > end or not _fits(first, value, 0, ignore_case):
        return False
    if not _fits(last, value, end, ignore_case):
        return False
    position = len(first)
    for piece in middle:
        found = _find(piece, value, position, end, ignore_case)
        if found < 0:
            return False
        position = found + len(piece)
    return True


@lru_cache(maxsize=4096)
def _pieces(pattern: str) -> tuple[str, ...]:
    """The pieces of `pattern` between its ``*``."""
    return tuple(pattern.split("*"))


def _fits(piece: str, value: str, at: int, ignore_case: bool) -> bool:
    """Whether `piece` (``?`` any one character) matches `value` at `at`."""
    if not ignore_case and "?" not in piece:
        return value.startswith(piece, at)
    for offset, char in enumerate(piece):
        other = value[at + offset]
        if char != "?" and char != other and not (ignore_case and char.lower() == other.lower()):
            return False
    return True


def _find(piece: str, value: str, start: int, end: int, ignore_case: bool) -> int:
    """The leftmost place in ``value[start:end]`` where `piece` fits, or -1."""
    if "?" not in piece and not ignore_case:
        return value.find(piece, start, end)
    for at in range(start, end - len(piece) + 1):
        if _fits(piece, value, at, ignore_case):
            return at
    return -1


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise MalformedPolicy(f"{what} must be a string or a list of strings, got {value!r}")


@frozen
class Statement:
    """One statement of a policy.

    Attributes:
        effect: ``Allow`` or ``Deny``.
        principals: (kind, value) pairs: kind ``AWS``, ``Service``, ``Federated``
            or ``*``; None when the statement has no Principal (identity policy).
        not_principals: the same for NotPrincipal, or None.
        actions / not_actions: action patterns (``sqs:*``), one of them set.
        resources / not_resources: resource patterns, or None when absent.
        conditions: (operator, key, values) triples.
        sid: the statement id, or None.
    """

    effect: str
    principals: tuple[tuple[str, str], ...] | None
    not_principals: tuple[tuple[str, str], ...] | None
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...]
    sid: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> Statement:
        """A statement from its parsed JSON object.

        Raises:
            MalformedPolicy: a missing or wrongly typed element.
        """
        if not isinstance(data, Mapping):
            raise MalformedPolicy(f"a Statement must be an object, got {data!r}")
        effect = data.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise MalformedPolicy(f"Effect must be Allow or Deny, got {effect!r}")
        if ("Action" in data) == ("NotAction" in data):
            raise MalformedPolicy("a Statement needs exactly one of Action and NotAction")
        conditions: list[tuple[str, str, tuple[str, ...]]] = []
        raw_conditions = data.get("Condition", {})
        if not isinstance(raw_conditions, Mapping):
            raise MalformedPolicy(f"Condition must be an object, got {raw_conditions!r}")
        for operator, block in raw_conditions.items():
            if not isinstance(block, Mapping):
                raise MalformedPolicy(f"Condition {operator} must be an object, got {block!r}")
            for key, values in block.items():
                if isinstance(values, bool | int | float):
                    values = str(values).lower() if isinstance(values, bool) else str(values)
                conditions.append((operator, key, _strings(values, f"Condition {operator}")))
        sid = data.get("Sid")
        return cls(
            effect=effect,
            principals=_principals(data["Principal"]) if "Principal" in data else None,
            not_principals=_principals(data["NotPrincipal"]) if "NotPrincipal" in data else None,
            actions=_strings(data["Action"], "Action") if "Action" in data else None,
            not_actions=_strings(data["NotAction"], "NotAction") if "NotAction" in data else None,
            resources=_strings(data["Resource"], "Resource") if "Resource" in data else None,
            not_resources=(
                _strings(data["NotResource"], "NotResource") if "NotResource" in data else None
            ),
            conditions=tuple(conditions),
            sid=sid if isinstance(sid, str) else None,
        )

    def applies(
        self, principal: str, action: str, resource: str, context: Mapping[str, str]
    ) -> bool:
        """True when this statement covers the request (whatever its effect)."""
        if self.principals is not None and not _any_principal(self.principals, principal):
            return False
        if self.not_principals is not None and _any_principal(self.not_principals, principal):
            return False
        if self.actions is not None and not any(
            wildcard_match(p, action, ignore_case=True) for p in self.actions
        ):
            return False
        if self.not_actions is not None and any(
            wildcard_match(p, action, ignore_case=True) for p in self.not_actions
        ):
            return False
        if self.resources is not None and not any(
            wildcard_match(p, resource) for p in self.resources
        ):
            return False
        if self.not_resources is not None and any(
            wildcard_match(p, resource) for p in self.not_resources
        ):
            return False
        lowered = {key.lower(): value for key, value in context.items()}
        return all(_condition(op, key, values, lowered) for op, key, values in self.conditions)


def _principals(value: Any) -> tuple[tuple[str, str], ...]:
    if value == "*":
        return (("*", "*"),)
    if not isinstance(value, Mapping):
        raise MalformedPolicy(f"Principal must be '*' or an object, got {value!r}")
    found: list[tuple[str, str]] = []
    for kind, names in value.items():
        if kind not in ("AWS", "Service", "Federated", "CanonicalUser"):
            raise MalformedPolicy(f"unknown Principal type {kind!r}")
        found.extend((kind, name) for name in _strings(names, f"Principal {kind}"))
    return tuple(found)


def _account_of(principal: str) -> str | None:
    parts = principal.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[4].isdigit():
        return parts[4]
    return None


def _any_principal(allowed: Sequence[tuple[str, str]], principal: str) -> bool:
    for kind, name in allowed:
        if name == "*" or kind == "*":
            return True
        if kind in ("Service", "Federated", "CanonicalUser") and name == principal:
            return True
        if kind == "AWS":
            if name == principal:
                return True
            account = name if name.isdigit() else None
            if name.endswith(":root"):
                account = _account_of(name)
            if account is not None and _account_of(principal) == account:
                return True
            if ":assumed-role/" in principal and name.startswith("arn:aws:iam::"):
                # A role ARN in a policy grants the sessions of that role.
                role = principal.split(":assumed-role/", 1)[1].split("/", 1)[0]
                if name.endswith(f":role/{role}") and _account_of(name) == _account_of(principal):
                    return True
    return False


_NUMERIC = {
    "NumericEquals": lambda a, b: a == b,
    "NumericNotEquals": lambda a, b: a != b,
    "NumericLessThan": lambda a, b: a < b,
    "NumericLessThanEquals": lambda a, b: a <= b,
    "NumericGreaterThan": lambda a, b: a > b,
    "NumericGreaterThanEquals": lambda a, b: a >= b,
}


def _condition(
    operator: str, key: str, values: tuple[str, ...], context: Mapping[str, str]
) -> bool:
    base = operator.split(":", 1)[-1]
    if_exists = base.endswith("IfExists")
    if if_exists:
        base = base[: -len("IfExists")]
    actual = context.get(key.lower())
    if base == "Null":
        wants_null = values[0].lower() == "true"
        return (actual is None) == wants_null
    if actual is None:
        return if_exists
    negated = base in ("StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike")
    if base in ("StringEquals", "StringNotEquals", "ArnEquals", "ArnNotEquals"):
        hit = actual in values
    elif base == "StringEqualsIgnoreCase":
        hit = actual.lower() in {v.lower() for v in values}
    elif base == "StringNotEqualsIgnoreCase":
        return actual.lower() not in {v.lower() for v in values}
    elif base in ("StringLike", "StringNotLike", "ArnLike", "ArnNotLike"):
        hit = any(wildcard_match(v, actual) for v in values)
    elif base == "Bool":
        hit = actual.lower() in {v.lower() for v in values}
    elif base in _NUMERIC:
        try:
            number = float(actual)
            return any(_NUMERIC[base](number, float(v)) for v in values)
        except ValueError:
            return False
    else:
        return False
    return not hit if negated else hit


@frozen
class PolicyDocument:
    """A parsed policy: its statements, in document order.

    Attributes:
        statements: the statements.
        version: the ``Version`` element (``2012-10-17``, ``2008-10-17``) or None.
        id: the ``Id`` element or None.
        text: the JSON text it was parsed from (what Get*Policy operations return).
    """

    statements: tuple[Statement, ...]
    version: str | None
    id: str | None
    text: str

    @classmethod
    def parse(cls, text: str) -> PolicyDocument:
        """Parse the JSON text of a policy.

        Raises:
            MalformedPolicy: not JSON, not an object, or a malformed statement.
        """
        try:
            data = jsondoc.loads(text)
        except (TypeError, ValueError) as exc:
            raise MalformedPolicy(f"the policy is not valid JSON: {exc}") from None
        if not isinstance(data, Mapping):
            raise MalformedPolicy("a policy must be a JSON object")
        raw = data.get("Statement")
        if raw is None:
            raise MalformedPolicy("a policy needs a Statement")
        items = raw if isinstance(raw, list) else [raw]
        version = data.get("Version")
        if version is not None and version not in ("2012-10-17", "2008-10-17"):
            raise MalformedPolicy(f"unsupported policy Version {version!r}")
        policy_id = data.get("Id")
        return cls(
            statements=tuple(Statement.from_json(item) for item in items),
            version=version,
            id=policy_id if isinstance(policy_id, str) else None,
            text=text,
        )

    def evaluate(
        self,
        principal: str,
        action: str,
        resource: str,
        context: Mapping[str, str] | None = None,
    ) -> Decision:
        """Whether `principal` may do `action` on `resource`: Deny beats Allow beats nothing.

        Args:
            principal: the caller's ARN, or a service name (``sns.amazonaws.com``).
            action: ``service:Action`` (matched case-insensitively).
            resource: the resource ARN.
            context: condition keys and their values (``aws:SourceArn``).
        """
        known = context or {}
        decision = Decision.IMPLICIT_DENY
        for statement in self.statements:
            if statement.applies(principal, action, resource, known):
                if statement.effect == "Deny":
                    return Decision.DENY
                decision = Decision.ALLOW
        return decision
