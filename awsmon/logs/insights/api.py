"""The Logs Insights wire operations, mixed into `awsmon.logs.api.LogsApi`.

StartQuery, GetQueryResults, StopQuery, DescribeQueries, GetLogGroupFields,
GetLogRecord, PutQueryDefinition, DescribeQueryDefinitions and
DeleteQueryDefinition, with the parameter checks of the botocore model
(API 2014-03-28). Result values are strings, as AWS returns them; rows of
non-stats queries carry ``@ptr`` for GetLogRecord.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> logs = cloud.client("logs")
>>> _ = logs.create_log_group(logGroupName="app")
>>> query_id = logs.start_query(logGroupName="app", startTime=0, endTime=2_000_000_000,
...                             queryString="stats count(*)")["queryId"]
>>> logs.get_query_results(queryId=query_id)["status"]
'Scheduled'
>>> _ = cloud.clock.advance(5)
>>> logs.get_query_results(queryId=query_id)["results"]
[[{'field': 'count(*)', 'value': '0'}]]
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Protocol

from awsmon.logs.insights.queries import InsightsQueries, encode_pointer
from awsmon.logs.insights.query import PTR
from awsmon.logs.insights.records import QueryDefinition, QueryParameter, QueryRecord
from awsmon.logs.insights.values import render
from awsmon.wire import Params, WireApi, handles

__all__ = ["InsightsApi"]

Response = dict[str, Any]

_GROUP_NAME = r"[\.\-_/#A-Za-z0-9]+"
_IDENTIFIER = r"[\w#+=/:,.@-]*"
_LANGUAGES = ("CWLI", "SQL", "PPL")
_STATUSES = ("Scheduled", "Running", "Complete", "Failed", "Cancelled", "Timeout", "Unknown")


class _WithInsights(Protocol):
    insights: InsightsQueries


class InsightsApi(WireApi):
    """The wire handlers of Logs Insights (a mixin of the Logs wire API)."""

    domain: _WithInsights

    # -- readers --------------------------------------------------------------------------

    @staticmethod
    def _language(params: Params) -> None:
        language = params.string("queryLanguage", choices=_LANGUAGES)
        if language not in (None, "CWLI"):
            raise params.invalid(
                "queryLanguage", language, "awsmon simulates the Logs Insights language (CWLI) only"
            )

    @staticmethod
    def _names(params: Params, name: str, pattern: str, max_length: int) -> list[str] | None:
        if name not in params:
            return None
        return params.strings(name, max_items=50, min_length=1, max_length=max_length,
                              pattern=pattern)  # fmt: skip

    @staticmethod
    def _offset(params: Params, name: str = "nextToken") -> int:
        token = params.string(name, max_length=1024)
        if token is None:
            return 0
        try:
            offset = int(base64.urlsafe_b64decode(token.encode()).decode())
        except (binascii.Error, ValueError, UnicodeDecodeError):
            offset = -1
        if offset < 0:
            raise params.invalid(name, token, "Member must be a token this service issued")
        return offset

    @staticmethod
    def _token(offset: int) -> str:
        return base64.urlsafe_b64encode(str(offset).encode()).decode()

    # -- queries --------------------------------------------------------------------------

    @handles("StartQuery")
    def start_query(self, params: Params) -> Response:
        """StartQuery: ``queryId``."""
        self._language(params)
        query_id = self.domain.insights.start_query(
            params.string("queryString", required=True, max_length=10_000),
            params.integer("startTime", required=True, minimum=0),
            params.integer("endTime", required=True, minimum=0),
            log_group_name=params.string(
                "logGroupName", min_length=1, max_length=512, pattern=_GROUP_NAME
            ),
            log_group_names=self._names(params, "logGroupNames", _GROUP_NAME, 512),
            log_group_identifiers=self._names(params, "logGroupIdentifiers", _IDENTIFIER, 2048),
            limit=params.integer("limit", minimum=1, maximum=100_000),
        )
        return {"queryId": query_id}

    @handles("GetQueryResults")
    def get_query_results(self, params: Params) -> Response:
        """GetQueryResults: ``results``, ``statistics``, ``status`` and ``nextToken``."""
        record = self.domain.insights.get_query_results(
            params.string("queryId", required=True, min_length=1, max_length=256)
        )
        size = params.integer("maxItems", minimum=0, maximum=10_000)
        start = self._offset(params)
        out: Response = {"queryLanguage": "CWLI", "results": [], "statistics": _statistics(record)}
        out["status"] = record.status.value
        result = record.result
        if result is not None:
            rows = result.rows[start:] if size is None else result.rows[start : start + size]
            out["results"] = [_row(row) for row in rows]
            if size is not None and start + size < len(result.rows):
                out["nextToken"] = self._token(start + size)
        return out

    @handles("StopQuery")
    def stop_query(self, params: Params) -> Response:
        """StopQuery: ``success``."""
        query_id = params.string("queryId", required=True, min_length=1, max_length=256)
        return {"success": self.domain.insights.stop_query(query_id)}

    @handles("DescribeQueries")
    def describe_queries(self, params: Params) -> Response:
        """DescribeQueries: ``queries``, newest first, and ``nextToken``."""
        self._language(params)
        records = self.domain.insights.describe_queries(
            log_group_name=params.string(
                "logGroupName", min_length=1, max_length=512, pattern=_GROUP_NAME
            ),
            status=params.string("status", choices=_STATUSES),
        )
        size = params.integer("maxResults", minimum=1, maximum=1000) or 1000
        start = self._offset(params)
        out: Response = {"queries": [_info(r) for r in records[start : start + size]]}
        if start + size < len(records):
            out["nextToken"] = self._token(start + size)
        return out

    @handles("GetLogGroupFields")
    def get_log_group_fields(self, params: Params) -> Response:
        """GetLogGroupFields: ``logGroupFields`` [{name, percent}]."""
        fields = self.domain.insights.get_log_group_fields(
            params.string("logGroupName", min_length=1, max_length=512, pattern=_GROUP_NAME),
            log_group_identifier=params.string(
                "logGroupIdentifier", min_length=1, max_length=2048, pattern=_IDENTIFIER
            ),
            time=params.integer("time", minimum=0),
        )
        return {"logGroupFields": [{"name": name, "percent": pct} for name, pct in fields]}

    @handles("GetLogRecord")
    def get_log_record(self, params: Params) -> Response:
        """GetLogRecord: ``logRecord`` (field → text)."""
        params.boolean("unmask")
        record = self.domain.insights.get_log_record(
            params.string("logRecordPointer", required=True)
        )
        shown = {key: render(value) for key, value in record.items()}
        for key in ("@timestamp", "@ingestionTime"):
            shown[key] = str(record[key])
        return {"logRecord": shown}

    # -- query definitions ---------------------------------------------------------------------

    @handles("PutQueryDefinition")
    def put_query_definition(self, params: Params) -> Response:
        """PutQueryDefinition: ``queryDefinitionId``."""
        self._language(params)
        params.string("clientToken", min_length=36, max_length=128)
        parameters = []
        for entry in params.structs("parameters", max_items=20):
            name = entry.string("name", required=True, min_length=1, max_length=128,
                                pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*")  # fmt: skip
            parameters.append(QueryParameter(
                name=name,
                default_value=entry.string("defaultValue", max_length=1024),
                description=entry.string("description", max_length=512),
            ))  # fmt: skip
        definition_id = self.domain.insights.put_query_definition(
            params.string("name", required=True, min_length=1, max_length=255),
            params.string("queryString", required=True, min_length=1, max_length=10_000),
            query_definition_id=params.string("queryDefinitionId", min_length=1, max_length=256),
            log_group_names=self._names(params, "logGroupNames", _GROUP_NAME, 512) or (),
            parameters=parameters,
        )
        return {"queryDefinitionId": definition_id}

    @handles("DescribeQueryDefinitions")
    def describe_query_definitions(self, params: Params) -> Response:
        """DescribeQueryDefinitions: ``queryDefinitions`` by name, and ``nextToken``."""
        self._language(params)
        found = self.domain.insights.describe_query_definitions(
            query_definition_name_prefix=params.string(
                "queryDefinitionNamePrefix", min_length=1, max_length=255
            )
        )
        size = params.integer("maxResults", minimum=1, maximum=1000) or 1000
        start = self._offset(params)
        out: Response = {"queryDefinitions": [_definition(d) for d in found[start : start + size]]}
        if start + size < len(found):
            out["nextToken"] = self._token(start + size)
        return out

    @handles("DeleteQueryDefinition")
    def delete_query_definition(self, params: Params) -> Response:
        """DeleteQueryDefinition: ``success``."""
        definition_id = params.string(
            "queryDefinitionId", required=True, min_length=1, max_length=256
        )
        return {"success": self.domain.insights.delete_query_definition(definition_id)}


def _row(row: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for name, value in row.items():
        text = encode_pointer(value) if name == PTR and isinstance(value, tuple) else render(value)
        out.append({"field": name, "value": text})
    return out


def _statistics(record: QueryRecord) -> dict[str, float]:
    result = record.result
    matched = scanned = size = 0.0
    if result is not None:
        matched, scanned = float(result.records_matched), float(result.records_scanned)
        size = float(result.bytes_scanned)
    return {
        "recordsMatched": matched,
        "recordsScanned": scanned,
        "estimatedRecordsSkipped": 0.0,
        "bytesScanned": size,
        "estimatedBytesSkipped": 0.0,
        "logGroupsScanned": float(len(record.log_group_names)) if result is not None else 0.0,
    }


def _info(record: QueryRecord) -> Response:
    out: Response = {
        "queryLanguage": "CWLI",
        "queryId": record.query_id,
        "queryString": record.query.text,
        "status": record.status.value,
        "createTime": record.created_at_ms,
        "logGroupName": record.log_group_names[0],
    }
    if record.finished_at_ms is not None:
        out["queryDuration"] = record.finished_at_ms - record.created_at_ms
    if record.result is not None:
        out["bytesScanned"] = float(record.result.bytes_scanned)
    if record.user_identity:
        out["userIdentity"] = record.user_identity
    return out


def _definition(definition: QueryDefinition) -> Response:
    out: Response = {
        "queryLanguage": "CWLI",
        "queryDefinitionId": definition.query_definition_id,
        "name": definition.name,
        "queryString": definition.query_string,
        "lastModified": definition.last_modified_ms,
        "logGroupNames": list(definition.log_group_names),
    }
    if definition.parameters:
        out["parameters"] = [_parameter(p) for p in definition.parameters]
    return out


def _parameter(parameter: QueryParameter) -> Response:
    out: Response = {"name": parameter.name}
    if parameter.default_value is not None:
        out["defaultValue"] = parameter.default_value
    if parameter.description is not None:
        out["description"] = parameter.description
    return out
