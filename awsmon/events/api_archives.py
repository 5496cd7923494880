"""EventBridge wire operations for archives and replays.

Internal to `awsmon.events.api`, whose `EventsApi` inherits `ArchivesApi`.
"""

from __future__ import annotations

from typing import Any

from awsmon.events._wire import (
    ARCHIVE_ARN,
    NAME,
    Check,
    EventsWireApi,
    archive_shape,
    listed,
    page,
    replay_shape,
)
from awsmon.events.model import ArchiveState, ReplayState
from awsmon.wire import Params, handles

__all__ = ["ArchivesApi"]

Response = dict[str, Any]


def _archive_name(check: Check, required: bool = True) -> str | None:
    return check.top(
        "ArchiveName", "archiveName", required=required, min_length=1, max_length=48, pattern=NAME
    )


def _replay_name(check: Check, key: str = "ReplayName", required: bool = True) -> str | None:
    return check.top(
        key, key[0].lower() + key[1:], required=required, min_length=1, max_length=64, pattern=NAME
    )


def _source_arn(check: Check, required: bool) -> str | None:
    return check.top(
        "EventSourceArn",
        "eventSourceArn",
        required=required,
        min_length=1,
        max_length=1600,
        pattern=ARCHIVE_ARN,
    )


class ArchivesApi(EventsWireApi):
    """Archives and replays on the wire (part of `EventsApi`)."""

    # -- archives ------------------------------------------------------------------------------

    @handles("CreateArchive")
    def create_archive(self, params: Params) -> Response:
        """CreateArchive: ArchiveArn, State, CreationTime."""
        check = Check(params)
        name = _archive_name(check)
        source = _source_arn(check, True)
        description = check.top("Description", "description", max_length=512)
        pattern = check.top("EventPattern", "eventPattern", max_length=4096)
        retention = check.integer(params.data, "RetentionDays", "retentionDays", minimum=0)
        kms = check.top("KmsKeyIdentifier", "kmsKeyIdentifier", max_length=2048)
        assert name is not None and source is not None
        archive = self.domain.create_archive(
            name,
            source,
            event_pattern=pattern,
            description=description,
            retention_days=retention or 0,
            kms_key_identifier=kms,
        )
        return {
            "ArchiveArn": archive.arn,
            "State": archive.state.value,
            "CreationTime": archive.created_at,
        }

    @handles("DescribeArchive")
    def describe_archive(self, params: Params) -> Response:
        """DescribeArchive: the archive with its counts."""
        name = _archive_name(Check(params))
        assert name is not None
        return archive_shape(self.domain.describe_archive(name), describe=True)

    @handles("UpdateArchive")
    def update_archive(self, params: Params) -> Response:
        """UpdateArchive: ArchiveArn, State, CreationTime."""
        check = Check(params)
        name = _archive_name(check)
        assert name is not None
        archive = self.domain.update_archive(
            name,
            description=check.top("Description", "description", max_length=512),
            event_pattern=check.top("EventPattern", "eventPattern", max_length=4096),
            retention_days=check.integer(params.data, "RetentionDays", "retentionDays", minimum=0),
            kms_key_identifier=check.top("KmsKeyIdentifier", "kmsKeyIdentifier", max_length=2048),
        )
        return {
            "ArchiveArn": archive.arn,
            "State": archive.state.value,
            "CreationTime": archive.created_at,
        }

    @handles("DeleteArchive")
    def delete_archive(self, params: Params) -> Response:
        """DeleteArchive: nothing."""
        name = _archive_name(Check(params))
        assert name is not None
        self.domain.delete_archive(name)
        return {}

    @handles("ListArchives")
    def list_archives(self, params: Params) -> Response:
        """ListArchives: Archives (and NextToken)."""
        check = Check(params)
        prefix = check.top("NamePrefix", "namePrefix", min_length=1, max_length=48, pattern=NAME)
        source = _source_arn(check, False)
        state = check.top("State", "state", choices=[s.value for s in ArchiveState])
        archives, token = page(self.domain.list_archives(prefix, source, state), params, check)
        return listed({"Archives": [archive_shape(a) for a in archives]}, token)

    # -- replays ------------------------------------------------------------------------------

    @handles("StartReplay")
    def start_replay(self, params: Params) -> Response:
        """StartReplay: ReplayArn, State (STARTING), ReplayStartTime."""
        check = Check(params)
        name = _replay_name(check)
        description = check.top("Description", "description", max_length=512)
        source = _source_arn(check, True)
        start = params.timestamp("EventStartTime", required=True)
        end = params.timestamp("EventEndTime", required=True)
        destination = params.raw("Destination")
        arn = check.string(
            destination, "Arn", "destination.arn", required=True, min_length=1, max_length=1600
        )
        filters = destination.get("FilterArns") or []
        assert name is not None and source is not None and arn is not None
        assert start is not None and end is not None
        replay = self.domain.start_replay(
            name, source, start, end, arn, filter_arns=list(filters), description=description
        )
        return {
            "ReplayArn": replay.arn,
            "State": replay.state.value,
            "ReplayStartTime": replay.replay_start_time,
        }

    @handles("DescribeReplay")
    def describe_replay(self, params: Params) -> Response:
        """DescribeReplay: the replay."""
        name = _replay_name(Check(params))
        assert name is not None
        return replay_shape(self.domain.describe_replay(name), describe=True)

    @handles("ListReplays")
    def list_replays(self, params: Params) -> Response:
        """ListReplays: Replays (and NextToken)."""
        check = Check(params)
        prefix = _replay_name(check, "NamePrefix", required=False)
        state = check.top("State", "state", choices=[s.value for s in ReplayState])
        source = _source_arn(check, False)
        replays, token = page(self.domain.list_replays(prefix, state, source), params, check)
        return listed({"Replays": [replay_shape(r) for r in replays]}, token)

    @handles("CancelReplay")
    def cancel_replay(self, params: Params) -> Response:
        """CancelReplay: ReplayArn and State (CANCELLING)."""
        name = _replay_name(Check(params))
        assert name is not None
        replay = self.domain.cancel_replay(name)
        return {"ReplayArn": replay.arn, "State": replay.state.value}
