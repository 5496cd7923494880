"""Schema Registry value objects and enums: registries, schemas, versions, discoverers, bindings.

Main names:

- enums `SchemaType`, `DiscovererState`, `CodeGenerationStatus`, `CodeLanguage`;
- `SchemaVersion` (frozen: one version's content), `Schema` (its versions,
  tags and code bindings), `Registry` (schemas, tags, resource policy),
  `Discoverer` (a bus watched for events), `CodeBinding` (one generated
  source archive);
- the names of the AWS-managed registries, `AWS_EVENTS_REGISTRY` and
  `DISCOVERED_REGISTRY`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from attrs import define, field, frozen

__all__ = [
    "AWS_EVENTS_REGISTRY",
    "DISCOVERED_REGISTRY",
    "CodeBinding",
    "CodeGenerationStatus",
    "CodeLanguage",
    "Discoverer",
    "DiscovererState",
    "Registry",
    "ResourcePolicy",
    "Schema",
    "SchemaType",
    "SchemaVersion",
]

#: The AWS-managed registry of AWS services' event schemas.
AWS_EVENTS_REGISTRY = "aws.events"
#: The AWS-managed registry discoverers write to.
DISCOVERED_REGISTRY = "discovered-schemas"


class SchemaType(enum.Enum):
    """The language of a schema's content."""

    OPEN_API_3 = "OpenApi3"
    JSON_SCHEMA_DRAFT_4 = "JSONSchemaDraft4"


class DiscovererState(enum.Enum):
    """Whether a discoverer is watching its bus."""

    STARTED = "STARTED"
    STOPPED = "STOPPED"


class CodeGenerationStatus(enum.Enum):
    """Where a code binding's generation stands."""

    CREATE_IN_PROGRESS = "CREATE_IN_PROGRESS"
    CREATE_COMPLETE = "CREATE_COMPLETE"
    CREATE_FAILED = "CREATE_FAILED"


class CodeLanguage(enum.Enum):
    """The languages code bindings are generated in."""

    JAVA8 = "Java8"
    PYTHON36 = "Python36"
    TYPESCRIPT3 = "TypeScript3"
    GO1 = "Go1"


@frozen(kw_only=True)
class SchemaVersion:
    """One version of a schema.

    Attributes:
        version: the version number as text (``"1"``, ``"2"``...).
        content: the document text.
        type: its language.
        created_at: when the version was created.
    """

    version: str
    content: str
    type: SchemaType
    created_at: datetime


@define(eq=False, kw_only=True)
class CodeBinding:
    """The code binding of one schema version in one language.

    Attributes:
        language: the language.
        version: the schema version it binds.
        status: CREATE_IN_PROGRESS until the clock job finishes it.
        created_at / last_modified_at: timestamps.
        body: the zip archive (None until complete).
    """

    language: CodeLanguage
    version: str
    status: CodeGenerationStatus
    created_at: datetime
    last_modified_at: datetime
    body: bytes | None = field(default=None, repr=False)


@define(eq=False, kw_only=True)
class Schema:
    """A schema: its versions (oldest first) and settings.

    Attributes:
        name / arn / registry_name: identity.
        type: the language of the latest version.
        description: free text (≤256 characters).
        tags: the schema's tags.
        versions: version text → `SchemaVersion`, in creation order.
        last_version: the highest version number handed out (never reused).
        last_modified_at: when the schema last changed.
        code_bindings: (language, version) → `CodeBinding`.
    """

    name: str
    arn: str
    registry_name: str
    type: SchemaType
    description: str | None = None
    tags: dict[str, str] = field(factory=dict)
    versions: dict[str, SchemaVersion] = field(factory=dict, repr=False)
    last_version: int = 0
    last_modified_at: datetime
    code_bindings: dict[tuple[CodeLanguage, str], CodeBinding] = field(factory=dict, repr=False)

    @property
    def latest(self) -> SchemaVersion:
        """The newest version."""
        return next(reversed(self.versions.values()))


@define(eq=False, kw_only=True)
class Registry:
    """A schema registry.

    Attributes:
        name / arn: identity.
        description: free text (≤256 characters).
        tags: the registry's tags.
        schemas: name → `Schema`.
        managed: an AWS-managed registry (``aws.events``, ``discovered-schemas``).
    """

    name: str
    arn: str
    description: str | None = None
    tags: dict[str, str] = field(factory=dict)
    schemas: dict[str, Schema] = field(factory=dict, repr=False)
    managed: bool = False


@frozen(kw_only=True)
class ResourcePolicy:
    """A registry's resource policy.

    Attributes:
        document: the policy, parsed.
        text: the policy as given.
        revision_id: changes with every PutResourcePolicy.
    """

    document: dict[str, Any]
    text: str
    revision_id: str


@define(eq=False, kw_only=True)
class Discoverer:
    """A discoverer: infers the schemas of the events reaching its bus.

    Attributes:
        id / arn: identity (the id is ``events-event-bus-<bus name>``).
        source_arn: the bus's ARN.
        description: free text.
        cross_account: also discover events put by other accounts.
        state: STARTED or STOPPED.
        tags: the discoverer's tags.
    """

    id: str
    arn: str
    source_arn: str
    description: str | None = None
    cross_account: bool = True
    state: DiscovererState = DiscovererState.STARTED
    tags: dict[str, str] = field(factory=dict)
