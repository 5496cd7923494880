"""Amazon Data Firehose: Direct PUT delivery streams buffering into S3 on the virtual clock.

`Firehose` (service.py) is the service of one account and region; `prefix.py`
is the S3 prefix expression language (pure), `model.py` holds the values,
`errors.py` the error classes, `api.py` the wire translation.
"""

from __future__ import annotations

from awsmon.neighbours.firehose.api import FirehoseApi
from awsmon.neighbours.firehose.errors import (
    InvalidArgumentException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ServiceUnavailableException,
    ValidationException,
)
from awsmon.neighbours.firehose.model import (
    BatchEntry,
    CompressionFormat,
    Delivery,
    DeliveryStream,
    DeliveryStreamStatus,
    PendingBatch,
    S3Destination,
)
from awsmon.neighbours.firehose.prefix import (
    DEFAULT_TIME_PREFIX,
    Prefix,
    PrefixError,
    check_prefixes,
    compile_prefix,
)
from awsmon.neighbours.firehose.service import Firehose

__all__ = [
    "DEFAULT_TIME_PREFIX",
    "BatchEntry",
    "CompressionFormat",
    "Delivery",
    "DeliveryStream",
    "DeliveryStreamStatus",
    "Firehose",
    "FirehoseApi",
    "InvalidArgumentException",
    "LimitExceededException",
    "PendingBatch",
    "Prefix",
    "PrefixError",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "S3Destination",
    "ServiceUnavailableException",
    "ValidationException",
    "check_prefixes",
    "compile_prefix",
]
