"""Stateful and property tests of the schema store (awsmon/schemas/service.py) and its pages
(awsmon/schemas/_paging.py): any sequence of operations agrees with a plain model."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.schemas import SchemaType
from awsmon.schemas._paging import page

NAMES = st.sampled_from(["order", "invoice", "user", "aws.x@Y"])


def document(field: int) -> str:
    """An OpenAPI document whose content depends on `field`."""
    return json.dumps(
        {
            "openapi": "3.0.0",
            "info": {"version": "1.0.0", "title": "T"},
            "paths": {},
            "components": {"schemas": {"T": {"type": "object", "properties": {f"f{field}": {}}}}},
        }
    )


class SchemaVersions(RuleBasedStateMachine):
    """Create, update, delete versions and schemas; versions match a dict-of-lists model."""

    @initialize()
    def setup(self) -> None:
        self.cloud = Cloud()
        self.schemas = self.cloud.schemas
        self.schemas.create_registry("shop")
        # name → (versions left as [(number, field)], highest number handed out)
        self.model: dict[str, tuple[list[tuple[int, int]], int]] = {}

    @rule(name=NAMES, field=st.integers(0, 3))
    def create(self, name: str, field: int) -> None:
        if name in self.model:
            with pytest.raises(ServiceError, match="already exists"):
                self.schemas.create_schema("shop", name, document(field), SchemaType.OPEN_API_3)
            return
        self.schemas.create_schema("shop", name, document(field), SchemaType.OPEN_API_3)
        self.model[name] = ([(1, field)], 1)

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data(), field=st.integers(0, 3))
    def update(self, data: st.DataObject, field: int) -> None:
        name = data.draw(st.sampled_from(sorted(self.model)))
        versions, last = self.model[name]
        self.schemas.update_schema("shop", name, content=document(field))
        if versions[-1][1] != field:  # the latest content again makes no version
            self.model[name] = ([*versions, (last + 1, field)], last + 1)

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def delete_version(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(self.model)))
        versions, last = self.model[name]
        number, _ = data.draw(st.sampled_from(versions))
        if len(versions) == 1:
            with pytest.raises(ServiceError, match="only version"):
                self.schemas.delete_schema_version("shop", name, str(number))
            return
        self.schemas.delete_schema_version("shop", name, str(number))
        self.model[name] = ([v for v in versions if v[0] != number], last)

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def delete_schema(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(self.model)))
        self.schemas.delete_schema("shop", name)
        del self.model[name]

    @invariant()
    def versions_agree(self) -> None:
        schemas, _ = self.schemas.list_schemas("shop")
        assert sorted(s.name for s in schemas) == sorted(self.model)
        for name, (versions, _) in self.model.items():
            listed, _ = self.schemas.list_schema_versions("shop", name)
            assert [v.version for v in listed] == [str(n) for n, _ in versions]
            latest = self.schemas.describe_schema("shop", name)[1]
            assert latest.version == str(versions[-1][0])
            assert latest.content == document(versions[-1][1])


TestSchemaVersions = SchemaVersions.TestCase
TestSchemaVersions.settings = settings(max_examples=30, stateful_step_count=20)


@given(st.lists(st.text(max_size=4), unique=True), st.integers(1, 5), st.data())
def test_pages_cover_everything_once(items: list[str], limit: int, data: st.DataObject) -> None:
    """Walking the pages gives every item once, in order, even when items go in between."""
    remaining = sorted(items)
    seen: list[str] = []
    token: str | None = None
    while True:
        chunk, token = page(remaining, key=str, limit=limit, token=token)
        assert len(chunk) <= limit
        seen.extend(chunk)
        if token is None:
            break
        if remaining and data.draw(st.booleans()):
            gone = data.draw(st.sampled_from(remaining))
            remaining = [r for r in remaining if r != gone]
            seen = [s for s in seen if s != gone]
    assert seen == remaining
