"""EventBridge wire operations for archives and replays.

Internal to `awsmon.events.api`, whose `EventsApi` inherits `ArchivesApi`.
"""

from __future__ import annotations

from typing import Any

from awsmon.events.api_common import (
    ARCHIVE_ARN,
    NAME,
    EventsWireApi,
    archive_shape,
    listed,
    page,
    replay_shape,
)
from awsmon.events.model import Archive, ArchiveState, ReplayState
from awsmon.wire import Params, handles

#: A Java int, the largest RetentionDays AWS's model can carry.
_INT_MAX = 2**31 - 1

__all__ = ["ArchivesApi"]

Response = dict[str, Any]


def _archive_name(params: Params) -> str:
    return params.string("ArchiveName", required=True, min_length=1, max_length=48, pattern=NAME)


def _replay_name(params: Params) -> str:
    return params.string("ReplayName", required=True, min_length=1, max_length=64, pattern=NAME)


def _source_arn(params: Params) -> str:
    return params.string(
        "EventSourceArn", required=True, min_length=1, max_length=1600, pattern=ARCHIVE_ARN
    )


def _source_arn_filter(params: Params) -> str | None:
    return params.string("EventSourceArn", min_length=1, max_length=1600, pattern=ARCHIVE_ARN)


def _archive_settings(params: Params) -> dict[str, Any]:
    """CreateArchive's and UpdateArchive's settings, as the domain methods' keywords."""
    return {
        "description": params.string("Description", max_length=512),
        "event_pattern": params.string("EventPattern", max_length=4096),
        "retention_days": params.integer("RetentionDays", minimum=0, maximum=_INT_MAX),
        "kms_key_identifier": params.string("KmsKeyIdentifier", max_length=2048),
    }


def _archive_made(archive: Archive) -> Response:
    """CreateArchive's and UpdateArchive's answer."""
    return {
        "ArchiveArn": archive.arn,
        "State": archive.state.value,
        "CreationTime": archive.created_at,
    }


class ArchivesApi(EventsWireApi):
    """Archives and replays on the wire (part of `EventsApi`)."""

    # -- archives ------------------------------------------------------------------------------

    @handles("CreateArchive")
    def create_archive(self, params: Params) -> Response:
        """CreateArchive: ArchiveArn, State, CreationTime."""
        name = _archive_name(params)
        source = _source_arn(params)
        settings = _archive_settings(params)
        settings["retention_days"] = settings["retention_days"] or 0
        return _archive_made(self.domain.create_archive(name, source, **settings))

    @handles("DescribeArchive")
    def describe_archive(self, params: Params) -> Response:
        """DescribeArchive: the archive with its counts."""
        name = _archive_name(params)
        return archive_shape(self.domain.describe_archive(name), describe=True)

    @handles("UpdateArchive")
    def update_archive(self, params: Params) -> Response:
        """UpdateArchive: ArchiveArn, State, CreationTime."""
        name = _archive_name(params)
        return _archive_made(self.domain.update_archive(name, **_archive_settings(params)))

    @handles("DeleteArchive")
    def delete_archive(self, params: Params) -> Response:
        """DeleteArchive: nothing."""
        name = _archive_name(params)
        self.domain.delete_archive(name)
        return {}

    @handles("ListArchives")
    def list_archives(self, params: Params) -> Response:
        """ListArchives: Archives (and NextToken)."""
        prefix = params.string("NamePrefix", min_length=1, max_length=48, pattern=NAME)
        source = _source_arn_filter(params)
        state = params.string("State", choices=[s.value for s in ArchiveState])
        archives, token = page(self.domain.list_archives(prefix, source, state), params)
        return listed({"Archives": [archive_shape(a) for a in archives]}, token)

    # -- replays ------------------------------------------------------------------------------

    @handles("StartReplay")
    def start_replay(self, params: Params) -> Response:
        """StartReplay: ReplayArn, State (STARTING), ReplayStartTime."""
        name = _replay_name(params)
        description = params.string("Description", max_length=512)
        source = _source_arn(params)
        start = params.timestamp("EventStartTime", required=True)
        end = params.timestamp("EventEndTime", required=True)
        if params.raw("Destination") is None:
            raise params.missing("Destination")
        destination = params.nested(params.raw("Destination"), "Destination")
        arn = destination.string("Arn", required=True, min_length=1, max_length=1600)
        filters = destination.items("FilterArns")
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
        name = _replay_name(params)
        return replay_shape(self.domain.describe_replay(name), describe=True)

    @handles("ListReplays")
    def list_replays(self, params: Params) -> Response:
        """ListReplays: Replays (and NextToken)."""
        prefix = params.string("NamePrefix", min_length=1, max_length=64, pattern=NAME)
        state = params.string("State", choices=[s.value for s in ReplayState])
        source = _source_arn_filter(params)
        replays, token = page(self.domain.list_replays(prefix, state, source), params)
        return listed({"Replays": [replay_shape(r) for r in replays]}, token)

    @handles("CancelReplay")
    def cancel_replay(self, params: Params) -> Response:
        """CancelReplay: ReplayArn and State (CANCELLING)."""
        name = _replay_name(params)
        replay = self.domain.cancel_replay(name)
        return {"ReplayArn": replay.arn, "State": replay.state.value}
