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

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from awsmon.events._wire import (
    BUS_NAME,
    NAME,
    SOURCE_NAME,
    Check,
    bus_shape,
    entries_from_wire,
    events_result,
    page,
    rule_shape,
    target_shape,
)
from awsmon.events.api_archives import ArchivesApi
from awsmon.events.api_sources import EventSourcesApi
from awsmon.events.errors import ValidationException
from awsmon.events.model import RetryPolicy, RuleState, Target
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


def _tags(check: Check, raw: Any, location: str = "tags") -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise Check.fail(location, raw, "Member must be a list")
    tags: dict[str, str] = {}
    for index, item in enumerate(raw, 1):
        where = f"{location}.{index}.member"
        key = check.string(item, "Key", f"{where}.key", required=True, min_length=1, max_length=128)
        value = check.string(item, "Value", f"{where}.value", required=True, max_length=256)
        assert key is not None and value is not None
        tags[key] = value
    return tags


def _dead_letter(check: Check, data: Any, location: str) -> str | None:
    if data is None:
        return None
    return check.string(data, "Arn", f"{location}.arn", min_length=1, max_length=1600)


class EventsApi(ArchivesApi, EventSourcesApi):
    """The EventBridge wire API of one account and region."""

    domain: EventBridge
    invalid_parameter = ValidationException
    missing_parameter = ValidationException

    # -- events ------------------------------------------------------------------------------

    @handles("PutEvents")
    def put_events(self, params: Params) -> Response:
        """PutEvents: FailedEntryCount and Entries (EventId, or ErrorCode and ErrorMessage)."""
        check = Check(params)
        check.top(
            "EndpointId",
            "endpointId",
            min_length=1,
            max_length=50,
            pattern=r"^[A-Za-z0-9\-]+[\.][A-Za-z0-9\-]+$",
        )
        entries = entries_from_wire(params)
        return events_result(self.domain.put_events(entries, endpoint_id=params.raw("EndpointId")))

    @handles("TestEventPattern")
    def test_event_pattern(self, params: Params) -> Response:
        """TestEventPattern: ``Result``."""
        check = Check(params)
        pattern = check.top("EventPattern", "eventPattern", required=True, max_length=4096)
        event = check.top("Event", "event", required=True)
        assert pattern is not None and event is not None
        return {"Result": self.domain.test_event_pattern(pattern, event)}

    # -- buses ------------------------------------------------------------------------------

    @handles("CreateEventBus")
    def create_event_bus(self, params: Params) -> Response:
        """CreateEventBus: EventBusArn and the settings given."""
        check = Check(params)
        name = check.top(
            "Name", "name", required=True, min_length=1, max_length=256, pattern=BUS_NAME
        )
        source = check.top(
            "EventSourceName", "eventSourceName", min_length=1, max_length=256, pattern=SOURCE_NAME
        )
        description = check.top("Description", "description", max_length=512)
        kms = check.top("KmsKeyIdentifier", "kmsKeyIdentifier", max_length=2048)
        dead_letter = _dead_letter(check, params.raw("DeadLetterConfig"), "deadLetterConfig")
        log_config = params.mapping("LogConfig")
        assert name is not None
        bus = self.domain.create_event_bus(
            name,
            event_source_name=source,
            description=description,
            kms_key_identifier=kms,
            dead_letter_arn=dead_letter,
            log_config=log_config or None,
            tags=_tags(check, params.raw("Tags")),
        )
        response: Response = {"EventBusArn": bus.arn}
        if description is not None:
            response["Description"] = description
        if kms is not None:
            response["KmsKeyIdentifier"] = kms
        if dead_letter is not None:
            response["DeadLetterConfig"] = {"Arn": dead_letter}
        if log_config:
            response["LogConfig"] = log_config
        return response

    @handles("DescribeEventBus")
    def describe_event_bus(self, params: Params) -> Response:
        """DescribeEventBus: the bus with its policy."""
        name = Check(params).bus("Name", "name")
        return bus_shape(self.domain.describe_event_bus(name), describe=True)

    @handles("UpdateEventBus")
    def update_event_bus(self, params: Params) -> Response:
        """UpdateEventBus: Arn, Name and the settings."""
        check = Check(params)
        name = check.top("Name", "name", min_length=1, max_length=256, pattern=BUS_NAME)
        description = check.top("Description", "description", max_length=512)
        kms = check.top("KmsKeyIdentifier", "kmsKeyIdentifier", max_length=2048)
        dead_letter = _dead_letter(check, params.raw("DeadLetterConfig"), "deadLetterConfig")
        log_config = params.mapping("LogConfig")
        bus = self.domain.update_event_bus(
            name,
            description=description,
            kms_key_identifier=kms,
            dead_letter_arn=dead_letter,
            log_config=log_config or None,
        )
        response: Response = {"Arn": bus.arn, "Name": bus.name}
        if kms is not None:
            response["KmsKeyIdentifier"] = kms
        if description is not None:
            response["Description"] = description
        if dead_letter is not None:
            response["DeadLetterConfig"] = {"Arn": dead_letter}
        if log_config:
            response["LogConfig"] = log_config
        return response

    @handles("DeleteEventBus")
    def delete_event_bus(self, params: Params) -> Response:
        """DeleteEventBus: nothing."""
        name = Check(params).top(
            "Name", "name", required=True, min_length=1, max_length=256, pattern=BUS_NAME
        )
        assert name is not None
        self.domain.delete_event_bus(name)
        return {}

    @handles("ListEventBuses")
    def list_event_buses(self, params: Params) -> Response:
        """ListEventBuses: EventBuses (and NextToken)."""
        check = Check(params)
        prefix = check.top(
            "NamePrefix", "namePrefix", min_length=1, max_length=256, pattern=BUS_NAME
        )
        buses, token = page(self.domain.list_event_buses(prefix), params, check)
        response: Response = {"EventBuses": [bus_shape(b) for b in buses]}
        if token is not None:
            response["NextToken"] = token
        return response

    @handles("PutPermission")
    def put_permission(self, params: Params) -> Response:
        """PutPermission: nothing."""
        check = Check(params)
        bus = check.top("EventBusName", "eventBusName", min_length=1, max_length=256, pattern=NAME)
        action = check.top(
            "Action", "action", min_length=1, max_length=64, pattern=r"events:[a-zA-Z]+"
        )
        principal = check.top(
            "Principal", "principal", min_length=1, max_length=12, pattern=r"(\d{12}|\*)"
        )
        statement_id = check.top(
            "StatementId", "statementId", min_length=1, max_length=64, pattern=r"[a-zA-Z0-9-_]+"
        )
        condition = params.raw("Condition")
        if condition is not None:
            for key in ("Type", "Key", "Value"):
                check.string(condition, key, f"condition.{key[0].lower()}{key[1:]}", required=True)
        self.domain.put_permission(
            bus,
            action=action,
            principal=principal,
            statement_id=statement_id,
            condition=condition,
            policy=check.top("Policy", "policy"),
        )
        return {}

    @handles("RemovePermission")
    def remove_permission(self, params: Params) -> Response:
        """RemovePermission: nothing."""
        check = Check(params)
        statement_id = check.top(
            "StatementId", "statementId", min_length=1, max_length=64, pattern=r"[a-zA-Z0-9-_]+"
        )
        bus = check.top("EventBusName", "eventBusName", min_length=1, max_length=256, pattern=NAME)
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
        check = Check(params)
        name = check.name()
        schedule = check.top("ScheduleExpression", "scheduleExpression", max_length=256)
        pattern = check.top("EventPattern", "eventPattern", max_length=4096)
        state = check.top("State", "state", choices=[s.value for s in RuleState])
        description = check.top("Description", "description", max_length=512)
        role = check.top("RoleArn", "roleArn", min_length=1, max_length=1600)
        bus = check.bus()
        rule = self.domain.put_rule(
            name,
            event_pattern=pattern,
            schedule_expression=schedule,
            state=RuleState(state or "ENABLED"),
            description=description,
            role_arn=role,
            tags=_tags(check, params.raw("Tags")),
            event_bus_name=bus,
        )
        return {"RuleArn": rule.arn}

    @handles("DescribeRule")
    def describe_rule(self, params: Params) -> Response:
        """DescribeRule: the rule, with CreatedBy."""
        check = Check(params)
        name = check.name()
        return rule_shape(self.domain.describe_rule(name, check.bus()), describe=True)

    @handles("ListRules")
    def list_rules(self, params: Params) -> Response:
        """ListRules: Rules (and NextToken)."""
        check = Check(params)
        prefix = check.name("NamePrefix", "namePrefix", required=False) or None
        rules, token = page(self.domain.list_rules(prefix, check.bus()), params, check)
        response: Response = {"Rules": [rule_shape(r) for r in rules]}
        if token is not None:
            response["NextToken"] = token
        return response

    @handles("ListRuleNamesByTarget")
    def list_rule_names_by_target(self, params: Params) -> Response:
        """ListRuleNamesByTarget: RuleNames (and NextToken)."""
        check = Check(params)
        arn = check.top("TargetArn", "targetArn", required=True, min_length=1, max_length=1600)
        assert arn is not None
        names, token = page(self.domain.list_rule_names_by_target(arn, check.bus()), params, check)
        response: Response = {"RuleNames": names}
        if token is not None:
            response["NextToken"] = token
        return response

    @handles("EnableRule")
    def enable_rule(self, params: Params) -> Response:
        """EnableRule: nothing."""
        check = Check(params)
        self.domain.enable_rule(check.name(), check.bus())
        return {}

    @handles("DisableRule")
    def disable_rule(self, params: Params) -> Response:
        """DisableRule: nothing."""
        check = Check(params)
        self.domain.disable_rule(check.name(), check.bus())
        return {}

    @handles("DeleteRule")
    def delete_rule(self, params: Params) -> Response:
        """DeleteRule: nothing."""
        check = Check(params)
        name = check.name()
        self.domain.delete_rule(
            name, check.bus(), force=bool(params.boolean("Force", default=False))
        )
        return {}

    # -- targets ------------------------------------------------------------------------------

    def _target(self, check: Check, data: Any, index: int) -> Target:
        where = f"targets.{index}.member"
        if not isinstance(data, Mapping):
            raise Check.fail(where, data, "Member must be a structure")
        data = dict(data)
        target_id = check.string(
            data, "Id", f"{where}.id", required=True, min_length=1, max_length=64, pattern=NAME
        )
        arn = check.string(
            data, "Arn", f"{where}.arn", required=True, min_length=1, max_length=1600
        )
        role = check.string(data, "RoleArn", f"{where}.roleArn", min_length=1, max_length=1600)
        input_path = check.string(data, "InputPath", f"{where}.inputPath", max_length=256)
        transformer = data.get("InputTransformer")
        paths_map: dict[str, str] | None = None
        template: str | None = None
        if transformer is not None:
            raw_map = transformer.get("InputPathsMap") if isinstance(transformer, dict) else None
            paths_map = dict(raw_map) if isinstance(raw_map, Mapping) else None
            template = check.string(
                transformer,
                "InputTemplate",
                f"{where}.inputTransformer.inputTemplate",
                required=True,
                min_length=1,
                max_length=8192,
            )
        kinesis = data.get("KinesisParameters")
        partition = None
        if kinesis is not None:
            partition = check.string(
                kinesis,
                "PartitionKeyPath",
                f"{where}.kinesisParameters.partitionKeyPath",
                required=True,
                max_length=256,
            )
        sqs = data.get("SqsParameters")
        group = None if sqs is None else check.string(sqs, "MessageGroupId", f"{where}.sqs")
        retry = data.get("RetryPolicy")
        policy = RetryPolicy()
        if retry is not None:
            attempts = check.integer(
                retry,
                "MaximumRetryAttempts",
                f"{where}.retryPolicy.maximumRetryAttempts",
                minimum=0,
                maximum=185,
            )
            age = check.integer(
                retry,
                "MaximumEventAgeInSeconds",
                f"{where}.retryPolicy.maximumEventAgeInSeconds",
                minimum=60,
                maximum=86_400,
            )
            policy = RetryPolicy(
                maximum_retry_attempts=185 if attempts is None else attempts,
                maximum_event_age=timedelta(seconds=86_400 if age is None else age),
            )
        assert target_id is not None and arn is not None
        return Target(
            id=target_id,
            arn=arn,
            role_arn=role,
            input=data.get("Input"),
            input_path=input_path,
            input_paths_map=paths_map,
            input_template=template,
            partition_key_path=partition,
            message_group_id=group,
            retry_policy=policy,
            retry_policy_given=retry is not None,
            dead_letter_arn=_dead_letter(
                check, data.get("DeadLetterConfig"), f"{where}.deadLetterConfig"
            ),
            parameters={k: data[k] for k in _SIMPLE_TARGET_PARAMETERS if k in data},
        )

    @handles("PutTargets")
    def put_targets(self, params: Params) -> Response:
        """PutTargets: FailedEntryCount and FailedEntries."""
        check = Check(params)
        rule = check.name("Rule", "rule")
        bus = check.bus()
        raw = params.raw("Targets")
        if not isinstance(raw, list) or not 1 <= len(raw) <= 100:
            bound = "less than or equal to 100" if raw else "greater than or equal to 1"
            raise Check.fail("targets", raw, f"Member must have length {bound}")
        targets = [self._target(check, item, index) for index, item in enumerate(raw, 1)]
        failed = self.domain.put_targets(rule, targets, bus)
        return {
            "FailedEntryCount": len(failed),
            "FailedEntries": [
                {
                    "TargetId": f.target_id,
                    "ErrorCode": f.error_code,
                    "ErrorMessage": f.error_message,
                }
                for f in failed
            ],
        }

    @handles("RemoveTargets")
    def remove_targets(self, params: Params) -> Response:
        """RemoveTargets: FailedEntryCount and FailedEntries."""
        check = Check(params)
        rule = check.name("Rule", "rule")
        bus = check.bus()
        ids = params.items("Ids", required=True, min_items=1, max_items=100)
        for index, target_id in enumerate(ids, 1):
            check.string(
                {"Id": target_id},
                "Id",
                f"ids.{index}.member",
                min_length=1,
                max_length=64,
                pattern=NAME,
            )
        failed = self.domain.remove_targets(
            rule, ids, bus, force=bool(params.boolean("Force", default=False))
        )
        return {
            "FailedEntryCount": len(failed),
            "FailedEntries": [
                {
                    "TargetId": f.target_id,
                    "ErrorCode": f.error_code,
                    "ErrorMessage": f.error_message,
                }
                for f in failed
            ],
        }

    @handles("ListTargetsByRule")
    def list_targets_by_rule(self, params: Params) -> Response:
        """ListTargetsByRule: Targets (and NextToken)."""
        check = Check(params)
        rule = check.name("Rule", "rule")
        targets, token = page(self.domain.list_targets_by_rule(rule, check.bus()), params, check)
        response: Response = {"Targets": [target_shape(t) for t in targets]}
        if token is not None:
            response["NextToken"] = token
        return response

    # -- tags ------------------------------------------------------------------------------

    @handles("TagResource")
    def tag_resource(self, params: Params) -> Response:
        """TagResource: nothing."""
        check = Check(params)
        arn = check.top("ResourceARN", "resourceARN", required=True, min_length=1, max_length=1600)
        assert arn is not None
        tags = params.raw("Tags")
        if tags is None:
            raise Check.fail("tags", None, "Member must not be null")
        self.domain.tag_resource(arn, _tags(check, tags))
        return {}

    @handles("UntagResource")
    def untag_resource(self, params: Params) -> Response:
        """UntagResource: nothing."""
        check = Check(params)
        arn = check.top("ResourceARN", "resourceARN", required=True, min_length=1, max_length=1600)
        assert arn is not None
        self.domain.untag_resource(arn, params.items("TagKeys", required=True))
        return {}

    @handles("ListTagsForResource")
    def list_tags_for_resource(self, params: Params) -> Response:
        """ListTagsForResource: Tags."""
        check = Check(params)
        arn = check.top("ResourceARN", "resourceARN", required=True, min_length=1, max_length=1600)
        assert arn is not None
        tags = self.domain.list_tags_for_resource(arn)
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}
