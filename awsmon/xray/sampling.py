"""Sampling rules, the SDK's sampling decision, and the service's reservoir quotas.

Main names:

- `wildcard_match`: the rules' ``*``/``?`` patterns (case-insensitive, as
  the SDKs match them).
- `SamplingRule`: one rule, as GetSamplingRules returns it; `DEFAULT_RULE`
  the built-in ``Default`` (1 request per second plus 5 %).
- `SamplingRequest`: what a request offers to the rules (service name and
  type, host, method, URL path, resource ARN, attributes).
- `Sampler`: the decision algorithm of the X-Ray SDKs (reference C.6.2)
  on the virtual clock and the cloud's seeded random source: the first
  matching rule by (priority, name), its reservoir (a quota from
  GetSamplingTargets, or one borrowed request per second before that), then
  its fixed rate; counters reported every 10 seconds.
- `ReservoirAllocator`: the service side of GetSamplingTargets (quotas per
  client) and of GetSamplingStatisticSummaries.

Simulation notes: the SDKs add a few seconds of random jitter to their
polling; `Sampler` polls exactly every 10 s (targets) and 300 s (rules).
How X-Ray splits a reservoir between clients is UNCONFIRMED: each client
that reported on the rule in the last minute gets ``floor(size / clients)``
per second, the earliest reporters one more until the remainder is used; the
quota lives 300 s (TTL). GetSamplingStatisticSummaries sums the reports of
the last minute.

>>> wildcard_match("/api/state/*", "/API/State/abc"), wildcard_match("GE?", "POST")
(True, False)
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from attrs import define, evolve, field, frozen

from awsmon.wildcard import Wildcard
from awsmon.xray.sampling_explain import RuleVerdict, SamplingExplanation, how_it_decides

__all__ = [
    "DEFAULT_RULE",
    "ReservoirAllocator",
    "RuleStatistics",
    "Sampler",
    "SamplingDecision",
    "SamplingRequest",
    "SamplingRule",
    "SamplingTarget",
    "StatisticsReport",
    "wildcard_match",
]


def wildcard_match(pattern: str | None, text: str | None) -> bool:
    """True when `text` matches `pattern` (``*`` any run, ``?`` one character), ignoring case.

    Linear in the text (`awsmon.wildcard.Wildcard`); each pattern is compiled once.
    """
    if pattern is None or text is None:
        return False
    if pattern == "*":
        return True
    return _compiled_wildcard(pattern).matches(text)


@lru_cache(maxsize=1024)
def _compiled_wildcard(pattern: str) -> Wildcard:
    return Wildcard.parse(pattern, question=True, ignore_case=True)


@frozen(kw_only=True)
class SamplingRequest:
    """What a request offers to the sampling rules; None means not known (matches any)."""

    service_name: str | None = None
    service_type: str | None = None
    host: str | None = None
    http_method: str | None = None
    url_path: str | None = None
    resource_arn: str | None = None
    attributes: Mapping[str, str] = field(factory=dict)


@frozen(kw_only=True)
class SamplingRule:
    """A sampling rule (the ``SamplingRule`` structure of the X-Ray API).

    Attributes:
        rule_name: 1–32 characters; ``Default`` is the built-in rule.
        rule_arn: ``arn:aws:xray:{region}:{account}:sampling-rule/{name}``.
        priority: 1–9999 (``Default``: 10000); lower wins.
        fixed_rate: the fraction sampled after the reservoir, 0–1.
        reservoir_size: requests per second sampled before the fixed rate.
        service_name, service_type, host, http_method, url_path, resource_arn:
            wildcard patterns on the request.
        attributes: wildcard patterns on request attributes (the SDKs skip
            rules that have any).
        version: always 1.
        created_at, modified_at: when the rule was created and last changed.
    """

    rule_name: str
    rule_arn: str = ""
    priority: int
    fixed_rate: float
    reservoir_size: int
    service_name: str = "*"
    service_type: str = "*"
    host: str = "*"
    http_method: str = "*"
    url_path: str = "*"
    resource_arn: str = "*"
    version: int = 1
    attributes: Mapping[str, str] = field(factory=dict)
    created_at: datetime | None = None
    modified_at: datetime | None = None

    @property
    def is_default(self) -> bool:
        """True for the built-in ``Default`` rule."""
        return self.rule_name == "Default"

    def matches(self, request: SamplingRequest) -> bool:
        """True when every criterion the request knows matches the rule's pattern."""
        pairs = (
            (self.service_name, request.service_name),
            (self.service_type, request.service_type),
            (self.host, request.host),
            (self.http_method, request.http_method),
            (self.url_path, request.url_path),
            (self.resource_arn, request.resource_arn),
        )
        if not all(value is None or wildcard_match(pattern, value) for pattern, value in pairs):
            return False
        return all(
            wildcard_match(pattern, request.attributes.get(key))
            for key, pattern in self.attributes.items()
        )

    def explain(self, request: SamplingRequest) -> RuleVerdict:
        """Whether the rule matches `request`, else the first criterion that misses."""
        for criterion, name in _CRITERIA:
            value = getattr(request, name)
            pattern = getattr(self, name)
            if value is not None and not wildcard_match(pattern, value):
                return RuleVerdict(self.rule_name, False, criterion, pattern, value)
        for key, pattern in self.attributes.items():
            value = request.attributes.get(key)
            if not wildcard_match(pattern, value):
                return RuleVerdict(self.rule_name, False, f"attribute {key}", pattern, value)
        return RuleVerdict(self.rule_name, True)

    @property
    def sort_key(self) -> tuple[int, str]:
        """The order rules are tried in: priority, then name."""
        return (self.priority, self.rule_name)


_CRITERIA = (
    ("ServiceName", "service_name"),
    ("ServiceType", "service_type"),
    ("Host", "host"),
    ("HTTPMethod", "http_method"),
    ("URLPath", "url_path"),
    ("ResourceARN", "resource_arn"),
)

#: The built-in rule: 1 request per second, then 5 % of the rest.
DEFAULT_RULE = SamplingRule(rule_name="Default", priority=10000, fixed_rate=0.05, reservoir_size=1)


@frozen
class SamplingDecision:
    """The outcome of a sampling decision: sampled or not, and the rule that decided."""

    sampled: bool
    rule_name: str | None


@frozen(kw_only=True)
class StatisticsReport:
    """One ``SamplingStatisticsDocument``."""

    rule_name: str
    client_id: str
    timestamp: datetime
    request_count: int
    sampled_count: int
    borrow_count: int = 0


@frozen(kw_only=True)
class SamplingTarget:
    """One ``SamplingTargetDocument``: a client's quota for a rule."""

    rule_name: str
    fixed_rate: float
    reservoir_quota: int | None
    reservoir_quota_ttl: datetime | None
    interval: int | None = 10


@frozen(kw_only=True)
class RuleStatistics:
    """One ``SamplingStatisticSummary``: a rule's recent counts over all clients."""

    rule_name: str
    timestamp: datetime
    request_count: int
    borrow_count: int
    sampled_count: int


@define
class _RuleState:
    rule: SamplingRule
    quota: int | None = None
    ttl: float | None = None
    second: int = -1
    taken: int = 0
    borrowed: int = 0
    requests: int = 0
    sampled: int = 0
    borrows: int = 0

    def decide(self, now: float, rng: random.Random) -> bool:
        self.requests += 1
        second = math.floor(now)
        if second != self.second:
            self.second, self.taken, self.borrowed = second, 0, 0
        if self.quota is not None and self.ttl is not None and self.ttl >= now:
            if self.taken < self.quota:
                self.taken += 1
                self.sampled += 1
                return True
        elif self.rule.reservoir_size > 0 and self.borrowed < 1:
            self.borrowed += 1
            self.borrows += 1
            return True
        if rng.random() <= self.rule.fixed_rate:
            self.sampled += 1
            return True
        return False


class Sampler:
    """The X-Ray SDK sampling algorithm for one simulated application (one client id).

    Args:
        client_id: 24 hex digits identifying the client in its reports.
        now: the virtual clock (epoch seconds).
        rng: the random source of the fixed-rate draws (the cloud's, seeded).
        fetch_rules: returns the account's rules (GetSamplingRules).
        fetch_targets: sends reports, returns (targets, last rule modification)
            (GetSamplingTargets).

    `refresh_rules` and `report` are what the SDK's pollers do every 300 s and
    10 s; the service schedules them as clock jobs (`XRay.sampler`).
    """

    def __init__(
        self,
        *,
        client_id: str,
        now: Callable[[], float],
        rng: random.Random,
        fetch_rules: Callable[[], Sequence[SamplingRule]],
        fetch_targets: Callable[
            [list[StatisticsReport]], tuple[list[SamplingTarget], datetime | None]
        ],
    ) -> None:
        self.client_id = client_id
        self._now = now
        self._rng = rng
        self._fetch_rules = fetch_rules
        self._fetch_targets = fetch_targets
        self._states: dict[str, _RuleState] = {}
        self._ordered: list[_RuleState] = []
        self._default: _RuleState | None = None
        self._rules_at: datetime | None = None

    def refresh_rules(self) -> None:
        """Fetch the rules and keep the ones the SDKs use (version 1, ``*`` ARN, no attributes)."""
        rules = [
            r
            for r in self._fetch_rules()
            if r.version == 1 and r.resource_arn == "*" and r.service_type and not r.attributes
        ]
        states: dict[str, _RuleState] = {}
        for rule in rules:
            old = self._states.get(rule.rule_name)
            state = old if old is not None else _RuleState(rule)
            state.rule = rule
            states[rule.rule_name] = state
        self._states = states
        self._ordered = sorted(
            (s for s in states.values() if not s.rule.is_default), key=lambda s: s.rule.sort_key
        )
        self._default = states.get("Default")
        self._rules_at = max((r.modified_at for r in rules if r.modified_at), default=None)

    def should_sample(self, request: SamplingRequest | None = None) -> SamplingDecision:
        """Decide whether to sample a request, counting it for the next report."""
        if not self._states:
            self.refresh_rules()
        request = request or SamplingRequest()
        state = next((s for s in self._ordered if s.rule.matches(request)), self._default)
        if state is None:
            return SamplingDecision(False, None)
        sampled = state.decide(self._now(), self._rng)
        return SamplingDecision(sampled, state.rule.rule_name)

    def explain(self, request: SamplingRequest | None = None) -> SamplingExplanation:
        """Which rule decides `request` and how it would decide now (changes nothing)."""
        if not self._states:
            self.refresh_rules()
        request = request or SamplingRequest()
        tried = [*self._ordered, *([self._default] if self._default else [])]
        verdicts: list[RuleVerdict] = []
        for state in tried:
            verdict = state.rule.explain(request)
            verdicts.append(verdict)
            if verdict.matched or state is self._default:
                now = self._now()
                fresh = math.floor(now) != state.second
                kind, reason = how_it_decides(
                    fixed_rate=state.rule.fixed_rate,
                    reservoir_size=state.rule.reservoir_size,
                    quota=state.quota if state.ttl is not None else None,
                    quota_live=state.ttl is not None and state.ttl >= now,
                    taken=0 if fresh else state.taken,
                    borrowed=0 if fresh else state.borrowed,
                )
                return SamplingExplanation(
                    rules=tuple(verdicts),
                    rule_name=state.rule.rule_name,
                    decision=kind,
                    fixed_rate=state.rule.fixed_rate,
                    reason=reason,
                )
        return SamplingExplanation(
            rules=tuple(verdicts), rule_name=None, decision="none", reason="no rule: not sampled"
        )

    def report(self, timestamp: datetime) -> None:
        """Send the counters of every used rule and apply the targets that come back."""
        reports = []
        for state in self._states.values():
            if state.requests == 0:
                continue
            reports.append(
                StatisticsReport(
                    rule_name=state.rule.rule_name,
                    client_id=self.client_id,
                    timestamp=timestamp,
                    request_count=state.requests,
                    sampled_count=state.sampled,
                    borrow_count=state.borrows,
                )
            )
            state.requests = state.sampled = state.borrows = 0
        if not reports:
            return
        targets, modified = self._fetch_targets(reports)
        for target in targets:
            found = self._states.get(target.rule_name)
            if found is None:
                continue
            found.rule = evolve(found.rule, fixed_rate=target.fixed_rate)
            if target.reservoir_quota is not None:
                found.quota = target.reservoir_quota
            if target.reservoir_quota_ttl is not None:
                found.ttl = target.reservoir_quota_ttl.timestamp()
        if modified is not None and (self._rules_at is None or modified > self._rules_at):
            self.refresh_rules()


@define
class ReservoirAllocator:
    """The service side of GetSamplingTargets: quotas per client, recent statistics."""

    quota_ttl: timedelta = timedelta(seconds=300)
    active_window: timedelta = timedelta(seconds=60)
    _first_seen: dict[str, dict[str, datetime]] = field(factory=dict, alias="first_seen")
    _last_seen: dict[str, dict[str, datetime]] = field(factory=dict, alias="last_seen")
    _reports: list[tuple[datetime, StatisticsReport]] = field(factory=list, alias="reports")

    def targets(
        self, reports: Iterable[StatisticsReport], rules: Mapping[str, SamplingRule], now: datetime
    ) -> tuple[list[SamplingTarget], list[tuple[str, str, str]]]:
        """Record `reports` and give each reporting client its target.

        Returns:
            The targets, and (rule name, error code, message) for reports on
            rules that do not exist.
        """
        targets: list[SamplingTarget] = []
        unprocessed: list[tuple[str, str, str]] = []
        for report in reports:
            rule = rules.get(report.rule_name)
            if rule is None:
                unprocessed.append(
                    (report.rule_name, "ResourceNotFoundException", "Rule does not exist")
                )
                continue
            self._reports.append((now, report))
            self._first_seen.setdefault(rule.rule_name, {}).setdefault(report.client_id, now)
            self._last_seen.setdefault(rule.rule_name, {})[report.client_id] = now
            targets.append(
                SamplingTarget(
                    rule_name=rule.rule_name,
                    fixed_rate=rule.fixed_rate,
                    reservoir_quota=self._quota(rule, report.client_id, now),
                    reservoir_quota_ttl=_whole_second(now + self.quota_ttl),
                    interval=10,
                )
            )
        cutoff = now - self.active_window
        self._reports = [(at, r) for at, r in self._reports if at >= cutoff]
        return targets, unprocessed

    def _quota(self, rule: SamplingRule, client_id: str, now: datetime) -> int:
        first_seen = self._first_seen.get(rule.rule_name, {})
        last_seen = self._last_seen.get(rule.rule_name, {})
        cutoff = now - self.active_window
        active = sorted((first_seen[c], c) for c, at in last_seen.items() if at >= cutoff)
        share, remainder = divmod(rule.reservoir_size, max(len(active), 1))
        position = next((i for i, (_, c) in enumerate(active) if c == client_id), 0)
        return share + (1 if position < remainder else 0)

    def forget(self, rule_name: str) -> None:
        """Drop the state of a deleted rule."""
        self._first_seen.pop(rule_name, None)
        self._last_seen.pop(rule_name, None)

    def summaries(self, now: datetime) -> list[RuleStatistics]:
        """Per rule, the sums of the reports received in the last minute."""
        cutoff = now - self.active_window
        sums: dict[str, list[Any]] = {}
        for at, report in self._reports:
            if at < cutoff:
                continue
            entry = sums.setdefault(report.rule_name, [at, 0, 0, 0])
            entry[0] = max(entry[0], report.timestamp)
            entry[1] += report.request_count
            entry[2] += report.borrow_count
            entry[3] += report.sampled_count
        return [
            RuleStatistics(
                rule_name=name,
                timestamp=entry[0],
                request_count=entry[1],
                borrow_count=entry[2],
                sampled_count=entry[3],
            )
            for name, entry in sorted(sums.items())
        ]


def _whole_second(when: datetime) -> datetime:
    return when.replace(microsecond=0)
