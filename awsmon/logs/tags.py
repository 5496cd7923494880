"""Tags on CloudWatch Logs log groups: TagResource and the older TagLogGroup family.

`TagsMixin` is one of the bases of `awsmon.logs.service.CloudWatchLogs`; `check_tags`
is also used when a group is created with tags.
"""

import re
from collections.abc import Mapping, Sequence

from awsmon.dispatch import operation
from awsmon.logs._core import LogsCore
from awsmon.logs.errors import (
    InvalidParameterException,
    TooManyTagsException,
)
from awsmon.logs.model import (
    LogGroup,
    validation_message,
)

__all__ = ["MAX_TAGS", "TagsMixin", "check_tags"]

MAX_TAGS = 50
_TAG_KEY = re.compile(r"[\w.:/=+\-@ ]{1,128}")
_TAG_VALUE = re.compile(r"[\w.:/=+\-@ ]{0,256}")


class TagsMixin(LogsCore):
    """The tag operations of `CloudWatchLogs`."""

    @staticmethod
    def _add_tags(group: LogGroup, tags: Mapping[str, str]) -> None:
        checked = check_tags(tags)
        merged = {**group.tags, **checked}
        if len(merged) > MAX_TAGS:
            raise TooManyTagsException(
                f"A resource can have no more than {MAX_TAGS} tags.",
                param="tags",
                value=len(merged),
            )
        group.tags = merged

    @operation("TagResource")
    def tag_resource(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite tags on a log group named by ARN (TagResource).

        Raises:
            ResourceNotFoundException: no such group.
            InvalidParameterException: a bad key or value.
            TooManyTagsException: more than 50 tags.
        """
        self._add_tags(self.group_by_arn(resource_arn), tags)

    @operation("UntagResource")
    def untag_resource(self, resource_arn: str, tag_keys: Sequence[str]) -> None:
        """Remove tags from a log group named by ARN (UntagResource).

        Raises:
            ResourceNotFoundException: no such group.
        """
        group = self.group_by_arn(resource_arn)
        for key in tag_keys:
            group.tags.pop(key, None)

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, resource_arn: str) -> dict[str, str]:
        """The tags of a log group named by ARN (ListTagsForResource).

        Raises:
            ResourceNotFoundException: no such group.
        """
        return dict(self.group_by_arn(resource_arn).tags)

    @operation("TagLogGroup")
    def tag_log_group(self, log_group_name: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite tags on a log group (TagLogGroup, deprecated by AWS)."""
        self._add_tags(self.log_group(log_group_name), tags)

    @operation("UntagLogGroup")
    def untag_log_group(self, log_group_name: str, tags: Sequence[str]) -> None:
        """Remove tags by key (UntagLogGroup, deprecated by AWS)."""
        group = self.log_group(log_group_name)
        for key in tags:
            group.tags.pop(key, None)

    @operation("ListTagsLogGroup")
    def list_tags_log_group(self, log_group_name: str) -> dict[str, str]:
        """The group's tags (ListTagsLogGroup, deprecated by AWS)."""
        return dict(self.log_group(log_group_name).tags)

    # -- log streams ------------------------------------------------------------------------


def check_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """Tags checked as AWS does (keys 1-128, values 0-256, ``aws:`` reserved).

    Raises:
        InvalidParameterException: a bad key or value.
        TooManyTagsException: more than 50.
    """
    if len(tags) > MAX_TAGS:
        raise TooManyTagsException(
            f"A resource can have no more than {MAX_TAGS} tags.", param="tags", value=len(tags)
        )
    for key, value in tags.items():
        if not isinstance(key, str) or _TAG_KEY.fullmatch(key) is None:
            raise InvalidParameterException(
                validation_message(
                    "tags",
                    key,
                    "Map keys must satisfy constraint: [Member must have length less than or "
                    "equal to 128, Member must have length greater than or equal to 1, Member "
                    r"must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$]",
                ),
                param="tags",
                value=key,
            )
        if key.lower().startswith("aws:"):
            raise InvalidParameterException(
                "Tag keys starting with 'aws:' are reserved for AWS.", param="tags", value=key
            )
        if not isinstance(value, str) or _TAG_VALUE.fullmatch(value) is None:
            raise InvalidParameterException(
                validation_message(
                    "tags",
                    value,
                    "Map value must satisfy constraint: [Member must have length less than or "
                    r"equal to 256, Member must satisfy regular expression pattern: "
                    r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$]",
                ),
                param="tags",
                value=value,
            )
    return dict(tags)
