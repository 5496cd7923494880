"""AWS KMS: keys with state, aliases and key policies, and their cryptography.

`KMS` (service.py: keys, aliases, policies, `usable_key`; data.py: Encrypt,
Decrypt, ReEncrypt, GenerateDataKey, Sign, Verify, GenerateMac, VerifyMac)
is the service of one account and region; `model.py` holds the `Key` record,
`crypto.py` the cryptography (the optional extra ``awsmon[kms]``),
`errors.py` the error classes, `api.py` the wire translation.
"""

from __future__ import annotations

from awsmon.neighbours.kms.api import KmsApi
from awsmon.neighbours.kms.data import DataKey, Decrypted
from awsmon.neighbours.kms.errors import (
    AccessDeniedException,
    AlreadyExistsException,
    DisabledException,
    IncorrectKeyException,
    InvalidAliasNameException,
    InvalidArnException,
    InvalidCiphertextException,
    InvalidKeyUsageException,
    KMSInvalidMacException,
    KMSInvalidSignatureException,
    KMSInvalidStateException,
    MalformedPolicyDocumentException,
    NotFoundException,
    ValidationException,
)
from awsmon.neighbours.kms.model import Key, KeyState
from awsmon.neighbours.kms.service import KMS

__all__ = [
    "KMS",
    "AccessDeniedException",
    "AlreadyExistsException",
    "DataKey",
    "Decrypted",
    "DisabledException",
    "IncorrectKeyException",
    "InvalidAliasNameException",
    "InvalidArnException",
    "InvalidCiphertextException",
    "InvalidKeyUsageException",
    "KMSInvalidMacException",
    "KMSInvalidSignatureException",
    "KMSInvalidStateException",
    "Key",
    "KeyState",
    "KmsApi",
    "MalformedPolicyDocumentException",
    "NotFoundException",
    "ValidationException",
]
