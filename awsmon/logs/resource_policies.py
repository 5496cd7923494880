"""CloudWatch Logs resource policies: which services may write into the account's logs.

`ResourcePoliciesMixin` is one of the bases of `awsmon.logs.service.CloudWatchLogs`.
"""

from awsmon import jsondoc
from awsmon.dispatch import operation
from awsmon.logs._core import LogsCore, Page, check_limit, paginate
from awsmon.logs.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from awsmon.logs.model import (
    PolicyScope,
    ResourcePolicy,
    validation_message,
)

__all__ = ["MAX_POLICY_LENGTH", "MAX_RESOURCE_POLICIES", "ResourcePoliciesMixin"]

MAX_RESOURCE_POLICIES = 10
MAX_POLICY_LENGTH = 51_200


class ResourcePoliciesMixin(LogsCore):
    """The resource policy operations of `CloudWatchLogs`."""

    @operation("PutResourcePolicy")
    def put_resource_policy(
        self,
        policy_name: str | None = None,
        policy_document: str | None = None,
        *,
        resource_arn: str | None = None,
        expected_revision_id: str | None = None,
    ) -> ResourcePolicy:
        """Create or replace a resource policy (PutResourcePolicy).

        An account policy has a `policy_name` (at most 10 per region); a
        log-group policy is named by `resource_arn` instead.

        Raises:
            InvalidParameterException: a document that is not a JSON object,
                or a revision id that does not match.
            LimitExceededException: an 11th account policy.
            ResourceNotFoundException: the log group of `resource_arn` does not exist.
        """
        if policy_document is None or not policy_document:
            raise InvalidParameterException(
                "The parameter policyDocument is required.", param="policyDocument", value=None
            )
        if len(policy_document) > MAX_POLICY_LENGTH:
            raise InvalidParameterException(
                validation_message(
                    "policyDocument",
                    policy_document,
                    f"Member must have length less than or equal to {MAX_POLICY_LENGTH}",
                ),
                param="policyDocument",
                value=len(policy_document),
            )
        try:
            parsed = jsondoc.loads(policy_document)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise InvalidParameterException(
                "Invalid policy document: it must be a JSON object.",
                param="policyDocument",
                value=policy_document,
            )
        if resource_arn is not None:
            self.group_by_arn(resource_arn)
            key, scope = resource_arn, PolicyScope.RESOURCE
        elif policy_name:
            key, scope = policy_name, PolicyScope.ACCOUNT
        else:
            raise InvalidParameterException(
                "Either policyName or resourceArn must be specified.",
                param="policyName",
                value=None,
            )
        existing = self.resource_policies.get(key)
        if expected_revision_id is not None and (
            existing is None or existing.revision_id != expected_revision_id
        ):
            raise InvalidParameterException(
                "The expectedRevisionId does not match the policy's current revision.",
                param="expectedRevisionId",
                value=expected_revision_id,
            )
        accounts = sum(1 for p in self.resource_policies.values() if p.scope is PolicyScope.ACCOUNT)
        if existing is None and scope is PolicyScope.ACCOUNT and accounts >= MAX_RESOURCE_POLICIES:
            raise LimitExceededException("Resource limit exceeded.", param="policyName", value=key)
        policy = ResourcePolicy(
            name=policy_name,
            document=policy_document,
            last_updated_ms=self.now_ms(),
            scope=scope,
            resource_arn=resource_arn,
            revision_id=self.ctx.ids.uuid(),
        )
        self.resource_policies[key] = policy
        return policy

    @operation("DescribeResourcePolicies")
    def describe_resource_policies(
        self,
        *,
        resource_arn: str | None = None,
        policy_scope: PolicyScope | str | None = None,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> Page[ResourcePolicy]:
        """The resource policies, by name (DescribeResourcePolicies)."""
        size = check_limit(limit, 50, 50)
        scope = None if policy_scope is None else PolicyScope(policy_scope)
        found = sorted(
            (
                (key, policy)
                for key, policy in self.resource_policies.items()
                if (scope is None or policy.scope is scope)
                and (resource_arn is None or policy.resource_arn == resource_arn)
            ),
            key=lambda item: item[0],
        )
        page = paginate(found, lambda item: item[0], next_token, size)
        return Page(tuple(policy for _key, policy in page.items), page.next_token)

    @operation("DeleteResourcePolicy")
    def delete_resource_policy(
        self,
        policy_name: str | None = None,
        *,
        resource_arn: str | None = None,
        expected_revision_id: str | None = None,
    ) -> None:
        """Delete a resource policy (DeleteResourcePolicy).

        Raises:
            ResourceNotFoundException: no such policy.
        """
        key = resource_arn if resource_arn is not None else policy_name
        found = None if key is None else self.resource_policies.get(key)
        if found is None:
            raise ResourceNotFoundException(
                f"Policy with name [{key}] does not exist", param="policyName", value=key
            )
        if expected_revision_id is not None and found.revision_id != expected_revision_id:
            raise InvalidParameterException(
                "The expectedRevisionId does not match the policy's current revision.",
                param="expectedRevisionId",
                value=expected_revision_id,
            )
        del self.resource_policies[key]  # type: ignore[arg-type]
