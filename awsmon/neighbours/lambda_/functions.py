"""Lambda's function management: lookup, registration, configuration, concurrency, policy.

`FunctionOperations` is mixed into `awsmon.neighbours.lambda_.Lambda`; it
holds the operations that create, read, change and delete functions and
their resource policies. Invocation lives in the service class itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from awsmon.arn import partition_for
from awsmon.dispatch import operation
from awsmon.neighbours.lambda_.errors import (
    AccessDeniedException,
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
    ValidationException,
)
from awsmon.neighbours.lambda_.logformat import APPLICATION_LEVELS, SYSTEM_LEVELS, LogSettings
from awsmon.neighbours.lambda_.model import (
    Handler,
    LambdaFunction,
    TracingMode,
    _check_sizes,
    _reference,
    _tracing_mode,
)

if TYPE_CHECKING:
    from awsmon.dispatch import ServiceContext

__all__ = ["FunctionOperations"]

_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_FUNCTION_ARN = re.compile(
    r"(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):)?(?:(?P<account>\d{12}):)?"
    r"(?:function:)?(?P<name>[a-zA-Z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?"
)
_ROLE = re.compile(r"arn:aws[a-zA-Z-]*:iam::\d{12}:role/[\w+=,.@/-]+")


def logging_settings(
    config: Mapping[str, str] | None, function_name: str
) -> tuple[LogSettings, str | None]:
    """The `LogSettings` and custom log group (None: the default) of a ``LoggingConfig``.

    Raises:
        ValidationException: a format or level outside its enum.
        InvalidParameterValueException: a level with the Text format.
    """
    config = dict(config or {})
    log_format = config.get("LogFormat", "Text")
    for member, value, allowed in (
        ("logFormat", log_format, ("JSON", "Text")),
        ("applicationLogLevel", config.get("ApplicationLogLevel"), APPLICATION_LEVELS),
        ("systemLogLevel", config.get("SystemLogLevel"), SYSTEM_LEVELS),
    ):
        if value is not None and value not in allowed:
            raise ValidationException(
                f"1 validation error detected: Value '{value}' at 'loggingConfig.{member}' "
                f"failed to satisfy constraint: Member must satisfy enum value set: "
                f"[{', '.join(sorted(allowed))}]",
                param=f"LoggingConfig.{member[0].upper()}{member[1:]}",
                value=value,
            )
    levels = config.get("ApplicationLogLevel"), config.get("SystemLogLevel")
    if log_format == "Text" and any(levels):
        raise InvalidParameterValueException(
            'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from '
            'your request or change the LogFormat to "JSON" and try again.',
            param="LoggingConfig",
            value=config,
        )
    group = config.get("LogGroup")
    if group == f"/aws/lambda/{function_name}":
        group = None
    return LogSettings(log_format, *levels), group


class FunctionOperations:
    """Functions and their resource policies (mixed into `Lambda`).

    Attributes:
        functions: the functions of this account and region, by name.
        handlers: handler references (``module.function``) → callables, for
            functions created with CreateFunction.
    """

    ctx: ServiceContext
    functions: dict[str, LambdaFunction]
    handlers: dict[str, Handler]

    @property
    def account_id(self) -> str:
        """The account these functions belong to."""
        return self.ctx.account_id

    # -- lookup -------------------------------------------------------------------

    def function(self, name_or_arn: str) -> LambdaFunction:
        """The function named by name, ARN or partial ARN (``123456789012:function:f``).

        Raises:
            ResourceNotFoundException: no such function.
        """
        match = _FUNCTION_ARN.fullmatch(name_or_arn)
        target: FunctionOperations = self
        if match is not None and (match["region"] or match["account"]):
            target = self.ctx.sibling(
                self.ctx.spec.name,
                account_id=match["account"] or None,
                region=match["region"] or None,
            )
        found = target.functions.get(match["name"]) if match else None
        if found is None:
            name = match["name"] if match else name_or_arn
            raise ResourceNotFoundException(
                f"Function not found: {target.ctx.arn('function:' + name)}",
                param="FunctionName",
                value=name_or_arn,
            )
        if target.account_id != self.ctx.principal.account_id:
            policy = {"Version": "2012-10-17", "Statement": found.policy} if found.policy else None
            refused = self.ctx.check_other_account(
                found.arn, target.account_id, policy, actions={"Invoke": "InvokeFunction"}
            )
            if refused is not None:
                raise AccessDeniedException(
                    refused.not_authorized, param="FunctionName", value=name_or_arn
                )
        return found

    # -- functions ------------------------------------------------------------------

    def register(
        self,
        name: str,
        handler: Handler,
        *,
        memory_size: int = 128,
        timeout: int = 3,
        runtime: str = "python3.12",
        environment: Mapping[str, str] | None = None,
        duration: timedelta | Callable[[Any], timedelta] | None = None,
        init_duration: timedelta | None = None,
        tracing_mode: TracingMode | str = TracingMode.PASS_THROUGH,
        logging_config: Mapping[str, str] | None = None,
    ) -> LambdaFunction:
        """Make a Python callable a function named `name` (replacing one of that name).

        Not an AWS operation: the simulation's way of deploying code.

        Args:
            duration: the simulated run time (`LambdaFunction.duration`).
            init_duration: the simulated cold start (`LambdaFunction.init_duration`).
            tracing_mode: ``Active`` to have Lambda sample and trace its
                invocations in X-Ray (`TracingMode`).
            logging_config: ``LoggingConfig`` (``LogFormat``, ``ApplicationLogLevel``,
                ``SystemLogLevel``, ``LogGroup``), as CreateFunction takes it.

        Raises:
            ValidationException: a tracing mode or logging setting outside its enum.
            InvalidParameterValueException: log levels with the Text format.
        """
        mode = _tracing_mode(tracing_mode)
        settings, group = logging_settings(logging_config, name)
        now = self.ctx.now()
        digest = hashlib.sha256(repr(handler).encode()).digest()
        function = LambdaFunction(
            name=name,
            arn=self.ctx.arn(f"function:{name}"),
            handler_name=_reference(handler),
            runtime=runtime,
            role=f"arn:{partition_for(self.ctx.region)}:iam::{self.account_id}:role/awsmon-lambda-{name}",
            memory_size=memory_size,
            timeout=timeout,
            created_at=now,
            last_modified=now,
            code_sha256=base64.b64encode(digest).decode(),
            code_size=0,
            environment=dict(environment or {}),
            tracing_mode=mode,
            handler=handler,
            log_settings=settings,
            log_group=group,
        )
        if duration is not None:
            function.duration = duration
        if init_duration is not None:
            function.init_duration = init_duration
        self.functions[name] = function
        return function

    @operation("CreateFunction")
    def create_function(
        self,
        function_name: str,
        *,
        role: str,
        handler: str,
        runtime: str = "python3.12",
        zip_file: bytes | None = None,
        memory_size: int = 128,
        timeout: int = 3,
        description: str = "",
        environment: Mapping[str, str] | None = None,
        tracing_mode: TracingMode | str = TracingMode.PASS_THROUGH,
        tags: Mapping[str, str] | None = None,
        logging_config: Mapping[str, str] | None = None,
    ) -> LambdaFunction:
        """Create a function whose handler is resolved at invocation (CreateFunction).

        Args:
            tracing_mode: ``TracingConfig.Mode``: ``Active`` or ``PassThrough``.

        Raises:
            ResourceConflictException: the function exists.
            InvalidParameterValueException: a bad role, memory size or timeout.
            ValidationException: a bad name or tracing mode.
        """
        if not _NAME.fullmatch(function_name):
            raise ValidationException(
                f"1 validation error detected: Value '{function_name}' at 'functionName' failed "
                "to satisfy constraint: Member must satisfy regular expression pattern: "
                "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
                "(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
                param="FunctionName",
                value=function_name,
            )
        if function_name in self.functions:
            raise ResourceConflictException(
                f"Function already exist: {function_name}",
                param="FunctionName",
                value=function_name,
            )
        if not _ROLE.fullmatch(role):
            raise InvalidParameterValueException(
                "The role defined for the function cannot be assumed by Lambda.",
                param="Role",
                value=role,
            )
        _check_sizes(memory_size, timeout)
        mode = _tracing_mode(tracing_mode)
        settings, group = logging_settings(logging_config, function_name)
        now = self.ctx.now()
        code = zip_file or b""
        function = LambdaFunction(
            name=function_name,
            arn=self.ctx.arn(f"function:{function_name}"),
            handler_name=handler,
            runtime=runtime,
            role=role,
            memory_size=memory_size,
            timeout=timeout,
            created_at=now,
            last_modified=now,
            code_sha256=base64.b64encode(hashlib.sha256(code).digest()).decode(),
            code_size=len(code),
            description=description,
            environment=dict(environment or {}),
            tracing_mode=mode,
            code=zip_file,
            tags=dict(tags or {}),
            log_settings=settings,
            log_group=group,
        )
        self.functions[function_name] = function
        return function

    @operation("GetFunction")
    def get_function(self, function_name: str) -> LambdaFunction:
        """The function (GetFunction / GetFunctionConfiguration)."""
        return self.function(function_name)

    @operation("ListFunctions")
    def list_functions(self) -> list[LambdaFunction]:
        """The functions of this account and region, by name (ListFunctions)."""
        return [self.functions[name] for name in sorted(self.functions)]

    @operation("DeleteFunction")
    def delete_function(self, function_name: str) -> None:
        """Delete a function (DeleteFunction)."""
        del self.functions[self.function(function_name).name]

    @operation("UpdateFunctionConfiguration")
    def update_function_configuration(
        self,
        function_name: str,
        *,
        memory_size: int | None = None,
        timeout: int | None = None,
        handler: str | None = None,
        environment: Mapping[str, str] | None = None,
        description: str | None = None,
        tracing_mode: TracingMode | str | None = None,
        logging_config: Mapping[str, str] | None = None,
    ) -> LambdaFunction:
        """Change a function's settings (UpdateFunctionConfiguration).

        The next invocation is a cold start, as Lambda starts new execution
        environments with the new configuration.

        Raises:
            InvalidParameterValueException: a bad memory size or timeout.
            ValidationException: a bad tracing mode.
        """
        function = self.function(function_name)
        _check_sizes(
            memory_size if memory_size is not None else function.memory_size,
            timeout if timeout is not None else function.timeout,
        )
        mode = None if tracing_mode is None else _tracing_mode(tracing_mode)
        logging = None
        if logging_config is not None:
            merged = {
                **function.log_settings.configuration(function.log_group_name),
                **logging_config,
            }
            if merged["LogFormat"] == "Text":  # levels kept from JSON go with it
                for level in {"ApplicationLogLevel", "SystemLogLevel"} - set(logging_config):
                    merged.pop(level, None)
            logging = logging_settings(merged, function.name)
        if memory_size is not None:
            function.memory_size = memory_size
        if timeout is not None:
            function.timeout = timeout
        if handler is not None:
            function.handler_name = handler
            function.handler = None
        if environment is not None:
            function.environment = dict(environment)
        if description is not None:
            function.description = description
        if mode is not None:
            function.tracing_mode = mode
        if logging is not None:
            function.log_settings, function.log_group = logging
        function.last_modified = self.ctx.now()
        function.revision += 1
        function.initialized = False
        return function

    @operation("PutFunctionConcurrency")
    def put_function_concurrency(
        self, function_name: str, reserved_concurrent_executions: int
    ) -> int:
        """Reserve concurrency (PutFunctionConcurrency); 0 throttles every invocation."""
        if reserved_concurrent_executions < 0:
            raise InvalidParameterValueException(
                "ReservedConcurrentExecutions must be >= 0",
                param="ReservedConcurrentExecutions",
                value=reserved_concurrent_executions,
            )
        self.function(function_name).reserved_concurrency = reserved_concurrent_executions
        return reserved_concurrent_executions

    @operation("DeleteFunctionConcurrency")
    def delete_function_concurrency(self, function_name: str) -> None:
        """Remove the reserved concurrency (DeleteFunctionConcurrency)."""
        self.function(function_name).reserved_concurrency = None

    # -- resource policy --------------------------------------------------------------

    @operation("AddPermission")
    def add_permission(
        self,
        function_name: str,
        statement_id: str,
        action: str,
        principal: str,
        *,
        source_arn: str | None = None,
        source_account: str | None = None,
    ) -> dict[str, Any]:
        """Add a statement to the function's resource policy (AddPermission).

        Raises:
            ResourceConflictException: a statement with that id exists.
        """
        function = self.function(function_name)
        if any(s["Sid"] == statement_id for s in function.policy):
            raise ResourceConflictException(
                f"The statement id ({statement_id}) provided already exists. Please provide a new "
                "statement id, or remove the existing statement.",
                param="StatementId",
                value=statement_id,
            )
        who: dict[str, str] = (
            {"Service": principal} if principal.endswith(".amazonaws.com") else {"AWS": principal}
        )
        statement: dict[str, Any] = {
            "Sid": statement_id,
            "Effect": "Allow",
            "Principal": who,
            "Action": action,
            "Resource": function.arn,
        }
        condition: dict[str, Any] = {}
        if source_arn:
            condition["ArnLike"] = {"AWS:SourceArn": source_arn}
        if source_account:
            condition["StringEquals"] = {"AWS:SourceAccount": source_account}
        if condition:
            statement["Condition"] = condition
        function.policy.append(statement)
        function.revision += 1
        return statement

    @operation("RemovePermission")
    def remove_permission(self, function_name: str, statement_id: str) -> None:
        """Remove a statement from the function's policy (RemovePermission)."""
        function = self.function(function_name)
        if not any(s["Sid"] == statement_id for s in function.policy):
            raise ResourceNotFoundException(
                "Statement not found", param="StatementId", value=statement_id
            )
        function.policy = [s for s in function.policy if s["Sid"] != statement_id]

    @operation("GetPolicy")
    def get_policy(self, function_name: str) -> str:
        """The function's resource policy as JSON (GetPolicy).

        Raises:
            ResourceNotFoundException: the function has no policy.
        """
        function = self.function(function_name)
        if not function.policy:
            raise ResourceNotFoundException(
                "The resource you requested does not exist.",
                param="FunctionName",
                value=function_name,
            )
        return json.dumps(
            {"Version": "2012-10-17", "Id": "default", "Statement": function.policy},
            separators=(",", ":"),
        )
