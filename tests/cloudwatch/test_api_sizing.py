"""PutMetricData's request-size check measures what ``str`` would."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from awsmon.cloudwatch.api import _sized_text


@given(st.datetimes(timezones=st.sampled_from([datetime.UTC, None])) | st.integers() | st.text())
def test_sized_text_is_as_long_as_str(value: object) -> None:
    assert len(_sized_text(value)) == len(str(value))
