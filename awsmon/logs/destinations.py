"""Logical destinations: how another account's log groups subscribe to a Kinesis stream.

`DestinationsMixin` adds PutDestination, PutDestinationPolicy,
DescribeDestinations and DeleteDestination to
`awsmon.logs.service.CloudWatchLogs`. A destination
(``arn:aws:logs:<region>:<account>:destination:<name>``) names a Kinesis or
Firehose stream of its own account and the role CloudWatch Logs assumes to
write it; its access policy says which accounts may subscribe their log
groups to it (``logs:PutSubscriptionFilter``). A subscription filter naming
the destination sends its payloads to the destination's target
(`awsmon.logs.subscriptions.deliver`), as AWS's cross-account
subscriptions do.

Simulation notes: the role is stored, not assumed; a filter of the
destination's own account needs no policy.
"""

from __future__ import annotations

from typing import Any

from attrs import define

from awsmon import jsondoc
from awsmon.arn import Arn, InvalidArn
from awsmon.dispatch import operation
from awsmon.logs._core import LogsCore
from awsmon.logs.errors import InvalidParameterException, ResourceNotFoundException
from awsmon.policy import MalformedPolicy, PolicyDocument

__all__ = ["Destination", "DestinationsMixin"]


@define(eq=False, kw_only=True)
class Destination:
    """A logical destination for cross-account subscriptions.

    Attributes:
        name / arn: its identity.
        target_arn: the Kinesis stream or Firehose stream that receives the data.
        role_arn: the role CloudWatch Logs assumes to write the target.
        access_policy: the JSON policy naming who may subscribe, or None.
        created_at_ms: creation time, epoch milliseconds.
    """

    name: str
    arn: str
    target_arn: str
    role_arn: str
    access_policy: str | None = None
    created_at_ms: int = 0

    def allows(self, account_id: str) -> bool:
        """Whether `account_id` may subscribe a log group to this destination."""
        if self.access_policy is None:
            return False
        document = PolicyDocument.parse(self.access_policy)
        principal = f"arn:aws:iam::{account_id}:root"
        return document.evaluate(principal, "logs:PutSubscriptionFilter", self.arn).allowed


class DestinationsMixin(LogsCore):
    """Destination operations of `CloudWatchLogs`."""

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.destinations: dict[str, Destination] = {}

    def destination(self, name: str) -> Destination:
        """The destination `name` of this account and region.

        Raises:
            ResourceNotFoundException: no such destination.
        """
        found = self.destinations.get(name)
        if found is None:
            raise ResourceNotFoundException(
                "The specified destination does not exist.", param="destinationName", value=name
            )
        return found

    @operation("PutDestination")
    def put_destination(
        self, destination_name: str, target_arn: str, role_arn: str
    ) -> Destination:
        """Create or update a destination (PutDestination); an update keeps the access policy.

        Raises:
            InvalidParameterException: a target that is not a Kinesis or Firehose stream ARN.
        """
        try:
            target = Arn.parse(target_arn)
        except InvalidArn:
            target = None
        if target is None or target.service not in ("kinesis", "firehose"):
            raise InvalidParameterException(
                f"Invalid targetArn: {target_arn}", param="targetArn", value=target_arn
            )
        existing = self.destinations.get(destination_name)
        created = Destination(
            name=destination_name,
            arn=self.ctx.arn(f"destination:{destination_name}"),
            target_arn=target_arn,
            role_arn=role_arn,
            access_policy=existing.access_policy if existing is not None else None,
            created_at_ms=existing.created_at_ms if existing is not None else self.now_ms(),
        )
        self.destinations[destination_name] = created
        return created

    @operation("PutDestinationPolicy")
    def put_destination_policy(
        self, destination_name: str, access_policy: str, *, force_update: bool = False
    ) -> None:
        """Set who may subscribe to a destination (PutDestinationPolicy).

        Raises:
            ResourceNotFoundException: no such destination.
            InvalidParameterException: a policy that is not a valid policy document.
        """
        found = self.destination(destination_name)
        try:
            PolicyDocument.parse(access_policy)
            jsondoc.loads(access_policy)
        except (MalformedPolicy, ValueError):
            raise InvalidParameterException(
                "Invalid access policy.", param="accessPolicy", value=access_policy
            ) from None
        found.access_policy = access_policy

    @operation("DescribeDestinations")
    def describe_destinations(
        self, destination_name_prefix: str | None = None
    ) -> list[Destination]:
        """The destinations whose name starts with the prefix, by name (DescribeDestinations)."""
        return [
            d
            for name, d in sorted(self.destinations.items())
            if destination_name_prefix is None or name.startswith(destination_name_prefix)
        ]

    @operation("DeleteDestination")
    def delete_destination(self, destination_name: str) -> None:
        """Delete a destination (DeleteDestination); filters using it stop delivering.

        Raises:
            ResourceNotFoundException: no such destination.
        """
        self.destination(destination_name)
        del self.destinations[destination_name]
