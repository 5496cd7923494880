"""Tests of awsmon/neighbours/kms/data.py and crypto.py: KMS's cryptographic operations."""

from __future__ import annotations

import hashlib
import json

import boto3
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.neighbours.kms import crypto
from awsmon.testing.shapes import assert_shape

DENY_ALL = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}],
    }
)


@pytest.fixture
def kms(awsmon_boto3: Cloud) -> object:
    return boto3.client("kms")


def test_symmetric_round_trip_bound_to_key_and_context(kms: object) -> None:
    """Encrypt/Decrypt: the blob is opaque, names its key, opens only with its context."""
    client = boto3.client("kms")
    key = client.create_key()["KeyMetadata"]
    other = client.create_key()["KeyMetadata"]
    context = {"purpose": "test"}
    encrypted = client.encrypt(
        KeyId=key["KeyId"], Plaintext=b"secret data", EncryptionContext=context
    )
    assert_shape("kms", "Encrypt", encrypted)
    blob = encrypted["CiphertextBlob"]
    assert b"secret data" not in blob and encrypted["KeyId"] == key["Arn"]
    decrypted = client.decrypt(CiphertextBlob=blob, EncryptionContext=context)
    assert_shape("kms", "Decrypt", decrypted)
    assert decrypted["Plaintext"] == b"secret data" and decrypted["KeyId"] == key["Arn"]
    with pytest.raises(client.exceptions.InvalidCiphertextException):
        client.decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "other"})
    with pytest.raises(client.exceptions.InvalidCiphertextException):
        client.decrypt(CiphertextBlob=blob)
    with pytest.raises(client.exceptions.IncorrectKeyException):
        client.decrypt(CiphertextBlob=blob, KeyId=other["KeyId"], EncryptionContext=context)
    moved = client.re_encrypt(
        CiphertextBlob=blob,
        SourceEncryptionContext=context,
        DestinationKeyId=other["KeyId"],
    )
    assert_shape("kms", "ReEncrypt", moved)
    assert moved["SourceKeyId"] == key["Arn"] and moved["KeyId"] == other["Arn"]
    assert client.decrypt(CiphertextBlob=moved["CiphertextBlob"])["Plaintext"] == b"secret data"


def test_data_keys(kms: object) -> None:
    """GenerateDataKey gives a key and its blob; WithoutPlaintext only the blob."""
    client = boto3.client("kms")
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    data_key = client.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    assert_shape("kms", "GenerateDataKey", data_key)
    assert len(data_key["Plaintext"]) == 32
    opened = client.decrypt(CiphertextBlob=data_key["CiphertextBlob"])
    assert opened["Plaintext"] == data_key["Plaintext"]
    bare = client.generate_data_key_without_plaintext(KeyId=key_id, NumberOfBytes=64)
    assert "Plaintext" not in bare
    assert len(client.decrypt(CiphertextBlob=bare["CiphertextBlob"])["Plaintext"]) == 64
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.generate_data_key(KeyId=key_id, KeySpec="AES_256", NumberOfBytes=32)
    assert caught.value.response["Error"]["Code"] == "ValidationException"


@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [
        ("RSA_2048", "RSASSA_PSS_SHA_256"),
        ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384"),
        ("ECC_NIST_P256", "ECDSA_SHA_256"),
        ("ECC_NIST_P384", "ECDSA_SHA_384"),
    ],
)
def test_signatures_verify_with_the_public_key(kms: object, spec: str, algorithm: str) -> None:
    """Sign makes real signatures: KMS's Verify and the public key outside KMS both accept them."""
    client = boto3.client("kms")
    key_id = client.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    signed = client.sign(KeyId=key_id, Message=b"message", SigningAlgorithm=algorithm)
    assert_shape("kms", "Sign", signed)
    verified = client.verify(
        KeyId=key_id, Message=b"message", Signature=signed["Signature"], SigningAlgorithm=algorithm
    )
    assert verified["SignatureValid"] is True
    with pytest.raises(client.exceptions.KMSInvalidSignatureException):
        client.verify(
            KeyId=key_id,
            Message=b"another message",
            Signature=signed["Signature"],
            SigningAlgorithm=algorithm,
        )
    public = serialization.load_der_public_key(client.get_public_key(KeyId=key_id)["PublicKey"])
    chosen = {"256": hashes.SHA256(), "384": hashes.SHA384()}[algorithm[-3:]]
    if isinstance(public, ec.EllipticCurvePublicKey):
        public.verify(signed["Signature"], b"message", ec.ECDSA(chosen))
    elif algorithm.startswith("RSASSA_PSS"):
        pss = padding.PSS(mgf=padding.MGF1(chosen), salt_length=chosen.digest_size)
        public.verify(signed["Signature"], b"message", pss, chosen)  # type: ignore[union-attr, call-arg]
    else:
        public.verify(signed["Signature"], b"message", padding.PKCS1v15(), chosen)  # type: ignore[union-attr, call-arg]
    digest = hashlib.new(f"sha{algorithm[-3:]}", b"message").digest()
    by_digest = client.sign(
        KeyId=key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm=algorithm
    )
    assert client.verify(
        KeyId=key_id,
        Message=b"message",
        Signature=by_digest["Signature"],
        SigningAlgorithm=algorithm,
    )["SignatureValid"]


def test_rsa_encryption_needs_the_key_id(kms: object) -> None:
    """RSA keys encrypt with OAEP; Decrypt needs KeyId and the algorithm."""
    client = boto3.client("kms")
    key_id = client.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"][
        "KeyId"
    ]
    blob = client.encrypt(
        KeyId=key_id, Plaintext=b"short", EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    )["CiphertextBlob"]
    assert len(blob) == 256
    with pytest.raises(client.exceptions.InvalidCiphertextException):
        client.decrypt(CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    opened = client.decrypt(
        CiphertextBlob=blob, KeyId=key_id, EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    )
    assert opened["Plaintext"] == b"short"
    with pytest.raises(client.exceptions.InvalidKeyUsageException):
        client.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionAlgorithm="SYMMETRIC_DEFAULT")


def test_macs(kms: object) -> None:
    """GenerateMac/VerifyMac with an HMAC key; a changed message fails."""
    client = boto3.client("kms")
    key_id = client.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"][
        "KeyId"
    ]
    made = client.generate_mac(KeyId=key_id, Message=b"hello", MacAlgorithm="HMAC_SHA_256")
    assert_shape("kms", "GenerateMac", made)
    assert len(made["Mac"]) == 32
    assert client.verify_mac(
        KeyId=key_id, Message=b"hello", Mac=made["Mac"], MacAlgorithm="HMAC_SHA_256"
    )["MacValid"]
    with pytest.raises(client.exceptions.KMSInvalidMacException):
        client.verify_mac(
            KeyId=key_id, Message=b"hellO", Mac=made["Mac"], MacAlgorithm="HMAC_SHA_256"
        )
    with pytest.raises(client.exceptions.InvalidKeyUsageException):
        client.generate_mac(KeyId=key_id, Message=b"hello", MacAlgorithm="HMAC_SHA_512")


def test_checks_come_in_aws_order(kms: object) -> None:
    """State first, then usage and spec, then the key policy."""
    client = boto3.client("kms")
    signing = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY", Policy=DENY_ALL)
    signing_id = signing["KeyMetadata"]["KeyId"]
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as usage:
        client.encrypt(KeyId=signing_id, Plaintext=b"x")
    assert "key usage is SIGN_VERIFY which is not valid for Encrypt" in str(usage.value)
    denied = client.create_key(Policy=DENY_ALL)["KeyMetadata"]["KeyId"]
    with pytest.raises(client.exceptions.ClientError) as refused:
        client.encrypt(KeyId=denied, Plaintext=b"x")
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    client.disable_key(KeyId=denied)
    with pytest.raises(client.exceptions.DisabledException):
        client.encrypt(KeyId=denied, Plaintext=b"x")
    with pytest.raises(client.exceptions.ClientError) as bad_pair:
        client.create_key(KeySpec="HMAC_256", KeyUsage="ENCRYPT_DECRYPT")
    assert bad_pair.value.response["Error"]["Code"] == "ValidationException"
    metadata = client.describe_key(KeyId=signing_id)["KeyMetadata"]
    assert metadata["SigningAlgorithms"] == ["ECDSA_SHA_256"]
    assert "EncryptionAlgorithms" not in metadata


@settings(max_examples=30)
@given(
    st.binary(min_size=1, max_size=64),
    st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5), max_size=3),
)
def test_sealed_blobs_open_only_with_their_context(
    plaintext: bytes, context: dict[str, str], other: dict[str, str]
) -> None:
    """A blob opens to its plaintext with its own key and context, and with no other."""
    secret, arn = bytes(range(32)), "arn:aws:kms:us-east-1:123456789012:key/k"
    blob = crypto.seal(secret, arn, plaintext, context, bytes(12))
    assert crypto.blob_key_arn(blob) == arn
    assert crypto.unseal(secret, arn, blob, context) == plaintext
    if sorted(other.items()) != sorted(context.items()):
        assert crypto.unseal(secret, arn, blob, other) is None
    assert crypto.unseal(bytes(32), arn, blob, context) is None
