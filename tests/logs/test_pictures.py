"""Log pictures: a group's events as a table."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from picture_checks import table_rows

from awsmon import Cloud
from awsmon.pictures import png_size


def test_a_log_groups_events_as_a_table(tmp_path: Path) -> None:
    cloud = Cloud(seed=1)
    logs = cloud.logs
    logs.create_log_group("/app/web")
    logs.create_log_stream("/app/web", "b")
    logs.create_log_stream("/app/web", "a")
    start = datetime(2025, 1, 1, tzinfo=UTC).timestamp() * 1000
    now = int(cloud.clock.now().timestamp() * 1000)
    logs.put_log_events("/app/web", "a", [(now - 3000, "GET / 200"), (now - 1000, "GET /x 500")])
    logs.put_log_events("/app/web", "b", [(now - 2000, "<POST> & 500\n")])
    table = logs.events_table("/app/web", filter_pattern="500")
    assert start < now
    rows = table_rows(table._repr_html_())
    moment = datetime.fromtimestamp((now - 2000) / 1000, UTC)
    assert rows == [
        ["timestamp (UTC)", "stream", "message"],
        [f"{moment:%Y-%m-%d %H:%M:%S}.{(now - 2000) % 1000:03d}", "b", "<POST> & 500"],
        [rows[2][0], "a", "GET /x 500"],
    ]
    assert table.title == "/app/web matching 500"
    assert png_size(table.to_png(tmp_path / "t.png").read_bytes()) == (900, 40 + 18 * 3)
    page = logs.filter_log_events("/app/web")
    assert len(table_rows(page._repr_html_())) == 4


def test_a_log_group_repr() -> None:
    cloud = Cloud(seed=1)
    cloud.logs.create_log_group("/app/web")
    cloud.logs.create_log_stream("/app/web", "a")
    cloud.logs.put_retention_policy("/app/web", 30)
    assert repr(cloud.logs.log_group("/app/web")) == (
        "<LogGroup '/app/web': 1 streams, 0 metric filters, kept 30 days>"
    )
