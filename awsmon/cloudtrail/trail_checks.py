"""The checks CreateTrail and UpdateTrail make before touching a trail.

`TrailChecks` is mixed into `CloudTrail` (through `TrailOperations`): the
bucket must exist and its policy let ``cloudtrail.amazonaws.com`` call
``s3:GetBucketAcl`` and ``s3:PutObject`` under ``[prefix/]AWSLogs/<account>/``;
a topic's policy must let it ``SNS:Publish``; a KMS key must exist, be enabled
and let it ``kms:GenerateDataKey``; a log group must exist in the trail's
account and region, with a role beside it.
"""

from __future__ import annotations

import re

from awsmon.arn import Arn, InvalidArn, partition_for
from awsmon.cloudtrail import delivery
from awsmon.cloudtrail.errors import (
    InsufficientEncryptionPolicyException,
    InsufficientS3BucketPolicyException,
    InsufficientSnsTopicPolicyException,
    InvalidCloudWatchLogsLogGroupArnException,
    InvalidCloudWatchLogsRoleArnException,
    InvalidKmsKeyIdException,
    InvalidParameterCombinationException,
    InvalidS3BucketNameException,
    InvalidS3PrefixException,
    InvalidSnsTopicNameException,
    KmsException,
    KmsKeyDisabledException,
    KmsKeyNotFoundException,
    S3BucketDoesNotExistException,
)
from awsmon.dispatch import ServiceContext
from awsmon.errors import ServiceError
from awsmon.policy import PolicyDocument

__all__ = ["TrailChecks"]

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


class TrailChecks:
    """Checks of a trail's destinations (mixed into `CloudTrail`)."""

    ctx: ServiceContext

    def _check_bucket(self, bucket: str, prefix: str | None, trail_arn: str) -> None:
        if not _BUCKET.fullmatch(bucket):
            raise InvalidS3BucketNameException(
                f"Bucket name {bucket} is not valid.", param="S3BucketName", value=bucket
            )
        if prefix is not None and len(prefix) > 200:
            raise InvalidS3PrefixException(
                "S3 key prefix must be at most 200 characters.", param="S3KeyPrefix", value=prefix
            )
        s3 = self.ctx.sibling("s3")
        try:
            s3.bucket(bucket)
        except LookupError:
            raise S3BucketDoesNotExistException(
                f"S3 bucket {bucket} does not exist.", param="S3BucketName", value=bucket
            ) from None
        context = {"aws:SourceArn": trail_arn, "aws:SourceAccount": self.ctx.account_id}
        key = f"{prefix + '/' if prefix else ''}AWSLogs/{self.ctx.account_id}/CloudTrail/"
        principal = delivery.PRINCIPAL
        if not (
            s3.policy_allows(bucket, principal, "s3:GetBucketAcl", None, context)
            and s3.policy_allows(bucket, principal, "s3:PutObject", key, context)
        ):
            raise InsufficientS3BucketPolicyException(
                f"Incorrect S3 bucket policy is detected for bucket: {bucket}",
                param="S3BucketName",
                value=bucket,
            )

    def _topic_arn(self, topic: str, trail_arn: str) -> str:
        arn = (
            topic
            if topic.startswith("arn:")
            else (
                f"arn:{partition_for(self.ctx.region)}:sns:{self.ctx.region}:"
                f"{self.ctx.account_id}:{topic}"
            )
        )
        try:
            found = self.ctx.service_at(arn, "sns").topic(arn)
        except (LookupError, ValueError):
            raise InvalidSnsTopicNameException(
                f"SNS Topic does not exist or the topic name is not valid: {topic}",
                param="SnsTopicName",
                value=topic,
            ) from None
        policy = found.attributes.get("Policy")
        context = {"aws:SourceArn": trail_arn, "aws:SourceAccount": self.ctx.account_id}
        allowed = (
            policy
            and PolicyDocument.parse(policy)
            .evaluate(delivery.PRINCIPAL, "SNS:Publish", arn, context)
            .allowed
        )
        if not allowed:
            raise InsufficientSnsTopicPolicyException(
                f"Incorrect SNS topic policy is detected for topic: {arn}",
                param="SnsTopicName",
                value=topic,
            )
        return arn

    def _check_kms(self, key_id: str, trail_arn: str) -> None:
        """The key must exist, be enabled, and let CloudTrail generate data keys."""
        try:
            kms = (
                self.ctx.service_at(key_id, "kms")
                if key_id.startswith("arn:")
                else self.ctx.sibling("kms")
            )
            kms.usable_key(
                key_id,
                principal_service=delivery.PRINCIPAL,
                action="kms:GenerateDataKey",
                context={
                    "aws:SourceArn": trail_arn,
                    "kms:EncryptionContext:aws:cloudtrail:arn": trail_arn,
                },
            )
        except (ServiceError, LookupError, ValueError) as error:
            code = getattr(error, "code", "")
            kinds: dict[str, type[ServiceError]] = {
                "NotFoundException": KmsKeyNotFoundException,
                "DisabledException": KmsKeyDisabledException,
                "AccessDeniedException": InsufficientEncryptionPolicyException,
                "KMSInvalidStateException": KmsException,
            }
            kind = kinds.get(code, InvalidKmsKeyIdException)
            raise kind(
                getattr(error, "message", str(error)),
                param="KmsKeyId",
                value=key_id,
            ) from None

    def _check_logs(self, group_arn: str | None, role_arn: str | None) -> None:
        if (group_arn is None) != (role_arn is None):
            raise InvalidParameterCombinationException(
                "CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn go together.",
                param="CloudWatchLogsLogGroupArn",
                value=group_arn,
            )
        if group_arn is None or role_arn is None:
            return
        try:
            parsed = Arn.parse(group_arn)
            name = delivery.log_group_name(group_arn)
        except InvalidArn:
            parsed, name = None, ""
        if (
            parsed is None
            or parsed.service != "logs"
            or parsed.account_id != self.ctx.account_id
            or parsed.region != self.ctx.region
        ):
            raise InvalidCloudWatchLogsLogGroupArnException(
                f"Invalid CloudWatch Logs log group ARN: {group_arn}",
                param="CloudWatchLogsLogGroupArn",
                value=group_arn,
            )
        try:
            self.ctx.service_at(group_arn, "logs").log_group(name)
        except LookupError:
            raise InvalidCloudWatchLogsLogGroupArnException(
                f"Log group does not exist: {group_arn}",
                param="CloudWatchLogsLogGroupArn",
                value=group_arn,
            ) from None
        try:
            role = Arn.parse(role_arn)
        except InvalidArn:
            role = None
        if role is None or role.service != "iam" or role.resource_type != "role":
            raise InvalidCloudWatchLogsRoleArnException(
                f"Invalid CloudWatch Logs role ARN: {role_arn}",
                param="CloudWatchLogsRoleArn",
                value=role_arn,
            )
