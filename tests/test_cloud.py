"""Tests of awsmon/cloud.py and awsmon/dispatch.py: places, identity, dispatch and auditing."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from toy import RepositoryDoesNotExistException, RepositoryNameExistsException, toy_service

from awsmon import ApiCall, Arn, Cloud, InvalidAction, NotFound, Principal, VirtualClock
from awsmon.arn import InvalidArn
from awsmon.dispatch import operation


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    with toy_service():
        yield Cloud()


class TestPlaces:
    def test_accounts_and_regions_are_isolated(self, cloud: Cloud) -> None:
        """A resource made in one account and region is not visible from any other."""
        cloud.toy.create_repository("app")
        assert cloud.toy.get_repository("app") == ""
        for elsewhere in (
            cloud.region("eu-west-3"),
            cloud.account("210987654321"),
            cloud.account("210987654321").region("us-east-1"),
        ):
            with pytest.raises(NotFound):
                elsewhere.toy.get_repository("app")
        assert cloud.region("us-east-1").toy is cloud.toy
        assert cloud.account("123456789012").toy is cloud.toy

    def test_services_are_created_once_per_place(self, cloud: Cloud) -> None:
        """Each (account, region) has one instance of a service, made on first use."""
        eu = cloud.region("eu-west-3")
        assert eu.toy is eu.toy is eu.service("toy")
        assert (eu.toy.account_id, eu.toy.region) == ("123456789012", "eu-west-3")
        assert eu.toy.ctx.arn("r") == "arn:aws:codecommit:eu-west-3:123456789012:r"

    def test_bad_places(self, cloud: Cloud) -> None:
        """Malformed account ids and region names are refused with a clear message."""
        with pytest.raises(ValueError, match="12 digits, got '1234'"):
            cloud.account("1234")
        with pytest.raises(ValueError, match="not an AWS region name: 'Paris'"):
            cloud.region("Paris")
        with pytest.raises(ValueError):
            Cloud(account_id="x")
        with pytest.raises(AttributeError, match="no service named 'nosuch'"):
            _ = cloud.nosuch
        with pytest.raises(KeyError, match="does not simulate 'dynamodb'"):
            cloud.client("dynamodb")

    def test_two_clouds_share_nothing_but_a_clock_if_asked(self) -> None:
        """Two clouds never see each other's resources; they may share one clock."""
        clock = VirtualClock()
        with toy_service():
            a, b = Cloud(clock=clock), Cloud(clock=clock)
            a.toy.create_repository("x")
            with pytest.raises(NotFound):
                b.toy.get_repository("x")
        assert a.clock is b.clock


class TestIdentity:
    def test_default_principal_is_the_root(self, cloud: Cloud) -> None:
        """Calls run as the default account's root unless told otherwise."""
        assert cloud.principal.arn == "arn:aws:iam::123456789012:root"
        assert Cloud(principal="arn:aws:iam::123456789012:user/ci").principal.type == "IAMUser"

    def test_as_principal_nests_and_decides_the_account(self, cloud: Cloud) -> None:
        """Calls act in the current principal's account; blocks nest and unwind."""
        client = cloud.client("codecommit")
        with cloud.as_principal("arn:aws:iam::210987654321:user/bob") as bob:
            client.create_repository(repositoryName="r")
            with cloud.as_principal("arn:aws:iam::123456789012:user/ann"):
                assert cloud.principal.arn.endswith("user/ann")
            assert cloud.principal == bob
        assert cloud.account("210987654321").toy.get_repository("r") == ""
        with pytest.raises(NotFound):
            cloud.toy.get_repository("r")

    def test_account_client_runs_as_that_root(self, cloud: Cloud) -> None:
        """cloud.account(x).client(...) calls as x's root."""
        cloud.account("210987654321").client("codecommit").create_repository(repositoryName="r")
        assert cloud.account("210987654321").toy.get_repository("r") == ""


class TestDispatch:
    def test_every_call_is_reported_once(self, cloud: Cloud) -> None:
        """Wire and domain calls are each reported once, with who, what, where and when."""
        calls: list[ApiCall] = []
        cloud.on_api_call(calls.append)
        cloud.clock.advance(60)
        cloud.client("codecommit", "eu-west-3").create_repository(repositoryName="a")
        cloud.toy.create_repository("b", description="d")
        assert [(c.operation, c.source, c.region) for c in calls] == [
            ("CreateRepository", "wire", "eu-west-3"),
            ("CreateRepository", "domain", "us-east-1"),
        ]
        wire, domain = calls
        assert wire.parameters == {"repositoryName": "a"}
        assert domain.parameters == {"repositoryName": "b", "description": "d"}
        assert wire.at == cloud.clock.now() and wire.service == "codecommit"
        assert wire.principal.type == "Root" and wire.succeeded
        assert wire.response["repositoryMetadata"]["Arn"].endswith(":eu-west-3:123456789012:a")
        assert wire.request_id != domain.request_id

    def test_failed_calls_are_reported_with_their_error(self, cloud: Cloud) -> None:
        """An AWS error is reported to listeners and then raised."""
        calls: list[ApiCall] = []
        cloud.on_api_call(calls.append)
        with pytest.raises(RepositoryDoesNotExistException):
            cloud.client("codecommit").get_repository(repositoryName="nope")
        (call,) = calls
        assert not call.succeeded and call.response is None
        assert isinstance(call.error, RepositoryDoesNotExistException)

    def test_a_service_calling_another_is_its_own_call(self, cloud: Cloud) -> None:
        """A domain operation reached from inside another operation is reported on its own."""
        calls: list[ApiCall] = []
        cloud.on_api_call(calls.append)
        toy = cloud.toy

        @operation("GetRepository")
        def nested(self: object) -> None:
            cloud.region("eu-west-3").toy.create_repository("copy")

        type(toy).mirror = nested  # type: ignore[attr-defined]
        try:
            toy.mirror()
        finally:
            del type(toy).mirror  # type: ignore[attr-defined]
        assert [(c.operation, c.region) for c in calls] == [
            ("CreateRepository", "eu-west-3"),
            ("GetRepository", "us-east-1"),
        ]

    def test_unknown_operations_name_service_and_operation(self, cloud: Cloud) -> None:
        """An operation the wire API lacks raises InvalidAction naming both, and is reported."""
        calls: list[ApiCall] = []
        cloud.on_api_call(calls.append)
        with pytest.raises(
            InvalidAction,
            match=r"^InvalidAction: The codecommit API has no operation "
            r"DeleteRepository \(delete_repository\)",
        ):
            cloud.client("codecommit").delete_repository(repositoryName="x")
        assert calls[0].operation == "DeleteRepository" and not calls[0].succeeded
        assert "create_repository" in dir(cloud.client("codecommit"))

    def test_no_partial_state_on_error(self, cloud: Cloud) -> None:
        """A refused call leaves nothing behind."""
        client = cloud.client("codecommit")
        with pytest.raises(ValueError, match="failed to satisfy constraint: Member must satisfy"):
            client.create_repository(repositoryName="bad name!")
        assert cloud.toy.repositories == {}
        client.create_repository(repositoryName="ok")
        with pytest.raises(RepositoryNameExistsException):
            client.create_repository(repositoryName="ok")
        assert list(cloud.toy.repositories) == ["ok"]


class TestReachingServices:
    """One way to reach a resource's service: the context's `service_at` and `sibling`."""

    def test_service_at_follows_the_arns_account_and_region(self, cloud: Cloud) -> None:
        """The ARN's account and region decide the instance; empty parts mean the caller's."""
        ctx = cloud.sts.ctx
        there = ctx.service_at("arn:aws:sts:eu-west-3:210987654321:assumed-role/r/s")
        assert (there.account_id, there.region) == ("210987654321", "eu-west-3")
        assert there is cloud.account("210987654321").region("eu-west-3").sts
        assert ctx.service_at("arn:aws:sts:::x") is cloud.sts
        assert ctx.service_at(Arn.parse("arn:aws:toy:us-west-2:123456789012:r"), "sts") is (
            cloud.region("us-west-2").sts
        )

    def test_service_at_refuses_what_it_cannot_reach(self, cloud: Cloud) -> None:
        """Text that is not an ARN, or an ARN of no simulated service, is refused clearly."""
        with pytest.raises(InvalidArn, match="not a valid ARN: 'queue-1'"):
            cloud.sts.ctx.service_at("queue-1")
        with pytest.raises(KeyError, match="no service for ARNs of 'dynamodb'"):
            cloud.sts.ctx.service_at("arn:aws:dynamodb:us-east-1:123456789012:table/t")

    def test_sibling_of_another_place(self, cloud: Cloud) -> None:
        """`sibling` gives a service of this place, or of the account and region named."""
        ctx = cloud.sts.ctx
        assert ctx.sibling("sts") is cloud.sts
        assert ctx.sibling("sts", region="ap-south-1") is cloud.region("ap-south-1").sts

    def test_shared_state_is_per_cloud(self) -> None:
        """Cloud-wide state (S3's bucket namespace) is made once per cloud, never shared."""
        one, two = Cloud(), Cloud()
        made = one.sts.ctx.shared("k", list)
        assert one.region("eu-west-1").sts.ctx.shared("k", list) is made
        assert two.sts.ctx.shared("k", list) is not made

    @pytest.mark.parametrize(
        ("region", "partition"),
        [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")],
    )
    def test_arns_carry_the_partition_of_their_region(
        self, cloud: Cloud, region: str, partition: str
    ) -> None:
        """ARNs built for a region carry its partition, as AWS writes them."""
        assert cloud.region(region).sts.ctx.arn("x").startswith(f"arn:{partition}:sts:{region}:")
        assert Arn.build("sqs", region, "123456789012", "q").partition == partition


class TestCredentialResolvers:
    def test_resolvers_are_asked_in_turn(self, cloud: Cloud) -> None:
        """The first resolver that knows an access key names its principal; else None."""
        bob = Principal.from_arn("arn:aws:iam::123456789012:user/bob")
        cloud.add_credential_resolver(lambda key: bob if key == "AKIABOB" else None)
        assert cloud.principal_for_access_key("AKIABOB") == bob
        assert cloud.principal_for_access_key("AKIAOTHER") is None


class TestThreads:
    def test_threads_keep_their_callers_and_lose_no_call(self) -> None:
        """8 threads of 3 accounts, 10,000 calls: each lands in its thread's account, none lost."""
        accounts = ["111111111111", "222222222222", "333333333333"]
        with toy_service():
            cloud = Cloud()
            calls: list[ApiCall] = []
            cloud.on_api_call(calls.append)

            def work(thread: int) -> None:
                account = accounts[thread % len(accounts)]
                with cloud.as_principal(f"arn:aws:iam::{account}:user/t{thread}"):
                    client = cloud.client("codecommit")
                    for i in range(1250):
                        client.create_repository(repositoryName=f"t{thread}-{i}")
                        if i % 250 == 0:
                            cloud.clock.advance(1)

            threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert len(calls) == 10_000
        for n in range(8):
            repositories = cloud.account(accounts[n % 3]).toy.repositories
            assert sum(name.startswith(f"t{n}-") for name in repositories) == 1250
        assert all(call.account_id == call.principal.account_id for call in calls)
        assert cloud.principal == Principal.root("123456789012")


class TestDeterminism:
    def test_same_seed_same_ids(self) -> None:
        """One seed replays the same request ids; another seed gives others."""

        def run(seed: int) -> list[str]:
            with toy_service():
                cloud = Cloud(seed=seed)
                ids: list[str] = []
                cloud.on_api_call(lambda call: ids.append(call.request_id))
                cloud.client("codecommit").create_repository(repositoryName="a")
                cloud.toy.get_repository("a")
                return [*ids, cloud.ids.uuid()]

        assert run(1) == run(1) != run(2)


def test_domain_call_records_name_the_arguments_as_bind_does(cloud: Cloud) -> None:
    """A domain call's recorded parameters are its given arguments after self, by name, in
    signature order, however they were passed; a call Python refuses is not recorded."""
    calls: list[ApiCall] = []
    cloud.on_api_call(calls.append)
    cloud.toy.create_repository("a")
    cloud.toy.create_repository("b", description="d")
    cloud.toy.create_repository(description="e", repository_name="c")
    cloud.toy.create_repository(repository_name="f")
    assert [list(c.parameters.items()) for c in calls] == [
        [("repositoryName", "a")],
        [("repositoryName", "b"), ("description", "d")],
        [("repositoryName", "c"), ("description", "e")],
        [("repositoryName", "f")],
    ]
    for bad in (
        lambda: cloud.toy.create_repository("g", "positional description"),
        lambda: cloud.toy.create_repository("h", colour="red"),
        lambda: cloud.toy.create_repository(),
    ):
        with pytest.raises(TypeError):
            bad()
    assert len(calls) == 4 and "g" not in cloud.toy.repositories
