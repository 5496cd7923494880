"""EC2 wire operations: AWS parameter names in, boto3 response shapes out.

EC2 speaks its own query protocol; botocore hands awsmon the input members
(``InstanceIds``, ``MaxCount``, ``Filters``...) and parses responses into
the shapes returned here (``Reservations``, ``StoppingInstances`` ...).
Errors use EC2's codes (``InvalidInstanceID.NotFound``,
``IncorrectInstanceState``, ``MissingParameter``, ``InvalidParameterValue``)
and ``DryRun`` answers ``DryRunOperation`` as EC2 does.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> ec2 = cloud.client("ec2")
>>> answer = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)
>>> answer["Instances"][0]["State"]
{'Code': 0, 'Name': 'pending'}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from awsmon.arn import partition_for
from awsmon.neighbours.ec2.errors import DryRunOperation, InvalidParameterValue, MissingParameter
from awsmon.neighbours.ec2.instance import Instance, Reservation
from awsmon.neighbours.ec2.lifecycle import InstanceStatus, StateChange
from awsmon.neighbours.ec2.model import InstanceState, LaunchTemplate
from awsmon.neighbours.ec2.service import EC2
from awsmon.neighbours.ec2.templates import template_data_from_request
from awsmon.wire import Params, WireApi, Wording, handles

__all__ = ["Ec2Api", "instance_shape"]

Response = dict[str, Any]


def _state(state: InstanceState) -> Response:
    return {"Code": state.code, "Name": state.value}


def _tags(tags: Mapping[str, str]) -> list[Response]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def instance_shape(instance: Instance, *, launching: bool = False) -> Response:
    """An ``Instance`` structure as DescribeInstances / RunInstances return it."""
    monitoring = instance.monitoring.value
    if launching and instance.monitoring.detailed:
        monitoring = "pending"
    shape: Response = {
        "AmiLaunchIndex": instance.launch_index,
        "ImageId": instance.image_id,
        "InstanceId": instance.id,
        "InstanceType": instance.type.name,
        "LaunchTime": instance.launched_at,
        "Monitoring": {"State": monitoring},
        "Placement": {
            "AvailabilityZone": instance.availability_zone,
            "GroupName": "",
            "Tenancy": "default",
        },
        "PrivateDnsName": instance.private_dns_name,
        "PrivateIpAddress": instance.private_ip,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": _state(instance.state),
        "StateTransitionReason": instance.state_transition_reason,
        "SubnetId": instance.subnet_id,
        "VpcId": instance.vpc_id,
        "Architecture": "arm64" if instance.type.name.split(".")[0].endswith("g") else "x86_64",
        "BlockDeviceMappings": [],
        "ClientToken": instance.client_token or "",
        "EbsOptimized": False,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "NetworkInterfaces": [],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [
            {"GroupId": group, "GroupName": group} for group in instance.security_group_ids
        ],
        "SourceDestCheck": True,
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": max(instance.type.vcpus // 2, 1), "ThreadsPerCore": 2},
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
    }
    if instance.key_name:
        shape["KeyName"] = instance.key_name
    if instance.state is InstanceState.PENDING and instance.running_since is None:
        shape["StateReason"] = {"Code": "pending", "Message": "pending"}
    elif instance.state_reason is not None:
        shape["StateReason"] = {
            "Code": instance.state_reason[0],
            "Message": instance.state_reason[1],
        }
    if instance.tags:
        shape["Tags"] = _tags(instance.tags)
    if instance.iam_instance_profile:
        arn = instance.iam_instance_profile
        if not arn.startswith("arn:"):
            partition = partition_for(instance.region)
            arn = f"arn:{partition}:iam::{instance.owner_id}:instance-profile/{arn}"
        shape["IamInstanceProfile"] = {"Arn": arn, "Id": "AIPA" + instance.id[2:18].upper()}
    return shape


def _reservation(reservation: Reservation, instances: Sequence[Instance]) -> Response:
    return {
        "ReservationId": reservation.id,
        "OwnerId": reservation.owner_id,
        "Groups": [],
        "Instances": [instance_shape(i) for i in instances],
    }


def _changes(changes: Sequence[StateChange]) -> list[Response]:
    return [
        {
            "InstanceId": change.instance_id,
            "CurrentState": _state(change.current),
            "PreviousState": _state(change.previous),
        }
        for change in changes
    ]


def _status(summary: str) -> Response:
    if summary == "not-applicable":
        return {"Status": summary}
    return {
        "Status": summary,
        "Details": [{"Name": "reachability", "Status": InstanceStatus.detail(summary)}],
    }


def _template(template: LaunchTemplate) -> Response:
    shape: Response = {
        "LaunchTemplateId": template.id,
        "LaunchTemplateName": template.name,
        "CreateTime": template.created_at,
        "CreatedBy": template.created_by,
        "DefaultVersionNumber": template.default_version,
        "LatestVersionNumber": template.latest_version,
    }
    if template.tags:
        shape["Tags"] = _tags(template.tags)
    return shape


class Ec2Api(WireApi):
    """EC2 wire operations."""

    domain: EC2
    invalid_parameter = InvalidParameterValue
    missing_parameter = MissingParameter
    wording = Wording(missing="must-contain", invalid="ec2")

    def params(self, data: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> Params:
        """The request parameters, with EC2's wording; DryRun answers DryRunOperation."""
        if data.get("DryRun"):
            raise DryRunOperation("Request would have succeeded, but DryRun flag is set.")
        return super().params(data, headers)

    def _ids(self, params: Params, *, required: bool = True) -> list[str]:
        ids = params.strings("InstanceIds", required=required)
        if required and not ids:
            raise params.missing("InstanceIds")
        for value in ids:
            if not isinstance(value, str):
                raise params.invalid("InstanceIds", value, "Member must be a string")
        return ids

    @staticmethod
    def _filters(params: Params) -> dict[str, list[str]]:
        filters: dict[str, list[str]] = {}
        for entry in params.items("Filters"):
            name = entry.get("Name") if isinstance(entry, Mapping) else None
            if not isinstance(name, str):
                raise MissingParameter(
                    "The request must contain the parameter Filter.Name", param="Filters"
                )
            filters.setdefault(name, []).extend(str(v) for v in entry.get("Values") or [])
        return filters

    @staticmethod
    def _tag_specs(params: Params, resource: str = "instance") -> dict[str, str]:
        tags: dict[str, str] = {}
        for spec in params.items("TagSpecifications"):
            if spec.get("ResourceType") == resource:
                tags.update({t["Key"]: t.get("Value", "") for t in spec.get("Tags") or []})
        return tags

    # -- instances ---------------------------------------------------------------------

    @handles("RunInstances")
    def run_instances(self, params: Params) -> Response:
        """RunInstances → the Reservation of the launched instances."""
        template = params.mapping("LaunchTemplate") or None
        image = params.string("ImageId", required=template is None)
        minimum = params.integer("MinCount", required=True)
        maximum = params.integer("MaxCount", required=True)
        monitoring = params.mapping("Monitoring")
        profile = params.mapping("IamInstanceProfile")
        placement = params.mapping("Placement")
        reservation = self.domain.run_instances(
            image,
            minimum,
            maximum,
            instance_type=params.string("InstanceType"),
            key_name=params.string("KeyName"),
            monitoring=bool(monitoring["Enabled"]) if "Enabled" in monitoring else None,
            tags=self._tag_specs(params),
            launch_template=template,
            security_group_ids=params.strings("SecurityGroupIds"),
            subnet_id=params.string("SubnetId"),
            availability_zone=placement.get("AvailabilityZone"),
            iam_instance_profile=profile.get("Arn") or profile.get("Name"),
            user_data=params.string("UserData"),
            disable_api_termination=bool(params.boolean("DisableApiTermination")),
            client_token=params.string("ClientToken"),
        )
        return {
            "ReservationId": reservation.id,
            "OwnerId": reservation.owner_id,
            "Groups": [],
            "Instances": [instance_shape(i, launching=True) for i in reservation.instances],
        }

    @handles("DescribeAccountAttributes")
    def describe_account_attributes(self, params: Params) -> Response:
        """DescribeAccountAttributes → AccountAttributes (name and values)."""
        found = self.domain.describe_account_attributes(params.strings("AttributeNames"))
        return {
            "AccountAttributes": [
                {
                    "AttributeName": name,
                    "AttributeValues": [{"AttributeValue": value} for value in values],
                }
                for name, values in found.items()
            ]
        }

    @handles("DescribeInstances")
    def describe_instances(self, params: Params) -> Response:
        """DescribeInstances → Reservations (and NextToken when paging)."""
        groups, token = self.domain.describe_instances(
            self._ids(params, required=False),
            filters=self._filters(params),
            max_results=params.integer("MaxResults"),
            next_token=params.string("NextToken"),
        )
        response: Response = {"Reservations": [_reservation(r, i) for r, i in groups]}
        if token is not None:
            response["NextToken"] = token
        return response

    @handles("StopInstances")
    def stop_instances(self, params: Params) -> Response:
        """StopInstances → StoppingInstances."""
        changes = self.domain.stop_instances(
            self._ids(params),
            force=bool(params.boolean("Force")),
            hibernate=bool(params.boolean("Hibernate")),
        )
        return {"StoppingInstances": _changes(changes)}

    @handles("StartInstances")
    def start_instances(self, params: Params) -> Response:
        """StartInstances → StartingInstances."""
        return {"StartingInstances": _changes(self.domain.start_instances(self._ids(params)))}

    @handles("TerminateInstances")
    def terminate_instances(self, params: Params) -> Response:
        """TerminateInstances → TerminatingInstances."""
        changes = self.domain.terminate_instances(self._ids(params))
        return {"TerminatingInstances": _changes(changes)}

    @handles("RebootInstances")
    def reboot_instances(self, params: Params) -> Response:
        """RebootInstances → nothing."""
        self.domain.reboot_instances(self._ids(params))
        return {}

    @handles("MonitorInstances")
    def monitor_instances(self, params: Params) -> Response:
        """MonitorInstances → InstanceMonitorings (``pending``)."""
        found = self.domain.monitor_instances(self._ids(params))
        return {
            "InstanceMonitorings": [
                {"InstanceId": i, "Monitoring": {"State": s.value}} for i, s in found
            ]
        }

    @handles("UnmonitorInstances")
    def unmonitor_instances(self, params: Params) -> Response:
        """UnmonitorInstances → InstanceMonitorings (``disabling``)."""
        found = self.domain.unmonitor_instances(self._ids(params))
        return {
            "InstanceMonitorings": [
                {"InstanceId": i, "Monitoring": {"State": s.value}} for i, s in found
            ]
        }

    @handles("DescribeInstanceStatus")
    def describe_instance_status(self, params: Params) -> Response:
        """DescribeInstanceStatus → InstanceStatuses."""
        statuses = self.domain.describe_instance_status(
            self._ids(params, required=False),
            include_all_instances=bool(params.boolean("IncludeAllInstances")),
            filters=self._filters(params),
        )
        return {
            "InstanceStatuses": [
                {
                    "AvailabilityZone": s.instance.availability_zone,
                    "InstanceId": s.instance.id,
                    "InstanceState": _state(s.instance.state),
                    "InstanceStatus": _status(s.instance_status),
                    "SystemStatus": _status(s.system_status),
                }
                for s in statuses
            ]
        }

    @handles("CreateTags")
    def create_tags(self, params: Params) -> Response:
        """CreateTags → nothing."""
        resources = params.strings("Resources", required=True)
        tags = params.tag_list("Tags", required=True)
        self.domain.create_tags(resources, tags)
        return {}

    @handles("DeleteTags")
    def delete_tags(self, params: Params) -> Response:
        """DeleteTags → nothing."""
        resources = params.strings("Resources", required=True)
        tags: dict[str, str | None] = {
            tag.string("Key", required=True): tag.string("Value") for tag in params.structs("Tags")
        }
        if not tags:
            tags = {key: None for i in self.domain._many(resources) for key in i.tags}
        self.domain.delete_tags(resources, tags)
        return {}

    # -- launch templates ------------------------------------------------------------------

    @handles("CreateLaunchTemplate")
    def create_launch_template(self, params: Params) -> Response:
        """CreateLaunchTemplate → LaunchTemplate."""
        name = params.string("LaunchTemplateName", required=True)
        data = params.mapping("LaunchTemplateData", required=True)
        template = self.domain.create_launch_template(
            name,
            template_data_from_request(params.nested(data, "LaunchTemplateData")),
            tags=self._tag_specs(params, "launch-template"),
        )
        return {"LaunchTemplate": _template(template)}

    @handles("CreateLaunchTemplateVersion")
    def create_launch_template_version(self, params: Params) -> Response:
        """CreateLaunchTemplateVersion → LaunchTemplateVersion."""
        data = params.mapping("LaunchTemplateData", required=True)
        template, number = self.domain.create_launch_template_version(
            template_data_from_request(params.nested(data, "LaunchTemplateData")),
            launch_template_id=params.string("LaunchTemplateId"),
            launch_template_name=params.string("LaunchTemplateName"),
        )
        version: Response = {
            "LaunchTemplateId": template.id,
            "LaunchTemplateName": template.name,
            "VersionNumber": number,
            "CreateTime": self.domain.ctx.now(),
            "CreatedBy": self.domain.ctx.principal.arn,
            "DefaultVersion": number == template.default_version,
            "LaunchTemplateData": dict(data),
        }
        description = params.string("VersionDescription")
        if description is not None:
            version["VersionDescription"] = description
        return {"LaunchTemplateVersion": version}

    @handles("DescribeLaunchTemplates")
    def describe_launch_templates(self, params: Params) -> Response:
        """DescribeLaunchTemplates → LaunchTemplates."""
        found = self.domain.describe_launch_templates(
            params.strings("LaunchTemplateIds"), params.strings("LaunchTemplateNames")
        )
        return {"LaunchTemplates": [_template(t) for t in found]}

    @handles("DeleteLaunchTemplate")
    def delete_launch_template(self, params: Params) -> Response:
        """DeleteLaunchTemplate → the deleted LaunchTemplate."""
        template = self.domain.delete_launch_template(
            params.string("LaunchTemplateId"), params.string("LaunchTemplateName")
        )
        return {"LaunchTemplate": _template(template)}
