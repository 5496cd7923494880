"""The Java8 code binding: a class per schema class and a ``marshaller`` package.

Pure code. Files under the package directory (``schema/aws/ec2/.../``): one
``<Class>.java`` per class (``package schema.aws.ec2...;``) with private
fields, getters, fluent ``with`` setters and setters, ``equals``,
``hashCode``, ``toString`` and ``toJsonMap`` (JSON keys → values), and
``marshaller/Marshaller.java`` writing a model as JSON text.

Simulation notes: AWS's Java binding marshals with Jackson; this one has no
dependency outside the JDK (it compiles with ``javac`` alone) and marshals
only (model → JSON).
"""

from __future__ import annotations

import json

from awsmon.schemas.codegen.model import BindingModel, ClassModel, TypeRef
from awsmon.schemas.codegen.naming import camel_case, distinct

__all__ = ["java_files"]

_JAVA_TYPES = {
    "string": "String",
    "integer": "Long",
    "number": "Double",
    "boolean": "Boolean",
    "datetime": "java.util.Date",
    "any": "Object",
}


def _java_type(ref: TypeRef) -> str:
    return ref.text(_JAVA_TYPES, "java.util.List<{}>")


def _field_names(model: ClassModel) -> list[str]:
    return distinct(camel_case(item.key) for item in model.fields)


def _class_file(package: str, model: ClassModel) -> str:
    names = _field_names(model)
    pairs = list(zip(names, model.fields, strict=True))
    lines = [
        f"package {package};",
        "",
        f"import {package}.marshaller.JsonModel;",
        "",
        f"public class {model.name} implements java.io.Serializable, JsonModel {{",
        "  private static final long serialVersionUID = 1L;",
        "",
    ]
    lines += [f"  private {_java_type(f.type)} {n} = null;" for n, f in pairs]
    for name, item in pairs:
        kind = _java_type(item.type)
        upper = name[:1].upper() + name[1:]
        lines += [
            "",
            f"  public {model.name} with{upper}({kind} {name}) {{",
            f"    this.{name} = {name};",
            "    return this;",
            "  }",
            "",
            f"  public {kind} get{upper}() {{",
            f"    return {name};",
            "  }",
            "",
            f"  public void set{upper}({kind} {name}) {{",
            f"    this.{name} = {name};",
            "  }",
        ]
    fields = ", ".join(names)
    equal = " &&\n        ".join(f"java.util.Objects.equals(this.{n}, that.{n})" for n in names)
    lines += [
        "",
        "  @Override",
        "  public java.util.Map<String, Object> toJsonMap() {",
        "    java.util.Map<String, Object> map = new java.util.LinkedHashMap<>();",
        *[f"    map.put({json.dumps(f.key)}, {n});" for n, f in pairs],
        "    return map;",
        "  }",
        "",
        "  @Override",
        "  public boolean equals(Object o) {",
        "    if (this == o) {",
        "      return true;",
        "    }",
        "    if (o == null || getClass() != o.getClass()) {",
        "      return false;",
        "    }",
        f"    {model.name} that = ({model.name}) o;",
        f"    return {equal or 'true'};",
        "  }",
        "",
        "  @Override",
        "  public int hashCode() {",
        f"    return java.util.Objects.hash({fields});",
        "  }",
        "",
        "  @Override",
        "  public String toString() {",
        f'    return "class {model.name} " + toJsonMap();',
        "  }",
        "}",
        "",
    ]
    return "\n".join(lines)


_MARSHALLER = """package {package}.marshaller;

import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

/** Writes models as JSON text. */
public final class Marshaller {{
  private Marshaller() {{
  }}

  public static String marshal(Object value) {{
    StringBuilder out = new StringBuilder();
    write(out, value);
    return out.toString();
  }}

  private static void write(StringBuilder out, Object value) {{
    if (value == null) {{
      out.append("null");
    }} else if (value instanceof JsonModel) {{
      Map<String, Object> map = new java.util.LinkedHashMap<>();
      for (Map.Entry<String, Object> e : ((JsonModel) value).toJsonMap().entrySet()) {{
        if (e.getValue() != null) {{
          map.put(e.getKey(), e.getValue());
        }}
      }}
      write(out, map);
    }} else if (value instanceof Map) {{
      out.append('{{');
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {{
        if (!first) {{
          out.append(',');
        }}
        first = false;
        quote(out, String.valueOf(e.getKey()));
        out.append(':');
        write(out, e.getValue());
      }}
      out.append('}}');
    }} else if (value instanceof List) {{
      out.append('[');
      boolean first = true;
      for (Object item : (List<?>) value) {{
        if (!first) {{
          out.append(',');
        }}
        first = false;
        write(out, item);
      }}
      out.append(']');
    }} else if (value instanceof Date) {{
      SimpleDateFormat format = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
      format.setTimeZone(TimeZone.getTimeZone("UTC"));
      quote(out, format.format((Date) value));
    }} else if (value instanceof Number || value instanceof Boolean) {{
      out.append(value);
    }} else {{
      quote(out, value.toString());
    }}
  }}

  private static void quote(StringBuilder out, String text) {{
    out.append('"');
    for (char c : text.toCharArray()) {{
      if (c == '"' || c == '\\\\') {{
        out.append('\\\\').append(c);
      }} else if (c < 0x20) {{
        out.append(String.format("\\\\u%04x", (int) c));
      }} else {{
        out.append(c);
      }}
    }}
    out.append('"');
  }}
}}
"""

_JSON_MODEL = """package {package}.marshaller;

/** A generated model: its JSON keys and values. */
public interface JsonModel {{
  java.util.Map<String, Object> toJsonMap();
}}
"""


def java_files(binding: BindingModel) -> dict[str, str]:
    """The binding's files: path inside the zip → source text."""
    base = "/".join(binding.package)
    package = ".".join(binding.package)
    files = {f"{base}/{m.name}.java": _class_file(package, m) for m in binding.classes}
    files[f"{base}/marshaller/Marshaller.java"] = _MARSHALLER.format(package=package)
    files[f"{base}/marshaller/JsonModel.java"] = _JSON_MODEL.format(package=package)
    return files
