"""X-Ray filter expressions, compiled once and matched against traces.

`FilterExpression.parse(text)` checks the syntax (`awsmon.xray.filter_syntax`)
and compiles the tree into a matcher; `FilterExpression.matches(subject)`
evaluates it against anything that follows the `Subject` protocol: a trace
at the top level, one segment of a service node inside ``service(){…}``, one
caller-side call inside ``edge(){…}``, one root-cause item inside
``rootcause.*{…}``. Pure: no state, no clock; the trace side
(`awsmon.xray.trace.TraceView`) provides the subjects.

Semantics (trace level, after the reference errata C.8.2): ``ok``,
``error``, ``throttle``, ``fault``, ``responsetime`` and ``http.*`` look at
the root segment's response; ``duration`` and ``partial`` at the whole
trace; ``user``, ``annotation.*``, ``availabilityzone``, ``instance.id`` and
``resource.arn`` at every segment (any value may match). A comparison on a
field that is not set is false, ``!=`` included; ``CONTAINS ""`` is true
exactly when the field is set. String comparisons are case-sensitive;
annotations compare only with a value of their own type.

>>> f = FilterExpression.parse('responsetime > 3 AND http.method = "POST"')
>>> f.matches(FakeSubject(numbers={"responsetime": 3.2}, strings={"http.method": ["POST"]}))
True
>>> f.matches(FakeSubject(numbers={"responsetime": 2.0}, strings={"http.method": ["POST"]}))
False
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from attrs import field, frozen

from awsmon.xray.filter_syntax import (
    And,
    AnnotationTest,
    Compare,
    EdgeTest,
    Flag,
    GroupTest,
    Node,
    Not,
    Or,
    Present,
    RootCauseTest,
    ServiceRef,
    ServiceTest,
    Value,
    parse,
)

__all__ = [
    "CannotTell",
    "FakeSubject",
    "FilterExpression",
    "ServiceRef",
    "Subject",
    "json_pattern_matches",
]

Matcher = Callable[["Subject"], bool]


class Subject(Protocol):
    """What a filter expression is evaluated against (a trace, a node segment, a call...)."""

    def flag(self, keyword: str) -> bool | None:
        """The boolean keyword's value (``fault``, ``partial``, ``root``), None if unknown."""

    def number(self, keyword: str) -> float | None:
        """The numeric keyword's value (``responsetime``, ``http.status``), None if unset."""

    def strings(self, keyword: str) -> Sequence[str]:
        """Every value of the string keyword (``user``, ``http.url``); empty if unset."""

    def annotations(self, key: str) -> Sequence[Value]:
        """Every value of the annotation `key`; empty if unset."""

    def services(self, ref: ServiceRef | None) -> Iterable[Subject]:
        """A subject per segment of every node matching `ref` (None: every node)."""

    def edges(self, source: ServiceRef, target: ServiceRef) -> Iterable[Subject]:
        """A subject per call from a node matching `source` to one matching `target`."""

    def in_group(self, attribute: str, value: str) -> bool:
        """True when the trace belongs to the group whose `attribute` (name/arn) is `value`."""

    def root_causes(self, kind: str, level: str) -> Iterable[Subject]:
        """A subject per root-cause service, entity or exception of `kind`."""

    def root_cause_documents(self) -> Sequence[Mapping[str, Any]]:
        """The root causes as TraceSummary JSON (``{"Services": [...]}``) for rootcause.json."""


@frozen(kw_only=True)
class FakeSubject:
    """A `Subject` from plain mappings: for doctests, property tests and teaching."""

    flags: Mapping[str, bool] = field(factory=dict)
    numbers: Mapping[str, float] = field(factory=dict)
    strings_: Mapping[str, Sequence[str]] = field(factory=dict, alias="strings")
    annotation_values: Mapping[str, Sequence[Value]] = field(factory=dict)
    nodes: Mapping[ServiceRef, Sequence[FakeSubject]] = field(factory=dict)

    def flag(self, keyword: str) -> bool | None:
        return self.flags.get(keyword)

    def number(self, keyword: str) -> float | None:
        return self.numbers.get(keyword)

    def strings(self, keyword: str) -> Sequence[str]:
        return self.strings_.get(keyword, ())

    def annotations(self, key: str) -> Sequence[Value]:
        return self.annotation_values.get(key, ())

    def services(self, ref: ServiceRef | None) -> Iterable[Subject]:
        for node, segments in self.nodes.items():
            if ref is None or node_matches(ref, node.name or "", node.type, node.account_id):
                yield from segments

    def edges(self, source: ServiceRef, target: ServiceRef) -> Iterable[Subject]:
        return ()

    def in_group(self, attribute: str, value: str) -> bool:
        return False

    def root_causes(self, kind: str, level: str) -> Iterable[Subject]:
        return ()

    def root_cause_documents(self) -> Sequence[Mapping[str, Any]]:
        return ()


class CannotTell(Exception):
    """Raised by a partial `Subject` asked what it does not know (`FilterExpression.verdict`)."""


class _Blind(FakeSubject):
    """A subject that knows nothing (for the doctest of `FilterExpression.verdict`)."""

    def flag(self, keyword: str) -> bool | None:
        raise CannotTell(keyword)

    def number(self, keyword: str) -> float | None:
        raise CannotTell(keyword)


def node_matches(ref: ServiceRef, name: str, type_: str | None, account_id: str | None) -> bool:
    """True when a node (name, type, account) is the one `ref` names."""
    return (
        (ref.name is None or ref.name == name)
        and (ref.type is None or ref.type == type_)
        and (ref.account_id is None or ref.account_id == account_id)
    )


@frozen
class FilterExpression:
    """A compiled filter expression.

    Attributes:
        text: the expression as written.
        tree: its syntax tree (`awsmon.xray.filter_syntax`).
    """

    text: str
    tree: Node = field(repr=False)
    _matcher: Matcher = field(repr=False, eq=False, alias="matcher")

    @classmethod
    def parse(cls, text: str) -> FilterExpression:
        """Parse and compile `text`.

        Raises:
            InvalidFilterExpression: a syntax error (the message gives the position).
        """
        tree = parse(text)
        return cls(text, tree, _compile(tree))

    def matches(self, subject: Subject) -> bool:
        """True when `subject` (usually a trace) satisfies the expression."""
        return self._matcher(subject)

    def verdict(self, subject: Subject) -> bool | None:
        """`matches` for a subject that knows only part of the trace; None if it cannot tell.

        The subject raises `CannotTell` for what it does not know (an
        incomplete ``services`` or ``edges`` iteration raises after yielding
        what it knows). Whenever a known answer decides the expression (an
        OR with a true branch, an AND with a false one, a service found), the
        verdict is what `matches` would give on the whole trace.

        >>> f = FilterExpression.parse("fault OR responsetime > 2")
        >>> f.verdict(FakeSubject(flags={"fault": True})), f.verdict(_Blind())
        (True, None)
        """
        try:
            return self._matcher(subject)
        except CannotTell:
            return None

    def service_names(self) -> frozenset[str] | None:
        """Service names one of which every matching trace must have, or None if unknown.

        Lets a store narrow its candidates with an index before evaluating.

        >>> FilterExpression.parse('service("a") AND ok').service_names()
        frozenset({'a'})
        >>> FilterExpression.parse('service("a") OR ok').service_names() is None
        True
        """
        return _required_services(self.tree)


def _required_services(node: Node) -> frozenset[str] | None:
    if isinstance(node, ServiceTest):
        return None if node.ref is None or node.ref.name is None else frozenset({node.ref.name})
    if isinstance(node, And):
        for item in node.items:
            found = _required_services(item)
            if found is not None:
                return found
        return None
    if isinstance(node, Or):
        union: set[str] = set()
        for item in node.items:
            found = _required_services(item)
            if found is None:
                return None
            union |= found
        return frozenset(union)
    return None


# -- compilation -----------------------------------------------------------------


def _compile(node: Node) -> Matcher:
    if isinstance(node, Or):
        parts = tuple(_compile(item) for item in node.items)
        return lambda s: any(part(s) for part in parts)
    if isinstance(node, And):
        parts = tuple(_compile(item) for item in node.items)
        return lambda s: all(part(s) for part in parts)
    if isinstance(node, Not):
        inner = _compile(node.item)
        return lambda s: not inner(s)
    if isinstance(node, Flag):
        keyword, expected = node.keyword, node.expected
        return lambda s: bool(s.flag(keyword)) is expected
    if isinstance(node, Present):
        keyword = node.keyword
        return lambda s: bool(s.strings(keyword))
    if isinstance(node, Compare):
        return _compile_compare(node)
    if isinstance(node, AnnotationTest):
        return _compile_annotation(node)
    if isinstance(node, ServiceTest):
        ref = node.ref
        body = None if node.body is None else _compile(node.body)
        if body is None:
            return lambda s: any(True for _ in s.services(ref))
        check = body
        return lambda s: any(check(n) for n in s.services(ref))
    if isinstance(node, EdgeTest):
        source, target = node.source, node.target
        edge_body = None if node.body is None else _compile(node.body)
        if edge_body is None:
            return lambda s: any(True for _ in s.edges(source, target))
        check_edge = edge_body
        return lambda s: any(check_edge(e) for e in s.edges(source, target))
    if isinstance(node, GroupTest):
        attribute, value = node.attribute, node.value
        if node.op == "=":
            return lambda s: s.in_group(attribute, value)
        return lambda s: not s.in_group(attribute, value)
    if isinstance(node, RootCauseTest):
        kind, level = node.kind, node.level
        cause_body = None if node.body is None else _compile(node.body)
        if cause_body is None:
            return lambda s: any(True for _ in s.root_causes(kind, level))
        check_cause = cause_body
        return lambda s: any(check_cause(c) for c in s.root_causes(kind, level))
    pattern = node.pattern()
    return lambda s: all(
        any(json_pattern_matches(item, doc) for doc in s.root_cause_documents()) for item in pattern
    )


_NUMBER_TESTS: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_STRING_TESTS: dict[str, Callable[[str, str], bool]] = {
    "=": lambda a, b: a == b,
    "CONTAINS": lambda a, b: b in a,
    "BEGINSWITH": lambda a, b: a.startswith(b),
    "ENDSWITH": lambda a, b: a.endswith(b),
}


def _compile_compare(node: Compare) -> Matcher:
    keyword, op, value = node.keyword, node.op, node.value
    if isinstance(value, float):
        test = _NUMBER_TESTS[op]
        target = value
        return lambda s: _number_holds(s.number(keyword), test, target)
    text = str(value)
    if op == "!=":
        return lambda s: bool(found := s.strings(keyword)) and all(v != text for v in found)
    string_test = _STRING_TESTS[op]
    return lambda s: any(string_test(v, text) for v in s.strings(keyword))


def _number_holds(found: float | None, test: Callable[[float, float], bool], value: float) -> bool:
    return found is not None and not math.isnan(found) and test(found, value)


def _compile_annotation(node: AnnotationTest) -> Matcher:
    key, op, value = node.key, node.op, node.value
    if op is None:
        return lambda s: bool(s.annotations(key))
    if isinstance(value, bool):
        want = value
        if op == "=":
            return lambda s: any(v is want for v in s.annotations(key))
        return lambda s: any(isinstance(v, bool) and v is not want for v in s.annotations(key))
    if isinstance(value, float):
        test = _NUMBER_TESTS[op]
        number = value
        return lambda s: any(
            isinstance(v, int | float) and not isinstance(v, bool) and test(float(v), number)
            for v in s.annotations(key)
        )
    text = str(value)
    if op == "!=":
        return lambda s: any(isinstance(v, str) and v != text for v in s.annotations(key))
    string_test = _STRING_TESTS[op]
    return lambda s: any(isinstance(v, str) and string_test(v, text) for v in s.annotations(key))


def json_pattern_matches(pattern: Any, value: Any) -> bool:
    """True when `value` matches the rootcause.json `pattern`.

    Every field present in the pattern must match; omitted fields are
    wildcards; lists match element by element (same length).

    >>> json_pattern_matches({"Services": [{"Name": "a"}]},
    ...                      {"Services": [{"Name": "a", "Type": "t"}], "ClientImpacting": True})
    True
    """
    if isinstance(pattern, dict):
        return isinstance(value, Mapping) and all(
            key in value and json_pattern_matches(item, value[key]) for key, item in pattern.items()
        )
    if isinstance(pattern, list):
        return (
            isinstance(value, Sequence)
            and not isinstance(value, str)
            and len(pattern) == len(value)
            and all(json_pattern_matches(p, v) for p, v in zip(pattern, value, strict=True))
        )
    return bool(pattern == value)
