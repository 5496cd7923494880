"""EventBridge wire operations: AWS parameter names in, boto3 response shapes out.

`EventsApi` handles every EventBridge operation awsmon simulates (buses,
permissions, rules, targets, events, tags here; archives and replays in
`awsmon.events.api_archives`, partner event sources in
`awsmon.events.api_sources`), validating members with AWS's constraints and
messages and answering with the shapes boto3 returns.

>>> from awsmon import Cloud
>>> events = Cloud().client("events")
>>> events.put_rule(Name="r", EventPattern='{"source": ["shop"]}')["RuleArn"]
'arn:aws:events:us-east-1:123456789012:rule/r'
>>> events.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": "[]"}])["Entries"]
[{'ErrorCode': 'MalformedDetail', 'ErrorMessage': 'Detail is malformed.'}]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from awsmon.events.api_archives import ArchivesApi
from awsmon.events.api_common import (
    BUS_NAME,
    NAME,
    SOURCE_NAME,
    bus_name,
    bus_shape,
    entries_from_wire,
    events_result,
    page,
    rule_name,
    rule_shape,
    target_shape,
)
from awsmon.events.api_sources import EventSourcesApi
from awsmon.events.errors import ValidationException
from awsmon.events.model import FailedEntry, RetryPolicy, RuleState, Target
from awsmon.events.service import EventBridge
from awsmon.wire import Params, handles

__all__ = ["EventsApi"]

Response = dict[str, Any]

_SIMPLE_TARGET_PARAMETERS = (
    "RunCommandParameters",
    "EcsParameters",
    "BatchParameters",
    "HttpParameters",
    "RedshiftDataParameters",
    "SageMakerPipelineParameters",
    "AppSyncParameters",
)


def _tags(params: Params, name: str = "Tags", *, required: bool = False) -> dict[str, str]:
    """A Tags list as a dict, each member located as AWS does (``tags.1.member.key``)."""
    tags: dict[str, str] = {}
    for tag in params.structs(name, required=required):
        key = tag.string("Key", required=True, min_length=1, max_length=128)
        tags[key] = tag.string("Value", required=True, max_length=256)
    return tags


def _dead_letter(params: Params, name: str = "DeadLetterConfig") -> str | None:
    """The ARN of a DeadLetterConfig member, or None when it is absent."""
    raw = params.raw(name)
    if raw is None:
        return None
    return params.nested(raw, name).string("Arn", min_length=1, max_length=1600)


class EventsApi(ArchivesApi, EventSourcesApi):
    """The EventBridge wire API of one account and region."""

    domain: EventBridge
    invalid_parameter = ValidationException
    missing_parameter = ValidationException

    # -- events ------------------------------------------------------------------------------

    @handles("PutEvents")
    def put_events(self, params: Params) -> Response:
        """PutEvents: FailedEntryCount and Entries (EventId, or ErrorCode and ErrorMessage)."""
        params.string(
            "EndpointId",
            min_length=1,
            max_length=50,
            pattern=r"^[A-Za-z0-9\-]+[\.][A-Za-z0-9\-]+$",
        )
        entries = entries_from_wire(params)
        return events_result(self.domain.put_events(entries, endpoint_id=params.raw("EndpointId")))

    @handles("TestEventPattern")
    def test_event_pattern(self, params: Params) -> Response:
        """TestEventPattern: ``Result``."""
        pattern = params.string("EventPattern", required=True, max_length=4096)
        event = params.string("Event", required=True)
        return {"Result": self.domain.test_event_pattern(pattern, event)}

    # -- buses ------------------------------------------------------------------------------

    @handles("CreateEventBus")
    def create_event_bus(self, params: Params) -> Response:
        """CreateEventBus: EventBusArn and the settings given."""
        name = params.string("Name", required=True, min_length=1, max_length=256, pattern=BUS_NAME)
        source = params.string("EventSourceName", min_length=1, max_length=256, pattern=SOURCE_NAME)
        settings = _bus_settings(params)
        bus = self.domain.create_event_bus(
            name, event_source_name=source, tags=_tags(params), **settings
        )
        return _with_bus_settings({"EventBusArn": bus.arn}, settings)

    @handles("DescribeEventBus")
    def describe_event_bus(self, params: Params) -> Response:
        """DescribeEventBus: the bus with its policy."""
        name = bus_name(params, "Name")
        return bus_shape(self.domain.describe_event_bus(name), describe=True)

    @handles("UpdateEventBus")
    def update_event_bus(self, params: Params) -> Response:
        """UpdateEventBus: Arn, Name and the settings."""
        name = params.string("Name", min_length=1, max_length=256, pattern=BUS_NAME)
        settings = _bus_settings(params)
        bus = self.domain.update_event_bus(name, **settings)
        return _with_bus_settings({"Arn": bus.arn, "Name": bus.name}, settings)

    @handles("DeleteEventBus")
    def delete_event_bus(self, params: Params) -> Response:
        """DeleteEventBus: nothing."""
        name = params.string("Name", required=True, min_length=1, max_length=256, pattern=BUS_NAME)
        self.domain.delete_event_bus(name)
        return {}

    @handles("ListEventBuses")
    def list_event_buses(self, params: Params) -> Response:
        """ListEventBuses: EventBuses (and NextToken)."""
        prefix = params.string("NamePrefix", min_length=1, max_length=256, pattern=BUS_NAME)
        buses, token = page(self.domain.list_event_buses(prefix), params)
        response: Response = {"EventBuses": [bus_shape(b) for b in buses]}
        if token is not None:
            response["NextToken"] = token
        return response

    @handles("PutPermission")
    def put_permission(self, params: Params) -> Response:
        """PutPermission: nothing."""
        bus = params.string("EventBusName", min_length=1, max_length=256, pattern=NAME)
        action = params.string("Action", min_length=1, max_length=64, pattern=r"events:[a-zA-Z]+")
        principal = params.string("Principal", min_length=1, max_length=12, pattern=r"(\d{12}|\*)")
        statement_id = params.string(
            "StatementId", min_length=1, max_length=64, pattern=r"[a-zA-Z0-9-_]+"
        )
        condition = params.raw("Condition")
        if condition is not None:
            checked = params.nested(condition, "Condition")
            for key in ("Type", "Key", "Value"):
                checked.string(key, required=True)
        self.domain.put_permission(
            bus,
            action=action,
            principal=principal,
            statement_id=statement_id,
            condition=condition,
            policy=params.string("Policy"),
        )
        return {}

    @handles("RemovePermission")
    def remove_permission(self, params: Params) -> Response:
        """RemovePermission: nothing."""
        statement_id = params.string(
            "StatementId", min_length=1, max_length=64, pattern=r"[a-zA-Z0-9-_]+"
        )
        bus = params.string("EventBusName", min_length=1, max_length=256, pattern=NAME)
        self.domain.remove_permission(
            statement_id,
            remove_all_permissions=bool(params.boolean("RemoveAllPermissions", default=False)),
            event_bus_name=bus,
        )
        return {}

    # -- rules ------------------------------------------------------------------------------

    @handles("PutRule")
    def put_rule(self, params: Params) -> Response:
        """PutRule: RuleArn."""
        name = rule_name(params)
        schedule = params.string("ScheduleExpression", max_length=256)
        pattern = params.string("EventPattern", max_length=4096)
        state = params.string("State", choices=[s.value for s in RuleState])
        description = params.string("Description", max_length=512)
        role = params.string("RoleArn", min_length=1, max_length=1600)
        bus = bus_name(params)
        rule = self.domain.put_rule(
            name,
            event_pattern=pattern,
            schedule_expression=schedule,
            state=RuleState(state or "ENABLED"),
            description=description,
            role_arn=role,
            tags=_tags(params),
            event_bus_name=bus,
        )
        return {"RuleArn": rule.arn}

    @handles("DescribeRule")
    def describe_rule(self, params: Params) -> Response:
        """DescribeRule: the rule, with CreatedBy."""
        name = rule_name(params)
        return rule_shape(self.domain.describe_rule(name, bus_name(params)), describe=True)

    @handles("ListRules")
    def list_rules(self, params: Params) -> Response:
        """ListRules: Rules (and NextToken)."""
        prefix = params.string("NamePrefix", min_length=1, max_length=64, pattern=NAME) or None
        rules, token = page(self.domain.list_rules(prefix, bus_name(params)), params)
        response: Response = {"Rules": [rule_shape(r) for r in rules]}
        if token is not None:
            response["NextToken"] = token
        return response

    @handles("ListRuleNamesByTarget")
    def list_rule_names_by_target(self, params: Params) -> Response:
        """ListRuleNamesByTarget: RuleNames (and NextToken)."""
        arn = params.string("TargetArn", required=True, min_length=1, max_length=1600)
        names, token = page(self.domain.list_rule_names_by_target(arn, bus_name(params)), params)
        response: Response = {"RuleNames": names}
        if token is not None:
            response["NextToken"] = token
        return response

    @handles("EnableRule")
    def enable_rule(self, params: Params) -> Response:
        """EnableRule: nothing."""
        self.domain.enable_rule(rule_name(params), bus_name(params))
        return {}

    @handles("DisableRule")
    def disable_rule(self, params: Params) -> Response:
        """DisableRule: nothing."""
        self.domain.disable_rule(rule_name(params), bus_name(params))
        return {}

    @handles("DeleteRule")
    def delete_rule(self, params: Params) -> Response:
        """DeleteRule: nothing."""
        name = rule_name(params)
        self.domain.delete_rule(
            name, bus_name(params), force=bool(params.boolean("Force", default=False))
        )
        return {}

    # -- targets ------------------------------------------------------------------------------

    @staticmethod
    def _target(target: Params) -> Target:
        """One member of PutTargets' Targets, checked at its path (``targets.1.member.id``)."""
        data = target.data
        paths_map: dict[str, str] | None = None
        template: str | None = None
        transformer = data.get("InputTransformer")
        if transformer is not None:
            checked = target.nested(transformer, "InputTransformer")
            raw_map = checked.data.get("InputPathsMap")
            paths_map = dict(raw_map) if isinstance(raw_map, Mapping) else None
            template = checked.string("InputTemplate", required=True, min_length=1, max_length=8192)
        partition = None
        if data.get("KinesisParameters") is not None:
            partition = target.nested(data["KinesisParameters"], "KinesisParameters").string(
                "PartitionKeyPath", required=True, max_length=256
            )
        group = None
        if data.get("SqsParameters") is not None:
            group = target.nested(data["SqsParameters"], "SqsParameters").string("MessageGroupId")
        retry = data.get("RetryPolicy")
        policy = RetryPolicy()
        if retry is not None:
            checked = target.nested(retry, "RetryPolicy")
            attempts = checked.integer("MaximumRetryAttempts", minimum=0, maximum=185, default=185)
            age = checked.integer(
                "MaximumEventAgeInSeconds", minimum=60, maximum=86_400, default=86_400
            )
            policy = RetryPolicy(
                maximum_retry_attempts=attempts, maximum_event_age=timedelta(seconds=age)
            )
        return Target(
            id=target.string("Id", required=True, min_length=1, max_length=64, pattern=NAME),
            arn=target.string("Arn", required=True, min_length=1, max_length=1600),
            role_arn=target.string("RoleArn", min_length=1, max_length=1600),
            input=data.get("Input"),
            input_path=target.string("InputPath", max_length=256),
            input_paths_map=paths_map,
            input_template=template,
            partition_key_path=partition,
            message_group_id=group,
            retry_policy=policy,
            retry_policy_given=retry is not None,
            dead_letter_arn=_dead_letter(target),
            parameters={k: data[k] for k in _SIMPLE_TARGET_PARAMETERS if k in data},
        )

    @handles("PutTargets")
    def put_targets(self, params: Params) -> Response:
        """PutTargets: FailedEntryCount and FailedEntries."""
        rule = rule_name(params, "Rule")
        bus = bus_name(params)
        targets = [
            self._target(target)
            for target in params.structs("Targets", required=True, min_items=1, max_items=100)
        ]
        failed = self.domain.put_targets(rule, targets, bus)
        return _failed_targets(failed)

    @handles("RemoveTargets")
    def remove_targets(self, params: Params) -> Response:
        """RemoveTargets: FailedEntryCount and FailedEntries."""
        rule = rule_name(params, "Rule")
        bus = bus_name(params)
        ids = params.strings(
            "Ids",
            required=True,
            min_items=1,
            max_items=100,
            min_length=1,
            max_length=64,
            pattern=NAME,
        )
        failed = self.domain.remove_targets(
            rule, ids, bus, force=bool(params.boolean("Force", default=False))
        )
        return _failed_targets(failed)

    @handles("ListTargetsByRule")
    def list_targets_by_rule(self, params: Params) -> Response:
        """ListTargetsByRule: Targets (and NextToken)."""
        rule = rule_name(params, "Rule")
        targets, token = page(self.domain.list_targets_by_rule(rule, bus_name(params)), params)
        response: Response = {"Targets": [target_shape(t) for t in targets]}
        if token is not None:
            response["NextToken"] = token
        return response

    # -- tags ------------------------------------------------------------------------------

    @handles("TagResource")
    def tag_resource(self, params: Params) -> Response:
        """TagResource: nothing."""
        arn = params.string("ResourceARN", required=True, min_length=1, max_length=1600)
        self.domain.tag_resource(arn, _tags(params, required=True))
        return {}

    @handles("UntagResource")
    def untag_resource(self, params: Params) -> Response:
        """UntagResource: nothing."""
        arn = params.string("ResourceARN", required=True, min_length=1, max_length=1600)
        self.domain.untag_resource(arn, params.strings("TagKeys", required=True))
        return {}

    @handles("ListTagsForResource")
    def list_tags_for_resource(self, params: Params) -> Response:
        """ListTagsForResource: Tags."""
        arn = params.string("ResourceARN", required=True, min_length=1, max_length=1600)
        tags = self.domain.list_tags_for_resource(arn)
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}


def _failed_targets(failed: Sequence[FailedEntry]) -> Response:
    """PutTargets' and RemoveTargets' answer: FailedEntryCount and FailedEntries."""
    return {
        "FailedEntryCount": len(failed),
        "FailedEntries": [
            {"TargetId": f.target_id, "ErrorCode": f.error_code, "ErrorMessage": f.error_message}
            for f in failed
        ],
    }


def _bus_settings(params: Params) -> dict[str, Any]:
    """CreateEventBus' and UpdateEventBus' settings, as the domain methods' keywords."""
    return {
        "description": params.string("Description", max_length=512),
        "kms_key_identifier": params.string("KmsKeyIdentifier", max_length=2048),
        "dead_letter_arn": _dead_letter(params),
        "log_config": params.mapping("LogConfig") or None,
    }


def _with_bus_settings(response: Response, settings: Mapping[str, Any]) -> Response:
    """`response` with the settings given echoed, as CreateEventBus and UpdateEventBus answer."""
    if settings["description"] is not None:
        response["Description"] = settings["description"]
    if settings["kms_key_identifier"] is not None:
        response["KmsKeyIdentifier"] = settings["kms_key_identifier"]
    if settings["dead_letter_arn"] is not None:
        response["DeadLetterConfig"] = {"Arn": settings["dead_letter_arn"]}
    if settings["log_config"]:
        response["LogConfig"] = settings["log_config"]
    return response
