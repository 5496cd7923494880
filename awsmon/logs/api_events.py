"""CloudWatch Logs wire operations for log events: PutLogEvents, GetLogEvents, FilterLogEvents.

Internal to `awsmon.logs.api`, whose `LogsApi` inherits `LogEventsApi`.
"""

from __future__ import annotations

from operator import itemgetter

from awsmon.logs.api_common import LogsWireApi, Response
from awsmon.logs.errors import InvalidParameterException
from awsmon.logs.model import (
    LOG_STREAM_NAME_PATTERN,
    EventColumns,
    validation_message,
)
from awsmon.wire import Params, handles

__all__ = ["LogEventsApi"]

_TIMESTAMP = itemgetter("timestamp")
_MESSAGE = itemgetter("message")


class LogEventsApi(LogsWireApi):
    """Handlers of the operations that write and read log events."""

    @handles("PutLogEvents")
    def put_log_events(self, params: Params) -> Response:
        """PutLogEvents: ``nextSequenceToken``, and ``rejectedLogEventsInfo`` if any."""
        group = self._group_name(params)
        stream = self._stream_name(params)
        events = params.items("logEvents", required=True, min_items=1, max_items=10_000)
        try:
            times = list(map(_TIMESTAMP, events))
            messages = list(map(_MESSAGE, events))
        except (KeyError, TypeError):
            index = next(
                i
                for i, e in enumerate(events)
                if not isinstance(e, dict) or "timestamp" not in e or "message" not in e
            )
            raise InvalidParameterException(
                f"The parameter logEvents.{index + 1} must have a timestamp and a message.",
                param="logEvents",
                value=events[index],
            ) from None
        # The types by two C-level passes; the first wrong one is looked for only when one is.
        if not (set(map(type, times)) <= {int} and set(map(type, messages)) <= {str}):
            _refuse_types(times, messages)
        params.string("sequenceToken", min_length=1)
        # The header AWS Lambda and the CloudWatch agent send for embedded metrics.
        emf = (params.header("x-amzn-logs-format") or "").lower() == "json/emf"
        result = self.domain.put_log_events(
            group, stream, EventColumns(times, messages), emf=emf
        )
        out: Response = {"nextSequenceToken": result.next_sequence_token}
        rejected = result.rejected
        if rejected is not None:
            info: Response = {}
            if rejected.too_new_start_index is not None:
                info["tooNewLogEventStartIndex"] = rejected.too_new_start_index
            if rejected.too_old_end_index is not None:
                info["tooOldLogEventEndIndex"] = rejected.too_old_end_index
            if rejected.expired_end_index is not None:
                info["expiredLogEventEndIndex"] = rejected.expired_end_index
            out["rejectedLogEventsInfo"] = info
        return out

    @handles("GetLogEvents")
    def get_log_events(self, params: Params) -> Response:
        """GetLogEvents: ``events``, ``nextForwardToken``, ``nextBackwardToken``."""
        page = self.domain.get_log_events(
            self._group_name(params, required=False),
            self._stream_name(params),
            log_group_identifier=self._identifier(params),
            start_time=self._time(params, "startTime"),
            end_time=self._time(params, "endTime"),
            next_token=params.string("nextToken", min_length=1),
            limit=self._limit(params, 10_000),
            start_from_head=params.boolean("startFromHead"),
            unmask=bool(params.boolean("unmask")),
        )
        return {
            "events": [
                {
                    "timestamp": e.timestamp_ms,
                    "message": e.message,
                    "ingestionTime": e.ingestion_time_ms,
                }
                for e in page.events
            ],
            "nextForwardToken": page.next_forward_token,
            "nextBackwardToken": page.next_backward_token,
        }

    @handles("FilterLogEvents")
    def filter_log_events(self, params: Params) -> Response:
        """FilterLogEvents: ``events``, ``searchedLogStreams`` (empty), ``nextToken``."""
        names = None
        if "logStreamNames" in params:
            names = params.strings("logStreamNames", min_items=1, max_items=100)
            for index, name in enumerate(names):
                if (
                    not isinstance(name, str)
                    or not 1 <= len(name) <= 512
                    or ":" in name
                    or "*" in name
                ):
                    raise params.invalid(
                        f"logStreamNames.{index + 1}.member",
                        name,
                        "Member must satisfy regular expression pattern: "
                        + LOG_STREAM_NAME_PATTERN,
                    )
        page = self.domain.filter_log_events(
            self._group_name(params, required=False),
            log_group_identifier=self._identifier(params),
            log_stream_names=names,
            log_stream_name_prefix=self._stream_name(params, "logStreamNamePrefix", required=False),
            start_time=self._time(params, "startTime"),
            end_time=self._time(params, "endTime"),
            filter_pattern=self._pattern(params),
            next_token=params.string("nextToken", min_length=1),
            limit=self._limit(params, 10_000),
            interleaved=params.boolean("interleaved"),
            unmask=bool(params.boolean("unmask")),
        )
        out: Response = {
            "events": [
                {
                    "logStreamName": e.log_stream_name,
                    "timestamp": e.timestamp_ms,
                    "message": e.message,
                    "ingestionTime": e.ingestion_time_ms,
                    "eventId": e.event_id,
                }
                for e in page.events
            ],
            "searchedLogStreams": [],
        }
        if page.next_token is not None:
            out["nextToken"] = page.next_token
        return out

    # -- metric filters -------------------------------------------------------------------------


def _refuse_types(times: list[object], messages: list[object]) -> None:
    """Raise AWS's error for the first event whose timestamp or message has the wrong type.

    Raises:
        InvalidParameterException: always (called when some type is wrong).
    """
    for index, (timestamp, message) in enumerate(zip(times, messages, strict=True)):
        if type(timestamp) is not int or type(message) is not str:
            what = "timestamp" if type(timestamp) is not int else "message"
            raise InvalidParameterException(
                validation_message(
                    f"logEvents.{index + 1}.member.{what}",
                    timestamp if what == "timestamp" else message,
                    "Member must be a long" if what == "timestamp" else "Member must be a string",
                ),
                param=what,
                value=timestamp if what == "timestamp" else message,
            )
