"""Tests for sampling explanations: SamplingRule.explain and Sampler.explain.

Which criterion of a rule misses a request (each of the rule's wildcards and
its attributes), which rule decides and how (borrow, reservoir quota, fixed
rate); Hypothesis checks a rule's verdict is `SamplingRule.matches` and that
the sampler names the rule `should_sample` then uses.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.xray.sampling import SamplingRequest, SamplingRule

RULE = SamplingRule(
    rule_name="api", priority=1, fixed_rate=0.25, reservoir_size=2, service_name="shop*",
    service_type="AWS::EC2::*", host="*.example.com", http_method="GET", url_path="/api/*",
)
GOOD = {
    "service_name": "shop-web", "service_type": "AWS::EC2::Instance", "host": "www.example.com",
    "http_method": "get", "url_path": "/API/cart",
}


class TestRuleVerdicts:
    def test_each_criterion(self) -> None:
        assert RULE.explain(SamplingRequest(**GOOD)).matched
        misses = {
            "service_name": ("ServiceName", "billing"),
            "service_type": ("ServiceType", "AWS::Lambda"),
            "host": ("Host", "localhost"),
            "http_method": ("HTTPMethod", "POST"),
            "url_path": ("URLPath", "/health"),
        }
        for name, (criterion, value) in misses.items():
            verdict = RULE.explain(SamplingRequest(**{**GOOD, name: value}))
            assert not verdict.matched
            assert (verdict.criterion, verdict.value) == (criterion, value)
            pattern = getattr(RULE, name)
            assert str(verdict) == f'api: {criterion} "{pattern}" does not match "{value}"'

    def test_unknown_values_match_and_attributes(self) -> None:
        assert RULE.explain(SamplingRequest()).matched
        tagged = SamplingRule(rule_name="t", priority=2, fixed_rate=0, reservoir_size=0,
                              attributes={"env": "prod*"})
        verdict = tagged.explain(SamplingRequest(attributes={"team": "x"}))
        assert (verdict.criterion, verdict.value) == ("attribute env", None)
        assert "does not match nothing" in str(verdict)


class TestSamplerExplain:
    def _sampler(self) -> tuple[Cloud, object]:
        cloud = Cloud()
        cloud.client("xray").create_sampling_rule(SamplingRule={
            "RuleName": "api", "Priority": 1, "FixedRate": 0.5, "ReservoirSize": 1,
            "ServiceName": "*", "ServiceType": "*", "Host": "*", "HTTPMethod": "*",
            "URLPath": "/api/*", "ResourceARN": "*", "Version": 1,
        })
        return cloud, cloud.xray.sampler()

    def test_first_matching_rule_then_default(self) -> None:
        _, sampler = self._sampler()
        why = sampler.explain(SamplingRequest(url_path="/health"))  # type: ignore[attr-defined]
        assert why.rule_name == "Default"
        assert [v.rule_name for v in why.rules] == ["api", "Default"]
        assert why.rules[0].criterion == "URLPath"
        assert "decided by Default" in str(why) and "<pre>" in why._repr_html_()

    def test_borrow_then_rate_then_quota(self) -> None:
        cloud, sampler = self._sampler()
        api = SamplingRequest(url_path="/api/x")
        first = sampler.explain(api)  # type: ignore[attr-defined]
        assert (first.rule_name, first.decision) == ("api", "borrow")
        decision = sampler.should_sample(api)  # type: ignore[attr-defined]
        assert decision.sampled and decision.rule_name == "api"
        assert sampler.explain(api).decision == "fixed rate"  # type: ignore[attr-defined]
        cloud.clock.advance(11)  # the report brings a quota
        after = sampler.explain(api)  # type: ignore[attr-defined]
        assert after.decision == "reservoir"
        assert "quota" in after.reason


WILD = st.sampled_from(["*", "shop*", "?et", "GET", "/api/*", "*.example.com", "x"])
VALUES = st.sampled_from([None, "shop", "GET", "get", "/api/a", "www.example.com", "x", "pet"])


@given(WILD, WILD, WILD, VALUES, VALUES, VALUES)
def test_verdict_is_matches(
    name: str, method: str, path: str, v_name: str | None, v_method: str | None, v_path: str | None
) -> None:
    rule = SamplingRule(rule_name="r", priority=1, fixed_rate=0, reservoir_size=0,
                        service_name=name, http_method=method, url_path=path)
    request = SamplingRequest(service_name=v_name, http_method=v_method, url_path=v_path)
    verdict = rule.explain(request)
    assert verdict.matched == rule.matches(request)
