"""CloudWatch dashboards: PutDashboard, GetDashboard, ListDashboards, DeleteDashboards.

`DashboardOperations` is the part of the `CloudWatch` service that keeps the
dashboards of one account and region; `Dashboard` is one dashboard.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from attrs import frozen

from awsmon import jsondoc
from awsmon.arn import partition_for
from awsmon.cloudwatch.errors import DashboardInvalidInputError, DashboardNotFoundError
from awsmon.dispatch import Service, operation

__all__ = ["Dashboard", "DashboardOperations"]


@frozen(kw_only=True)
class Dashboard:
    """A dashboard: its name, body (JSON text), size and last change."""

    name: str
    arn: str
    body: str
    last_modified: datetime

    def __repr__(self) -> str:
        changed = f"{self.last_modified:%Y-%m-%d %H:%M}"
        return f"<Dashboard {self.name!r}: {self.size} bytes, changed {changed}>"

    @property
    def size(self) -> int:
        """The body's size in bytes, as ListDashboards reports it."""
        return len(self.body.encode())


class DashboardOperations(Service):
    """The dashboard operations of the CloudWatch service (a mixin of `CloudWatch`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._dashboards: dict[str, Dashboard] = {}

    @operation("PutDashboard")
    def put_dashboard(self, name: str, body: str) -> list[dict[str, str]]:
        """Create or replace a dashboard (PutDashboard); returns validation messages.

        Raises:
            DashboardInvalidInputError: the name breaks the rules, or the body
                is not a JSON object with a ``widgets`` array.
        """
        _check_dashboard_name(name)
        try:
            document = jsondoc.loads(body)
        except ValueError as exc:
            raise DashboardInvalidInputError(
                f"The field DashboardBody must be a valid JSON object: {exc}",
                param="DashboardBody",
            ) from None
        if not isinstance(document, dict) or not isinstance(document.get("widgets", []), list):
            raise DashboardInvalidInputError(
                "The dashboard body is invalid, there are 1 validation errors: "
                '[{"dataPath": "", "message": "Should be an object with a widgets array"}]',
                param="DashboardBody",
            )
        self._dashboards[name] = Dashboard(
            name=name,
            arn=f"arn:{partition_for(self.region)}:cloudwatch::{self.account_id}:dashboard/{name}",
            body=body,
            last_modified=self.ctx.now(),
        )
        return []

    @operation("GetDashboard")
    def get_dashboard(self, name: str) -> Dashboard:
        """The dashboard `name` (GetDashboard).

        Raises:
            DashboardNotFoundError: no such dashboard.
        """
        found = self._dashboards.get(name)
        if found is None:
            raise DashboardNotFoundError(
                f"Dashboard {name} does not exist", param="DashboardName", value=name
            )
        return found

    @operation("ListDashboards")
    def list_dashboards(self, prefix: str = "") -> list[Dashboard]:
        """Dashboards whose name starts with `prefix`, by name (ListDashboards)."""
        return [d for n, d in sorted(self._dashboards.items()) if n.startswith(prefix)]

    @operation("DeleteDashboards")
    def delete_dashboards(self, names: Sequence[str]) -> None:
        """Delete dashboards (DeleteDashboards); nothing is deleted if one is missing.

        Raises:
            DashboardNotFoundError: a named dashboard does not exist.
        """
        for name in names:
            if name not in self._dashboards:
                raise DashboardNotFoundError(
                    f"Dashboard {name} does not exist", param="DashboardNames", value=name
                )
        for name in dict.fromkeys(names):  # a name given twice is deleted once
            del self._dashboards[name]


def _check_dashboard_name(name: str) -> None:
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
    if not 1 <= len(name) <= 255 or not set(name) <= allowed:
        raise DashboardInvalidInputError(
            "The value for field DashboardName contains invalid characters. It can only "
            "contain alphanumerics, dash (-) and underscore (_).",
            param="DashboardName",
            value=name,
        )
