"""Schema registries, their resource policies and the tags of every resource (part of `Schemas`).

`RegistryOperations` holds the registries of one account and region: the two
AWS-managed ones (``aws.events``, read-only, and ``discovered-schemas``) and
custom registries (CreateRegistry ... DeleteRegistry), each with an optional
resource policy (Put/Get/DeleteResourcePolicy, with RevisionId checks), and
TagResource / UntagResource / ListTagsForResource for registries, schemas
and discoverers.

Simulation notes: the managed registries cannot be created, updated or deleted
(``ForbiddenException``); a custom registry must be empty to be deleted
(``ConflictException``); messages are awsmon's (UNCONFIRMED).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from awsmon import jsondoc
from awsmon.arn import Arn, InvalidArn
from awsmon.dispatch import Service, operation
from awsmon.schemas._paging import page
from awsmon.schemas.errors import (
    BadRequestException,
    ConflictException,
    ForbiddenException,
    NotFoundException,
    PreconditionFailedException,
)
from awsmon.schemas.model import (
    AWS_EVENTS_REGISTRY,
    DISCOVERED_REGISTRY,
    Discoverer,
    Registry,
    ResourcePolicy,
)

__all__ = ["RegistryOperations"]

#: The ResourcePolicy key of the account-level policy (PutResourcePolicy without a registry).
ACCOUNT_POLICY = ""


class RegistryOperations(Service):
    """The registries of one account and region (part of `Schemas`)."""

    if TYPE_CHECKING:
        discoverers: dict[str, Discoverer]

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.registries: dict[str, Registry] = {}
        self.policies: dict[str, ResourcePolicy] = {}
        for name in (AWS_EVENTS_REGISTRY, DISCOVERED_REGISTRY):
            self.registries[name] = Registry(
                name=name, arn=self.ctx.arn(f"registry/{name}"), managed=True
            )

    def registry(self, name: str) -> Registry:
        """The registry `name`.

        Raises:
            NotFoundException: no such registry.
        """
        found = self.registries.get(name)
        if found is None:
            raise NotFoundException(
                f"Registry with name {name} does not exist.", param="RegistryName", value=name
            )
        return found

    def _custom(self, name: str, action: str) -> Registry:
        registry = self.registry(name)
        if registry.managed:
            raise ForbiddenException(
                f"{action} is not allowed on the AWS-managed registry {name}.",
                param="RegistryName",
                value=name,
            )
        return registry

    @operation("CreateRegistry")
    def create_registry(
        self,
        registry_name: str,
        *,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Registry:
        """Create a custom registry (CreateRegistry).

        Raises:
            ConflictException: a registry of that name exists (the managed ones included).
        """
        if registry_name in self.registries:
            raise ConflictException(
                f"Registry with name {registry_name} already exists.",
                param="RegistryName",
                value=registry_name,
            )
        registry = Registry(
            name=registry_name,
            arn=self.ctx.arn(f"registry/{registry_name}"),
            description=description,
            tags=dict(tags or {}),
        )
        self.registries[registry_name] = registry
        return registry

    @operation("DescribeRegistry")
    def describe_registry(self, registry_name: str) -> Registry:
        """The registry `registry_name` (DescribeRegistry); NotFoundException when missing."""
        return self.registry(registry_name)

    @operation("UpdateRegistry")
    def update_registry(self, registry_name: str, *, description: str | None = None) -> Registry:
        """Change a custom registry's description (UpdateRegistry)."""
        registry = self._custom(registry_name, "UpdateRegistry")
        if description is not None:
            registry.description = description
        return registry

    @operation("DeleteRegistry")
    def delete_registry(self, registry_name: str) -> None:
        """Delete an empty custom registry and its policy (DeleteRegistry).

        Raises:
            ForbiddenException: a managed registry. ConflictException: it holds schemas.
        """
        registry = self._custom(registry_name, "DeleteRegistry")
        if registry.schemas:
            raise ConflictException(
                f"Registry {registry_name} is not empty: delete its schemas first.",
                param="RegistryName",
                value=registry_name,
            )
        del self.registries[registry_name]
        self.policies.pop(registry_name, None)

    @operation("ListRegistries")
    def list_registries(
        self,
        *,
        registry_name_prefix: str | None = None,
        scope: str | None = None,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[Registry], str | None]:
        """One page of registries (ListRegistries) and the next token.

        Args:
            scope: ``AWS`` (the AWS-managed ``aws.events``), ``LOCAL`` (the
                others), or None for all.
        """
        chosen = [
            r
            for r in self.registries.values()
            if (registry_name_prefix is None or r.name.startswith(registry_name_prefix))
            and (scope is None or (scope == "AWS") == (r.name == AWS_EVENTS_REGISTRY))
        ]
        return page(chosen, key=lambda r: r.name, limit=limit, token=next_token)

    # -- resource policies ----------------------------------------------------------------

    @operation("PutResourcePolicy")
    def put_resource_policy(
        self, policy: str, *, registry_name: str | None = None, revision_id: str | None = None
    ) -> ResourcePolicy:
        """Set the resource policy of a registry (PutResourcePolicy).

        Args:
            policy: the IAM policy document (JSON text).
            registry_name: the registry (None: the account's policy).
            revision_id: when given, the revision the caller last read.

        Raises:
            BadRequestException: the policy is not a JSON object.
            NotFoundException: no such registry.
            PreconditionFailedException: `revision_id` is not the current revision.
        """
        key = ACCOUNT_POLICY if registry_name is None else self.registry(registry_name).name
        try:
            document = jsondoc.loads(policy)
        except (ValueError, RecursionError):
            document = None
        if not isinstance(document, dict):
            raise BadRequestException(
                "Policy is not a valid JSON policy document.", param="Policy", value=policy
            )
        current = self.policies.get(key)
        if revision_id is not None and (current is None or current.revision_id != revision_id):
            raise PreconditionFailedException(
                f"RevisionId {revision_id} does not match the policy's current revision.",
                param="RevisionId",
                value=revision_id,
            )
        stored = ResourcePolicy(document=document, text=policy, revision_id=self.ctx.ids.uuid())
        self.policies[key] = stored
        return stored

    @operation("GetResourcePolicy")
    def get_resource_policy(self, *, registry_name: str | None = None) -> ResourcePolicy:
        """The resource policy of a registry (GetResourcePolicy); NotFoundException when none."""
        key = ACCOUNT_POLICY if registry_name is None else self.registry(registry_name).name
        found = self.policies.get(key)
        if found is None:
            raise NotFoundException(
                "Resource policy does not exist.", param="RegistryName", value=registry_name
            )
        return found

    @operation("DeleteResourcePolicy")
    def delete_resource_policy(self, *, registry_name: str | None = None) -> None:
        """Remove the resource policy of a registry (DeleteResourcePolicy)."""
        self.get_resource_policy(registry_name=registry_name)
        self.policies.pop(ACCOUNT_POLICY if registry_name is None else registry_name, None)

    # -- tags ---------------------------------------------------------------------------

    def _tags_of(self, resource_arn: str) -> dict[str, str]:
        try:
            arn = Arn.parse(resource_arn)
        except InvalidArn:
            raise BadRequestException(
                f"Invalid ARN: {resource_arn}", param="ResourceArn", value=resource_arn
            ) from None
        kind, _, rest = arn.resource.partition("/")
        here = (arn.service, arn.region, arn.account_id) == (
            "schemas",
            self.region,
            self.account_id,
        )
        if here and kind == "registry" and rest in self.registries:
            return self.registries[rest].tags
        if here and kind == "schema":
            registry_name, _, schema_name = rest.partition("/")
            registry = self.registries.get(registry_name)
            if registry is not None and schema_name in registry.schemas:
                return registry.schemas[schema_name].tags
        if here and kind == "discoverer" and rest in self.discoverers:
            return self.discoverers[rest].tags
        raise NotFoundException(
            f"Resource {resource_arn} does not exist.", param="ResourceArn", value=resource_arn
        )

    @operation("TagResource")
    def tag_resource(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        """Add or replace tags of a registry, schema or discoverer (TagResource)."""
        self._tags_of(resource_arn).update(tags)

    @operation("UntagResource")
    def untag_resource(self, resource_arn: str, tag_keys: Iterable[str]) -> None:
        """Remove tags by key (UntagResource)."""
        tags = self._tags_of(resource_arn)
        for key in tag_keys:
            tags.pop(key, None)

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, resource_arn: str) -> dict[str, str]:
        """The tags of a registry, schema or discoverer (ListTagsForResource)."""
        return dict(self._tags_of(resource_arn))
