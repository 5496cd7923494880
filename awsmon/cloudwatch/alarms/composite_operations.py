"""PutCompositeAlarm (the rest of composite alarms is in `awsmon.cloudwatch.alarms.composite`).

`CompositeOperations` is the base of `awsmon.cloudwatch.alarms.operations.AlarmOperations`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from awsmon.cloudwatch.alarms import composite as composites
from awsmon.cloudwatch.alarms.config import check_common
from awsmon.cloudwatch.alarms.records import CompositeAlarm, MetricAlarm
from awsmon.cloudwatch.alarms.rule import AlarmRule
from awsmon.cloudwatch.alarms.runner import AlarmRunner
from awsmon.cloudwatch.errors import ValidationError
from awsmon.dispatch import operation

__all__ = ["CompositeOperations"]


class CompositeOperations(AlarmRunner):
    """PutCompositeAlarm (the base of `AlarmOperations`)."""

    # -- composite alarms -----------------------------------------------------------------

    @operation("PutCompositeAlarm")
    def put_composite_alarm(
        self,
        alarm_name: str,
        alarm_rule: str,
        *,
        alarm_description: str | None = None,
        actions_enabled: bool = True,
        ok_actions: Sequence[str] = (),
        alarm_actions: Sequence[str] = (),
        insufficient_data_actions: Sequence[str] = (),
        tags: Mapping[str, str] | None = None,
        actions_suppressor: str | None = None,
        actions_suppressor_wait_period: int | None = None,
        actions_suppressor_extension_period: int | None = None,
    ) -> CompositeAlarm:
        """Create or replace a composite alarm (PutCompositeAlarm).

        It starts in INSUFFICIENT_DATA and is evaluated at the next move of
        the clock, then whenever a child changes state. Updating it keeps its
        state, discards any running wait or extension period, and evaluates
        it again.

        Raises:
            ValidationError: a rule that does not parse or names alarms that
                do not exist, a suppressor without both periods, bad actions.
        """
        check_common(
            name=alarm_name,
            description=alarm_description,
            actions={
                "OKActions": ok_actions,
                "AlarmActions": alarm_actions,
                "InsufficientDataActions": insufficient_data_actions,
            },
            tags=tags,
            region=self.region,
            composite=True,
            instance_metric=False,
        )
        rule = AlarmRule.parse(alarm_rule)
        children = composites.reference_names(self, rule.referenced_alarms)
        unknown = sorted(n for n in children if n not in self._alarms and n != alarm_name)
        if unknown:
            raise ValidationError(
                f"Could not save the composite alarm as alarms [{', '.join(unknown)}] in the "
                "alarm rule do not exist",
                param="AlarmRule",
                value=alarm_rule,
            )
        if actions_suppressor is not None:
            if (
                actions_suppressor_wait_period is None
                or actions_suppressor_extension_period is None
            ):
                raise ValidationError(
                    "ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are "
                    "required when ActionsSuppressor is specified.",
                    param="ActionsSuppressor",
                    value=actions_suppressor,
                )
            if composites.child_name(self, actions_suppressor) not in self._alarms:
                raise ValidationError(
                    f"The ActionsSuppressor alarm {actions_suppressor} does not exist.",
                    param="ActionsSuppressor",
                    value=actions_suppressor,
                )
        elif (
            actions_suppressor_wait_period is not None
            or actions_suppressor_extension_period is not None
        ):
            raise ValidationError(
                "ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod can only be "
                "used with ActionsSuppressor.",
                param="ActionsSuppressorWaitPeriod",
            )
        old = self._alarms.get(alarm_name)
        if isinstance(old, MetricAlarm):
            raise ValidationError(
                f"An alarm named {alarm_name} exists already as a metric alarm.",
                param="AlarmName",
                value=alarm_name,
            )
        now = self.ctx.now()
        alarm = CompositeAlarm(
            name=alarm_name,
            arn=self.ctx.arn(f"alarm:{alarm_name}"),
            description=alarm_description,
            actions_enabled=actions_enabled,
            ok_actions=ok_actions,
            alarm_actions=alarm_actions,
            insufficient_data_actions=insufficient_data_actions,
            tags=dict(tags or {}),
            configuration_updated_at=now,
            state_updated_at=now,
            state_transitioned_at=now,
            rule=rule,
            rule_text=alarm_rule,
            actions_suppressor=actions_suppressor,
            wait_period=None
            if actions_suppressor_wait_period is None
            else timedelta(seconds=actions_suppressor_wait_period),
            extension_period=None
            if actions_suppressor_extension_period is None
            else timedelta(seconds=actions_suppressor_extension_period),
        )
        self._save_alarm(alarm, old)
        for child in children:
            self._parents.setdefault(child, set()).add(alarm_name)
        if actions_suppressor is not None:
            suppressor = composites.child_name(self, actions_suppressor)
            self._suppressing.setdefault(suppressor, set()).add(alarm_name)
        self.ctx.clock.call_later(
            0, self._evaluate_composite_named, alarm_name, name=f"composite {alarm_name}"
        )
        return alarm

    def _evaluate_composite_named(self, name: str) -> None:
        found = self._alarms.get(name)
        if isinstance(found, CompositeAlarm):
            composites.evaluate_composite(self, found)
