"""Why an alarm is in its state: explanations built from an evaluation (pure).

`explain_metric_alarm` turns one `EvaluationResult` (the window an evaluation
looked at and how it counted) into an `AlarmExplanation`: the evaluation range,
each datapoint with its value and whether it breached, how missing data was
treated, the M-of-N rule that decided, and the actions of the alarm's state —
taken, or suppressed and why. `explain_composite_alarm` gives the rule tree of
a composite alarm with each child's state. The stateful owner
(`awsmon.cloudwatch.alarms.store.Alarms.explain`) fetches the window.

Each explanation has a readable ``str`` (terminals), a ``_repr_html_``
(notebooks) and structured fields (tests).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from attrs import frozen

from awsmon.cloudwatch.alarms.evaluation import EvaluationResult, PointClass
from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.records import (
    ActionInvocation,
    Alarm,
    CompositeAlarm,
    MetricAlarm,
)
from awsmon.cloudwatch.alarms.rule import And, Constant, Expression, Not, Or, StateCheck

__all__ = [
    "ActionVerdict",
    "AlarmExplanation",
    "DatapointVerdict",
    "RuleNode",
    "explain_composite_alarm",
    "explain_metric_alarm",
]


@frozen
class DatapointVerdict:
    """One period of the evaluation range.

    Attributes:
        start: the period's start.
        value: its statistic, None when the period had no data.
        verdict: ``"breaching"``, ``"not breaching"`` or ``"missing"``.
        evaluated: whether the period is among the N evaluated.
        filled_as: for an evaluated missing period, what TreatMissingData made
            of it (``"breaching"``, ``"not breaching"``, ``"missing"``), else None.
    """

    start: datetime
    value: float | None
    verdict: str
    evaluated: bool
    filled_as: str | None = None

    def __str__(self) -> str:
        shown = "—" if self.value is None else f"{self.value:g}"
        mark = "*" if self.evaluated else " "
        filled = f" (treated as {self.filled_as})" if self.filled_as else ""
        return f"{mark} {self.start.strftime('%H:%M:%S')}  {shown:>12}  {self.verdict}{filled}"


@frozen
class ActionVerdict:
    """One action of the alarm's current state.

    Attributes:
        action: the action's ARN.
        outcome: ``"taken"``, ``"failed"``, ``"suppressed"`` or ``"not run"``.
        why: the reason, in words.
    """

    action: str
    outcome: str
    why: str

    def __str__(self) -> str:
        return f"{self.outcome:<10} {self.action}: {self.why}"


@frozen
class RuleNode:
    """One node of a composite alarm's rule, with its value now.

    Attributes:
        text: the node as written (``ALARM("cpu")``, ``AND``, ``OR``, ``NOT``, ``TRUE``).
        value: whether the node holds.
        detail: for a state check, the child's current state (or ``no such alarm``).
        children: the operands.
    """

    text: str
    value: bool
    detail: str = ""
    children: tuple[RuleNode, ...] = ()

    def lines(self, depth: int = 0) -> list[str]:
        """The tree as indented lines."""
        detail = f"  ({self.detail})" if self.detail else ""
        out = [f"{'  ' * depth}{self.text} → {str(self.value).lower()}{detail}"]
        for child in self.children:
            out.extend(child.lines(depth + 1))
        return out


@frozen(kw_only=True)
class AlarmExplanation:
    """Why an alarm is (or would be) in its state.

    Attributes:
        alarm: the alarm's name.
        kind: ``"metric"`` or ``"composite"``.
        at: the evaluation instant explained.
        state: the alarm's current state.
        decided: the state this evaluation gives.
        decision: in words, the rule that decided.
        range_start / range_end: the evaluation range (metric alarms).
        datapoints: each period of the range, oldest first (metric alarms).
        rule: ``"M out of N"``, with the comparison and threshold (metric alarms).
        missing_data: how missing data was treated, in words (metric alarms).
        tree: the rule tree with each child's state (composite alarms).
        actions: the actions of the current state: taken, or suppressed and why.
    """

    alarm: str
    kind: str
    at: datetime
    state: AlarmState
    decided: AlarmState
    decision: str
    range_start: datetime | None = None
    range_end: datetime | None = None
    datapoints: tuple[DatapointVerdict, ...] = ()
    rule: str = ""
    missing_data: str = ""
    tree: RuleNode | None = None
    actions: tuple[ActionVerdict, ...] = ()

    def lines(self) -> list[str]:
        """The explanation as text lines."""
        out = [
            f"alarm {self.alarm!r} ({self.kind}) at {self.at.isoformat()}: "
            f"state {self.state.value}, this evaluation gives {self.decided.value}",
            f"decided by: {self.decision}",
        ]
        if self.kind == "metric":
            assert self.range_start is not None and self.range_end is not None
            out.append(f"rule: {self.rule}")
            out.append(f"missing data: {self.missing_data}")
            out.append(
                f"range {self.range_start.isoformat()} → {self.range_end.isoformat()}"
                " (* = evaluated):"
            )
            out.extend(f"  {point}" for point in self.datapoints)
        if self.tree is not None:
            out.append("rule tree:")
            out.extend(f"  {line}" for line in self.tree.lines())
        out.append("actions:" if self.actions else "actions: none for this state")
        out.extend(f"  {action}" for action in self.actions)
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        head = "".join(f"<p>{html.escape(line)}</p>" for line in self.lines()[:4])
        rows = "".join(
            f"<tr><td>{p.start.strftime('%H:%M:%S')}</td>"
            f"<td>{'' if p.value is None else f'{p.value:g}'}</td>"
            f"<td>{html.escape(p.verdict)}</td><td>{'yes' if p.evaluated else ''}</td>"
            f"<td>{html.escape(p.filled_as or '')}</td></tr>"
            for p in self.datapoints
        )
        table = (
            "<table><tr><th>period</th><th>value</th><th>verdict</th><th>evaluated</th>"
            f"<th>treated as</th></tr>{rows}</table>"
            if rows
            else ""
        )
        tree = (
            "<pre>" + html.escape("\n".join(self.tree.lines())) + "</pre>"
            if self.tree is not None
            else ""
        )
        actions = "".join(f"<li>{html.escape(str(a))}</li>" for a in self.actions)
        return f"<div>{head}{table}{tree}<ul>{actions}</ul></div>"


_WORDS = {
    PointClass.BREACHING: "breaching",
    PointClass.NOT_BREACHING: "not breaching",
    PointClass.MISSING: "missing",
}


def _decision(result: EvaluationResult, n: int, m: int, treat: str) -> str:
    real = len(result.real_indices)
    if result.low_sample_count:
        return "a percentile period had too few samples: the state is kept (ignore)"
    if real == 0:
        if result.retained:
            return "no data in the range; TreatMissingData ignore keeps the state"
        return f"no data in the range; TreatMissingData {treat} gives {result.state.value}"
    counted = f"{result.breaching_count} of the {len(result.evaluated)} evaluated datapoints breach"
    if result.premature_alarm:
        if result.retained:
            return f"{counted}; premature-alarm rule with ignore keeps the state"
        return f"{counted}; every real datapoint breaches and the oldest is {m} or more old"
    if result.state is AlarmState.ALARM:
        return f"{counted}, at least M = {m}: ALARM"
    if result.state is AlarmState.OK:
        return f"{counted}, fewer than M = {m}: OK"
    if result.retained:
        return f"{counted}, fewer than M = {m}, only breaching real data; ignore keeps the state"
    return (
        f"{counted}; fewer than N = {n} real datapoints, all breaching but too recent:"
        " INSUFFICIENT_DATA"
    )


def explain_metric_alarm(
    alarm: MetricAlarm,
    result: EvaluationResult,
    stamps: Sequence[datetime],
    at: datetime,
) -> AlarmExplanation:
    """The explanation of `alarm`'s evaluation `result` at `at` (window period starts `stamps`)."""
    config = alarm.config
    n, m = config.evaluation_periods, config.required_breaching
    treat = config.effective_treat_missing_data.value
    evaluated = dict(zip(result.evaluated_indices, result.evaluated, strict=True))
    points = []
    for i, (start, value) in enumerate(zip(stamps, result.window, strict=True)):
        filled = evaluated.get(i) if value is None else None
        points.append(
            DatapointVerdict(
                start=start,
                value=None if value is None else value.value,
                verdict=_WORDS[result.classes[i]],
                evaluated=i in evaluated,
                filled_as=None if filled is None else _WORDS[filled],
            )
        )
    threshold = "" if config.threshold is None else f" {config.threshold:g}"
    missing = f"TreatMissingData {treat}"
    if result.filled_indices:
        missing += f": {len(result.filled_indices)} missing period(s) filled to make N = {n}"
    elif len(result.real_indices) >= n:
        missing += f": not used, {n} real datapoints were enough"
    period = timedelta(seconds=alarm.period)
    return AlarmExplanation(
        alarm=alarm.name,
        kind="metric",
        at=at,
        state=alarm.state,
        decided=result.state,
        decision=_decision(result, n, m, treat),
        range_start=stamps[0] if stamps else at,
        range_end=(stamps[-1] + period) if stamps else at,
        datapoints=tuple(points),
        rule=f"{m} out of {n} datapoints {config.comparison_operator.value}{threshold}",
        missing_data=missing,
        actions=_actions(alarm, None),
    )


def explain_composite_alarm(
    alarm: CompositeAlarm, states: Mapping[str, AlarmState], at: datetime
) -> AlarmExplanation:
    """The rule tree of composite `alarm` with each child's state (`states` by name)."""
    tree = _node(alarm.rule.expression, states, 0)
    decided = AlarmState.ALARM if tree.value else AlarmState.OK
    return AlarmExplanation(
        alarm=alarm.name,
        kind="composite",
        at=at,
        state=alarm.state,
        decided=decided,
        decision=f"the rule {alarm.rule_text} is {str(tree.value).lower()}",
        tree=tree,
        actions=_actions(alarm, alarm.actions_suppressed_reason),
    )


_CHECK_WORDS = {
    AlarmState.ALARM: "ALARM",
    AlarmState.OK: "OK",
    AlarmState.INSUFFICIENT_DATA: "INSUFFICIENT_DATA",
}

#: Deeper rules than this are shown cut (AWS allows 100 alarms and 10,240 characters).
_MAX_DEPTH = 200


def _node(node: Expression, states: Mapping[str, AlarmState], depth: int) -> RuleNode:
    if depth > _MAX_DEPTH:
        return RuleNode("…", False, "rule too deep to show")
    if isinstance(node, StateCheck):
        found = states.get(node.alarm)
        holds = found is node.state
        shown = "no such alarm" if found is None else f"{node.alarm} is {found.value}"
        return RuleNode(f'{_CHECK_WORDS[node.state]}("{node.alarm}")', holds, shown)
    if isinstance(node, Constant):
        return RuleNode(str(node.value).upper(), node.value)
    if isinstance(node, Not):
        inner = _node(node.operand, states, depth + 1)
        return RuleNode("NOT", not inner.value, children=(inner,))
    parts = tuple(_node(op, states, depth + 1) for op in node.operands)
    combine: Callable[[list[bool]], bool] = all if isinstance(node, And) else any
    assert isinstance(node, And | Or)
    return RuleNode(
        "AND" if isinstance(node, And) else "OR", combine([p.value for p in parts]), children=parts
    )


def _actions(alarm: Alarm, suppressed: str | None) -> tuple[ActionVerdict, ...]:
    since = alarm.state_transitioned_at
    taken: dict[str, ActionInvocation] = {
        inv.action_arn: inv
        for inv in alarm.action_invocations
        if inv.state is alarm.state and inv.at >= since
    }
    verdicts = []
    for arn in alarm.actions_for(alarm.state):
        invocation = taken.get(arn)
        if invocation is not None:
            outcome = "taken" if invocation.outcome == "Succeeded" else "failed"
            why = f"{invocation.outcome} at {invocation.at.isoformat()}"
            if invocation.error:
                why += f": {invocation.error}"
            verdicts.append(ActionVerdict(arn, outcome, why))
        elif not alarm.actions_enabled:
            verdicts.append(ActionVerdict(arn, "suppressed", "the alarm's actions are disabled"))
        elif suppressed:
            verdicts.append(ActionVerdict(arn, "suppressed", suppressed))
        else:
            verdicts.append(
                ActionVerdict(
                    arn,
                    "not run",
                    f"no transition into {alarm.state.value} ran it "
                    "(actions run only when the state changes)",
                )
            )
    return tuple(verdicts)
