"""Trails through boto3: lifecycle, checks, S3 / Logs / SNS delivery, digests, EventBridge."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from cloudtrail_helpers import allowing, queue_for

from awsmon import Cloud
from awsmon.cloudtrail.delivery import verify_digest
from awsmon.testing.shapes import assert_shape
from awsmon.wire import snake_case

ACCOUNT = "123456789012"
TRAILS = f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"


def call(client: Any, operation: str, **params: Any) -> dict[str, Any]:
    """Call through boto3 and check the answer has botocore's shape."""
    response: dict[str, Any] = getattr(client, snake_case(operation))(**params)
    assert_shape("cloudtrail", operation, response)
    return response


def objects(cloud: Cloud, bucket: str, prefix: str = "") -> dict[str, Any]:
    """Every object of the bucket under `prefix`, gunzipped and parsed."""
    found = {}
    for key, stored in cloud.s3.bucket(bucket).objects.items():
        if key.startswith(prefix):
            found[key] = json.loads(gzip.decompress(stored.body))
    return found


@pytest.fixture
def trail_client(awsmon_boto3: Cloud) -> Any:
    awsmon_boto3.cloudtrail.history_delay = timedelta(0)
    return boto3.client("cloudtrail")


class TestTrailLifecycle:
    def test_create_trail_output(
        self, awsmon_boto3: Cloud, trail_client: Any, trail_bucket: Callable[..., str]
    ) -> None:
        """CreateTrail answers as the User Guide shows; the trail is not logging yet."""
        trail_bucket(awsmon_boto3, "my-bucket")
        created = call(trail_client, "CreateTrail", Name="my-trail", S3BucketName="my-bucket")
        created.pop("ResponseMetadata")
        assert created == {
            "IncludeGlobalServiceEvents": True,
            "Name": "my-trail",
            "TrailARN": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/my-trail",
            "LogFileValidationEnabled": False,
            "IsMultiRegionTrail": False,
            "IsOrganizationTrail": False,
            "S3BucketName": "my-bucket",
        }
        assert call(trail_client, "GetTrailStatus", Name="my-trail")["IsLogging"] is False
        call(trail_client, "StartLogging", Name="my-trail")
        status = call(trail_client, "GetTrailStatus", Name="my-trail")
        assert status["IsLogging"] is True
        assert status["StartLoggingTime"] == awsmon_boto3.clock.now()
        described = call(trail_client, "DescribeTrails")["trailList"]
        assert [(t["Name"], t["HomeRegion"]) for t in described] == [("my-trail", "us-east-1")]
        assert (
            call(trail_client, "GetTrail", Name="my-trail")["Trail"]["HasCustomEventSelectors"]
            is False
        )
        assert call(trail_client, "ListTrails")["Trails"] == [
            {"TrailARN": created["TrailARN"], "Name": "my-trail", "HomeRegion": "us-east-1"}
        ]
        call(trail_client, "StopLogging", Name="my-trail")
        assert call(trail_client, "GetTrailStatus", Name="my-trail")["IsLogging"] is False
        call(trail_client, "DeleteTrail", Name="my-trail")
        assert call(trail_client, "DescribeTrails")["trailList"] == []

    def test_tags(
        self, awsmon_boto3: Cloud, trail_client: Any, trail_bucket: Callable[..., str]
    ) -> None:
        """Tags given at creation and with AddTags/RemoveTags show in ListTags."""
        trail_bucket(awsmon_boto3, "tag-bucket")
        arn = trail_client.create_trail(
            Name="tagged", S3BucketName="tag-bucket", TagsList=[{"Key": "team", "Value": "ops"}]
        )["TrailARN"]
        call(trail_client, "AddTags", ResourceId=arn, TagsList=[{"Key": "env", "Value": "prod"}])
        call(trail_client, "RemoveTags", ResourceId=arn, TagsList=[{"Key": "team"}])
        listed = call(trail_client, "ListTags", ResourceIdList=[arn])["ResourceTagList"]
        assert listed == [{"ResourceId": arn, "TagsList": [{"Key": "env", "Value": "prod"}]}]

    @pytest.mark.parametrize(
        "name",
        [
            "ab",
            "my--namespace",
            "my-_namespace",
            "-trail",
            "trail-",
            "192.168.5.4",
            "my trail",
            "a" * 129,
        ],
    )
    def test_invalid_names(self, awsmon_boto3: Cloud, trail_client: Any, name: str) -> None:
        """Names breaking the naming rules get InvalidTrailNameException."""
        with pytest.raises(ClientError) as caught:
            trail_client.create_trail(Name=name, S3BucketName="whatever-bucket")
        assert caught.value.response["Error"]["Code"] == "InvalidTrailNameException"

    def test_bucket_checks(
        self, awsmon_boto3: Cloud, trail_client: Any, trail_bucket: Callable[..., str]
    ) -> None:
        """A missing bucket, and one whose policy does not let CloudTrail write, are refused."""
        with pytest.raises(ClientError) as caught:
            trail_client.create_trail(Name="trail1", S3BucketName="no-such-bucket")
        assert caught.value.response["Error"]["Code"] == "S3BucketDoesNotExistException"
        boto3.client("s3").create_bucket(Bucket="closed-bucket")
        with pytest.raises(ClientError) as caught:
            trail_client.create_trail(Name="trail1", S3BucketName="closed-bucket")
        assert caught.value.response["Error"]["Code"] == "InsufficientS3BucketPolicyException"
        assert trail_client.describe_trails()["trailList"] == []
        trail_bucket(awsmon_boto3, "open-bucket", "logs")
        with pytest.raises(ClientError) as caught:
            trail_client.create_trail(
                Name="trail1", S3BucketName="open-bucket", S3KeyPrefix="other"
            )
        assert caught.value.response["Error"]["Code"] == "InsufficientS3BucketPolicyException"
        trail_client.create_trail(Name="trail1", S3BucketName="open-bucket", S3KeyPrefix="logs")

    def test_trail_errors(
        self, awsmon_boto3: Cloud, trail_client: Any, trail_bucket: Callable[..., str]
    ) -> None:
        """Unknown trails, duplicates, the 5-trail quota and logs flags without a role."""
        trail_bucket(awsmon_boto3, "err-bucket")
        with pytest.raises(ClientError) as caught:
            trail_client.get_trail_status(Name="myTrail2")
        assert caught.value.response["Error"]["Code"] == "TrailNotFoundException"
        assert caught.value.response["Error"]["Message"] == (
            f"Unknown trail: myTrail2 for the user: {ACCOUNT}"
        )
        for i in range(5):
            trail_client.create_trail(Name=f"trail-{i}", S3BucketName="err-bucket")
        codes = []
        for params in (
            {"Name": "trail-0", "S3BucketName": "err-bucket"},
            {"Name": "trail-5", "S3BucketName": "err-bucket"},
        ):
            with pytest.raises(ClientError) as caught:
                trail_client.create_trail(**params)
            codes.append(caught.value.response["Error"]["Code"])
        assert codes == ["TrailAlreadyExistsException", "MaximumNumberOfTrailsExceededException"]
        with pytest.raises(ClientError) as caught:
            trail_client.update_trail(
                Name="trail-0",
                CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:x:*",
            )
        assert caught.value.response["Error"]["Code"] == "InvalidParameterCombinationException"

    def test_multi_region_trail(
        self, awsmon_boto3: Cloud, trail_client: Any, trail_bucket: Callable[..., str]
    ) -> None:
        """A multi-region trail shows in other regions, delivers their events to their folder,
        and may only be changed in its home region."""
        trail_bucket(awsmon_boto3, "multi-bucket")
        trail_client.create_trail(
            Name="everywhere", S3BucketName="multi-bucket", IsMultiRegionTrail=True
        )
        trail_client.start_logging(Name="everywhere")
        paris = boto3.client("cloudtrail", region_name="eu-west-3")
        shadow = paris.describe_trails()["trailList"]
        assert [(t["Name"], t["HomeRegion"]) for t in shadow] == [("everywhere", "us-east-1")]
        assert paris.describe_trails(includeShadowTrails=False)["trailList"] == []
        with pytest.raises(ClientError) as caught:
            paris.stop_logging(Name="everywhere")
        assert caught.value.response["Error"]["Code"] == "InvalidHomeRegionException"
        boto3.client("logs", region_name="eu-west-3").create_log_group(logGroupName="paris")
        awsmon_boto3.clock.advance(timedelta(minutes=5))
        folder = f"AWSLogs/{ACCOUNT}/CloudTrail/eu-west-3/"
        files = objects(awsmon_boto3, "multi-bucket", folder)
        names = [r["eventName"] for body in files.values() for r in body["Records"]]
        assert "CreateLogGroup" in names


class TestS3Delivery:
    def test_log_files_hold_the_selected_events(
        self, awsmon_boto3: Cloud, trail_client: Any, trail_bucket: Callable[..., str]
    ) -> None:
        """Every 5 minutes a gzip JSON file at AWS's key holds the management events."""
        trail_bucket(awsmon_boto3, "trail-bucket")
        trail_client.create_trail(Name="main", S3BucketName="trail-bucket")
        trail_client.start_logging(Name="main")
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="data-bucket")
        s3.put_object(Bucket="data-bucket", Key="x", Body=b"1")
        boto3.client("logs").create_log_group(logGroupName="audit")
        awsmon_boto3.clock.advance(timedelta(minutes=5))
        files = objects(awsmon_boto3, "trail-bucket", "AWSLogs/")
        assert len(files) == 1
        key = next(iter(files))
        day = awsmon_boto3.clock.now().strftime("%Y/%m/%d")
        stamp = awsmon_boto3.clock.now().strftime("%Y%m%dT%H%MZ")
        assert key.startswith(
            f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/{day}/{ACCOUNT}_CloudTrail_us-east-1_{stamp}_"
        )
        assert key.endswith(".json.gz") and len(key.rsplit("_", 1)[1]) == len(
            "0123456789abcdef.json.gz"
        )
        names = [r["eventName"] for r in files[key]["Records"]]
        assert names == ["StartLogging", "CreateBucket", "CreateLogGroup"]
        assert "PutObject" not in names
        status = trail_client.get_trail_status(Name="main")
        assert status["LatestDeliveryTime"] == awsmon_boto3.clock.now()

    def test_data_selectors(
        self, awsmon_boto3: Cloud, trail_client: Any, trail_bucket: Callable[..., str]
    ) -> None:
        """A data resource selector adds the object calls of that bucket prefix only."""
        trail_bucket(awsmon_boto3, "trail-bucket")
        trail_client.create_trail(Name="data", S3BucketName="trail-bucket")
        selectors = call(
            trail_client,
            "PutEventSelectors",
            TrailName="data",
            EventSelectors=[
                {
                    "ReadWriteType": "WriteOnly",
                    "IncludeManagementEvents": False,
                    "DataResources": [
                        {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::images/example-"]}
                    ],
                }
            ],
        )
        assert selectors["EventSelectors"][0]["ReadWriteType"] == "WriteOnly"
        trail_client.start_logging(Name="data")
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="images")
        s3.put_object(Bucket="images", Key="example-1.png", Body=b"1")
        s3.put_object(Bucket="images", Key="other.png", Body=b"2")
        s3.get_object(Bucket="images", Key="example-1.png")
        awsmon_boto3.clock.advance(timedelta(minutes=5))
        records = [
            r for body in objects(awsmon_boto3, "trail-bucket").values() for r in body["Records"]
        ]
        assert [(r["eventName"], r["resources"][0]["ARN"]) for r in records] == [
            ("PutObject", "arn:aws:s3:::images/example-1.png")
        ]
        assert trail_client.get_trail(Name="data")["Trail"]["HasCustomEventSelectors"] is True

    def test_advanced_selectors(
        self, awsmon_boto3: Cloud, trail_client: Any, trail_bucket: Callable[..., str]
    ) -> None:
        """An advanced selector on eventName keeps exactly those management events."""
        trail_bucket(awsmon_boto3, "trail-bucket")
        trail_client.create_trail(Name="adv", S3BucketName="trail-bucket")
        call(
            trail_client,
            "PutEventSelectors",
            TrailName="adv",
            AdvancedEventSelectors=[
                {
                    "Name": "deletes",
                    "FieldSelectors": [
                        {"Field": "eventCategory", "Equals": ["Management"]},
                        {"Field": "eventName", "StartsWith": ["Delete"]},
                    ],
                }
            ],
        )
        trail_client.start_logging(Name="adv")
        logs = boto3.client("logs")
        logs.create_log_group(logGroupName="g")
        logs.delete_log_group(logGroupName="g")
        awsmon_boto3.clock.advance(timedelta(minutes=5))
        records = [
            r for body in objects(awsmon_boto3, "trail-bucket").values() for r in body["Records"]
        ]
        assert [r["eventName"] for r in records] == ["DeleteLogGroup"]
        got = call(trail_client, "GetEventSelectors", TrailName="adv")
        assert got["AdvancedEventSelectors"][0]["Name"] == "deletes"

    @pytest.mark.parametrize(
        ("params", "code"),
        [
            pytest.param(
                {"EventSelectors": [{"ReadWriteType": "All"}] * 6},
                "InvalidEventSelectorsException",
                id="six-selectors",
            ),
            pytest.param(
                {
                    "EventSelectors": [
                        {"DataResources": [{"Type": "AWS::EC2::Instance", "Values": ["x"]}]}
                    ]
                },
                "InvalidEventSelectorsException",
                id="bad-type",
            ),
            pytest.param(
                {
                    "AdvancedEventSelectors": [
                        {"FieldSelectors": [{"Field": "eventName", "Equals": ["X"]}]}
                    ]
                },
                "InvalidEventSelectorsException",
                id="no-category",
            ),
            pytest.param(
                {
                    "EventSelectors": [{"ReadWriteType": "All"}],
                    "AdvancedEventSelectors": [
                        {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
                    ],
                },
                "InvalidParameterCombinationException",
                id="both-kinds",
            ),
        ],
    )
    def test_selector_errors(
        self,
        awsmon_boto3: Cloud,
        trail_client: Any,
        trail_bucket: Callable[..., str],
        params: dict[str, Any],
        code: str,
    ) -> None:
        """Invalid selectors get CloudTrail's codes and leave the old ones."""
        trail_bucket(awsmon_boto3, "trail-bucket")
        trail_client.create_trail(Name="sel", S3BucketName="trail-bucket")
        with pytest.raises(ClientError) as caught:
            trail_client.put_event_selectors(TrailName="sel", **params)
        assert caught.value.response["Error"]["Code"] == code
        assert trail_client.get_trail(Name="sel")["Trail"]["HasCustomEventSelectors"] is False

    def test_sns_notification_per_file(
        self, awsmon_boto3: Cloud, trail_client: Any, trail_bucket: Callable[..., str]
    ) -> None:
        """The trail's topic gets {"s3Bucket", "s3ObjectKey"} per delivered file."""
        trail_bucket(awsmon_boto3, "trail-bucket")
        sns = boto3.client("sns")
        sqs = boto3.client("sqs")
        topic = sns.create_topic(Name="trail-files")["TopicArn"]
        sns.set_topic_attributes(
            TopicArn=topic,
            AttributeName="Policy",
            AttributeValue=allowing("cloudtrail.amazonaws.com", "SNS:Publish", topic),
        )
        url, queue_arn = queue_for(sqs, "files", "sns.amazonaws.com")
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
        )
        trail_client.create_trail(
            Name="notify", S3BucketName="trail-bucket", SnsTopicName="trail-files"
        )
        trail_client.start_logging(Name="notify")
        awsmon_boto3.clock.advance(timedelta(minutes=5))
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        assert len(messages) == 1
        body = json.loads(messages[0]["Body"])
        assert body["s3Bucket"] == "trail-bucket"
        assert list(objects(awsmon_boto3, "trail-bucket")) == body["s3ObjectKey"]

    def test_topic_policy_is_checked(
        self, awsmon_boto3: Cloud, trail_client: Any, trail_bucket: Callable[..., str]
    ) -> None:
        """A topic whose policy does not let CloudTrail publish is refused."""
        trail_bucket(awsmon_boto3, "trail-bucket")
        boto3.client("sns").create_topic(Name="closed")
        with pytest.raises(ClientError) as caught:
            trail_client.create_trail(
                Name="notify", S3BucketName="trail-bucket", SnsTopicName="closed"
            )
        assert caught.value.response["Error"]["Code"] == "InsufficientSnsTopicPolicyException"

    def test_digest_files(
        self, awsmon_boto3: Cloud, trail_client: Any, trail_bucket: Callable[..., str]
    ) -> None:
        """With validation on, an hourly digest lists the log files with their hashes."""
        trail_bucket(awsmon_boto3, "trail-bucket")
        trail_client.create_trail(
            Name="checked", S3BucketName="trail-bucket", EnableLogFileValidation=True
        )
        trail_client.start_logging(Name="checked")
        boto3.client("logs").create_log_group(logGroupName="g")
        awsmon_boto3.clock.advance(timedelta(hours=2))
        bucket = awsmon_boto3.s3.bucket("trail-bucket")
        digests = sorted(k for k in bucket.objects if "CloudTrail-Digest" in k)
        assert len(digests) == 2
        first = json.loads(gzip.decompress(bucket.objects[digests[0]].body))
        second = json.loads(gzip.decompress(bucket.objects[digests[1]].body))
        assert first["previousDigestSignature"] is None
        assert len(first["logFiles"]) >= 1
        log_file = first["logFiles"][0]
        raw = gzip.decompress(bucket.objects[log_file["s3Object"]].body)
        import hashlib

        assert log_file["hashValue"] == hashlib.sha256(raw).hexdigest()
        assert second["previousDigestS3Object"] == digests[0]
        assert verify_digest(
            "trail-bucket",
            digests[1],
            gzip.decompress(bucket.objects[digests[1]].body),
            bucket.objects[digests[1]].metadata,
            first and bucket.objects[digests[0]].metadata["signature"],
        )


class TestLogsAndEventBridge:
    def test_logs_delivery_feeds_a_metric_filter_and_alarm(
        self, awsmon_boto3: Cloud, trail_client: Any, trail_bucket: Callable[..., str]
    ) -> None:
        """AWS's recipe: a metric filter on the trail's group alarms on root activity."""
        trail_bucket(awsmon_boto3, "trail-bucket")
        logs = boto3.client("logs")
        logs.create_log_group(logGroupName="CloudTrail/logs")
        logs.put_metric_filter(
            logGroupName="CloudTrail/logs",
            filterName="RootAccountUsage",
            filterPattern='{ $.userIdentity.type = "Root" && $.eventType != "AwsServiceEvent" }',
            metricTransformations=[
                {
                    "metricName": "RootAccountUsageCount",
                    "metricNamespace": "CloudTrailMetrics",
                    "metricValue": "1",
                }
            ],
        )
        cloudwatch = boto3.client("cloudwatch")
        cloudwatch.put_metric_alarm(
            AlarmName="root-usage",
            MetricName="RootAccountUsageCount",
            Namespace="CloudTrailMetrics",
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="notBreaching",
        )
        group_arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:CloudTrail/logs:*"
        trail_client.create_trail(
            Name="to-logs",
            S3BucketName="trail-bucket",
            CloudWatchLogsLogGroupArn=group_arn,
            CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/CloudTrail_CloudWatchLogs_Role",
        )
        trail_client.start_logging(Name="to-logs")
        boto3.client("sns").create_topic(Name="anything")
        awsmon_boto3.clock.advance(timedelta(minutes=11))
        stream = f"{ACCOUNT}_CloudTrail_us-east-1"
        events = logs.get_log_events(logGroupName="CloudTrail/logs", logStreamName=stream)
        names = [json.loads(e["message"])["eventName"] for e in events["events"]]
        assert "CreateTopic" in names
        state = cloudwatch.describe_alarms(AlarmNames=["root-usage"])["MetricAlarms"][0]
        assert state["StateValue"] == "ALARM"

    def test_rule_on_api_call_via_cloudtrail_gets_delete_log_group(
        self, awsmon_boto3: Cloud
    ) -> None:
        """Without any trail, a rule on "AWS API Call via CloudTrail" receives DeleteLogGroup."""
        sqs = boto3.client("sqs")
        url, queue_arn = queue_for(sqs, "audit", "events.amazonaws.com")
        events = boto3.client("events")
        events.put_rule(
            Name="log-group-deletes",
            EventPattern=json.dumps(
                {
                    "source": ["aws.logs"],
                    "detail-type": ["AWS API Call via CloudTrail"],
                    "detail": {
                        "eventSource": ["logs.amazonaws.com"],
                        "eventName": ["DeleteLogGroup"],
                    },
                }
            ),
        )
        events.put_targets(Rule="log-group-deletes", Targets=[{"Id": "q", "Arn": queue_arn}])
        logs = boto3.client("logs")
        logs.create_log_group(logGroupName="doomed")
        logs.delete_log_group(logGroupName="doomed")
        logs.describe_log_groups()
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        assert len(messages) == 1
        event = json.loads(messages[0]["Body"])
        assert event["detail-type"] == "AWS API Call via CloudTrail"
        assert event["source"] == "aws.logs"
        assert event["detail"]["requestParameters"] == {"logGroupName": "doomed"}
        assert event["detail"]["userIdentity"]["type"] == "Root"

    def test_cloudwatch_source_is_aws_cloudwatch(self, awsmon_boto3: Cloud) -> None:
        """CloudWatch's events come from source aws.cloudwatch (eventSource monitoring)."""
        events = boto3.client("events")
        events.put_rule(
            Name="cw",
            EventPattern=json.dumps(
                {"source": ["aws.cloudwatch"], "detail-type": ["AWS API Call via CloudTrail"]}
            ),
        )
        received: list[str] = []
        eb = awsmon_boto3.events
        original = eb.put_aws_event

        def spy(**kwargs: Any) -> str:
            received.append(kwargs["source"])
            return str(original(**kwargs))

        eb.put_aws_event = spy  # type: ignore[method-assign]
        boto3.client("cloudwatch").put_metric_alarm(
            AlarmName="a",
            MetricName="m",
            Namespace="n",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanThreshold",
        )
        assert "aws.cloudwatch" in received


class TestKmsKey:
    def test_key_policy_is_checked(
        self, awsmon_boto3: Cloud, trail_client: Any, trail_bucket: Callable[..., str]
    ) -> None:
        """A missing key, and one whose policy shuts CloudTrail out, are refused."""
        trail_bucket(awsmon_boto3, "trail-bucket")
        kms = boto3.client("kms")
        closed = kms.create_key()["KeyMetadata"]["Arn"]
        codes = []
        for key in ("alias/missing", closed):
            with pytest.raises(ClientError) as caught:
                trail_client.create_trail(Name="sealed", S3BucketName="trail-bucket", KmsKeyId=key)
            codes.append(caught.value.response["Error"]["Code"])
        assert codes == ["KmsKeyNotFoundException", "InsufficientEncryptionPolicyException"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "kms:GenerateDataKey*",
                    "Resource": "*",
                    "Condition": {
                        "StringLike": {
                            "kms:EncryptionContext:aws:cloudtrail:arn": TRAILS
                        }
                    },
                }
            ],
        }
        opened = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]
        created = trail_client.create_trail(
            Name="sealed", S3BucketName="trail-bucket", KmsKeyId=opened
        )
        assert created["KmsKeyId"] == opened
