"""Tests of awsmon/wire.py: parameter checks and the wire client."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud, InvalidParameter
from awsmon.wire import Params, Wording, snake_case

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


class TestWording:
    """The one place AWS's validation wording lives: paths, casing and the services' styles."""

    def test_structs_name_members_by_path_in_camel_case(self) -> None:
        """An element of a list of structures is named ``list.<i>.member.field`` (EventBridge)."""
        p = Params({"Targets": [{"Id": "a"}, {"Id": ""}]}, wording=Wording(member_case="camel"))
        first, second = p.structs("Targets")
        assert first.string("Id", required=True) == "a"
        with pytest.raises(InvalidParameter, match=r"at 'targets\.2\.member\.id' failed") as e:
            second.string("Id", min_length=1)
        assert e.value.param == "Id" and e.value.value == ""

    def test_strings_are_located_per_element(self) -> None:
        """Each string of a list is checked and named ``list.<i>.member`` (CloudWatch alarms)."""
        p = Params({"AlarmNames": ["ok", "x" * 300]}, wording=Wording(member_case="camel"))
        with pytest.raises(InvalidParameter, match=r"at 'alarmNames\.2\.member' failed"):
            p.strings("AlarmNames", max_length=255)
        assert Params({"N": ["a"]}).strings("N", choices=["a"]) == ["a"]

    @pytest.mark.parametrize(
        ("wording", "message"),
        [
            (Wording(), r"^ValidationException: The parameter Name is required\.$"),
            (
                Wording(member_case="camel", missing="null"),
                r"^ValidationException: 1 validation error detected: Value null at 'name' "
                r"failed to satisfy constraint: Member must not be null$",
            ),
            (
                Wording(missing="must-contain"),
                r"^ValidationException: The request must contain the parameter Name$",
            ),
        ],
        ids=["query", "json", "ec2"],
    )
    def test_missing_styles(self, wording: Wording, message: str) -> None:
        """Each service family words a missing required member its own way."""
        with pytest.raises(InvalidParameter, match=message):
            Params({}, wording=wording).string("Name", required=True)

    def test_ec2_invalid_wording(self) -> None:
        """EC2 says ``Value (v) for parameter X is invalid.`` followed by the constraint."""
        with pytest.raises(
            InvalidParameter,
            match=r"^ValidationException: Value \(0\) for parameter MaxCount is invalid\. "
            r"Member must have value greater than or equal to 1$",
        ):
            Params({"MaxCount": 0}, wording=Wording(invalid="ec2")).integer("MaxCount", minimum=1)

    def test_a_structure_that_is_not_a_mapping_is_refused(self) -> None:
        """A list element of the wrong type gets the service's error, not a crash."""
        with pytest.raises(InvalidParameter, match=r"at 'Targets\.1\.member' failed .* structure"):
            Params({"Targets": ["not a structure"]}).structs("Targets")

    def test_numbers_blobs_and_timestamps_accept_what_botocore_accepts(self) -> None:
        """Decimal for a double (the AWS CLI), text or bytes for a blob, Decimal epoch seconds."""
        p = Params({"V": Decimal("5.5"), "B": "hé", "R": b"\x00", "T": Decimal(60)})
        assert p.number("V", required=True) == 5.5
        assert p.blob("B") == "hé".encode() and p.blob("R") == b"\x00"
        assert p.timestamp("T") == datetime(1970, 1, 1, 0, 1, tzinfo=UTC)
        with pytest.raises(InvalidParameter, match="Member must be a blob"):
            Params({"B": 5}).blob("B")
        with pytest.raises(InvalidParameter, match="valid UTF-8"):
            Params({"B": "\ud800"}).blob("B")

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1741964000", datetime(2025, 3, 14, 14, 53, 20, tzinfo=UTC)),  # aws ... $(date +%s)
            ("1741964000.5", datetime(2025, 3, 14, 14, 53, 20, 500_000, tzinfo=UTC)),
            ("2025-03-14T15:00:00Z", datetime(2025, 3, 14, 15, tzinfo=UTC)),
            ("2025-03-14T17:00:00+02:00", datetime(2025, 3, 14, 15, tzinfo=UTC)),
            ("2025-03-14 15:00", datetime(2025, 3, 14, 15, tzinfo=UTC)),
            ("Mar 14 2025 3pm", datetime(2025, 3, 14, 15, tzinfo=UTC)),
        ],
    )
    def test_timestamp_text_reads_as_botocore_reads_it(self, text: str, expected: datetime) -> None:
        """Epoch seconds as text first (the AWS CLI passes ``--start-time`` through), then dates."""
        assert Params({"T": text}).timestamp("T") == expected

    @pytest.mark.parametrize("text", ["", "abc", "nan", "inf", "1e400", "2025-13-01", "9" * 400])
    def test_timestamp_text_that_is_no_time_is_refused(self, text: str) -> None:
        with pytest.raises(InvalidParameter, match="Member must be a timestamp"):
            Params({"T": text}).timestamp("T")

    def test_a_partial_date_never_reads_the_wall_clock(self) -> None:
        """dateutil fills missing parts from a fixed date, so the answer is the same every day."""
        assert Params({"T": "March"}).timestamp("T") == datetime(1970, 3, 1, tzinfo=UTC)


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
