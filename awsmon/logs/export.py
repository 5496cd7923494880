"""Export tasks: a log group's events written to an S3 bucket, finished by a clock job.

`ExportsMixin` adds CreateExportTask, DescribeExportTasks and
CancelExportTask to `awsmon.logs.service.CloudWatchLogs`.

A task is checked when created (the group exists, the bucket exists in the
same region and its policy lets ``logs.<region>.amazonaws.com`` call
``s3:GetBucketAcl`` and ``s3:PutObject``, which CloudWatch Logs proves by
writing ``<prefix>/aws-logs-write-test``), then goes PENDING → RUNNING (after
`START_DELAY`) → COMPLETED (after `RUN_TIME` more), as clock jobs. At
completion it writes, for each stream with events whose timestamp lies in
[from, to] (both inclusive), the objects
``<prefix>/<taskId>/<logStreamName>/000000.gz`` (then ``000001.gz`` ... every
`LINES_PER_OBJECT` events): gzip text with one line per event,
``<ISO 8601 timestamp, ms, Z> <message>``, as AWS writes them. Only one task
per account may be PENDING or RUNNING.

Simulation notes: the object layout and line format follow what AWS writes
(the reference marks the layout UNCONFIRMED); the split size, the delays and
the status messages are awsmon's choices; events are read when the task
completes, in time order.
"""

from __future__ import annotations

import gzip
from datetime import timedelta
from typing import Any

from awsmon import registry
from awsmon.dispatch import operation
from awsmon.errors import ServiceError
from awsmon.identity import Principal
from awsmon.logs._core import LogsCore, Page, check_limit, paginate
from awsmon.logs.errors import (
    InvalidOperationException,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from awsmon.logs.model import ExportTask, ExportTaskStatusCode, from_millis

__all__ = ["LINES_PER_OBJECT", "RUN_TIME", "START_DELAY", "ExportsMixin"]

#: From creation to RUNNING.
START_DELAY = timedelta(seconds=2)
#: From RUNNING to COMPLETED.
RUN_TIME = timedelta(seconds=28)
#: Events per exported object.
LINES_PER_OBJECT = 100_000

_ACTIVE = (ExportTaskStatusCode.PENDING, ExportTaskStatusCode.RUNNING)


def _bucket_error(call: str) -> InvalidParameterException:
    return InvalidParameterException(
        f"{call} call on the given bucket failed. Please check if CloudWatch Logs has been "
        "granted permission to perform this operation.",
        param="destination",
    )


class ExportsMixin(LogsCore):
    """Export task operations of `CloudWatchLogs`."""

    def _s3(self) -> Any:
        try:
            registry.spec("s3")
        except KeyError:
            return None
        return self.ctx.sibling("s3")

    def _as_logs(self) -> Principal:
        return Principal.service(f"logs.{self.region}.amazonaws.com", self.account_id)

    @operation("CreateExportTask")
    def create_export_task(
        self,
        log_group_name: str,
        from_: int,
        to: int,
        destination: str,
        *,
        task_name: str | None = None,
        log_stream_name_prefix: str | None = None,
        destination_prefix: str | None = None,
    ) -> str:
        """Export events with timestamps in [`from_`, `to`] (ms) to a bucket (CreateExportTask).

        Returns:
            The task id.

        Raises:
            ResourceNotFoundException: no such group.
            InvalidParameterException: a bad time range, a missing bucket, a
                bucket in another region, or one CloudWatch Logs may not write.
            LimitExceededException: another task of the account is active.
        """
        group = self.log_group(log_group_name)
        if to < from_:
            raise InvalidParameterException(
                "The value of 'to' must not be earlier than the value of 'from'.",
                param="to",
                value=to,
            )
        if to < group.created_at_ms:
            raise InvalidParameterException(
                "The value of 'to' must not be earlier than the creation time of the log group.",
                param="to",
                value=to,
            )
        if any(task.status_code in _ACTIVE for task in self.export_tasks.values()):
            raise LimitExceededException("Resource limit exceeded.", param="taskId", value=None)
        prefix = "exportedlogs" if destination_prefix is None else destination_prefix.strip("/")
        self._check_bucket(destination, prefix, self._source_arn(log_group_name))
        task = ExportTask(
            task_id=self.ctx.ids.uuid(),
            task_name=task_name,
            log_group_name=log_group_name,
            log_stream_name_prefix=log_stream_name_prefix,
            from_ms=from_,
            to_ms=to,
            destination=destination,
            destination_prefix=prefix,
            status_message="Pending",
            created_at_ms=self.now_ms(),
        )
        self.export_tasks[task.task_id] = task
        self.ctx.clock.call_later(
            START_DELAY, self._start_export, task, name=f"export {task.task_id}"
        )
        return task.task_id

    def _check_bucket(self, bucket: str, prefix: str, source_arn: str) -> None:
        """Check the destination bucket as CreateExportTask does.

        It exists, is in this region, and its policy lets Logs
        (``logs.<region>.amazonaws.com``) GetBucketAcl and PutObject with
        ``aws:SourceAccount``, ``aws:SourceArn`` and ``s3:x-amz-acl`` as AWS sends them.
        """
        s3 = self._s3()
        if s3 is None:
            return
        try:
            found = s3.bucket(bucket)
        except ServiceError:
            raise InvalidParameterException(
                "The specified bucket does not exist", param="destination", value=bucket
            ) from None
        if getattr(found, "region", self.region) != self.region:
            raise InvalidParameterException(
                "The specified bucket is not in the same Region as the log group.",
                param="destination",
                value=bucket,
            )
        who = self._as_logs()
        check = self.ctx.check_delivery(
            source=source_arn,
            target=f"arn:aws:s3:::{bucket}",
            principal=who.arn,
            action="s3:GetBucketAcl",
            policy=getattr(found, "policy", None),
            context={"aws:SourceAccount": self.account_id, "aws:SourceArn": source_arn},
            what="bucket policy",
        )
        if not check.delivered:
            raise _bucket_error("GetBucketAcl")
        key = f"{prefix}/aws-logs-write-test" if prefix else "aws-logs-write-test"
        try:
            with self.ctx.as_principal(who):
                s3.put_object(
                    bucket,
                    key,
                    b"Permission Check Successful",
                    acl="bucket-owner-full-control",
                    source_arn=source_arn,
                )
        except ServiceError:
            raise _bucket_error("PutObject") from None

    def _source_arn(self, log_group_name: str) -> str:
        """The ``aws:SourceArn`` Logs supplies to the bucket policy: the log group's ARN."""
        return self.ctx.arn(f"log-group:{log_group_name}")

    def _start_export(self, task: ExportTask) -> None:
        if task.status_code is not ExportTaskStatusCode.PENDING:
            return
        task.status_code = ExportTaskStatusCode.RUNNING
        task.status_message = "Started successfully"
        self.ctx.clock.call_later(
            RUN_TIME, self._finish_export, task, name=f"export {task.task_id}"
        )

    def _finish_export(self, task: ExportTask) -> None:
        if task.status_code is not ExportTaskStatusCode.RUNNING:
            return
        s3 = self._s3()
        group = self.log_groups.get(task.log_group_name)
        try:
            if group is not None and s3 is not None:
                self._write_objects(task, s3)
        except ServiceError as error:
            task.status_code = ExportTaskStatusCode.FAILED
            task.status_message = error.message
        else:
            task.status_code = ExportTaskStatusCode.COMPLETED
            task.status_message = "Completed successfully"
        task.completed_at_ms = self.now_ms()

    def _write_objects(self, task: ExportTask, s3: Any) -> None:
        group = self.log_groups[task.log_group_name]
        cutoff = self.retention_cutoff(group)
        low = task.from_ms if cutoff is None else max(task.from_ms, cutoff)
        with self.ctx.as_principal(self._as_logs()):
            for name in sorted(group.streams):
                if task.log_stream_name_prefix and not name.startswith(task.log_stream_name_prefix):
                    continue
                events = group.streams[name].store.events((low, -1), (task.to_ms + 1, -1))
                lines: list[str] = []
                part = 0
                for timestamp, _seq, _ingested, message in events:
                    lines.append(f"{_iso(timestamp)} {message}\n")
                    if len(lines) >= LINES_PER_OBJECT:
                        self._put_part(s3, task, name, part, lines)
                        part, lines = part + 1, []
                if lines:
                    self._put_part(s3, task, name, part, lines)

    def _put_part(
        self, s3: Any, task: ExportTask, stream: str, part: int, lines: list[str]
    ) -> None:
        key = f"{task.destination_prefix}/{task.task_id}/{stream}/{part:06d}.gz"
        body = gzip.compress("".join(lines).encode(), mtime=0)
        s3.put_object(
            task.destination,
            key.lstrip("/"),
            body,
            content_type="application/octet-stream",
            content_encoding="gzip",
            acl="bucket-owner-full-control",
            source_arn=self._source_arn(task.log_group_name),
        )

    @operation("DescribeExportTasks")
    def describe_export_tasks(
        self,
        *,
        task_id: str | None = None,
        status_code: ExportTaskStatusCode | str | None = None,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> Page[ExportTask]:
        """The account's export tasks here, newest first, optionally one id or one status.

        Raises:
            InvalidParameterException: a bad limit or token.
        """
        size = check_limit(limit, 50, 50)
        code = None if status_code is None else ExportTaskStatusCode(status_code)
        found = [
            task
            for task in reversed(self.export_tasks.values())
            if (task_id is None or task.task_id == task_id)
            and (code is None or task.status_code is code)
        ]
        order = {task.task_id: f"{index:08d}" for index, task in enumerate(found)}
        return paginate(found, lambda task: order[task.task_id], next_token, size)

    @operation("CancelExportTask")
    def cancel_export_task(self, task_id: str) -> None:
        """Cancel a PENDING or RUNNING export task (CancelExportTask).

        Raises:
            ResourceNotFoundException: no such task.
            InvalidOperationException: the task has finished.
        """
        task = self.export_tasks.get(task_id)
        if task is None:
            raise ResourceNotFoundException(
                "The specified export task does not exist.", param="taskId", value=task_id
            )
        if task.status_code not in _ACTIVE:
            raise InvalidOperationException(
                "The specified export task has already finished", param="taskId", value=task_id
            )
        task.status_code = ExportTaskStatusCode.CANCELLED
        task.status_message = "Cancelled by user"
        task.completed_at_ms = self.now_ms()


def _iso(timestamp_ms: int) -> str:
    """``2024-01-01T00:00:00.000Z``: how exported lines stamp each event."""
    moment = from_millis(timestamp_ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{timestamp_ms % 1000:03d}Z"
