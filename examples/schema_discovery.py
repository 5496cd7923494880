"""Example: EventBridge schema discovery, versions, and a Python code binding.

A discoverer watches the default bus; events put through boto3 become the
``shop@OrderPlaced`` schema five (virtual) minutes later, a new field makes
version 2, and the generated Python binding reads an event back.

Run: ``python examples/schema_discovery.py`` (its output is kept beside it in
``schema_discovery.out``, and the test suite checks that they agree).
"""

from __future__ import annotations

import importlib
import io
import json
import sys
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta

import boto3

from awsmon import Cloud, VirtualClock


def main() -> None:
    """Discover a schema from events, grow it, export it and bind it."""
    cloud = Cloud(clock=VirtualClock(start=datetime(2024, 1, 1, tzinfo=UTC)), seed=7)
    with cloud.patch_boto3():
        schemas = boto3.client("schemas", region_name="us-east-1")
        events = boto3.client("events", region_name="us-east-1")
        bus = "arn:aws:events:us-east-1:123456789012:event-bus/default"
        print("discoverer:", schemas.create_discoverer(SourceArn=bus)["DiscovererId"])

        def order(detail: dict[str, object]) -> None:
            entry = {"Source": "shop", "DetailType": "Order Placed", "Detail": json.dumps(detail)}
            events.put_events(Entries=[entry])

        order({"id": "o-1", "total": 12.5, "lines": [{"sku": "tea", "qty": 2}]})
        cloud.clock.advance(timedelta(minutes=5))
        order({"id": "o-2", "total": 3.0, "lines": [], "coupon": "WELCOME"})
        cloud.clock.advance(timedelta(minutes=5))

        found = schemas.list_schemas(RegistryName="discovered-schemas", SchemaNamePrefix="shop")
        for summary in found["Schemas"]:
            print(f"{summary['SchemaName']}: {summary['VersionCount']} versions")
        latest = schemas.describe_schema(
            RegistryName="discovered-schemas", SchemaName="shop@OrderPlaced"
        )
        order_schema = json.loads(latest["Content"])["components"]["schemas"]["OrderPlaced"]
        print("version", latest["SchemaVersion"], "requires", order_schema["required"])
        exported = schemas.export_schema(
            RegistryName="discovered-schemas",
            SchemaName="shop@OrderPlaced",
            Type="JSONSchemaDraft4",
        )
        print("draft 4 definitions:", sorted(json.loads(exported["Content"])["definitions"]))

        where = {"RegistryName": "discovered-schemas", "SchemaName": "shop@OrderPlaced"}
        print("binding:", schemas.put_code_binding(Language="Python36", **where)["Status"])
        schemas.get_waiter("code_binding_exists").wait(Language="Python36", **where)
        body = schemas.get_code_binding_source(Language="Python36", **where)["Body"]
    with tempfile.TemporaryDirectory() as folder:
        zipfile.ZipFile(io.BytesIO(body)).extractall(folder)
        sys.path.insert(0, folder)
        package = importlib.import_module("schema.shop.orderplaced")
        event = {
            "version": "0",
            "id": "1",
            "detail-type": "Order Placed",
            "source": "shop",
            "account": "123456789012",
            "time": "2024-01-01T00:10:00Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {"id": "o-3", "total": 9.5, "lines": [{"sku": "jam", "qty": 1}]},
        }
        model = package.Marshaller.unmarshall(event, package.AWSEvent)
        print("binding reads:", model.detail.id, model.detail.lines[0].sku, model.time.isoformat())
        print("round trip:", package.Marshaller.marshall(model) == event)


if __name__ == "__main__":
    main()
