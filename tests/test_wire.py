"""Tests of awsmon/wire.py: parameter checks and the wire client."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud, InvalidParameter
from awsmon.wire import Params, snake_case

ERRORS = [
    (
        "string",
        {"n": 5},
        {},
        r"Value '5' at 'n' failed to satisfy constraint: Member must be a string$",
    ),
    (
        "string",
        {"n": ""},
        {"min_length": 1},
        r"Member must have length greater than or equal to 1$",
    ),
    (
        "string",
        {"n": "abcd"},
        {"max_length": 3},
        r"Member must have length less than or equal to 3$",
    ),
    (
        "string",
        {"n": "a b"},
        {"pattern": r"[a-z]+"},
        r"Member must satisfy regular expression pattern: \[a-z\]\+$",
    ),
    (
        "string",
        {"n": "x"},
        {"choices": ["A", "B"]},
        r"Member must satisfy enum value set: \[A, B\]$",
    ),
    ("integer", {"n": 1.5}, {}, r"Member must be an integer$"),
    ("integer", {"n": True}, {}, r"Member must be an integer$"),
    ("integer", {"n": 0}, {"minimum": 1}, r"Member must have value greater than or equal to 1$"),
    ("number", {"n": 11}, {"maximum": 10}, r"Member must have value less than or equal to 10$"),
    ("number", {"n": "1"}, {}, r"Member must be a number$"),
    ("boolean", {"n": 1}, {}, r"Member must be a boolean$"),
    ("timestamp", {"n": "yesterday"}, {}, r"Member must be a timestamp$"),
    ("items", {"n": "abc"}, {}, r"Member must be a list$"),
    ("items", {"n": [1, 2]}, {"max_items": 1}, r"Member must have length less than or equal to 1$"),
    ("mapping", {"n": [1]}, {}, r"Member must be a map$"),
]


class TestParams:
    @pytest.mark.parametrize(
        ("kind", "data", "rules", "message"),
        ERRORS,
        ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)],
    )
    def test_error_table(
        self, kind: str, data: dict[str, Any], rules: dict[str, Any], message: str
    ) -> None:
        """Each broken rule raises the service's error with AWS's validation wording."""
        with pytest.raises(
            InvalidParameter,
            match=r"^ValidationException: 1 validation error "
            r"detected: .*" + message,
        ) as caught:
            getattr(Params(data), kind)("n", **rules)
        assert caught.value.param == "n" and caught.value.value == data["n"]

    @pytest.mark.parametrize(
        "kind", ["string", "integer", "number", "boolean", "timestamp", "items", "mapping"]
    )
    def test_required(self, kind: str) -> None:
        """A missing required parameter raises the service's missing-parameter error."""
        with pytest.raises(
            InvalidParameter,
            match=r"^ValidationException: The parameter N is "
            r"required\.$",
        ):
            getattr(Params({}), kind)("N", required=True)

    def test_defaults_and_values(self) -> None:
        """Optional parameters give their default; present ones their checked value."""
        p = Params(
            {
                "s": "x",
                "i": 3,
                "f": 2,
                "b": False,
                "l": (1,),
                "m": {"k": "v"},
                "t1": 0,
                "t2": "2024-01-01T00:00:00Z",
                "t3": datetime(2024, 1, 1),
            }
        )
        assert (
            p.string("s"),
            p.string("zz", default="d"),
            p.integer("i"),
            p.number("f"),
            p.boolean("b"),
            p.items("l"),
            p.mapping("m"),
        ) == ("x", "d", 3, 2.0, False, [1], {"k": "v"})
        assert p.items("none") == [] and p.mapping("none") == {} and p.timestamp("none") is None
        assert p.timestamp("t1") == datetime(1970, 1, 1, tzinfo=UTC)
        assert p.timestamp("t2") == p.timestamp("t3") == datetime(2024, 1, 1, tzinfo=UTC)
        assert "s" in p and "none" not in p and p.raw("none", 7) == 7

    @given(
        st.dictionaries(
            st.text(max_size=5),
            st.one_of(
                st.none(),
                st.integers(),
                st.text(),
                st.floats(),
                st.booleans(),
                st.lists(st.integers()),
            ),
        )
    )
    def test_getters_raise_only_aws_errors(self, data: dict[str, Any]) -> None:
        """Whatever the request holds, a getter returns or raises the service's AWS error."""
        p = Params(data)
        for name in data:
            for kind in ("string", "integer", "number", "boolean", "timestamp", "items", "mapping"):
                with contextlib.suppress(InvalidParameter):
                    getattr(p, kind)(name)


class TestNames:
    @pytest.mark.parametrize(
        ("operation", "method"),
        [
            ("PutMetricData", "put_metric_data"),
            ("ListObjectsV2", "list_objects_v2"),
            ("GetQueueUrl", "get_queue_url"),
            ("DescribeDBInstances", "describe_db_instances"),
            ("ListTagsLogGroup", "list_tags_log_group"),
            ("GetCallerIdentity", "get_caller_identity"),
        ],
    )
    def test_snake_case_matches_botocore(self, operation: str, method: str) -> None:
        """Operation names become boto3's method names."""
        from botocore import xform_name

        assert snake_case(operation) == method == xform_name(operation)


class TestClient:
    def test_region_and_repr(self) -> None:
        """A client knows its region and says what it is."""
        client = Cloud().client("sts", "eu-west-3")
        assert client.region_name == "eu-west-3"
        assert repr(client) == "<awsmon client sts eu-west-3>"
        with pytest.raises(AttributeError):
            _ = client._private
