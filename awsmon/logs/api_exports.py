"""CloudWatch Logs wire operations for export tasks to S3.

Internal to `awsmon.logs.api`, whose `LogsApi` inherits `ExportsApi`.
"""

from __future__ import annotations

from awsmon.logs.api_common import LogsWireApi, Response, paged
from awsmon.logs.model import (
    ExportTask,
)
from awsmon.wire import Params, handles

__all__ = ["ExportsApi"]


def _export(task: ExportTask) -> Response:
    out: Response = {"taskId": task.task_id}
    if task.task_name is not None:
        out["taskName"] = task.task_name
    out.update(
        logGroupName=task.log_group_name,
        destination=task.destination,
        destinationPrefix=task.destination_prefix,
        status={"code": task.status_code.value, "message": task.status_message or ""},
        executionInfo={"creationTime": task.created_at_ms},
    )
    out["from"] = task.from_ms
    out["to"] = task.to_ms
    if task.completed_at_ms is not None:
        out["executionInfo"]["completionTime"] = task.completed_at_ms
    return out


class ExportsApi(LogsWireApi):
    """Handlers of the export task operations."""

    @handles("CreateExportTask")
    def create_export_task(self, params: Params) -> Response:
        """CreateExportTask: ``taskId``."""
        group = self._group_name(params)
        start = params.integer("from", required=True, minimum=0)
        stop = params.integer("to", required=True, minimum=0)
        destination = params.string("destination", required=True, min_length=1, max_length=512)
        task_id = self.domain.create_export_task(
            group,
            start,
            stop,
            destination,
            task_name=params.string("taskName", min_length=1, max_length=512),
            log_stream_name_prefix=self._stream_name(params, "logStreamNamePrefix", required=False),
            destination_prefix=params.string("destinationPrefix"),
        )
        return {"taskId": task_id}

    @handles("DescribeExportTasks")
    def describe_export_tasks(self, params: Params) -> Response:
        """DescribeExportTasks."""
        page = self.domain.describe_export_tasks(
            task_id=params.string("taskId", min_length=1, max_length=512),
            status_code=params.string(
                "statusCode",
                choices=(
                    "CANCELLED",
                    "COMPLETED",
                    "FAILED",
                    "PENDING",
                    "PENDING_CANCEL",
                    "RUNNING",
                ),
            ),
            limit=self._limit(params, 50),
            next_token=params.string("nextToken", min_length=1),
        )
        return paged("exportTasks", page, _export)

    @handles("CancelExportTask")
    def cancel_export_task(self, params: Params) -> Response:
        """CancelExportTask."""
        task_id = params.string("taskId", required=True, min_length=1, max_length=512)
        self.domain.cancel_export_task(task_id)
        return {}

    # -- resource policies -------------------------------------------------------------------------
