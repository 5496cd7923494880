"""AWS KMS: keys with state, aliases and key policies; the check other services use.

Main pieces: `KMS` (the service of one account and region; the
cryptographic operations in `awsmon.neighbours.kms.data`), `Key`, `KeyState`.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> key = cloud.kms.create_key(description="logs")
>>> cloud.kms.create_alias("alias/logs", key.key_id)
>>> cloud.kms.usable_key("alias/logs") is key          # the account's root may
True
>>> cloud.kms.usable_key(key.arn, principal_service="logs.us-east-1.amazonaws.com")
Traceback (most recent call last):
...
awsmon.neighbours.kms.errors.AccessDeniedException: AccessDeniedException: User: logs.us-east-1...
>>> cloud.kms.disable_key(key.key_id)
>>> cloud.kms.usable_key(key.arn)
Traceback (most recent call last):
...
awsmon.neighbours.kms.errors.DisabledException: DisabledException: arn:aws:kms:...is disabled.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from awsmon.arn import Arn, InvalidArn, partition_for
from awsmon.dispatch import Service, operation
from awsmon.neighbours.kms.crypto import USAGES, new_material
from awsmon.neighbours.kms.data import DataOperations
from awsmon.neighbours.kms.errors import (
    AccessDeniedException,
    AlreadyExistsException,
    DisabledException,
    InvalidAliasNameException,
    InvalidArnException,
    KMSInvalidStateException,
    MalformedPolicyDocumentException,
    NotFoundException,
    ValidationException,
)
from awsmon.neighbours.kms.model import Key, KeyState
from awsmon.policy import MalformedPolicy, PolicyDocument

__all__ = ["KMS", "Key", "KeyState"]


_ALIAS = re.compile(r"alias/[a-zA-Z0-9:/_-]{1,250}")


class KMS(DataOperations, Service):
    """AWS KMS in one account and region.

    Operations: `create_key`, `describe_key`, `list_keys`, `enable_key`,
    `disable_key`, `schedule_key_deletion` (the key is deleted by a clock job
    at its deletion date), `cancel_key_deletion`, `create_alias`,
    `delete_alias`, `list_aliases`, `get_key_policy`, `put_key_policy`; and
    `usable_key`, the check Logs and CloudTrail make before using a key.

    Cryptographic operations (`awsmon.neighbours.kms.data`): `encrypt`,
    `decrypt`, `re_encrypt`, `generate_data_key`,
    `generate_data_key_without_plaintext`, `sign`, `verify`, `generate_mac`,
    `verify_mac`, `get_public_key`, with real cryptography.
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
        self._authorize(found, action, key_id, principal_service, context)
        return found

    def _authorize(
        self,
        found: Key,
        action: str,
        key_id: str,
        principal_service: str | None = None,
        context: dict[str, str] | None = None,
    ) -> None:
        """Refuse `action` on `found` unless its key policy allows the caller (or service)."""
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

    @operation("CreateKey")
    def create_key(
        self,
        *,
        description: str = "",
        policy: str | None = None,
        key_usage: str | None = None,
        key_spec: str = "SYMMETRIC_DEFAULT",
    ) -> Key:
        """Create an enabled key of `key_spec` for `key_usage` (CreateKey).

        Raises:
            ValidationException: an unknown spec or usage, or a usage the spec
                does not allow (symmetric keys encrypt, HMAC keys make MACs,
                ECC keys sign, RSA keys encrypt or sign).
            MalformedPolicyDocumentException: the policy is not a policy document.
        """
        usages = USAGES.get(key_spec)
        if usages is None:
            raise ValidationException(
                f"1 validation error detected: Value '{key_spec}' at 'keySpec' failed to "
                f"satisfy constraint: Member must satisfy enum value set: [{', '.join(USAGES)}]",
                param="KeySpec",
                value=key_spec,
            )
        usage = key_usage or usages[0]
        if usage not in usages:
            raise ValidationException(
                f"KeyUsage {usage} is not compatible with KeySpec {key_spec}",
                param="KeyUsage",
                value=usage,
            )
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
            key_usage=usage,
            key_spec=key_spec,
            material=new_material(key_spec, lambda size: bytes.fromhex(self.ctx.ids.hex(2 * size))),
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
