"""The cryptography behind KMS keys: key material, ciphertext blobs, signatures and MACs.

Real cryptography from the ``cryptography`` package (the optional extra
``awsmon[kms]``), imported when a key first needs it:

- symmetric keys (``SYMMETRIC_DEFAULT``): AES-256-GCM; a ciphertext blob holds
  a version byte, the key's ARN, a 12-byte nonce and the sealed data, with
  the key ARN and the encryption context as associated data, so a blob opens
  only under its own key and context (`seal`, `unseal`, `blob_key_arn`);
- RSA keys: RSAES-OAEP encryption (`rsa_encrypt`, `rsa_decrypt`) and
  RSASSA-PSS / PKCS#1 v1.5 signatures; ECC keys: ECDSA signatures, DER-encoded
  (`sign`, `verify`);
- HMAC keys: HMAC-SHA-224/256/384/512 (`mac`).

The tables (`USAGES`, `ENCRYPTION_ALGORITHMS`, `SIGNING_ALGORITHMS`,
`MAC_ALGORITHMS`) say which key spec allows which usage and algorithm.

Simulation notes: symmetric and HMAC material comes from the cloud's seeded
random source (runs replay alike); RSA and ECC keys come from OpenSSL's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from typing import Any

from attrs import frozen

__all__ = [
    "ENCRYPTION_ALGORITHMS",
    "MAC_ALGORITHMS",
    "SIGNING_ALGORITHMS",
    "USAGES",
    "Material",
    "blob_key_arn",
    "digest_size",
    "mac",
    "new_material",
    "public_key_der",
    "rsa_decrypt",
    "rsa_encrypt",
    "rsa_limit",
    "seal",
    "sign",
    "unseal",
    "verify",
]

_RSA = ("RSA_2048", "RSA_3072", "RSA_4096")
_ECC = ("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1")
_HMAC = {"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64}

#: Key spec → the key usages it allows (the first is CreateKey's default).
USAGES: dict[str, tuple[str, ...]] = {
    "SYMMETRIC_DEFAULT": ("ENCRYPT_DECRYPT",),
    **dict.fromkeys(_RSA, ("ENCRYPT_DECRYPT", "SIGN_VERIFY")),
    **dict.fromkeys(_ECC, ("SIGN_VERIFY",)),
    **dict.fromkeys(_HMAC, ("GENERATE_VERIFY_MAC",)),
}
#: Key spec → its encryption algorithms.
ENCRYPTION_ALGORITHMS: dict[str, tuple[str, ...]] = {
    "SYMMETRIC_DEFAULT": ("SYMMETRIC_DEFAULT",),
    **dict.fromkeys(_RSA, ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")),
}
_RSA_SIGNING = tuple(
    f"{scheme}_SHA_{bits}"
    for scheme in ("RSASSA_PSS", "RSASSA_PKCS1_V1_5")
    for bits in (256, 384, 512)
)
#: Key spec → its signing algorithms.
SIGNING_ALGORITHMS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(_RSA, _RSA_SIGNING),
    "ECC_NIST_P256": ("ECDSA_SHA_256",),
    "ECC_NIST_P384": ("ECDSA_SHA_384",),
    "ECC_NIST_P521": ("ECDSA_SHA_512",),
    "ECC_SECG_P256K1": ("ECDSA_SHA_256",),
}
#: Key spec → its MAC algorithm.
MAC_ALGORITHMS: dict[str, tuple[str, ...]] = {spec: (f"HMAC_SHA_{spec[5:]}",) for spec in _HMAC}
_BLOB_VERSION = b"\x01"


def _library() -> Any:
    try:
        import cryptography.hazmat.primitives  # noqa: F401
    except ImportError as exc:  # pragma: no cover - the extra is in the test environment
        raise ImportError(
            "awsmon's KMS cryptography needs the 'cryptography' package: pip install 'awsmon[kms]'"
        ) from exc
    import cryptography.hazmat.primitives as primitives

    return primitives


@frozen
class Material:
    """A key's material: `secret` bytes (symmetric, HMAC) or an asymmetric `private` key."""

    secret: bytes | None = None
    private: Any = None


def new_material(spec: str, random_bytes: Callable[[int], bytes]) -> Material:
    """Fresh material for a key of `spec` (secrets drawn with `random_bytes`)."""
    if spec == "SYMMETRIC_DEFAULT":
        return Material(secret=random_bytes(32))
    if spec in _HMAC:
        return Material(secret=random_bytes(_HMAC[spec]))
    _library()
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if spec in _RSA:
        return Material(private=rsa.generate_private_key(65537, int(spec[4:])))
    curves: dict[str, Any] = {
        "ECC_NIST_P256": ec.SECP256R1(),
        "ECC_NIST_P384": ec.SECP384R1(),
        "ECC_NIST_P521": ec.SECP521R1(),
        "ECC_SECG_P256K1": ec.SECP256K1(),
    }
    return Material(private=ec.generate_private_key(curves[spec]))


def _associated(key_arn: str, context: Mapping[str, str] | None) -> bytes:
    return json.dumps([key_arn, sorted((context or {}).items())]).encode()


def seal(
    secret: bytes, key_arn: str, plaintext: bytes, context: Mapping[str, str] | None, nonce: bytes
) -> bytes:
    """The ciphertext blob of `plaintext` under a symmetric key."""
    _library()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    sealed = AESGCM(secret).encrypt(nonce, plaintext, _associated(key_arn, context))
    arn = key_arn.encode()
    return _BLOB_VERSION + len(arn).to_bytes(2, "big") + arn + nonce + sealed


def blob_key_arn(blob: bytes) -> str | None:
    """The ARN of the symmetric key a ciphertext blob was made under, or None if not a blob."""
    if len(blob) < 3 or blob[:1] != _BLOB_VERSION:
        return None
    size = int.from_bytes(blob[1:3], "big")
    try:
        return blob[3 : 3 + size].decode() if len(blob) >= 3 + size + 12 + 16 else None
    except UnicodeDecodeError:
        return None


def unseal(
    secret: bytes, key_arn: str, blob: bytes, context: Mapping[str, str] | None
) -> bytes | None:
    """The plaintext of a blob, or None when it does not open under this key and context."""
    _library()
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    start = 3 + int.from_bytes(blob[1:3], "big")
    nonce, sealed = blob[start : start + 12], blob[start + 12 :]
    try:
        return AESGCM(secret).decrypt(nonce, sealed, _associated(key_arn, context))
    except InvalidTag:
        return None


def _hash(name: str) -> Any:
    from cryptography.hazmat.primitives import hashes

    bits = name.rsplit("_", 1)[1]
    return {
        "1": hashes.SHA1(),
        "224": hashes.SHA224(),
        "256": hashes.SHA256(),
        "384": hashes.SHA384(),
        "512": hashes.SHA512(),
    }[bits]


def rsa_limit(spec: str, algorithm: str) -> int:
    """The largest plaintext RSAES-OAEP takes with this key size and hash."""
    hash_bytes = 20 if algorithm.endswith("SHA_1") else 32
    return int(spec[4:]) // 8 - 2 * hash_bytes - 2


def _oaep(algorithm: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import padding

    return padding.OAEP(padding.MGF1(_hash(algorithm)), _hash(algorithm), None)


def rsa_encrypt(private: Any, algorithm: str, plaintext: bytes) -> bytes:
    """RSAES-OAEP encryption with the key's public half."""
    _library()
    return bytes(private.public_key().encrypt(plaintext, _oaep(algorithm)))


def rsa_decrypt(private: Any, algorithm: str, ciphertext: bytes) -> bytes | None:
    """RSAES-OAEP decryption, or None when the ciphertext is not this key's."""
    _library()
    try:
        return bytes(private.decrypt(ciphertext, _oaep(algorithm)))
    except ValueError:
        return None


def digest_size(algorithm: str) -> int:
    """The bytes of the digest a signing algorithm's hash makes."""
    return int(algorithm.rsplit("_", 1)[1]) // 8


def _scheme(private: Any, algorithm: str, digest: bool) -> tuple[Any, ...]:
    from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

    chosen = _hash(algorithm)
    algorithm_or_prehashed = utils.Prehashed(chosen) if digest else chosen
    if algorithm.startswith("ECDSA"):
        return (ec.ECDSA(algorithm_or_prehashed),)
    pad: Any = padding.PKCS1v15()
    if algorithm.startswith("RSASSA_PSS"):
        pad = padding.PSS(mgf=padding.MGF1(chosen), salt_length=chosen.digest_size)
    return (pad, algorithm_or_prehashed)


def sign(private: Any, algorithm: str, message: bytes, *, digest: bool) -> bytes:
    """The signature of `message` (or of the digest it is, when `digest`)."""
    _library()
    return bytes(private.sign(message, *_scheme(private, algorithm, digest)))


def verify(private: Any, algorithm: str, message: bytes, signature: bytes, *, digest: bool) -> bool:
    """Whether `signature` is the key's signature of `message`."""
    _library()
    from cryptography.exceptions import InvalidSignature

    try:
        private.public_key().verify(signature, message, *_scheme(private, algorithm, digest))
    except (InvalidSignature, ValueError):
        return False
    return True


def mac(secret: bytes, algorithm: str, message: bytes) -> bytes:
    """The HMAC of `message` with the algorithm's hash."""
    name = {"224": "sha224", "256": "sha256", "384": "sha384", "512": "sha512"}[
        algorithm.rsplit("_", 1)[1]
    ]
    return hmac.new(secret, message, getattr(hashlib, name)).digest()


def public_key_der(private: Any) -> bytes:
    """The public key, DER-encoded SubjectPublicKeyInfo (GetPublicKey)."""
    _library()
    from cryptography.hazmat.primitives import serialization

    return bytes(
        private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
