"""How CloudTrail classifies each operation of every simulated service.

A pure module: `classify` answers, for a (botocore service, operation) pair,
whether CloudTrail logs the call and as what: a management event (read or
write), a data event (with its ``resources.type``), or nothing.

The table follows AWS's documentation: the CloudTrail User Guide's data
event table (``logging-data-events-with-cloudtrail``: S3 object operations,
Lambda ``Invoke``, SNS ``Publish``/``PublishBatch``, the SQS message
operations, Kinesis records, CloudWatch metric data, CloudWatch Logs events,
X-Ray traces and sampling, EventBridge ``PutEvents``) and each service's
"Logging ... API calls using AWS CloudTrail" page (Firehose does not log
``PutRecord``/``PutRecordBatch``). Everything else is a management event, read
only when it changes nothing (``Describe*``, ``Get*``, ``List*``; STS
``AssumeRole`` is recorded with ``readOnly: true``).

>>> classify("cloudwatch", "PutMetricAlarm")
Classification(category=<Category.MANAGEMENT: 'Management'>, read_only=False, resource_type=None)
>>> classify("s3", "GetObject").resource_type
'AWS::S3::Object'
>>> classify("firehose", "PutRecord") is None
True
"""

from __future__ import annotations

import enum

from attrs import frozen

__all__ = ["Category", "Classification", "classify", "is_classified", "table"]


class Category(enum.Enum):
    """CloudTrail's ``eventCategory`` of a logged call."""

    MANAGEMENT = "Management"
    DATA = "Data"
    INSIGHT = "Insight"


@frozen
class Classification:
    """How CloudTrail logs one operation.

    Attributes:
        category: management or data event.
        read_only: the record's ``readOnly``.
        resource_type: for data events, the ``resources.type`` that selectors name.
    """

    category: Category
    read_only: bool
    resource_type: str | None = None

    @property
    def management(self) -> bool:
        """True for a management event."""
        return self.category is Category.MANAGEMENT


# kind → operations, per botocore service name. Kinds: "read" and "write" are
# management events; "data-read <type>" / "data-write <type>" data events of
# that resource type; "none" is not logged.
_TABLE: dict[str, dict[str, str]] = {
    "sts": {"read": "AssumeRole GetCallerIdentity"},
    "cloudwatch": {
        "read": "DescribeAlarmHistory DescribeAlarms DescribeAlarmsForMetric"
        " DescribeAnomalyDetectors GetDashboard ListDashboards ListMetrics ListTagsForResource",
        "write": "DeleteAlarms DeleteAnomalyDetector DeleteDashboards DisableAlarmActions"
        " EnableAlarmActions PutAnomalyDetector PutCompositeAlarm PutDashboard PutMetricAlarm"
        " SetAlarmState TagResource UntagResource",
        "data-read AWS::CloudWatch::Metric": "GetMetricData GetMetricStatistics"
        " GetMetricWidgetImage",
        "data-write AWS::CloudWatch::Metric": "PutMetricData",
    },
    "sqs": {
        "read": "GetQueueAttributes GetQueueUrl ListDeadLetterSourceQueues ListQueueTags"
        " ListQueues",
        "write": "CreateQueue DeleteQueue PurgeQueue SetQueueAttributes TagQueue UntagQueue",
        "data-read AWS::SQS::Queue": "ReceiveMessage",
        "data-write AWS::SQS::Queue": "ChangeMessageVisibility ChangeMessageVisibilityBatch"
        " DeleteMessage DeleteMessageBatch SendMessage SendMessageBatch",
    },
    "xray": {
        "read": "GetEncryptionConfig GetGroup GetGroups ListTagsForResource",
        "write": "CreateGroup CreateSamplingRule DeleteGroup DeleteSamplingRule"
        " PutEncryptionConfig TagResource UntagResource UpdateGroup UpdateSamplingRule",
        "data-read AWS::XRay::Trace": "BatchGetTraces GetSamplingRules"
        " GetSamplingStatisticSummaries GetServiceGraph GetTimeSeriesServiceStatistics"
        " GetTraceGraph GetTraceSummaries",
        "data-write AWS::XRay::Trace": "GetSamplingTargets PutTelemetryRecords PutTraceSegments",
    },
    "sns": {
        "read": "GetSubscriptionAttributes GetTopicAttributes ListSubscriptions"
        " ListSubscriptionsByTopic ListTagsForResource ListTopics",
        "write": "AddPermission ConfirmSubscription CreateTopic DeleteTopic RemovePermission"
        " SetSubscriptionAttributes SetTopicAttributes Subscribe TagResource Unsubscribe"
        " UntagResource",
        "data-write AWS::SNS::Topic": "Publish PublishBatch",
    },
    "s3": {
        "read": "GetBucketLocation GetBucketMetricsConfiguration GetBucketPolicy HeadBucket"
        " ListBucketMetricsConfigurations ListBuckets",
        "write": "CreateBucket DeleteBucket DeleteBucketMetricsConfiguration DeleteBucketPolicy"
        " PutBucketMetricsConfiguration PutBucketPolicy",
        "data-read AWS::S3::Object": "GetObject HeadObject ListObjects ListObjectsV2",
        "data-write AWS::S3::Object": "CopyObject DeleteObject DeleteObjects PutObject",
    },
    "lambda": {
        "read": "GetEventSourceMapping GetFunction GetFunctionConfiguration"
        " GetFunctionEventInvokeConfig GetPolicy ListEventSourceMappings"
        " ListFunctionEventInvokeConfigs ListFunctions",
        "write": "AddPermission CreateEventSourceMapping CreateFunction DeleteEventSourceMapping"
        " DeleteFunction DeleteFunctionConcurrency DeleteFunctionEventInvokeConfig"
        " PutFunctionConcurrency PutFunctionEventInvokeConfig RemovePermission"
        " UpdateEventSourceMapping UpdateFunctionConfiguration UpdateFunctionEventInvokeConfig",
        "data-write AWS::Lambda::Function": "Invoke",
    },
    "logs": {
        "read": "DescribeDestinations DescribeExportTasks DescribeLogGroups DescribeLogStreams"
        " DescribeMetricFilters DescribeQueries DescribeQueryDefinitions DescribeResourcePolicies"
        " DescribeSubscriptionFilters GetLogGroupFields GetQueryResults ListTagsForResource"
        " ListTagsLogGroup TestMetricFilter",
        "write": "AssociateKmsKey CancelExportTask CreateExportTask CreateLogGroup"
        " CreateLogStream DeleteDestination DeleteLogGroup DeleteLogStream DeleteMetricFilter"
        " DeleteQueryDefinition DeleteResourcePolicy DeleteRetentionPolicy"
        " DeleteSubscriptionFilter DisassociateKmsKey PutDestination PutDestinationPolicy"
        " PutMetricFilter PutQueryDefinition PutResourcePolicy PutRetentionPolicy"
        " PutSubscriptionFilter StartQuery StopQuery TagLogGroup TagResource UntagLogGroup"
        " UntagResource",
        "data-read AWS::Logs::LogGroup": "FilterLogEvents GetLogEvents GetLogRecord",
        "data-write AWS::Logs::LogGroup": "PutLogEvents",
    },
    "kms": {
        "read": "Decrypt DescribeKey Encrypt GenerateDataKey GenerateDataKeyWithoutPlaintext"
        " GenerateMac GetKeyPolicy GetPublicKey ListAliases ListKeys ReEncrypt Sign Verify"
        " VerifyMac",
        "write": "CancelKeyDeletion CreateAlias CreateKey DeleteAlias DisableKey EnableKey"
        " PutKeyPolicy ScheduleKeyDeletion",
    },
    "events": {
        "read": "DescribeArchive DescribeEventBus DescribeEventSource"
        " DescribePartnerEventSource DescribeReplay DescribeRule ListArchives ListEventBuses"
        " ListEventSources ListPartnerEventSourceAccounts ListPartnerEventSources ListReplays"
        " ListRuleNamesByTarget ListRules ListTagsForResource ListTargetsByRule"
        " TestEventPattern",
        "write": "ActivateEventSource CancelReplay CreateArchive CreateEventBus"
        " CreatePartnerEventSource DeactivateEventSource DeleteArchive DeleteEventBus"
        " DeletePartnerEventSource DeleteRule DisableRule EnableRule PutPermission PutRule"
        " PutTargets RemovePermission RemoveTargets StartReplay TagResource UntagResource"
        " UpdateArchive UpdateEventBus",
        "data-write AWS::Events::EventBus": "PutEvents PutPartnerEvents",
    },
    "kinesis": {
        "read": "DescribeStream DescribeStreamConsumer DescribeStreamSummary ListShards"
        " ListStreamConsumers ListStreams ListTagsForStream",
        "write": "AddTagsToStream CreateStream DecreaseStreamRetentionPeriod DeleteStream"
        " DisableEnhancedMonitoring EnableEnhancedMonitoring IncreaseStreamRetentionPeriod"
        " DeregisterStreamConsumer MergeShards RegisterStreamConsumer RemoveTagsFromStream"
        " SplitShard StartStreamEncryption"
        " StopStreamEncryption UpdateShardCount",
        "data-read AWS::Kinesis::Stream": "GetRecords GetShardIterator SubscribeToShard",
        "data-write AWS::Kinesis::Stream": "PutRecord PutRecords",
    },
    "firehose": {
        "read": "DescribeDeliveryStream ListDeliveryStreams ListTagsForDeliveryStream",
        "write": "CreateDeliveryStream DeleteDeliveryStream TagDeliveryStream UntagDeliveryStream",
        "none": "PutRecord PutRecordBatch",
    },
    "ec2": {
        "read": "DescribeAccountAttributes DescribeInstanceStatus DescribeInstances"
        " DescribeLaunchTemplates",
        "write": "CreateLaunchTemplate CreateLaunchTemplateVersion CreateTags"
        " DeleteLaunchTemplate DeleteTags MonitorInstances RebootInstances RunInstances"
        " StartInstances StopInstances TerminateInstances UnmonitorInstances",
    },
    "autoscaling": {
        "read": "DescribeAccountLimits DescribeAutoScalingGroups DescribeAutoScalingInstances"
        " DescribePolicies"
        " DescribeScalingActivities",
        "write": "CreateAutoScalingGroup CreateLaunchConfiguration DeleteAutoScalingGroup"
        " DeletePolicy ExecutePolicy PutScalingPolicy SetDesiredCapacity"
        " TerminateInstanceInAutoScalingGroup UpdateAutoScalingGroup",
    },
    "schemas": {
        "read": "DescribeCodeBinding DescribeDiscoverer DescribeRegistry DescribeSchema"
        " ExportSchema GetCodeBindingSource GetDiscoveredSchema GetResourcePolicy ListDiscoverers"
        " ListRegistries ListSchemaVersions ListSchemas ListTagsForResource SearchSchemas",
        "write": "CreateDiscoverer CreateRegistry CreateSchema DeleteDiscoverer DeleteRegistry"
        " DeleteResourcePolicy DeleteSchema DeleteSchemaVersion PutCodeBinding PutResourcePolicy"
        " StartDiscoverer StopDiscoverer TagResource UntagResource UpdateDiscoverer"
        " UpdateRegistry UpdateSchema",
    },
    "cloudtrail": {
        "read": "DescribeTrails GetEventSelectors GetInsightSelectors GetTrail GetTrailStatus"
        " ListTags ListTrails LookupEvents",
        "write": "AddTags CreateTrail DeleteTrail PutEventSelectors PutInsightSelectors"
        " RemoveTags StartLogging StopLogging UpdateTrail",
    },
}

_READ_PREFIXES = ("Describe", "Get", "List", "Head", "BatchGet", "Lookup", "Test")


def _build() -> dict[tuple[str, str], Classification | None]:
    built: dict[tuple[str, str], Classification | None] = {}
    for service, kinds in _TABLE.items():
        for kind, operations in kinds.items():
            word, _, resource_type = kind.partition(" ")
            found: Classification | None
            if word == "none":
                found = None
            elif word in ("read", "write"):
                found = Classification(Category.MANAGEMENT, word == "read")
            else:
                found = Classification(Category.DATA, word == "data-read", resource_type)
            for name in operations.split():
                built[(service, name)] = found
    return built


_CLASSIFIED = _build()


def classify(service: str, operation: str) -> Classification | None:
    """How CloudTrail logs `operation` of the botocore service `service`; None: not logged.

    An operation outside the table (a service registered by an extension) is a
    management event, read-only when its name starts like a read
    (``Describe``, ``Get``, ``List`` ...).
    """
    key = (service, operation)
    if key in _CLASSIFIED:
        return _CLASSIFIED[key]
    return Classification(Category.MANAGEMENT, operation.startswith(_READ_PREFIXES))


def is_classified(service: str, operation: str) -> bool:
    """True when the table names `operation` of `service` explicitly."""
    return (service, operation) in _CLASSIFIED


def table() -> dict[tuple[str, str], Classification | None]:
    """A copy of the whole table: (service, operation) → classification."""
    return dict(_CLASSIFIED)
