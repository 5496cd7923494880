"""Every call becomes a CloudTrail record with AWS's fields, whichever layer made it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest

from awsmon import Cloud, registry
from awsmon.cloudtrail import classify, render
from awsmon.cloudtrail.classify import Category, is_classified
from awsmon.identity import Principal


def _record(cloud: Cloud, name: str) -> dict[str, Any]:
    found = cloud.cloudtrail.events(name=name)
    assert found, f"no {name} recorded"
    return render(found[-1])


class TestClassification:
    def test_every_registered_operation_is_classified(self) -> None:
        """The table names every operation every service's wire API handles."""
        missing = [
            f"{spec.botocore_name}.{op}"
            for spec in registry.specs()
            for op in spec.load_api().operations
            if not is_classified(spec.botocore_name, op)
        ]
        assert missing == []

    @pytest.mark.parametrize(
        ("service", "operation", "category", "read_only"),
        [
            ("ec2", "RunInstances", Category.MANAGEMENT, False),
            ("ec2", "DescribeInstances", Category.MANAGEMENT, True),
            ("s3", "PutObject", Category.DATA, False),
            ("s3", "ListBuckets", Category.MANAGEMENT, True),
            ("lambda", "Invoke", Category.DATA, False),
            ("sns", "Publish", Category.DATA, False),
            ("cloudwatch", "PutMetricData", Category.DATA, False),
            ("cloudtrail", "LookupEvents", Category.MANAGEMENT, True),
        ],
    )
    def test_examples(
        self, service: str, operation: str, category: Category, read_only: bool
    ) -> None:
        """Operations are classified as AWS's documentation lists them."""
        found = classify(service, operation)
        assert found is not None
        assert (found.category, found.read_only) == (category, read_only)

    def test_not_logged(self) -> None:
        """Firehose's PutRecord is not logged at all."""
        assert classify("firehose", "PutRecord") is None


class TestRecordFields:
    def test_recording_is_on_before_anyone_touches_cloudtrail(self) -> None:
        """A call made first thing in a new cloud is recorded."""
        cloud = Cloud()
        cloud.client("logs").create_log_group(logGroupName="first")
        assert [r.operation for r in cloud.cloudtrail.events()] == ["CreateLogGroup"]

    def test_root_write_through_the_wire(self, cloud: Cloud) -> None:
        """A write records its parameters, null responseElements when empty, and the root."""
        cloud.client("logs").create_log_group(logGroupName="app")
        record = _record(cloud, "CreateLogGroup")
        assert record["eventVersion"] == "1.08"
        assert record["userIdentity"] == {
            "type": "Root",
            "principalId": "123456789012",
            "arn": "arn:aws:iam::123456789012:root",
            "accountId": "123456789012",
        }
        assert record["eventSource"] == "logs.amazonaws.com"
        assert record["requestParameters"] == {"logGroupName": "app"}
        assert record["responseElements"] is None
        assert record["readOnly"] is False
        assert record["managementEvent"] is True
        assert record["eventCategory"] == "Management"
        assert record["eventType"] == "AwsApiCall"
        assert record["recipientAccountId"] == "123456789012"
        assert record["eventTime"].endswith("Z")

    def test_key_order_follows_aws_samples(self, cloud: Cloud) -> None:
        """Keys come in the order of AWS's sample records."""
        cloud.client("logs").create_log_group(logGroupName="app")
        keys = list(_record(cloud, "CreateLogGroup"))
        assert keys[:8] == [
            "eventVersion",
            "userIdentity",
            "eventTime",
            "eventSource",
            "eventName",
            "awsRegion",
            "sourceIPAddress",
            "userAgent",
        ]
        assert keys.index("requestID") < keys.index("eventID") < keys.index("eventCategory")

    def test_read_has_null_response(self, cloud: Cloud) -> None:
        """Reads record requestParameters but never responseElements."""
        cloud.client("logs").create_log_group(logGroupName="app")
        cloud.client("logs").describe_log_groups(logGroupNamePrefix="a")
        record = _record(cloud, "DescribeLogGroups")
        assert record["readOnly"] is True
        assert record["requestParameters"] == {"logGroupNamePrefix": "a"}
        assert record["responseElements"] is None

    def test_write_response_elements(self, cloud: Cloud) -> None:
        """A write's response is recorded with members as CloudTrail writes them."""
        cloud.client("sns").create_topic(Name="alerts")
        record = _record(cloud, "CreateTopic")
        assert record["responseElements"] == {
            "topicArn": "arn:aws:sns:us-east-1:123456789012:alerts"
        }
        assert record["requestParameters"] == {"name": "alerts"}

    def test_failed_call_carries_its_error(self, cloud: Cloud) -> None:
        """A failed call records errorCode and errorMessage, and no response."""
        with pytest.raises(Exception, match="ResourceNotFoundException"):
            cloud.client("logs").delete_log_group(logGroupName="missing")
        record = _record(cloud, "DeleteLogGroup")
        assert record["errorCode"] == "ResourceNotFoundException"
        assert record["errorMessage"] == "The specified log group does not exist."
        assert record["responseElements"] is None

    def test_domain_call_is_recorded(self, cloud: Cloud) -> None:
        """A domain method standing for an operation is recorded like a wire call."""
        cloud.logs.create_log_group("domain-group")
        record = _record(cloud, "CreateLogGroup")
        assert record["requestParameters"]["logGroupName"] == "domain-group"
        assert record["userAgent"] == "awsmon/0.1.0 (domain)"

    def test_iam_user(self, cloud: Cloud) -> None:
        """An IAM user is named with its user name and AIDA principal id."""
        with cloud.as_principal("arn:aws:iam::123456789012:user/Alice"):
            cloud.client("logs").create_log_group(logGroupName="app")
        identity = _record(cloud, "CreateLogGroup")["userIdentity"]
        assert identity["type"] == "IAMUser"
        assert identity["userName"] == "Alice"
        assert identity["principalId"].startswith("AIDA")
        assert identity["arn"] == "arn:aws:iam::123456789012:user/Alice"

    def test_assumed_role_names_its_session_and_issuer(self, cloud: Cloud) -> None:
        """An assumed role carries sessionContext.sessionIssuer, the role itself."""
        arn = "arn:aws:sts::123456789012:assumed-role/Deployer/ci-run-7"
        with cloud.as_principal(arn):
            cloud.client("logs").create_log_group(logGroupName="app")
        identity = _record(cloud, "CreateLogGroup")["userIdentity"]
        assert identity["type"] == "AssumedRole"
        assert identity["arn"] == arn
        assert identity["principalId"].endswith(":ci-run-7")
        issuer = identity["sessionContext"]["sessionIssuer"]
        assert issuer["type"] == "Role"
        assert issuer["arn"] == "arn:aws:iam::123456789012:role/Deployer"
        assert issuer["userName"] == "Deployer"
        assert identity["principalId"].startswith(issuer["principalId"] + ":")

    def test_service_principal_is_invoked_by(self, cloud: Cloud) -> None:
        """A call an AWS service makes is recorded as AWSService with invokedBy."""
        with cloud.as_principal(Principal.service("events.amazonaws.com", "123456789012")):
            cloud.logs.create_log_group("from-events")
        record = _record(cloud, "CreateLogGroup")
        assert record["userIdentity"] == {
            "type": "AWSService",
            "invokedBy": "events.amazonaws.com",
        }
        assert record["sourceIPAddress"] == "events.amazonaws.com"
        assert record["userAgent"] == "events.amazonaws.com"

    def test_data_event_resources(self, cloud: Cloud) -> None:
        """A data event names its resource (an S3 object ARN)."""
        s3 = cloud.client("s3")
        s3.create_bucket(Bucket="bucket-one")
        s3.put_object(Bucket="bucket-one", Key="k/1.txt", Body=b"x")
        record = _record(cloud, "PutObject")
        assert record["eventCategory"] == "Data"
        assert record["managementEvent"] is False
        assert record["resources"] == [
            {
                "accountId": "123456789012",
                "type": "AWS::S3::Object",
                "ARN": "arn:aws:s3:::bucket-one/k/1.txt",
            }
        ]
        assert "body" not in record["requestParameters"]

    def test_not_logged_operation_leaves_no_record(self, cloud: Cloud) -> None:
        """Firehose PutRecord calls are not recorded."""
        before = len(cloud.cloudtrail.events())
        record_type = classify("firehose", "PutRecord")
        assert record_type is None
        assert len(cloud.cloudtrail.events()) == before

    def test_other_region_has_its_own_records(self, cloud: Cloud) -> None:
        """Each region keeps the calls made there."""
        cloud.client("logs", "eu-west-3").create_log_group(logGroupName="paris")
        assert cloud.cloudtrail.events(name="CreateLogGroup") == []
        paris = cloud.region("eu-west-3").cloudtrail.events(name="CreateLogGroup")
        assert [render(r)["awsRegion"] for r in paris] == ["eu-west-3"]


class TestThroughBoto3:
    def test_boto3_user_agent_and_access_key(self, awsmon_boto3: Cloud) -> None:
        """boto3 calls record boto3's User-Agent, the access key and tlsDetails."""
        logs = boto3.client(
            "logs", aws_access_key_id="AKIAEXAMPLE123", aws_secret_access_key="secret"
        )
        logs.create_log_group(logGroupName="via-boto3")
        record = _record(awsmon_boto3, "CreateLogGroup")
        assert record["userAgent"].startswith("Boto3/")
        assert record["userIdentity"]["accessKeyId"] == "AKIAEXAMPLE123"
        assert record["tlsDetails"]["clientProvidedHostHeader"] == "logs.us-east-1.amazonaws.com"

    def test_assumed_role_credentials_through_boto3(self, awsmon_boto3: Cloud) -> None:
        """Calls with AssumeRole credentials are recorded as the assumed role, with its key."""
        sts = boto3.client("sts")
        creds = sts.assume_role(
            RoleArn="arn:aws:iam::123456789012:role/Auditor", RoleSessionName="alice"
        )["Credentials"]
        logs = boto3.client(
            "logs",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        logs.create_log_group(logGroupName="as-role")
        awsmon_boto3.clock.advance(timedelta(minutes=5))
        page = boto3.client("cloudtrail").lookup_events(
            LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "alice"}]
        )
        assert [e["EventName"] for e in page["Events"]] == ["CreateLogGroup"]
        event = json.loads(page["Events"][0]["CloudTrailEvent"])
        assert event["userIdentity"]["type"] == "AssumedRole"
        assert event["userIdentity"]["accessKeyId"] == creds["AccessKeyId"]
        assert page["Events"][0]["AccessKeyId"] == creds["AccessKeyId"]


class TestCallsServicesMake:
    def test_alarm_publishing_to_sns_is_invoked_by_cloudwatch(self, cloud: Cloud) -> None:
        """An alarm's SNS action is recorded as CloudWatch's own call (AWSService)."""
        topic = cloud.client("sns").create_topic(Name="pager")["TopicArn"]
        cloudwatch = cloud.client("cloudwatch")
        cloudwatch.put_metric_alarm(
            AlarmName="high",
            MetricName="m",
            Namespace="n",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[topic],
        )
        cloudwatch.set_alarm_state(AlarmName="high", StateValue="ALARM", StateReason="test")
        publishes = cloud.cloudtrail.events(name="Publish")
        assert publishes, "the alarm published nothing"
        record = render(publishes[-1])
        assert record["userIdentity"] == {
            "type": "AWSService",
            "invokedBy": "cloudwatch.amazonaws.com",
        }
        assert record["eventCategory"] == "Data"
        assert record["resources"][0]["ARN"] == topic
