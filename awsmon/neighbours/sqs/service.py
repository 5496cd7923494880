"""Amazon SQS: standard and FIFO queues on the virtual clock.

Main pieces: `SQS` (the service of one account and region), `Queue`,
`Message`, `MessageAttribute`, `ReceivedMessage`, `SendResult`; the error
classes; the wire translation lives in `awsmon.neighbours.sqs.api`.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> url = cloud.sqs.create_queue("jobs").url
>>> url
'https://sqs.us-east-1.amazonaws.com/123456789012/jobs'
>>> _ = cloud.sqs.send_message(url, "hello")
>>> [m.body for m in cloud.sqs.receive_message(url)]
['hello']
>>> cloud.sqs.receive_message(url)      # in flight for the 30 s visibility timeout
[]
>>> cloud.clock.advance(30)
>>> cloud.sqs.receive_message(url)[0].attributes["ApproximateReceiveCount"]
'2'
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import timedelta

from awsmon.cloudwatch import StandardUnit
from awsmon.dispatch import operation
from awsmon.neighbours.sqs.errors import (
    InvalidParameterValue,
    MessageNotInflight,
    QueueDoesNotExist,
    ReceiptHandleIsInvalid,
)
from awsmon.neighbours.sqs.model import (
    Message,
    MessageAttribute,
    Queue,
    ReceivedMessage,
    SendResult,
    check_message,
    md5_of_message_attributes,
)
from awsmon.neighbours.sqs.queues import Queues

__all__ = ["SQS"]

_DEDUP_WINDOW = timedelta(minutes=5)
_BYTES = StandardUnit.BYTES


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class SQS(Queues):
    """Amazon SQS in one account and region.

    Operations, by purpose:

    - queues: `create_queue`, `get_queue_url`, `list_queues`, `delete_queue`,
      `purge_queue`, `get_queue_attributes`, `set_queue_attributes`,
      `tag_queue`, `untag_queue`, `list_queue_tags`, `list_dead_letter_source_queues`
    - messages: `send_message`, `receive_message`, `delete_message`,
      `change_message_visibility`
    - for tests and other services: `queue` (look up by name, URL or ARN)

    Visibility timeouts, delays and retention are judged against the virtual
    clock whenever the queue is read, so advancing the clock is all it takes
    for an in-flight message to come back or an old one to expire. A message
    received more than ``maxReceiveCount`` times moves to the dead-letter
    queue at the next receive that would have returned it, as in AWS.

    Simulation notes: long polling (``WaitTimeSeconds``) answers at once with
    what is there, since nothing can arrive while the clock stands still;
    short polling samples every "server", so a receive sees every visible
    message (AWS may return fewer). Queue policies are stored and returned
    but not enforced on senders, and a standard queue keeps messages in
    enqueue order.
    """

    # -- messages ---------------------------------------------------------------

    @operation("SendMessage")
    def send_message(
        self,
        queue_url: str,
        message_body: str,
        *,
        delay_seconds: int | None = None,
        message_attributes: Mapping[str, MessageAttribute] | None = None,
        message_system_attributes: Mapping[str, MessageAttribute] | None = None,
        message_deduplication_id: str | None = None,
        message_group_id: str | None = None,
    ) -> SendResult:
        """Enqueue a message (SendMessage).

        FIFO queues need `message_group_id`, and a `message_deduplication_id`
        unless content-based deduplication is on; a duplicate within 5 minutes
        is accepted but not enqueued again.

        Raises:
            QueueDoesNotExist: no such queue.
            InvalidMessageContents: characters SQS refuses.
            InvalidParameterValue / MissingParameter: bad or missing parameters.
        """
        queue = self.queue(queue_url)
        return self._enqueue(
            queue,
            message_body,
            delay_seconds=delay_seconds,
            message_attributes=dict(message_attributes or {}),
            system_attributes=dict(message_system_attributes or {}),
            deduplication_id=message_deduplication_id,
            group_id=message_group_id,
            sender_id=self.ctx.principal.user_id,
        )

    def _enqueue(
        self,
        queue: Queue,
        body: str,
        *,
        delay_seconds: int | None,
        message_attributes: dict[str, MessageAttribute],
        system_attributes: dict[str, MessageAttribute],
        deduplication_id: str | None,
        group_id: str | None,
        sender_id: str,
    ) -> SendResult:
        check_message(
            queue,
            body,
            delay_seconds=delay_seconds,
            attributes=message_attributes,
            deduplication_id=deduplication_id,
            group_id=group_id,
        )
        now = self.ctx.now()
        md5_attrs = md5_of_message_attributes(message_attributes) if message_attributes else None
        md5_system = md5_of_message_attributes(system_attributes) if system_attributes else None
        sequence = None
        if queue.fifo:
            dedup = deduplication_id or hashlib.sha256(body.encode()).hexdigest()
            key = (
                dedup
                if queue.settings.get("DeduplicationScope") != "messageGroup"
                else (f"{group_id}\x00{dedup}")
            )
            for stale in [k for k, (until, _, _) in queue.dedup.items() if until <= now]:
                del queue.dedup[stale]
            seen = queue.dedup.get(key)
            if seen is not None:
                return SendResult(
                    message_id=seen[1],
                    md5_of_message_body=_md5(body),
                    md5_of_message_attributes=md5_attrs,
                    md5_of_message_system_attributes=md5_system,
                    sequence_number=seen[2],
                )
            queue.sequence += 1
            sequence = f"{18_000_000_000_000_000_000 + queue.sequence:020d}"
            message_id = self.ctx.ids.uuid()
            queue.dedup[key] = (now + _DEDUP_WINDOW, message_id, sequence)
            deduplication_id = dedup
        else:
            message_id = self.ctx.ids.uuid()
        delay = queue.setting("DelaySeconds") if delay_seconds is None else delay_seconds
        queue.messages[message_id] = Message(
            message_id=message_id,
            body=body,
            message_attributes=message_attributes,
            system_attributes=system_attributes,
            sent_at=now,
            sender_id=sender_id,
            visible_at=now + timedelta(seconds=delay),
            group_id=group_id,
            deduplication_id=deduplication_id,
            sequence_number=sequence,
        )
        queue.active_at = now
        vended = queue.metrics
        if vended is not None and vended.enabled:
            vended.add("NumberOfMessagesSent", queue.dims)
            vended.add("SentMessageSize", queue.dims, float(len(body.encode())), _BYTES)
        return SendResult(
            message_id=message_id,
            md5_of_message_body=_md5(body),
            md5_of_message_attributes=md5_attrs,
            md5_of_message_system_attributes=md5_system,
            sequence_number=sequence,
        )

    def deliver(
        self,
        queue_arn: str,
        body: str,
        *,
        sender_id: str,
        message_attributes: Mapping[str, MessageAttribute] | None = None,
        group_id: str | None = None,
        deduplication_id: str | None = None,
    ) -> SendResult:
        """Enqueue a message on behalf of another AWS service (SNS, EventBridge, Lambda).

        Not an operation of its own: the caller's operation is what is audited.

        Raises:
            QueueDoesNotExist: the queue is gone.
        """
        queue = self.queue(queue_arn)
        owner = self._owner(queue.arn)
        return owner._enqueue(
            queue,
            body,
            delay_seconds=None,
            message_attributes=dict(message_attributes or {}),
            system_attributes={},
            deduplication_id=deduplication_id,
            group_id=group_id,
            sender_id=sender_id,
        )

    @operation("ReceiveMessage")
    def receive_message(
        self,
        queue_url: str,
        *,
        max_number_of_messages: int = 1,
        visibility_timeout: int | None = None,
        wait_time_seconds: int | None = None,
    ) -> list[ReceivedMessage]:
        """Receive up to `max_number_of_messages` (1-10) visible messages (ReceiveMessage).

        Each comes back with a new receipt handle and stays invisible for
        `visibility_timeout` seconds (the queue's by default). In a FIFO queue a
        message group with messages in flight gives nothing more until those
        are deleted or visible again. `wait_time_seconds` is accepted and
        answered at once (see the class notes).

        Raises:
            QueueDoesNotExist: no such queue.
            InvalidParameterValue: a count or timeout out of range.
        """
        queue = self.queue(queue_url)
        _check_range("MaxNumberOfMessages", max_number_of_messages, 1, 10, "between 1 and 10")
        _check_range("WaitTimeSeconds", wait_time_seconds, 0, 20, ">= 0 and <= 20")
        _check_range("VisibilityTimeout", visibility_timeout, 0, 43_200, ">= 0 and <= 43200")
        received = self._receive(queue, max_number_of_messages, visibility_timeout)
        queue.active_at = self.ctx.now()
        vended = queue.metrics
        if vended is not None and vended.enabled:
            if received:
                vended.add("NumberOfMessagesReceived", queue.dims, float(len(received)))
            else:
                vended.add("NumberOfEmptyReceives", queue.dims)
        return received

    def _receive(
        self, queue: Queue, limit: int, visibility_timeout: int | None
    ) -> list[ReceivedMessage]:
        """Receive up to `limit` visible messages: ReceiveMessage's and `take`'s one algorithm.

        Each gets a new receipt handle and stays invisible for the timeout (the
        queue's by default); a FIFO group with a message in flight or ahead
        gives nothing more; a message past the redrive policy's
        maxReceiveCount moves to the dead-letter queue instead (kept when that
        queue is gone, as AWS does). The queue is read in place, so a big
        queue costs only what is taken.
        """
        now = self.ctx.now()
        queue.expire(now)
        timeout = (
            queue.setting("VisibilityTimeout") if visibility_timeout is None else visibility_timeout
        )
        blocked = (
            {m.group_id for m in queue.messages.values() if m.in_flight(now)}
            if queue.fifo
            else set()
        )
        redrive = queue.redrive
        dead_letter = self._dead_letter_queue(redrive[0]) if redrive is not None else None
        most_receives = redrive[1] if redrive is not None else 0
        taken: list[ReceivedMessage] = []
        dead: list[Message] = []
        for message in queue.messages.values():
            if len(taken) >= limit:
                break
            if message.visible_at > now or (queue.fifo and message.group_id in blocked):
                if queue.fifo:
                    blocked.add(message.group_id)
                continue
            if dead_letter is not None and message.receive_count >= most_receives:
                dead.append(message)
                continue
            message.receive_count += 1
            if message.first_received_at is None:
                message.first_received_at = now
            message.visible_at = now + timedelta(seconds=timeout)
            queue.sequence += 1
            handle = self._receipt_handle(queue, message)
            message.receipt_handle = handle
            queue.handles[handle] = message.message_id
            taken.append(
                ReceivedMessage(
                    message_id=message.message_id,
                    receipt_handle=handle,
                    body=message.body,
                    md5_of_body=_md5(message.body),
                    attributes=message.system_attribute_values(),
                    message_attributes=dict(message.message_attributes),
                )
            )
        for message in dead:  # moved after the loop, which reads the dict in place
            assert dead_letter is not None
            self._move_to_dead_letter(queue, message, dead_letter)
        return taken

    def _receipt_handle(self, queue: Queue, message: Message) -> str:
        # The shape `_is_receipt_handle` recognises: "AQEB" + hex of "<id>#<sequence>#<nonce>".
        token = f"{message.message_id}#{queue.sequence}#{self.ctx.ids.hex(24)}"
        return "AQEB" + token.encode().hex()

    def _dead_letter_queue(self, target_arn: str) -> Queue | None:
        """The redrive policy's dead-letter queue; None when it is gone (AWS keeps the message)."""
        try:
            return self.queue(target_arn)
        except QueueDoesNotExist:
            return None

    def _move_to_dead_letter(self, queue: Queue, message: Message, target: Queue) -> None:
        del queue.messages[message.message_id]
        message.dead_letter_source_arn = queue.arn
        message.visible_at = self.ctx.now()
        target.messages[message.message_id] = message
        target.oldest_sent_at = None  # it keeps its first enqueue time: look again

    def _message_for(self, queue: Queue, receipt_handle: str) -> Message | None:
        message_id = queue.handles.get(receipt_handle)
        if message_id is None:
            raise ReceiptHandleIsInvalid(
                f'The input receipt handle "{receipt_handle}" is not a valid receipt handle.',
                param="ReceiptHandle",
                value=receipt_handle,
            )
        return queue.messages.get(message_id)

    @operation("DeleteMessage")
    def delete_message(self, queue_url: str, receipt_handle: str) -> None:
        """Delete a received message by its receipt handle (DeleteMessage).

        Only the most recent receipt handle deletes; an older one of the same
        message succeeds without deleting it, and a handle of a message already
        deleted succeeds too, as AWS documents ("you must provide the most
        recently received ReceiptHandle ... otherwise, the request succeeds, but
        the message will not be deleted").

        Raises:
            QueueDoesNotExist: no such queue.
            ReceiptHandleIsInvalid: text that is not a receipt handle.
        """
        queue = self.queue(queue_url)
        if receipt_handle not in queue.handles and _is_receipt_handle(receipt_handle):
            return  # issued once, for a message since deleted
        message = self._message_for(queue, receipt_handle)
        if message is None or message.receipt_handle != receipt_handle:
            return
        del queue.messages[message.message_id]
        for handle in [h for h, m in queue.handles.items() if m == message.message_id]:
            del queue.handles[handle]
        queue.active_at = self.ctx.now()
        if queue.metrics is not None:
            queue.metrics.add("NumberOfMessagesDeleted", queue.dims)

    @operation("ChangeMessageVisibility")
    def change_message_visibility(
        self, queue_url: str, receipt_handle: str, visibility_timeout: int
    ) -> None:
        """Make an in-flight message visible `visibility_timeout` seconds from now.

        Raises:
            QueueDoesNotExist: no such queue.
            ReceiptHandleIsInvalid: a handle this queue never issued.
            MessageNotInflight: the message is not in flight under this handle.
            InvalidParameterValue: a timeout outside 0-43200.
        """
        queue = self.queue(queue_url)
        if not 0 <= visibility_timeout <= 43_200:
            raise InvalidParameterValue(
                f"Value {visibility_timeout} for parameter VisibilityTimeout is invalid. Reason: "
                "Must be >= 0 and <= 43200, if provided.",
                param="VisibilityTimeout",
                value=visibility_timeout,
            )
        message = self._message_for(queue, receipt_handle)
        now = self.ctx.now()
        if (
            message is None
            or not message.in_flight(now)
            or message.receipt_handle != receipt_handle
        ):
            raise MessageNotInflight(
                "Message does not exist or is not available for visibility timeout change.",
                param="ReceiptHandle",
                value=receipt_handle,
            )
        message.visible_at = now + timedelta(seconds=visibility_timeout)

    # -- for pollers of other services (Lambda's event source mappings) ---------------

    def take(
        self, queue_arn: str, max_messages: int, *, visibility_timeout: int | None = None
    ) -> list[ReceivedMessage]:
        """Receive up to `max_messages` visible messages at once, for another service's poller.

        What ReceiveMessage does (visibility timeout, FIFO message groups,
        redrive to the dead-letter queue), for batches of any size and without
        being an operation of its own: Lambda's event source mappings read a
        batch of up to 10,000 messages this way.

        Raises:
            QueueDoesNotExist: the queue is gone.
        """
        return self._receive(self.queue(queue_arn), max_messages, visibility_timeout)

    def settle(self, queue_arn: str, receipt_handles: list[str]) -> None:
        """Delete messages received through `take`, by their latest receipt handles.

        A handle that is not the message's latest, or of a message already
        gone, deletes nothing, as DeleteMessage.
        """
        queue = self.queue(queue_arn)
        deleted = 0
        for handle in receipt_handles:
            message_id = queue.handles.pop(handle, None)
            message = queue.messages.get(message_id) if message_id is not None else None
            if message is not None and message.receipt_handle == handle:
                del queue.messages[message.message_id]
                deleted += 1
        # A dict keeps the slots of deleted entries until it grows again, and
        # iterating it walks them: rebuild it every 1,024 deletions, so reading a
        # draining queue from its front walks at most that many dead slots.
        queue.deleted_since_rebuild += deleted
        if queue.deleted_since_rebuild >= 1024:
            queue.messages = dict(queue.messages)
            queue.deleted_since_rebuild = 0


def _is_receipt_handle(text: str) -> bool:
    """True for text shaped like a receipt handle this simulation issues."""
    if not text.startswith("AQEB"):
        return False
    try:
        token = bytes.fromhex(text[4:]).decode()
    except (ValueError, UnicodeDecodeError):
        return False
    parts = token.split("#")
    return len(parts) == 3 and parts[1].isdecimal()


def _check_range(param: str, value: int | None, low: int, high: int, reason: str) -> None:
    """ReceiveMessage's check of a count or timeout (None: not given, fine).

    Raises:
        InvalidParameterValue: `value` outside [`low`, `high`], in AWS's words.
    """
    if value is not None and not low <= value <= high:
        raise InvalidParameterValue(
            f"Value {value} for parameter {param} is invalid. "
            f"Reason: Must be {reason}, if provided.",
            param=param,
            value=value,
        )
