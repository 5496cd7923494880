"""Tests for awsmon.logs.filter_pattern_explain: what decided a filter pattern's answer.

One example per form of AWS's "Filter pattern syntax" page (terms, phrases,
``-`` and ``?`` terms, space-delimited fields with ``...`` and conditions,
JSON, regex, match-all); Hypothesis checks that the explanation's ``matched``
is the pattern's own answer and that extracted values are TestMetricFilter's.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.logs.filter_pattern import FilterPattern

APACHE = '127.0.0.1 frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'

# (pattern, message, matched, decided_by, words in the reason)
FORMS = [
    ("", "anything", True, "", "every event"),
    ("ERROR", "Exiting with ERRORCODE: -1", True, "", "every term appears"),
    ("ERROR ARGUMENTS", "ERROR: bad input", False, "ARGUMENTS", '"ARGUMENTS" does not appear'),
    ('"INTERNAL SERVER ERROR"', "INTERNAL ERROR", False, "INTERNAL SERVER ERROR",
     "does not appear"),
    ("ERROR -ARGUMENTS", "ERROR ARGUMENTS missing", False, "ARGUMENTS",
     'excluded term "ARGUMENTS" appears'),
    ("?ERROR ?ARGUMENTS", "all fine", False, "", 'none of the ?-terms "ERROR", "ARGUMENTS"'),
    ("?ERROR ?ARGUMENTS", "ARGUMENTS odd", True, "ARGUMENTS", '?-term "ARGUMENTS" appears'),
    ("?ERROR ?ARGUMENTS REQUEST", "REQUEST ok", True, "", "?-terms are ignored"),
    ("[ip, user, ..., status_code=4*, size]", APACHE, True, "", "every field fits"),
    ("[ip, user, ..., status_code=5*, size]", APACHE, False, "status_code",
     "field status_code (field 5 of the message) is '404'"),
    ("[ip, user=bob, ...]", APACHE, False, "user", "'frank'"),
    ("[a, b]", "x y z", False, "fields", "has 3 fields; the pattern needs exactly 2"),
    ("[a, ..., b>5]", "x", False, "fields", "needs at least 2"),
    ("[a, b>5]", "x 3", False, "b", "'3', which fails"),
    ('{ $.eventType = "UpdateTrail" }', '{"eventType": "CreateTrail"}', False, "UpdateTrail",
     "needs UpdateTrail"),
    ("{ $.latency > 500 }", '{"latency": 20}', False, "json", "does not satisfy"),
    ("{ $.latency > 500 }", "latency=900", False, "json", "not a JSON object"),
    ("{ $.latency > 500 }", '{"latency": 900}', True, "json", "satisfies"),
    ("%ab+c%", "xabbbcx", True, "regex", "finds a match"),
    ("%ab+c%", "xacx", False, "regex", "finds no match"),
]


@pytest.mark.parametrize(("pattern", "message", "matched", "decided_by", "words"), FORMS)
def test_each_form(pattern: str, message: str, matched: bool, decided_by: str, words: str) -> None:
    compiled = FilterPattern.parse(pattern)
    why = compiled.explain(message)
    assert why.matched is matched is compiled.matches(message)
    assert why.decided_by == decided_by
    assert words in why.reason, why.reason
    assert str(why).startswith("matched" if matched else "no match")
    assert why.kind == compiled.kind.value
    assert "<pre>" in why._repr_html_()


def test_extracted_values_are_test_metric_filters() -> None:
    """A match's extracted values are what TestMetricFilter reports."""
    pattern = "[ip, user, ..., status_code=4*, size]"
    why = FilterPattern.parse(pattern).explain(APACHE)
    (match,) = Cloud().client("logs").test_metric_filter(
        filterPattern=pattern, logEventMessages=[APACHE]
    )["matches"]
    assert dict(why.extracted_values) == match["extractedValues"]
    assert "$status_code=404" in str(why)


WORDS = st.sampled_from(["ERROR", "WARN", "timeout", "42", "7", "x", "[a b]", '"q r"', "{}"])
MESSAGES = st.lists(WORDS, max_size=6).map(" ".join) | st.sampled_from(
    ['{"latency": 900, "user": "ada"}', '{"latency": 2}', "{broken", APACHE]
)
PATTERNS = st.sampled_from(
    [
        "", "ERROR", "ERROR -timeout", "?ERROR ?WARN", "?ERROR ?WARN 42", '"ERROR WARN"',
        "[a, b]", "[a, ..., b]", "[a=ERROR, ...]", "[..., n>5]", "[a, ..., b, ..., c=x]",
        "{ $.latency > 500 }", '{ $.user = "ada" || $.latency < 5 }', "{ $.missing NOT EXISTS }",
        "%ER+OR%", "%[0-9]+%",
    ]
)


@given(PATTERNS, MESSAGES)
def test_matched_iff_matches(pattern: str, message: str) -> None:
    """The explanation never disagrees with the pattern, and always says why."""
    compiled = FilterPattern.parse(pattern)
    why = compiled.explain(message)
    assert why.matched == compiled.matches(message)
    assert why.reason
    if why.matched and compiled.kind.value == "space-delimited":
        found = compiled.match(message)
        assert found is not None and dict(why.extracted_values) == dict(found.extracted_values)
