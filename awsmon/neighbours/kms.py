"""AWS KMS: keys with state, aliases and key policies; the check other services use.

Main pieces: `KMS` (the service of one account and region), `Key`,
`KeyState`, the error classes and `KmsApi` (the wire operations).

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> key = cloud.kms.create_key(description="logs")
>>> cloud.kms.create_alias("alias/logs", key.key_id)
>>> cloud.kms.usable_key("alias/logs") is key          # the account's root may
True
>>> cloud.kms.usable_key(key.arn, principal_service="logs.us-east-1.amazonaws.com")
Traceback (most recent call last):
...
awsmon.neighbours.kms.AccessDeniedException: AccessDeniedException: User: logs.us-east-1...
>>> cloud.kms.disable_key(key.key_id)
>>> cloud.kms.usable_key(key.arn)
Traceback (most recent call last):
...
awsmon.neighbours.kms.DisabledException: DisabledException: arn:aws:kms:...:key/... is disabled.
"""

from __future__ import annotations

import enum
import json
import re
from datetime import datetime, timedelta
from typing import Any

from attrs import define, field

from awsmon.arn import Arn, InvalidArn, partition_for
from awsmon.clock import Job
from awsmon.dispatch import Service, operation
from awsmon.errors import AccessDenied, AlreadyExists, Conflict, InvalidParameter, NotFound
from awsmon.policy import MalformedPolicy, PolicyDocument
from awsmon.wire import Params, WireApi, handles

__all__ = [
    "KMS",
    "AccessDeniedException",
    "AlreadyExistsException",
    "DisabledException",
    "InvalidAliasNameException",
    "InvalidArnException",
    "KMSInvalidStateException",
    "Key",
    "KeyState",
    "KmsApi",
    "MalformedPolicyDocumentException",
    "NotFoundException",
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
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False,
        }
        if self.deletion_date is not None:
            meta["DeletionDate"] = self.deletion_date
            meta["PendingDeletionWindowInDays"] = self.pending_window_days
        return meta


_ALIAS = re.compile(r"alias/[a-zA-Z0-9:/_-]{1,250}")


class KMS(Service):
    """AWS KMS in one account and region.

    Operations: `create_key`, `describe_key`, `list_keys`, `enable_key`,
    `disable_key`, `schedule_key_deletion` (the key is deleted by a clock job
    at its deletion date), `cancel_key_deletion`, `create_alias`,
    `delete_alias`, `list_aliases`, `get_key_policy`, `put_key_policy`; and
    `usable_key`, the check Logs and CloudTrail make before using a key.

    Simulation notes: no cryptography is simulated (no Encrypt/Decrypt);
    key policies are evaluated only by `usable_key`.
    """

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.keys: dict[str, Key] = {}
        self.aliases: dict[str, str] = {}

    def default_policy(self) -> str:
        """The default key policy: the account's IAM policies decide."""
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Id": "key-default-1",
                "Statement": [
                    {
                        "Sid": "Enable IAM User Permissions",
                        "Effect": "Allow",
                        "Principal": {
                            "AWS": f"arn:{partition_for(self.region)}:iam::{self.account_id}:root"
                        },
                        "Action": "kms:*",
                        "Resource": "*",
                    }
                ],
            },
            indent=2,
        )

    def key(self, key_id: str) -> Key:
        """The key named by id, ARN, alias name or alias ARN (any state but deleted).

        Raises:
            NotFoundException: no such key or alias.
            InvalidArnException: a malformed ARN.
        """
        text = key_id
        target: KMS = self
        if text.startswith("arn:"):
            try:
                arn = Arn.parse(text)
            except InvalidArn:
                arn = None
            if arn is None or arn.service != "kms" or arn.resource_type not in ("key", "alias"):
                raise InvalidArnException(f"Invalid arn {text}", param="KeyId", value=text)
            target = self.ctx.service_at(arn, self.ctx.spec.name)
            text = arn.resource_id if arn.resource_type == "key" else arn.resource
        if text.startswith("alias/"):
            aliased = target.aliases.get(text)
            if aliased is None:
                raise NotFoundException(
                    f"Alias {target.ctx.arn(text)} is not found.", param="KeyId", value=key_id
                )
            text = aliased
        found = target.keys.get(text)
        if found is None:
            raise NotFoundException(
                f"Key '{target.ctx.arn('key/' + text)}' does not exist", param="KeyId", value=key_id
            )
        if target.account_id != self.ctx.principal.account_id:
            refused = self.ctx.check_other_account(found.arn, target.account_id, found.policy)
            if refused is not None:
                raise AccessDeniedException(refused.not_authorized, param="KeyId", value=key_id)
        return found

    def usable_key(
        self,
        key_id: str,
        *,
        principal_service: str | None = None,
        action: str = "kms:GenerateDataKey",
        context: dict[str, str] | None = None,
    ) -> Key:
        """The key, if `principal_service` (or the caller) may use it now.

        For services that encrypt with a customer key (Logs, CloudTrail,
        SNS, SQS): they translate these errors into their own.

        Raises:
            NotFoundException: no such key.
            DisabledException: the key is disabled.
            KMSInvalidStateException: the key is pending deletion.
            AccessDeniedException: the key policy does not allow `action`.
        """
        found = self.key(key_id)
        if found.state is KeyState.DISABLED:
            raise DisabledException(f"{found.arn} is disabled.", param="KeyId", value=key_id)
        if found.state is KeyState.PENDING_DELETION:
            raise KMSInvalidStateException(
                f"{found.arn} is pending deletion.", param="KeyId", value=key_id
            )
        principal = principal_service or self.ctx.principal.arn
        decision = PolicyDocument.parse(found.policy).evaluate(
            principal, action, found.arn, context
        )
        if not decision.allowed:
            raise AccessDeniedException(
                f"User: {principal} is not authorized to perform: {action} on resource: "
                f"{found.arn} because no resource-based policy allows the {action} action",
                param="KeyId",
                value=key_id,
            )
        return found

    @operation("CreateKey")
    def create_key(
        self,
        *,
        description: str = "",
        policy: str | None = None,
        key_usage: str = "ENCRYPT_DECRYPT",
    ) -> Key:
        """Create an enabled symmetric key (CreateKey)."""
        text = policy or self.default_policy()
        _check_policy(text)
        key_id = self.ctx.ids.uuid()
        created = Key(
            key_id=key_id,
            arn=self.ctx.arn(f"key/{key_id}"),
            account_id=self.account_id,
            created_at=self.ctx.now(),
            description=description,
            policy=text,
            key_usage=key_usage,
        )
        self.keys[key_id] = created
        return created

    @operation("DescribeKey")
    def describe_key(self, key_id: str) -> Key:
        """The key (DescribeKey)."""
        return self.key(key_id)

    @operation("ListKeys")
    def list_keys(self) -> list[Key]:
        """The account's keys in the region (ListKeys)."""
        return list(self.keys.values())

    def _not_pending(self, found: Key) -> None:
        if found.state is KeyState.PENDING_DELETION:
            raise KMSInvalidStateException(
                f"{found.arn} is pending deletion.", param="KeyId", value=found.key_id
            )

    @operation("EnableKey")
    def enable_key(self, key_id: str) -> None:
        """Enable a key (EnableKey)."""
        found = self.key(key_id)
        self._not_pending(found)
        found.state = KeyState.ENABLED

    @operation("DisableKey")
    def disable_key(self, key_id: str) -> None:
        """Disable a key (DisableKey)."""
        found = self.key(key_id)
        self._not_pending(found)
        found.state = KeyState.DISABLED

    @operation("ScheduleKeyDeletion")
    def schedule_key_deletion(self, key_id: str, pending_window_in_days: int = 30) -> Key:
        """Schedule deletion in 7-30 days (ScheduleKeyDeletion); a clock job deletes the key.

        Raises:
            ValidationException: a window outside 7-30 days.
        """
        if not 7 <= pending_window_in_days <= 30:
            raise ValidationException(
                f"1 validation error detected: Value '{pending_window_in_days}' at "
                "'pendingWindowInDays' failed to satisfy constraint: Member must have value "
                "greater than or equal to 7 and less than or equal to 30",
                param="PendingWindowInDays",
                value=pending_window_in_days,
            )
        found = self.key(key_id)
        self._not_pending(found)
        found.state = KeyState.PENDING_DELETION
        found.pending_window_days = pending_window_in_days
        found.deletion_date = self.ctx.now() + timedelta(days=pending_window_in_days)
        found.deletion_job = self.ctx.clock.call_at(
            found.deletion_date, self._delete, found.key_id, name=f"kms delete {found.key_id}"
        )
        return found

    def _delete(self, key_id: str) -> None:
        self.keys.pop(key_id, None)
        for alias in [a for a, k in self.aliases.items() if k == key_id]:
            del self.aliases[alias]

    @operation("CancelKeyDeletion")
    def cancel_key_deletion(self, key_id: str) -> Key:
        """Cancel a scheduled deletion; the key comes back Disabled (CancelKeyDeletion)."""
        found = self.key(key_id)
        if found.state is not KeyState.PENDING_DELETION:
            raise KMSInvalidStateException(
                f"{found.arn} is not pending deletion.", param="KeyId", value=key_id
            )
        if found.deletion_job is not None:
            found.deletion_job.cancel()
        found.state = KeyState.DISABLED
        found.deletion_date = found.pending_window_days = found.deletion_job = None
        return found

    @operation("CreateAlias")
    def create_alias(self, alias_name: str, target_key_id: str) -> None:
        """Point a new alias at a key (CreateAlias).

        Raises:
            InvalidAliasNameException / AlreadyExistsException / NotFoundException.
        """
        if not _ALIAS.fullmatch(alias_name) or alias_name.startswith("alias/aws/"):
            raise InvalidAliasNameException(
                f'Alias must start with the prefix "alias/" and must not begin with '
                f'"alias/aws/". Got: {alias_name}',
                param="AliasName",
                value=alias_name,
            )
        if alias_name in self.aliases:
            raise AlreadyExistsException(
                f"An alias with the name {self.ctx.arn(alias_name)} already exists",
                param="AliasName",
                value=alias_name,
            )
        self.aliases[alias_name] = self.key(target_key_id).key_id

    @operation("DeleteAlias")
    def delete_alias(self, alias_name: str) -> None:
        """Delete an alias (DeleteAlias)."""
        if alias_name not in self.aliases:
            raise NotFoundException(
                f"Alias {self.ctx.arn(alias_name)} is not found.",
                param="AliasName",
                value=alias_name,
            )
        del self.aliases[alias_name]

    @operation("GetKeyPolicy")
    def get_key_policy(self, key_id: str, policy_name: str = "default") -> str:
        """The key policy text (GetKeyPolicy)."""
        return self.key(key_id).policy

    @operation("PutKeyPolicy")
    def put_key_policy(self, key_id: str, policy: str, policy_name: str = "default") -> None:
        """Replace the key policy (PutKeyPolicy).

        Raises:
            MalformedPolicyDocumentException: not a policy document.
        """
        found = self.key(key_id)
        _check_policy(policy)
        found.policy = policy


def _check_policy(text: str) -> None:
    try:
        PolicyDocument.parse(text)
    except MalformedPolicy as exc:
        raise MalformedPolicyDocumentException(
            "The new key policy will not allow you to update the key policy in the future. "
            f"({exc})",
            param="Policy",
            value=text,
        ) from None


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
            description=params.string("Description", default="") or "",
            policy=params.string("Policy"),
            key_usage=params.string("KeyUsage", default="ENCRYPT_DECRYPT") or "ENCRYPT_DECRYPT",
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
