"""The metric-alarm evaluation algorithm, as a pure function of a window of period values.

`evaluate` decides an alarm's next state from the R most recent period values
(oldest → newest, ``None`` for a period without data), the alarm's
`EvaluationConfig` and its current state. It never reads a clock: the
stateful service fetches the window and calls it on its own schedule.
`awsmon.cloudwatch.alarms.reason` then writes StateReason and StateReasonData
from the result exactly as AWS does.

Main names:

- `evaluate` → `EvaluationResult`: the new state, the periods evaluated, what
  was filled in for missing data and whether the premature-alarm rule fired.
- `PointClass`: breaching / not breaching / missing.
- `window_timestamps`: the period start of each slot of the window.

The algorithm (AWS user guide, "How alarm state is evaluated when data is
missing"):

1. No missing period in the range: decide on the N most recent periods.
2. Some missing but at least N real datapoints: decide on the N most recent
   real datapoints; TreatMissingData plays no part.
3. Fewer than N real datapoints: every real datapoint counts, and as few
   missing periods as needed (the most recent ones) are filled according to
   TreatMissingData to make N.

ALARM when at least M of the N evaluated datapoints breach, otherwise OK,
except with ``missing`` and ``ignore``, when every real datapoint evaluated
breaches but fewer than M do: then the premature-alarm rule goes to ALARM
(``ignore``: keeps the state) when the oldest real datapoint is at least M
positions old, and otherwise the alarm goes to INSUFFICIENT_DATA (``ignore``:
keeps the state). An all-missing range gives INSUFFICIENT_DATA, the current
state, ALARM or OK for ``missing``, ``ignore``, ``breaching`` and
``notBreaching``.

Simulation notes:
    AWS does not publish which missing periods are filled when several could
    be; awsmon fills the most recent ones. The outcome ``- - - - X`` (N = M = 3)
    follows the AWS tables of earlier user-guide versions: INSUFFICIENT_DATA with
    ``missing``, state kept with ``ignore``. With EvaluateLowSampleCountPercentile
    ``ignore``, the state is kept when any evaluated datapoint has too few
    samples (AWS says only "during periods with too few data points").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import Enum

from attrs import frozen

from awsmon.cloudwatch.alarms.model import (
    AlarmState,
    EvaluateLowSampleCountPercentile,
    EvaluationConfig,
    PeriodValue,
    TreatMissingData,
)

__all__ = [
    "EvaluationResult",
    "PointClass",
    "WindowPoint",
    "evaluate",
    "normalize_window",
    "window_timestamps",
]

#: One slot of an evaluation window: a value, a `PeriodValue`, or None for no data.
WindowPoint = float | PeriodValue | None


class PointClass(Enum):
    """How one period counts in an evaluation."""

    BREACHING = "breaching"
    NOT_BREACHING = "notBreaching"
    MISSING = "missing"


@frozen(kw_only=True)
class EvaluationResult:
    """The outcome of one alarm evaluation, with everything its StateReason needs.

    Attributes:
        state: the state the alarm should be in after this evaluation.
        previous_state: the state it was in before.
        window: the R slots looked at, oldest → newest (None = no data).
        classes: how each slot of `window` classifies on its own.
        evaluated_indices: the slots of `window` that were evaluated, oldest first.
        evaluated: how each evaluated slot counted, after filling (aligned with
            `evaluated_indices`); filled slots of ``missing``/``ignore`` stay MISSING.
        filled_indices: the missing slots that were used to make up N datapoints.
        fill_as: what missing slots were treated as (BREACHING, NOT_BREACHING), or
            None when they stay missing (``missing``, ``ignore``).
        breaching_count: how many evaluated datapoints count as breaching.
        premature_alarm: the premature-alarm rule decided the state.
        retained: the state was kept as it was (``ignore``, AWS/DynamoDB, or a
            low-sample percentile period) rather than computed.
        low_sample_count: a percentile period had too few samples (C.6) and the
            alarm ignores such periods.
    """

    state: AlarmState
    previous_state: AlarmState
    window: tuple[PeriodValue | None, ...]
    classes: tuple[PointClass, ...]
    evaluated_indices: tuple[int, ...]
    evaluated: tuple[PointClass, ...]
    filled_indices: tuple[int, ...]
    fill_as: PointClass | None
    breaching_count: int
    premature_alarm: bool = False
    retained: bool = False
    low_sample_count: bool = False

    @property
    def changed(self) -> bool:
        """Whether the evaluation moves the alarm to another state."""
        return self.state is not self.previous_state

    @property
    def real_indices(self) -> tuple[int, ...]:
        """The evaluated slots that hold a real datapoint, oldest first."""
        return tuple(i for i in self.evaluated_indices if self.window[i] is not None)


def normalize_window(
    config: EvaluationConfig, window: Sequence[WindowPoint]
) -> tuple[PeriodValue | None, ...]:
    """The last R slots of `window` as `PeriodValue`s, padded with missing slots in front.

    Values older than the evaluation range are dropped: they never influence
    the state. NaN counts as missing.
    """
    size = config.range_size
    recent = list(window)[-size:]
    padded: list[WindowPoint] = [None] * (size - len(recent)) + recent
    normalized: list[PeriodValue | None] = []
    for point in padded:
        if point is None:
            normalized.append(None)
        elif isinstance(point, PeriodValue):
            normalized.append(None if math.isnan(point.value) else point)
        else:
            normalized.append(None if math.isnan(point) else PeriodValue(point))
    return tuple(normalized)


def _classify(config: EvaluationConfig, point: PeriodValue | None) -> PointClass:
    if point is None:
        return PointClass.MISSING
    breaching = config.comparison_operator.breaches(
        point.value, threshold=config.threshold, lower=point.lower, upper=point.upper
    )
    return PointClass.BREACHING if breaching else PointClass.NOT_BREACHING


_FILL = {
    TreatMissingData.BREACHING: PointClass.BREACHING,
    TreatMissingData.NOT_BREACHING: PointClass.NOT_BREACHING,
}

_ALL_MISSING_STATE = {
    TreatMissingData.MISSING: AlarmState.INSUFFICIENT_DATA,
    TreatMissingData.BREACHING: AlarmState.ALARM,
    TreatMissingData.NOT_BREACHING: AlarmState.OK,
}


def evaluate(
    config: EvaluationConfig,
    window: Sequence[WindowPoint],
    current: AlarmState = AlarmState.INSUFFICIENT_DATA,
) -> EvaluationResult:
    """Decide an alarm's state from the most recent period values.

    Args:
        config: the alarm's evaluation settings (N, M, operator, threshold...).
        window: the R most recent period values, oldest → newest; None (or NaN)
            for a period without data. Floats, or `PeriodValue` for a sample
            count or an anomaly band. Longer windows are cut to their last R
            slots, shorter ones padded with missing slots in front.
        current: the alarm's state before this evaluation (kept by ``ignore``).

    Returns:
        The `EvaluationResult`; `EvaluationResult.state` is the new state.

    Raises:
        ValueError: a band operator and a datapoint without the band bound it needs.
    """
    points = normalize_window(config, window)
    classes = tuple(_classify(config, point) for point in points)
    n, m = config.evaluation_periods, config.required_breaching
    treat = config.effective_treat_missing_data
    real = [i for i, kind in enumerate(classes) if kind is not PointClass.MISSING]
    missing = [i for i, kind in enumerate(classes) if kind is PointClass.MISSING]
    fill_as = _FILL.get(treat)

    if len(real) >= n:
        evaluated_indices = real[-n:]
        filled: list[int] = []
    else:
        filled = missing[len(missing) - (n - len(real)) :]
        evaluated_indices = sorted(real + filled)
    evaluated = tuple(
        classes[i] if classes[i] is not PointClass.MISSING else (fill_as or PointClass.MISSING)
        for i in evaluated_indices
    )
    breaching = evaluated.count(PointClass.BREACHING)

    def result(state: AlarmState, **flags: bool) -> EvaluationResult:
        return EvaluationResult(
            state=state,
            previous_state=current,
            window=points,
            classes=classes,
            evaluated_indices=tuple(evaluated_indices),
            evaluated=evaluated,
            filled_indices=tuple(filled),
            fill_as=fill_as if filled else None,
            breaching_count=breaching,
            **flags,
        )

    if _has_low_sample_count(config, points, evaluated_indices):
        return result(current, retained=True, low_sample_count=True)
    if not real:
        if treat is TreatMissingData.IGNORE:
            return result(current, retained=True)
        return result(_ALL_MISSING_STATE[treat])
    if breaching >= m:
        return result(AlarmState.ALARM)
    if fill_as is not None or PointClass.NOT_BREACHING in evaluated:
        return result(AlarmState.OK)
    # missing / ignore, fewer than N real datapoints, every one of them breaching.
    oldest_real_age = len(evaluated) - evaluated.index(PointClass.BREACHING)
    premature = oldest_real_age >= m
    if treat is TreatMissingData.IGNORE:
        return result(current, retained=True, premature_alarm=premature)
    if premature:
        return result(AlarmState.ALARM, premature_alarm=True)
    return result(AlarmState.INSUFFICIENT_DATA)


def _has_low_sample_count(
    config: EvaluationConfig, points: Sequence[PeriodValue | None], indices: Sequence[int]
) -> bool:
    if config.evaluate_low_sample_count_percentile is not EvaluateLowSampleCountPercentile.IGNORE:
        return False
    minimum = config.minimum_sample_count
    if minimum is None:
        return False
    for i in indices:
        point = points[i]
        if point is not None and point.sample_count is not None and point.sample_count < minimum:
            return True
    return False


def window_timestamps(evaluated_at: datetime, period: timedelta, size: int) -> tuple[datetime, ...]:
    """The start of each period of an evaluation window, oldest → newest.

    At evaluation instant t the newest period is ``[floor(t) − period, floor(t))``,
    where floor rounds down to the minute (to a multiple of the period for
    high-resolution periods under a minute); older periods step back by one
    period each. A naive `evaluated_at` is taken as UTC.

    Simulation notes:
        Derived from the period stamps in AWS's EventBridge samples; the
        sub-minute alignment of 10/20/30 s alarms is awsmon's choice.
    """
    moment = evaluated_at.replace(tzinfo=UTC) if evaluated_at.tzinfo is None else evaluated_at
    moment = moment.astimezone(UTC)
    step = period if period < timedelta(minutes=1) else timedelta(minutes=1)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    floored = epoch + ((moment - epoch) // step) * step
    newest = floored - period
    return tuple(newest - (size - 1 - i) * period for i in range(size))
