"""Amazon Resource Names as a value object.

>>> arn = Arn.parse("arn:aws:logs:us-east-1:123456789012:log-group:/app/web:*")
>>> arn.service, arn.region, arn.account_id, arn.resource
('logs', 'us-east-1', '123456789012', 'log-group:/app/web:*')
>>> arn.resource_type, arn.resource_id
('log-group', '/app/web:*')
>>> str(arn) == "arn:aws:logs:us-east-1:123456789012:log-group:/app/web:*"
True
"""

from __future__ import annotations

from attrs import frozen

__all__ = ["Arn", "InvalidArn", "partition_for"]


def partition_for(region: str) -> str:
    """The partition of `region`, as AWS writes it in ARNs.

    >>> partition_for("us-east-1"), partition_for("cn-north-1"), partition_for("us-gov-west-1")
    ('aws', 'aws-cn', 'aws-us-gov')
    """
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


class InvalidArn(ValueError):
    """The text is not an ARN (``arn:partition:service:region:account:resource``).

    Services turn this into their own AWS error code at the wire edge.
    """


@frozen
class Arn:
    """An ARN: ``arn:{partition}:{service}:{region}:{account_id}:{resource}``.

    Region and account are empty strings for global resources (S3 buckets,
    IAM has no region).
    """

    partition: str
    service: str
    region: str
    account_id: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn:
        """Parse an ARN string.

        Raises:
            InvalidArn: fewer than six colon-separated parts, a first part other
                than ``arn``, or an empty partition, service or resource.
        """
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
            raise InvalidArn(f"not a valid ARN: {text!r}")
        return cls(parts[1], parts[2], parts[3], parts[4], parts[5])

    @classmethod
    def build(cls, service: str, region: str, account_id: str, resource: str) -> Arn:
        """An ARN in the partition of `region` (``aws`` for global resources)."""
        return cls(partition_for(region), service, region, account_id, resource)

    @property
    def resource_type(self) -> str:
        """The part of the resource before the first ``/`` or ``:`` (``""`` if none)."""
        for i, char in enumerate(self.resource):
            if char in "/:":
                return self.resource[:i]
        return ""

    @property
    def resource_id(self) -> str:
        """The part of the resource after its type (the whole resource if untyped)."""
        kind = self.resource_type
        return self.resource[len(kind) + 1 :] if kind else self.resource

    def __str__(self) -> str:
        return ":".join(
            (
                "arn",
                self.partition,
                self.service,
                self.region,
                self.account_id,
                self.resource,
            )
        )
