"""EC2 launch templates: what Auto Scaling groups launch from.

`TemplatesMixin` adds CreateLaunchTemplate, CreateLaunchTemplateVersion,
DescribeLaunchTemplates and DeleteLaunchTemplate to
`awsmon.neighbours.ec2.EC2`, and resolves a ``LaunchTemplate``
specification (id or name, and a version: a number, ``$Latest`` or
``$Default``) for RunInstances and Auto Scaling.

Simulation notes: only the settings awsmon uses are interpreted (image,
type, monitoring, key, security groups, profile, user data, instance tags);
the rest of LaunchTemplateData is kept as given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from awsmon.dispatch import operation
from awsmon.neighbours.ec2.core import EC2Core
from awsmon.neighbours.ec2.errors import (
    InvalidLaunchTemplateIdNotFound,
    InvalidLaunchTemplateNameAlreadyExists,
    InvalidLaunchTemplateNameNotFound,
    InvalidParameterCombination,
    InvalidParameterValue,
    MissingParameter,
)
from awsmon.neighbours.ec2.model import LaunchTemplate, LaunchTemplateData
from awsmon.params import Params

__all__ = ["TemplatesMixin"]

_NAME = re.compile(r"[a-zA-Z0-9().\-/_]{3,128}")


class TemplatesMixin(EC2Core):
    """Launch templates of `EC2` (see the module)."""

    @operation("CreateLaunchTemplate")
    def create_launch_template(
        self,
        launch_template_name: str,
        launch_template_data: LaunchTemplateData,
        *,
        tags: Mapping[str, str] | None = None,
    ) -> LaunchTemplate:
        """Create a launch template with its version 1 (CreateLaunchTemplate).

        Raises:
            InvalidParameterValue: a name breaking the 3-128 character rule.
            InvalidLaunchTemplateNameAlreadyExists: the name is taken.
        """
        if not _NAME.fullmatch(launch_template_name):
            raise InvalidParameterValue(
                "1 validation error detected: Value '"
                f"{launch_template_name}' at 'launchTemplateName' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: "
                "[a-zA-Z0-9\\(\\)\\.\\-/_]+",
                param="LaunchTemplateName",
                value=launch_template_name,
            )
        if any(t.name == launch_template_name for t in self.launch_templates.values()):
            raise InvalidLaunchTemplateNameAlreadyExists(
                "Launch template name already in use.",
                param="LaunchTemplateName",
                value=launch_template_name,
            )
        template = LaunchTemplate(
            id="lt-" + self.ctx.ids.hex(17),
            name=launch_template_name,
            created_at=self.ctx.now(),
            created_by=self.ctx.principal.arn,
            versions=[launch_template_data],
            tags=dict(tags or {}),
        )
        self.launch_templates[template.id] = template
        return template

    @operation("CreateLaunchTemplateVersion")
    def create_launch_template_version(
        self,
        launch_template_data: LaunchTemplateData,
        *,
        launch_template_id: str | None = None,
        launch_template_name: str | None = None,
    ) -> tuple[LaunchTemplate, int]:
        """Add a version to a template (CreateLaunchTemplateVersion); returns it and its number."""
        template = self.launch_template(launch_template_id, launch_template_name)
        template.versions.append(launch_template_data)
        return template, template.latest_version

    @operation("DescribeLaunchTemplates")
    def describe_launch_templates(
        self,
        launch_template_ids: Sequence[str] = (),
        launch_template_names: Sequence[str] = (),
    ) -> list[LaunchTemplate]:
        """The launch templates named, or all (DescribeLaunchTemplates)."""
        if not launch_template_ids and not launch_template_names:
            return list(self.launch_templates.values())
        found = [self.launch_template(i, None) for i in launch_template_ids]
        found += [self.launch_template(None, n) for n in launch_template_names]
        return list(dict.fromkeys(found))

    @operation("DeleteLaunchTemplate")
    def delete_launch_template(
        self, launch_template_id: str | None = None, launch_template_name: str | None = None
    ) -> LaunchTemplate:
        """Delete a launch template and its versions (DeleteLaunchTemplate)."""
        template = self.launch_template(launch_template_id, launch_template_name)
        del self.launch_templates[template.id]
        return template

    def launch_template(self, template_id: str | None, name: str | None) -> LaunchTemplate:
        """The template with that id or name (exactly one of them).

        Raises:
            MissingParameter / InvalidParameterCombination: neither or both given.
            InvalidLaunchTemplateIdNotFound / InvalidLaunchTemplateNameNotFound: no such template.
        """
        if template_id is None and name is None:
            raise MissingParameter(
                "The request must contain the parameter LaunchTemplateName or LaunchTemplateId",
                param="LaunchTemplateId",
            )
        if template_id is not None and name is not None:
            raise InvalidParameterCombination(
                "Both LaunchTemplateId and LaunchTemplateName were specified.",
                param="LaunchTemplateId",
            )
        if template_id is not None:
            found = self.launch_templates.get(template_id)
            if found is None:
                raise InvalidLaunchTemplateIdNotFound(
                    f"The specified launch template, with template ID {template_id}, does "
                    "not exist.",
                    param="LaunchTemplateId",
                    value=template_id,
                )
            return found
        for template in self.launch_templates.values():
            if template.name == name:
                return template
        raise InvalidLaunchTemplateNameNotFound(
            f"The specified launch template, with template name {name}, does not exist.",
            param="LaunchTemplateName",
            value=name,
        )

    def _template_data(self, spec: Mapping[str, Any]) -> LaunchTemplateData:
        """The version a ``{LaunchTemplateId | LaunchTemplateName, Version}`` spec names."""
        template = self.launch_template(
            spec.get("LaunchTemplateId"), spec.get("LaunchTemplateName")
        )
        return template.version(spec.get("Version"))


def template_data_from_request(data: Params) -> LaunchTemplateData:
    """A `LaunchTemplateData` from the wire's ``LaunchTemplateData`` structure (checked)."""
    tags: dict[str, str] = {}
    for spec in data.structs("TagSpecifications"):
        if spec.string("ResourceType") == "instance":
            tags.update(spec.tag_list("Tags"))
    profile = data.nested(data.raw("IamInstanceProfile", {}), "IamInstanceProfile")
    monitoring = data.nested(data.raw("Monitoring", {}), "Monitoring")
    return LaunchTemplateData(
        image_id=data.string("ImageId"),
        instance_type=data.string("InstanceType"),
        monitoring=monitoring.boolean("Enabled", default=False),
        key_name=data.string("KeyName"),
        security_group_ids=tuple(data.strings("SecurityGroupIds")),
        iam_instance_profile=profile.string("Arn") or profile.string("Name"),
        user_data=data.string("UserData"),
        tags=tags,
        raw=dict(data.data),
    )
