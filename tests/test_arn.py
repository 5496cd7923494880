"""Tests of awsmon/arn.py, awsmon/identity.py and awsmon/ids.py: names, principals and ids."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Arn, Principal
from awsmon.arn import InvalidArn
from awsmon.ids import IdFactory
from awsmon.testing.strategies import account_ids, principal_arns, region_names


class TestArn:
    @pytest.mark.parametrize(
        ("text", "resource_type", "resource_id"),
        [
            ("arn:aws:sns:us-east-1:123456789012:alerts", "", "alerts"),
            ("arn:aws:events:us-east-1:123456789012:rule/bus/r1", "rule", "bus/r1"),
            ("arn:aws:s3:::my-bucket", "", "my-bucket"),
            ("arn:aws:cloudwatch:eu-west-3:123456789012:alarm:cpu:high", "alarm", "cpu:high"),
        ],
    )
    def test_parse(self, text: str, resource_type: str, resource_id: str) -> None:
        """ARNs parse into their parts and print back unchanged."""
        arn = Arn.parse(text)
        assert (arn.resource_type, arn.resource_id) == (resource_type, resource_id)
        assert str(arn) == text

    @pytest.mark.parametrize(
        "text", ["", "arn:aws:sns", "urn:aws:sns:r:a:x", "arn::sns:r:a:x", "arn:aws:sns:r:a:"]
    )
    def test_invalid(self, text: str) -> None:
        """Text that is not an ARN raises InvalidArn, a ValueError."""
        with pytest.raises(InvalidArn, match="not a valid ARN"):
            Arn.parse(text)

    @given(
        st.sampled_from(["aws", "aws-cn", "aws-us-gov"]),
        st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
        st.one_of(st.just(""), region_names()),
        st.one_of(st.just(""), account_ids()),
        st.text(min_size=1, max_size=40),
    )
    def test_round_trip(
        self, partition: str, service: str, region: str, account: str, resource: str
    ) -> None:
        """parse(str(arn)) == arn for any parts."""
        arn = Arn(partition, service, region, account, resource)
        assert Arn.parse(str(arn)) == arn


class TestPrincipal:
    @pytest.mark.parametrize(
        ("arn", "kind", "user_id_prefix"),
        [
            ("arn:aws:iam::123456789012:root", "Root", "123456789012"),
            ("arn:aws:iam::123456789012:user/alice", "IAMUser", "AIDA"),
            ("arn:aws:sts::123456789012:assumed-role/Admin/bob", "AssumedRole", "AROA"),
        ],
    )
    def test_from_arn(self, arn: str, kind: str, user_id_prefix: str) -> None:
        """Principals know their type, account and an AWS-shaped unique id."""
        who = Principal.from_arn(arn)
        assert (who.type, who.account_id) == (kind, "123456789012")
        assert who.user_id.startswith(user_id_prefix)

    def test_assumed_role_user_id_names_the_session(self) -> None:
        """An assumed role's UserId is the role's id, a colon and the session name."""
        who = Principal.from_arn("arn:aws:sts::123456789012:assumed-role/Admin/bob")
        role_id, session = who.user_id.split(":")
        assert session == "bob" and len(role_id) == 21

    @pytest.mark.parametrize(
        "arn",
        [
            "nope",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::12:user/x",
            "arn:aws:iam::123456789012:group/devs",
        ],
    )
    def test_invalid(self, arn: str) -> None:
        """Only IAM and STS principal ARNs with a 12-digit account are principals."""
        with pytest.raises(ValueError):
            Principal.from_arn(arn)

    @given(principal_arns())
    def test_ids_are_stable(self, arn: str) -> None:
        """The same ARN always gets the same unique id and keeps its account."""
        assert Principal.from_arn(arn) == Principal.from_arn(arn)
        assert Principal.from_arn(arn).account_id == arn.split(":")[4]


class TestIds:
    @given(st.integers(0, 2**32))
    def test_same_seed_same_ids(self, seed: int) -> None:
        """Ids replay exactly from the same seed."""

        def draw(ids: IdFactory) -> tuple[str, ...]:
            return (ids.uuid(), ids.hex(16), ids.alphanumeric(10), ids.digits(5))

        assert draw(IdFactory(random.Random(seed))) == draw(IdFactory(random.Random(seed)))

    def test_formats(self) -> None:
        """Ids have AWS's formats."""
        ids = IdFactory(random.Random(1))
        uuid = ids.uuid()
        assert len(uuid) == 36 and uuid[14] == "4"
        assert len(ids.hex(24)) == 24 and int(ids.hex(24), 16) >= 0
        assert ids.alphanumeric(8, upper=True).isupper() or ids.alphanumeric(8).isalnum()
        assert ids.digits(12).isdigit()


@given(st.integers(0, 2**128 - 1))
def test_uuid_text_matches_the_standard_library(bits: int) -> None:
    """format_uuid4 prints exactly what uuid.UUID(int=bits, version=4) prints."""
    import uuid

    from awsmon.ids import format_uuid4

    assert format_uuid4(bits) == str(uuid.UUID(int=bits, version=4))
