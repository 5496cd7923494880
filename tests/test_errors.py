"""Tests of awsmon/errors.py: the error hierarchy and its AWS codes."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import awsmon
from awsmon.errors import (
    AccessDenied,
    AwsmonError,
    ClockError,
    InvalidParameter,
    NotFound,
    ServiceError,
    Unsupported,
    error_classes,
)


def _import_everything() -> None:
    """Import every awsmon module, so that every error class is defined."""
    for module in pkgutil.walk_packages(awsmon.__path__, "awsmon."):
        if module.name.endswith("pytest_plugin") or module.name.endswith("strategies"):
            continue
        importlib.import_module(module.name)


class TestHierarchy:
    def test_every_error_class_has_a_code(self) -> None:
        """Every ServiceError class in awsmon carries a non-empty AWS code, never a status."""
        _import_everything()
        classes = error_classes()
        assert len(classes) >= 10
        for cls in classes:
            assert isinstance(cls.code, str) and cls.code, cls
            assert not cls.code.isdigit(), cls
            assert 400 <= cls.http_status < 600, cls

    def test_service_classes_name_their_service(self) -> None:
        """Every class below a semantic base that is defined by a service names that service."""
        _import_everything()
        for cls in error_classes():
            if cls.__module__ != "awsmon.errors":
                assert cls.service, f"{cls.__module__}.{cls.__name__} has no service"

    def test_semantic_bases_are_builtins_too(self) -> None:
        """Callers can catch by meaning or by the builtin they know."""
        assert issubclass(NotFound, LookupError)
        assert issubclass(InvalidParameter, ValueError)
        assert issubclass(AccessDenied, PermissionError)
        assert issubclass(Unsupported, NotImplementedError)
        assert issubclass(ClockError, ValueError) and issubclass(ClockError, AwsmonError)
        assert issubclass(ServiceError, AwsmonError)

    def test_class_keywords(self) -> None:
        """A subclass declares code, service and status as class keywords."""

        class Gone(NotFound, code="ResourceNotFound", service="cloudwatch", http_status=404):
            """A test error."""

        error = Gone("The alarm x does not exist.", param="AlarmName", value="x")
        assert (Gone.code, Gone.service, Gone.http_status) == (
            "ResourceNotFound",
            "cloudwatch",
            404,
        )
        assert error.param == "AlarmName" and error.value == "x"
        assert str(error) == "ResourceNotFound: The alarm x does not exist."
        assert error.to_response() == {
            "Error": {
                "Code": "ResourceNotFound",
                "Message": "The alarm x does not exist.",
                "Type": "Sender",
            }
        }
        with pytest.raises(LookupError):
            raise error

    def test_server_faults_are_receiver_errors(self) -> None:
        """A 5xx error is the receiver's fault in the response."""
        assert awsmon.InternalFailure("x").to_response()["Error"]["Type"] == "Receiver"
