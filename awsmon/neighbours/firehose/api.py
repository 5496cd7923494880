"""Firehose wire operations: AWS parameter names in, boto3 response shapes out.

>>> from awsmon import Cloud
>>> firehose = Cloud().client("firehose")
>>> firehose.create_delivery_stream(
...     DeliveryStreamName="logs",
...     ExtendedS3DestinationConfiguration={
...         "RoleARN": "arn:aws:iam::123456789012:role/firehose",
...         "BucketARN": "arn:aws:s3:::archive"})["DeliveryStreamARN"]
'arn:aws:firehose:us-east-1:123456789012:deliverystream/logs'
>>> firehose.list_delivery_streams()["DeliveryStreamNames"]
['logs']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awsmon.errors import Unsupported
from awsmon.neighbours.firehose.errors import InvalidArgumentException, ValidationException
from awsmon.neighbours.firehose.model import CompressionFormat, DeliveryStream, S3Destination
from awsmon.neighbours.firehose.service import Firehose
from awsmon.wire import Params, WireApi, Wording, handles, tags_page

__all__ = ["FirehoseApi"]

Response = dict[str, Any]

_NAME = r"[a-zA-Z0-9_.-]+"
_ROLE = r"arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+"
_BUCKET = r"arn:.*:s3:::[\w\.\-]{1,255}"
_COMPRESSION = ("UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY")
_UNSIMULATED = ("DataFormatConversionConfiguration", "DynamicPartitioningConfiguration")
_TYPES = ("DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource")
_OTHER_DESTINATIONS = (
    "RedshiftDestinationConfiguration",
    "ElasticsearchDestinationConfiguration",
    "AmazonopensearchserviceDestinationConfiguration",
    "SplunkDestinationConfiguration",
    "HttpEndpointDestinationConfiguration",
    "AmazonOpenSearchServerlessDestinationConfiguration",
    "SnowflakeDestinationConfiguration",
    "IcebergDestinationConfiguration",
)


def _destination_from_wire(params: Params, *, extended: bool) -> S3Destination:
    role = params.string("RoleARN", required=True, max_length=512, pattern=_ROLE)
    bucket = params.string("BucketARN", required=True, max_length=2048, pattern=_BUCKET)
    prefix = params.string("Prefix", max_length=1024)
    errors = params.string("ErrorOutputPrefix", max_length=1024)
    hints = params.nested(params.mapping("BufferingHints"), "BufferingHints")
    size = hints.integer("SizeInMBs", minimum=1, maximum=128, default=5)
    interval = hints.integer("IntervalInSeconds", minimum=0, maximum=900, default=300)
    compression = params.string("CompressionFormat", choices=_COMPRESSION, default="UNCOMPRESSED")
    extension = zone = None
    if extended:
        extension = params.string(
            "FileExtension", max_length=128, pattern=r"^$|\.[0-9a-z!\-_.*'()]+"
        )
        zone = params.string("CustomTimeZone", max_length=50, pattern=r"^$|[a-zA-Z/_]+")
        for unsimulated in (
            "DataFormatConversionConfiguration",
            "DynamicPartitioningConfiguration",
        ):
            if params.nested(params.mapping(unsimulated)).boolean("Enabled"):
                raise Unsupported(f"awsmon does not simulate {unsimulated}", param=unsimulated)
    return S3Destination(
        bucket_arn=bucket,
        role_arn=role,
        prefix=prefix,
        error_output_prefix=errors,
        size_in_mbs=size,
        interval_in_seconds=interval,
        compression_format=CompressionFormat(compression),
        extended=extended,
        file_extension=extension,
        custom_time_zone=zone or None,
        cloudwatch_logging=params.mapping("CloudWatchLoggingOptions") or None,
    )


def _s3_description(stream: DeliveryStream, *, extended: bool) -> Response:
    destination = stream.destination
    found: Response = {"RoleARN": destination.role_arn, "BucketARN": destination.bucket_arn}
    if destination.prefix is not None:
        found["Prefix"] = destination.prefix
    if destination.error_output_prefix is not None:
        found["ErrorOutputPrefix"] = destination.error_output_prefix
    found["BufferingHints"] = {
        "SizeInMBs": destination.size_in_mbs,
        "IntervalInSeconds": destination.interval_in_seconds,
    }
    found["CompressionFormat"] = destination.compression_format.value
    found["EncryptionConfiguration"] = {"NoEncryptionConfig": "NoEncryption"}
    found["CloudWatchLoggingOptions"] = dict(destination.cloudwatch_logging or {"Enabled": False})
    if extended:
        found["S3BackupMode"] = "Disabled"
        if destination.file_extension is not None:
            found["FileExtension"] = destination.file_extension
        if destination.custom_time_zone is not None:
            found["CustomTimeZone"] = destination.custom_time_zone
    return found


class FirehoseApi(WireApi):
    """The Firehose wire API."""

    domain: Firehose
    invalid_parameter = ValidationException
    missing_parameter = ValidationException
    wording = Wording(member_case="camel", missing="null")

    def _name(self, params: Params) -> str:
        name = params.string(
            "DeliveryStreamName", required=True, min_length=1, max_length=64, pattern=_NAME
        )
        return name

    @handles("CreateDeliveryStream")
    def create_delivery_stream(self, params: Params) -> Response:
        """CreateDeliveryStream → ``DeliveryStreamARN``."""
        name = self._name(params)
        kind = params.string("DeliveryStreamType", choices=_TYPES, default="DirectPut")
        if kind != "DirectPut":
            raise Unsupported(
                f"awsmon simulates DirectPut delivery streams only, not {kind}",
                param="DeliveryStreamType",
                value=kind,
            )
        others = [key for key in _OTHER_DESTINATIONS if key in params]
        if others:
            raise Unsupported(
                f"awsmon simulates S3 destinations only, not {others[0]}", param=others[0]
            )
        given = [
            key
            for key in ("ExtendedS3DestinationConfiguration", "S3DestinationConfiguration")
            if key in params
        ]
        if len(given) != 1:
            raise InvalidArgumentException(
                "Exactly one destination configuration must be provided: "
                "ExtendedS3DestinationConfiguration or S3DestinationConfiguration.",
                param="ExtendedS3DestinationConfiguration",
            )
        key = given[0]
        extended = key.startswith("Extended")
        config = params.nested(params.mapping(key), key)
        destination = _destination_from_wire(config, extended=extended)
        params.items("Tags", min_items=1)
        tags = params.tag_list("Tags")
        stream = self.domain.create_delivery_stream(name, destination, tags=tags)
        return {"DeliveryStreamARN": stream.arn}

    @handles("DescribeDeliveryStream")
    def describe_delivery_stream(self, params: Params) -> Response:
        """DescribeDeliveryStream → ``DeliveryStreamDescription``."""
        params.integer("Limit", minimum=1, maximum=10000)
        stream = self.domain.describe_delivery_stream(self._name(params))
        destination: Response = {
            "DestinationId": stream.destination_id,
            "S3DestinationDescription": _s3_description(stream, extended=False),
            "ExtendedS3DestinationDescription": _s3_description(stream, extended=True),
        }
        start = params.string("ExclusiveStartDestinationId")
        return {
            "DeliveryStreamDescription": {
                "DeliveryStreamName": stream.name,
                "DeliveryStreamARN": stream.arn,
                "DeliveryStreamStatus": stream.status.value,
                "DeliveryStreamEncryptionConfiguration": {"Status": "DISABLED"},
                "DeliveryStreamType": "DirectPut",
                "VersionId": str(stream.version_id),
                "CreateTimestamp": stream.created_at,
                "Destinations": [] if start == stream.destination_id else [destination],
                "HasMoreDestinations": False,
            }
        }

    @handles("ListDeliveryStreams")
    def list_delivery_streams(self, params: Params) -> Response:
        """ListDeliveryStreams → ``DeliveryStreamNames`` (10 a page), ``HasMoreDeliveryStreams``."""
        limit = params.integer("Limit", minimum=1, maximum=10000, default=10)
        kind = params.string("DeliveryStreamType", choices=_TYPES)
        start = params.string("ExclusiveStartDeliveryStreamName", max_length=64, pattern=_NAME)
        names = [
            s.name
            for s in self.domain.list_delivery_streams()
            if (start is None or s.name > start) and kind in (None, "DirectPut")
        ]
        return {"DeliveryStreamNames": names[:limit], "HasMoreDeliveryStreams": len(names) > limit}

    @handles("DeleteDeliveryStream")
    def delete_delivery_stream(self, params: Params) -> Response:
        """DeleteDeliveryStream → nothing (the stream is DELETING)."""
        force = params.boolean("AllowForceDelete", default=False)
        self.domain.delete_delivery_stream(self._name(params), allow_force_delete=bool(force))
        return {}

    @handles("PutRecord")
    def put_record(self, params: Params) -> Response:
        """PutRecord → ``RecordId`` and ``Encrypted``."""
        name = self._name(params)
        record = params.nested(params.mapping("Record", required=True), "Record")
        record_id = self.domain.put_record(name, record.blob("Data", required=True))
        return {"RecordId": record_id, "Encrypted": False}

    @handles("PutRecordBatch")
    def put_record_batch(self, params: Params) -> Response:
        """PutRecordBatch → ``FailedPutCount``, ``Encrypted``, ``RequestResponses``."""
        name = self._name(params)
        entries = params.items("Records", required=True, min_items=1, max_items=500)
        data = [
            params.nested(e if isinstance(e, Mapping) else {}, "Records").blob(
                "Data", required=True
            )
            for e in entries
        ]
        results = self.domain.put_record_batch(name, data)
        responses: list[Response] = []
        for result in results:
            if result.record_id is not None:
                responses.append({"RecordId": result.record_id})
            else:
                responses.append(
                    {"ErrorCode": result.error_code, "ErrorMessage": result.error_message}
                )
        return {
            "FailedPutCount": sum(1 for r in results if r.record_id is None),
            "Encrypted": False,
            "RequestResponses": responses,
        }

    @handles("TagDeliveryStream")
    def tag_delivery_stream(self, params: Params) -> Response:
        """TagDeliveryStream → nothing."""
        name = self._name(params)
        params.items("Tags", required=True, min_items=1)
        self.domain.tag_delivery_stream(name, params.tag_list("Tags", required=True))
        return {}

    @handles("UntagDeliveryStream")
    def untag_delivery_stream(self, params: Params) -> Response:
        """UntagDeliveryStream → nothing."""
        keys = params.strings("TagKeys", required=True, min_items=1, max_items=50)
        self.domain.untag_delivery_stream(self._name(params), [str(k) for k in keys])
        return {}

    @handles("ListTagsForDeliveryStream")
    def list_tags_for_delivery_stream(self, params: Params) -> Response:
        """ListTagsForDeliveryStream → ``Tags`` and ``HasMoreTags``."""
        limit = params.integer("Limit", minimum=1, maximum=50, default=50)
        start = params.string("ExclusiveStartTagKey")
        tags = self.domain.list_tags_for_delivery_stream(self._name(params))
        page, more = tags_page(tags, start, limit)
        return {"Tags": page, "HasMoreTags": more}
