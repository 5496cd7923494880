"""Event selectors and advanced event selectors: which events a trail delivers.

A pure module. `Selection` is a trail's compiled choice — basic
`EventSelector`s or `AdvancedEventSelector`s, never both — and
`Selection.selects(facts)` says whether a record, described by its `Facts`,
goes to the trail. A record is logged when it matches **any** selector
(PutEventSelectors documentation); within an advanced selector every field
selector must hold.

Basic selectors: management events by ReadWriteType, IncludeManagementEvents
and ExcludeManagementEventSources; data events only through DataResources
(``AWS::S3::Object`` by ARN prefix, ``AWS::Lambda::Function`` by exact ARN
unless the value is ``arn:aws:lambda``, ``AWS::DynamoDB::Table`` exactly).
Advanced selectors: ``Equals``, ``StartsWith``, ``EndsWith`` and their
``Not`` forms on ``eventCategory``, ``readOnly``, ``eventSource``,
``eventName``, ``eventType``, ``errorCode``, ``userIdentity.arn``,
``resources.type`` and ``resources.ARN``; plain string comparisons, no
patterns, so matching is linear in the values.

>>> default = Selection.default()
>>> default.selects(Facts(category="Management", read_only=True, event_source="s3.amazonaws.com",
...                       event_name="ListBuckets"))
True
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import field, frozen

__all__ = [
    "ADVANCED_FIELDS",
    "AdvancedEventSelector",
    "DataResource",
    "EventSelector",
    "Facts",
    "FieldSelector",
    "Selection",
    "SelectorError",
]

#: The fields an advanced selector may name.
ADVANCED_FIELDS = (
    "eventCategory",
    "readOnly",
    "eventSource",
    "eventName",
    "eventType",
    "errorCode",
    "userIdentity.arn",
    "resources.type",
    "resources.ARN",
    "sessionCredentialFromConsole",
    "vpcEndpointId",
)
_OPERATORS = ("Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith")
DATA_RESOURCE_TYPES = ("AWS::S3::Object", "AWS::Lambda::Function", "AWS::DynamoDB::Table")
_EXCLUDABLE_SOURCES = ("kms.amazonaws.com", "rdsdata.amazonaws.com")


class SelectorError(ValueError):
    """Selectors CloudTrail would refuse (the service raises InvalidEventSelectorsException)."""


@frozen(kw_only=True)
class Facts:
    """What selectors look at in one record."""

    category: str
    read_only: bool
    event_source: str
    event_name: str
    event_type: str = "AwsApiCall"
    error_code: str | None = None
    user_arn: str | None = None
    resources: tuple[tuple[str, str], ...] = ()

    def values(self, name: str) -> list[str]:
        """The record's values of the advanced-selector field `name`."""
        if name == "eventCategory":
            return [self.category]
        if name == "readOnly":
            return ["true" if self.read_only else "false"]
        if name == "eventSource":
            return [self.event_source]
        if name == "eventName":
            return [self.event_name]
        if name == "eventType":
            return [self.event_type]
        if name == "errorCode":
            return [] if self.error_code is None else [self.error_code]
        if name == "userIdentity.arn":
            return [] if self.user_arn is None else [self.user_arn]
        if name == "resources.type":
            return [kind for kind, _ in self.resources]
        if name == "resources.ARN":
            return [arn for _, arn in self.resources]
        return []


@frozen
class DataResource:
    """``{Type, Values}`` of a basic selector."""

    type: str
    values: tuple[str, ...]

    def covers(self, kind: str, arn: str) -> bool:
        """True when this data resource selects the resource `arn` of type `kind`."""
        if kind != self.type:
            return False
        for value in self.values:
            if kind == "AWS::Lambda::Function":
                if value in ("arn:aws:lambda", arn):
                    return True
            elif kind == "AWS::DynamoDB::Table":
                if value in ("arn:aws:dynamodb", arn):
                    return True
            elif arn.startswith(value):
                return True
        return False


@frozen(kw_only=True)
class EventSelector:
    """A basic event selector."""

    read_write_type: str = "All"
    include_management_events: bool = True
    data_resources: tuple[DataResource, ...] = ()
    exclude_management_event_sources: tuple[str, ...] = ()

    def selects(self, facts: Facts) -> bool:
        """True when this selector logs the record."""
        rw = self.read_write_type
        if rw != "All" and facts.read_only != (rw == "ReadOnly"):
            return False
        if facts.category == "Management":
            return (
                self.include_management_events
                and facts.event_source not in self.exclude_management_event_sources
            )
        if facts.category == "Data":
            return any(
                resource.covers(kind, arn)
                for resource in self.data_resources
                for kind, arn in facts.resources
            )
        return False


@frozen
class FieldSelector:
    """One condition of an advanced selector: a field and its operators' values."""

    field: str
    operators: tuple[tuple[str, tuple[str, ...]], ...]

    def holds(self, facts: Facts) -> bool:
        """True when the record satisfies every operator of this condition."""
        values = facts.values(self.field)
        for operator, wanted in self.operators:
            negated = operator.startswith("Not")
            test = operator[3:] if negated else operator
            hit = any(_compare(test, value, w) for value in values for w in wanted)
            if hit == negated:
                return False
        return True


def _compare(test: str, value: str, wanted: str) -> bool:
    if test == "Equals":
        return value == wanted
    if test == "StartsWith":
        return value.startswith(wanted)
    return value.endswith(wanted)


@frozen(kw_only=True)
class AdvancedEventSelector:
    """An advanced event selector: every field selector must hold."""

    name: str | None = None
    field_selectors: tuple[FieldSelector, ...] = field(default=())

    def selects(self, facts: Facts) -> bool:
        """True when the record satisfies every condition."""
        return all(condition.holds(facts) for condition in self.field_selectors)


@frozen
class Selection:
    """A trail's selectors: basic or advanced (never both)."""

    basic: tuple[EventSelector, ...] = ()
    advanced: tuple[AdvancedEventSelector, ...] = ()
    custom: bool = False

    @classmethod
    def default(cls) -> Selection:
        """A new trail's selection: all management events, no data events."""
        return cls(basic=(EventSelector(),))

    @classmethod
    def of_basic(cls, selectors: Sequence[EventSelector]) -> Selection:
        """Basic selectors, checked as CloudTrail checks them.

        Raises:
            SelectorError: none or more than 5 selectors, more than 250 data
                resources, an unknown type or ReadWriteType, a source that
                cannot be excluded.
        """
        if not 1 <= len(selectors) <= 5:
            raise SelectorError("A trail takes 1 to 5 event selectors")
        total = 0
        for selector in selectors:
            if selector.read_write_type not in ("ReadOnly", "WriteOnly", "All"):
                raise SelectorError(f"Invalid ReadWriteType: {selector.read_write_type}")
            for source in selector.exclude_management_event_sources:
                if source not in _EXCLUDABLE_SOURCES:
                    raise SelectorError(f"Invalid ExcludeManagementEventSources value: {source}")
            for resource in selector.data_resources:
                if resource.type not in DATA_RESOURCE_TYPES:
                    raise SelectorError(f"Invalid data resource type: {resource.type}")
                total += sum(1 for v in resource.values if v.count(":") > 2 or "/" in v)
        if total > 250:
            raise SelectorError("A trail takes at most 250 data resources")
        return cls(basic=tuple(selectors), custom=True)

    @classmethod
    def of_advanced(cls, selectors: Sequence[AdvancedEventSelector]) -> Selection:
        """Advanced selectors, checked as CloudTrail checks them.

        Raises:
            SelectorError: none or more than 500 values in all, a selector
                without ``eventCategory``, an unknown field or operator, a
                data selector without one ``resources.type``.
        """
        if not selectors:
            raise SelectorError("A trail takes at least one advanced event selector")
        total = 0
        for selector in selectors:
            fields = {condition.field: condition for condition in selector.field_selectors}
            if "eventCategory" not in fields:
                raise SelectorError("Each advanced event selector needs an eventCategory field")
            for condition in selector.field_selectors:
                if condition.field not in ADVANCED_FIELDS:
                    raise SelectorError(f"Invalid field: {condition.field}")
                if not condition.operators:
                    raise SelectorError(f"Field {condition.field} has no operator")
                for operator, values in condition.operators:
                    if operator not in _OPERATORS or not values:
                        raise SelectorError(f"Invalid operator {operator} for {condition.field}")
                    if condition.field in ("eventCategory", "readOnly", "resources.type") and (
                        operator != "Equals"
                    ):
                        raise SelectorError(f"Field {condition.field} only supports Equals")
                    total += len(values)
            category = dict(fields["eventCategory"].operators).get("Equals", ())
            if "Data" in category and "resources.type" not in fields:
                raise SelectorError("A data event selector needs a resources.type field")
        if total > 500:
            raise SelectorError("Advanced event selectors take at most 500 values in all")
        return cls(advanced=tuple(selectors), custom=True)

    def selects(self, facts: Facts) -> bool:
        """True when the trail logs the record."""
        if self.advanced:
            return any(selector.selects(facts) for selector in self.advanced)
        return any(selector.selects(facts) for selector in self.basic)

    @property
    def logs_management_writes(self) -> bool:
        """True when write management events reach the trail (Insights' prerequisite)."""
        probe = Facts(category="Management", read_only=False, event_source="", event_name="")
        return self.selects(probe)
