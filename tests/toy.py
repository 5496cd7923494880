"""A toy service for the foundation's tests, answering as botocore's 'codecommit'.

awsmon will never simulate CodeCommit, so its botocore model gives the tests
real operations, parameters and error shapes to route without clashing with a
real awsmon service.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from awsmon import registry
from awsmon.dispatch import Service, operation
from awsmon.errors import AlreadyExists, InvalidParameter, NotFound
from awsmon.wire import Params, WireApi, handles


class RepositoryDoesNotExistException(
    NotFound, code="RepositoryDoesNotExistException", service="codecommit"
):
    """The repository does not exist."""


class RepositoryNameExistsException(
    AlreadyExists, code="RepositoryNameExistsException", service="codecommit"
):
    """A repository of that name exists."""


class InvalidRepositoryNameException(
    InvalidParameter, code="InvalidRepositoryNameException", service="codecommit"
):
    """The repository name breaks the naming rules."""


class Toy(Service):
    """Repositories by name."""

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.repositories: dict[str, str] = {}

    @operation("CreateRepository")
    def create_repository(self, repository_name: str, *, description: str = "") -> str:
        if repository_name in self.repositories:
            raise RepositoryNameExistsException(f"{repository_name} exists")
        self.repositories[repository_name] = description
        return self.ctx.arn(repository_name)

    @operation("GetRepository")
    def get_repository(self, repository_name: str) -> str:
        if repository_name not in self.repositories:
            raise RepositoryDoesNotExistException(f"{repository_name} does not exist")
        return self.repositories[repository_name]


class ToyApi(WireApi):
    domain: Toy
    invalid_parameter = InvalidRepositoryNameException

    @handles("CreateRepository")
    def create_repository(self, params: Params) -> dict[str, Any]:
        name = params.string("repositoryName", required=True, max_length=100, pattern=r"[\w.-]+")
        arn = self.domain.create_repository(
            name, description=params.string("repositoryDescription", default="")
        )
        return {
            "repositoryMetadata": {
                "repositoryName": name,
                "Arn": arn,
                "accountId": self.domain.account_id,
            }
        }

    @handles("GetRepository")
    def get_repository(self, params: Params) -> dict[str, Any]:
        name = params.string("repositoryName", required=True)
        description = self.domain.get_repository(name)
        return {
            "repositoryMetadata": {"repositoryName": name, "repositoryDescription": description}
        }


SPEC = registry.ServiceSpec(
    name="toy",
    botocore_name="codecommit",
    domain=Toy,
    api=ToyApi,
    event_source="codecommit.amazonaws.com",
    arn_service="codecommit",
    parameter_case="camel",
)


@contextmanager
def toy_service() -> Iterator[registry.ServiceSpec]:
    """The toy service, registered for the block."""
    with registry.register(SPEC) as spec:
        yield spec
