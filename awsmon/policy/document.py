"""Policy documents: parsed and checked once, then evaluated with IAM's logic.

A pure module. `PolicyDocument.parse` (cached per text) turns the JSON text
of a resource or identity policy into an immutable document of compiled
statements; `evaluate` answers a `Decision`, `explain` a `Verdict` that also
names the deciding statement and says why in words.

>>> doc = PolicyDocument.parse('''{"Version": "2012-10-17", "Statement": [{
...   "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
...   "Action": "s3:PutObject", "Resource": "arn:aws:s3:::trail-bucket/AWSLogs/*"}]}''')
>>> doc.evaluate("cloudtrail.amazonaws.com", "s3:PutObject",
...              "arn:aws:s3:::trail-bucket/AWSLogs/123456789012/x.json.gz")
<Decision.ALLOW: 'Allow'>
>>> doc.evaluate("logs.amazonaws.com", "s3:PutObject", "arn:aws:s3:::trail-bucket/AWSLogs/x")
<Decision.IMPLICIT_DENY: 'ImplicitDeny'>

IAM's evaluation logic for one policy: a statement applies when its
principal, action, resource and every condition match; an applying ``Deny``
wins over everything, an applying ``Allow`` allows, and nothing applying is
an implicit deny. Principals match by ARN, by account (an account id or its
root ARN grants every principal of that account, as a resource policy does
when the account's own IAM policies allow the call, which awsmon assumes), a
role ARN grants that role's sessions, service principals match by name, and
``*`` (or ``{"AWS": "*"}``) matches everyone.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from attrs import field, frozen

from awsmon import jsondoc
from awsmon.policy.conditions import Condition, ConditionError
from awsmon.policy.principals import PrincipalSet
from awsmon.policy.wildcard import Glob

__all__ = [
    "Context",
    "Decision",
    "MalformedPolicy",
    "PolicyDocument",
    "Statement",
    "Verdict",
    "normalize_context",
]

Context = Mapping[str, "str | bool | int | float | Sequence[str]"]
"""Condition keys the caller supplies (``aws:SourceArn``): a value or a list of values."""

_TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_PRINCIPAL_KINDS = ("AWS", "Service", "Federated", "CanonicalUser")


class MalformedPolicy(ValueError):
    """The text is not a valid policy document.

    Services turn it into their own AWS error (S3 ``MalformedPolicy``, SQS
    ``InvalidAttributeValue``, SNS ``InvalidParameter``, KMS
    ``MalformedPolicyDocumentException``, IAM ``MalformedPolicyDocument``);
    the message is the reason IAM's policy validator gives.
    """


class Decision(enum.Enum):
    """The outcome of evaluating a policy for one request."""

    ALLOW = "Allow"
    DENY = "Deny"
    IMPLICIT_DENY = "ImplicitDeny"

    @property
    def allowed(self) -> bool:
        """True only for an explicit Allow."""
        return self is Decision.ALLOW


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise MalformedPolicy(f"{what} must be a string or a non-empty list of strings, got {value!r}")


def _condition_values(value: Any, what: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, bool):
            found.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            found.append(str(item))
        else:
            raise MalformedPolicy(f"{what} values must be strings, numbers or booleans")
    return tuple(found)


def _principals(value: Any, what: str) -> tuple[tuple[str, str], ...]:
    if value == "*":
        return (("*", "*"),)
    if not isinstance(value, Mapping) or not value:
        raise MalformedPolicy(f"Invalid principal in policy: {what} must be '*' or an object")
    found: list[tuple[str, str]] = []
    for kind, names in value.items():
        if kind not in _PRINCIPAL_KINDS:
            raise MalformedPolicy(f"Invalid principal in policy: unknown type {kind!r}")
        found.extend((kind, name) for name in _strings(names, f"{what} {kind}"))
    return tuple(found)


@frozen
class Statement:
    """One checked, compiled statement of a policy.

    Attributes:
        effect: ``Allow`` or ``Deny``.
        principals / not_principals: (kind, value) pairs (kind ``AWS``,
            ``Service``, ``Federated``, ``CanonicalUser`` or ``*``), or None when absent.
        actions / not_actions: action patterns (``sqs:*``), exactly one of them set.
        resources / not_resources: resource patterns, or None when absent.
        conditions: the compiled conditions (all must hold).
        sid: the statement id, or None.
        index: the statement's place in its policy (0-based).
    """

    effect: str
    principals: tuple[tuple[str, str], ...] | None
    not_principals: tuple[tuple[str, str], ...] | None
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    conditions: tuple[Condition, ...]
    sid: str | None = None
    index: int = 0
    _action_globs: tuple[Glob, ...] = ()
    _resource_globs: tuple[Glob, ...] = ()
    _principal_set: PrincipalSet | None = field(default=None, eq=False, repr=False)
    _not_principal_set: PrincipalSet | None = field(default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # Compiled here, once, whoever built the statement.
        if self._principal_set is None and self.principals is not None:
            object.__setattr__(self, "_principal_set", PrincipalSet.compile(self.principals))
        if self._not_principal_set is None and self.not_principals is not None:
            compiled = PrincipalSet.compile(self.not_principals)
            object.__setattr__(self, "_not_principal_set", compiled)

    @property
    def name(self) -> str:
        """How a message names the statement: its Sid, else its position."""
        return f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"

    @classmethod
    def from_json(cls, data: Any, index: int = 0) -> Statement:
        """A statement from its parsed JSON object.

        Raises:
            MalformedPolicy: a missing, unknown or wrongly typed element.
        """
        if not isinstance(data, Mapping):
            raise MalformedPolicy(f"a Statement must be an object, got {data!r}")
        unknown = sorted(set(data) - _STATEMENT_KEYS)
        if unknown:
            raise MalformedPolicy(f"Unknown field {unknown[0]}")
        effect = data.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise MalformedPolicy(f"Invalid effect: {effect}")
        if ("Action" in data) == ("NotAction" in data):
            raise MalformedPolicy("Missing required field Action" if "Action" not in data
                                  else "Statement has both Action and NotAction")
        if "Principal" in data and "NotPrincipal" in data:
            raise MalformedPolicy("Statement has both Principal and NotPrincipal")
        if "Resource" in data and "NotResource" in data:
            raise MalformedPolicy("Statement has both Resource and NotResource")
        actions = _strings(data["Action"], "Action") if "Action" in data else None
        not_actions = _strings(data["NotAction"], "NotAction") if "NotAction" in data else None
        for action in actions or not_actions or ():
            if action != "*" and ":" not in action:
                raise MalformedPolicy(f"Policy has invalid action: {action}")
        resources = _strings(data["Resource"], "Resource") if "Resource" in data else None
        not_resources = (
            _strings(data["NotResource"], "NotResource") if "NotResource" in data else None
        )
        sid = data.get("Sid")
        if sid is not None and not isinstance(sid, str):
            raise MalformedPolicy(f"Sid must be a string, got {sid!r}")
        return cls(
            effect=effect,
            principals=_principals(data["Principal"], "Principal") if "Principal" in data else None,
            not_principals=(
                _principals(data["NotPrincipal"], "NotPrincipal")
                if "NotPrincipal" in data
                else None
            ),
            actions=actions,
            not_actions=not_actions,
            resources=resources,
            not_resources=not_resources,
            conditions=_conditions(data.get("Condition", {})),
            sid=sid,
            index=index,
            action_globs=tuple(
                Glob.compile(a, ignore_case=True) for a in (actions or not_actions or ())
            ),
            resource_globs=tuple(Glob.compile(r) for r in (resources or not_resources or ())),
        )

    def applies(self, principal: str, action: str, resource: str, context: Context) -> bool:
        """True when this statement covers the request (whatever its effect)."""
        return self._covers(principal, action, resource, normalize_context(context))

    def _covers(
        self,
        principal: str,
        action: str,
        resource: str,
        context: Mapping[str, tuple[str, ...]],
    ) -> bool:
        return self.covers_action(action) and self._covers_rest(principal, resource, context)

    def covers_action(self, action: str) -> bool:
        """Whether the statement's Action (or NotAction) covers `action`."""
        return _any_match(self._action_globs, action) != (self.actions is None)

    def _covers_rest(
        self, principal: str, resource: str, context: Mapping[str, tuple[str, ...]]
    ) -> bool:
        """Whether the statement covers the request, its action aside."""
        principals = self._principal_set
        if principals is not None and not principals.matches(principal):
            return False
        excluded = self._not_principal_set
        if excluded is not None and excluded.matches(principal):
            return False
        if self._resource_globs and _any_match(self._resource_globs, resource) == (
            self.resources is None
        ):
            return False
        for condition in self.conditions:  # noqa: SIM110 - a loop, not a generator: the hot path
            if not condition.holds(context):
                return False
        return True


def _any_match(globs: tuple[Glob, ...], value: str) -> bool:
    for glob in globs:  # noqa: SIM110 - a loop, not a generator: the hot path
        if glob.matches(value):
            return True
    return False


def _conditions(raw: Any) -> tuple[Condition, ...]:
    if not isinstance(raw, Mapping):
        raise MalformedPolicy(f"Condition must be an object, got {raw!r}")
    found: list[Condition] = []
    for operator, block in raw.items():
        if not isinstance(block, Mapping) or not block:
            raise MalformedPolicy(f"Condition {operator} must be a non-empty object")
        for key, values in block.items():
            texts = _condition_values(values, f"Condition {operator} {key}")
            try:
                found.append(Condition.compile(operator, key, texts))
            except ConditionError as exc:
                raise MalformedPolicy(str(exc)) from None
    return tuple(found)


def normalize_context(context: Context | None) -> dict[str, tuple[str, ...]]:
    """`context` with lowered keys, each to a tuple of text values (booleans as ``true``)."""
    found: dict[str, tuple[str, ...]] = {}
    if not context:
        return found
    for key, value in context.items():
        if type(value) is str:
            found[key.lower()] = (value,)
        elif isinstance(value, bool):
            found[key.lower()] = ("true" if value else "false",)
        elif isinstance(value, str | int | float):
            found[key.lower()] = (str(value),)
        else:
            found[key.lower()] = tuple(str(item) for item in value)
    return found


@frozen
class Verdict:
    """A decision with its reason: what `PolicyDocument.explain` returns.

    Attributes:
        decision: Allow, Deny or ImplicitDeny.
        statement: the deciding statement (the Deny, or the first applying
            Allow), or None for an implicit deny.
        reason: the decision in words, naming the principal, action,
            resource, the context keys and the deciding statement.
    """

    decision: Decision
    statement: Statement | None
    reason: str

    @property
    def allowed(self) -> bool:
        """True only for an explicit Allow."""
        return self.decision is Decision.ALLOW


def _describe(context: Mapping[str, tuple[str, ...]], original: Context | None) -> str:
    if not original:
        return ""
    shown = ", ".join(
        f"{key}={'|'.join(context[key.lower()])}" for key in original if key.lower() in context
    )
    return f" ({shown})"


@frozen
class PolicyDocument:
    """A parsed, checked policy: its statements, in document order.

    Attributes:
        statements: the compiled statements.
        version: the ``Version`` element (``2012-10-17``, ``2008-10-17``) or None.
        id: the ``Id`` element or None.
        text: the JSON text it was parsed from (what Get*Policy operations return).
    """

    statements: tuple[Statement, ...]
    version: str | None
    id: str | None
    text: str
    _by_action: dict[str, tuple[Statement, ...]] = field(
        init=False, factory=dict, eq=False, repr=False
    )
    _answers: dict[Any, Any] = field(init=False, factory=dict, eq=False, repr=False)

    def for_action(self, action: str) -> tuple[Statement, ...]:
        """The statements whose Action/NotAction covers `action`, in order (indexed once)."""
        found = self._by_action.get(action)
        if found is None:
            if len(self._by_action) >= _REMEMBERED:
                self._by_action.clear()
            found = tuple(s for s in self.statements if s.covers_action(action))
            self._by_action[action] = found
        return found

    def _remember(self, key: Any, answer: Any) -> None:
        if len(self._answers) >= _REMEMBERED:
            self._answers.clear()
        self._answers[key] = answer

    @classmethod
    def parse(cls, text: str) -> PolicyDocument:
        """Parse and check the JSON text of a policy (compiled once per text, then cached).

        Raises:
            MalformedPolicy: not JSON, not an object, or a malformed statement.
        """
        if not isinstance(text, str):
            raise MalformedPolicy("Policies must be valid JSON and the first byte must be '{'")
        return _parse(text)

    @classmethod
    def from_data(cls, data: Any) -> PolicyDocument:
        """The document of an already-decoded policy (a dict), through the same cache."""
        try:
            text = json.dumps(data, sort_keys=True)
        except (TypeError, ValueError):
            raise MalformedPolicy("the policy is not JSON data") from None
        return _parse(text)

    def explain(
        self,
        principal: str,
        action: str,
        resource: str,
        context: Context | None = None,
        *,
        what: str = "policy",
    ) -> Verdict:
        """The decision for one request, with the deciding statement and the reason in words.

        Args:
            principal: the caller's ARN, or a service name (``sns.amazonaws.com``).
            action: ``service:Action`` (matched case-insensitively).
            resource: the resource ARN.
            context: condition keys and their values (``aws:SourceArn``).
            what: how the reason names this policy (``the queue policy``).
        """
        key = _key("explain", principal, action, resource, context, what)
        found: Verdict | None = None if key is None else self._answers.get(key)
        if found is not None:
            return found
        found = self._explain(principal, action, resource, context, what)
        if key is not None:
            self._remember(key, found)
        return found

    def _explain(
        self, principal: str, action: str, resource: str, context: Context | None, what: str
    ) -> Verdict:
        known = normalize_context(context)
        allowing: Statement | None = None
        for statement in self.for_action(action):
            if statement._covers_rest(principal, resource, known):
                if statement.effect == "Deny":
                    return Verdict(
                        Decision.DENY,
                        statement,
                        f"{statement.name} of the {what} explicitly denies {principal} "
                        f"{action} on {resource}{_describe(known, context)}",
                    )
                if allowing is None:
                    allowing = statement
        if allowing is not None:
            return Verdict(
                Decision.ALLOW,
                allowing,
                f"{allowing.name} of the {what} allows {principal} {action} on {resource}",
            )
        return Verdict(
            Decision.IMPLICIT_DENY,
            None,
            f"no statement of the {what} allows {principal} to {action} on "
            f"{resource}{_describe(known, context)}",
        )

    def evaluate(
        self,
        principal: str,
        action: str,
        resource: str,
        context: Context | None = None,
    ) -> Decision:
        """Whether `principal` may do `action` on `resource`: Deny beats Allow beats nothing.

        Answers are remembered per document (it is immutable, and evaluation pure),
        so a repeated request costs one dictionary lookup.
        """
        key = _key("evaluate", principal, action, resource, context, "")
        found: Decision | None = None if key is None else self._answers.get(key)
        if found is not None:
            return found
        known = normalize_context(context)
        found = Decision.IMPLICIT_DENY
        for statement in self.for_action(action):
            if statement._covers_rest(principal, resource, known):
                if statement.effect == "Deny":
                    found = Decision.DENY
                    break
                found = Decision.ALLOW
        if key is not None:
            self._remember(key, found)
        return found


_REMEMBERED = 256
"""How many actions and answers a document remembers (all are forgotten when full)."""


def _key(
    kind: str, principal: str, action: str, resource: str, context: Context | None, what: str
) -> tuple[Any, ...] | None:
    """The memo key of one request, or None when a context value is not text.

    (Not text: lists are unhashable, and ``True == 1 == 1.0`` would share a key
    though they read as ``true``, ``1`` and ``1.0``.)
    """
    items: tuple[tuple[str, Any], ...] = ()
    if context:
        items = tuple(context.items())
        for _, value in items:
            if type(value) is not str:
                return None
    return (kind, principal, action, resource, items, what)


@lru_cache(maxsize=1024)
def _parse(text: str) -> PolicyDocument:
    try:
        data = jsondoc.loads(text)
    except (TypeError, ValueError, RecursionError):
        raise MalformedPolicy(
            "Policies must be valid JSON and the first byte must be '{'"
        ) from None
    if not isinstance(data, Mapping):
        raise MalformedPolicy("Policies must be valid JSON and the first byte must be '{'")
    unknown = sorted(set(data) - _TOP_LEVEL)
    if unknown:
        raise MalformedPolicy(f"Unknown field {unknown[0]}")
    raw = data.get("Statement")
    if raw is None:
        raise MalformedPolicy("Missing required field Statement")
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise MalformedPolicy("Could not parse the policy: Statement is empty!")
    version = data.get("Version")
    if version is not None and version not in ("2012-10-17", "2008-10-17"):
        raise MalformedPolicy(f"The policy failed legacy parsing: invalid Version {version!r}")
    policy_id = data.get("Id")
    return PolicyDocument(
        statements=tuple(Statement.from_json(item, i) for i, item in enumerate(items)),
        version=version,
        id=policy_id if isinstance(policy_id, str) else None,
        text=text,
    )
