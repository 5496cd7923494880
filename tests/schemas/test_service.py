"""Tests of awsmon/schemas/service.py, registries.py and api.py: registries, schemas, versions,
search, export and policies, through boto3, the wire client and the domain."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from awsmon import Cloud
from awsmon.schemas import SchemaType
from awsmon.schemas.errors import ConflictException, ForbiddenException, NotFoundException
from awsmon.testing.shapes import assert_shape

OPENAPI = {
    "openapi": "3.0.0",
    "info": {"version": "1.0.0", "title": "Order"},
    "paths": {},
    "components": {
        "schemas": {
            "Order": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}},
            }
        }
    },
}


def content(**extra: Any) -> str:
    document = json.loads(json.dumps(OPENAPI))
    document["components"]["schemas"]["Order"]["properties"].update(extra)
    return json.dumps(document)


@pytest.fixture
def schemas(awsmon_boto3: Cloud) -> Any:
    """boto3's schemas client, routed to the cloud."""
    return boto3.client("schemas")


class TestRegistries:
    def test_managed_registries_exist(self, schemas: Any) -> None:
        """aws.events (scope AWS) and discovered-schemas (LOCAL) are there from the start."""
        everything = schemas.list_registries()
        assert_shape("schemas", "ListRegistries", everything)
        assert [r["RegistryName"] for r in everything["Registries"]] == [
            "aws.events",
            "discovered-schemas",
        ]
        local = schemas.list_registries(Scope="Local")["Registries"]
        assert [r["RegistryName"] for r in local] == ["discovered-schemas"]

    def test_crud_and_tags(self, schemas: Any) -> None:
        """Create, describe, update, tag, list by prefix, delete."""
        created = schemas.create_registry(
            RegistryName="shop", Description="orders", Tags={"team": "a"}
        )
        assert_shape("schemas", "CreateRegistry", created)
        arn = "arn:aws:schemas:us-east-1:123456789012:registry/shop"
        assert created["RegistryArn"] == arn
        assert created["ResponseMetadata"]["HTTPStatusCode"] == 200
        schemas.update_registry(RegistryName="shop", Description="all orders")
        described = schemas.describe_registry(RegistryName="shop")
        assert (described["Description"], described["Tags"]) == ("all orders", {"team": "a"})
        schemas.tag_resource(ResourceArn=arn, Tags={"env": "dev"})
        schemas.untag_resource(ResourceArn=arn, TagKeys=["team"])
        assert schemas.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "dev"}
        page = schemas.list_registries(RegistryNamePrefix="sh")["Registries"]
        assert [r["RegistryName"] for r in page] == ["shop"]
        schemas.delete_registry(RegistryName="shop")
        with pytest.raises(ClientError) as caught:
            schemas.describe_registry(RegistryName="shop")
        assert caught.value.response["Error"]["Code"] == "NotFoundException"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

    def test_managed_registries_are_protected(self, awsmon_cloud: Cloud) -> None:
        """The AWS-managed registries can be neither created nor deleted."""
        domain = awsmon_cloud.schemas
        with pytest.raises(ConflictException):
            domain.create_registry("discovered-schemas")
        with pytest.raises(ForbiddenException):
            domain.delete_registry("aws.events")
        with pytest.raises(ForbiddenException):
            domain.create_schema("aws.events", "mine", content(), SchemaType.OPEN_API_3)

    def test_non_empty_registry_is_not_deleted(self, awsmon_cloud: Cloud) -> None:
        """A registry with schemas answers ConflictException and keeps them."""
        domain = awsmon_cloud.schemas
        domain.create_registry("shop")
        domain.create_schema("shop", "order", content(), SchemaType.OPEN_API_3)
        with pytest.raises(ConflictException):
            domain.delete_registry("shop")
        assert domain.describe_schema("shop", "order")[1].version == "1"

    def test_resource_policy(self, schemas: Any) -> None:
        """Put, get (with its revision), conditional put, delete."""
        schemas.create_registry(RegistryName="shop")
        policy = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                        "Action": "schemas:DescribeSchema",
                        "Resource": "arn:aws:schemas:us-east-1:123456789012:schema/shop/*",
                    }
                ],
            }
        )
        put = schemas.put_resource_policy(RegistryName="shop", Policy=policy)
        assert_shape("schemas", "PutResourcePolicy", put)
        got = schemas.get_resource_policy(RegistryName="shop")
        assert (got["Policy"], got["RevisionId"]) == (policy, put["RevisionId"])
        with pytest.raises(ClientError) as caught:
            schemas.put_resource_policy(RegistryName="shop", Policy=policy, RevisionId="stale")
        assert caught.value.response["Error"]["Code"] == "PreconditionFailedException"
        again = schemas.put_resource_policy(
            RegistryName="shop", Policy=policy, RevisionId=put["RevisionId"]
        )
        assert again["RevisionId"] != put["RevisionId"]
        schemas.delete_resource_policy(RegistryName="shop")
        with pytest.raises(ClientError) as caught:
            schemas.get_resource_policy(RegistryName="shop")
        assert caught.value.response["Error"]["Code"] == "NotFoundException"


class TestSchemas:
    def test_versions(self, schemas: Any) -> None:
        """Create is version 1; new content makes 2; the same content again makes none."""
        schemas.create_registry(RegistryName="shop")
        created = schemas.create_schema(
            RegistryName="shop", SchemaName="order", Type="OpenApi3", Content=content()
        )
        assert_shape("schemas", "CreateSchema", created)
        assert created["SchemaVersion"] == "1"
        assert created["SchemaArn"] == ("arn:aws:schemas:us-east-1:123456789012:schema/shop/order")
        updated = schemas.update_schema(
            RegistryName="shop", SchemaName="order", Content=content(qty={"type": "integer"})
        )
        assert updated["SchemaVersion"] == "2"
        same = schemas.update_schema(
            RegistryName="shop", SchemaName="order", Content=content(qty={"type": "integer"})
        )
        assert same["SchemaVersion"] == "2"
        first = schemas.describe_schema(RegistryName="shop", SchemaName="order", SchemaVersion="1")
        assert_shape("schemas", "DescribeSchema", first)
        assert json.loads(first["Content"]) == OPENAPI
        versions = schemas.list_schema_versions(RegistryName="shop", SchemaName="order")
        assert [v["SchemaVersion"] for v in versions["SchemaVersions"]] == ["1", "2"]
        listed = schemas.list_schemas(RegistryName="shop")["Schemas"]
        assert [(s["SchemaName"], s["VersionCount"]) for s in listed] == [("order", 2)]

    def test_delete_version_and_schema(self, schemas: Any) -> None:
        """A deleted version is gone (numbers are not reused); the last one stays."""
        schemas.create_registry(RegistryName="shop")
        schemas.create_schema(
            RegistryName="shop", SchemaName="order", Type="OpenApi3", Content=content()
        )
        schemas.update_schema(
            RegistryName="shop", SchemaName="order", Content=content(a={"type": "string"})
        )
        schemas.delete_schema_version(RegistryName="shop", SchemaName="order", SchemaVersion="2")
        latest = schemas.describe_schema(RegistryName="shop", SchemaName="order")
        assert latest["SchemaVersion"] == "1"
        with pytest.raises(ClientError) as caught:
            schemas.delete_schema_version(
                RegistryName="shop", SchemaName="order", SchemaVersion="1"
            )
        assert caught.value.response["Error"]["Code"] == "BadRequestException"
        third = schemas.update_schema(
            RegistryName="shop", SchemaName="order", Content=content(b={"type": "string"})
        )
        assert third["SchemaVersion"] == "3"
        schemas.delete_schema(RegistryName="shop", SchemaName="order")
        assert schemas.list_schemas(RegistryName="shop")["Schemas"] == []

    def test_invalid_content_leaves_nothing(self, schemas: Any) -> None:
        """Bad content is a BadRequestException and creates no schema."""
        schemas.create_registry(RegistryName="shop")
        with pytest.raises(ClientError) as caught:
            schemas.create_schema(
                RegistryName="shop",
                SchemaName="order",
                Type="JSONSchemaDraft4",
                Content='{"type": "thing"}',
            )
        error = caught.value.response["Error"]
        assert error["Code"] == "BadRequestException"
        assert "'thing' is not a type" in error["Message"]
        assert schemas.list_schemas(RegistryName="shop")["Schemas"] == []

    def test_search(self, schemas: Any) -> None:
        """SearchSchemas finds schemas by a keyword in their name or content."""
        found = schemas.search_schemas(RegistryName="aws.events", Keywords="alarm")
        names = {s["SchemaName"] for s in found["Schemas"]}
        assert "aws.cloudwatch@CloudWatchAlarmStateChange" in names
        assert "aws.ec2@EC2InstanceStateChangeNotification" not in names
        assert_shape("schemas", "SearchSchemas", found)

    def test_export(self, schemas: Any) -> None:
        """ExportSchema gives JSON Schema Draft 4; other types are refused."""
        name = "aws.ec2@EC2InstanceStateChangeNotification"
        exported = schemas.export_schema(
            RegistryName="aws.events", SchemaName=name, Type="JSONSchemaDraft4"
        )
        assert_shape("schemas", "ExportSchema", exported)
        document = json.loads(exported["Content"])
        assert document["$schema"] == "http://json-schema.org/draft-04/schema#"
        assert document["title"] == "EC2InstanceStateChangeNotification"
        with pytest.raises(ClientError) as caught:
            schemas.export_schema(RegistryName="aws.events", SchemaName=name, Type="OpenApi3")
        assert caught.value.response["Error"]["Code"] == "BadRequestException"

    def test_builtin_hierarchy(self, schemas: Any) -> None:
        """AWS's schemas carry their code hierarchy in info."""
        described = schemas.describe_schema(
            RegistryName="aws.events", SchemaName="aws.ec2@EC2InstanceStateChangeNotification"
        )
        info = json.loads(described["Content"])["info"]
        assert info["x-amazon-schemas-generated-code-hierarchy"] == (
            "schema/aws/ec2/ec2instancestatechangenotification"
        )

    def test_paginators(self, schemas: Any) -> None:
        """Every paginator walks all items, a page at a time."""
        schemas.create_registry(RegistryName="shop")
        for i in range(5):
            schemas.create_schema(
                RegistryName="shop", SchemaName=f"s{i}", Type="OpenApi3", Content=content()
            )
        pages = list(
            schemas.get_paginator("list_schemas").paginate(
                RegistryName="shop", PaginationConfig={"PageSize": 2}
            )
        )
        assert [len(p["Schemas"]) for p in pages] == [2, 2, 1]
        searched = schemas.get_paginator("search_schemas").paginate(
            RegistryName="aws.events", Keywords="CloudTrail", PaginationConfig={"PageSize": 4}
        )
        assert len([s for p in searched for s in p["Schemas"]]) == 15
        registries = schemas.get_paginator("list_registries").paginate(
            PaginationConfig={"PageSize": 1}
        )
        assert len(list(registries)) == 3

    def test_schema_created_events(self, awsmon_cloud: Cloud) -> None:
        """Creating a schema puts Schema Created and Schema Version Created on the default bus."""
        seen: list[dict[str, Any]] = []
        awsmon_cloud.events.add_bus_listener("default", seen.append)
        domain = awsmon_cloud.schemas
        domain.create_registry("shop")
        domain.create_schema("shop", "order", content(), SchemaType.OPEN_API_3)
        domain.update_schema("shop", "order", content=content(x={"type": "string"}))
        assert [(e["source"], e["detail-type"]) for e in seen] == [
            ("aws.schemas", "Schema Created"),
            ("aws.schemas", "Schema Version Created"),
            ("aws.schemas", "Schema Version Created"),
        ]
        assert seen[2]["detail"]["Version"] == "2"
        assert seen[0]["resources"] == ["arn:aws:schemas:us-east-1:123456789012:schema/shop/order"]


def test_get_discovered_schema(schemas: Any) -> None:
    """GetDiscoveredSchema infers from the given events at once, in either type."""
    event = {
        "version": "0",
        "id": "x",
        "detail-type": "userCreated",
        "source": "users",
        "account": "123456789012",
        "time": "2020-01-01T10:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"data": {"id": "u1"}},
    }
    found = schemas.get_discovered_schema(Events=[json.dumps(event)], Type="OpenApi3")
    assert json.loads(found["Content"])["info"]["title"] == "UserCreated"
    draft = schemas.get_discovered_schema(Events=[json.dumps(event)], Type="JSONSchemaDraft4")
    assert json.loads(draft["Content"])["definitions"]["Data"]["required"] == ["id"]
    with pytest.raises(ClientError) as caught:
        schemas.get_discovered_schema(Events=["[1]"], Type="OpenApi3")
    assert caught.value.response["Error"]["Code"] == "BadRequestException"


@pytest.mark.parametrize(
    ("operation", "params", "code", "message"),
    [
        pytest.param(
            "describe_registry",
            {"RegistryName": "nope"},
            "NotFoundException",
            "Registry with name nope does not exist.",
            id="no-registry",
        ),
        pytest.param(
            "describe_schema",
            {"RegistryName": "aws.events", "SchemaName": "nope"},
            "NotFoundException",
            "Schema with name nope does not exist.",
            id="no-schema",
        ),
        pytest.param(
            "create_schema",
            {"RegistryName": "aws.events", "SchemaName": "a", "Type": "OpenApi3", "Content": "x"},
            "ForbiddenException",
            "CreateSchema is not allowed on the AWS-managed registry aws.events.",
            id="managed",
        ),
        pytest.param(
            "create_schema",
            {"RegistryName": "discovered-schemas", "SchemaName": "a", "Type": "Avro"},
            "BadRequestException",
            "The parameter Content is required.",
            id="missing-content",
        ),
        pytest.param(
            "create_schema",
            {
                "RegistryName": "discovered-schemas",
                "SchemaName": "a",
                "Type": "Avro",
                "Content": "{}",
            },
            "BadRequestException",
            "1 validation error detected: Value 'Avro' at 'Type' failed to satisfy constraint: "
            "Member must satisfy enum value set: [OpenApi3, JSONSchemaDraft4]",
            id="bad-type",
        ),
        pytest.param(
            "describe_schema",
            {
                "RegistryName": "aws.events",
                "SchemaName": "aws.ec2@EC2InstanceStateChangeNotification",
                "SchemaVersion": "9",
            },
            "NotFoundException",
            "Schema version 9 of aws.ec2@EC2InstanceStateChangeNotification does not exist.",
            id="no-version",
        ),
        pytest.param(
            "list_schemas",
            {"RegistryName": "aws.events", "NextToken": "%%%"},
            "BadRequestException",
            "Invalid NextToken: %%%",
            id="bad-token",
        ),
        pytest.param(
            "put_resource_policy",
            {"RegistryName": "aws.events", "Policy": "nope"},
            "BadRequestException",
            "Policy is not a valid JSON policy document.",
            id="bad-policy",
        ),
        pytest.param(
            "tag_resource",
            {"ResourceArn": "arn:aws:schemas:us-east-1:123456789012:registry/x", "Tags": {}},
            "NotFoundException",
            "Resource arn:aws:schemas:us-east-1:123456789012:registry/x does not exist.",
            id="tag-missing",
        ),
    ],
)
def test_error_table(
    awsmon_cloud: Cloud, operation: str, params: dict[str, Any], code: str, message: str
) -> None:
    """Bad calls through the wire client answer the AWS code and a message naming the value."""
    client = awsmon_cloud.client("schemas")
    with pytest.raises(Exception) as caught:
        getattr(client, operation)(**params)
    assert getattr(caught.value, "code", None) == code
    assert caught.value.message == message  # type: ignore[attr-defined]


def test_domain_errors_are_lookup_errors(awsmon_cloud: Cloud) -> None:
    """NotFoundException is a LookupError, as every awsmon NotFound."""
    with pytest.raises(LookupError):
        awsmon_cloud.schemas.describe_registry("nope")
    assert issubclass(NotFoundException, LookupError)
