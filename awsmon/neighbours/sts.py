"""AWS STS: who is calling.

Simulates ``GetCallerIdentity``, answered from the cloud's current principal
(`Cloud.as_principal`), so code that checks its account through STS sees the
simulated one, and ``AssumeRole``, which hands out temporary credentials for an
assumed-role principal (``arn:aws:sts::<account>:assumed-role/<role>/<session>``)
that later calls can run as with ``cloud.as_principal(assumed.principal)``.
Each STS instance registers itself as one of the cloud's credential resolvers,
so the boto3 routing (`Cloud.principal_for_access_key`) maps a temporary
AccessKeyId back to its session without knowing STS.

>>> from awsmon import Cloud
>>> Cloud().sts.get_caller_identity().account_id
'123456789012'
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import frozen

from awsmon.dispatch import Service, operation
from awsmon.errors import InvalidParameter, ServiceError
from awsmon.identity import Principal
from awsmon.wire import Params, WireApi, handles

if TYPE_CHECKING:
    from awsmon.dispatch import CloudHandle, ServiceContext

__all__ = ["STS", "AssumedRole", "ExpiredTokenException", "StsApi", "principal_for_access_key"]


class ValidationError(InvalidParameter, code="ValidationError", service="sts"):
    """A parameter breaks its modelled constraint."""


class ExpiredTokenException(ServiceError, code="ExpiredTokenException", service="sts"):
    """The temporary credentials have expired."""


@frozen(kw_only=True)
class AssumedRole:
    """The result of AssumeRole: the session's principal and its temporary credentials."""

    principal: Principal
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime
    assumed_role_id: str


_ROLE_ARN = re.compile(
    r"arn:(aws[a-z-]*):iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})"
)
_SESSION = re.compile(r"[\w+=,.@-]{2,64}")


def principal_for_access_key(cloud: CloudHandle, access_key_id: str) -> Principal | None:
    """The assumed-role principal whose temporary AccessKeyId this is, or None.

    Same as ``cloud.principal_for_access_key(access_key_id)``.

    Raises:
        ExpiredTokenException: the credentials are past their expiration.
    """
    return cloud.principal_for_access_key(access_key_id)


class STS(Service):
    """The Security Token Service of one account and region.

    Operations: `get_caller_identity`, `assume_role`.

    Simulation notes: any role ARN can be assumed (awsmon has no IAM, so
    trust policies are not checked); the credentials expire on the virtual
    clock.
    """

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self._sessions: dict[str, AssumedRole] = {}
        ctx.cloud.add_credential_resolver(self._principal_for_access_key)

    def _principal_for_access_key(self, access_key_id: str) -> Principal | None:
        """The principal of a session this STS issued, or None (a credential resolver).

        Raises:
            ExpiredTokenException: the credentials are past their expiration.
        """
        session = self._sessions.get(access_key_id)
        if session is None:
            return None
        if self.ctx.now() >= session.expiration:
            raise ExpiredTokenException("The security token included in the request is expired")
        return session.principal

    @operation("GetCallerIdentity")
    def get_caller_identity(self) -> Principal:
        """Who is calling (GetCallerIdentity): the cloud's current principal."""
        return self.ctx.principal

    @operation("AssumeRole")
    def assume_role(
        self, role_arn: str, role_session_name: str, duration_seconds: int = 3600
    ) -> AssumedRole:
        """Assume a role (AssumeRole): an assumed-role principal and temporary credentials.

        Raises:
            ValidationError: a malformed role ARN, session name or duration.
        """
        match = _ROLE_ARN.fullmatch(role_arn)
        if match is None:
            raise ValidationError(f"{role_arn} is invalid", param="RoleArn", value=role_arn)
        if not _SESSION.fullmatch(role_session_name):
            raise ValidationError(
                f"1 validation error detected: Value '{role_session_name}' at 'roleSessionName' "
                "failed to satisfy constraint: Member must satisfy regular expression pattern: "
                "[\\w+=,.@-]*",
                param="RoleSessionName",
                value=role_session_name,
            )
        if not 900 <= duration_seconds <= 43200:
            raise ValidationError(
                f"1 validation error detected: Value '{duration_seconds}' at 'durationSeconds' "
                "failed to satisfy constraint: Member must have value less than or equal to 43200",
                param="DurationSeconds",
                value=duration_seconds,
            )
        partition, account, role = match.groups()
        principal = Principal.from_arn(
            f"arn:{partition}:sts::{account}:assumed-role/{role}/{role_session_name}"
        )
        ids = self.ctx.ids
        session = AssumedRole(
            principal=principal,
            access_key_id="ASIA" + ids.alphanumeric(16, upper=True),
            secret_access_key=ids.alphanumeric(40),
            session_token=ids.alphanumeric(356),
            expiration=self.ctx.now() + timedelta(seconds=duration_seconds),
            assumed_role_id=principal.user_id,
        )
        self._sessions[session.access_key_id] = session
        return session


class StsApi(WireApi):
    """STS wire operations."""

    domain: STS
    invalid_parameter = ValidationError
    missing_parameter = ValidationError

    @handles("GetCallerIdentity")
    def get_caller_identity(self, params: Params) -> dict[str, Any]:
        """GetCallerIdentity: ``UserId``, ``Account`` and ``Arn`` of the caller."""
        who = self.domain.get_caller_identity()
        return {"UserId": who.user_id, "Account": who.account_id, "Arn": who.arn}

    @handles("AssumeRole")
    def assume_role(self, params: Params) -> dict[str, Any]:
        """AssumeRole → ``Credentials``, ``AssumedRoleUser`` and ``PackedPolicySize``."""
        role = params.string("RoleArn", required=True, min_length=20, max_length=2048)
        session = params.string("RoleSessionName", required=True, min_length=2, max_length=64)
        duration = params.integer("DurationSeconds", default=3600)
        assumed = self.domain.assume_role(role, session, duration)
        return {
            "Credentials": {
                "AccessKeyId": assumed.access_key_id,
                "SecretAccessKey": assumed.secret_access_key,
                "SessionToken": assumed.session_token,
                "Expiration": assumed.expiration,
            },
            "AssumedRoleUser": {
                "AssumedRoleId": assumed.assumed_role_id,
                "Arn": assumed.principal.arn,
            },
            "PackedPolicySize": 0,
        }
