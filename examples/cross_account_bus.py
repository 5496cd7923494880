"""Story: a custom event bus that receives events from another account.

The shop account (111111111111) sends order events straight to the analytics
account's (222222222222) bus ``orders``. Before the bus's resource policy lets
it, the rule in the shop account delivers nothing: EventBridge records a
failed invocation. After ``put_permission``, the events arrive and match the
analytics rule, which feeds an SQS queue.

Run: ``python examples/cross_account_bus.py`` (output kept in ``cross_account_bus.out``).
"""

from __future__ import annotations

import json
from datetime import timedelta

from awsmon import Cloud

SHOP, ANALYTICS = "111111111111", "222222222222"


def main() -> None:
    """Forward the shop's order events to the analytics bus, before and after the policy."""
    cloud = Cloud(seed=9)
    shop, analytics = cloud.account(SHOP), cloud.account(ANALYTICS)

    # The analytics account: a bus, a rule on it, a queue the rule feeds.
    bus_arn = analytics.client("events").create_event_bus(Name="orders")["EventBusArn"]
    sqs = analytics.client("sqs")
    queue_url = sqs.create_queue(QueueName="orders-in")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    rule_arn = analytics.client("events").put_rule(
        Name="big-orders",
        EventBusName="orders",
        EventPattern=json.dumps(
            {"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}
        ),
    )["RuleArn"]
    sqs.set_queue_attributes(
        QueueUrl=queue_url,
        Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}]})},
    )  # fmt: skip
    analytics.client("events").put_targets(
        Rule="big-orders", EventBusName="orders", Targets=[{"Id": "q", "Arn": queue_arn}]
    )

    # The shop account: its default bus forwards every shop event to the analytics bus.
    events = shop.client("events")
    events.put_rule(Name="to-analytics", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="to-analytics", Targets=[{"Id": "bus", "Arn": bus_arn}])

    def order(total: int) -> None:
        events.put_events(Entries=[{"Source": "shop", "DetailType": "OrderPlaced",
                                    "Detail": json.dumps({"total": total})}])  # fmt: skip
        cloud.clock.advance(timedelta(minutes=1))

    order(250)
    failed = cloud.account(SHOP).region("us-east-1").events.failed_invocations
    print(f"before the bus policy: {len(failed)} failed delivery, {failed[0].error_code}")
    assert failed and failed[0].error_code == "NO_PERMISSIONS"

    analytics.client("events").put_permission(
        EventBusName="orders", Action="events:PutEvents", Principal=SHOP, StatementId="shop"
    )
    print("analytics lets the shop account put events on bus orders")
    for total in (250, 40, 180):
        order(total)

    bodies = [json.loads(m["Body"]) for m in sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]]  # fmt: skip
    for body in bodies:
        print(f"  analytics queue got order total {body['detail']['total']} "
              f"from account {body['account']}")  # fmt: skip
    assert sorted(b["detail"]["total"] for b in bodies) == [180, 250]


if __name__ == "__main__":
    main()
