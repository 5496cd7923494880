"""EC2's error classes (EC2 Query protocol codes), and the CloudWatch agent's.

``InvalidInstanceID.NotFound``, ``IncorrectInstanceState`` ... as botocore models
them; `AgentConfigError` is what the agent says of a configuration it refuses.
"""

from __future__ import annotations

from awsmon.errors import (
    AwsmonError,
    Conflict,
    InvalidParameter,
    LimitExceeded,
    NotFound,
    ServiceError,
)

__all__ = [
    "AgentConfigError",
    "DryRunOperation",
    "IncorrectInstanceState",
    "InstanceLimitExceeded",
    "InvalidAMIIDMalformed",
    "InvalidInstanceIDMalformed",
    "InvalidInstanceIDNotFound",
    "InvalidLaunchTemplateIdNotFound",
    "InvalidLaunchTemplateIdVersionNotFound",
    "InvalidLaunchTemplateNameAlreadyExists",
    "InvalidLaunchTemplateNameNotFound",
    "InvalidParameterCombination",
    "InvalidParameterValue",
    "MissingParameter",
    "OperationNotPermitted",
    "VcpuLimitExceeded",
]


class InvalidInstanceIDNotFound(NotFound, code="InvalidInstanceID.NotFound", service="ec2"):
    """No instance has that id (in this account and region)."""


class InvalidInstanceIDMalformed(
    InvalidParameter, code="InvalidInstanceID.Malformed", service="ec2"
):
    """The text is not shaped like an instance id (``i-`` and 8 or 17 hex digits)."""


class IncorrectInstanceState(Conflict, code="IncorrectInstanceState", service="ec2"):
    """The instance is not in a state that allows the operation."""


class InvalidParameterValue(InvalidParameter, code="InvalidParameterValue", service="ec2"):
    """A parameter value is not valid."""


class InvalidParameterCombination(
    InvalidParameter, code="InvalidParameterCombination", service="ec2"
):
    """Parameters that cannot be used together."""


class VcpuLimitExceeded(LimitExceeded, code="VcpuLimitExceeded", service="ec2"):
    """RunInstances asked for more On-Demand vCPUs than the account's quota leaves."""


class InstanceLimitExceeded(LimitExceeded, code="InstanceLimitExceeded", service="ec2"):
    """RunInstances asked for more instances of a type than its instance-count limit leaves."""


class MissingParameter(InvalidParameter, code="MissingParameter", service="ec2"):
    """A required parameter is missing."""


class InvalidAMIIDMalformed(InvalidParameter, code="InvalidAMIID.Malformed", service="ec2"):
    """The text is not shaped like an AMI id."""


class OperationNotPermitted(ServiceError, code="OperationNotPermitted", service="ec2"):
    """The instance's attributes forbid the operation (termination protection)."""


class InvalidLaunchTemplateNameNotFound(
    NotFound, code="InvalidLaunchTemplateName.NotFoundException", service="ec2"
):
    """No launch template has that name."""


class InvalidLaunchTemplateIdNotFound(
    NotFound, code="InvalidLaunchTemplateId.NotFound", service="ec2"
):
    """No launch template has that id."""


class InvalidLaunchTemplateNameAlreadyExists(
    ServiceError, code="InvalidLaunchTemplateName.AlreadyExistsException", service="ec2"
):
    """A launch template of that name exists."""


class InvalidLaunchTemplateIdVersionNotFound(
    NotFound, code="InvalidLaunchTemplateId.VersionNotFound", service="ec2"
):
    """The launch template has no such version."""


class DryRunOperation(ServiceError, code="DryRunOperation", service="ec2", http_status=412):
    """The request would have succeeded, but DryRun was set."""


class AgentConfigError(AwsmonError, ValueError):
    """The agent's configuration is not valid (the agent refuses to start).

    Attributes:
        path: the JSON path of the offending value (``/metrics/metrics_collected/cpu``).
    """

    def __init__(self, message: str, path: str = "/") -> None:
        super().__init__(f"Under path : {path} | Error : {message}")
        self.path = path
