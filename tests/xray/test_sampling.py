"""Tests of awsmon/xray/sampling.py: rule matching, the SDK decision algorithm, quotas."""

from __future__ import annotations

import fnmatch
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.xray.sampling import (
    DEFAULT_RULE,
    ReservoirAllocator,
    Sampler,
    SamplingRequest,
    SamplingRule,
    StatisticsReport,
    wildcard_match,
)

POLLING = SamplingRule(
    rule_name="polling-scorekeep",
    priority=5000,
    fixed_rate=0.003,
    reservoir_size=0,
    service_name="Scorekeep",
    http_method="GET",
    url_path="/api/state/*",
)
BASE = SamplingRule(
    rule_name="base-scorekeep",
    priority=9000,
    fixed_rate=0.1,
    reservoir_size=2,
    service_name="Scorekeep",
)


@given(st.text(alphabet="ab*?", max_size=6), st.text(alphabet="abAB", max_size=6))
def test_wildcards_agree_with_fnmatch(pattern: str, text: str) -> None:
    """'*' and '?' mean what fnmatch means (ignoring case), for any pattern."""
    expected = fnmatch.fnmatchcase(text.lower(), pattern.lower())
    assert wildcard_match(pattern, text) is expected


def test_rule_matching_guide_example() -> None:
    """E8.5: polling GETs match polling-scorekeep, other Scorekeep calls base, others Default."""
    rules = sorted([DEFAULT_RULE, BASE, POLLING], key=lambda r: r.sort_key)

    def first(request: SamplingRequest) -> str:
        return next(r.rule_name for r in rules if r.matches(request))

    assert (
        first(
            SamplingRequest(service_name="Scorekeep", http_method="GET", url_path="/api/state/abc")
        )
        == "polling-scorekeep"
    )
    assert (
        first(SamplingRequest(service_name="Scorekeep", http_method="POST", url_path="/api/user"))
        == "base-scorekeep"
    )
    assert first(SamplingRequest(service_name="Other")) == "Default"
    attributes = SamplingRule(
        rule_name="a", priority=1, fixed_rate=1, reservoir_size=0, attributes={"tier": "gold*"}
    )
    assert attributes.matches(SamplingRequest(attributes={"tier": "GOLD-1"}))
    assert not attributes.matches(SamplingRequest())


def make_sampler(rules: list[SamplingRule], now: list[float], seed: int = 1) -> Sampler:
    return Sampler(
        client_id="ABCDEF1234567890ABCDEF10",
        now=lambda: now[0],
        rng=random.Random(seed),
        fetch_rules=lambda: rules,
        fetch_targets=lambda reports: ([], None),
    )


def test_borrowing_window_guide_example() -> None:
    """E8.5: 110 requests over 10 s before any quota: 10 borrowed + 10 % of the other 100."""
    now = [1530922806.0]
    sampler = make_sampler([BASE, DEFAULT_RULE], now, seed=3)
    sampled = 0
    for second in range(10):
        now[0] = 1530922806.0 + second
        for _ in range(11):
            sampled += sampler.should_sample(SamplingRequest(service_name="Scorekeep")).sampled
    state = sampler._states["base-scorekeep"]
    assert (state.requests, state.borrows) == (110, 10)
    assert 10 + 3 <= sampled <= 10 + 20


def test_default_rule_converges_to_reservoir_plus_rate() -> None:
    """Over 600 s at 100 req/s the Default rule samples ~1/s + 5 % of the rest (seeded)."""
    now = [0.0]
    sampler = make_sampler([DEFAULT_RULE], now, seed=7)
    sampled = 0
    for second in range(600):
        for tick in range(100):
            now[0] = second + tick / 100
            sampled += sampler.should_sample().sampled
    expected = 600 + 0.05 * 600 * 99
    assert abs(sampled - expected) < 0.06 * expected


def test_quota_from_the_service_and_its_ttl() -> None:
    """With a quota the reservoir takes that many per second and stops borrowing until TTL."""
    cloud = Cloud()
    cloud.xray.update_sampling_rule(
        rule_name="Default", changes={"fixed_rate": 0.0, "reservoir_size": 3}
    )
    sampler = cloud.xray.sampler()
    results = [sampler.should_sample().sampled for _ in range(5)]
    assert results == [True, False, False, False, False]  # borrowed 1/s, rate 0
    cloud.clock.advance(10)  # the report job fetches a quota of 3
    results = [sampler.should_sample().sampled for _ in range(5)]
    assert results == [True, True, True, False, False]
    summary = cloud.xray.get_sampling_statistic_summaries()
    assert [(s.rule_name, s.request_count, s.borrow_count) for s in summary] == [("Default", 5, 1)]


def test_two_clients_share_a_reservoir() -> None:
    """A reservoir of 3 over two active clients gives 2 to the first reporter and 1 to the other."""
    allocator = ReservoirAllocator()
    rule = SamplingRule(rule_name="r", priority=1, fixed_rate=0.1, reservoir_size=3)
    at = datetime(2018, 7, 7, 0, 20, 6, tzinfo=UTC)

    def report(client: str, when: datetime) -> int | None:
        doc = StatisticsReport(
            rule_name="r", client_id=client, timestamp=when, request_count=5, sampled_count=1
        )
        targets, unprocessed = allocator.targets([doc], {"r": rule}, when)
        assert unprocessed == []
        assert targets[0].reservoir_quota_ttl == when + timedelta(seconds=300)
        return targets[0].reservoir_quota

    assert report("a" * 24, at) == 3
    assert report("b" * 24, at + timedelta(seconds=1)) == 1
    assert report("a" * 24, at + timedelta(seconds=10)) == 2
    assert report("b" * 24, at + timedelta(seconds=200)) == 3  # a went quiet
    targets, unprocessed = allocator.targets(
        [
            StatisticsReport(
                rule_name="gone", client_id="c" * 24, timestamp=at, request_count=1, sampled_count=0
            )
        ],
        {},
        at,
    )
    assert targets == [] and unprocessed[0][:2] == ("gone", "ResourceNotFoundException")


def test_get_sampling_targets_wire_example(awsmon_cloud: Cloud) -> None:
    """E8.5: base-scorekeep with reservoir 2 gives one client quota 2, TTL ~5 minutes."""
    client = awsmon_cloud.client("xray")
    client.create_sampling_rule(
        SamplingRule={
            "RuleName": "base-scorekeep",
            "ResourceARN": "*",
            "Priority": 9000,
            "FixedRate": 0.1,
            "ReservoirSize": 2,
            "ServiceName": "Scorekeep",
            "ServiceType": "*",
            "Host": "*",
            "HTTPMethod": "*",
            "URLPath": "*",
            "Version": 1,
        }
    )
    now = awsmon_cloud.clock.now()
    answer = client.get_sampling_targets(
        SamplingStatisticsDocuments=[
            {
                "RuleName": "base-scorekeep",
                "ClientID": "ABCDEF1234567890ABCDEF10",
                "Timestamp": now,
                "RequestCount": 110,
                "SampledCount": 20,
                "BorrowCount": 10,
            }
        ]
    )
    [target] = answer["SamplingTargetDocuments"]
    assert (
        target["RuleName"],
        target["FixedRate"],
        target["ReservoirQuota"],
        target["Interval"],
    ) == ("base-scorekeep", 0.1, 2, 10)
    assert target["ReservoirQuotaTTL"] == now + timedelta(seconds=300)
    assert answer["UnprocessedStatistics"] == []
    summaries = client.get_sampling_statistic_summaries()["SamplingStatisticSummaries"]
    assert summaries[0]["RequestCount"] == 110 and summaries[0]["SampledCount"] == 20


@pytest.mark.parametrize("seed", [0, 1])
def test_sampler_is_deterministic_with_a_seed(seed: int) -> None:
    """Two clouds with the same seed make the same sampling decisions."""
    decisions = []
    for _ in range(2):
        cloud = Cloud(seed=seed)
        sampler = cloud.xray.sampler()
        decisions.append([sampler.should_sample().sampled for _ in range(200)])
    assert decisions[0] == decisions[1]
    assert 1 <= sum(decisions[0]) < 40
