"""The wire operations of CloudWatch Logs destinations (`awsmon.logs.destinations`).

`DestinationsApi` is a base of `awsmon.logs.api.LogsApi`: PutDestination,
PutDestinationPolicy, DescribeDestinations and DeleteDestination in AWS's
JSON shapes.
"""

from __future__ import annotations

from awsmon.logs.api_common import LogsWireApi, Response
from awsmon.logs.destinations import Destination
from awsmon.wire import Params, handles

__all__ = ["DestinationsApi"]

_NAME = r"[^:*]*"


def _destination(found: Destination) -> Response:
    out: Response = {
        "destinationName": found.name,
        "targetArn": found.target_arn,
        "roleArn": found.role_arn,
        "arn": found.arn,
        "creationTime": found.created_at_ms,
    }
    if found.access_policy is not None:
        out["accessPolicy"] = found.access_policy
    return out


class DestinationsApi(LogsWireApi):
    """Destination handlers of the CloudWatch Logs wire API."""

    def _name(self, params: Params) -> str:
        name: str = params.string(
            "destinationName", required=True, min_length=1, max_length=512, pattern=_NAME
        )
        return name

    @handles("PutDestination")
    def put_destination(self, params: Params) -> Response:
        """PutDestination → ``destination``."""
        name = self._name(params)
        target = params.string("targetArn", required=True, min_length=1)
        role = params.string("roleArn", required=True, min_length=1)
        return {"destination": _destination(self.domain.put_destination(name, target, role))}

    @handles("PutDestinationPolicy")
    def put_destination_policy(self, params: Params) -> Response:
        """PutDestinationPolicy → nothing."""
        name = self._name(params)
        policy = params.string("accessPolicy", required=True, min_length=1)
        force = bool(params.boolean("forceUpdate", default=False))
        self.domain.put_destination_policy(name, policy, force_update=force)
        return {}

    @handles("DescribeDestinations")
    def describe_destinations(self, params: Params) -> Response:
        """DescribeDestinations → ``destinations`` (one page)."""
        prefix = params.string("DestinationNamePrefix", min_length=1, max_length=512)
        params.integer("limit", minimum=1, maximum=50)
        found = self.domain.describe_destinations(prefix)
        return {"destinations": [_destination(d) for d in found]}

    @handles("DeleteDestination")
    def delete_destination(self, params: Params) -> Response:
        """DeleteDestination → nothing."""
        self.domain.delete_destination(self._name(params))
        return {}
