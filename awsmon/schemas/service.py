"""The Schema Registry service of one account and region: `Schemas`.

Schemas and their versions live here; registries, policies and tags in
`awsmon.schemas.registries`, discoverers in `awsmon.schemas.discovery`, code
bindings in `awsmon.schemas.bindings` (all parts of `Schemas`). The pure
pieces: `awsmon.schemas.inference` (events → OpenAPI), `export` (→ Draft 4),
`content` (checks of schema documents), `codegen` (bindings).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from awsmon import jsondoc
from awsmon.dispatch import operation
from awsmon.schemas._paging import page
from awsmon.schemas.aws_events import builtin_schemas
from awsmon.schemas.bindings import CodeBindingOperations
from awsmon.schemas.content import parse_content
from awsmon.schemas.discovery import DiscoveryOperations
from awsmon.schemas.errors import BadRequestException, ConflictException, NotFoundException
from awsmon.schemas.export import to_json_schema_draft4
from awsmon.schemas.inference import Inference
from awsmon.schemas.model import (
    AWS_EVENTS_REGISTRY,
    Registry,
    Schema,
    SchemaType,
    SchemaVersion,
)

__all__ = ["Schemas"]


@functools.cache
def _builtin_contents() -> tuple[tuple[str, str], ...]:
    """The ``aws.events`` schemas as (name, content text), inferred once per process."""
    return tuple((name, json.dumps(doc)) for name, doc in builtin_schemas().items())


class Schemas(DiscoveryOperations, CodeBindingOperations):
    """Amazon EventBridge Schema Registry in one account and region.

    Operations, by purpose:

    - registries (`awsmon.schemas.registries`): `create_registry`,
      `describe_registry`, `update_registry`, `delete_registry`,
      `list_registries`; resource policies: `put_resource_policy`,
      `get_resource_policy`, `delete_resource_policy`
    - schemas: `create_schema`, `update_schema`, `describe_schema`,
      `delete_schema`, `delete_schema_version`, `list_schemas`,
      `list_schema_versions`, `search_schemas`, `export_schema`,
      `get_discovered_schema`
    - discovery (`awsmon.schemas.discovery`): `create_discoverer`,
      `describe_discoverer`, `update_discoverer`, `start_discoverer`,
      `stop_discoverer`, `delete_discoverer`, `list_discoverers`
    - code bindings (`awsmon.schemas.bindings`): `put_code_binding`,
      `describe_code_binding`, `get_code_binding_source`
    - tags: `tag_resource`, `untag_resource`, `list_tags_for_resource`

    The ``aws.events`` registry holds the schemas of the events awsmon's
    services emit (`awsmon.schemas.aws_events`); ``discovered-schemas`` those
    discoverers infer from the events reaching their bus, a new version when
    the events' structure changes, `discovery_delay` after the events.
    Creating a schema or a version puts "Schema Created" / "Schema Version
    Created" (source ``aws.schemas``) on the default bus.

    Simulation notes:
        - UpdateSchema with the latest version's content creates no version
          (UNCONFIRMED); the only version of a schema cannot be deleted
          (DeleteSchema deletes the schema).
        - ``aws.events`` is read-only (``ForbiddenException``).

    >>> from awsmon import Cloud
    >>> schemas = Cloud().schemas
    >>> name = "aws.ec2@EC2InstanceStateChangeNotification"
    >>> schemas.describe_schema("aws.events", name)[1].version
    '1'
    """

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        registry = self.registries[AWS_EVENTS_REGISTRY]
        now = self.ctx.now()
        for name, content in _builtin_contents():
            schema = Schema(
                name=name,
                arn=self._schema_arn(AWS_EVENTS_REGISTRY, name),
                registry_name=AWS_EVENTS_REGISTRY,
                type=SchemaType.OPEN_API_3,
                last_modified_at=now,
            )
            schema.last_version = 1
            schema.versions["1"] = SchemaVersion(
                version="1", content=content, type=SchemaType.OPEN_API_3, created_at=now
            )
            registry.schemas[name] = schema

    def _schema_arn(self, registry_name: str, schema_name: str) -> str:
        return self.ctx.arn(f"schema/{registry_name}/{schema_name}")

    def schema(self, registry_name: str, schema_name: str) -> Schema:
        """The schema `schema_name` of `registry_name`.

        Raises:
            NotFoundException: no such registry or schema.
        """
        found = self.registry(registry_name).schemas.get(schema_name)
        if found is None:
            raise NotFoundException(
                f"Schema with name {schema_name} does not exist.",
                param="SchemaName",
                value=schema_name,
            )
        return found

    def version_of(self, schema: Schema, version: str | None) -> SchemaVersion:
        """`version` of `schema` (None: the latest); NotFoundException when missing."""
        if version is None:
            return schema.latest
        found = schema.versions.get(version)
        if found is None:
            raise NotFoundException(
                f"Schema version {version} of {schema.name} does not exist.",
                param="SchemaVersion",
                value=version,
            )
        return found

    # -- schemas and versions -------------------------------------------------------------

    def add_version(
        self, registry: Registry, schema_name: str, content: str, schema_type: SchemaType
    ) -> Schema:
        """Create `schema_name` or give it a new version holding `content` (checked before).

        The latest content again adds no version. Announces the schema and
        version on the default bus.
        """
        now = self.ctx.now()
        schema = registry.schemas.get(schema_name)
        created = schema is None
        if schema is None:
            schema = Schema(
                name=schema_name,
                arn=self._schema_arn(registry.name, schema_name),
                registry_name=registry.name,
                type=schema_type,
                last_modified_at=now,
            )
        elif schema.latest.content == content and schema.latest.type is schema_type:
            return schema
        schema.last_version += 1
        version = str(schema.last_version)
        schema.versions[version] = SchemaVersion(
            version=version, content=content, type=schema_type, created_at=now
        )
        schema.type = schema_type
        schema.last_modified_at = now
        registry.schemas[schema_name] = schema
        self._announce(schema, version, created)
        return schema

    def _announce(self, schema: Schema, version: str, created: bool) -> None:
        try:
            events = self.ctx.sibling("events")
        except KeyError:
            return
        detail = {
            "SchemaName": schema.name,
            "SchemaType": schema.type.value,
            "RegistryName": schema.registry_name,
            "CreationDate": schema.versions[version].created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": version,
        }
        kinds = (
            ("Schema Created", "Schema Version Created") if created else ("Schema Version Created",)
        )
        for detail_type in kinds:
            events.put_aws_event(
                source="aws.schemas",
                detail_type=detail_type,
                detail=detail,
                resources=[schema.arn],
            )

    @operation("CreateSchema")
    def create_schema(
        self,
        registry_name: str,
        schema_name: str,
        content: str,
        type: SchemaType,
        *,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Schema:
        """Create a schema with its first version ``"1"`` (CreateSchema).

        Raises:
            BadRequestException: the content is not a valid document of `type`.
            ForbiddenException: the registry is ``aws.events``.
            ConflictException: the schema exists.
            NotFoundException: no such registry.
        """
        registry = self._custom_or_discovered(registry_name, "CreateSchema")
        parse_content(content, type.value)
        if schema_name in registry.schemas:
            raise ConflictException(
                f"Schema with name {schema_name} already exists.",
                param="SchemaName",
                value=schema_name,
            )
        schema = self.add_version(registry, schema_name, content, type)
        schema.description = description
        schema.tags = dict(tags or {})
        return schema

    def _custom_or_discovered(self, registry_name: str, action: str) -> Registry:
        if registry_name == AWS_EVENTS_REGISTRY:
            return self._custom(registry_name, action)
        return self.registry(registry_name)

    @operation("UpdateSchema")
    def update_schema(
        self,
        registry_name: str,
        schema_name: str,
        *,
        content: str | None = None,
        type: SchemaType | None = None,
        description: str | None = None,
        client_token_id: str | None = None,
    ) -> Schema:
        """Change a schema: new content (or type) makes the next version (UpdateSchema).

        Raises:
            BadRequestException: invalid content. NotFoundException: no such schema.
            ForbiddenException: the registry is ``aws.events``.
        """
        del client_token_id  # the simulation has no retries to deduplicate
        registry = self._custom_or_discovered(registry_name, "UpdateSchema")
        schema = self.schema(registry_name, schema_name)
        before = schema.latest
        new_type = schema.type if type is None else type
        new_content = schema.latest.content if content is None else content
        if content is not None or type is not None:
            parse_content(new_content, new_type.value)
        if self.add_version(registry, schema_name, new_content, new_type).latest is not before:
            self.forget_inference(registry_name, schema_name)
        if description is not None:
            schema.description = description
            schema.last_modified_at = self.ctx.now()
        return schema

    @operation("DescribeSchema")
    def describe_schema(
        self, registry_name: str, schema_name: str, *, schema_version: str | None = None
    ) -> tuple[Schema, SchemaVersion]:
        """A schema and one of its versions, the latest by default (DescribeSchema)."""
        schema = self.schema(registry_name, schema_name)
        return schema, self.version_of(schema, schema_version)

    @operation("DeleteSchema")
    def delete_schema(self, registry_name: str, schema_name: str) -> None:
        """Delete a schema with all its versions (DeleteSchema)."""
        registry = self._custom_or_discovered(registry_name, "DeleteSchema")
        self.schema(registry_name, schema_name)
        del registry.schemas[schema_name]
        self.forget_inference(registry_name, schema_name)

    @operation("DeleteSchemaVersion")
    def delete_schema_version(
        self, registry_name: str, schema_name: str, schema_version: str
    ) -> None:
        """Delete one version of a schema (DeleteSchemaVersion).

        Raises:
            BadRequestException: it is the schema's only version.
            NotFoundException: no such schema or version.
        """
        self._custom_or_discovered(registry_name, "DeleteSchemaVersion")
        schema = self.schema(registry_name, schema_name)
        self.version_of(schema, schema_version)
        if len(schema.versions) == 1:
            raise BadRequestException(
                f"Version {schema_version} is the only version of {schema_name}; "
                "delete the schema instead.",
                param="SchemaVersion",
                value=schema_version,
            )
        del schema.versions[schema_version]
        schema.type = schema.latest.type
        self.forget_inference(registry_name, schema_name)

    @operation("ListSchemas")
    def list_schemas(
        self,
        registry_name: str,
        *,
        schema_name_prefix: str | None = None,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[Schema], str | None]:
        """One page of a registry's schemas, by name (ListSchemas), and the next token."""
        schemas = [
            s
            for s in self.registry(registry_name).schemas.values()
            if schema_name_prefix is None or s.name.startswith(schema_name_prefix)
        ]
        return page(schemas, key=lambda s: s.name, limit=limit, token=next_token)

    @operation("ListSchemaVersions")
    def list_schema_versions(
        self,
        registry_name: str,
        schema_name: str,
        *,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[SchemaVersion], str | None]:
        """One page of a schema's versions, oldest first (ListSchemaVersions)."""
        schema = self.schema(registry_name, schema_name)
        versions = list(schema.versions.values())
        return page(versions, key=lambda v: f"{int(v.version):020d}", limit=limit, token=next_token)

    @operation("SearchSchemas")
    def search_schemas(
        self,
        registry_name: str,
        keywords: str,
        *,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[tuple[Schema, list[SchemaVersion]]], str | None]:
        """Schemas of a registry matching `keywords`, with their matching versions (SearchSchemas).

        A version matches when any whitespace-separated keyword occurs in the
        schema's name or the version's content, ignoring case.
        """
        words = [w.lower() for w in keywords.split()] or [keywords.lower()]
        found: list[tuple[Schema, list[SchemaVersion]]] = []
        for schema in self.registry(registry_name).schemas.values():
            name = schema.name.lower()
            versions = [
                v
                for v in schema.versions.values()
                if any(w in name or w in v.content.lower() for w in words)
            ]
            if versions:
                found.append((schema, versions))
        return page(found, key=lambda f: f[0].name, limit=limit, token=next_token)

    @operation("ExportSchema")
    def export_schema(
        self,
        registry_name: str,
        schema_name: str,
        type: str,
        *,
        schema_version: str | None = None,
    ) -> tuple[Schema, SchemaVersion, str]:
        """A schema version as a JSON Schema Draft 4 document (ExportSchema).

        Raises:
            BadRequestException: `type` is not ``JSONSchemaDraft4``.
        """
        if type != SchemaType.JSON_SCHEMA_DRAFT_4.value:
            raise BadRequestException(
                f"Type {type} is not supported for export; use JSONSchemaDraft4.",
                param="Type",
                value=type,
            )
        schema, version = self.describe_schema(
            registry_name, schema_name, schema_version=schema_version
        )
        if version.type is SchemaType.JSON_SCHEMA_DRAFT_4:
            return schema, version, version.content
        document = to_json_schema_draft4(jsondoc.loads(version.content))
        return schema, version, json.dumps(document)

    @operation("GetDiscoveredSchema")
    def get_discovered_schema(self, events: Sequence[str], type: SchemaType) -> str:
        """The schema inferred from 1–10 events (JSON texts of one kind) (GetDiscoveredSchema).

        Raises:
            BadRequestException: an event is not a JSON object.
        """
        inference = Inference()
        for index, text in enumerate(events):
            try:
                event = jsondoc.loads(text)
            except (ValueError, RecursionError):
                event = None
            if not isinstance(event, dict):
                raise BadRequestException(
                    f"Event {index + 1} is not a JSON object.", param="Events", value=text
                )
            inference.add(event)
        document = inference.document()
        if type is SchemaType.JSON_SCHEMA_DRAFT_4:
            document = to_json_schema_draft4(document)
        return json.dumps(document)
