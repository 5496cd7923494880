"""Tests of awsmon/events/api_sources.py: partner event sources through boto3."""

from __future__ import annotations

import json
from typing import Any

import boto3
from events_boto import ACCOUNT, OTHER, call, make_queue, receive

from awsmon import Cloud


class TestPartnerEventSources:
    def test_partner_event_source_flow(self, cloud: Cloud, events: Any, sqs: Any) -> None:
        """A partner's source is PENDING until the customer's bus exists; then events flow."""
        name = "aws.partner/example.com/123/orders"
        with cloud.as_principal(f"arn:aws:iam::{OTHER}:root"):
            partner = boto3.client("events")
            created = call(partner, "CreatePartnerEventSource", Name=name, Account=ACCOUNT)
        assert created["EventSourceArn"] == f"arn:aws:events:us-east-1::event-source/{name}"
        assert call(events, "DescribeEventSource", Name=name)["State"] == "PENDING"
        call(events, "CreateEventBus", Name=name, EventSourceName=name)
        assert call(events, "ListEventSources")["EventSources"][0]["State"] == "ACTIVE"
        url, arn = make_queue(sqs, "q")
        call(
            events,
            "PutRule",
            Name="r",
            EventBusName=name,
            EventPattern='{"source": [{"prefix": "aws.partner/"}]}',
        )
        call(events, "PutTargets", Rule="r", EventBusName=name, Targets=[{"Id": "q", "Arn": arn}])
        with cloud.as_principal(f"arn:aws:iam::{OTHER}:root"):
            sent = call(
                partner,
                "PutPartnerEvents",
                Entries=[{"Source": name, "DetailType": "Order", "Detail": '{"n": 1}'}],
            )
            accounts = call(partner, "ListPartnerEventSourceAccounts", EventSourceName=name)
        assert sent["FailedEntryCount"] == 0
        assert accounts["PartnerEventSourceAccounts"][0]["Account"] == ACCOUNT
        (message,) = receive(sqs, url)
        assert json.loads(message["Body"])["account"] == ACCOUNT
