"""Code bindings: a schema's classes generated in Python36, TypeScript3, Java8 or Go1.

Pure code. `generate` reads a schema document into a `BindingModel`
(`awsmon.schemas.codegen.model`) and renders it with the language's generator
(`python`, `typescript`, `java`, `go`), returning the zip archive
GetCodeBindingSource hands out: the files under the schema's package
directories (``schema/aws/ec2/ec2instancestatechangenotification/...``).

>>> import io, zipfile
>>> from awsmon.schemas.inference import infer
>>> doc = infer([{"source": "users", "detail-type": "userCreated", "detail": {"id": "x"}}])
>>> names = zipfile.ZipFile(io.BytesIO(generate("Python36", "users@UserCreated", doc))).namelist()
>>> [n.rsplit("/", 1)[1] for n in sorted(names) if n.startswith("schema/users/usercreated/")]
['__init__.py', 'aws_event.py', 'marshaller.py', 'user_created.py']
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

from awsmon.schemas.codegen.go import go_files
from awsmon.schemas.codegen.java import java_files
from awsmon.schemas.codegen.model import BindingModel, binding_model
from awsmon.schemas.codegen.python import python_files
from awsmon.schemas.codegen.typescript import typescript_files

__all__ = ["GENERATORS", "BindingModel", "binding_model", "generate", "source_files"]

#: Language (as the API names it) → the generator of its files.
GENERATORS: dict[str, Callable[[BindingModel], dict[str, str]]] = {
    "Python36": python_files,
    "TypeScript3": typescript_files,
    "Java8": java_files,
    "Go1": go_files,
}

# Entries of the archive carry a fixed date, so the same schema gives the same bytes.
_ZIP_DATE = (2019, 12, 2, 0, 0, 0)


def source_files(language: str, schema_name: str, document: Mapping[str, Any]) -> dict[str, str]:
    """The files of the binding of `document` in `language`: path → text.

    Raises:
        KeyError: not one of `GENERATORS`.
    """
    return GENERATORS[language](binding_model(schema_name, document))


def generate(language: str, schema_name: str, document: Mapping[str, Any]) -> bytes:
    """The zip archive of the binding of `document` in `language`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in sorted(source_files(language, schema_name, document).items()):
            archive.writestr(zipfile.ZipInfo(path, date_time=_ZIP_DATE), text)
    return buffer.getvalue()
