"""Lambda's asynchronous invocation: retries, event age, and OnSuccess/OnFailure destinations.

`AsyncOperations` is mixed into `awsmon.neighbours.lambda_.Lambda`: the
PutFunctionEventInvokeConfig family of operations and the retry loop of an
``Event`` invocation. An event that fails is retried one and then two
minutes later (up to ``MaximumRetryAttempts``); one that succeeds, or runs
out of retries or of age (``MaximumEventAgeInSeconds``), sends its record
(`destinations.invocation_record`) to the configured destination.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from awsmon import jsondoc
from awsmon.dispatch import operation
from awsmon.neighbours.lambda_.destinations import (
    EventInvokeConfig,
    check_destination,
    deliver,
    invocation_record,
)
from awsmon.neighbours.lambda_.errors import (
    InvalidParameterValueException,
    ResourceNotFoundException,
)
from awsmon.neighbours.lambda_.functions import FunctionOperations
from awsmon.neighbours.lambda_.model import Invocation, InvocationType, LambdaFunction

if TYPE_CHECKING:
    from awsmon.dispatch import ServiceContext
    from awsmon.neighbours.lambda_.tracing import RequestTrace

__all__ = ["AsyncOperations"]

_RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=2))
_ASYNC_DESTINATIONS = ("sqs", "sns", "lambda", "events")


class AsyncOperations(FunctionOperations):
    """Asynchronous invocation settings and retries (mixed into `Lambda`).

    Attributes:
        invoke_configs: function name → its `EventInvokeConfig`.
    """

    ctx: ServiceContext
    invoke_configs: dict[str, EventInvokeConfig]

    def _run(
        self,
        function: LambdaFunction,
        event: Any,
        kind: InvocationType,
        attempt: int,
        request: RequestTrace,
    ) -> Invocation:  # defined by Lambda
        raise NotImplementedError

    # -- operations --------------------------------------------------------------------

    @operation("PutFunctionEventInvokeConfig")
    def put_function_event_invoke_config(
        self,
        function_name: str,
        *,
        maximum_retry_attempts: int | None = None,
        maximum_event_age_in_seconds: int | None = None,
        on_success: str | None = None,
        on_failure: str | None = None,
    ) -> EventInvokeConfig:
        """Replace the function's asynchronous settings (PutFunctionEventInvokeConfig).

        Raises:
            ResourceNotFoundException: no such function.
            InvalidParameterValueException: a count, age or destination out of range.
        """
        function = self.function(function_name)
        config = _checked(
            EventInvokeConfig(),
            maximum_retry_attempts,
            maximum_event_age_in_seconds,
            on_success,
            on_failure,
        )
        config.last_modified = self.ctx.now()
        self.invoke_configs[function.name] = config
        return config

    @operation("UpdateFunctionEventInvokeConfig")
    def update_function_event_invoke_config(
        self,
        function_name: str,
        *,
        maximum_retry_attempts: int | None = None,
        maximum_event_age_in_seconds: int | None = None,
        on_success: str | None = None,
        on_failure: str | None = None,
    ) -> EventInvokeConfig:
        """Change some asynchronous settings, keep the rest (UpdateFunctionEventInvokeConfig)."""
        function = self.function(function_name)
        current = self.invoke_configs.get(function.name, EventInvokeConfig())
        config = _checked(
            EventInvokeConfig(
                current.maximum_retry_attempts,
                current.maximum_event_age,
                current.on_success,
                current.on_failure,
            ),
            maximum_retry_attempts,
            maximum_event_age_in_seconds,
            on_success,
            on_failure,
        )
        config.last_modified = self.ctx.now()
        self.invoke_configs[function.name] = config
        return config

    @operation("GetFunctionEventInvokeConfig")
    def get_function_event_invoke_config(self, function_name: str) -> EventInvokeConfig:
        """The function's asynchronous settings (GetFunctionEventInvokeConfig).

        Raises:
            ResourceNotFoundException: none were put.
        """
        function = self.function(function_name)
        config = self.invoke_configs.get(function.name)
        if config is None:
            raise ResourceNotFoundException(
                f"The function {function.arn} doesn't have an EventInvokeConfig",
                param="FunctionName",
                value=function_name,
            )
        return config

    @operation("DeleteFunctionEventInvokeConfig")
    def delete_function_event_invoke_config(self, function_name: str) -> None:
        """Forget the function's asynchronous settings (DeleteFunctionEventInvokeConfig)."""
        self.get_function_event_invoke_config(function_name)
        del self.invoke_configs[self.function(function_name).name]

    @operation("ListFunctionEventInvokeConfigs")
    def list_function_event_invoke_configs(self, function_name: str) -> list[EventInvokeConfig]:
        """The function's asynchronous settings, 0 or 1 (ListFunctionEventInvokeConfigs)."""
        function = self.function(function_name)
        config = self.invoke_configs.get(function.name)
        return [] if config is None else [config]

    # -- the retry loop -------------------------------------------------------------------

    def _run_async(
        self,
        function: LambdaFunction,
        event: Any,
        attempt: int,
        request: RequestTrace,
        queued_at: datetime | None = None,
    ) -> None:
        """Run one attempt of an Event invocation; retry it, or send its record on."""
        config = self.invoke_configs.get(function.name, EventInvokeConfig())
        queued_at = queued_at or self.ctx.now()
        invocation = self._run(function, event, InvocationType.EVENT, attempt, request)
        if invocation.function_error is None:
            self._send_record(function, config.on_success, invocation, "Success", attempt)
            return
        if attempt > min(config.maximum_retry_attempts, len(_RETRY_DELAYS)):
            self._send_record(function, config.on_failure, invocation, "RetriesExhausted", attempt)
            return
        delay = _RETRY_DELAYS[attempt - 1]
        if self.ctx.now() + delay - queued_at > timedelta(seconds=config.maximum_event_age):
            self._send_record(function, config.on_failure, invocation, "EventAgeExceeded", attempt)
            return
        self.ctx.clock.call_later(
            delay,
            self._retry,
            function.name,
            event,
            attempt + 1,
            request,
            queued_at,
            name=f"lambda retry {function.name}#{attempt + 1}",
        )

    def _retry(
        self, name: str, event: Any, attempt: int, request: RequestTrace, queued_at: datetime
    ) -> None:
        function = self.functions.get(name)
        if function is not None:
            self._run_async(function, event, attempt, request, queued_at)

    def _send_record(
        self,
        function: LambdaFunction,
        destination: str | None,
        invocation: Invocation,
        condition: str,
        attempts: int,
    ) -> None:
        if destination is None:
            return
        try:
            response = jsondoc.loads(invocation.payload) if invocation.payload else None
        except ValueError:
            response = None
        record = invocation_record(
            function,
            request_id=invocation.request_id,
            at=self.ctx.now(),
            event=invocation.event,
            condition=condition,
            attempts=attempts,
            response=response,
            function_error=invocation.function_error,
        )
        deliver(self.ctx, function, destination, record, success=condition == "Success")


def _checked(
    config: EventInvokeConfig,
    retries: int | None,
    age: int | None,
    on_success: str | None,
    on_failure: str | None,
) -> EventInvokeConfig:
    """`config` with the given settings, each checked as Lambda checks it."""
    if retries is not None:
        if not 0 <= retries <= 2:
            raise InvalidParameterValueException(
                f"1 validation error detected: Value '{retries}' at 'maximumRetryAttempts' "
                "failed to satisfy constraint: Member must have value less than or equal to 2",
                param="MaximumRetryAttempts",
                value=retries,
            )
        config.maximum_retry_attempts = retries
    if age is not None:
        if not 60 <= age <= 21600:
            raise InvalidParameterValueException(
                f"1 validation error detected: Value '{age}' at 'maximumEventAgeInSeconds' "
                "failed to satisfy constraint: Member must have value "
                f"{'greater than or equal to 60' if age < 60 else 'less than or equal to 21600'}",
                param="MaximumEventAgeInSeconds",
                value=age,
            )
        config.maximum_event_age = age
    if on_success is not None:
        config.on_success = (
            check_destination(on_success, member="OnSuccess", allowed=_ASYNC_DESTINATIONS) or None
        )
    if on_failure is not None:
        config.on_failure = (
            check_destination(on_failure, member="OnFailure", allowed=_ASYNC_DESTINATIONS) or None
        )
    return config
