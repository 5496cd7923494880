"""KMS wire operations: AWS parameter names in, boto3 response shapes out."""

from __future__ import annotations

from typing import Any

from awsmon.neighbours.kms.errors import ValidationException
from awsmon.neighbours.kms.service import KMS
from awsmon.wire import Params, WireApi, handles

__all__ = ["KmsApi"]

Response = dict[str, Any]


class KmsApi(WireApi):
    """The KMS wire API."""

    domain: KMS
    invalid_parameter = ValidationException
    missing_parameter = ValidationException

    def _key(self, params: Params, name: str = "KeyId") -> str:
        value = params.string(name, required=True, min_length=1, max_length=2048)
        return value

    @handles("CreateKey")
    def create_key(self, params: Params) -> dict[str, Any]:
        """CreateKey → ``KeyMetadata``."""
        created = self.domain.create_key(
            description=params.string("Description", default=""),
            policy=params.string("Policy"),
            key_usage=params.string("KeyUsage"),
            key_spec=params.string("KeySpec")
            or params.string("CustomerMasterKeySpec")
            or "SYMMETRIC_DEFAULT",
        )
        return {"KeyMetadata": created.metadata()}

    @handles("DescribeKey")
    def describe_key(self, params: Params) -> dict[str, Any]:
        """DescribeKey → ``KeyMetadata``."""
        return {"KeyMetadata": self.domain.describe_key(self._key(params)).metadata()}

    @handles("ListKeys")
    def list_keys(self, params: Params) -> dict[str, Any]:
        """ListKeys → ``Keys`` and ``Truncated``."""
        keys = [{"KeyId": k.key_id, "KeyArn": k.arn} for k in self.domain.list_keys()]
        return {"Keys": keys, "Truncated": False}

    @handles("EnableKey")
    def enable_key(self, params: Params) -> dict[str, Any]:
        """EnableKey → nothing."""
        self.domain.enable_key(self._key(params))
        return {}

    @handles("DisableKey")
    def disable_key(self, params: Params) -> dict[str, Any]:
        """DisableKey → nothing."""
        self.domain.disable_key(self._key(params))
        return {}

    @handles("ScheduleKeyDeletion")
    def schedule_key_deletion(self, params: Params) -> dict[str, Any]:
        """ScheduleKeyDeletion → ``KeyId`` (ARN), ``DeletionDate``, ``KeyState``, window."""
        days = params.integer("PendingWindowInDays", default=30)
        found = self.domain.schedule_key_deletion(self._key(params), days)
        return {
            "KeyId": found.arn,
            "DeletionDate": found.deletion_date,
            "KeyState": found.state.value,
            "PendingWindowInDays": days,
        }

    @handles("CancelKeyDeletion")
    def cancel_key_deletion(self, params: Params) -> dict[str, Any]:
        """CancelKeyDeletion → ``KeyId`` (ARN)."""
        return {"KeyId": self.domain.cancel_key_deletion(self._key(params)).arn}

    @handles("CreateAlias")
    def create_alias(self, params: Params) -> dict[str, Any]:
        """CreateAlias → nothing."""
        self.domain.create_alias(self._key(params, "AliasName"), self._key(params, "TargetKeyId"))
        return {}

    @handles("DeleteAlias")
    def delete_alias(self, params: Params) -> dict[str, Any]:
        """DeleteAlias → nothing."""
        self.domain.delete_alias(self._key(params, "AliasName"))
        return {}

    @handles("ListAliases")
    def list_aliases(self, params: Params) -> dict[str, Any]:
        """ListAliases → ``Aliases`` (optionally of one key) and ``Truncated``."""
        only = params.string("KeyId")
        key_id = self.domain.key(only).key_id if only else None
        aliases = [
            {"AliasName": name, "AliasArn": self.domain.ctx.arn(name), "TargetKeyId": target}
            for name, target in sorted(self.domain.aliases.items())
            if key_id is None or target == key_id
        ]
        return {"Aliases": aliases, "Truncated": False}

    @handles("GetKeyPolicy")
    def get_key_policy(self, params: Params) -> dict[str, Any]:
        """GetKeyPolicy → ``Policy`` and ``PolicyName``."""
        name = params.string("PolicyName", default="default") or "default"
        return {"Policy": self.domain.get_key_policy(self._key(params), name), "PolicyName": name}

    @handles("PutKeyPolicy")
    def put_key_policy(self, params: Params) -> dict[str, Any]:
        """PutKeyPolicy → nothing."""
        policy = params.string("Policy", required=True)
        self.domain.put_key_policy(self._key(params), policy)
        return {}

    # -- cryptography -----------------------------------------------------------------------

    def _blob(self, params: Params, name: str) -> bytes:
        value = params.blob(name, required=True)
        return value

    def _context(self, params: Params, name: str = "EncryptionContext") -> dict[str, str] | None:
        context = params.mapping(name)
        return {str(k): str(v) for k, v in context.items()} or None

    @handles("Encrypt")
    def encrypt(self, params: Params) -> Response:
        """Encrypt → ``CiphertextBlob``, ``KeyId``, ``EncryptionAlgorithm``."""
        algorithm = params.string("EncryptionAlgorithm", default="SYMMETRIC_DEFAULT")
        arn, blob = self.domain.encrypt(
            self._key(params),
            self._blob(params, "Plaintext"),
            encryption_context=self._context(params),
            encryption_algorithm=algorithm,
        )
        return {"CiphertextBlob": blob, "KeyId": arn, "EncryptionAlgorithm": algorithm}

    @handles("Decrypt")
    def decrypt(self, params: Params) -> Response:
        """Decrypt → ``Plaintext``, ``KeyId``, ``EncryptionAlgorithm``."""
        decrypted = self.domain.decrypt(
            self._blob(params, "CiphertextBlob"),
            key_id=params.string("KeyId"),
            encryption_context=self._context(params),
            encryption_algorithm=params.string("EncryptionAlgorithm", default="SYMMETRIC_DEFAULT"),
        )
        return {
            "KeyId": decrypted.key_arn,
            "Plaintext": decrypted.plaintext,
            "EncryptionAlgorithm": decrypted.encryption_algorithm,
        }

    @handles("ReEncrypt")
    def re_encrypt(self, params: Params) -> Response:
        """ReEncrypt → ``CiphertextBlob``, ``SourceKeyId``, ``KeyId`` and the algorithms."""
        source_algorithm = params.string("SourceEncryptionAlgorithm", default="SYMMETRIC_DEFAULT")
        destination_algorithm = params.string(
            "DestinationEncryptionAlgorithm", default="SYMMETRIC_DEFAULT"
        )
        source, destination, blob = self.domain.re_encrypt(
            self._blob(params, "CiphertextBlob"),
            self._key(params, "DestinationKeyId"),
            source_key_id=params.string("SourceKeyId"),
            source_encryption_context=self._context(params, "SourceEncryptionContext"),
            destination_encryption_context=self._context(params, "DestinationEncryptionContext"),
            source_encryption_algorithm=source_algorithm,
            destination_encryption_algorithm=destination_algorithm,
        )
        return {
            "CiphertextBlob": blob,
            "SourceKeyId": source,
            "KeyId": destination,
            "SourceEncryptionAlgorithm": source_algorithm,
            "DestinationEncryptionAlgorithm": destination_algorithm,
        }

    def _data_key_arguments(self, params: Params) -> dict[str, Any]:
        return {
            "key_spec": params.string("KeySpec"),
            "number_of_bytes": params.integer("NumberOfBytes"),
            "encryption_context": self._context(params),
        }

    @handles("GenerateDataKey")
    def generate_data_key(self, params: Params) -> Response:
        """GenerateDataKey → ``CiphertextBlob``, ``Plaintext``, ``KeyId``."""
        key = self.domain.generate_data_key(self._key(params), **self._data_key_arguments(params))
        return {
            "CiphertextBlob": key.ciphertext_blob,
            "Plaintext": key.plaintext,
            "KeyId": key.key_arn,
        }

    @handles("GenerateDataKeyWithoutPlaintext")
    def generate_data_key_without_plaintext(self, params: Params) -> Response:
        """GenerateDataKeyWithoutPlaintext → ``CiphertextBlob``, ``KeyId``."""
        key = self.domain.generate_data_key_without_plaintext(
            self._key(params), **self._data_key_arguments(params)
        )
        return {"CiphertextBlob": key.ciphertext_blob, "KeyId": key.key_arn}

    @handles("Sign")
    def sign(self, params: Params) -> Response:
        """Sign → ``KeyId``, ``Signature``, ``SigningAlgorithm``."""
        algorithm = params.string("SigningAlgorithm", required=True)
        arn, signature = self.domain.sign(
            self._key(params),
            self._blob(params, "Message"),
            algorithm,
            message_type=params.string("MessageType", default="RAW"),
        )
        return {"KeyId": arn, "Signature": signature, "SigningAlgorithm": algorithm}

    @handles("Verify")
    def verify(self, params: Params) -> Response:
        """Verify → ``KeyId``, ``SignatureValid``, ``SigningAlgorithm``."""
        algorithm = params.string("SigningAlgorithm", required=True)
        arn = self.domain.verify(
            self._key(params),
            self._blob(params, "Message"),
            self._blob(params, "Signature"),
            algorithm,
            message_type=params.string("MessageType", default="RAW"),
        )
        return {"KeyId": arn, "SignatureValid": True, "SigningAlgorithm": algorithm}

    @handles("GetPublicKey")
    def get_public_key(self, params: Params) -> Response:
        """GetPublicKey → ``PublicKey`` (DER), ``KeySpec``, ``KeyUsage`` and the algorithms."""
        found, der = self.domain.get_public_key(self._key(params))
        meta = found.metadata()
        response: Response = {
            "KeyId": found.arn,
            "PublicKey": der,
            "CustomerMasterKeySpec": found.key_spec,
            "KeySpec": found.key_spec,
            "KeyUsage": found.key_usage,
        }
        for member in ("EncryptionAlgorithms", "SigningAlgorithms"):
            if member in meta:
                response[member] = meta[member]
        return response

    @handles("GenerateMac")
    def generate_mac(self, params: Params) -> Response:
        """GenerateMac → ``Mac``, ``MacAlgorithm``, ``KeyId``."""
        algorithm = params.string("MacAlgorithm", required=True)
        arn, mac = self.domain.generate_mac(
            self._key(params), self._blob(params, "Message"), algorithm
        )
        return {"Mac": mac, "MacAlgorithm": algorithm, "KeyId": arn}

    @handles("VerifyMac")
    def verify_mac(self, params: Params) -> Response:
        """VerifyMac → ``KeyId``, ``MacValid``, ``MacAlgorithm``."""
        algorithm = params.string("MacAlgorithm", required=True)
        arn = self.domain.verify_mac(
            self._key(params),
            self._blob(params, "Message"),
            self._blob(params, "Mac"),
            algorithm,
        )
        return {"KeyId": arn, "MacValid": True, "MacAlgorithm": algorithm}
