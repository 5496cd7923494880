"""Shared data for the X-Ray tests: the developer guide's Scorekeep trace (reference E8.6)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from awsmon import Cloud, VirtualClock

TRACE_ID = "1-59602603-23fc5b688855d396af79b496"
ROOT_START = 1499473411.562
ROOT_END = 1499473414.794


def scorekeep_documents() -> list[dict[str, Any]]:
    """The three uploaded segments of the guide's BatchGetTraces example (E8.6)."""
    root = {
        "id": "47293a2c1ed22c1d",
        "name": "Scorekeep",
        "start_time": ROOT_START,
        "end_time": ROOT_END,
        "trace_id": TRACE_ID,
        "origin": "AWS::ElasticBeanstalk::Environment",
        "user": "5M388M1E",
        "http": {
            "request": {
                "url": "http://scorekeep.elasticbeanstalk.com/api/user",
                "method": "POST",
                "user_agent": "Mozilla/5.0 (Windows NT 6.1; Win64; x64)",
                "client_ip": "205.251.233.183",
            },
            "response": {"status": 200},
        },
        "aws": {
            "elastic_beanstalk": {
                "version_label": "app-abb9-170708_002045",
                "deployment_id": 406,
                "environment_name": "scorekeep-dev",
            }
        },
        "subsegments": [
            {
                "id": "0c544c1b1bbff948",
                "name": "Lambda",
                "start_time": 1499473411.592,
                "end_time": 1499473414.699,
                "http": {"response": {"status": 200, "content_length": 14}},
                "aws": {
                    "operation": "Invoke",
                    "region": "us-west-2",
                    "function_name": "random-name",
                    "request_id": "ac086670-6373-11e7-a174-f31b3397f190",
                },
                "namespace": "aws",
            },
            {
                "id": "071684f2e555e571",
                "name": "## UserModel.saveUser",
                "start_time": 1499473414.581,
                "end_time": 1499473414.769,
                "subsegments": [
                    {
                        "id": "4cd3f10b76c624b4",
                        "name": "DynamoDB",
                        "start_time": 1499473414.582,
                        "end_time": 1499473414.769,
                        "http": {"response": {"status": 200, "content_length": 57}},
                        "aws": {
                            "table_name": "scorekeep-user",
                            "operation": "UpdateItem",
                            "request_id": "3AIENM5J4ELQ3SPODHKBIRVIC3VV4KQNSO5AEMVJF66Q9ASUAAJG",
                            "resource_names": ["scorekeep-user"],
                        },
                        "namespace": "aws",
                    }
                ],
            },
        ],
    }
    lambda_service = {
        "id": "1fb07842d944e714",
        "name": "random-name",
        "start_time": 1499473411.594,
        "end_time": 1499473414.698,
        "parent_id": "0c544c1b1bbff948",
        "trace_id": TRACE_ID,
        "origin": "AWS::Lambda",
        "http": {"response": {"status": 200}},
        "aws": {"request_id": "ac086670-6373-11e7-a174-f31b3397f190"},
        "resource_arn": "arn:aws:lambda:us-west-2:123456789012:function:random-name",
    }
    function = {
        "id": "194fcc8747581230",
        "name": "random-name",
        "start_time": 1499473411.985,
        "end_time": 1499473414.698,
        "parent_id": "1fb07842d944e714",
        "trace_id": TRACE_ID,
        "origin": "AWS::Lambda::Function",
        "aws": {"function_arn": "arn:aws:lambda:us-west-2:123456789012:function:random-name"},
        "subsegments": [
            {
                "id": "00f9a1e5d0e6d25b",
                "name": "annotations",
                "start_time": 1499473412.003,
                "end_time": 1499473412.027,
                "annotations": {"UserID": "5M388M1E", "Name": "Ola"},
            },
            {
                "id": "b29b548af4d54a0f",
                "name": "SNS",
                "start_time": 1499473414.567,
                "end_time": 1499473414.697,
                "namespace": "aws",
                "http": {"response": {"status": 200}},
                "aws": {
                    "operation": "Publish",
                    "region": "us-west-2",
                    "request_id": "a2137970-f6fc-5029-83e8-28aadeb99198",
                    "topic_arn": "arn:aws:sns:us-west-2:123456789012:scorekeep-notifications",
                },
            },
            {
                "id": "0b1ab5e7ea65ec4a",
                "name": "Initialization",
                "start_time": 1499473411.972,
                "end_time": 1499473411.985,
                "aws": {
                    "function_arn": "arn:aws:lambda:us-west-2:123456789012:function:random-name"
                },
            },
        ],
    }
    return [root, lambda_service, function]


def at_scorekeep_time() -> Cloud:
    """A cloud whose clock stands one minute after the Scorekeep trace."""
    return Cloud(clock=VirtualClock(start=datetime(2017, 7, 8, 0, 24, 30, tzinfo=UTC)))


@pytest.fixture
def scorekeep_docs() -> list[dict[str, Any]]:
    """Fresh copies of the Scorekeep documents."""
    return scorekeep_documents()


@pytest.fixture
def scorekeep() -> Cloud:
    """A cloud holding the Scorekeep trace (uploaded as JSON strings, in reverse order)."""
    cloud = at_scorekeep_time()
    docs = [json.dumps(d) for d in reversed(scorekeep_documents())]
    assert cloud.xray.put_trace_segments(docs) == []
    return cloud
