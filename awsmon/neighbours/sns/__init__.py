"""Amazon SNS: topics, subscriptions, filter policies and delivery on the virtual clock.

`SNS` (service.py; subscription operations in subscriptions.py) is the service of
one account and region; `delivery.py` hands a published message to each endpoint,
`filter_policy.py` is the filter-policy language (pure), `model.py` the values,
`errors.py` the error classes, `api.py` the wire translation.
"""

from __future__ import annotations

from awsmon.neighbours.sns.api import SnsApi
from awsmon.neighbours.sns.errors import (
    AuthorizationErrorException,
    BatchEntryIdsNotDistinctException,
    EmptyBatchRequestException,
    InvalidParameterException,
    InvalidParameterValueException,
    NotFoundException,
    TooManyEntriesInBatchRequestException,
    TopicLimitExceededException,
)
from awsmon.neighbours.sns.filter_policy import FilterPolicy, InvalidFilterPolicy
from awsmon.neighbours.sns.model import (
    SNS_SENDER_ID,
    Delivery,
    MessageAttributeValue,
    PublishResult,
    Subscription,
    Topic,
)
from awsmon.neighbours.sns.service import SNS

__all__ = [
    "SNS",
    "SNS_SENDER_ID",
    "AuthorizationErrorException",
    "BatchEntryIdsNotDistinctException",
    "Delivery",
    "EmptyBatchRequestException",
    "FilterPolicy",
    "InvalidFilterPolicy",
    "InvalidParameterException",
    "InvalidParameterValueException",
    "MessageAttributeValue",
    "NotFoundException",
    "PublishResult",
    "SnsApi",
    "Subscription",
    "TooManyEntriesInBatchRequestException",
    "Topic",
    "TopicLimitExceededException",
]
