"""Code bindings of schemas: PutCodeBinding, DescribeCodeBinding, GetCodeBindingSource
(part of `Schemas`).

PutCodeBinding starts generating the binding of one schema version in one
language (`CodeLanguage`): the binding is ``CREATE_IN_PROGRESS`` until a clock
job `code_generation_time` later renders it (`awsmon.schemas.codegen`) and
marks it ``CREATE_COMPLETE`` (``CREATE_FAILED`` if the schema cannot be
rendered); botocore's ``code_binding_exists`` waiter sees the change, its
sleeps advancing the virtual clock. GetCodeBindingSource returns the zip.

Simulation notes: generation takes 5 seconds (`code_generation_time`;
AWS's is not documented). A version deleted after its binding was asked for
answers ``GoneException``; asking again for a binding that exists returns it.
Asking for the source of a binding still in progress is a
``NotFoundException`` (UNCONFIRMED).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from awsmon import jsondoc
from awsmon.dispatch import operation
from awsmon.schemas.codegen import generate
from awsmon.schemas.errors import GoneException, NotFoundException
from awsmon.schemas.model import CodeBinding, CodeGenerationStatus, CodeLanguage
from awsmon.schemas.registries import RegistryOperations

if TYPE_CHECKING:
    from awsmon.schemas.model import Schema, SchemaVersion

__all__ = ["CodeBindingOperations"]


class CodeBindingOperations(RegistryOperations):
    """The code bindings of the schemas of one account and region (part of `Schemas`).

    Attributes:
        code_generation_time: how long generating a binding takes (a clock job).
    """

    if TYPE_CHECKING:

        def schema(self, registry_name: str, schema_name: str) -> Schema: ...

        def version_of(self, schema: Schema, version: str | None) -> SchemaVersion: ...

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.code_generation_time = timedelta(seconds=5)

    def _version(self, schema: Schema, version: str | None) -> SchemaVersion:
        gone = version is not None and version not in schema.versions and version.isdecimal()
        if gone and 0 < int(str(version)) <= schema.last_version:
            raise GoneException(
                f"Schema version {version} of {schema.name} has been deleted.",
                param="SchemaVersion",
                value=version,
            )
        return self.version_of(schema, version)

    @operation("PutCodeBinding")
    def put_code_binding(
        self,
        registry_name: str,
        schema_name: str,
        language: CodeLanguage,
        *,
        schema_version: str | None = None,
    ) -> CodeBinding:
        """Start generating a code binding (PutCodeBinding); it completes on the clock.

        Raises:
            NotFoundException: no such registry, schema or version.
            GoneException: the version was deleted.
        """
        schema = self.schema(registry_name, schema_name)
        version = self._version(schema, schema_version)
        key = (language, version.version)
        existing = schema.code_bindings.get(key)
        if existing is not None and existing.status is not CodeGenerationStatus.CREATE_FAILED:
            return existing
        now = self.ctx.now()
        binding = CodeBinding(
            language=language,
            version=version.version,
            status=CodeGenerationStatus.CREATE_IN_PROGRESS,
            created_at=now,
            last_modified_at=now,
        )
        schema.code_bindings[key] = binding
        self.ctx.clock.call_later(
            self.code_generation_time,
            self._generate,
            schema,
            version,
            binding,
            name=f"schemas code binding {schema.name} {language.value}",
        )
        return binding

    def _generate(self, schema: Schema, version: SchemaVersion, binding: CodeBinding) -> None:
        try:
            document = jsondoc.loads(version.content)
            binding.body = generate(binding.language.value, schema.name, document)
            binding.status = CodeGenerationStatus.CREATE_COMPLETE
        except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
            binding.status = CodeGenerationStatus.CREATE_FAILED
        binding.last_modified_at = self.ctx.now()

    def _binding(
        self, registry_name: str, schema_name: str, language: CodeLanguage, version: str | None
    ) -> CodeBinding:
        schema = self.schema(registry_name, schema_name)
        chosen = self._version(schema, version)
        found = schema.code_bindings.get((language, chosen.version))
        if found is None:
            raise NotFoundException(
                f"There is no {language.value} code binding of {schema_name} version "
                f"{chosen.version}.",
                param="Language",
                value=language.value,
            )
        return found

    @operation("DescribeCodeBinding")
    def describe_code_binding(
        self,
        registry_name: str,
        schema_name: str,
        language: CodeLanguage,
        *,
        schema_version: str | None = None,
    ) -> CodeBinding:
        """A code binding and its status (DescribeCodeBinding); NotFoundException when none."""
        return self._binding(registry_name, schema_name, language, schema_version)

    @operation("GetCodeBindingSource")
    def get_code_binding_source(
        self,
        registry_name: str,
        schema_name: str,
        language: CodeLanguage,
        *,
        schema_version: str | None = None,
    ) -> bytes:
        """The zip archive of a complete code binding (GetCodeBindingSource).

        Raises:
            NotFoundException: no binding, or it is not complete yet.
        """
        binding = self._binding(registry_name, schema_name, language, schema_version)
        if binding.body is None:
            raise NotFoundException(
                f"The {language.value} code binding of {schema_name} is "
                f"{binding.status.value}, not CREATE_COMPLETE.",
                param="Language",
                value=language.value,
            )
        return binding.body
