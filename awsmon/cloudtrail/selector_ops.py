"""Tags, event selectors and Insights selectors of trails.

`SelectorOperations` is mixed into `CloudTrail` (through `TrailOperations`):
AddTags/RemoveTags/ListTags, Put/GetEventSelectors (basic or advanced, never
both) and Put/GetInsightSelectors, with the Insights clock job that turns
each closed minute's counts into Insights events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from awsmon.clock import Job
from awsmon.cloudtrail.errors import (
    InsightNotEnabledException,
    InvalidEventSelectorsException,
    InvalidInsightSelectorsException,
    InvalidParameterCombinationException,
    ResourceNotFoundException,
    TagsLimitExceededException,
)
from awsmon.cloudtrail.selectors import (
    AdvancedEventSelector,
    EventSelector,
    Selection,
    SelectorError,
)
from awsmon.cloudtrail.trails import Trail
from awsmon.dispatch import ServiceContext, operation

if TYPE_CHECKING:
    from awsmon.cloudtrail.insights import InsightWatch

__all__ = ["SelectorOperations"]

_INSIGHT_TYPES = ("ApiCallRateInsight", "ApiErrorRateInsight")


class SelectorOperations:
    """Tags, event selectors and Insights (mixed into `CloudTrail`)."""

    ctx: ServiceContext
    trails: dict[str, Trail]
    insights: InsightWatch
    insight_events: list[dict[str, Any]]
    _insight_job: Job | None

    def _find(self, name_or_arn: str, *, home_only: bool = False) -> Trail:
        raise NotImplementedError  # TrailOperations finds trails

    def _visible(self) -> list[Trail]:
        raise NotImplementedError  # TrailOperations lists them

    def _scan_insights(self) -> None:
        raise NotImplementedError  # TrailOperations runs the Insights job

    # -- tags ------------------------------------------------------------------------

    def _tagged(self, resource_id: str) -> Trail:
        for trail in self._visible():
            if trail.arn == resource_id:
                return trail
        raise ResourceNotFoundException(
            f"Resource not found: {resource_id}", param="ResourceId", value=resource_id
        )

    @operation("AddTags")
    def add_tags(self, resource_id: str, tags_list: Mapping[str, str]) -> None:
        """Tag a trail by ARN (AddTags).

        Raises:
            ResourceNotFoundException / TagsLimitExceededException.
        """
        trail = self._tagged(resource_id)
        merged = {**trail.tags, **tags_list}
        if len(merged) > 50:
            raise TagsLimitExceededException(
                "A trail can have at most 50 tags.", param="TagsList", value=len(merged)
            )
        trail.tags = merged

    @operation("RemoveTags")
    def remove_tags(self, resource_id: str, tags_list: Iterable[str]) -> None:
        """Remove tags by key from a trail (RemoveTags).

        Raises:
            ResourceNotFoundException.
        """
        trail = self._tagged(resource_id)
        for key in tags_list:
            trail.tags.pop(key, None)

    @operation("ListTags")
    def list_tags(self, resource_id_list: Sequence[str]) -> dict[str, dict[str, str]]:
        """The tags of each trail ARN listed (ListTags).

        Raises:
            ResourceNotFoundException.
        """
        return {arn: dict(self._tagged(arn).tags) for arn in resource_id_list}

    # -- selectors -------------------------------------------------------------------

    @operation("PutEventSelectors")
    def put_event_selectors(
        self,
        trail_name: str,
        event_selectors: Sequence[EventSelector] | None = None,
        advanced_event_selectors: Sequence[AdvancedEventSelector] | None = None,
    ) -> Trail:
        """Replace the trail's selectors: basic or advanced, not both (PutEventSelectors).

        Raises:
            TrailNotFoundException / InvalidHomeRegionException /
            InvalidEventSelectorsException / InvalidParameterCombinationException.
        """
        trail = self._find(trail_name, home_only=True)
        if (event_selectors is None) == (advanced_event_selectors is None):
            raise InvalidParameterCombinationException(
                "Specify either EventSelectors or AdvancedEventSelectors, not both.",
                param="EventSelectors",
                value=None,
            )
        try:
            if event_selectors is not None:
                selection = Selection.of_basic(event_selectors)
            else:
                selection = Selection.of_advanced(advanced_event_selectors or ())
        except SelectorError as error:
            raise InvalidEventSelectorsException(
                str(error), param="EventSelectors", value=None
            ) from None
        trail.selection = selection
        return trail

    @operation("GetEventSelectors")
    def get_event_selectors(self, trail_name: str) -> Trail:
        """The trail, whose ``selection`` holds its selectors (GetEventSelectors)."""
        return self._find(trail_name)

    @operation("PutInsightSelectors")
    def put_insight_selectors(
        self, trail_name: str, insight_selectors: Sequence[tuple[str, Sequence[str]]]
    ) -> Trail:
        """Enable Insights types on a trail; an empty list disables them (PutInsightSelectors).

        Args:
            insight_selectors: (InsightType, EventCategories) pairs; categories
                default to ``Management``.

        Raises:
            TrailNotFoundException / InvalidHomeRegionException /
            InvalidInsightSelectorsException.
        """
        trail = self._find(trail_name, home_only=True)
        chosen: dict[str, tuple[str, ...]] = {}
        for insight_type, categories in insight_selectors:
            if insight_type not in _INSIGHT_TYPES:
                raise InvalidInsightSelectorsException(
                    f"Invalid InsightType: {insight_type}",
                    param="InsightType",
                    value=insight_type,
                )
            chosen[insight_type] = tuple(categories) or ("Management",)
        if "ApiCallRateInsight" in chosen and not trail.selection.logs_management_writes:
            raise InvalidInsightSelectorsException(
                "ApiCallRateInsight needs a trail that logs write management events.",
                param="InsightSelectors",
                value=insight_type,
            )
        trail.insight_types = chosen
        self._update_insights()
        return trail

    @operation("GetInsightSelectors")
    def get_insight_selectors(self, trail_name: str) -> Trail:
        """The trail with its Insights selectors (GetInsightSelectors).

        Raises:
            InsightNotEnabledException: the trail has none.
        """
        trail = self._find(trail_name)
        if not trail.insight_types:
            raise InsightNotEnabledException(
                f"Trail {trail.arn} does not have Insights enabled. Edit the trail settings "
                "to enable Insights, and then try the operation again.",
                param="TrailName",
                value=trail_name,
            )
        return trail

    def _update_insights(self) -> None:
        """Start or stop counting for Insights to match the logging trails' selectors."""
        types: set[str] = set()
        for trail in self.trails.values():
            if trail.status.is_logging:
                types.update(trail.insight_types)
        watch = self.insights
        if types and watch.started_at is None:
            watch.started_at = self.ctx.now()
            self._insight_job = self.ctx.clock.call_every(
                60, self._scan_insights, name="cloudtrail insights"
            )
        watch.types = types
        if not types and self._insight_job is not None:
            self._insight_job.cancel()
            self._insight_job = None
            watch.started_at = None
