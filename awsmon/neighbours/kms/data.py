"""KMS's cryptographic operations: encrypt, decrypt, data keys, signatures, MACs.

`DataOperations` is mixed into `awsmon.neighbours.kms.KMS`. Each operation
checks, in AWS's order: the key exists; its state (``DisabledException``,
``KMSInvalidStateException``); its usage and spec allow the operation and
algorithm (``InvalidKeyUsageException``); the key policy allows the caller
(``AccessDeniedException``); then does the cryptography (`kms.crypto`).

Symmetric ciphertext blobs name their key (Decrypt needs no KeyId) and open
only with the same encryption context; asymmetric ones are raw RSAES-OAEP.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING

from attrs import frozen

import awsmon.neighbours.kms.crypto as crypto
from awsmon.dispatch import operation
from awsmon.neighbours.kms.errors import (
    DisabledException,
    IncorrectKeyException,
    InvalidCiphertextException,
    InvalidKeyUsageException,
    KMSInvalidMacException,
    KMSInvalidSignatureException,
    KMSInvalidStateException,
    ValidationException,
)
from awsmon.neighbours.kms.model import Key, KeyState

if TYPE_CHECKING:
    from awsmon.dispatch import ServiceContext

__all__ = ["DataKey", "DataOperations", "Decrypted"]

_OPERATION_USAGE = {
    "Encrypt": "ENCRYPT_DECRYPT",
    "Decrypt": "ENCRYPT_DECRYPT",
    "ReEncryptFrom": "ENCRYPT_DECRYPT",
    "ReEncryptTo": "ENCRYPT_DECRYPT",
    "GenerateDataKey": "ENCRYPT_DECRYPT",
    "GenerateDataKeyWithoutPlaintext": "ENCRYPT_DECRYPT",
    "Sign": "SIGN_VERIFY",
    "Verify": "SIGN_VERIFY",
    "GetPublicKey": "",
    "GenerateMac": "GENERATE_VERIFY_MAC",
    "VerifyMac": "GENERATE_VERIFY_MAC",
}
_DATA_KEY_BYTES = {"AES_256": 32, "AES_128": 16}


@frozen
class DataKey:
    """What GenerateDataKey answers: the key ARN, the plaintext (or None), the blob."""

    key_arn: str
    plaintext: bytes | None
    ciphertext_blob: bytes


@frozen
class Decrypted:
    """What Decrypt answers: the key ARN, the plaintext, the algorithm used."""

    key_arn: str
    plaintext: bytes
    encryption_algorithm: str


class DataOperations:
    """The cryptographic operations (mixed into `KMS`)."""

    ctx: ServiceContext

    def key(self, key_id: str) -> Key:  # defined by KMS
        raise NotImplementedError

    def _authorize(
        self,
        found: Key,
        action: str,
        key_id: str,
        principal_service: str | None = None,
        context: dict[str, str] | None = None,
    ) -> None:  # defined by KMS
        raise NotImplementedError

    def _usable(self, key_id: str, operation_name: str) -> Key:
        """The key, checked as AWS checks it for `operation_name`: state, usage, then policy."""
        found = self.key(key_id)
        if found.state is KeyState.DISABLED:
            raise DisabledException(f"{found.arn} is disabled.", param="KeyId", value=key_id)
        if found.state is KeyState.PENDING_DELETION:
            raise KMSInvalidStateException(
                f"{found.arn} is pending deletion.", param="KeyId", value=key_id
            )
        usage = _OPERATION_USAGE[operation_name]
        if usage and found.key_usage != usage:
            action = operation_name.removesuffix("From").removesuffix("To")
            raise InvalidKeyUsageException(
                f"{found.arn} key usage is {found.key_usage} which is not valid for {action}.",
                param="KeyId",
                value=key_id,
            )
        if operation_name in ("GenerateDataKey", "GenerateDataKeyWithoutPlaintext") and (
            found.key_spec != "SYMMETRIC_DEFAULT"
        ):
            raise InvalidKeyUsageException(
                f"{found.arn} key spec is {found.key_spec} which is not valid for "
                f"{operation_name}.",
                param="KeyId",
                value=key_id,
            )
        return found

    def _algorithm(
        self, found: Key, table: Mapping[str, tuple[str, ...]], algorithm: str, member: str
    ) -> str:
        if algorithm not in table.get(found.key_spec, ()):
            raise InvalidKeyUsageException(
                f"Algorithm {algorithm} is incompatible with key spec {found.key_spec}.",
                param=member,
                value=algorithm,
            )
        return algorithm

    def _nonce(self) -> bytes:
        return bytes.fromhex(self.ctx.ids.hex(24))

    def _seal(
        self, found: Key, plaintext: bytes, context: Mapping[str, str] | None, algorithm: str
    ) -> bytes:
        assert found.material is not None
        if found.key_spec == "SYMMETRIC_DEFAULT":
            assert found.material.secret is not None
            return crypto.seal(found.material.secret, found.arn, plaintext, context, self._nonce())
        if context:
            raise ValidationException(
                "EncryptionContext is not supported with asymmetric keys.",
                param="EncryptionContext",
                value=dict(context),
            )
        limit = crypto.rsa_limit(found.key_spec, algorithm)
        if len(plaintext) > limit:
            raise ValidationException(
                f"Plaintext is too long: {len(plaintext)} bytes; {found.key_spec} with "
                f"{algorithm} takes at most {limit}.",
                param="Plaintext",
                value=len(plaintext),
            )
        return crypto.rsa_encrypt(found.material.private, algorithm, plaintext)

    # -- encryption ------------------------------------------------------------------------

    @operation("Encrypt")
    def encrypt(
        self,
        key_id: str,
        plaintext: bytes,
        *,
        encryption_context: Mapping[str, str] | None = None,
        encryption_algorithm: str = "SYMMETRIC_DEFAULT",
    ) -> tuple[str, bytes]:
        """Encrypt up to 4,096 bytes (Encrypt): the key ARN and the ciphertext blob."""
        if not 1 <= len(plaintext) <= 4096:
            raise ValidationException(
                "1 validation error detected: Value at 'plaintext' failed to satisfy "
                "constraint: Member must have length between 1 and 4096",
                param="Plaintext",
                value=len(plaintext),
            )
        found = self._usable(key_id, "Encrypt")
        self._algorithm(
            found, crypto.ENCRYPTION_ALGORITHMS, encryption_algorithm, "EncryptionAlgorithm"
        )
        self._authorize(found, "kms:Encrypt", key_id)
        return found.arn, self._seal(found, plaintext, encryption_context, encryption_algorithm)

    @operation("Decrypt")
    def decrypt(
        self,
        ciphertext_blob: bytes,
        *,
        key_id: str | None = None,
        encryption_context: Mapping[str, str] | None = None,
        encryption_algorithm: str = "SYMMETRIC_DEFAULT",
    ) -> Decrypted:
        """Decrypt a ciphertext blob (Decrypt); asymmetric blobs need `key_id`.

        Raises:
            InvalidCiphertextException: not a blob of the key, or another context.
            IncorrectKeyException: `key_id` is not the key the blob names.
        """
        named = crypto.blob_key_arn(ciphertext_blob)
        if key_id is None and named is None:
            raise InvalidCiphertextException(
                "The ciphertext is invalid, or the KeyId of an asymmetric key is missing.",
                param="CiphertextBlob",
            )
        found = self._usable(key_id or named or "", "Decrypt")
        self._algorithm(
            found, crypto.ENCRYPTION_ALGORITHMS, encryption_algorithm, "EncryptionAlgorithm"
        )
        if found.key_spec == "SYMMETRIC_DEFAULT" and named is not None and named != found.arn:
            raise IncorrectKeyException(
                "The key ID in the request does not identify a CMK that can perform this "
                "operation.",
                param="KeyId",
                value=key_id,
            )
        self._authorize(found, "kms:Decrypt", key_id or named or "")
        plaintext = self._open(found, ciphertext_blob, encryption_context, encryption_algorithm)
        return Decrypted(found.arn, plaintext, encryption_algorithm)

    def _open(
        self, found: Key, blob: bytes, context: Mapping[str, str] | None, algorithm: str
    ) -> bytes:
        assert found.material is not None
        if found.key_spec == "SYMMETRIC_DEFAULT":
            assert found.material.secret is not None
            opened = (
                crypto.unseal(found.material.secret, found.arn, blob, context)
                if crypto.blob_key_arn(blob) == found.arn
                else None
            )
        else:
            opened = crypto.rsa_decrypt(found.material.private, algorithm, blob)
        if opened is None:
            raise InvalidCiphertextException("", param="CiphertextBlob")
        return opened

    @operation("ReEncrypt")
    def re_encrypt(
        self,
        ciphertext_blob: bytes,
        destination_key_id: str,
        *,
        source_key_id: str | None = None,
        source_encryption_context: Mapping[str, str] | None = None,
        destination_encryption_context: Mapping[str, str] | None = None,
        source_encryption_algorithm: str = "SYMMETRIC_DEFAULT",
        destination_encryption_algorithm: str = "SYMMETRIC_DEFAULT",
    ) -> tuple[str, str, bytes]:
        """Decrypt under one key and encrypt under another (ReEncrypt).

        Returns:
            (source key ARN, destination key ARN, the new ciphertext blob).
        """
        named = crypto.blob_key_arn(ciphertext_blob)
        source = self._usable(source_key_id or named or "", "ReEncryptFrom")
        destination = self._usable(destination_key_id, "ReEncryptTo")
        self._algorithm(
            destination,
            crypto.ENCRYPTION_ALGORITHMS,
            destination_encryption_algorithm,
            "DestinationEncryptionAlgorithm",
        )
        self._authorize(source, "kms:ReEncryptFrom", source_key_id or named or "")
        self._authorize(destination, "kms:ReEncryptTo", destination_key_id)
        plaintext = self._open(
            source, ciphertext_blob, source_encryption_context, source_encryption_algorithm
        )
        blob = self._seal(
            destination,
            plaintext,
            destination_encryption_context,
            destination_encryption_algorithm,
        )
        return source.arn, destination.arn, blob

    @operation("GenerateDataKey")
    def generate_data_key(
        self,
        key_id: str,
        *,
        key_spec: str | None = None,
        number_of_bytes: int | None = None,
        encryption_context: Mapping[str, str] | None = None,
    ) -> DataKey:
        """A fresh data key, in plaintext and encrypted under `key_id` (GenerateDataKey)."""
        return self._data_key(
            key_id, key_spec, number_of_bytes, encryption_context, "GenerateDataKey"
        )

    @operation("GenerateDataKeyWithoutPlaintext")
    def generate_data_key_without_plaintext(
        self,
        key_id: str,
        *,
        key_spec: str | None = None,
        number_of_bytes: int | None = None,
        encryption_context: Mapping[str, str] | None = None,
    ) -> DataKey:
        """A fresh data key, encrypted only (GenerateDataKeyWithoutPlaintext)."""
        key = self._data_key(
            key_id,
            key_spec,
            number_of_bytes,
            encryption_context,
            "GenerateDataKeyWithoutPlaintext",
        )
        return DataKey(key.key_arn, None, key.ciphertext_blob)

    def _data_key(
        self,
        key_id: str,
        key_spec: str | None,
        number_of_bytes: int | None,
        context: Mapping[str, str] | None,
        operation_name: str,
    ) -> DataKey:
        if (key_spec is None) == (number_of_bytes is None):
            raise ValidationException(
                "Please specify either number of bytes or key spec.", param="KeySpec"
            )
        if key_spec is not None and key_spec not in _DATA_KEY_BYTES:
            raise ValidationException(
                f"1 validation error detected: Value '{key_spec}' at 'keySpec' failed to "
                "satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
                param="KeySpec",
                value=key_spec,
            )
        size = _DATA_KEY_BYTES[key_spec] if key_spec else number_of_bytes or 0
        if not 1 <= size <= 1024:
            raise ValidationException(
                f"1 validation error detected: Value '{size}' at 'numberOfBytes' failed to "
                "satisfy constraint: Member must have value less than or equal to 1024",
                param="NumberOfBytes",
                value=size,
            )
        found = self._usable(key_id, operation_name)
        self._authorize(found, f"kms:{operation_name}", key_id)
        plaintext = bytes.fromhex(self.ctx.ids.hex(2 * size))
        return DataKey(
            found.arn, plaintext, self._seal(found, plaintext, context, "SYMMETRIC_DEFAULT")
        )

    # -- signatures and MACs -----------------------------------------------------------------

    def _message(self, message: bytes, message_type: str, algorithm: str) -> bool:
        """True for a digest message, checked against the algorithm's digest size."""
        if message_type not in ("RAW", "DIGEST"):
            raise ValidationException(
                f"1 validation error detected: Value '{message_type}' at 'messageType' failed "
                "to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST]",
                param="MessageType",
                value=message_type,
            )
        if message_type == "DIGEST" and len(message) != crypto.digest_size(algorithm):
            raise ValidationException(
                f"Digest is invalid length for algorithm {algorithm}.",
                param="Message",
                value=len(message),
            )
        return message_type == "DIGEST"

    @operation("Sign")
    def sign(
        self, key_id: str, message: bytes, signing_algorithm: str, *, message_type: str = "RAW"
    ) -> tuple[str, bytes]:
        """Sign a message or digest (Sign): the key ARN and the signature."""
        found = self._usable(key_id, "Sign")
        self._algorithm(found, crypto.SIGNING_ALGORITHMS, signing_algorithm, "SigningAlgorithm")
        digest = self._message(message, message_type, signing_algorithm)
        self._authorize(found, "kms:Sign", key_id)
        assert found.material is not None
        return found.arn, crypto.sign(
            found.material.private, signing_algorithm, message, digest=digest
        )

    @operation("Verify")
    def verify(
        self,
        key_id: str,
        message: bytes,
        signature: bytes,
        signing_algorithm: str,
        *,
        message_type: str = "RAW",
    ) -> str:
        """Check a signature (Verify): the key ARN when valid.

        Raises:
            KMSInvalidSignatureException: the signature does not verify.
        """
        found = self._usable(key_id, "Verify")
        self._algorithm(found, crypto.SIGNING_ALGORITHMS, signing_algorithm, "SigningAlgorithm")
        digest = self._message(message, message_type, signing_algorithm)
        self._authorize(found, "kms:Verify", key_id)
        assert found.material is not None
        if not crypto.verify(
            found.material.private, signing_algorithm, message, signature, digest=digest
        ):
            raise KMSInvalidSignatureException("", param="Signature")
        return found.arn

    @operation("GetPublicKey")
    def get_public_key(self, key_id: str) -> tuple[Key, bytes]:
        """The public half of an asymmetric key (GetPublicKey), DER-encoded."""
        found = self._usable(key_id, "GetPublicKey")
        if found.material is None or found.material.private is None:
            raise InvalidKeyUsageException(
                f"{found.arn} key spec is {found.key_spec} which has no public key.",
                param="KeyId",
                value=key_id,
            )
        self._authorize(found, "kms:GetPublicKey", key_id)
        return found, crypto.public_key_der(found.material.private)

    @operation("GenerateMac")
    def generate_mac(self, key_id: str, message: bytes, mac_algorithm: str) -> tuple[str, bytes]:
        """The HMAC of a message (GenerateMac): the key ARN and the MAC."""
        found = self._usable(key_id, "GenerateMac")
        self._algorithm(found, crypto.MAC_ALGORITHMS, mac_algorithm, "MacAlgorithm")
        self._authorize(found, "kms:GenerateMac", key_id)
        assert found.material is not None and found.material.secret is not None
        return found.arn, crypto.mac(found.material.secret, mac_algorithm, message)

    @operation("VerifyMac")
    def verify_mac(self, key_id: str, message: bytes, mac: bytes, mac_algorithm: str) -> str:
        """Check an HMAC (VerifyMac): the key ARN when valid.

        Raises:
            KMSInvalidMacException: the MAC does not verify.
        """
        found = self._usable(key_id, "VerifyMac")
        self._algorithm(found, crypto.MAC_ALGORITHMS, mac_algorithm, "MacAlgorithm")
        self._authorize(found, "kms:VerifyMac", key_id)
        assert found.material is not None and found.material.secret is not None
        expected = crypto.mac(found.material.secret, mac_algorithm, message)
        if not hmac.compare_digest(expected, mac):
            raise KMSInvalidMacException("", param="Mac")
        return found.arn
