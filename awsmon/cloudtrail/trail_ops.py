"""The trail operations of `CloudTrail`: trails, logging, tags and selectors.

`TrailOperations` is mixed into `awsmon.cloudtrail.service.CloudTrail`. A
trail lives in its home region; a multi-region trail shows in every region
of its account as a shadow trail (DescribeTrails, GetTrail, GetTrailStatus
answer there), but may only be changed in its home region
(InvalidHomeRegionException). A trail made through the API does not log
until StartLogging.

CreateTrail and UpdateTrail check the bucket exists and that its policy lets
``cloudtrail.amazonaws.com`` call ``s3:GetBucketAcl`` on the bucket and
``s3:PutObject`` under ``[prefix/]AWSLogs/<account>/`` (with
``aws:SourceArn`` and ``aws:SourceAccount`` in the context), and that a topic's
policy lets it ``SNS:Publish``. Simulation notes: no AWS Organizations, so
``IsOrganizationTrail`` answers OrganizationsNotInUseException; the KMS key is
checked as AWS does (it exists, is enabled, and its policy lets
``cloudtrail.amazonaws.com`` call ``kms:GenerateDataKey`` with the trail's
encryption context); log files are stored unencrypted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from awsmon.arn import Arn, InvalidArn
from awsmon.clock import Job
from awsmon.cloudtrail import delivery
from awsmon.cloudtrail.errors import (
    CloudTrailARNInvalidException,
    InvalidHomeRegionException,
    InvalidTrailNameException,
    MaximumNumberOfTrailsExceededException,
    OrganizationsNotInUseException,
    TagsLimitExceededException,
    TrailAlreadyExistsException,
    TrailNotFoundException,
)
from awsmon.cloudtrail.selector_ops import SelectorOperations
from awsmon.cloudtrail.trail_checks import TrailChecks
from awsmon.cloudtrail.trails import Trail, TrailStatus, trail_name_error
from awsmon.dispatch import ServiceContext, operation

if TYPE_CHECKING:
    from awsmon.cloudtrail.history import History
    from awsmon.cloudtrail.insights import InsightWatch
    from awsmon.cloudtrail.recording import Recorder
    from awsmon.cloudtrail.records import CallRecord

__all__ = ["MAX_TRAILS", "TrailOperations"]

#: Trails per region (AWS's quota, counting multi-region trails in every region).
MAX_TRAILS = 5


class TrailOperations(TrailChecks, SelectorOperations):
    """Trails and logging; with the checks, tags and selectors of the mixins."""

    ctx: ServiceContext
    history: History
    insights: InsightWatch
    insight_events: list[dict[str, Any]]
    _recorder: Recorder

    def _init_trails(self) -> None:
        self.trails: dict[str, Trail] = {}
        self._insight_job: Job | None = None

    def render(self, record: CallRecord) -> dict[str, Any]:
        """The record as AWS writes it (the service sets the ``eventVersion``)."""
        raise NotImplementedError

    @property
    def region(self) -> str:
        """The region of this service."""
        return self.ctx.region

    # -- finding trails ------------------------------------------------------------------

    def _peers(self) -> list[Any]:
        return list(self._recorder.services_of(self.ctx.account_id))

    def places_of(self, trail: Trail) -> list[Any]:
        """The CloudTrail services whose records `trail` delivers."""
        if not trail.is_multi_region_trail:
            return [self]
        return self._peers()

    def _visible(self) -> list[Trail]:
        """Trails of this region: its own, then multi-region trails homed elsewhere."""
        own = list(self.trails.values())
        for peer in self._peers():
            if peer is not self:
                own.extend(t for t in peer.trails.values() if t.is_multi_region_trail)
        return own

    def _find(self, name_or_arn: str, *, home_only: bool = False) -> Trail:
        if name_or_arn.startswith("arn:"):
            try:
                arn = Arn.parse(name_or_arn)
            except InvalidArn:
                arn = None
            if arn is None or arn.service != "cloudtrail" or arn.resource_type != "trail":
                raise CloudTrailARNInvalidException(
                    f"ARN {name_or_arn} is not valid.", param="Name", value=name_or_arn
                )
            name = arn.resource_id
            candidates = [t for t in self._visible() if t.arn == name_or_arn]
        else:
            name = name_or_arn
            problem = trail_name_error(name)
            if problem is not None:
                raise InvalidTrailNameException(problem, param="Name", value=name)
            candidates = [t for t in self._visible() if t.name == name]
        if not candidates:
            raise TrailNotFoundException(
                f"Unknown trail: {name} for the user: {self.ctx.account_id}",
                param="Name",
                value=name_or_arn,
            )
        trail = candidates[0]
        if home_only and trail.home_region != self.ctx.region:
            raise InvalidHomeRegionException(
                f"This operation must be called from the trail's home region, {trail.home_region}.",
                param="Name",
                value=name_or_arn,
            )
        return trail

    # -- trails --------------------------------------------------------------------------

    @operation("CreateTrail")
    def create_trail(
        self,
        name: str,
        s3_bucket_name: str,
        *,
        s3_key_prefix: str | None = None,
        sns_topic_name: str | None = None,
        include_global_service_events: bool = True,
        is_multi_region_trail: bool = False,
        enable_log_file_validation: bool = False,
        cloud_watch_logs_log_group_arn: str | None = None,
        cloud_watch_logs_role_arn: str | None = None,
        kms_key_id: str | None = None,
        is_organization_trail: bool = False,
        tags_list: Mapping[str, str] | None = None,
    ) -> Trail:
        """Create a trail in this region, not yet logging (CreateTrail).

        Raises:
            InvalidTrailNameException / TrailAlreadyExistsException /
            MaximumNumberOfTrailsExceededException / S3BucketDoesNotExistException /
            InsufficientS3BucketPolicyException / InvalidSnsTopicNameException /
            InsufficientSnsTopicPolicyException / InvalidParameterCombinationException /
            InvalidCloudWatchLogsLogGroupArnException / OrganizationsNotInUseException.
        """
        problem = trail_name_error(name)
        if problem is not None:
            raise InvalidTrailNameException(problem, param="Name", value=name)
        if name in self.trails or any(t.name == name for t in self._visible()):
            raise TrailAlreadyExistsException(
                f"Trail {name} already exists for customer: {self.ctx.account_id}",
                param="Name",
                value=name,
            )
        if len(self._visible()) >= MAX_TRAILS:
            raise MaximumNumberOfTrailsExceededException(
                f"User: {self.ctx.account_id} already has {MAX_TRAILS} trails in "
                f"{self.ctx.region}.",
                param="Name",
                value=name,
            )
        if is_organization_trail:
            raise OrganizationsNotInUseException(
                "This account is not a member of an organization.",
                param="IsOrganizationTrail",
                value=True,
            )
        if (tags_list or {}) and len(tags_list or {}) > 50:
            raise TagsLimitExceededException(
                "A trail can have at most 50 tags.", param="TagsList", value=len(tags_list or {})
            )
        arn = self.ctx.arn(f"trail/{name}")
        self._check_bucket(s3_bucket_name, s3_key_prefix, arn)
        topic = None if sns_topic_name is None else self._topic_arn(sns_topic_name, arn)
        self._check_logs(cloud_watch_logs_log_group_arn, cloud_watch_logs_role_arn)
        if kms_key_id:
            self._check_kms(kms_key_id, arn)
        trail = Trail(
            name=name,
            arn=arn,
            home_region=self.ctx.region,
            account_id=self.ctx.account_id,
            s3_bucket_name=s3_bucket_name,
            s3_key_prefix=s3_key_prefix or None,
            sns_topic_arn=topic,
            include_global_service_events=include_global_service_events,
            is_multi_region_trail=is_multi_region_trail,
            log_file_validation_enabled=enable_log_file_validation,
            cloudwatch_logs_log_group_arn=cloud_watch_logs_log_group_arn,
            cloudwatch_logs_role_arn=cloud_watch_logs_role_arn,
            kms_key_id=kms_key_id,
            tags=dict(tags_list or {}),
        )
        self.trails[name] = trail
        return trail

    @operation("UpdateTrail")
    def update_trail(
        self,
        name: str,
        *,
        s3_bucket_name: str | None = None,
        s3_key_prefix: str | None = None,
        sns_topic_name: str | None = None,
        include_global_service_events: bool | None = None,
        is_multi_region_trail: bool | None = None,
        enable_log_file_validation: bool | None = None,
        cloud_watch_logs_log_group_arn: str | None = None,
        cloud_watch_logs_role_arn: str | None = None,
        kms_key_id: str | None = None,
        is_organization_trail: bool | None = None,
    ) -> Trail:
        """Change a trail's settings; what is not given stays (UpdateTrail).

        Raises:
            TrailNotFoundException / InvalidHomeRegionException and the checks of
            `create_trail` for what changes.
        """
        trail = self._find(name, home_only=True)
        if is_organization_trail:
            raise OrganizationsNotInUseException(
                "This account is not a member of an organization.",
                param="IsOrganizationTrail",
                value=True,
            )
        bucket = trail.s3_bucket_name if s3_bucket_name is None else s3_bucket_name
        prefix = trail.s3_key_prefix if s3_key_prefix is None else (s3_key_prefix or None)
        if s3_bucket_name is not None or s3_key_prefix is not None:
            self._check_bucket(bucket, prefix, trail.arn)
        topic = trail.sns_topic_arn
        if sns_topic_name is not None:
            topic = self._topic_arn(sns_topic_name, trail.arn) if sns_topic_name else None
        group = cloud_watch_logs_log_group_arn
        role = cloud_watch_logs_role_arn
        if group is not None or role is not None:
            self._check_logs(group or None, role or None)
        if kms_key_id:
            self._check_kms(kms_key_id, trail.arn)
        # Every check passed: change the trail in one go.
        trail.s3_bucket_name, trail.s3_key_prefix, trail.sns_topic_arn = bucket, prefix, topic
        if group is not None or role is not None:
            trail.cloudwatch_logs_log_group_arn = group or None
            trail.cloudwatch_logs_role_arn = role or None
        if include_global_service_events is not None:
            trail.include_global_service_events = include_global_service_events
        if is_multi_region_trail is not None:
            trail.is_multi_region_trail = is_multi_region_trail
        if enable_log_file_validation is not None:
            trail.log_file_validation_enabled = enable_log_file_validation
            self._schedule(trail)
        if kms_key_id is not None:
            trail.kms_key_id = kms_key_id or None
        return trail

    @operation("DeleteTrail")
    def delete_trail(self, name: str) -> None:
        """Delete a trail; it stops delivering at once (DeleteTrail).

        Raises:
            TrailNotFoundException / InvalidHomeRegionException.
        """
        trail = self._find(name, home_only=True)
        trail.status.is_logging = False
        self._schedule(trail)
        del self.trails[trail.name]

    @operation("DescribeTrails")
    def describe_trails(
        self, trail_name_list: Sequence[str] = (), *, include_shadow_trails: bool = True
    ) -> list[Trail]:
        """The trails of this region, by name or ARN when listed (DescribeTrails)."""
        visible = self._visible() if include_shadow_trails else list(self.trails.values())
        if not trail_name_list:
            return visible
        wanted = set(trail_name_list)
        return [t for t in visible if t.name in wanted or t.arn in wanted]

    @operation("GetTrail")
    def get_trail(self, name: str) -> Trail:
        """One trail by name or ARN (GetTrail).

        Raises:
            TrailNotFoundException / InvalidTrailNameException / CloudTrailARNInvalidException.
        """
        return self._find(name)

    @operation("ListTrails")
    def list_trails(self) -> list[Trail]:
        """Every trail of the account, from every region seen (ListTrails)."""
        found: list[Trail] = []
        for peer in self._peers():
            found.extend(peer.trails.values())
        return found

    @operation("GetTrailStatus")
    def get_trail_status(self, name: str) -> TrailStatus:
        """Whether the trail logs, and its latest deliveries (GetTrailStatus).

        Raises:
            TrailNotFoundException.
        """
        return self._find(name).status

    @operation("StartLogging")
    def start_logging(self, name: str) -> None:
        """Start delivering the trail's events: recorded from now on (StartLogging).

        Raises:
            TrailNotFoundException / InvalidHomeRegionException.
        """
        trail = self._find(name, home_only=True)
        if trail.status.is_logging:
            return
        trail.status.is_logging = True
        trail.status.start_logging_time = self.ctx.now()
        for place in self.places_of(trail):
            trail.cursors[place.region] = place.history.end
        self._schedule(trail)

    @operation("StopLogging")
    def stop_logging(self, name: str) -> None:
        """Stop delivering; what was recorded before is still delivered (StopLogging).

        Raises:
            TrailNotFoundException / InvalidHomeRegionException.
        """
        trail = self._find(name, home_only=True)
        if not trail.status.is_logging:
            return
        delivery.deliver(self, trail)  # what was logged so far still goes out
        trail.status.is_logging = False
        trail.status.stop_logging_time = self.ctx.now()
        self._schedule(trail)

    def _schedule(self, trail: Trail) -> None:
        """Start or cancel the trail's clock jobs to match its status."""
        clock = self.ctx.clock
        logging = trail.status.is_logging and trail.name in self.trails
        if logging and trail.delivery_job is None:
            trail.delivery_job = clock.call_every(
                delivery.DELIVERY_INTERVAL,
                delivery.deliver,
                self,
                trail,
                name=f"cloudtrail delivery {trail.name}",
            )
        if not logging and trail.delivery_job is not None:
            trail.delivery_job.cancel()
            trail.delivery_job = None
        digests = logging and trail.log_file_validation_enabled
        if digests and trail.digest_job is None:
            trail.digest_job = clock.call_every(
                delivery.DIGEST_INTERVAL,
                delivery.write_digests,
                self,
                trail,
                name=f"cloudtrail digests {trail.name}",
            )
        if not digests and trail.digest_job is not None:
            trail.digest_job.cancel()
            trail.digest_job = None
        self._update_insights()

    def _scan_insights(self) -> None:
        produced = self.insights.scan(
            self.ctx.now(), self.ctx.ids.uuid, self.ctx.account_id, self.ctx.region
        )
        self.insight_events.extend(produced)
        for event in produced:
            self._publish_insight(event)
        for trail in self.trails.values():
            delivery.deliver_insights(self, trail, produced)

    def _publish_insight(self, event: dict[str, Any]) -> None:
        """Deliver an Insights event to EventBridge (the trails' S3 delivery reads the list)."""
        try:
            events = self.ctx.sibling("events")
        except KeyError:
            return
        if events.bus(None).rules:
            events.put_aws_event(
                source="aws.cloudtrail", detail_type="AWS Insight via CloudTrail", detail=event
            )
