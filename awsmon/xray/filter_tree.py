"""The syntax tree of X-Ray filter expressions: immutable nodes and the keyword sets.

`awsmon.xray.filter_syntax.parse` builds these nodes from the text;
`awsmon.xray.filter_expression` compiles them into a matcher. Every node is
a frozen value: a tree can be shared, hashed and compared.

>>> And((Flag("ok"), Not(Flag("partial"))))
And(items=(Flag(keyword='ok', expected=True), Not(item=Flag(keyword='partial', expected=True))))
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from awsmon import jsondoc

__all__ = [
    "BOOL_KEYWORDS",
    "ENTITY_ONLY",
    "NUMBER_KEYWORDS",
    "NUMBER_OPS",
    "ROOTCAUSE_KINDS",
    "ROOTCAUSE_LEVELS",
    "STRING_KEYWORDS",
    "STRING_OPS",
    "And",
    "AnnotationTest",
    "Compare",
    "EdgeTest",
    "Flag",
    "GroupTest",
    "Node",
    "Not",
    "Or",
    "Present",
    "RootCauseJson",
    "RootCauseTest",
    "ServiceRef",
    "ServiceTest",
    "Value",
]

BOOL_KEYWORDS = frozenset(
    {"ok", "error", "throttle", "fault", "partial", "inferred", "first", "last", "remote", "root"}
)
NUMBER_KEYWORDS = frozenset({"responsetime", "duration", "http.status", "index", "coverage"})
STRING_KEYWORDS = frozenset(
    {
        "http.url",
        "http.method",
        "http.useragent",
        "http.clientip",
        "user",
        "name",
        "type",
        "message",
        "availabilityzone",
        "instance.id",
        "resource.arn",
    }
)
#: Keywords that only make sense for a root-cause entity.
ENTITY_ONLY = frozenset({"index", "coverage", "first", "last", "message", "remote"})
NUMBER_OPS = ("=", "!=", "<", "<=", ">", ">=")
STRING_OPS = ("=", "!=", "CONTAINS", "BEGINSWITH", "ENDSWITH")
ROOTCAUSE_KINDS = ("fault", "error", "throttle", "responsetime")
ROOTCAUSE_LEVELS = ("service", "entity", "exception")

# -- the tree ------------------------------------------------------------------

Value = str | float | bool


@frozen
class Or:
    """True when any item is."""

    items: tuple[Node, ...]


@frozen
class And:
    """True when every item is."""

    items: tuple[Node, ...]


@frozen
class Not:
    """True when the item is not."""

    item: Node


@frozen
class Flag:
    """A boolean keyword (``fault``, ``ok = false``)."""

    keyword: str
    expected: bool = True


@frozen
class Compare:
    """A numeric or string keyword compared with a value (``http.status != 200``)."""

    keyword: str
    op: str
    value: Value


@frozen
class Present:
    """A string keyword alone: the field is set (``http.url``)."""

    keyword: str


@frozen
class AnnotationTest:
    """``annotation.key`` alone (the key is set) or compared with a value."""

    key: str
    op: str | None = None
    value: Value | None = None


@frozen
class ServiceRef:
    """A service node reference: a name, or ``id(name:…, type:…, account.id:…)``."""

    name: str | None = None
    type: str | None = None
    account_id: str | None = None


@frozen
class ServiceTest:
    """``service(ref) { body }``: some node matching `ref` whose segments satisfy `body`."""

    ref: ServiceRef | None
    body: Node | None = None


@frozen
class EdgeTest:
    """``edge(a, b) { body }``: a call from node `source` to node `target`."""

    source: ServiceRef
    target: ServiceRef
    body: Node | None = None


@frozen
class GroupTest:
    """``group.name = "x"`` or ``group.arn = "arn…"``."""

    attribute: str
    op: str
    value: str


@frozen
class RootCauseTest:
    """``rootcause.fault.entity { body }``: some root-cause item satisfying `body`."""

    kind: str
    level: str
    body: Node | None = None


@frozen
class RootCauseJson:
    """``rootcause.json = #[...]``: the JSON text of the root-cause pattern."""

    text: str

    def pattern(self) -> list[Any]:
        """The parsed JSON array."""
        value: list[Any] = jsondoc.loads(self.text)
        return value


Node = (
    Or
    | And
    | Not
    | Flag
    | Compare
    | Present
    | AnnotationTest
    | ServiceTest
    | EdgeTest
    | GroupTest
    | RootCauseTest
    | RootCauseJson
)
