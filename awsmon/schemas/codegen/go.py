"""The Go1 code binding: a struct per schema class and a marshaller, in one package.

Pure code. Files in the package directory (``schema/aws/ec2/.../``), package
name its last part: one ``<Class>.go`` per class, a struct with one exported
field per JSON key and a ``json`` tag (``omitempty`` for optional ones), and
``marshaller.go`` with ``Marshal`` and ``UnmarshalEvent`` over
``encoding/json``.
"""

from __future__ import annotations

import json

from awsmon.schemas.codegen.model import BindingModel, ClassModel, TypeRef
from awsmon.schemas.codegen.naming import camel_case, distinct

__all__ = ["go_files"]

_GO_TYPES = {
    "string": "string",
    "integer": "int64",
    "number": "float64",
    "boolean": "bool",
    "datetime": "time.Time",
    "any": "interface{}",
}


def _go_type(ref: TypeRef) -> str:
    return ref.text(_GO_TYPES, "[]{}")


def _go_name(key: str) -> str:
    base = camel_case(key).rstrip("_")
    name = base[:1].upper() + base[1:]
    return name if name[:1].isalpha() else "F" + name


def _field_names(model: ClassModel) -> list[str]:
    return distinct(_go_name(item.key) for item in model.fields)


def _struct_file(package: str, model: ClassModel) -> str:
    lines = [f"package {package}", ""]
    if any("time.Time" in _go_type(f.type) for f in model.fields):
        lines += ['import "time"', ""]
    lines.append(f"type {model.name} struct {{")
    for name, item in zip(_field_names(model), model.fields, strict=True):
        tag = f"json:{json.dumps(item.key + ('' if item.required else ',omitempty'))}"
        lines.append(f"\t{name} {_go_type(item.type)} {json.dumps(tag)}")
    lines += ["}", ""]
    return "\n".join(lines)


def go_files(binding: BindingModel) -> dict[str, str]:
    """The binding's files: path inside the zip → source text."""
    base = "/".join(binding.package)
    package = binding.package[-1].replace("-", "_")
    files = {f"{base}/{m.name}.go": _struct_file(package, m) for m in binding.classes}
    files[f"{base}/marshaller.go"] = f"""package {package}

import "encoding/json"

// Marshal turns a model into JSON.
func Marshal(input interface{{}}) ([]byte, error) {{
\treturn json.Marshal(input)
}}

// UnmarshalEvent reads an event into the {binding.root} model.
func UnmarshalEvent(inputJSON []byte) ({binding.root}, error) {{
\tvar output {binding.root}
\terr := json.Unmarshal(inputJSON, &output)
\treturn output, err
}}
"""
    return files
