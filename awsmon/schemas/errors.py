"""The EventBridge Schema Registry error codes awsmon raises.

The Schemas API (2019-12-02, REST JSON) answers with a small set of codes,
each with its HTTP status; the classes pin them on the semantic bases of
`awsmon.errors`, so a caller can catch by meaning (``except LookupError``) or
by the exact code.

Main classes: `BadRequestException` (400), `UnauthorizedException` (401),
`ForbiddenException` (403), `NotFoundException` (404), `ConflictException`
(409), `GoneException` (410), `PreconditionFailedException` (412),
`TooManyRequestsException` (429), `ServiceUnavailableException` (503).
"""

from __future__ import annotations

from awsmon.errors import (
    AccessDenied,
    AlreadyExists,
    Conflict,
    InvalidParameter,
    NotFound,
    ServiceError,
    Throttled,
)

__all__ = [
    "BadRequestException",
    "ConflictException",
    "ForbiddenException",
    "GoneException",
    "NotFoundException",
    "PreconditionFailedException",
    "ServiceUnavailableException",
    "TooManyRequestsException",
    "UnauthorizedException",
]


class BadRequestException(
    InvalidParameter, code="BadRequestException", service="schemas", http_status=400
):
    """The request is malformed or a parameter breaks its constraints."""


class UnauthorizedException(
    AccessDenied, code="UnauthorizedException", service="schemas", http_status=401
):
    """The caller is not authenticated."""


class ForbiddenException(
    AccessDenied, code="ForbiddenException", service="schemas", http_status=403
):
    """The caller may not do this (for example, change an AWS-managed registry)."""


class NotFoundException(NotFound, code="NotFoundException", service="schemas", http_status=404):
    """The registry, schema, version, discoverer, code binding or policy does not exist."""


class ConflictException(
    AlreadyExists, Conflict, code="ConflictException", service="schemas", http_status=409
):
    """The resource exists already (registry) or conflicts (discoverer on the same bus)."""


class GoneException(ServiceError, code="GoneException", service="schemas", http_status=410):
    """The schema version the code binding was asked for is gone."""


class PreconditionFailedException(
    Conflict, code="PreconditionFailedException", service="schemas", http_status=412
):
    """PutResourcePolicy's RevisionId is not the policy's current revision."""


class TooManyRequestsException(
    Throttled, code="TooManyRequestsException", service="schemas", http_status=429
):
    """The request rate is too high."""


class ServiceUnavailableException(
    ServiceError, code="ServiceUnavailableException", service="schemas", http_status=503
):
    """The service is not available."""
