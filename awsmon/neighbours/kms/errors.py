"""KMS's error classes (JSON protocol codes, as botocore models them)."""

from __future__ import annotations

from awsmon.errors import AccessDenied, AlreadyExists, Conflict, InvalidParameter, NotFound

__all__ = [
    "AccessDeniedException",
    "AlreadyExistsException",
    "DisabledException",
    "IncorrectKeyException",
    "InvalidAliasNameException",
    "InvalidArnException",
    "InvalidCiphertextException",
    "InvalidKeyUsageException",
    "KMSInvalidMacException",
    "KMSInvalidSignatureException",
    "KMSInvalidStateException",
    "MalformedPolicyDocumentException",
    "NotFoundException",
    "ValidationException",
]


class NotFoundException(NotFound, code="NotFoundException", service="kms"):
    """The key or alias does not exist."""


class DisabledException(Conflict, code="DisabledException", service="kms"):
    """The key is disabled."""


class KMSInvalidStateException(Conflict, code="KMSInvalidStateException", service="kms"):
    """The key's state does not allow the operation (pending deletion)."""


class AlreadyExistsException(AlreadyExists, code="AlreadyExistsException", service="kms"):
    """The alias exists."""


class InvalidAliasNameException(InvalidParameter, code="InvalidAliasNameException", service="kms"):
    """The alias name breaks the rules."""


class InvalidArnException(InvalidParameter, code="InvalidArnException", service="kms"):
    """A malformed key ARN."""


class MalformedPolicyDocumentException(
    InvalidParameter, code="MalformedPolicyDocumentException", service="kms"
):
    """The key policy is not a policy document."""


class ValidationException(InvalidParameter, code="ValidationException", service="kms"):
    """A parameter breaks its modelled constraint."""


class AccessDeniedException(AccessDenied, code="AccessDeniedException", service="kms"):
    """The key policy does not let the principal use the key."""


class InvalidKeyUsageException(InvalidParameter, code="InvalidKeyUsageException", service="kms"):
    """The key's usage or spec does not allow the operation or algorithm."""


class InvalidCiphertextException(
    InvalidParameter, code="InvalidCiphertextException", service="kms"
):
    """The ciphertext is not one of this key's, or its encryption context differs."""


class IncorrectKeyException(InvalidParameter, code="IncorrectKeyException", service="kms"):
    """The ciphertext was encrypted under another key than the one named."""


class KMSInvalidSignatureException(
    InvalidParameter, code="KMSInvalidSignatureException", service="kms"
):
    """The signature does not verify."""


class KMSInvalidMacException(InvalidParameter, code="KMSInvalidMacException", service="kms"):
    """The MAC does not verify."""
