"""Amazon EventBridge Schema Registry, simulated: registries, schemas, discovery, code bindings.

``cloud.schemas`` is the `Schemas` service of the cloud's default account and
region. Schemas come from users (CreateSchema, OpenApi3 or JSONSchemaDraft4),
from AWS (the ``aws.events`` registry: the events awsmon's services emit) and
from discoverers watching event buses (``discovered-schemas``, inferred by
`Inference`); code bindings are generated in Python36, TypeScript3, Java8 and Go1.

Main names: `Schemas`, `Inference`, `infer`, `merge`, `schema_name`,
`to_json_schema_draft4`, `SchemaType`, `CodeLanguage`, `DiscovererState`,
`CodeGenerationStatus`.
"""

from __future__ import annotations

from awsmon.schemas.export import to_json_schema_draft4
from awsmon.schemas.inference import Inference, infer, merge, schema_name
from awsmon.schemas.model import (
    CodeGenerationStatus,
    CodeLanguage,
    DiscovererState,
    SchemaType,
)
from awsmon.schemas.service import Schemas

__all__ = [
    "CodeGenerationStatus",
    "CodeLanguage",
    "DiscovererState",
    "Inference",
    "SchemaType",
    "Schemas",
    "infer",
    "merge",
    "schema_name",
    "to_json_schema_draft4",
]
