"""KMS's records: a key and its states."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from attrs import define, field

from awsmon.clock import Job
from awsmon.neighbours.kms.crypto import (
    ENCRYPTION_ALGORITHMS,
    MAC_ALGORITHMS,
    SIGNING_ALGORITHMS,
    Material,
)

__all__ = ["Key", "KeyState"]


class KeyState(enum.Enum):
    """A key's state (the states awsmon simulates)."""

    ENABLED = "Enabled"
    DISABLED = "Disabled"
    PENDING_DELETION = "PendingDeletion"


@define(eq=False)
class Key:
    """A KMS key: id, ARN, state, policy and deletion schedule."""

    key_id: str
    arn: str
    account_id: str
    created_at: datetime
    description: str
    policy: str
    key_usage: str = "ENCRYPT_DECRYPT"
    key_spec: str = "SYMMETRIC_DEFAULT"
    state: KeyState = KeyState.ENABLED
    deletion_date: datetime | None = None
    pending_window_days: int | None = None
    deletion_job: Job | None = field(default=None, repr=False)
    tags: dict[str, str] = field(factory=dict)
    material: Material | None = field(default=None, repr=False)

    def metadata(self) -> dict[str, Any]:
        """The KeyMetadata shape boto3 returns."""
        meta: dict[str, Any] = {
            "AWSAccountId": self.account_id,
            "KeyId": self.key_id,
            "Arn": self.arn,
            "CreationDate": self.created_at,
            "Enabled": self.state is KeyState.ENABLED,
            "Description": self.description,
            "KeyUsage": self.key_usage,
            "KeyState": self.state.value,
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": self.key_spec,
            "KeySpec": self.key_spec,
            "MultiRegion": False,
        }
        for usage, member, table in (
            ("ENCRYPT_DECRYPT", "EncryptionAlgorithms", ENCRYPTION_ALGORITHMS),
            ("SIGN_VERIFY", "SigningAlgorithms", SIGNING_ALGORITHMS),
            ("GENERATE_VERIFY_MAC", "MacAlgorithms", MAC_ALGORITHMS),
        ):
            if self.key_usage == usage:
                meta[member] = list(table.get(self.key_spec, ()))
        if self.deletion_date is not None:
            meta["DeletionDate"] = self.deletion_date
            meta["PendingDeletionWindowInDays"] = self.pending_window_days
        return meta
