"""Names in generated code: the package hierarchy of a schema, identifiers, case changes.

Pure code. The package hierarchy follows what AWS's code bindings use (reference
B.5, TK-CG): ``schema``, then the schema name's parts (``aws.partner-…``
names: ``aws``, ``partner`` and the rest; other ``aws.`` names split on
``.``; any other name whole), each lower-cased with characters outside
``[A-Za-z0-9_@]`` made ``_``, and ``@`` as a package separator.

>>> package_parts("aws.ec2@EC2InstanceStateChangeNotification")
['schema', 'aws', 'ec2', 'ec2instancestatechangenotification']
>>> package_parts("users@UserCreated")
['schema', 'users', 'usercreated']
>>> snake_case("detail-type"), snake_case("alarmName"), snake_case("EC2InstanceId")
('detail_type', 'alarm_name', 'ec2_instance_id')
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable

__all__ = [
    "camel_case",
    "distinct",
    "identifier",
    "package_parts",
    "pascal_identifier",
    "snake_case",
]

_UNSAFE = re.compile(r"[^A-Za-z0-9_@]")
_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")
_CAMEL_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")


def package_parts(schema_name: str) -> list[str]:
    """The package (directory) hierarchy of a schema's code binding."""
    if schema_name.startswith("aws.partner-"):
        segments = ["aws", "partner", schema_name[len("aws.partner-") :]]
    elif schema_name.startswith("aws."):
        segments = schema_name.split(".")
    else:
        segments = [schema_name]
    parts = ["schema"]
    for segment in segments:
        parts.extend(p for p in _UNSAFE.sub("_", segment.lower()).split("@") if p)
    return [p if p[0].isalpha() or p[0] == "_" else f"_{p}" for p in parts]


def snake_case(key: str) -> str:
    """A JSON key as a snake_case identifier (``detail-type`` → ``detail_type``)."""
    words = _CAMEL_1.sub(r"\1_\2", key)
    words = _CAMEL_2.sub(r"\1_\2", words)
    return identifier(_NOT_WORD.sub("_", words).strip("_").lower() or "field")


def camel_case(key: str) -> str:
    """A JSON key as a camelCase identifier (``detail-type`` → ``detailType``)."""
    words = [w for w in _NOT_WORD.split(key) if w]
    if not words:
        return "field"
    text = words[0][:1].lower() + words[0][1:] + "".join(w[:1].upper() + w[1:] for w in words[1:])
    return identifier(text)


def pascal_identifier(name: str) -> str:
    """A component name as a class name: alphanumeric, not starting with a digit."""
    words = [w for w in _NOT_WORD.split(name) if w]
    text = "".join(w[:1].upper() + w[1:] for w in words) or "Model"
    return f"C{text}" if text[0].isdecimal() else text


def identifier(text: str) -> str:
    """`text` made a safe identifier in every target language (no leading digit, no keyword)."""
    if text[0].isdecimal():
        text = f"f_{text}"
    if keyword.iskeyword(text) or text in _RESERVED:
        text = f"{text}_"
    return text


#: Words reserved in Java, Go or TypeScript (Python's come from `keyword`).
_RESERVED_WORDS = (
    "abstract boolean break byte case catch char class const continue default do double "
    "else enum extends final finally float for func go goto if implements import "
    "instanceof int interface long map native new package private protected public range "
    "return select short static struct super switch synchronized this throw throws "
    "transient try type var void volatile while chan defer fallthrough let yield any "
    "string number object function delete typeof in of debugger export declare module "
    "namespace require"
)

_RESERVED = frozenset(_RESERVED_WORDS.split())


def distinct(names: Iterable[str]) -> list[str]:
    """`names` in order, each made distinct from those before it by appending ``_``.

    >>> distinct(["a", "a", "b", "a"])
    ['a', 'a_', 'b', 'a__']
    """
    kept: list[str] = []
    for name in names:
        while name in kept:
            name += "_"
        kept.append(name)
    return kept
