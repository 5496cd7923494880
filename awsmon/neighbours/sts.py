"""AWS STS: who is calling.

Simulates ``GetCallerIdentity``, answered from the cloud's current principal
(`Cloud.as_principal`), so code that checks its account through STS sees the
simulated one.

>>> from awsmon import Cloud
>>> Cloud().sts.get_caller_identity().account_id
'123456789012'
"""

from __future__ import annotations

from typing import Any

from awsmon.dispatch import Service, operation
from awsmon.identity import Principal
from awsmon.wire import Params, WireApi, handles

__all__ = ["STS", "StsApi"]


class STS(Service):
    """The Security Token Service of one account and region.

    Operations: `get_caller_identity`.
    """

    @operation("GetCallerIdentity")
    def get_caller_identity(self) -> Principal:
        """Who is calling (GetCallerIdentity): the cloud's current principal."""
        return self.ctx.cloud.principal


class StsApi(WireApi):
    """STS wire operations."""

    domain: STS

    @handles("GetCallerIdentity")
    def get_caller_identity(self, params: Params) -> dict[str, Any]:
        """GetCallerIdentity: ``UserId``, ``Account`` and ``Arn`` of the caller."""
        who = self.domain.get_caller_identity()
        return {"UserId": who.user_id, "Account": who.account_id, "Arn": who.arn}
