"""What a code binding generates: the classes of a schema document, language-neutral.

Pure code. `binding_model` reads an OpenAPI 3 document (or a JSON Schema Draft 4
one, its ``definitions`` as components and its root as ``AWSEvent``) and
returns a `BindingModel`: the package, and one `ClassModel` per object
component with typed `FieldModel`s. Each generator (`python`, `typescript`,
`java`, `go`) renders that model.

Types (`TypeRef.kind`): ``string``, ``integer``, ``number``, ``boolean``,
``datetime`` (string with format date-time), ``any`` (an empty or untyped
schema, a free-form object), ``array`` (with `TypeRef.item`) and ``class``
(with `TypeRef.name`). An inline object with properties becomes a class of its own.

>>> from awsmon.schemas.inference import infer
>>> event = {"source": "users", "detail-type": "userCreated", "detail": {"data": {"id": "x"}}}
>>> model = binding_model("users@UserCreated", infer([event]))
>>> [c.name for c in model.classes], model.root, model.detail
(['AWSEvent', 'UserCreated', 'Data'], 'AWSEvent', 'UserCreated')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from awsmon.schemas.codegen.naming import package_parts, pascal_identifier

__all__ = ["BindingModel", "ClassModel", "FieldModel", "TypeRef", "binding_model"]

_REFS = ("#/components/schemas/", "#/definitions/")


@frozen
class TypeRef:
    """The type of a field: a kind, the element type of arrays, the class of objects."""

    kind: str
    item: TypeRef | None = None
    name: str | None = None

    def text(self, scalars: Mapping[str, str], array: str) -> str:
        """The type written in one language.

        Args:
            scalars: the language's name of each scalar kind and of ``any``.
            array: the array type, ``{}`` standing for the element's type.

        >>> TypeRef("array", TypeRef("string")).text({"string": "str", "any": "object"}, "list[{}]")
        'list[str]'
        """
        if self.kind == "array":
            return array.format((self.item or TypeRef("any")).text(scalars, array))
        if self.kind == "class":
            return self.name or scalars["any"]
        return scalars[self.kind]


@frozen
class FieldModel:
    """One attribute: its JSON key, type and whether the schema requires it."""

    key: str
    type: TypeRef
    required: bool


@frozen
class ClassModel:
    """One class: a component with properties."""

    name: str
    fields: tuple[FieldModel, ...]


@frozen
class BindingModel:
    """Everything a generator needs.

    Attributes:
        schema_name: the schema's name.
        package: the package hierarchy (``["schema", "aws", "ec2", ...]``).
        classes: the classes, root first.
        root: the root class's name (``AWSEvent`` for event schemas).
        detail: the class of the event's ``detail`` (the root when there is none).
    """

    schema_name: str
    package: tuple[str, ...]
    classes: tuple[ClassModel, ...]
    root: str
    detail: str


class _Reader:
    def __init__(self, components: Mapping[str, Any]) -> None:
        self.components = components
        self.names: dict[str, str] = {}
        taken: set[str] = set()
        for component in components:
            name = pascal_identifier(component)
            while name in taken:
                name += "_"
            taken.add(name)
            self.names[component] = name
        self.taken = taken
        self.classes: dict[str, ClassModel] = {}
        self.order: list[str] = []

    def type_of(self, schema: Any, hint: str, depth: int = 0) -> TypeRef:
        if not isinstance(schema, Mapping) or depth > 64:
            return TypeRef("any")
        ref = schema.get("$ref")
        if isinstance(ref, str):
            for prefix in _REFS:
                if ref.startswith(prefix) and ref[len(prefix) :] in self.components:
                    component = ref[len(prefix) :]
                    target = self.components[component]
                    if _is_class(target):
                        self.visit(component)
                        return TypeRef("class", name=self.names[component])
                    return self.type_of(target, hint, depth + 1)
            return TypeRef("any")
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            kind = kinds[0] if len(kinds) == 1 else None
        if kind == "string":
            return TypeRef("datetime" if schema.get("format") == "date-time" else "string")
        if kind in ("integer", "number", "boolean"):
            return TypeRef(str(kind))
        if kind == "array":
            return TypeRef("array", item=self.type_of(schema.get("items"), hint, depth + 1))
        if _is_class(schema):
            name = pascal_identifier(hint)
            while name in self.taken:
                name += "_"
            self.taken.add(name)
            self.build(name, schema)
            return TypeRef("class", name=name)
        return TypeRef("any")

    def visit(self, component: str) -> None:
        name = self.names[component]
        if name not in self.classes and name not in self.order:
            self.build(name, self.components[component])

    def build(self, name: str, schema: Mapping[str, Any]) -> None:
        self.order.append(name)
        required = set(schema.get("required", ()))
        fields = []
        for key, child in dict(schema.get("properties", {})).items():
            kind = self.type_of(child, key)
            # a free-form value may be null: no required check on it
            fields.append(FieldModel(key, kind, key in required and kind.kind != "any"))
        self.classes[name] = ClassModel(name, tuple(fields))


def _is_class(schema: Any) -> bool:
    return (
        isinstance(schema, Mapping)
        and schema.get("type", "object") == "object"
        and isinstance(schema.get("properties"), Mapping)
        and "$ref" not in schema
    )


def _components(document: Mapping[str, Any]) -> dict[str, Any]:
    components = document.get("components", {}).get("schemas")
    if isinstance(components, Mapping):
        return dict(components)
    found = dict(document.get("definitions", {}))
    if "properties" in document:
        found["AWSEvent"] = {k: v for k, v in document.items() if k != "definitions"}
    return found


def binding_model(schema_name: str, document: Mapping[str, Any]) -> BindingModel:
    """The classes to generate for `document`, the schema `schema_name`'s content."""
    components = _components(document)
    reader = _Reader(components)
    root_component = "AWSEvent" if "AWSEvent" in components else next(iter(components), None)
    if root_component is not None and _is_class(components[root_component]):
        reader.visit(root_component)
    for component, schema in components.items():
        if _is_class(schema):
            reader.visit(component)
    if not reader.order:
        reader.build("AWSEvent", {"properties": {}})
    root = reader.order[0]
    detail = root
    for item in reader.classes[root].fields:
        if item.key == "detail" and item.type.kind == "class" and item.type.name:
            detail = item.type.name
    classes = tuple(reader.classes[name] for name in reader.order)
    return BindingModel(schema_name, tuple(package_parts(schema_name)), classes, root, detail)
