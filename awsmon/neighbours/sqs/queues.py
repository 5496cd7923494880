"""SQS queues: lookup by name, URL or ARN, and the queue operations.

`Queues` is the base of `awsmon.neighbours.sqs.SQS`: it owns the queues of one
account and region; the message operations are added by the subclass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Self

from awsmon.arn import Arn, InvalidArn
from awsmon.dispatch import Service, operation
from awsmon.neighbours.sqs.errors import (
    InvalidAttributeName,
    InvalidParameterValue,
    PurgeQueueInProgress,
    QueueAccessDenied,
    QueueDeletedRecently,
    QueueDoesNotExist,
    QueueNameExists,
)
from awsmon.neighbours.sqs.model import (
    ALL_ATTRIBUTES,
    Queue,
    validate_attributes,
)

__all__ = ["Queues"]

_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
_BATCHES = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
"""Batch operations IAM authorizes as their single action."""

_STRING_SETTINGS = ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId")


class Queues(Service):
    """The queues of one account and region, and the queue operations."""

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.queues: dict[str, Queue] = {}
        self._deleted: dict[str, datetime] = {}

    # -- lookup -----------------------------------------------------------------

    def queue_url(self, name: str) -> str:
        """The URL of queue `name` in this account and region."""
        return f"https://sqs.{self.region}.amazonaws.com/{self.account_id}/{name}"

    def queue(self, name_url_or_arn: str) -> Queue:
        """The queue named by its name, URL or ARN (in another account or region too).

        Raises:
            QueueDoesNotExist: no such queue.
        """
        text = name_url_or_arn
        target: Queues = self
        name = text
        if text.startswith("arn:"):
            try:
                arn = Arn.parse(text)
            except InvalidArn:
                arn = None
            if arn is not None and ":" not in arn.resource:
                target = self._owner(arn)
                name = arn.resource
        elif "/" in text:
            match = re.fullmatch(r"(?:https?://)?([^/]*)/(\d{12})/([^/]+)/?", text)
            if match:
                host, account, name = match.groups()
                region = re.search(r"(?:sqs\.)?([a-z]{2}(?:-gov)?-[a-z]+-\d)", host)
                target = self._place(account, region.group(1) if region else self.region)
        found = target.queues.get(name)
        if found is None:
            raise QueueDoesNotExist(
                "The specified queue does not exist.", param="QueueUrl", value=text
            )
        if target.account_id != self.ctx.principal.account_id:
            refused = self.ctx.check_other_account(
                found.arn, target.account_id, found.settings.get("Policy"), actions=_BATCHES
            )
            if refused is not None:
                raise QueueAccessDenied(
                    f"Access to the resource {found.url} is denied.",
                    param="QueueUrl",
                    value=text,
                )
        return found

    def _place(self, account: str, region: str) -> Self:
        """The SQS of `account` in `region`."""
        service: Self = self.ctx.sibling(self.ctx.spec.name, account_id=account, region=region)
        return service

    def _owner(self, arn: str | Arn) -> Self:
        """The SQS that holds the queue `arn` (its account and region)."""
        service: Self = self.ctx.service_at(arn, self.ctx.spec.name)
        return service

    # -- queues -----------------------------------------------------------------

    @operation("CreateQueue")
    def create_queue(
        self,
        queue_name: str,
        attributes: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Queue:
        """Create a queue (CreateQueue); idempotent when the attributes match.

        A name ending in ``.fifo`` needs ``FifoQueue=true`` and the other way round.

        Raises:
            InvalidParameterValue: a bad queue name.
            InvalidAttributeName / InvalidAttributeValue: bad attributes.
            QueueNameExists: the queue exists with different attributes.
            QueueDeletedRecently: a queue of that name was deleted under 60 s ago.
        """
        given = dict(attributes or {})
        fifo = str(given.get("FifoQueue", "false")).lower() == "true"
        if fifo and not _FIFO_QUEUE_NAME.fullmatch(queue_name):
            raise InvalidParameterValue(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                "underscores, must end with .fifo suffix and be 1 to 80 in length.",
                param="QueueName",
                value=queue_name,
            )
        if not fifo and not _QUEUE_NAME.fullmatch(queue_name):
            raise InvalidParameterValue(
                "Can only include alphanumeric characters, hyphens, or underscores. "
                "1 to 80 in length",
                param="QueueName",
                value=queue_name,
            )
        settings = validate_attributes(given, fifo=fifo, creating=True)
        if not fifo:
            settings.pop("FifoQueue", None)
        existing = self.queues.get(queue_name)
        if existing is not None:
            for key, value in settings.items():
                current = existing.attributes(self.ctx.now()).get(key)
                if current != value:
                    raise QueueNameExists(
                        "A queue already exists with the same name and a different value for "
                        f"attribute {key}",
                        param="QueueName",
                        value=queue_name,
                    )
            return existing
        deleted = self._deleted.get(queue_name)
        now = self.ctx.now()
        if deleted is not None and now - deleted < timedelta(seconds=60):
            raise QueueDeletedRecently(
                "You must wait 60 seconds after deleting a queue before you can create another "
                "with the same name.",
                param="QueueName",
                value=queue_name,
            )
        queue = Queue(
            name=queue_name,
            url=self.queue_url(queue_name),
            arn=self.ctx.arn(queue_name),
            created_at=now,
            last_modified_at=now,
            settings=settings,
            tags=dict(tags or {}),
        )
        self.queues[queue_name] = queue
        return queue

    @operation("GetQueueUrl")
    def get_queue_url(self, queue_name: str, queue_owner_aws_account_id: str | None = None) -> str:
        """The URL of a queue by name (GetQueueUrl), in this or another account.

        Raises:
            QueueDoesNotExist: no such queue.
        """
        owner = queue_owner_aws_account_id or self.account_id
        return self._place(owner, self.region).queue(queue_name).url

    @operation("ListQueues")
    def list_queues(self, queue_name_prefix: str | None = None) -> list[str]:
        """The URLs of this account's queues in the region, by name (ListQueues)."""
        return [
            queue.url
            for name, queue in sorted(self.queues.items())
            if queue_name_prefix is None or name.startswith(queue_name_prefix)
        ]

    @operation("DeleteQueue")
    def delete_queue(self, queue_url: str) -> None:
        """Delete a queue and its messages (DeleteQueue).

        Raises:
            QueueDoesNotExist: no such queue.
        """
        queue = self.queue(queue_url)
        owner = self._owner(queue.arn)
        del owner.queues[queue.name]
        owner._deleted[queue.name] = self.ctx.now()

    @operation("PurgeQueue")
    def purge_queue(self, queue_url: str) -> None:
        """Delete every message in the queue (PurgeQueue); once per 60 seconds.

        Raises:
            QueueDoesNotExist: no such queue.
            PurgeQueueInProgress: purged less than 60 seconds ago.
        """
        queue = self.queue(queue_url)
        now = self.ctx.now()
        if queue.purged_at is not None and now - queue.purged_at < timedelta(seconds=60):
            raise PurgeQueueInProgress(
                f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.",
                param="QueueUrl",
                value=queue_url,
            )
        queue.messages.clear()
        queue.purged_at = now

    @operation("GetQueueAttributes")
    def get_queue_attributes(
        self, queue_url: str, attribute_names: Iterable[str] = ("All",)
    ) -> dict[str, str]:
        """The named attributes (or ``All``) of a queue (GetQueueAttributes).

        Raises:
            QueueDoesNotExist: no such queue.
            InvalidAttributeName: an unknown attribute name.
        """
        queue = self.queue(queue_url)
        every = queue.attributes(self.ctx.now())
        names = list(attribute_names)
        for name in names:
            if name != "All" and name not in ALL_ATTRIBUTES:
                raise InvalidAttributeName(
                    f"Unknown Attribute {name}.", param="AttributeNames", value=name
                )
        if "All" in names:
            return every
        return {name: every[name] for name in names if name in every}

    @operation("SetQueueAttributes")
    def set_queue_attributes(self, queue_url: str, attributes: Mapping[str, str]) -> None:
        """Change a queue's attributes (SetQueueAttributes); an empty value clears a policy.

        Raises:
            QueueDoesNotExist: no such queue.
            InvalidAttributeName / InvalidAttributeValue: bad attributes.
        """
        queue = self.queue(queue_url)
        checked = validate_attributes(attributes, fifo=queue.fifo, creating=False)
        for name, value in checked.items():
            if name in _STRING_SETTINGS and value == "":
                queue.settings.pop(name, None)
            else:
                queue.settings[name] = value
        queue.last_modified_at = self.ctx.now()

    @operation("TagQueue")
    def tag_queue(self, queue_url: str, tags: Mapping[str, str]) -> None:
        """Add or replace tags (TagQueue)."""
        self.queue(queue_url).tags.update(tags)

    @operation("UntagQueue")
    def untag_queue(self, queue_url: str, tag_keys: Iterable[str]) -> None:
        """Remove tags (UntagQueue)."""
        queue = self.queue(queue_url)
        for key in tag_keys:
            queue.tags.pop(key, None)

    @operation("ListQueueTags")
    def list_queue_tags(self, queue_url: str) -> dict[str, str]:
        """The queue's tags (ListQueueTags)."""
        return dict(self.queue(queue_url).tags)

    @operation("ListDeadLetterSourceQueues")
    def list_dead_letter_source_queues(self, queue_url: str) -> list[str]:
        """The URLs of this account's queues whose redrive policy targets the queue."""
        target = self.queue(queue_url)
        return [
            q.url
            for _, q in sorted(self.queues.items())
            if q.redrive and q.redrive[0] == target.arn
        ]
