"""awsmon: AWS monitoring and audit, simulated in-process on a virtual clock."""

from __future__ import annotations

from awsmon.errors import AwsmonError, ClockError, ServiceError

__all__ = ["AwsmonError", "ClockError", "ServiceError"]
__version__ = "0.1.0"
