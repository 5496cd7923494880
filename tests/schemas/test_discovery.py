"""Tests of awsmon/schemas/discovery.py and bindings.py: discoverers on buses, schemas
discovered on the clock, code bindings generated on the clock."""

from __future__ import annotations

import importlib
import io
import json
import sys
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.schemas import CodeGenerationStatus, CodeLanguage, DiscovererState
from awsmon.schemas.errors import BadRequestException, ConflictException, GoneException
from awsmon.testing.shapes import assert_shape

jsonschema = pytest.importorskip("jsonschema")

OTHER = "210987654321"
BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default"
DISCOVERED = "discovered-schemas"
USERS = "users@UserCreated"


def entry(detail: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"Source": "users", "DetailType": "userCreated", "Detail": json.dumps(detail), **extra}


@pytest.fixture
def clients(awsmon_boto3: Cloud) -> tuple[Any, Any]:
    """boto3's schemas and events clients, routed to the cloud."""
    return boto3.client("schemas"), boto3.client("events")


def discovered(cloud: Cloud) -> dict[str, list[str]]:
    """Discovered schema name → its versions."""
    registry = cloud.schemas.registries[DISCOVERED]
    return {name: list(s.versions) for name, s in registry.schemas.items()}


class TestDiscoverers:
    def test_crud(self, clients: tuple[Any, Any]) -> None:
        """Create (STARTED, cross-account by default), describe, update, stop, start, list."""
        schemas, _ = clients
        created = schemas.create_discoverer(SourceArn=BUS, Description="all", Tags={"a": "b"})
        assert_shape("schemas", "CreateDiscoverer", created)
        assert created["DiscovererId"] == "events-event-bus-default"
        assert (created["State"], created["CrossAccount"]) == ("STARTED", True)
        discoverer_id = created["DiscovererId"]
        assert created["DiscovererArn"] == (
            f"arn:aws:schemas:us-east-1:123456789012:discoverer/{discoverer_id}"
        )
        updated = schemas.update_discoverer(DiscovererId=discoverer_id, CrossAccount=False)
        assert (updated["CrossAccount"], updated["Description"]) == (False, "all")
        stopped = schemas.stop_discoverer(DiscovererId=discoverer_id)
        assert stopped == {**stopped, "DiscovererId": discoverer_id, "State": "STOPPED"}
        assert schemas.start_discoverer(DiscovererId=discoverer_id)["State"] == "STARTED"
        listed = schemas.list_discoverers(SourceArnPrefix="arn:aws:events")["Discoverers"]
        assert [d["DiscovererId"] for d in listed] == [discoverer_id]
        assert schemas.list_tags_for_resource(ResourceArn=created["DiscovererArn"])["Tags"] == {
            "a": "b"
        }
        schemas.delete_discoverer(DiscovererId=discoverer_id)
        with pytest.raises(ClientError) as caught:
            schemas.describe_discoverer(DiscovererId=discoverer_id)
        assert caught.value.response["Error"]["Code"] == "NotFoundException"

    def test_refusals(self, awsmon_cloud: Cloud) -> None:
        """Not a bus of this place, a missing bus, a second discoverer on a bus."""
        domain = awsmon_cloud.schemas
        with pytest.raises(BadRequestException, match="is not the ARN of an event bus"):
            domain.create_discoverer("arn:aws:sqs:us-east-1:123456789012:queue")
        with pytest.raises(BadRequestException, match=r"Event bus nope does not exist\."):
            domain.create_discoverer(BUS.replace("default", "nope"))
        domain.create_discoverer(BUS)
        with pytest.raises(ConflictException):
            domain.create_discoverer(BUS)
        assert len(domain.discoverers) == 1


class TestDiscovery:
    def test_schema_after_the_delay_then_new_versions(
        self, awsmon_boto3: Cloud, clients: tuple[Any, Any]
    ) -> None:
        """Events reaching the bus become users@UserCreated after the discovery delay; a new
        field makes version 2, which still validates the first events; the same shape again
        makes nothing."""
        schemas, events = clients
        schemas.create_discoverer(SourceArn=BUS)
        events.put_events(Entries=[entry({"data": {"id": "u1"}})])
        awsmon_boto3.clock.advance(timedelta(minutes=4))
        assert USERS not in discovered(awsmon_boto3)
        awsmon_boto3.clock.advance(timedelta(minutes=1))
        described = schemas.describe_schema(RegistryName=DISCOVERED, SchemaName=USERS)
        assert described["SchemaVersion"] == "1"
        document = json.loads(described["Content"])
        assert document["components"]["schemas"]["Data"] == {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string"}},
        }
        events.put_events(Entries=[entry({"data": {"id": "u2", "email": "a@b.c"}})])
        events.put_events(Entries=[entry({"data": {"id": "u3"}})])
        awsmon_boto3.clock.advance(timedelta(minutes=5))
        assert discovered(awsmon_boto3)[USERS] == ["1", "2"]
        exported = schemas.export_schema(
            RegistryName=DISCOVERED, SchemaName=USERS, Type="JSONSchemaDraft4"
        )
        check = jsonschema.Draft4Validator(json.loads(exported["Content"]))
        first = {
            "version": "0",
            "id": "x",
            "detail-type": "userCreated",
            "source": "users",
            "account": "123456789012",
            "time": "2024-01-01T00:00:00Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {"data": {"id": "u1"}},
        }
        check.validate(first)
        data = json.loads(exported["Content"])["definitions"]["Data"]
        assert data["required"] == ["id"]
        assert set(data["properties"]) == {"id", "email"}
        events.put_events(Entries=[entry({"data": {"id": "u4", "email": "d@e.f"}})])
        awsmon_boto3.clock.advance(timedelta(minutes=5))
        assert discovered(awsmon_boto3)[USERS] == ["1", "2"]

    def test_stopped_discoverer_sees_nothing(self, awsmon_cloud: Cloud) -> None:
        """Events put while the discoverer is stopped are not inferred."""
        domain = awsmon_cloud.schemas
        discoverer = domain.create_discoverer(BUS)
        domain.stop_discoverer(discoverer.id)
        assert discoverer.state is DiscovererState.STOPPED
        awsmon_cloud.client("events").put_events(Entries=[entry({"a": 1})])
        awsmon_cloud.clock.advance(timedelta(minutes=10))
        assert discovered(awsmon_cloud) == {}
        domain.start_discoverer(discoverer.id)
        awsmon_cloud.client("events").put_events(Entries=[entry({"a": 1})])
        awsmon_cloud.clock.advance(timedelta(minutes=5))
        assert USERS in discovered(awsmon_cloud)

    @pytest.mark.parametrize("cross_account", [True, False])
    def test_cross_account(self, awsmon_cloud: Cloud, cross_account: bool) -> None:
        """Events another account puts on the bus are inferred only with CrossAccount."""
        awsmon_cloud.schemas.create_discoverer(BUS, cross_account=cross_account)
        awsmon_cloud.events.put_permission(
            action="events:PutEvents", principal=OTHER, statement_id="other"
        )
        sender = awsmon_cloud.client("events")
        with awsmon_cloud.as_principal(f"arn:aws:iam::{OTHER}:user/bob"):
            result = sender.put_events(Entries=[entry({"a": 1}, EventBusName=BUS)])
        assert result["FailedEntryCount"] == 0
        awsmon_cloud.clock.advance(timedelta(minutes=5))
        assert (USERS in discovered(awsmon_cloud)) is cross_account

    def test_aws_events_are_discovered_and_discovery_settles(self, awsmon_cloud: Cloud) -> None:
        """Discovery's own Schema Created events are discovered once, then nothing is pending."""
        awsmon_cloud.schemas.create_discoverer(BUS)
        awsmon_cloud.client("events").put_events(Entries=[entry({"a": 1})])
        awsmon_cloud.clock.advance(timedelta(hours=1))
        names = discovered(awsmon_cloud)
        assert names[USERS] == ["1"]
        assert names["aws.schemas@SchemaCreated"] == ["1"]
        assert names["aws.schemas@SchemaVersionCreated"] == ["1"]
        assert [j for j in awsmon_cloud.clock.pending() if "schemas" in (j.name or "")] == []

    def test_updated_schema_is_the_base(self, awsmon_cloud: Cloud) -> None:
        """A discovered schema changed by UpdateSchema is what the next events merge into."""
        domain = awsmon_cloud.schemas
        domain.create_discoverer(BUS)
        put = awsmon_cloud.client("events").put_events
        put(Entries=[entry({"a": 1})])
        awsmon_cloud.clock.advance(timedelta(minutes=5))
        document = json.loads(domain.describe_schema(DISCOVERED, USERS)[1].content)
        document["components"]["schemas"]["UserCreated"]["properties"]["note"] = {"type": "string"}
        domain.update_schema(DISCOVERED, USERS, content=json.dumps(document))
        put(Entries=[entry({"a": 2, "b": True})])
        awsmon_cloud.clock.advance(timedelta(minutes=5))
        latest = json.loads(domain.describe_schema(DISCOVERED, USERS)[1].content)
        properties = latest["components"]["schemas"]["UserCreated"]["properties"]
        assert set(properties) == {"a", "b", "note"}
        assert discovered(awsmon_cloud)[USERS] == ["1", "2", "3"]


class TestCodeBindings:
    def test_python_binding_through_boto3(
        self, awsmon_boto3: Cloud, clients: tuple[Any, Any], tmp_path: Path
    ) -> None:
        """Put → CREATE_IN_PROGRESS; the waiter advances the clock → CREATE_COMPLETE; the zip
        holds a package that imports and round-trips the event."""
        schemas, _ = clients
        name = "aws.ec2@EC2InstanceStateChangeNotification"
        started = schemas.put_code_binding(
            RegistryName="aws.events", SchemaName=name, Language="Python36"
        )
        assert_shape("schemas", "PutCodeBinding", started)
        assert started["Status"] == "CREATE_IN_PROGRESS"
        before = awsmon_boto3.clock.now()
        schemas.get_waiter("code_binding_exists").wait(
            RegistryName="aws.events", SchemaName=name, Language="Python36"
        )
        assert awsmon_boto3.clock.now() > before
        described = schemas.describe_code_binding(
            RegistryName="aws.events", SchemaName=name, Language="Python36"
        )
        assert (described["Status"], described["SchemaVersion"]) == ("CREATE_COMPLETE", "1")
        body = schemas.get_code_binding_source(
            RegistryName="aws.events", SchemaName=name, Language="Python36"
        )["Body"]
        zipfile.ZipFile(io.BytesIO(body)).extractall(tmp_path)
        sys.path.insert(0, str(tmp_path))
        try:
            package = importlib.import_module("schema.aws.ec2.ec2instancestatechangenotification")
            event = {
                "version": "0",
                "id": "1",
                "detail-type": "EC2 Instance State-change Notification",
                "source": "aws.ec2",
                "account": "123456789012",
                "time": "2024-01-01T00:00:00Z",
                "region": "us-east-1",
                "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-1"],
                "detail": {"instance-id": "i-1", "state": "running"},
            }
            model = package.Marshaller.unmarshall(event, package.AWSEvent)
            assert model.detail.instance_id == "i-1"
            assert package.Marshaller.marshall(model) == event
        finally:
            sys.path.remove(str(tmp_path))
            for module in [m for m in sys.modules if m == "schema" or m.startswith("schema.")]:
                del sys.modules[module]

    def test_status_on_the_clock(self, awsmon_cloud: Cloud) -> None:
        """In progress until code_generation_time has passed; asking again returns the same."""
        domain = awsmon_cloud.schemas
        name = "aws.events@ScheduledEvent"
        binding = domain.put_code_binding("aws.events", name, CodeLanguage.GO1)
        assert binding.status is CodeGenerationStatus.CREATE_IN_PROGRESS
        with pytest.raises(LookupError, match="CREATE_IN_PROGRESS"):
            domain.get_code_binding_source("aws.events", name, CodeLanguage.GO1)
        awsmon_cloud.clock.advance(domain.code_generation_time)
        assert binding.status is CodeGenerationStatus.CREATE_COMPLETE
        assert domain.put_code_binding("aws.events", name, CodeLanguage.GO1) is binding
        names = zipfile.ZipFile(
            io.BytesIO(domain.get_code_binding_source("aws.events", name, CodeLanguage.GO1))
        ).namelist()
        assert "schema/aws/events/scheduledevent/AWSEvent.go" in names

    def test_missing_and_gone(self, awsmon_cloud: Cloud) -> None:
        """No binding yet: NotFound; a deleted version: Gone; a bad language: BadRequest."""
        client = awsmon_cloud.client("schemas")
        name = "aws.ec2@EC2InstanceStateChangeNotification"
        with pytest.raises(LookupError):
            client.describe_code_binding(
                RegistryName="aws.events", SchemaName=name, Language="Java8"
            )
        domain = awsmon_cloud.schemas
        domain.create_registry("shop")
        text = domain.describe_schema("aws.events", name)[1].content
        domain.create_schema(
            "shop", "ec2", text, domain.registries["aws.events"].schemas[name].type
        )
        domain.update_schema("shop", "ec2", content=text.replace("instance-id", "instance"))
        domain.delete_schema_version("shop", "ec2", "1")
        with pytest.raises(GoneException):
            domain.put_code_binding("shop", "ec2", CodeLanguage.JAVA8, schema_version="1")
        with pytest.raises(BadRequestException, match="Member must satisfy enum value set"):
            client.put_code_binding(RegistryName="shop", SchemaName="ec2", Language="Rust")


def _load_shapes() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "schemas_event_shapes_discovery", Path(__file__).with_name("event_shapes.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shapes = _load_shapes()


@settings(max_examples=20)
@given(case=shapes.shaped_events(), data=st.data())
def test_discovered_versions_validate_every_event(
    case: tuple[Any, list[dict[str, Any]]], data: st.DataObject
) -> None:
    """Through a discoverer: every event put validates against the discovered schema; an
    event with a new field yields a new version that still validates the earlier events."""
    _, events = case
    cloud = Cloud()
    cloud.schemas.create_discoverer(BUS)
    put = cloud.client("events").put_events

    def send(event: dict[str, Any]) -> None:
        entry = {
            "Source": event["source"],
            "DetailType": event["detail-type"],
            "Detail": json.dumps(event["detail"]),
            "Resources": event["resources"],
        }
        assert put(Entries=[entry])["FailedEntryCount"] == 0

    def validator() -> Any:
        exported = cloud.schemas.export_schema(
            DISCOVERED, "com.shop@OrderPlaced", "JSONSchemaDraft4"
        )
        return jsonschema.Draft4Validator(json.loads(exported[2]))

    for event in events:
        send(event)
    cloud.clock.advance(timedelta(minutes=5))
    check = validator()
    for event in events:
        check.validate(event)
    versions = discovered(cloud)["com.shop@OrderPlaced"]
    newer = json.loads(json.dumps(events[-1]))
    unused = [k for k in shapes.KEY_NAMES if all(k not in e["detail"] for e in events)]
    newer["detail"][data.draw(st.sampled_from(unused))] = data.draw(
        shapes.value_of(data.draw(shapes.SCALARS))
    )
    send(newer)
    cloud.clock.advance(timedelta(minutes=5))
    assert discovered(cloud)["com.shop@OrderPlaced"] == [*versions, str(int(versions[-1]) + 1)]
    check = validator()
    for event in [*events, newer]:
        check.validate(event)
