"""Caller identities: who makes each call in the simulated cloud.

`Principal` is the identity behind a call, built from its ARN. It decides the
account a call acts in, is what STS ``GetCallerIdentity`` answers, and what
CloudTrail records as ``userIdentity``.

>>> Principal.from_arn("arn:aws:iam::123456789012:user/alice").type
'IAMUser'
>>> Principal.root("123456789012").arn
'arn:aws:iam::123456789012:root'
"""

from __future__ import annotations

import hashlib

from attrs import frozen

from awsmon.arn import Arn, InvalidArn

__all__ = ["Principal"]

# AWS unique-id prefixes: AIDA for IAM users, AROA for roles.
_ID_PREFIX = {"IAMUser": "AIDA", "AssumedRole": "AROA", "Role": "AROA"}


@frozen
class Principal:
    """An identity that makes calls.

    Attributes:
        arn: the principal's ARN (``arn:aws:iam::<account>:root``,
            ``...:user/<name>``, ``arn:aws:sts::<account>:assumed-role/<role>/<session>``,
            or a service principal such as ``events.amazonaws.com``).
        account_id: the account the principal belongs to, where calls act.
        type: CloudTrail's ``userIdentity.type``: ``Root``, ``IAMUser``,
            ``AssumedRole``, ``Role`` or ``AWSService``.
        user_id: the unique id (``UserId`` in GetCallerIdentity).
    """

    arn: str
    account_id: str
    type: str
    user_id: str

    @classmethod
    def root(cls, account_id: str) -> Principal:
        """The root user of `account_id`."""
        return cls(f"arn:aws:iam::{account_id}:root", account_id, "Root", account_id)

    @classmethod
    def service(cls, name: str, account_id: str) -> Principal:
        """An AWS service acting on the account's behalf (``monitoring.amazonaws.com``)."""
        return cls(name, account_id, "AWSService", name)

    @classmethod
    def from_arn(cls, arn: str) -> Principal:
        """The principal named by an IAM or STS ARN.

        Raises:
            ValueError: the text is not an IAM/STS principal ARN.
        """
        try:
            parsed = Arn.parse(arn)
        except InvalidArn as exc:
            raise ValueError(f"not a principal ARN: {arn!r}") from exc
        account = parsed.account_id
        if parsed.service not in ("iam", "sts") or not (account.isdecimal() and len(account) == 12):
            raise ValueError(f"not an IAM or STS principal ARN with a 12-digit account: {arn!r}")
        kind = parsed.resource_type or parsed.resource
        types = {"root": "Root", "user": "IAMUser", "assumed-role": "AssumedRole", "role": "Role"}
        if kind not in types:
            raise ValueError(f"unknown principal type {kind!r} in {arn!r}")
        principal_type = types[kind]
        if principal_type == "Root":
            return cls.root(account)
        user_id = _ID_PREFIX[principal_type] + _stable_suffix(arn)
        if principal_type == "AssumedRole":
            # GetCallerIdentity gives "<role unique id>:<session name>" for an assumed role.
            role, _, session = parsed.resource_id.partition("/")
            user_id = _ID_PREFIX["Role"] + _stable_suffix(f"role/{role}@{account}") + f":{session}"
        return cls(arn, account, principal_type, user_id)


def _stable_suffix(text: str) -> str:
    """17 upper-case alphanumerics derived from `text`: the same ARN always gets the same id."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    digest = hashlib.sha256(text.encode()).digest()
    return "".join(alphabet[b % 32] for b in digest[:17])
