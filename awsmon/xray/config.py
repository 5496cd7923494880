"""X-Ray configuration operations: sampling rules, groups, encryption, tags.

`ConfigOperations` is mixed into `awsmon.xray.service.XRay`; it keeps the
sampling rules (with the built-in ``Default``), the reservoir allocator of
GetSamplingTargets, the groups (with the built-in ``Default`` group), the
encryption configuration and resource tags.

Simulation notes: X-Ray answers a missing group or rule with
``InvalidRequestException``; the wording of its messages is UNCONFIRMED.
At most 25 sampling rules besides ``Default`` (``RuleLimitExceededException``)
and 25 groups besides ``Default`` (reference U21, UNCONFIRMED). A group ARN
ends in a 52-character id drawn from the seeded ids. An encryption change is
``UPDATING`` for `ENCRYPTION_UPDATE_DELAY`, then ``ACTIVE``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import evolve

from awsmon.dispatch import operation
from awsmon.xray.errors import (
    GroupNotFound,
    InvalidRequestException,
    ResourceNotFoundException,
    RuleLimitExceededException,
    RuleNotFound,
    TooManyTagsException,
)
from awsmon.xray.filter_expression import FilterExpression
from awsmon.xray.model import (
    EncryptionConfig,
    EncryptionStatus,
    EncryptionType,
    Group,
    InsightsConfiguration,
)
from awsmon.xray.sampling import (
    DEFAULT_RULE,
    ReservoirAllocator,
    RuleStatistics,
    SamplingRule,
    SamplingTarget,
    StatisticsReport,
)
from awsmon.xray.store import GroupFilter

if TYPE_CHECKING:
    from awsmon.dispatch import ServiceContext

__all__ = ["ENCRYPTION_UPDATE_DELAY", "MAX_GROUPS", "MAX_RULES", "ConfigOperations"]

MAX_RULES = 25
MAX_GROUPS = 25
MAX_TAGS = 50
ENCRYPTION_UPDATE_DELAY = timedelta(seconds=60)
_GROUP_NAME = re.compile(r"[A-Za-z0-9-]{1,32}")
_RULE_NAME = re.compile(r".{1,32}", re.DOTALL)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RULE_FIELDS = (
    "resource_arn",
    "priority",
    "fixed_rate",
    "reservoir_size",
    "service_name",
    "service_type",
    "host",
    "http_method",
    "url_path",
    "attributes",
)


class ConfigOperations:
    """Sampling rules, groups, encryption and tags (mixed into `XRay`)."""

    ctx: ServiceContext

    def _init_config(self) -> None:
        now = self.ctx.now()
        self._rules: dict[str, SamplingRule] = {
            "Default": evolve(
                DEFAULT_RULE,
                rule_arn=self.ctx.arn("sampling-rule/Default"),
                created_at=_EPOCH,
                modified_at=now,
            )
        }
        self._rule_tags: dict[str, dict[str, str]] = {}
        self._last_rule_modification = now
        self.allocator = ReservoirAllocator()
        default = Group(name="Default", arn=self.ctx.arn("group/Default"))
        self._groups: dict[str, Group] = {"Default": default}
        self._group_filters: dict[str, FilterExpression | None] = {"Default": None}
        self._encryption = EncryptionConfig()
        self.telemetry_records: list[dict[str, Any]] = []

    # -- sampling rules -------------------------------------------------------------

    @operation("CreateSamplingRule")
    def create_sampling_rule(
        self, sampling_rule: SamplingRule, *, tags: Mapping[str, str] | None = None
    ) -> SamplingRule:
        """Add a sampling rule (CreateSamplingRule); `rule_arn` and times are filled in.

        Raises:
            InvalidRequestException: a rule of that name exists, or a field is invalid.
            RuleLimitExceededException: the account has 25 rules besides Default.
        """
        self._pump()
        name = sampling_rule.rule_name
        _check_rule(sampling_rule)
        if name in self._rules:
            raise InvalidRequestException(
                f"A sampling rule with name {name} already exists.", param="RuleName", value=name
            )
        if len(self._rules) - 1 >= MAX_RULES:
            raise RuleLimitExceededException(
                f"You have reached the maximum number of sampling rules ({MAX_RULES})."
            )
        _check_tags(tags or {})
        now = self.ctx.now()
        rule = evolve(
            sampling_rule,
            rule_arn=self.ctx.arn(f"sampling-rule/{name}"),
            created_at=now,
            modified_at=now,
        )
        self._rules[name] = rule
        self._rule_tags[rule.rule_arn] = dict(tags or {})
        self._last_rule_modification = now
        return rule

    @operation("GetSamplingRules")
    def get_sampling_rules(self) -> list[SamplingRule]:
        """Every sampling rule, by priority then name, Default last (GetSamplingRules)."""
        self._pump()
        return sorted(self._rules.values(), key=lambda r: r.sort_key)

    def _rule(self, rule_name: str | None, rule_arn: str | None) -> SamplingRule:
        if rule_name is None and rule_arn is None:
            raise InvalidRequestException("Either RuleName or RuleARN must be specified.")
        for rule in self._rules.values():
            if rule.rule_name == rule_name or (rule_name is None and rule.rule_arn == rule_arn):
                if rule_arn is not None and rule.rule_arn != rule_arn:
                    break
                return rule
        raise RuleNotFound(
            f"Sampling rule does not exist: {rule_name or rule_arn}",
            param="RuleName" if rule_name else "RuleARN",
            value=rule_name or rule_arn,
        )

    @operation("UpdateSamplingRule")
    def update_sampling_rule(
        self,
        *,
        rule_name: str | None = None,
        rule_arn: str | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> SamplingRule:
        """Change fields of a rule (UpdateSamplingRule); `changes` uses `SamplingRule` names.

        Only ``fixed_rate`` and ``reservoir_size`` of the Default rule can change.

        Raises:
            InvalidRequestException: no such rule, an unknown or invalid field,
                or another field of the Default rule.
        """
        self._pump()
        rule = self._rule(rule_name, rule_arn)
        changes = dict(changes or {})
        unknown = sorted(set(changes) - set(_RULE_FIELDS))
        if unknown:
            raise InvalidRequestException(f"Unknown sampling rule fields: {', '.join(unknown)}")
        if rule.is_default and set(changes) - {"fixed_rate", "reservoir_size"}:
            raise InvalidRequestException(
                "Only FixedRate and ReservoirSize can be updated on the Default rule.",
                param="SamplingRuleUpdate",
                value=sorted(changes),
            )
        updated = evolve(rule, **changes, modified_at=self.ctx.now())
        _check_rule(updated, default=rule.is_default)
        self._rules[rule.rule_name] = updated
        self._last_rule_modification = self.ctx.now()
        return updated

    @operation("DeleteSamplingRule")
    def delete_sampling_rule(
        self, *, rule_name: str | None = None, rule_arn: str | None = None
    ) -> SamplingRule:
        """Delete a rule (DeleteSamplingRule); returns it.

        Raises:
            InvalidRequestException: no such rule, or the Default rule.
        """
        self._pump()
        rule = self._rule(rule_name, rule_arn)
        if rule.is_default:
            raise InvalidRequestException(
                "Cannot delete the default sampling rule.", param="RuleName", value="Default"
            )
        del self._rules[rule.rule_name]
        self._rule_tags.pop(rule.rule_arn, None)
        self.allocator.forget(rule.rule_name)
        self._last_rule_modification = self.ctx.now()
        return rule

    @operation("GetSamplingTargets")
    def get_sampling_targets(
        self, sampling_statistics_documents: Sequence[StatisticsReport]
    ) -> tuple[list[SamplingTarget], datetime, list[tuple[str, str, str]]]:
        """Report sampling counters and get reservoir quotas (GetSamplingTargets).

        Returns:
            The targets, the last rule modification time, and (rule name, error
            code, message) for each report that could not be used.
        """
        self._pump()
        targets, unprocessed = self.allocator.targets(
            sampling_statistics_documents, self._rules, self.ctx.now()
        )
        return targets, self._last_rule_modification, unprocessed

    @operation("GetSamplingStatisticSummaries")
    def get_sampling_statistic_summaries(self) -> list[RuleStatistics]:
        """Recent sampling counts per rule, over every client (GetSamplingStatisticSummaries)."""
        self._pump()
        return self.allocator.summaries(self.ctx.now())

    # -- groups ---------------------------------------------------------------------

    def group_filters(self) -> list[GroupFilter]:
        """The groups with their compiled expressions (what the trace store tests)."""
        return [GroupFilter(g, self._group_filters[g.name]) for g in self._groups.values()]

    @operation("CreateGroup")
    def create_group(
        self,
        group_name: str,
        *,
        filter_expression: str | None = None,
        insights: InsightsConfiguration | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Group:
        """Create a group of traces (CreateGroup).

        Raises:
            InvalidRequestException: a bad or taken name, a filter expression
                that does not parse, notifications without insights, too many groups.
        """
        self._pump()
        if not _GROUP_NAME.fullmatch(group_name) or group_name == "Default":
            raise InvalidRequestException(
                f"Invalid group name: {group_name}. Group names are 1-32 alphanumeric "
                "characters or hyphens and cannot be Default.",
                param="GroupName",
                value=group_name,
            )
        if group_name in self._groups:
            raise InvalidRequestException(
                f"Group with name {group_name} already exists.", param="GroupName", value=group_name
            )
        if len(self._groups) - 1 >= MAX_GROUPS:
            raise InvalidRequestException(f"You have reached the maximum of {MAX_GROUPS} groups.")
        compiled = FilterExpression.parse(filter_expression) if filter_expression else None
        insights = insights or InsightsConfiguration()
        _check_insights(insights)
        _check_tags(tags or {})
        arn = self.ctx.arn(f"group/{group_name}/{self.ctx.ids.alphanumeric(52, upper=True)}")
        group = Group(
            name=group_name,
            arn=arn,
            filter_expression=filter_expression,
            insights=insights,
            tags=dict(tags or {}),
        )
        self._groups[group_name] = group
        self._group_filters[group_name] = compiled
        return group

    def _group(self, group_name: str | None, group_arn: str | None) -> Group:
        if group_name is None and group_arn is None:
            raise InvalidRequestException("Either GroupName or GroupARN must be specified.")
        for group in self._groups.values():
            if (group_name is None or group.name == group_name) and (
                group_arn is None or group.arn == group_arn
            ):
                return group
        raise GroupNotFound(
            "Group not found",
            param="GroupName" if group_name else "GroupARN",
            value=group_name or group_arn,
        )

    @operation("GetGroup")
    def get_group(self, *, group_name: str | None = None, group_arn: str | None = None) -> Group:
        """The group named `group_name` or with ARN `group_arn` (GetGroup)."""
        self._pump()
        return self._group(group_name, group_arn)

    @operation("GetGroups")
    def get_groups(self) -> list[Group]:
        """Every group, Default first (GetGroups)."""
        self._pump()
        return list(self._groups.values())

    @operation("UpdateGroup")
    def update_group(
        self,
        *,
        group_name: str | None = None,
        group_arn: str | None = None,
        filter_expression: str | None = None,
        insights: InsightsConfiguration | None = None,
    ) -> Group:
        """Change a group's filter expression or insights settings (UpdateGroup).

        A new expression applies to traces processed from now on; the graphs
        then mix versions (``ContainsOldGroupVersions``).
        """
        self._pump()
        group = self._group(group_name, group_arn)
        if group.name == "Default" and filter_expression is not None:
            raise InvalidRequestException("The Default group's filter expression cannot change.")
        compiled = self._group_filters[group.name]
        changes: dict[str, Any] = {}
        if filter_expression is not None and filter_expression != group.filter_expression:
            compiled = FilterExpression.parse(filter_expression)
            changes.update(filter_expression=filter_expression, version=group.version + 1)
        if insights is not None:
            _check_insights(insights)
            changes["insights"] = insights
        updated = evolve(group, **changes)
        self._groups[group.name] = updated
        self._group_filters[group.name] = compiled
        return updated

    @operation("DeleteGroup")
    def delete_group(self, *, group_name: str | None = None, group_arn: str | None = None) -> None:
        """Delete a group (DeleteGroup); the Default group cannot be deleted."""
        self._pump()
        group = self._group(group_name, group_arn)
        if group.name == "Default":
            raise InvalidRequestException(
                "The Default group cannot be deleted.", param="GroupName", value="Default"
            )
        del self._groups[group.name]
        del self._group_filters[group.name]

    # -- encryption and telemetry ---------------------------------------------------

    @operation("GetEncryptionConfig")
    def get_encryption_config(self) -> EncryptionConfig:
        """The encryption settings (GetEncryptionConfig)."""
        self._pump()
        return self._encryption

    @operation("PutEncryptionConfig")
    def put_encryption_config(
        self, type: EncryptionType, *, key_id: str | None = None
    ) -> EncryptionConfig:
        """Encrypt with X-Ray's keys (NONE) or a KMS key (PutEncryptionConfig).

        The status is UPDATING until `ENCRYPTION_UPDATE_DELAY` has passed.

        Raises:
            InvalidRequestException: a key with type NONE, or type KMS without a key.
        """
        self._pump()
        if type is EncryptionType.NONE and key_id is not None:
            raise InvalidRequestException(
                "KeyId must be omitted when Type is NONE.", param="KeyId", value=key_id
            )
        if type is EncryptionType.KMS and not key_id:
            raise InvalidRequestException("KeyId is required when Type is KMS.", param="KeyId")
        config = EncryptionConfig(type=type, key_id=key_id, status=EncryptionStatus.UPDATING)
        self._encryption = config

        def activate() -> None:
            if self._encryption is config:
                self._encryption = evolve(config, status=EncryptionStatus.ACTIVE)

        self.ctx.clock.call_later(ENCRYPTION_UPDATE_DELAY, activate, name="xray encryption")
        return config

    @operation("PutTelemetryRecords")
    def put_telemetry_records(self, telemetry_records: Sequence[Mapping[str, Any]]) -> None:
        """Accept the daemon's telemetry (PutTelemetryRecords); kept in `telemetry_records`."""
        self._pump()
        self.telemetry_records.extend(dict(r) for r in telemetry_records)

    # -- tags -----------------------------------------------------------------------

    def _tags_of(self, resource_arn: str) -> dict[str, str]:
        if resource_arn in self._rule_tags:
            return self._rule_tags[resource_arn]
        for group in self._groups.values():
            if group.arn == resource_arn and group.name != "Default":
                return dict(group.tags)
        raise ResourceNotFoundException(
            f"Resource not found: {resource_arn}", param="ResourceARN", value=resource_arn
        )

    def _set_tags(self, resource_arn: str, tags: dict[str, str]) -> None:
        if resource_arn in self._rule_tags:
            self._rule_tags[resource_arn] = tags
            return
        for group in list(self._groups.values()):
            if group.arn == resource_arn:
                self._groups[group.name] = evolve(group, tags=tags)

    @operation("TagResource")
    def tag_resource(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        """Add or replace tags of a group or sampling rule (TagResource)."""
        self._pump()
        merged = {**self._tags_of(resource_arn), **tags}
        _check_tags(merged)
        self._set_tags(resource_arn, merged)

    @operation("UntagResource")
    def untag_resource(self, resource_arn: str, tag_keys: Sequence[str]) -> None:
        """Remove tags of a group or sampling rule (UntagResource)."""
        self._pump()
        tags = {k: v for k, v in self._tags_of(resource_arn).items() if k not in set(tag_keys)}
        self._set_tags(resource_arn, tags)

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, resource_arn: str) -> dict[str, str]:
        """The tags of a group or sampling rule (ListTagsForResource)."""
        self._pump()
        return dict(self._tags_of(resource_arn))

    def _pump(self) -> None:
        """Bring in what the daemon received (defined by the service)."""


def _check_rule(rule: SamplingRule, *, default: bool = False) -> None:
    name = rule.rule_name
    if not _RULE_NAME.fullmatch(name):
        raise InvalidRequestException(f"Invalid rule name: {name}", param="RuleName", value=name)
    if rule.version != 1:
        raise InvalidRequestException(
            f"Invalid version: {rule.version}. The only supported version is 1.",
            param="Version",
            value=rule.version,
        )
    if not default and not 1 <= rule.priority <= 9999:
        raise InvalidRequestException(
            f"Invalid priority: {rule.priority}. Priority must be between 1 and 9999.",
            param="Priority",
            value=rule.priority,
        )
    if not 0 <= rule.fixed_rate <= 1:
        raise InvalidRequestException(
            f"Invalid fixed rate: {rule.fixed_rate}. FixedRate must be between 0 and 1.",
            param="FixedRate",
            value=rule.fixed_rate,
        )
    if rule.reservoir_size < 0:
        raise InvalidRequestException(
            f"Invalid reservoir size: {rule.reservoir_size}.",
            param="ReservoirSize",
            value=rule.reservoir_size,
        )
    if len(rule.attributes) > 5:
        raise InvalidRequestException(
            "A sampling rule can have at most 5 attributes.", param="Attributes"
        )


def _check_insights(insights: InsightsConfiguration) -> None:
    if insights.notifications_enabled and not insights.insights_enabled:
        raise InvalidRequestException(
            "Notifications can only be enabled when insights are enabled.",
            param="InsightsConfiguration.NotificationsEnabled",
            value=True,
        )


def _check_tags(tags: Mapping[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise TooManyTagsException(
            f"A resource can have at most {MAX_TAGS} tags, got {len(tags)}.",
            param="Tags",
            value=len(tags),
        )
