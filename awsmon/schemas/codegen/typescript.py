"""The TypeScript3 code binding: a class per schema class and a ``Marshaller``.

Pure code. Files in the package directory (``schema/aws/ec2/.../``): one
``<Class>.ts`` per class, exporting the class with one property per JSON key
(quoted, typed: ``string``, ``number``, ``boolean``, ``Date``, ``any``,
arrays, classes; ``?`` for optional ones) and a static ``attributeTypeMap``;
``Marshaller.ts`` turns models into JSON data and back by those maps.
"""

from __future__ import annotations

import json

from awsmon.schemas.codegen.model import BindingModel, ClassModel, TypeRef

__all__ = ["typescript_files"]

_TS_TYPES = {
    "string": "string",
    "integer": "number",
    "number": "number",
    "boolean": "boolean",
    "datetime": "Date",
    "any": "any",
}


#: What the marshaller reads: a class name, ``Date``, ``Array<X>`` or ``any``.
_MAP_TYPES = {kind: "Date" if kind == "datetime" else "any" for kind in _TS_TYPES}


def _ts_type(ref: TypeRef) -> str:
    return ref.text(_TS_TYPES, "Array<{}>")


def _map_type(ref: TypeRef) -> str:
    """The type the marshaller reads: a class name, ``Date``, ``Array<X>`` or ``any``."""
    return ref.text(_MAP_TYPES, "Array<{}>")


def _referenced(ref: TypeRef) -> list[str]:
    if ref.kind == "array" and ref.item is not None:
        return _referenced(ref.item)
    return [ref.name] if ref.kind == "class" and ref.name else []


def _class_file(model: ClassModel) -> str:
    imports = sorted({n for f in model.fields for n in _referenced(f.type)} - {model.name})
    lines = [f"import {{ {name} }} from './{name}';" for name in imports]
    lines += ["", f"export class {model.name} {{"]
    for item in model.fields:
        optional = "" if item.required else "?"
        lines.append(f"    {json.dumps(item.key)}{optional}: {_ts_type(item.type)};")
    lines += ["", "    static attributeTypeMap: Array<{name: string, type: string}> = ["]
    for item in model.fields:
        entry = f'{{ "name": {json.dumps(item.key)}, "type": {json.dumps(_map_type(item.type))} }}'
        lines.append(f"        {entry},")
    lines += ["    ];", "}", ""]
    return "\n".join(lines)


def _marshaller(binding: BindingModel) -> str:
    names = [c.name for c in binding.classes]
    imports = "\n".join(f"import {{ {name} }} from './{name}';" for name in names)
    type_map = ",\n".join(f"    {json.dumps(name)}: {name}" for name in names)
    return f"""{imports}

const typeMap: {{[index: string]: any}} = {{
{type_map}
}};

export class Marshaller {{
    public static marshall(data: any, type: string): any {{
        if (data === undefined || data === null) {{
            return data;
        }} else if (type.startsWith("Array<")) {{
            const inner = type.substring(6, type.length - 1);
            return data.map((item: any) => Marshaller.marshall(item, inner));
        }} else if (type === "Date") {{
            return (data as Date).toISOString();
        }} else if (!typeMap[type]) {{
            return data;
        }}
        const instance: {{[index: string]: any}} = {{}};
        for (const attribute of typeMap[type].attributeTypeMap) {{
            const value = Marshaller.marshall(data[attribute.name], attribute.type);
            if (value !== undefined) {{
                instance[attribute.name] = value;
            }}
        }}
        return instance;
    }}

    public static unmarshal(data: any, type: string): any {{
        if (data === undefined || data === null) {{
            return data;
        }} else if (type.startsWith("Array<")) {{
            const inner = type.substring(6, type.length - 1);
            return data.map((item: any) => Marshaller.unmarshal(item, inner));
        }} else if (type === "Date") {{
            return new Date(data);
        }} else if (!typeMap[type]) {{
            return data;
        }}
        const instance = new typeMap[type]();
        for (const attribute of typeMap[type].attributeTypeMap) {{
            instance[attribute.name] = Marshaller.unmarshal(data[attribute.name], attribute.type);
        }}
        return instance;
    }}
}}
"""


def typescript_files(binding: BindingModel) -> dict[str, str]:
    """The binding's files: path inside the zip → source text."""
    base = "/".join(binding.package)
    files = {f"{base}/{model.name}.ts": _class_file(model) for model in binding.classes}
    files[f"{base}/Marshaller.ts"] = _marshaller(binding)
    return files
