"""The Principal element of IAM policies, compiled once per statement.

A pure module. `PrincipalSet.compile` reads a statement's ``(kind, name)``
pairs once (the accounts of root ARNs, the role ARNs) so that a check costs
a set lookup and, only when the policy names accounts or roles, one split of
the caller's ARN. The rules (IAM's, for a resource policy):

- ``*`` (or ``{"AWS": "*"}``, or any ``*`` name) matches everyone;
- a name equal to the caller matches (an ARN, or a service principal such as
  ``sns.amazonaws.com``);
- an ``AWS`` account id, or its root ARN, matches every principal of that
  account (awsmon assumes the account's own IAM policies allow the call);
- an ``AWS`` role ARN matches the sessions of that role
  (``arn:aws:sts::<account>:assumed-role/<role>/<session>``).
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

__all__ = ["PrincipalSet", "account_of"]


def account_of(arn: str) -> str | None:
    """The account id of `arn`, or None when it is not an ARN with a numeric account.

    >>> account_of("arn:aws:iam::123456789012:root")
    '123456789012'
    >>> account_of("sns.amazonaws.com") is None
    True
    """
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[4].isdecimal():
        return parts[4]
    return None


@frozen
class PrincipalSet:
    """A statement's principals, compiled.

    Attributes:
        everyone: a ``*`` principal (or a ``*`` kind or name) was listed.
        names: every name as written (matched exactly against the caller).
        accounts: the accounts of ``AWS`` account ids and root ARNs.
        roles: ``(account, role ARN)`` of the ``AWS`` names holding ``:role/``.
    """

    everyone: bool
    names: frozenset[str]
    accounts: frozenset[str]
    roles: tuple[tuple[str | None, str], ...]

    @classmethod
    def compile(cls, pairs: Sequence[tuple[str, str]]) -> PrincipalSet:
        """The compiled form of ``(kind, name)`` pairs (kind ``AWS``, ``Service``, ... or ``*``)."""
        everyone = False
        accounts: set[str] = set()
        roles: list[tuple[str | None, str]] = []
        for kind, name in pairs:
            if name == "*" or kind == "*":
                everyone = True
            if kind != "AWS":
                continue
            account = name if name.isdecimal() else None
            if name.endswith(":root"):
                account = account_of(name)
            if account is not None:
                accounts.add(account)
            if ":role/" in name:
                roles.append((account_of(name), name))
        return cls(everyone, frozenset(n for _, n in pairs), frozenset(accounts), tuple(roles))

    def matches(self, principal: str) -> bool:
        """Whether `principal` (an ARN or a service name) is one of these principals.

        >>> PrincipalSet.compile([("AWS", "123456789012")]).matches(
        ...     "arn:aws:sts::123456789012:assumed-role/ops/alice")
        True
        """
        if self.everyone or principal in self.names:
            return True
        if not self.accounts and not self.roles:
            return False
        caller = account_of(principal)
        if caller is None:
            return False
        if caller in self.accounts:
            return True
        if self.roles and ":assumed-role/" in principal:
            # A role ARN in a policy grants the sessions of that role.
            role = principal.split(":assumed-role/", 1)[1].split("/", 1)[0]
            suffix = f":role/{role}"
            for account, name in self.roles:
                if account == caller and name.endswith(suffix):
                    return True
        return False
