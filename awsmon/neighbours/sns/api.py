"""SNS wire operations: AWS parameter names in, boto3 response shapes out.

SNS speaks the Query protocol; boto3 hands the parameters over as dicts and
lists (``Attributes``, ``Tags``, ``MessageAttributes``) and gets dicts back.

>>> from awsmon import Cloud
>>> sns = Cloud().client("sns")
>>> sns.create_topic(Name="alerts")["TopicArn"]
'arn:aws:sns:us-east-1:123456789012:alerts'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from awsmon import jsondoc
from awsmon.arn import Arn
from awsmon.errors import ServiceError
from awsmon.neighbours.sns.errors import (
    BatchEntryIdsNotDistinctException,
    EmptyBatchRequestException,
    InvalidParameterException,
    InvalidParameterValueException,
    TooManyEntriesInBatchRequestException,
)
from awsmon.neighbours.sns.model import MessageAttributeValue, Subscription
from awsmon.neighbours.sns.service import SNS
from awsmon.wire import Params, WireApi, handles

__all__ = ["SnsApi"]

Response = dict[str, Any]
_PAGE = 100


def _attributes_from_wire(raw: Mapping[str, Any]) -> dict[str, MessageAttributeValue]:
    found: dict[str, MessageAttributeValue] = {}
    for name, value in raw.items():
        data_type = value.get("DataType") if isinstance(value, Mapping) else None
        if not data_type:
            raise InvalidParameterValueException(
                f"The message attribute '{name}' must contain non-empty message attribute type.",
                param="MessageAttributes",
                value=name,
            )
        base = str(data_type).split(".", 1)[0]
        if data_type != "String.Array" and base not in ("String", "Number", "Binary"):
            raise InvalidParameterValueException(
                f"The message attribute '{name}' has an invalid message attribute type, the set "
                "of supported type prefixes is Binary, Number, and String.",
                param="MessageAttributes",
                value=data_type,
            )
        if base == "Binary":
            binary = value.get("BinaryValue")
            if binary is None:
                raise InvalidParameterValueException(
                    f"The message attribute '{name}' with type 'Binary' must use field 'Binary'.",
                    param="MessageAttributes",
                    value=name,
                )
            if isinstance(binary, str):
                binary = binary.encode()
            found[name] = MessageAttributeValue(str(data_type), binary_value=bytes(binary))
            continue
        text = value.get("StringValue")
        if text is None:
            raise InvalidParameterValueException(
                f"The message attribute '{name}' must contain non-empty message attribute value "
                f"for message attribute type '{base}'.",
                param="MessageAttributes",
                value=name,
            )
        if base == "Number":
            try:
                float(text)
            except ValueError:
                raise InvalidParameterValueException(
                    f"Could not cast message attribute '{name}' value to number.",
                    param="MessageAttributes",
                    value=text,
                ) from None
        if data_type == "String.Array":
            try:
                parsed = jsondoc.loads(text)
            except ValueError:
                parsed = None
            if not isinstance(parsed, list):
                raise InvalidParameterValueException(
                    f"The message attribute '{name}' with type 'String.Array' must use a JSON "
                    "array value.",
                    param="MessageAttributes",
                    value=text,
                )
        found[name] = MessageAttributeValue(str(data_type), string_value=str(text))
    return found


def _subscription(sub: Subscription) -> Response:
    return {
        "SubscriptionArn": "PendingConfirmation" if sub.pending else sub.arn,
        "Owner": sub.owner,
        "Protocol": sub.protocol,
        "Endpoint": sub.endpoint,
        "TopicArn": sub.topic_arn,
    }


def _page(params: Params, items: list[Response], key: str) -> Response:
    token = params.string("NextToken")
    start = int(token) if token and token.isdecimal() else 0
    if token and not token.isdecimal():
        raise InvalidParameterException("Invalid parameter: NextToken", param="NextToken")
    response: Response = {key: items[start : start + _PAGE]}
    if start + _PAGE < len(items):
        response["NextToken"] = str(start + _PAGE)
    return response


class SnsApi(WireApi):
    """The SNS wire API."""

    domain: SNS
    invalid_parameter = InvalidParameterException
    missing_parameter = InvalidParameterException

    def _arn(self, params: Params, name: str = "TopicArn") -> str:
        value = params.string(name, required=True)
        return value

    @handles("CreateTopic")
    def create_topic(self, params: Params) -> Response:
        """CreateTopic → ``TopicArn``."""
        name = params.string("Name", required=True)
        topic = self.domain.create_topic(
            name,
            {k: str(v) for k, v in params.mapping("Attributes").items()},
            params.tag_list("Tags"),
        )
        return {"TopicArn": topic.arn}

    @handles("DeleteTopic")
    def delete_topic(self, params: Params) -> Response:
        """DeleteTopic → nothing."""
        self.domain.delete_topic(self._arn(params))
        return {}

    @handles("ListTopics")
    def list_topics(self, params: Params) -> Response:
        """ListTopics → ``Topics`` (100 a page) and ``NextToken``."""
        topics = [{"TopicArn": t.arn} for t in self.domain.list_topics()]
        return _page(params, topics, "Topics")

    @handles("GetTopicAttributes")
    def get_topic_attributes(self, params: Params) -> Response:
        """GetTopicAttributes → ``Attributes``."""
        return {"Attributes": self.domain.get_topic_attributes(self._arn(params))}

    @handles("SetTopicAttributes")
    def set_topic_attributes(self, params: Params) -> Response:
        """SetTopicAttributes → nothing."""
        name = params.string("AttributeName", required=True)
        self.domain.set_topic_attributes(self._arn(params), name, params.string("AttributeValue"))
        return {}

    @handles("AddPermission")
    def add_permission(self, params: Params) -> Response:
        """AddPermission → nothing: a statement named `Label` joins the topic policy."""
        arn = self._arn(params)
        label = params.string("Label", required=True)
        accounts = params.strings("AWSAccountId", required=True)
        actions = params.strings("ActionName", required=True)
        policy = jsondoc.loads(self.domain.get_topic_attributes(arn)["Policy"])
        partition = Arn.parse(arn).partition
        if any(s.get("Sid") == label for s in policy.get("Statement", [])):
            raise InvalidParameterException(
                "Invalid parameter: Statement already exists", param="Label", value=label
            )
        policy.setdefault("Statement", []).append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": [f"arn:{partition}:iam::{a}:root" for a in accounts]},
                "Action": [f"SNS:{a}" for a in actions],
                "Resource": arn,
            }
        )
        self.domain.set_topic_attributes(arn, "Policy", json.dumps(policy))
        return {}

    @handles("RemovePermission")
    def remove_permission(self, params: Params) -> Response:
        """RemovePermission → nothing."""
        arn = self._arn(params)
        label = params.string("Label", required=True)
        policy = jsondoc.loads(self.domain.get_topic_attributes(arn)["Policy"])
        policy["Statement"] = [s for s in policy.get("Statement", []) if s.get("Sid") != label]
        self.domain.set_topic_attributes(arn, "Policy", json.dumps(policy))
        return {}

    @handles("TagResource")
    def tag_resource(self, params: Params) -> Response:
        """TagResource → nothing."""
        self.domain.tag_resource(
            self._arn(params, "ResourceArn"), params.tag_list("Tags", required=True)
        )
        return {}

    @handles("UntagResource")
    def untag_resource(self, params: Params) -> Response:
        """UntagResource → nothing."""
        self.domain.untag_resource(
            self._arn(params, "ResourceArn"), params.strings("TagKeys", required=True)
        )
        return {}

    @handles("ListTagsForResource")
    def list_tags_for_resource(self, params: Params) -> Response:
        """ListTagsForResource → ``Tags``."""
        tags = self.domain.list_tags_for_resource(self._arn(params, "ResourceArn"))
        return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}

    @handles("Subscribe")
    def subscribe(self, params: Params) -> Response:
        """Subscribe → ``SubscriptionArn`` (``pending confirmation`` while unconfirmed)."""
        protocol = params.string("Protocol", required=True)
        sub = self.domain.subscribe(
            self._arn(params),
            protocol,
            params.string("Endpoint"),
            {k: str(v) for k, v in params.mapping("Attributes").items()},
        )
        if sub.pending and not params.boolean("ReturnSubscriptionArn", default=False):
            return {"SubscriptionArn": "pending confirmation"}
        return {"SubscriptionArn": sub.arn}

    @handles("ConfirmSubscription")
    def confirm_subscription(self, params: Params) -> Response:
        """ConfirmSubscription → ``SubscriptionArn``."""
        token = params.string("Token", required=True)
        return {"SubscriptionArn": self.domain.confirm_subscription(self._arn(params), token).arn}

    @handles("Unsubscribe")
    def unsubscribe(self, params: Params) -> Response:
        """Unsubscribe → nothing."""
        self.domain.unsubscribe(self._arn(params, "SubscriptionArn"))
        return {}

    @handles("ListSubscriptions")
    def list_subscriptions(self, params: Params) -> Response:
        """ListSubscriptions → ``Subscriptions`` (100 a page) and ``NextToken``."""
        subs = [_subscription(s) for s in self.domain.list_subscriptions()]
        return _page(params, subs, "Subscriptions")

    @handles("ListSubscriptionsByTopic")
    def list_subscriptions_by_topic(self, params: Params) -> Response:
        """ListSubscriptionsByTopic → ``Subscriptions`` and ``NextToken``."""
        subs = [
            _subscription(s) for s in self.domain.list_subscriptions_by_topic(self._arn(params))
        ]
        return _page(params, subs, "Subscriptions")

    @handles("GetSubscriptionAttributes")
    def get_subscription_attributes(self, params: Params) -> Response:
        """GetSubscriptionAttributes → ``Attributes``."""
        arn = self._arn(params, "SubscriptionArn")
        return {"Attributes": self.domain.get_subscription_attributes(arn)}

    @handles("SetSubscriptionAttributes")
    def set_subscription_attributes(self, params: Params) -> Response:
        """SetSubscriptionAttributes → nothing."""
        name = params.string("AttributeName", required=True)
        self.domain.set_subscription_attributes(
            self._arn(params, "SubscriptionArn"), name, params.string("AttributeValue")
        )
        return {}

    def _publish(self, params: Params, topic_arn: str | None) -> Response:
        message = params.string("Message", required=True)
        result = self.domain.publish(
            topic_arn,
            message,
            subject=params.string("Subject"),
            message_structure=params.string("MessageStructure"),
            message_attributes=_attributes_from_wire(params.mapping("MessageAttributes")),
            message_group_id=params.string("MessageGroupId"),
            message_deduplication_id=params.string("MessageDeduplicationId"),
            phone_number=params.string("PhoneNumber"),
        )
        response: Response = {"MessageId": result.message_id}
        if result.sequence_number is not None:
            response["SequenceNumber"] = result.sequence_number
        return response

    @handles("Publish")
    def publish(self, params: Params) -> Response:
        """Publish → ``MessageId`` (and ``SequenceNumber`` on FIFO topics)."""
        return self._publish(params, params.string("TopicArn") or params.string("TargetArn"))

    @handles("PublishBatch")
    def publish_batch(self, params: Params) -> Response:
        """PublishBatch → ``Successful`` and ``Failed`` entries (1-10 entries, distinct ids)."""
        arn = self._arn(params)
        entries = params.items("PublishBatchRequestEntries", required=True)
        self.domain.topic(arn)
        if not entries:
            raise _batch_error("EmptyBatchRequest", "The batch request doesn't contain any entries")
        if len(entries) > 10:
            raise _batch_error(
                "TooManyEntriesInBatchRequest",
                "The batch request contains more entries than permissible.",
            )
        ids = [e.get("Id") for e in entries]
        if len(set(ids)) != len(ids):
            raise _batch_error(
                "BatchEntryIdsNotDistinct",
                "Two or more batch entries in the request have the same Id.",
            )
        successful: list[Response] = []
        failed: list[Response] = []
        for entry in entries:
            try:
                result = self._publish(self.params(entry), arn)
                successful.append({"Id": entry["Id"], **result})
            except ServiceError as error:
                failed.append(
                    {
                        "Id": entry["Id"],
                        "Code": error.code,
                        "Message": error.message,
                        "SenderFault": error.sender_fault,
                    }
                )
        return {"Successful": successful, "Failed": failed}


def _batch_error(code: str, message: str) -> ServiceError:
    classes: dict[str, type[ServiceError]] = {
        "EmptyBatchRequest": EmptyBatchRequestException,
        "TooManyEntriesInBatchRequest": TooManyEntriesInBatchRequestException,
        "BatchEntryIdsNotDistinct": BatchEntryIdsNotDistinctException,
    }
    return classes[code](message, param="PublishBatchRequestEntries")
