"""Tests of awsmon/events/service.py (with buses.py, rules.py, targets.py): the EventBridge domain.

Worked examples from the reference (E3 schedules, E5 PutEvents, A.5.1 retries
and dead letters), error tables anchored on AWS's messages, and hypothesis
properties: the service's shared matcher delivers exactly what a naive
per-rule match says, and PutEvents keeps entry order with good and bad
entries mixed.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock
from awsmon.events import (
    LEGACY_PUT_EVENTS_LIMIT,
    PutEventsEntry,
    RetryPolicy,
    RuleState,
    Target,
    entry_size,
)
from awsmon.events.errors import (
    InvalidEventPatternException,
    LimitExceededException,
    ManagedRuleException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    ValidationException,
)
from awsmon.events.pattern import EventPattern
from awsmon.events.service import EventBridge
from awsmon.neighbours.sqs import Queue
from awsmon.policy import guides

OTHER = "210987654321"


def queue_for_events(cloud: Cloud, name: str, *, policy: bool = True) -> Queue:
    """A queue whose policy lets EventBridge send to it (as AWS requires)."""
    queue: Queue = cloud.sqs.create_queue(name)
    if policy:
        statement = {
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue.arn,
        }
        document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        cloud.sqs.set_queue_attributes(queue.url, {"Policy": document})
    return queue


def bodies(queue: Queue) -> list[dict[str, Any]]:
    """The JSON bodies of every message in the queue, in order."""
    return [json.loads(m.body) for m in queue.messages.values()]


def entry(**fields: Any) -> PutEventsEntry:
    """An entry with a valid source, detail-type and detail unless told otherwise."""
    values: dict[str, Any] = {"source": "shop", "detail_type": "Order", "detail": "{}"}
    values.update(fields)
    return PutEventsEntry(**values)


@pytest.fixture
def cloud() -> Cloud:
    made = Cloud(clock=VirtualClock(start=datetime(2024, 1, 5, 9, 7, 30, tzinfo=UTC)))
    # These tests count the events they put themselves: CloudTrail's "AWS API Call via
    # CloudTrail" events of their own PutRule/PutTargets calls stay off the bus.
    made.cloudtrail.forward_to_eventbridge = False
    return made


@pytest.fixture
def events(cloud: Cloud) -> EventBridge:
    service: EventBridge = cloud.events
    return service


class TestPutEvents:
    def test_envelope_reaches_the_target(self, cloud: Cloud, events: EventBridge) -> None:
        """A matching event arrives with AWS's members in AWS's order before put_events returns."""
        queue = queue_for_events(cloud, "q")
        events.put_rule("r", event_pattern={"source": ["shop"]})
        events.put_targets("r", [Target(id="t", arn=queue.arn)])
        when = datetime(2024, 1, 1, 12, 0, 0, 500_000, tzinfo=UTC)
        result = events.put_events(
            [entry(detail='{"n": 1}', resources=["arn:x"], time=when), entry(source="other")]
        )
        assert result.failed_entry_count == 0
        (body,) = bodies(queue)
        assert list(body) == [
            "version",
            "id",
            "detail-type",
            "source",
            "account",
            "time",
            "region",
            "resources",
            "detail",
        ]
        assert body == {
            "version": "0",
            "id": result.event_ids[0],
            "detail-type": "Order",
            "source": "shop",
            "account": "123456789012",
            "time": "2024-01-01T12:00:00Z",
            "region": "us-east-1",
            "resources": ["arn:x"],
            "detail": {"n": 1},
        }

    def test_e5_entry_size(self) -> None:
        """E5: Time 14 + Source 19 + DetailType 12 + Detail 17 + resources 18 = 80 bytes; é is 2."""
        sized = PutEventsEntry(
            source="com.mycompany.myapp",
            detail_type="myDetailType",
            detail='{"key1":"value1"}',
            resources=("resource1", "resource2"),
            time=datetime(2024, 1, 1, tzinfo=UTC),
        )
        assert entry_size(sized) == 80
        assert entry_size(PutEventsEntry(source="s", detail_type="é", detail="{}")) == 1 + 2 + 2

    def test_e5_mixed_batch_keeps_order(self, events: EventBridge) -> None:
        """E5: [good, no source, good] → one failure in the middle, ids around it."""
        result = events.put_events([entry(), entry(source=None), entry()])
        assert result.failed_entry_count == 1
        good, bad, other = result.entries
        assert good.event_id and other.event_id and good.event_id != other.event_id
        assert (bad.error_code, bad.error_message) == (
            "InvalidArgument",
            "Parameter Source is not valid. Reason: Source is a required argument.",
        )

    @pytest.mark.parametrize(
        ("fields", "code", "message"),
        [
            (
                {"detail_type": None},
                "InvalidArgument",
                "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
            ),
            (
                {"detail": None},
                "InvalidArgument",
                "Parameter Detail is not valid. Reason: Detail is a required argument.",
            ),
            ({"detail": "NotJSON"}, "MalformedDetail", "Detail is malformed."),
            ({"detail": "[]"}, "MalformedDetail", "Detail is malformed."),
            ({"detail": "{{}"}, "MalformedDetail", "Detail is malformed."),
            ({"detail": '"NotJSON"'}, "MalformedDetail", "Detail is malformed."),
            ({"detail": '{"n": 9223372036854775808}'}, "MalformedDetail", "Detail is malformed."),
            (
                {"source": "aws.ec2"},
                "NotAuthorizedForSourceException",
                "Not authorized for the source.",
            ),
            (
                {"event_bus_name": "nope"},
                "ResourceNotFoundException",
                "Event bus nope does not exist.",
            ),
        ],
        ids=[
            "no-detail-type",
            "no-detail",
            "not-json",
            "array",
            "broken",
            "string",
            "int64-overflow",
            "aws-source",
            "no-bus",
        ],
    )
    def test_entry_errors(
        self, events: EventBridge, fields: dict[str, Any], code: str, message: str
    ) -> None:
        """Each bad entry fails alone with AWS's code and message."""
        result = events.put_events([entry(**fields), entry()])
        bad, good = result.entries
        assert (bad.error_code, bad.error_message) == (code, message)
        assert good.event_id is not None and result.failed_entry_count == 1

    def test_too_many_entries_fail_the_request(self, events: EventBridge) -> None:
        """E5: 11 entries → ValidationException for the whole call."""
        with pytest.raises(
            ValidationException, match=r"at 'entries' .*length less than or equal to 10$"
        ):
            events.put_events([entry()] * 11)

    def test_size_limit_is_1_mb_by_default_and_configurable(self, events: EventBridge) -> None:
        """E5: over the limit fails whole; 1 MB since 2026-01-29, 256 KB before."""
        detail = json.dumps({"x": "a" * 262_144})
        assert events.put_events([entry(detail=detail)]).failed_entry_count == 0
        events.max_put_events_bytes = LEGACY_PUT_EVENTS_LIMIT
        with pytest.raises(
            ValidationException,
            match=r"^ValidationException: Total size of the entries in the request is over the "
            r"limit\.$",
        ):
            events.put_events([entry(detail=detail)])
        events.max_put_events_bytes = 1_048_576
        with pytest.raises(ValidationException, match="Total size"):
            events.put_events([entry(detail=json.dumps({"x": "a" * 1_048_576}))])

    def test_disabled_rules_do_not_match(self, cloud: Cloud, events: EventBridge) -> None:
        """A disabled rule gets nothing; enabling it again restores delivery."""
        queue = queue_for_events(cloud, "q")
        events.put_rule("r", event_pattern={"source": ["shop"]}, state="DISABLED")
        events.put_targets("r", [Target(id="t", arn=queue.arn)])
        events.put_events([entry()])
        assert bodies(queue) == []
        events.enable_rule("r")
        events.put_events([entry()])
        assert len(bodies(queue)) == 1

    def test_read_only_cloudtrail_events_need_the_special_state(
        self, cloud: Cloud, events: EventBridge
    ) -> None:
        """Read-only management events reach only ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS."""
        plain, everything = queue_for_events(cloud, "plain"), queue_for_events(cloud, "all")
        pattern = {"detail-type": ["AWS API Call via CloudTrail"]}
        events.put_rule("plain", event_pattern=pattern)
        events.put_rule(
            "all",
            event_pattern=pattern,
            state=RuleState.ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS,
        )
        events.put_targets("plain", [Target(id="t", arn=plain.arn)])
        events.put_targets("all", [Target(id="t", arn=everything.arn)])
        for name, read_only in (("DescribeInstances", True), ("RunInstances", False)):
            events.put_aws_event(
                source="aws.ec2",
                detail_type="AWS API Call via CloudTrail",
                detail={"eventName": name, "readOnly": read_only},
            )
        assert [b["detail"]["eventName"] for b in bodies(plain)] == ["RunInstances"]
        assert [b["detail"]["eventName"] for b in bodies(everything)] == [
            "DescribeInstances",
            "RunInstances",
        ]

    def test_put_aws_event_for_alarms(self, cloud: Cloud, events: EventBridge) -> None:
        """An AWS service's event (CloudWatch alarm state change) reaches a matching rule."""
        queue = queue_for_events(cloud, "alarms")
        events.put_rule(
            "alarm",
            event_pattern={"source": ["aws.cloudwatch"], "detail": {"state": {"value": ["ALARM"]}}},
        )
        events.put_targets("alarm", [Target(id="t", arn=queue.arn)])
        alarm_arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu"
        event_id = events.put_aws_event(
            source="aws.cloudwatch",
            detail_type="CloudWatch Alarm State Change",
            detail={"alarmName": "cpu", "state": {"value": "ALARM"}},
            resources=[alarm_arn],
        )
        (body,) = bodies(queue)
        assert (body["id"], body["resources"], body["detail-type"]) == (
            event_id,
            [alarm_arn],
            "CloudWatch Alarm State Change",
        )


class TestBusesAndPolicies:
    def test_default_bus_cannot_be_deleted_or_recreated(self, events: EventBridge) -> None:
        """The default bus always exists."""
        with pytest.raises(
            ValidationException, match=r"^ValidationException: Cannot delete event bus default\.$"
        ):
            events.delete_event_bus("default")
        with pytest.raises(
            ResourceAlreadyExistsException, match=r"Event bus default already exists\."
        ):
            events.create_event_bus("default")

    def test_custom_bus_lifecycle(self, events: EventBridge) -> None:
        """Create, describe, list and delete a custom bus; unknown names are refused as AWS does."""
        bus = events.create_event_bus("orders", description="shop")
        assert bus.arn == "arn:aws:events:us-east-1:123456789012:event-bus/orders"
        assert [b.name for b in events.list_event_buses()] == ["default", "orders"]
        assert events.describe_event_bus(bus.arn) is bus
        with pytest.raises(ResourceNotFoundException, match=r"Event bus nope does not exist\."):
            events.describe_event_bus("nope")
        with pytest.raises(ValidationException, match="must not contain '/'"):
            events.create_event_bus("a/b")
        events.put_rule("r", event_pattern={"source": ["x"]}, event_bus_name="orders")
        with pytest.raises(ValidationException, match="has rules"):
            events.delete_event_bus("orders")
        events.delete_rule("r", "orders")
        events.delete_event_bus("orders")
        events.delete_event_bus("orders")  # deleting again is harmless
        assert [b.name for b in events.list_event_buses()] == ["default"]

    def test_cross_account_put_events_needs_permission(self, cloud: Cloud) -> None:
        """Another account is refused per entry until the bus policy allows it."""
        owner = cloud.events
        queue = queue_for_events(cloud, "q")
        owner.create_event_bus("shared")
        owner.put_rule("r", event_pattern={"source": ["partner.app"]}, event_bus_name="shared")
        owner.put_targets("r", [Target(id="t", arn=queue.arn)], "shared")
        bus_arn = owner.bus("shared").arn
        sender = cloud.account(OTHER).events
        with cloud.as_principal(f"arn:aws:iam::{OTHER}:user/bob"):
            refused = sender.put_events([entry(source="partner.app", event_bus_name=bus_arn)])
        (result,) = refused.entries
        assert result.error_code == "AccessDeniedException"
        assert result.error_message == (
            f"User: arn:aws:iam::{OTHER}:user/bob is not authorized to perform: events:PutEvents "
            f"on resource: {bus_arn} because no resource-based policy allows the "
            "events:PutEvents action"
        )
        owner.put_permission(
            "shared", action="events:PutEvents", principal=OTHER, statement_id="other"
        )
        with cloud.as_principal(f"arn:aws:iam::{OTHER}:user/bob"):
            sender.put_events([entry(source="partner.app", event_bus_name=bus_arn)])
        (body,) = bodies(queue)
        assert body["account"] == OTHER
        owner.remove_permission("other", event_bus_name="shared")
        assert owner.bus("shared").policy is None
        with pytest.raises(ResourceNotFoundException, match=r"EventBus does not have a policy\."):
            owner.remove_permission("other", event_bus_name="shared")

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            (
                {"action": "events:PutEvents", "statement_id": "s"},
                ValidationException,
                "Parameter Principal must be specified.",
            ),
            (
                {"action": "events:PutRule", "principal": OTHER, "statement_id": "s"},
                ValidationException,
                "Provided value in parameter 'action' is not supported.",
            ),
            ({"policy": "{nope"}, ValidationException, "This policy contains invalid Json"),
        ],
        ids=["no-principal", "bad-action", "bad-policy"],
    )
    def test_put_permission_errors(
        self, events: EventBridge, kwargs: dict[str, Any], error: type[Exception], message: str
    ) -> None:
        """PutPermission refuses what AWS refuses, with its message."""
        with pytest.raises(
            error, match=f"^{error.__name__}: {message}$".replace("(", r"\(").replace(")", r"\)")
        ):
            events.put_permission(**kwargs)

    def test_policy_document_and_wildcard(self, cloud: Cloud) -> None:
        """A whole Policy document replaces the policy; Principal * lets everyone in."""
        owner = cloud.events
        owner.put_permission(action="events:PutEvents", principal="*", statement_id="all")
        assert owner.allows_put_events(owner.bus(), cloud.account(OTHER).root)
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "one",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                    "Action": "events:PutEvents",
                    "Resource": owner.bus().arn,
                }
            ],
        }
        owner.put_permission(policy=json.dumps(document))
        assert owner.bus().policy == document
        assert not owner.allows_put_events(owner.bus(), cloud.account("111122223333").root)


class TestRules:
    def test_put_rule_replaces_and_keeps_targets(self, cloud: Cloud, events: EventBridge) -> None:
        """PutRule on an existing rule resets omitted fields and keeps the targets."""
        queue = queue_for_events(cloud, "q")
        events.put_rule("r", event_pattern={"source": ["a"]}, description="first")
        events.put_targets("r", [Target(id="t", arn=queue.arn)])
        rule = events.put_rule("r", event_pattern={"source": ["b"]})
        assert rule.description is None and list(rule.targets) == ["t"]
        events.put_events([entry(source="a"), entry(source="b")])
        assert [b["source"] for b in bodies(queue)] == ["b"]

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            (
                {},
                ValidationException,
                r"Parameter\(s\) EventPattern or ScheduleExpression must be specified\.",
            ),
            (
                {"schedule_expression": "rate(1 minutes)"},
                ValidationException,
                r"Parameter ScheduleExpression is not valid\..*",
            ),
            (
                {"schedule_expression": "rate(1 minute)", "event_bus_name": "custom"},
                ValidationException,
                r"ScheduleExpression is supported only on the default event bus\.",
            ),
            (
                {"event_pattern": '{"source": "x"}'},
                InvalidEventPatternException,
                r"Event pattern is not valid\. Reason: \"source\" must be an object or an "
                r"array\n.*",
            ),
            (
                {"event_pattern": "{}", "event_bus_name": "nope"},
                ResourceNotFoundException,
                r"Event bus nope does not exist\.",
            ),
        ],
        ids=["neither", "bad-rate", "schedule-on-custom-bus", "bad-pattern", "no-bus"],
    )
    def test_put_rule_errors(
        self, events: EventBridge, kwargs: dict[str, Any], error: type[Exception], message: str
    ) -> None:
        """PutRule's error table, with no rule left behind."""
        events.create_event_bus("custom")
        with pytest.raises(error, match=f"^{error.__name__}: {message}$"):
            events.put_rule("r", **kwargs)
        assert all("r" not in b.rules for b in events.buses.values())

    def test_delete_rule_with_targets(self, events: EventBridge) -> None:
        """A rule with targets cannot be deleted; without, it can; unknown rules are fine."""
        events.put_rule("r", event_pattern={"source": ["a"]})
        events.put_targets(
            "r", [Target(id="t", arn="arn:aws:states:us-east-1:123456789012:stateMachine:m")]
        )
        with pytest.raises(
            ValidationException,
            match=r"^ValidationException: Rule can't be deleted since it has targets\.$",
        ):
            events.delete_rule("r")
        events.remove_targets("r", ["t"])
        events.delete_rule("r")
        events.delete_rule("r")
        with pytest.raises(
            ResourceNotFoundException,
            match=r"^ResourceNotFoundException: Rule r does not exist on EventBus default\.$",
        ):
            events.describe_rule("r")

    def test_at_most_five_targets(self, events: EventBridge) -> None:
        """A sixth target is refused and nothing of the request is kept."""
        events.put_rule("r", event_pattern={"source": ["a"]})
        arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m"
        events.put_targets("r", [Target(id=str(n), arn=arn) for n in range(5)])
        events.put_targets("r", [Target(id="0", arn=arn)])  # replacing by Id is fine
        with pytest.raises(LimitExceededException, match="exceeds the maximum number allowed"):
            events.put_targets("r", [Target(id="5", arn=arn)])
        assert len(events.list_targets_by_rule("r")) == 5

    def test_managed_rules_need_force(self, events: EventBridge) -> None:
        """A managed rule is visible but changed only by its service; Force deletes it."""
        events.put_managed_rule(
            "svc-rule", managed_by="svc.amazonaws.com", event_pattern={"source": ["x"]}
        )
        assert events.describe_rule("svc-rule").managed_by == "svc.amazonaws.com"
        for call in (
            lambda: events.put_rule("svc-rule", event_pattern={"source": ["y"]}),
            lambda: events.disable_rule("svc-rule"),
            lambda: events.delete_rule("svc-rule"),
        ):
            with pytest.raises(ManagedRuleException):
                call()
        events.delete_rule("svc-rule", force=True)
        assert events.list_rules() == []

    def test_list_rules_and_names_by_target(self, events: EventBridge) -> None:
        """ListRules filters by prefix; ListRuleNamesByTarget finds rules by target ARN."""
        arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m"
        for name in ("b-rule", "a-rule", "a-other"):
            events.put_rule(name, event_pattern={"source": [name]})
        events.put_targets("a-rule", [Target(id="t", arn=arn)])
        assert [r.name for r in events.list_rules("a-")] == ["a-other", "a-rule"]
        assert events.list_rule_names_by_target(arn) == ["a-rule"]

    def test_custom_bus_rule_arn(self, events: EventBridge) -> None:
        """Rules of a custom bus have the bus in their ARN."""
        events.create_event_bus("orders")
        rule = events.put_rule("r", event_pattern={"source": ["a"]}, event_bus_name="orders")
        assert rule.arn == "arn:aws:events:us-east-1:123456789012:rule/orders/r"


class TestSchedules:
    def test_e3_cron_fires_at_the_documented_minutes(
        self, cloud: Cloud, events: EventBridge
    ) -> None:
        """E3: cron(0/15 * * * ? *) after 09:07:30 fires at 09:15, 09:30 and 09:45."""
        queue = queue_for_events(cloud, "ticks")
        rule = events.put_rule("every15", schedule_expression="cron(0/15 * * * ? *)")
        events.put_targets("every15", [Target(id="t", arn=queue.arn)])
        cloud.clock.advance(timedelta(minutes=40))
        received = bodies(queue)
        assert [b["time"] for b in received] == [
            "2024-01-05T09:15:00Z",
            "2024-01-05T09:30:00Z",
            "2024-01-05T09:45:00Z",
        ]
        first = received[0]
        assert first == {
            "version": "0",
            "id": first["id"],
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": "2024-01-05T09:15:00Z",
            "region": "us-east-1",
            "resources": [rule.arn],
            "detail": {},
        }

    def test_e3_weekday_schedule_skips_the_weekend(self, cloud: Cloud, events: EventBridge) -> None:
        """E3: cron(0 18 ? * MON-FRI *) from Friday 09:07 fires Friday then Monday."""
        queue = queue_for_events(cloud, "q")
        events.put_rule("evening", schedule_expression="cron(0 18 ? * MON-FRI *)")
        events.put_targets("evening", [Target(id="t", arn=queue.arn)])
        cloud.clock.advance(timedelta(days=4))
        assert [b["time"] for b in bodies(queue)] == [
            "2024-01-05T18:00:00Z",
            "2024-01-08T18:00:00Z",
        ]

    def test_rate_counts_from_creation_and_disable_stops_it(
        self, cloud: Cloud, events: EventBridge
    ) -> None:
        """rate(5 minutes) fires every 5 minutes after creation; disabled, it stays quiet."""
        queue = queue_for_events(cloud, "q")
        events.put_rule("tick", schedule_expression="rate(5 minutes)")
        events.put_targets("tick", [Target(id="t", arn=queue.arn)])
        cloud.clock.advance(timedelta(minutes=11))
        assert [b["time"] for b in bodies(queue)] == [
            "2024-01-05T09:12:30Z",
            "2024-01-05T09:17:30Z",
        ]
        events.disable_rule("tick")
        cloud.clock.advance(timedelta(hours=1))
        assert len(bodies(queue)) == 2
        assert not [j for j in cloud.clock.pending() if "schedule" in (j.name or "")]

    def test_scheduled_event_reaches_only_its_rule(self, cloud: Cloud, events: EventBridge) -> None:
        """A pattern rule for aws.events does not see another rule's Scheduled Event."""
        queue = queue_for_events(cloud, "q")
        events.put_rule("tick", schedule_expression="rate(1 minute)")
        events.put_rule("spy", event_pattern={"source": ["aws.events"]})
        events.put_targets("spy", [Target(id="t", arn=queue.arn)])
        cloud.clock.advance(timedelta(minutes=3))
        assert bodies(queue) == []


class TestTargets:
    def test_queue_without_policy_gets_nothing(self, cloud: Cloud, events: EventBridge) -> None:
        """Errata: EventBridge needs the queue policy; without it the failure is visible."""
        queue = queue_for_events(cloud, "q", policy=False)
        events.put_rule("r", event_pattern={"source": ["shop"]})
        events.put_targets("r", [Target(id="t", arn=queue.arn)])
        events.put_events([entry()])
        assert bodies(queue) == []
        (failure,) = events.failed_invocations
        assert (failure.error_code, failure.outcome, failure.attempt) == (
            "NO_PERMISSIONS",
            "dropped",
            1,
        )
        cloud.clock.run_pending()  # metrics are published by a clock job of this instant
        metric = cloud.cloudwatch.get_metric_statistics(
            "AWS/Events",
            "FailedInvocations",
            start_time=cloud.clock.now() - timedelta(minutes=1),
            end_time=cloud.clock.now() + timedelta(minutes=1),
            period=60,
            statistics=["Sum"],
            dimensions={"RuleName": "r"},
        )
        assert [p.statistics["Sum"] for p in metric.datapoints] == [1.0]

    def test_retry_then_dead_letter(self, cloud: Cloud, events: EventBridge) -> None:
        """A throttled target is retried with back-off, then the event goes to the DLQ."""
        target = queue_for_events(cloud, "target")
        dlq = queue_for_events(cloud, "dlq")
        events.put_rule("r", event_pattern={"source": ["shop"]})
        events.put_targets(
            "r",
            [
                Target(
                    id="t",
                    arn=target.arn,
                    retry_policy=RetryPolicy(maximum_retry_attempts=3),
                    dead_letter_arn=dlq.arn,
                )
            ],
        )
        events.fail_target(target.arn, "THROTTLING", "Rate exceeded.")
        (event_id,) = events.put_events([entry()]).event_ids
        assert [i.outcome for i in events.invocations] == ["retrying"]
        cloud.clock.advance(timedelta(minutes=5))
        attempts = [i for i in events.invocations if i.event_id == event_id]
        assert [i.attempt for i in attempts] == [1, 2, 3, 4]
        assert [i.outcome for i in attempts] == ["retrying"] * 3 + ["dead-lettered"]
        assert all(b.at > a.at for a, b in itertools.pairwise(attempts))
        (message,) = dlq.messages.values()
        assert json.loads(message.body)["id"] == event_id
        assert {k: v.string_value for k, v in message.message_attributes.items()} == {
            "RULE_ARN": "arn:aws:events:us-east-1:123456789012:rule/r",
            "TARGET_ARN": target.arn,
            "ERROR_CODE": "THROTTLING",
            "ERROR_MESSAGE": "Rate exceeded.",
            "RETRY_ATTEMPTS": "3",
            "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
        }
        assert bodies(target) == []

    def test_transient_failure_then_success(self, cloud: Cloud, events: EventBridge) -> None:
        """Two throttled attempts, then the retry gets through."""
        queue = queue_for_events(cloud, "q")
        events.put_rule("r", event_pattern={"source": ["shop"]})
        events.put_targets("r", [Target(id="t", arn=queue.arn)])
        events.fail_target(queue.arn, "TIMEOUT", times=2)
        events.put_events([entry()])
        cloud.clock.advance(60)
        assert [(i.attempt, i.succeeded) for i in events.invocations] == [
            (1, False),
            (2, False),
            (3, True),
        ]
        assert len(bodies(queue)) == 1

    def test_event_age_limit(self, cloud: Cloud, events: EventBridge) -> None:
        """With a 60 s age limit, retries stop when the next would be too late."""
        dlq = queue_for_events(cloud, "dlq")
        events.put_rule("r", event_pattern={"source": ["shop"]})
        arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m"
        policy = RetryPolicy(maximum_event_age=timedelta(seconds=60))
        events.put_targets(
            "r", [Target(id="t", arn=arn, retry_policy=policy, dead_letter_arn=dlq.arn)]
        )
        events.fail_target(arn, "INTERNAL_ERROR", "boom")
        events.put_events([entry()])
        cloud.clock.advance(timedelta(minutes=10))
        (message,) = dlq.messages.values()
        assert message.message_attributes["EXHAUSTED_RETRY_CONDITION"].string_value == (
            "MaximumEventAgeInSeconds"
        )
        assert events.invocations[-1].at - events.invocations[0].at <= timedelta(seconds=60)

    def test_missing_target_goes_straight_to_dlq(self, cloud: Cloud, events: EventBridge) -> None:
        """NO_RESOURCE is not retried; the DLQ message has no EXHAUSTED_RETRY_CONDITION."""
        dlq = queue_for_events(cloud, "dlq")
        events.put_rule("r", event_pattern={"source": ["shop"]})
        gone = "arn:aws:sqs:us-east-1:123456789012:gone"
        events.put_targets("r", [Target(id="t", arn=gone, dead_letter_arn=dlq.arn)])
        events.put_events([entry()])
        (message,) = dlq.messages.values()
        attributes = {k: v.string_value for k, v in message.message_attributes.items()}
        assert attributes["ERROR_CODE"] == "NO_RESOURCE" and attributes["RETRY_ATTEMPTS"] == "0"
        assert "EXHAUSTED_RETRY_CONDITION" not in attributes

    def test_fifo_queue_needs_a_message_group(self, cloud: Cloud, events: EventBridge) -> None:
        """A FIFO queue target needs SqsParameters; with it, messages carry the group id."""
        queue = cloud.sqs.create_queue("jobs.fifo", attributes={"FifoQueue": "true"})
        cloud.sqs.set_queue_attributes(
            queue.url,
            {
                "Policy": json.dumps(
                    {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "events.amazonaws.com"},
                                "Action": "sqs:SendMessage",
                                "Resource": queue.arn,
                            }
                        ]
                    }
                )
            },
        )
        events.put_rule("r", event_pattern={"source": ["shop"]})
        with pytest.raises(
            ValidationException,
            match=r"^ValidationException: Parameter\(s\) SqsParameters must be specified for "
            r"target: t\.$",
        ):
            events.put_targets("r", [Target(id="t", arn=queue.arn)])
        events.put_targets("r", [Target(id="t", arn=queue.arn, message_group_id="g1")])
        (event_id,) = events.put_events([entry()]).event_ids
        (message,) = queue.messages.values()
        assert (message.group_id, message.deduplication_id) == ("g1", event_id)

    def test_input_transformer_and_failed_transformation(
        self, cloud: Cloud, events: EventBridge
    ) -> None:
        """The target receives the template's output; invalid JSON output delivers nothing."""
        queue = queue_for_events(cloud, "q")
        events.put_rule("r", event_pattern={"source": ["shop"]})
        events.put_targets(
            "r",
            [
                Target(
                    id="good",
                    arn=queue.arn,
                    input_paths_map={"n": "$.detail.n"},
                    input_template='{"n": <n>, "rule": <aws.events.rule-name>}',
                ),
                Target(
                    id="bad",
                    arn=queue.arn,
                    input_paths_map={"d": "$.detail"},
                    input_template='{"d": "<d>"}',
                ),
            ],
        )
        events.put_events([entry(detail='{"n": 7}')])
        assert bodies(queue) == [{"n": 7, "rule": "r"}]
        (failure,) = events.failed_invocations
        assert (failure.target_id, failure.error_code) == ("bad", "INVALID_JSON")

    def test_lambda_target_needs_permission(self, cloud: Cloud, events: EventBridge) -> None:
        """The function is called with the event once its policy allows events.amazonaws.com."""
        seen: list[Any] = []
        function = cloud.lambda_.register("handler", lambda event, context: seen.append(event))
        events.put_rule("r", event_pattern={"source": ["shop"]})
        rule_arn = events.rule("r").arn
        events.put_targets("r", [Target(id="f", arn=function.arn)])
        events.put_events([entry()])
        assert seen == [] and events.failed_invocations[0].error_code == "NO_PERMISSIONS"
        cloud.lambda_.add_permission(
            "handler",
            "events",
            "lambda:InvokeFunction",
            "events.amazonaws.com",
            source_arn=rule_arn,
        )
        events.put_events([entry(detail='{"k": 1}')])
        assert [e["detail"] for e in seen] == [{"k": 1}]


class TestServiceTargets:
    def test_kinesis_partition_key_path(self, cloud: Cloud, events: EventBridge) -> None:
        """A Kinesis target gets the event with the partition key PartitionKeyPath selects."""
        kinesis = cloud.client("kinesis")
        kinesis.create_stream(StreamName="s", ShardCount=1)
        cloud.clock.advance(60)
        summary = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
        events.put_rule("r", event_pattern={"source": ["shop"]})
        target = Target(id="k", arn=summary["StreamARN"], partition_key_path="$.detail.customer")
        events.put_targets("r", [target])
        (event_id,) = events.put_events([entry(detail='{"customer": "c1"}')]).event_ids
        iterator = kinesis.get_shard_iterator(
            StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        (record,) = kinesis.get_records(ShardIterator=iterator)["Records"]
        assert record["PartitionKey"] == "c1"
        assert json.loads(record["Data"])["id"] == event_id

    def test_log_group_target(self, cloud: Cloud, events: EventBridge) -> None:
        """A log group target gets one stream per event, named after the event id."""
        logs = cloud.client("logs")
        logs.create_log_group(logGroupName="/aws/events/shop")
        logs.put_resource_policy(
            policyName="events", policyDocument=guides.events_to_logs("us-east-1", "123456789012")
        )
        arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/shop:*"
        events.put_rule("r", event_pattern={"source": ["shop"]})
        events.put_targets("r", [Target(id="l", arn=arn)])
        (event_id,) = events.put_events([entry()]).event_ids
        (logged,) = logs.filter_log_events(logGroupName="/aws/events/shop")["events"]
        assert logged["logStreamName"] == event_id
        assert json.loads(logged["message"])["id"] == event_id

    def test_sns_topic_needs_its_policy(self, cloud: Cloud, events: EventBridge) -> None:
        """SNS's default topic policy does not let EventBridge publish; a statement does."""
        topic = cloud.sns.create_topic("alerts")
        subscriber = cloud.sns.subscribe(topic.arn, "email", "ops@example.com")
        assert subscriber is not None
        events.put_rule("r", event_pattern={"source": ["shop"]})
        events.put_targets("r", [Target(id="t", arn=topic.arn)])
        events.put_events([entry()])
        assert events.failed_invocations[0].error_code == "NO_PERMISSIONS"
        statement = {
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": topic.arn,
        }
        cloud.sns.set_topic_attributes(
            topic.arn, "Policy", json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        )
        (event_id,) = events.put_events([entry()]).event_ids
        (delivery,) = cloud.sns.deliveries
        assert json.loads(delivery.message)["id"] == event_id


class TestBusTargets:
    def test_forward_to_another_accounts_bus(self, cloud: Cloud) -> None:
        """A rule sends to another account's bus once that bus's policy allows the sender."""
        sender, receiver = cloud.events, cloud.account(OTHER).events
        inbox = cloud.account(OTHER).sqs.create_queue("inbox")
        receiver.enforce_target_policies = False
        receiver.put_rule("in", event_pattern={"source": ["shop"]})
        receiver.put_targets("in", [Target(id="q", arn=inbox.arn)])
        sender.put_rule("out", event_pattern={"source": ["shop"]})
        sender.put_targets("out", [Target(id="bus", arn=receiver.bus().arn)])
        sender.put_events([entry()])
        assert sender.failed_invocations[0].error_code == "NO_PERMISSIONS"
        receiver.put_permission(
            action="events:PutEvents", principal="123456789012", statement_id="s"
        )
        (event_id,) = sender.put_events([entry()]).event_ids
        (body,) = bodies(inbox)
        assert (body["id"], body["account"]) == (event_id, "123456789012")

    def test_no_third_hop(self, cloud: Cloud) -> None:
        """An event from another bus is not sent on to a third: THIRD_ACCOUNT_HOP_DETECTED."""
        first, second = cloud.events, cloud.account(OTHER).events
        third = cloud.account("111122223333").events
        for bus_owner, sender in ((second, "123456789012"), (third, OTHER)):
            bus_owner.put_permission(action="events:PutEvents", principal=sender, statement_id="s")
        first.put_rule("out", event_pattern={"source": ["shop"]})
        first.put_targets("out", [Target(id="b", arn=second.bus().arn)])
        second.put_rule("on", event_pattern={"source": ["shop"]})
        second.put_targets("on", [Target(id="b", arn=third.bus().arn)])
        first.put_events([entry()])
        (failure,) = second.failed_invocations
        assert failure.error_code == "THIRD_ACCOUNT_HOP_DETECTED"

    def test_cross_account_bus_target_takes_no_input(self, events: EventBridge) -> None:
        """Input settings are refused on another account's bus."""
        events.put_rule("r", event_pattern={"source": ["shop"]})
        with pytest.raises(ValidationException, match="Modifying the input for target b"):
            events.put_targets(
                "r",
                [
                    Target(
                        id="b",
                        arn=f"arn:aws:events:us-east-1:{OTHER}:event-bus/default",
                        input="{}",
                    )
                ],
            )


class TestTestEventPattern:
    def test_matches_and_validation(self, events: EventBridge) -> None:
        """TestEventPattern answers the pattern's verdict and refuses events AWS refuses."""
        event = {
            "id": "1",
            "account": "1",
            "source": "a",
            "time": "t",
            "region": "r",
            "detail-type": "d",
        }
        assert events.test_event_pattern('{"source": ["a"]}', json.dumps(event))
        assert not events.test_event_pattern('{"source": ["b"]}', json.dumps(event))
        for bad in ('"text"', "[]", json.dumps({k: v for k, v in event.items() if k != "id"})):
            with pytest.raises(
                ValidationException, match=r"^ValidationException: Parameter Event is not valid\.$"
            ):
                events.test_event_pattern('{"source": ["a"]}', bad)
        with pytest.raises(InvalidEventPatternException):
            events.test_event_pattern('{"source": "a"}', json.dumps(event))


# --------------------------------------------------------------------------- properties

_VALUES = st.one_of(
    st.sampled_from(["a", "b", "ab", "B", "10.0.0.1"]), st.integers(-3, 3), st.booleans(), st.none()
)
_MATCHERS = st.one_of(
    _VALUES,
    st.builds(lambda p: {"prefix": p}, st.sampled_from(["a", "b", ""])),
    st.builds(lambda v: {"anything-but": v}, st.sampled_from(["a", "b"])),
    st.builds(lambda n: {"numeric": [">", n]}, st.integers(-3, 3)),
    st.builds(lambda e: {"exists": e}, st.booleans()),
    st.builds(lambda v: {"equals-ignore-case": v}, st.sampled_from(["A", "b"])),
)
_FIELDS = st.sampled_from(["x", "y", "z"])
_PATTERNS = st.dictionaries(
    _FIELDS, st.lists(_MATCHERS, min_size=1, max_size=3), min_size=1, max_size=2
)
_DETAILS = st.dictionaries(_FIELDS, st.one_of(_VALUES, st.lists(_VALUES, max_size=3)), max_size=3)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    patterns=st.lists(_PATTERNS, min_size=1, max_size=8),
    details=st.lists(_DETAILS, min_size=1, max_size=5),
)
def test_delivery_agrees_with_naive_matching(
    patterns: list[dict[str, Any]], details: list[dict[str, Any]]
) -> None:
    """Every rule's target gets exactly the events its pattern matches, one by one."""
    cloud = Cloud()
    cloud.cloudtrail.forward_to_eventbridge = False  # only the events put below
    events: EventBridge = cloud.events
    events.enforce_target_policies = False
    events.publish_metrics = False
    compiled = []
    for n, detail_pattern in enumerate(patterns):
        pattern = {"detail": detail_pattern}
        compiled.append(EventPattern.parse(pattern))
        events.put_rule(f"r{n}", event_pattern=pattern)
        events.put_targets(
            f"r{n}",
            [Target(id="t", arn=f"arn:aws:states:us-east-1:123456789012:stateMachine:m{n}")],
        )
    result = events.put_events([entry(detail=json.dumps(d)) for d in details[:10]])
    delivered = {(i.target_arn.rsplit(":", 1)[1], i.event_id) for i in events.invocations}
    expected = set()
    for detail, event_id in zip(details, result.event_ids, strict=False):
        event = {"source": "shop", "detail-type": "Order", "detail": detail}
        for n, pattern in enumerate(compiled):
            if pattern.matches(event):
                expected.add((f"m{n}", event_id))
    assert delivered == expected


@settings(max_examples=50)
@given(
    kinds=st.lists(
        st.sampled_from(["good", "no-source", "bad-detail", "aws"]), min_size=1, max_size=10
    )
)
def test_put_events_results_follow_entry_order(kinds: list[str]) -> None:
    """Each result stands where its entry stood; only the good ones get ids."""
    events: EventBridge = Cloud().events
    make = {
        "good": entry(),
        "no-source": entry(source=None),
        "bad-detail": entry(detail="[1]"),
        "aws": entry(source="aws.s3"),
    }
    result = events.put_events([make[k] for k in kinds])
    assert [e.event_id is not None for e in result.entries] == [k == "good" for k in kinds]
    assert result.failed_entry_count == sum(k != "good" for k in kinds)
    assert len(set(result.event_ids)) == kinds.count("good")
