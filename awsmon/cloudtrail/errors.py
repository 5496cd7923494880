"""The AWS CloudTrail error codes awsmon raises.

CloudTrail (API 2013-11-01) names one exception per failure; each class below
pins that code on a semantic base of `awsmon.errors`, so callers can catch by
meaning (``except LookupError``) or by the exact code.
"""

from __future__ import annotations

from awsmon.errors import (
    AccessDenied,
    AlreadyExists,
    InvalidParameter,
    LimitExceeded,
    NotFound,
    ServiceError,
    Throttled,
)

__all__ = [
    "CloudTrailARNInvalidException",
    "InsightNotEnabledException",
    "InsufficientEncryptionPolicyException",
    "InsufficientS3BucketPolicyException",
    "InsufficientSnsTopicPolicyException",
    "InvalidCloudWatchLogsLogGroupArnException",
    "InvalidCloudWatchLogsRoleArnException",
    "InvalidEventCategoryException",
    "InvalidEventSelectorsException",
    "InvalidHomeRegionException",
    "InvalidInsightSelectorsException",
    "InvalidKmsKeyIdException",
    "InvalidLookupAttributesException",
    "InvalidMaxResultsException",
    "InvalidNextTokenException",
    "InvalidParameterCombinationException",
    "InvalidParameterException",
    "InvalidS3BucketNameException",
    "InvalidS3PrefixException",
    "InvalidSnsTopicNameException",
    "InvalidTagParameterException",
    "InvalidTimeRangeException",
    "InvalidTrailNameException",
    "KmsException",
    "KmsKeyDisabledException",
    "KmsKeyNotFoundException",
    "MaximumNumberOfTrailsExceededException",
    "OrganizationsNotInUseException",
    "ResourceNotFoundException",
    "S3BucketDoesNotExistException",
    "TagsLimitExceededException",
    "ThrottlingException",
    "TrailAlreadyExistsException",
    "TrailNotFoundException",
]

_S = "cloudtrail"


class InvalidParameterException(InvalidParameter, code="InvalidParameterException", service=_S):
    """A parameter is not valid."""


class InvalidTrailNameException(InvalidParameter, code="InvalidTrailNameException", service=_S):
    """The trail name breaks CloudTrail's naming rules."""


class CloudTrailARNInvalidException(
    InvalidParameter, code="CloudTrailARNInvalidException", service=_S
):
    """A trail ARN is malformed."""


class TrailNotFoundException(NotFound, code="TrailNotFoundException", service=_S):
    """No such trail."""


class ResourceNotFoundException(NotFound, code="ResourceNotFoundException", service=_S):
    """No resource of that id (tagging)."""


class TrailAlreadyExistsException(AlreadyExists, code="TrailAlreadyExistsException", service=_S):
    """A trail of that name exists in the region."""


class MaximumNumberOfTrailsExceededException(
    LimitExceeded, code="MaximumNumberOfTrailsExceededException", service=_S
):
    """The region has 5 trails already."""


class S3BucketDoesNotExistException(NotFound, code="S3BucketDoesNotExistException", service=_S):
    """The trail's bucket does not exist."""


class InsufficientS3BucketPolicyException(
    AccessDenied, code="InsufficientS3BucketPolicyException", service=_S
):
    """The bucket policy does not let CloudTrail write."""


class InsufficientSnsTopicPolicyException(
    AccessDenied, code="InsufficientSnsTopicPolicyException", service=_S
):
    """The topic policy does not let CloudTrail publish."""


class InvalidS3BucketNameException(
    InvalidParameter, code="InvalidS3BucketNameException", service=_S
):
    """The bucket name is not valid."""


class InvalidS3PrefixException(InvalidParameter, code="InvalidS3PrefixException", service=_S):
    """The key prefix is not valid."""


class InvalidSnsTopicNameException(
    InvalidParameter, code="InvalidSnsTopicNameException", service=_S
):
    """The topic name is not valid or the topic does not exist."""


class InvalidKmsKeyIdException(InvalidParameter, code="InvalidKmsKeyIdException", service=_S):
    """The KMS key id is not valid."""


class KmsKeyNotFoundException(NotFound, code="KmsKeyNotFoundException", service=_S):
    """The KMS key does not exist."""


class KmsKeyDisabledException(ServiceError, code="KmsKeyDisabledException", service=_S):
    """The KMS key is disabled."""


class KmsException(ServiceError, code="KmsException", service=_S):
    """KMS refused the key (pending deletion ...)."""


class InsufficientEncryptionPolicyException(
    AccessDenied, code="InsufficientEncryptionPolicyException", service=_S
):
    """The key policy does not let CloudTrail encrypt with the key."""


class InvalidCloudWatchLogsLogGroupArnException(
    InvalidParameter, code="InvalidCloudWatchLogsLogGroupArnException", service=_S
):
    """The log group ARN is not valid or names no group."""


class InvalidCloudWatchLogsRoleArnException(
    InvalidParameter, code="InvalidCloudWatchLogsRoleArnException", service=_S
):
    """The role ARN is not valid."""


class InvalidParameterCombinationException(
    InvalidParameter, code="InvalidParameterCombinationException", service=_S
):
    """Parameters that may not be combined (or one without its partner)."""


class InvalidHomeRegionException(InvalidParameter, code="InvalidHomeRegionException", service=_S):
    """The call must be made in the trail's home region."""


class InvalidEventSelectorsException(
    InvalidParameter, code="InvalidEventSelectorsException", service=_S
):
    """The event selectors are not valid."""


class InvalidInsightSelectorsException(
    InvalidParameter, code="InvalidInsightSelectorsException", service=_S
):
    """The insight selectors are not valid."""


class InsightNotEnabledException(ServiceError, code="InsightNotEnabledException", service=_S):
    """The trail has no Insights selectors."""


class InvalidTagParameterException(
    InvalidParameter, code="InvalidTagParameterException", service=_S
):
    """A tag key or value is not valid."""


class TagsLimitExceededException(LimitExceeded, code="TagsLimitExceededException", service=_S):
    """More than 50 tags on a trail."""


class OrganizationsNotInUseException(
    ServiceError, code="OrganizationsNotInUseException", service=_S
):
    """The account is not part of an organization."""


class InvalidLookupAttributesException(
    InvalidParameter, code="InvalidLookupAttributesException", service=_S
):
    """LookupEvents takes exactly one lookup attribute."""


class InvalidTimeRangeException(InvalidParameter, code="InvalidTimeRangeException", service=_S):
    """The start time is after the end time."""


class InvalidMaxResultsException(InvalidParameter, code="InvalidMaxResultsException", service=_S):
    """MaxResults is outside 1–50."""


class InvalidNextTokenException(InvalidParameter, code="InvalidNextTokenException", service=_S):
    """The token is not one this query gave."""


class InvalidEventCategoryException(
    InvalidParameter, code="InvalidEventCategoryException", service=_S
):
    """EventCategory is not ``insight``."""


class ThrottlingException(Throttled, code="ThrottlingException", service=_S, http_status=400):
    """The request rate is over CloudTrail's limit."""
