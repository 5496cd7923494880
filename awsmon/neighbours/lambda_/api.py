"""Lambda wire operations: AWS parameter names in, boto3 response shapes out.

Lambda speaks REST-JSON; ``Invoke`` answers a ``Payload`` that boto3 hands
back as a ``StreamingBody``.

Tracing: an ``X-Amzn-Trace-Id`` request header joins the caller's trace.
botocore sends it from inside a Lambda function (when
``AWS_LAMBDA_FUNCTION_NAME`` and ``_X_AMZN_TRACE_ID`` are set, as they are
while a handler runs), so an ``Invoke`` made from a handler joins the handler's
trace. awsmon's wire client sends no headers, so ``Invoke`` also reads those
two environment variables.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> _ = cloud.lambda_.register("echo", lambda event, context: event)
>>> cloud.client("lambda").invoke(FunctionName="echo", Payload=b'{"a": 1}')["Payload"].read()
b'{"a": 1}'
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from awsmon.body import streaming_body
from awsmon.neighbours.lambda_.errors import InvalidParameterValueException
from awsmon.neighbours.lambda_.mapping_api import MappingApi
from awsmon.neighbours.lambda_.model import InvocationType, function_configuration
from awsmon.neighbours.lambda_.service import Lambda
from awsmon.wire import Params, handles

__all__ = ["LambdaApi"]

#: AWS's Handler pattern, and no NUL: a handler names a module and a function.
_HANDLER = r"[^\s\x00]+"
#: AWS's environment variable key pattern.
_ENV_KEY = r"[a-zA-Z]([a-zA-Z0-9_])+"


def _environment(params: Params) -> dict[str, str] | None:
    """``Environment.Variables`` checked (keys by AWS's pattern, values text without NUL),
    or None when no Environment is given (or it holds no Variables)."""
    if "Environment" not in params:
        return None
    environment = params.nested(params.raw("Environment"), "Environment")
    variables = environment.mapping("Variables")
    checked = environment.nested(variables, "Variables")
    for key in variables:
        if not isinstance(key, str) or not re.fullmatch(_ENV_KEY, key):
            raise environment.invalid(
                "Variables", key, f"Member must satisfy regular expression pattern: {_ENV_KEY}"
            )
        checked.string(key, pattern=r"[^\x00]*")
    return dict(variables) or None


def _tracing_mode(params: Params) -> str | None:
    """``TracingConfig.Mode`` (a string: the domain checks its value), or None when not given."""
    if "TracingConfig" not in params:
        return None
    config = params.nested(params.raw("TracingConfig"), "TracingConfig")
    return config.string("Mode")

Response = dict[str, Any]


class LambdaApi(MappingApi):
    """The Lambda wire API (event source mappings and invoke configs in `MappingApi`)."""

    domain: Lambda
    invalid_parameter = InvalidParameterValueException
    missing_parameter = InvalidParameterValueException

    def _name(self, params: Params) -> str:
        name = params.string("FunctionName", required=True, min_length=1, max_length=170)
        return name

    @handles("CreateFunction")
    def create_function(self, params: Params) -> Response:
        """CreateFunction → the FunctionConfiguration."""
        code = params.nested(params.mapping("Code", required=True), "Code")
        zip_file = code.blob("ZipFile")
        role = params.string("Role", required=True)
        handler = params.string(
            "Handler", default="lambda_function.lambda_handler", max_length=128, pattern=_HANDLER
        )
        function = self.domain.create_function(
            self._name(params),
            role=role,
            handler=handler,
            runtime=params.string("Runtime", default="python3.12") or "python3.12",
            zip_file=zip_file,
            memory_size=params.integer("MemorySize", default=128) or 128,
            timeout=params.integer("Timeout", default=3) or 3,
            description=params.string("Description", default="") or "",
            environment=_environment(params) or {},
            tracing_mode=_tracing_mode(params) or "PassThrough",
            tags=params.mapping("Tags"),
            logging_config=params.mapping("LoggingConfig") or None,
        )
        return function_configuration(function)

    @handles("GetFunction")
    def get_function(self, params: Params) -> Response:
        """GetFunction → ``Configuration``, ``Code`` and ``Tags``."""
        function = self.domain.get_function(self._name(params))
        response: Response = {
            "Configuration": function_configuration(function),
            "Code": {
                "RepositoryType": "S3",
                "Location": f"https://awslambda-{function.arn.split(':')[3]}-tasks.s3."
                f"amazonaws.com/snapshots/{function.name}",
            },
        }
        if function.tags:
            response["Tags"] = dict(function.tags)
        if function.reserved_concurrency is not None:
            response["Concurrency"] = {
                "ReservedConcurrentExecutions": function.reserved_concurrency
            }
        return response

    @handles("GetFunctionConfiguration")
    def get_function_configuration(self, params: Params) -> Response:
        """GetFunctionConfiguration → the FunctionConfiguration."""
        return function_configuration(self.domain.get_function(self._name(params)))

    @handles("ListFunctions")
    def list_functions(self, params: Params) -> Response:
        """ListFunctions → ``Functions`` (50 a page) and ``NextMarker``."""
        functions = [function_configuration(f) for f in self.domain.list_functions()]
        size = params.integer("MaxItems", minimum=1, maximum=10000, default=50) or 50
        marker = params.string("Marker")
        start = int(marker) if marker and marker.isdecimal() else 0
        response: Response = {"Functions": functions[start : start + size]}
        if start + size < len(functions):
            response["NextMarker"] = str(start + size)
        return response

    @handles("DeleteFunction")
    def delete_function(self, params: Params) -> Response:
        """DeleteFunction → ``StatusCode`` 204."""
        self.domain.delete_function(self._name(params))
        return {"StatusCode": 204}

    @handles("UpdateFunctionConfiguration")
    def update_function_configuration(self, params: Params) -> Response:
        """UpdateFunctionConfiguration → the FunctionConfiguration."""
        environment = _environment(params)
        function = self.domain.update_function_configuration(
            self._name(params),
            memory_size=params.integer("MemorySize"),
            timeout=params.integer("Timeout"),
            handler=params.string("Handler", max_length=128, pattern=_HANDLER),
            environment=environment,
            description=params.string("Description"),
            tracing_mode=_tracing_mode(params),
            logging_config=params.mapping("LoggingConfig") or None,
        )
        return function_configuration(function)

    @handles("PutFunctionConcurrency")
    def put_function_concurrency(self, params: Params) -> Response:
        """PutFunctionConcurrency → ``ReservedConcurrentExecutions``."""
        count = params.integer("ReservedConcurrentExecutions", required=True, minimum=0)
        reserved = self.domain.put_function_concurrency(self._name(params), count)
        return {"ReservedConcurrentExecutions": reserved}

    @handles("DeleteFunctionConcurrency")
    def delete_function_concurrency(self, params: Params) -> Response:
        """DeleteFunctionConcurrency → nothing."""
        self.domain.delete_function_concurrency(self._name(params))
        return {}

    @handles("AddPermission")
    def add_permission(self, params: Params) -> Response:
        """AddPermission → ``Statement`` (JSON text)."""
        statement_id = params.string("StatementId", required=True, pattern=r"[a-zA-Z0-9-_]{1,100}")
        action = params.string("Action", required=True)
        principal = params.string("Principal", required=True)
        statement = self.domain.add_permission(
            self._name(params),
            statement_id,
            action,
            principal,
            source_arn=params.string("SourceArn"),
            source_account=params.string("SourceAccount"),
        )
        return {"Statement": json.dumps(statement, separators=(",", ":"))}

    @handles("RemovePermission")
    def remove_permission(self, params: Params) -> Response:
        """RemovePermission → nothing."""
        statement_id = params.string("StatementId", required=True)
        self.domain.remove_permission(self._name(params), statement_id)
        return {}

    @handles("GetPolicy")
    def get_policy(self, params: Params) -> Response:
        """GetPolicy → ``Policy`` and ``RevisionId``."""
        name = self._name(params)
        policy = self.domain.get_policy(name)
        revision = function_configuration(self.domain.function(name))["RevisionId"]
        return {"Policy": policy, "RevisionId": revision}

    @handles("Invoke")
    def invoke(self, params: Params) -> Response:
        """Invoke → ``StatusCode``, ``Payload`` (readable), ``FunctionError``, ``LogResult``."""
        kind = params.string(
            "InvocationType",
            default="RequestResponse",
            choices=[t.value for t in InvocationType],
        )
        payload = params.raw("Payload")
        if payload is not None and hasattr(payload, "read"):
            payload = payload.read()
        result = self.domain.invoke(
            self._name(params),
            payload if payload is not None else b"",
            invocation_type=InvocationType(kind),
            log_type=params.string("LogType", choices=["None", "Tail"]),
            trace_header=params.header("X-Amzn-Trace-Id") or _trace_header(),
        )
        response: Response = {"StatusCode": result.status_code}
        if result.function_error:
            response["FunctionError"] = result.function_error
        if result.log_result is not None:
            response["LogResult"] = result.log_result
        if result.executed_version is not None:
            response["ExecutedVersion"] = result.executed_version
        response["Payload"] = streaming_body(result.payload)
        return response


def _trace_header() -> str | None:
    """The ``X-Amzn-Trace-Id`` botocore adds to a call made inside a Lambda function."""
    if "AWS_LAMBDA_FUNCTION_NAME" not in os.environ:
        return None
    return os.environ.get("_X_AMZN_TRACE_ID") or None
