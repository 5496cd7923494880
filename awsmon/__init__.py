"""awsmon: AWS monitoring and audit, simulated in-process on a virtual clock.

The public face:

- `Cloud`: the simulated cloud (clock, accounts, regions, services, identity).
- `VirtualClock`: the only source of time; `advance` it to make things happen.
- `Principal`, `Arn`: identities and resource names.
- `ApiCall`: the record of one operation call, as listeners receive it.
- `ClockSkewWarning`: caller data stamped more than a day from virtual now.
- the error hierarchy of `awsmon.errors`.

>>> from datetime import timedelta
>>> cloud = Cloud(seed=7)
>>> cloud.clock.advance(timedelta(minutes=5))
>>> cloud.client("sts").get_caller_identity()["Account"]
'123456789012'
"""

from __future__ import annotations

from awsmon.arn import Arn
from awsmon.clock import VirtualClock
from awsmon.cloud import Account, Cloud, Region
from awsmon.dispatch import ApiCall
from awsmon.errors import (
    AccessDenied,
    AlreadyExists,
    AwsmonError,
    ClockError,
    Conflict,
    InternalFailure,
    InvalidAction,
    InvalidParameter,
    LimitExceeded,
    NotFound,
    NotImplementedOperation,
    ServiceError,
    Throttled,
    Unsupported,
)
from awsmon.identity import Principal
from awsmon.skew import ClockSkewWarning

__all__ = [
    "AccessDenied",
    "Account",
    "AlreadyExists",
    "ApiCall",
    "Arn",
    "AwsmonError",
    "ClockError",
    "ClockSkewWarning",
    "Cloud",
    "Conflict",
    "InternalFailure",
    "InvalidAction",
    "InvalidParameter",
    "LimitExceeded",
    "NotFound",
    "NotImplementedOperation",
    "Principal",
    "Region",
    "ServiceError",
    "Throttled",
    "Unsupported",
    "VirtualClock",
]
__version__ = "0.1.0"
