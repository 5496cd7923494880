"""Why a request is (or would be) sampled: which rule matched and how it decides (pure).

- `SamplingRule.explain(request)` → `RuleVerdict`: whether a sampling rule
  matches a request, else the first criterion (service name, service type,
  host, HTTP method, URL path, resource ARN, an attribute) whose wildcard
  pattern the request's value misses. ``matched`` is always `SamplingRule.matches`.
- `Sampler.explain(request)` (in `awsmon.xray.sampling`) → `SamplingExplanation`:
  the rules tried in order with their verdicts, the rule that decides, and
  how it would decide now — from its reservoir quota, by borrowing one request
  a second before it has a quota, or by the fixed rate. It changes nothing
  (the next `should_sample` makes the decision and draws the random number).

This module holds the records and the reservoir's reasoning; the matching
itself stays in `awsmon.xray.sampling`, which imports this module.

>>> from awsmon.xray.sampling import SamplingRequest, SamplingRule
>>> rule = SamplingRule(rule_name="api", priority=1, fixed_rate=0.1, reservoir_size=5,
...                     url_path="/api/*")
>>> print(rule.explain(SamplingRequest(url_path="/health")))
api: URLPath "/api/*" does not match "/health"
"""

from __future__ import annotations

import html

from attrs import frozen

__all__ = ["RuleVerdict", "SamplingExplanation", "how_it_decides"]


@frozen
class RuleVerdict:
    """Whether one sampling rule matches a request.

    Attributes:
        rule_name: the rule.
        matched: the rule matches (exactly `SamplingRule.matches`).
        criterion: the first criterion that fails (``URLPath``, ``attribute env``...).
        pattern: the rule's pattern there.
        value: the request's value there (None: the request has no such attribute).
    """

    rule_name: str
    matched: bool
    criterion: str = ""
    pattern: str = ""
    value: str | None = None

    def __str__(self) -> str:
        if self.matched:
            return f"{self.rule_name}: matches"
        shown = "nothing" if self.value is None else f'"{self.value}"'
        return f'{self.rule_name}: {self.criterion} "{self.pattern}" does not match {shown}'


@frozen(kw_only=True)
class SamplingExplanation:
    """Which rule decides a request and how.

    Attributes:
        rules: each rule tried, in order (priority, name; ``Default`` last).
        rule_name: the rule that decides (None when the sampler has no rule).
        decision: ``"reservoir"`` (sampled from the quota), ``"borrow"``
            (sampled: one request a second before a quota arrives),
            ``"fixed rate"`` (sampled with probability `fixed_rate`) or ``"none"``.
        fixed_rate: the deciding rule's fixed rate.
        reason: in words.
    """

    rules: tuple[RuleVerdict, ...]
    rule_name: str | None
    decision: str
    fixed_rate: float = 0.0
    reason: str = ""

    def __str__(self) -> str:
        lines = [f"decided by {self.rule_name or 'no rule'}: {self.reason}"]
        lines += [f"  {verdict}" for verdict in self.rules]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(str(self)) + "</pre>"


def how_it_decides(
    *,
    fixed_rate: float,
    reservoir_size: int,
    quota: int | None,
    quota_live: bool,
    taken: int,
    borrowed: int,
) -> tuple[str, str]:
    """The decision a rule would make now, as (kind, reason), from its reservoir's state.

    Args:
        fixed_rate / reservoir_size: the rule's.
        quota: the reservoir quota from GetSamplingTargets, None before one came.
        quota_live: the quota's TTL has not passed.
        taken / borrowed: what this second has used of the quota / the borrow.
    """
    rate = f"{fixed_rate:g}"
    if quota is not None and quota_live:
        if taken < quota:
            return "reservoir", f"sampled from the reservoir quota ({taken} of {quota} used)"
        return "fixed rate", f"the quota of {quota} is used this second: sampled at {rate}"
    if quota is None and reservoir_size > 0 and borrowed < 1:
        return "borrow", "no quota yet: borrows the one request a second it may sample"
    if quota is not None:
        return "fixed rate", f"the quota expired: sampled at the fixed rate {rate}"
    if reservoir_size > 0:
        return "fixed rate", f"this second's borrowed request is used: sampled at {rate}"
    return "fixed rate", f"no reservoir: sampled at the fixed rate {rate}"
