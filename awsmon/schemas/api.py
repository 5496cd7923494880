"""The Schema Registry wire API: AWS operation names, parameters and response shapes.

`SchemasApi` translates each request (as boto3 sends it) into a call of the
`awsmon.schemas.service.Schemas` domain and returns the response dict boto3
returns. Bad parameters raise ``BadRequestException`` naming the value.

>>> from awsmon import Cloud
>>> client = Cloud().client("schemas")
>>> client.create_registry(RegistryName="shop")["RegistryArn"]
'arn:aws:schemas:us-east-1:123456789012:registry/shop'
>>> [r["RegistryName"] for r in client.list_registries(Scope="AWS")["Registries"]]
['aws.events']
"""

from __future__ import annotations

from typing import Any

from awsmon.schemas.errors import BadRequestException
from awsmon.schemas.model import (
    CodeBinding,
    CodeLanguage,
    Discoverer,
    Registry,
    ResourcePolicy,
    Schema,
    SchemaType,
    SchemaVersion,
)
from awsmon.schemas.service import Schemas
from awsmon.wire import Params, WireApi, handles

__all__ = ["SchemasApi"]

Response = dict[str, Any]

_TYPES = [t.value for t in SchemaType]
_LANGUAGES = [language.value for language in CodeLanguage]


def _registry(registry: Registry) -> Response:
    out: Response = {"RegistryArn": registry.arn, "RegistryName": registry.name}
    if registry.description is not None:
        out["Description"] = registry.description
    out["Tags"] = dict(registry.tags)
    return out


def _schema(schema: Schema, version: SchemaVersion, *, content: bool = False) -> Response:
    out: Response = {}
    if content:
        out["Content"] = version.content
    if schema.description is not None:
        out["Description"] = schema.description
    out.update(
        LastModified=schema.last_modified_at,
        SchemaArn=schema.arn,
        SchemaName=schema.name,
        SchemaVersion=version.version,
        Tags=dict(schema.tags),
        Type=version.type.value,
        VersionCreatedDate=version.created_at,
    )
    return out


def _discoverer(discoverer: Discoverer) -> Response:
    out: Response = {}
    if discoverer.description is not None:
        out["Description"] = discoverer.description
    out.update(
        DiscovererArn=discoverer.arn,
        DiscovererId=discoverer.id,
        SourceArn=discoverer.source_arn,
        State=discoverer.state.value,
        CrossAccount=discoverer.cross_account,
        Tags=dict(discoverer.tags),
    )
    return out


def _binding(binding: CodeBinding) -> Response:
    return {
        "CreationDate": binding.created_at,
        "LastModified": binding.last_modified_at,
        "SchemaVersion": binding.version,
        "Status": binding.status.value,
    }


def _policy(policy: ResourcePolicy) -> Response:
    return {"Policy": policy.text, "RevisionId": policy.revision_id}


def _paged(key: str, items: list[Response], token: str | None) -> Response:
    out: Response = {key: items}
    if token is not None:
        out["NextToken"] = token
    return out


class SchemasApi(WireApi):
    """Schema Registry wire operations (API 2019-12-02)."""

    domain: Schemas
    invalid_parameter = BadRequestException
    missing_parameter = BadRequestException

    @staticmethod
    def _names(params: Params) -> tuple[str, str]:
        return (
            params.string("RegistryName", required=True, min_length=1),
            params.string("SchemaName", required=True, min_length=1),
        )

    @staticmethod
    def _language(params: Params) -> CodeLanguage:
        return CodeLanguage(params.string("Language", required=True, choices=_LANGUAGES))

    def _tags(self, params: Params, *, required: bool = False) -> dict[str, str]:
        tags = params.mapping("Tags", required=required)
        for key, value in tags.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise params.invalid("Tags", tags, "Member must be a map of strings")
        return tags

    # -- registries --------------------------------------------------------------------

    @handles("CreateRegistry")
    def create_registry(self, params: Params) -> Response:
        """CreateRegistry."""
        registry = self.domain.create_registry(
            params.string("RegistryName", required=True, min_length=1),
            description=params.string("Description", max_length=256),
            tags=self._tags(params),
        )
        return _registry(registry)

    @handles("DescribeRegistry")
    def describe_registry(self, params: Params) -> Response:
        """DescribeRegistry."""
        return _registry(
            self.domain.describe_registry(params.string("RegistryName", required=True))
        )

    @handles("UpdateRegistry")
    def update_registry(self, params: Params) -> Response:
        """UpdateRegistry."""
        registry = self.domain.update_registry(
            params.string("RegistryName", required=True),
            description=params.string("Description", max_length=256),
        )
        return _registry(registry)

    @handles("DeleteRegistry")
    def delete_registry(self, params: Params) -> Response:
        """DeleteRegistry."""
        self.domain.delete_registry(params.string("RegistryName", required=True))
        return {}

    @handles("ListRegistries")
    def list_registries(self, params: Params) -> Response:
        """ListRegistries: ``Scope`` is ``AWS`` or ``Local`` (any letter case)."""
        scope = params.string("Scope")
        if scope is not None and scope.upper() not in ("AWS", "LOCAL"):
            raise params.invalid("Scope", scope, "Member must satisfy enum value set: [AWS, Local]")
        registries, token = self.domain.list_registries(
            registry_name_prefix=params.string("RegistryNamePrefix"),
            scope=None if scope is None else scope.upper(),
            limit=params.integer("Limit"),
            next_token=params.string("NextToken"),
        )
        items = [
            {"RegistryArn": r.arn, "RegistryName": r.name, "Tags": dict(r.tags)} for r in registries
        ]
        return _paged("Registries", items, token)

    @handles("PutResourcePolicy")
    def put_resource_policy(self, params: Params) -> Response:
        """PutResourcePolicy."""
        policy = self.domain.put_resource_policy(
            params.string("Policy", required=True),
            registry_name=params.string("RegistryName"),
            revision_id=params.string("RevisionId"),
        )
        return _policy(policy)

    @handles("GetResourcePolicy")
    def get_resource_policy(self, params: Params) -> Response:
        """GetResourcePolicy."""
        return _policy(self.domain.get_resource_policy(registry_name=params.string("RegistryName")))

    @handles("DeleteResourcePolicy")
    def delete_resource_policy(self, params: Params) -> Response:
        """DeleteResourcePolicy."""
        self.domain.delete_resource_policy(registry_name=params.string("RegistryName"))
        return {}

    # -- schemas -----------------------------------------------------------------------

    @handles("CreateSchema")
    def create_schema(self, params: Params) -> Response:
        """CreateSchema: the first version, ``"1"``."""
        registry_name, schema_name = self._names(params)
        schema = self.domain.create_schema(
            registry_name,
            schema_name,
            params.string("Content", required=True, min_length=1, max_length=100_000),
            SchemaType(params.string("Type", required=True, choices=_TYPES)),
            description=params.string("Description", max_length=256),
            tags=self._tags(params),
        )
        return _schema(schema, schema.latest)

    @handles("UpdateSchema")
    def update_schema(self, params: Params) -> Response:
        """UpdateSchema: new content makes the next version."""
        registry_name, schema_name = self._names(params)
        kind = params.string("Type", choices=_TYPES)
        schema = self.domain.update_schema(
            registry_name,
            schema_name,
            content=params.string("Content", min_length=1, max_length=100_000),
            type=None if kind is None else SchemaType(kind),
            description=params.string("Description", max_length=256),
            client_token_id=params.string("ClientTokenId", max_length=36),
        )
        return _schema(schema, schema.latest)

    @handles("DescribeSchema")
    def describe_schema(self, params: Params) -> Response:
        """DescribeSchema: the latest version unless ``SchemaVersion`` is given."""
        schema, version = self.domain.describe_schema(
            *self._names(params), schema_version=params.string("SchemaVersion")
        )
        return _schema(schema, version, content=True)

    @handles("DeleteSchema")
    def delete_schema(self, params: Params) -> Response:
        """DeleteSchema."""
        self.domain.delete_schema(*self._names(params))
        return {}

    @handles("DeleteSchemaVersion")
    def delete_schema_version(self, params: Params) -> Response:
        """DeleteSchemaVersion."""
        self.domain.delete_schema_version(
            *self._names(params), params.string("SchemaVersion", required=True)
        )
        return {}

    @handles("ListSchemas")
    def list_schemas(self, params: Params) -> Response:
        """ListSchemas: ``VersionCount`` per schema."""
        schemas, token = self.domain.list_schemas(
            params.string("RegistryName", required=True),
            schema_name_prefix=params.string("SchemaNamePrefix"),
            limit=params.integer("Limit"),
            next_token=params.string("NextToken"),
        )
        items = [
            {
                "LastModified": s.last_modified_at,
                "SchemaArn": s.arn,
                "SchemaName": s.name,
                "Tags": dict(s.tags),
                "VersionCount": len(s.versions),
            }
            for s in schemas
        ]
        return _paged("Schemas", items, token)

    @handles("ListSchemaVersions")
    def list_schema_versions(self, params: Params) -> Response:
        """ListSchemaVersions, oldest first."""
        registry_name, schema_name = self._names(params)
        versions, token = self.domain.list_schema_versions(
            registry_name,
            schema_name,
            limit=params.integer("Limit"),
            next_token=params.string("NextToken"),
        )
        schema = self.domain.schema(registry_name, schema_name)
        items = [
            {
                "SchemaArn": schema.arn,
                "SchemaName": schema.name,
                "SchemaVersion": v.version,
                "Type": v.type.value,
            }
            for v in versions
        ]
        return _paged("SchemaVersions", items, token)

    @handles("SearchSchemas")
    def search_schemas(self, params: Params) -> Response:
        """SearchSchemas: schemas whose name or content holds a keyword."""
        found, token = self.domain.search_schemas(
            params.string("RegistryName", required=True),
            params.string("Keywords", required=True),
            limit=params.integer("Limit"),
            next_token=params.string("NextToken"),
        )
        items = [
            {
                "RegistryName": schema.registry_name,
                "SchemaArn": schema.arn,
                "SchemaName": schema.name,
                "SchemaVersions": [
                    {"CreatedDate": v.created_at, "SchemaVersion": v.version, "Type": v.type.value}
                    for v in versions
                ],
            }
            for schema, versions in found
        ]
        return _paged("Schemas", items, token)

    @handles("ExportSchema")
    def export_schema(self, params: Params) -> Response:
        """ExportSchema: ``Type`` ``JSONSchemaDraft4``."""
        registry_name, schema_name = self._names(params)
        schema, version, content = self.domain.export_schema(
            registry_name,
            schema_name,
            params.string("Type", required=True),
            schema_version=params.string("SchemaVersion"),
        )
        return {
            "Content": content,
            "SchemaArn": schema.arn,
            "SchemaName": schema.name,
            "SchemaVersion": version.version,
            "Type": "JSONSchemaDraft4",
        }

    @handles("GetDiscoveredSchema")
    def get_discovered_schema(self, params: Params) -> Response:
        """GetDiscoveredSchema: 1–10 events (JSON text), inferred at once."""
        events = params.strings("Events", required=True, min_items=1, max_items=10)
        content = self.domain.get_discovered_schema(
            events, SchemaType(params.string("Type", required=True, choices=_TYPES))
        )
        return {"Content": content}

    # -- discoverers -------------------------------------------------------------------

    @handles("CreateDiscoverer")
    def create_discoverer(self, params: Params) -> Response:
        """CreateDiscoverer: ``CrossAccount`` defaults to true."""
        discoverer = self.domain.create_discoverer(
            params.string("SourceArn", required=True, min_length=20, max_length=1600),
            description=params.string("Description", max_length=256),
            cross_account=params.boolean("CrossAccount", default=True),
            tags=self._tags(params),
        )
        return _discoverer(discoverer)

    @handles("DescribeDiscoverer")
    def describe_discoverer(self, params: Params) -> Response:
        """DescribeDiscoverer."""
        return _discoverer(
            self.domain.describe_discoverer(params.string("DiscovererId", required=True))
        )

    @handles("UpdateDiscoverer")
    def update_discoverer(self, params: Params) -> Response:
        """UpdateDiscoverer."""
        discoverer = self.domain.update_discoverer(
            params.string("DiscovererId", required=True),
            description=params.string("Description", max_length=256),
            cross_account=params.boolean("CrossAccount"),
        )
        return _discoverer(discoverer)

    @handles("StartDiscoverer")
    def start_discoverer(self, params: Params) -> Response:
        """StartDiscoverer."""
        discoverer = self.domain.start_discoverer(params.string("DiscovererId", required=True))
        return {"DiscovererId": discoverer.id, "State": discoverer.state.value}

    @handles("StopDiscoverer")
    def stop_discoverer(self, params: Params) -> Response:
        """StopDiscoverer."""
        discoverer = self.domain.stop_discoverer(params.string("DiscovererId", required=True))
        return {"DiscovererId": discoverer.id, "State": discoverer.state.value}

    @handles("DeleteDiscoverer")
    def delete_discoverer(self, params: Params) -> Response:
        """DeleteDiscoverer."""
        self.domain.delete_discoverer(params.string("DiscovererId", required=True))
        return {}

    @handles("ListDiscoverers")
    def list_discoverers(self, params: Params) -> Response:
        """ListDiscoverers."""
        discoverers, token = self.domain.list_discoverers(
            discoverer_id_prefix=params.string("DiscovererIdPrefix"),
            source_arn_prefix=params.string("SourceArnPrefix"),
            limit=params.integer("Limit"),
            next_token=params.string("NextToken"),
        )
        items = []
        for d in discoverers:
            item = _discoverer(d)
            item.pop("Description", None)
            items.append(item)
        return _paged("Discoverers", items, token)

    # -- code bindings -----------------------------------------------------------------

    @handles("PutCodeBinding")
    def put_code_binding(self, params: Params) -> Response:
        """PutCodeBinding: ``CREATE_IN_PROGRESS`` until the clock completes it."""
        registry_name, schema_name = self._names(params)
        binding = self.domain.put_code_binding(
            registry_name,
            schema_name,
            self._language(params),
            schema_version=params.string("SchemaVersion"),
        )
        return _binding(binding)

    @handles("DescribeCodeBinding")
    def describe_code_binding(self, params: Params) -> Response:
        """DescribeCodeBinding."""
        registry_name, schema_name = self._names(params)
        binding = self.domain.describe_code_binding(
            registry_name,
            schema_name,
            self._language(params),
            schema_version=params.string("SchemaVersion"),
        )
        return _binding(binding)

    @handles("GetCodeBindingSource")
    def get_code_binding_source(self, params: Params) -> Response:
        """GetCodeBindingSource: ``Body`` is the zip archive."""
        registry_name, schema_name = self._names(params)
        body = self.domain.get_code_binding_source(
            registry_name,
            schema_name,
            self._language(params),
            schema_version=params.string("SchemaVersion"),
        )
        return {"Body": body}

    # -- tags --------------------------------------------------------------------------

    @handles("TagResource")
    def tag_resource(self, params: Params) -> Response:
        """TagResource."""
        self.domain.tag_resource(
            params.string("ResourceArn", required=True), self._tags(params, required=True)
        )
        return {}

    @handles("UntagResource")
    def untag_resource(self, params: Params) -> Response:
        """UntagResource."""
        keys = params.strings("TagKeys", required=True)
        self.domain.untag_resource(params.string("ResourceArn", required=True), keys)
        return {}

    @handles("ListTagsForResource")
    def list_tags_for_resource(self, params: Params) -> Response:
        """ListTagsForResource."""
        return {
            "Tags": self.domain.list_tags_for_resource(params.string("ResourceArn", required=True))
        }
