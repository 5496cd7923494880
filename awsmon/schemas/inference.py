"""Schema inference: from JSON events to the OpenAPI 3.0.0 document EventBridge discovers.

Pure code (no clock, no service): schema discovery and GetDiscoveredSchema
call it, and tests can use it alone.

Main names:

- `Inference`: an accumulator of events of one kind (one ``source`` and
  ``detail-type``); `Inference.add` merges one event and says whether the
  schema changed; `Inference.document` renders the OpenAPI document as AWS
  lays out its discovered schemas (reference B.4); `Inference.from_document`
  takes a document back, so a new event can be merged into an existing schema.
- `infer`: the document of some events; `merge`: a document with more events.
- `schema_name`, `pascal_case`: the discovered schema's name,
  ``<source>@<PascalCase(detail-type)>``.

What is inferred (reference B.4, decisions of F.2 U18): strings (with
``format: date-time`` when every value is an RFC 3339 timestamp), integers
(``int64``) and other numbers (``double``, also when integers and fractions
mix), booleans, nulls (an empty schema), objects as components named after
their key in PascalCase (``detail`` after the detail-type; a clash gets a
numeric suffix), arrays with the schema of all their elements (an array never
seen with an element: ``items: {type: object}``). A key is required when every
object seen at that place had it, so an event with a new field yields a schema
where the field is optional and the older events still validate. Values of
incompatible types at one place give an empty schema (anything). Nesting
deeper than 255 levels is not inferred (AWS's quota), the value is left open.

>>> event = {"source": "users", "detail-type": "userCreated", "detail": {"data": {"id": "x"}}}
>>> doc = infer([event])
>>> doc["info"]["title"], sorted(doc["components"]["schemas"])
('UserCreated', ['AWSEvent', 'Data', 'UserCreated'])
>>> schema_name("aws.ec2", "EC2 Instance State-change Notification")
'aws.ec2@EC2InstanceStateChangeNotification'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["MAX_DEPTH", "Inference", "infer", "merge", "pascal_case", "schema_name"]

#: Levels of nesting AWS infers (EventBridge quota); deeper values are left open.
MAX_DEPTH = 255

#: The envelope fields in the order AWS lists them in ``required`` (reference E7.2).
ENVELOPE_ORDER = (
    "detail-type",
    "resources",
    "detail",
    "id",
    "source",
    "time",
    "region",
    "version",
    "account",
)

_REF = "#/components/schemas/"
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")
_TOKEN = re.compile(r"[A-Za-z0-9]+")

# Kinds a value can have at one place of the schema.
_STRING, _INTEGER, _NUMBER, _BOOLEAN, _NULL, _OBJECT, _ARRAY, _ANY = range(8)


def pascal_case(text: str) -> str:
    """`text` split on every non-alphanumeric character, each token's first letter upper-cased.

    >>> pascal_case("EC2 Instance State-change Notification"), pascal_case("userCreated")
    ('EC2InstanceStateChangeNotification', 'UserCreated')
    """
    return "".join(token[0].upper() + token[1:] for token in _TOKEN.findall(text))


def schema_name(source: str, detail_type: str) -> str:
    """The name discovery gives the schema of (`source`, `detail_type`) events (reference B.3)."""
    return f"{source}@{pascal_case(detail_type)}"


def _format_of(text: str) -> str:
    """The string format of `text`: ``date-time`` for an RFC 3339 timestamp, else ""."""
    if 19 < len(text) < 40 and text[4] == "-" and _DATE_TIME.fullmatch(text) is not None:
        return "date-time"
    return ""


class _Node:
    """What has been seen at one place of the events: kinds, string format, keys, elements.

    `seen` counts the objects (of the parent place) that had this key, so a key
    is required when its `seen` equals the parent's `objects`.
    """

    __slots__ = ("format", "items", "kinds", "objects", "properties", "seen")

    def __init__(self) -> None:
        self.kinds: set[int] = set()
        self.format: str | None = None  # None: no string yet; "": strings of mixed formats
        self.objects = 0
        self.seen = 0
        self.properties: dict[str, _Node] = {}
        self.items: _Node | None = None

    def add(self, value: Any, depth: int) -> bool:
        """Merge `value`; True when the schema changed."""
        changed = False
        kind = _KIND_OF_TYPE.get(type(value))
        if kind is None:
            kind = _kind_of(value)
        if depth > MAX_DEPTH:
            kind = _ANY
        elif kind == _STRING:
            if self.format != "":
                found = _format_of(value)
                if self.format is None:
                    self.format = found
                    changed = True
                elif found != self.format:
                    self.format = ""
                    changed = True
        elif kind == _OBJECT:
            changed = self._add_object(value, depth)
        elif kind == _ARRAY:
            changed = self._add_array(value, depth)
        if kind not in self.kinds:
            self.kinds.add(kind)
            changed = True
        return changed

    def _add_object(self, value: Mapping[str, Any], depth: int) -> bool:
        changed = False
        before = self.objects
        self.objects = before + 1
        properties = self.properties
        for key, item in value.items():
            node = properties.get(key)
            if node is None:
                node = properties[key] = _Node()
                changed = True
            node.seen += 1
            # the common case, a scalar of a kind already seen here, changes nothing
            kind = _KIND_OF_TYPE.get(type(item))
            if (
                kind is not None
                and kind < _OBJECT
                and kind in node.kinds
                and (kind != _STRING or node.format == "" or node.format == _format_of(item))
            ):
                continue
            if node.add(item, depth + 1):
                changed = True
        if before and len(value) != len(properties):
            # a key seen before is missing here: it becomes optional if it was required
            for key, node in properties.items():
                if node.seen == before and key not in value:
                    changed = True
        return changed

    def _add_array(self, value: Sequence[Any], depth: int) -> bool:
        changed = False
        if not value:
            return changed  # an empty array tells nothing of the elements
        if self.items is None:
            self.items = _Node()
            changed = True
        for item in value:
            if self.items.add(item, depth + 1):
                changed = True
        return changed

    def required(self) -> list[str]:
        """Keys present in every object seen here."""
        return [key for key, node in self.properties.items() if node.seen == self.objects]


_KIND_OF_TYPE: dict[type, int] = {
    str: _STRING,
    bool: _BOOLEAN,
    int: _INTEGER,
    float: _NUMBER,
    type(None): _NULL,
    dict: _OBJECT,
    list: _ARRAY,
}


def _kind_of(value: Any) -> int:
    """The kind of a value of a type JSON decoding does not give (subclasses, tuples)."""
    if isinstance(value, str):
        return _STRING
    if isinstance(value, bool):
        return _BOOLEAN
    if isinstance(value, int):
        return _INTEGER
    if isinstance(value, float):
        return _NUMBER
    if isinstance(value, Mapping):
        return _OBJECT
    if isinstance(value, list | tuple):
        return _ARRAY
    return _ANY


class Inference:
    """The inferred schema of events of one kind, growing as events are added.

    >>> inference = Inference()
    >>> inference.add({"source": "shop", "detail-type": "order", "detail": {"id": 1}})
    True
    >>> inference.add({"source": "shop", "detail-type": "order", "detail": {"id": 2}})
    False
    >>> inference.add({"source": "shop", "detail-type": "order", "detail": {"id": 3, "n": 1.5}})
    True
    >>> inference.document()["components"]["schemas"]["Order"]["required"]
    ['id']
    """

    def __init__(self) -> None:
        self._root = _Node()
        self.source: str | None = None
        self.detail_type: str | None = None

    def add(self, event: Mapping[str, Any]) -> bool:
        """Merge one event (a JSON object); True when the rendered schema changes."""
        if self.source is None and isinstance(event.get("source"), str):
            self.source = event["source"]
        if self.detail_type is None and isinstance(event.get("detail-type"), str):
            self.detail_type = event["detail-type"]
        return self._root.add(event, 0)

    def add_all(self, events: Iterable[Mapping[str, Any]]) -> bool:
        """Merge several events; True when any of them changed the schema."""
        changed = False
        for event in events:
            changed = self.add(event) or changed
        return changed

    @property
    def title(self) -> str:
        """The document's title: the PascalCase detail-type (``Event`` without one)."""
        return pascal_case(self.detail_type or "") or "Event"

    def document(self, *, code_hierarchy: str | None = None) -> dict[str, Any]:
        """The OpenAPI 3.0.0 document, laid out as AWS's discovered schemas (reference B.4).

        Args:
            code_hierarchy: the ``x-amazon-schemas-generated-code-hierarchy`` of
                ``info`` (AWS's own registry sets it), or None.
        """
        info: dict[str, Any] = {"version": "1.0.0", "title": self.title}
        if code_hierarchy is not None:
            info["x-amazon-schemas-generated-code-hierarchy"] = code_hierarchy
        renderer = _Renderer(self.title)
        renderer.component("AWSEvent", self._root, envelope=self)
        renderer.drain()
        return {
            "openapi": "3.0.0",
            "info": info,
            "paths": {},
            "components": {"schemas": renderer.components},
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Inference:
        """The inference a document stands for, so more events can be merged into it.

        Reads documents as `document` writes them (components, ``$ref``, ``required``).
        """
        inference = cls()
        components = document.get("components", {}).get("schemas", {})
        root = components.get("AWSEvent")
        if isinstance(root, Mapping):
            source = root.get("x-amazon-events-source")
            detail_type = root.get("x-amazon-events-detail-type")
            inference.source = source if isinstance(source, str) else None
            inference.detail_type = detail_type if isinstance(detail_type, str) else None
            inference._root = _read(root, components, 0)
        return inference


def infer(events: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The OpenAPI document inferred from `events` (JSON objects of one kind)."""
    inference = Inference()
    inference.add_all(events)
    return inference.document()


def merge(document: Mapping[str, Any], events: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """`document` (an inferred OpenAPI document) with `events` merged in."""
    inference = Inference.from_document(document)
    inference.add_all(events)
    return inference.document()


class _Renderer:
    """Renders nodes to OpenAPI schemas, objects as named components (breadth first)."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.components: dict[str, Any] = {}
        self._pending: list[tuple[str, _Node]] = []
        self._taken = {"AWSEvent", title}

    def _name_for(self, key: str) -> str:
        base = pascal_case(key) or "Object"
        name, suffix = base, 0
        while name in self._taken:
            suffix += 1
            name = f"{base}{suffix}"
        self._taken.add(name)
        return name

    def component(self, name: str, node: _Node, *, envelope: Inference | None = None) -> None:
        body: dict[str, Any] = {"type": "object"}
        required = node.required()
        keys = sorted(node.properties)
        if envelope is not None:
            order = {key: i for i, key in enumerate(ENVELOPE_ORDER)}
            required.sort(key=lambda k: (order.get(k, len(order)), k))
            if "detail" in keys:
                keys.remove("detail")
                keys.insert(0, "detail")
        else:
            required.sort()
        if required:
            body["required"] = required
        if envelope is not None:
            if envelope.detail_type is not None:
                body["x-amazon-events-detail-type"] = envelope.detail_type
            if envelope.source is not None:
                body["x-amazon-events-source"] = envelope.source
        properties: dict[str, Any] = {}
        for key in keys:
            child = node.properties[key]
            if envelope is not None and key == "detail" and child.kinds == {_OBJECT}:
                properties[key] = {"$ref": _REF + self.title}
                self._pending.append((self.title, child))
            elif envelope is not None and key == "time" and child.kinds == {_STRING}:
                properties[key] = {"type": "string", "format": "date-time"}
            else:
                properties[key] = self.schema(key, child)
        body["properties"] = properties
        self.components[name] = body

    def schema(self, key: str, node: _Node) -> dict[str, Any]:
        kinds = node.kinds
        if kinds == {_INTEGER, _NUMBER}:
            return {"type": "number", "format": "double"}
        if len(kinds) != 1:
            return {}  # nothing seen, or values of incompatible types: anything
        (kind,) = kinds
        if kind == _STRING:
            return {"type": "string", "format": "date-time"} if node.format else {"type": "string"}
        if kind == _INTEGER:
            return {"type": "integer", "format": "int64"}
        if kind == _NUMBER:
            return {"type": "number", "format": "double"}
        if kind == _BOOLEAN:
            return {"type": "boolean"}
        if kind == _OBJECT:
            name = self._name_for(key)
            self._pending.append((name, node))
            return {"$ref": _REF + name}
        if kind == _ARRAY:
            items = node.items
            if items is None or not items.kinds:
                return {"type": "array", "items": {"type": "object"}}
            return {"type": "array", "items": self.schema(key, items)}
        return {}

    def drain(self) -> None:
        while self._pending:
            name, node = self._pending.pop(0)
            self.component(name, node)


def _read(schema: Mapping[str, Any], components: Mapping[str, Any], depth: int) -> _Node:
    """The node a rendered schema stands for (one object seen, its required keys present)."""
    node = _Node()
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_REF):
        target = components.get(ref[len(_REF) :])
        schema = target if isinstance(target, Mapping) and depth <= MAX_DEPTH else {}
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        node.kinds.add(_OBJECT)
        node.objects = 1
        required = set(schema.get("required", ()))
        for key, child in dict(schema.get("properties", {})).items():
            node.properties[key] = _read(child, components, depth + 1)
            node.properties[key].seen = 1 if key in required else 0
    elif kind == "array":
        node.kinds.add(_ARRAY)
        items = schema.get("items")
        if isinstance(items, Mapping) and items != {"type": "object"}:
            node.items = _read(items, components, depth + 1)
    elif kind == "string":
        node.kinds.add(_STRING)
        node.format = "date-time" if schema.get("format") == "date-time" else ""
    elif kind == "integer":
        node.kinds.add(_INTEGER)
    elif kind == "number":
        node.kinds.add(_NUMBER)
    elif kind == "boolean":
        node.kinds.add(_BOOLEAN)
    else:
        node.kinds.add(_ANY)
    return node
