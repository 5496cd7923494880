"""Lambda wire operations of event source mappings and asynchronous invocation settings.

`MappingApi` is the base of `awsmon.neighbours.lambda_.LambdaApi`: the
Create/Update/Delete/Get/ListEventSourceMappings and the
Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s) handlers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from awsmon.neighbours.lambda_.errors import InvalidParameterValueException
from awsmon.wire import Params, WireApi, handles

if TYPE_CHECKING:
    from awsmon.neighbours.lambda_.service import Lambda

__all__ = ["MappingApi"]

Response = dict[str, Any]


def _on_failure(params: Params) -> str | None:
    destinations = params.mapping("DestinationConfig")
    if not destinations:
        return None
    target = destinations.get("OnFailure") or {}
    return str(target.get("Destination") or "") if "Destination" in target else None


def _page(items: list[Response], params: Params, key: str) -> Response:
    size = params.integer("MaxItems", minimum=1, maximum=10000, default=100)
    marker = params.string("Marker")
    start = int(marker) if marker and marker.isdecimal() else 0
    response: Response = {key: items[start : start + size]}
    if start + size < len(items):
        response["NextMarker"] = str(start + size)
    return response


class MappingApi(WireApi):
    """Event source mappings and event invoke configs on the wire."""

    domain: Lambda
    invalid_parameter = InvalidParameterValueException
    missing_parameter = InvalidParameterValueException

    @handles("CreateEventSourceMapping")
    def create_event_source_mapping(self, params: Params) -> Response:
        """CreateEventSourceMapping → the EventSourceMappingConfiguration (``Creating``)."""
        mapping = self.domain.create_event_source_mapping(
            params.string("FunctionName", required=True, min_length=1, max_length=140),
            params.string("EventSourceArn", required=True),
            enabled=params.boolean("Enabled", default=True),
            batch_size=params.integer("BatchSize"),
            maximum_batching_window_in_seconds=params.integer("MaximumBatchingWindowInSeconds"),
            starting_position=params.string(
                "StartingPosition", choices=["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]
            ),
            starting_position_timestamp=params.timestamp("StartingPositionTimestamp"),
            function_response_types=params.strings(
                "FunctionResponseTypes", choices=["ReportBatchItemFailures"]
            ),
            bisect_batch_on_function_error=params.boolean("BisectBatchOnFunctionError"),
            maximum_retry_attempts=params.integer("MaximumRetryAttempts"),
            maximum_record_age_in_seconds=params.integer("MaximumRecordAgeInSeconds"),
            on_failure=_on_failure(params),
        )
        return mapping.shape()

    @handles("UpdateEventSourceMapping")
    def update_event_source_mapping(self, params: Params) -> Response:
        """UpdateEventSourceMapping → the EventSourceMappingConfiguration (``Updating`` ...)."""
        types = params.raw("FunctionResponseTypes")
        mapping = self.domain.update_event_source_mapping(
            params.string("UUID", required=True),
            function_name=params.string("FunctionName"),
            enabled=params.boolean("Enabled"),
            batch_size=params.integer("BatchSize"),
            maximum_batching_window_in_seconds=params.integer("MaximumBatchingWindowInSeconds"),
            function_response_types=(
                params.strings("FunctionResponseTypes", choices=["ReportBatchItemFailures"])
                if types is not None
                else None
            ),
            bisect_batch_on_function_error=params.boolean("BisectBatchOnFunctionError"),
            maximum_retry_attempts=params.integer("MaximumRetryAttempts"),
            maximum_record_age_in_seconds=params.integer("MaximumRecordAgeInSeconds"),
            on_failure=_on_failure(params),
        )
        return mapping.shape()

    @handles("DeleteEventSourceMapping")
    def delete_event_source_mapping(self, params: Params) -> Response:
        """DeleteEventSourceMapping → the EventSourceMappingConfiguration (``Deleting``)."""
        return self.domain.delete_event_source_mapping(params.string("UUID", required=True)).shape()

    @handles("GetEventSourceMapping")
    def get_event_source_mapping(self, params: Params) -> Response:
        """GetEventSourceMapping → the EventSourceMappingConfiguration."""
        return self.domain.get_event_source_mapping(params.string("UUID", required=True)).shape()

    @handles("ListEventSourceMappings")
    def list_event_source_mappings(self, params: Params) -> Response:
        """ListEventSourceMappings → ``EventSourceMappings`` and ``NextMarker``."""
        mappings = self.domain.list_event_source_mappings(
            event_source_arn=params.string("EventSourceArn"),
            function_name=params.string("FunctionName"),
        )
        return _page([m.shape() for m in mappings], params, "EventSourceMappings")

    def _invoke_config(self, params: Params, *, update: bool) -> Response:
        destinations = params.nested(params.mapping("DestinationConfig"), "DestinationConfig")
        on_success = destinations.nested(
            destinations.raw("OnSuccess", {}), "OnSuccess"
        ).string("Destination")
        on_failure = destinations.nested(
            destinations.raw("OnFailure", {}), "OnFailure"
        ).string("Destination")
        name = params.string("FunctionName", required=True, min_length=1, max_length=140)
        operation = (
            self.domain.update_function_event_invoke_config
            if update
            else self.domain.put_function_event_invoke_config
        )
        config = operation(
            name,
            maximum_retry_attempts=params.integer("MaximumRetryAttempts"),
            maximum_event_age_in_seconds=params.integer("MaximumEventAgeInSeconds"),
            on_success=on_success,
            on_failure=on_failure,
        )
        return config.shape(self.domain.function(name).arn)

    @handles("PutFunctionEventInvokeConfig")
    def put_function_event_invoke_config(self, params: Params) -> Response:
        """PutFunctionEventInvokeConfig → the FunctionEventInvokeConfig."""
        return self._invoke_config(params, update=False)

    @handles("UpdateFunctionEventInvokeConfig")
    def update_function_event_invoke_config(self, params: Params) -> Response:
        """UpdateFunctionEventInvokeConfig → the FunctionEventInvokeConfig."""
        return self._invoke_config(params, update=True)

    @handles("GetFunctionEventInvokeConfig")
    def get_function_event_invoke_config(self, params: Params) -> Response:
        """GetFunctionEventInvokeConfig → the FunctionEventInvokeConfig."""
        name = params.string("FunctionName", required=True, min_length=1, max_length=140)
        config = self.domain.get_function_event_invoke_config(name)
        return config.shape(self.domain.function(name).arn)

    @handles("DeleteFunctionEventInvokeConfig")
    def delete_function_event_invoke_config(self, params: Params) -> Response:
        """DeleteFunctionEventInvokeConfig → nothing."""
        self.domain.delete_function_event_invoke_config(
            params.string("FunctionName", required=True, min_length=1, max_length=140)
        )
        return {}

    @handles("ListFunctionEventInvokeConfigs")
    def list_function_event_invoke_configs(self, params: Params) -> Response:
        """ListFunctionEventInvokeConfigs → ``FunctionEventInvokeConfigs``."""
        name = params.string("FunctionName", required=True, min_length=1, max_length=140)
        configs = self.domain.list_function_event_invoke_configs(name)
        arn = self.domain.function(name).arn
        return _page([c.shape(arn) for c in configs], params, "FunctionEventInvokeConfigs")
