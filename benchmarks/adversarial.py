"""How long the user patterns of issue 19 take on their adversarial inputs.

Each row compiles one pattern that stacks wildcards or quantifiers (which a
backtracking engine explores exponentially or polynomially) and times one
match against an input built to fail late. The baseline, in the same run, is
the backtracking `re` translation the pattern used to get, on a shorter
input (the full input would run for hours); its time is printed beside ours
together with the ratio. Best of N runs; figures only, nothing is asserted.

Rows after the first five: the one wildcard matcher at each user (EC2 filters, IAM,
X-Ray sampling, whose baseline is its former two-pointer scan on the same input) and
the user regexes of Insights and the agent (RE2 when ``awsmon[re2]`` is installed).

Run: ``PYTHONPATH=. python benchmarks/adversarial.py [repeats]``
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable

from awsmon import linear_regex
from awsmon.events.pattern import EventPattern
from awsmon.linear_regex import compile_regex
from awsmon.logs.filter_pattern import FilterPattern
from awsmon.logs.insights import Query
from awsmon.neighbours.ec2 import filter_matches, parse_config
from awsmon.policy import wildcard_match as iam_match
from awsmon.wildcard import Wildcard
from awsmon.xray.sampling import wildcard_match as xray_match


def best_of(repeats: int, action: Callable[[], object]) -> float:
    """The shortest of `repeats` timings of `action`, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def _row(name: str, ours: float, theirs: float, their_length: int) -> None:
    print(
        f"{name:<46} awsmon {ours * 1e6:10.1f} us   "
        f"re (at {their_length} chars) {theirs * 1e6:12.1f} us"
    )


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    stars = "*a" * 8 + "*b"
    event_stars = "*a*a*a*b"
    backtrack_events = re.compile(
        ".*".join(re.escape(p) for p in event_stars.split("*")), re.DOTALL
    )
    backtrack_glob = re.compile(".*".join(re.escape(p) for p in stars.split("*")), re.DOTALL)
    backtrack_regex = re.compile("a*" * 8 + "b")

    regex = FilterPattern.parse("%" + "a*" * 8 + "b%")
    text = "a" * 10_000
    _row(
        "Logs %a*a*a*a*a*a*a*a*b% on 10,000 'a'",
        best_of(repeats, lambda: regex.matches(text)),
        best_of(1, lambda: backtrack_regex.search("a" * 24)),
        24,
    )
    delimited = FilterPattern.parse(f"[w={stars}]")
    _row(
        "Logs [w=*a*a*a*a*a*a*a*a*b] on 10,000 'a'",
        best_of(repeats, lambda: delimited.matches(text)),
        best_of(1, lambda: backtrack_glob.fullmatch("a" * 24)),
        24,
    )
    json_regex = FilterPattern.parse("{ $.a = %" + "a*" * 8 + "b% }")
    document = '{"a": "' + text + '"}'
    _row(
        "Logs { $.a = %a*...b% } on 10,000 'a'",
        best_of(repeats, lambda: json_regex.matches(document)),
        best_of(1, lambda: backtrack_regex.search("a" * 24)),
        24,
    )
    # The longest wildcard EventBridge's complexity check lets through.
    wildcard = EventPattern.parse('{"detail": {"f": [{"wildcard": "*a*a*a*b"}]}}')
    event = {"detail": {"f": "a" * 1_000}}
    _row(
        "Events wildcard *a*a*a*b on 1,000 'a'",
        best_of(repeats, lambda: wildcard.matches(event)),
        best_of(1, lambda: backtrack_events.fullmatch("a" * 200)),
        200,
    )
    anything_but = EventPattern.parse(
        '{"detail": {"f": [{"anything-but": {"wildcard": "*a*a*a*b"}}]}}'
    )
    _row(
        "Events anything-but wildcard on 1,000 'a'",
        best_of(repeats, lambda: anything_but.matches(event)),
        best_of(1, lambda: backtrack_events.fullmatch("a" * 200)),
        200,
    )

    wildcard_rows(repeats)
    regex_rows(repeats)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """The backtracking translation ``*`` → ``.*``, ``?`` → ``.`` the matchers used to build."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.compile("".join(parts), re.DOTALL)


def _two_pointer(pattern: str, text: str) -> bool:
    """X-Ray sampling's former matcher: a star-backtracking scan, quadratic at worst."""
    p, t = pattern.lower(), text.lower()
    pi = ti = 0
    star_p, star_t = -1, 0
    while ti < len(t):
        if pi < len(p) and (p[pi] == "?" or p[pi] == t[ti]):
            pi, ti = pi + 1, ti + 1
        elif pi < len(p) and p[pi] == "*":
            star_p, star_t = pi, ti
            pi += 1
        elif star_p >= 0:
            star_t += 1
            pi, ti = star_p + 1, star_t
        else:
            return False
    while pi < len(p) and p[pi] == "*":
        pi += 1
    return pi == len(p)


def wildcard_rows(repeats: int) -> None:
    """The one wildcard matcher (awsmon.wildcard) at each of its users."""
    # The head and tail fit and the "a?a" segments are found at once, but "x?x" never
    # is: `re` tries every split of the run of "a" among the five "a?a" (O(n^5)); the
    # segment scan reads the text once.
    question = "*a?a" * 5 + "*x?x*b"
    text = "a" * 10_000 + "b"
    short = "a" * 60 + "b"
    backtrack = _glob_regex(question)
    generic = Wildcard.parse(question, question=True)
    _row(
        "Wildcard *a?a*...*x?x*b on 10,001 chars",
        best_of(repeats, lambda: generic.matches(text)),
        best_of(1, lambda: backtrack.fullmatch(short)),
        61,
    )
    # The shift-and scan's own worst case: its first character is everywhere, so no jump.
    # `re` is linear on this one too; the row shows the constant factor.
    busy = Wildcard.parse("*a?x*b", question=True)
    _row(
        "Wildcard *a?x*b on 10,001 chars (scan worst)",
        best_of(repeats, lambda: busy.matches(text)),
        best_of(repeats, lambda: _glob_regex("*a?x*b").fullmatch(text)),
        10_001,
    )
    _row(
        "EC2 filter value *a?a...*x?x*b on 10,001 chars",
        best_of(repeats, lambda: filter_matches([text], [question])),
        best_of(1, lambda: backtrack.fullmatch(short)),
        61,
    )
    resource = "arn:aws:s3:::b/" + question
    key = "arn:aws:s3:::b/" + text
    _row(
        "IAM Resource *a?a...*x?x*b on a 10,016-char key",
        best_of(repeats, lambda: iam_match(resource, key)),
        best_of(1, lambda: _glob_regex(resource).fullmatch("arn:aws:s3:::b/" + short)),
        76,
    )
    sampling = "*a*" + "a" * 50 + "b"
    long_path = "a" * 20_000
    ours = best_of(repeats, lambda: xray_match(sampling, long_path))
    theirs = best_of(1, lambda: _two_pointer(sampling, long_path))
    print(
        f"{'X-Ray sampling *a*aaa...b on 20,000 a':<46} awsmon {ours * 1e6:10.1f} us   "
        f"two-pointer (same input) {theirs * 1e6:8.1f} us  ratio {theirs / ours:7.1f}x"
    )


def regex_rows(repeats: int) -> None:
    """User regexes: Insights /regex/ and the agent's patterns (RE2 when installed)."""
    engine = "re2" if linear_regex.RE2 is not None else "re (no RE2)"
    print(f"-- user regexes, engine for unbounded regexes: {engine}")
    text = "a" * 100_000
    quadratic = compile_regex(".*a.*b")
    _row(
        "Insights like /.*a.*b/ on 100,000 'a'",
        best_of(repeats, lambda: quadratic.search(text)),
        best_of(1, lambda: re.compile(".*a.*b").search("a" * 2_000)),
        2_000,
    )
    if linear_regex.RE2 is not None:
        nested = compile_regex("(a+)+b")
        _row(
            "Insights like /(a+)+b/ on 100,000 'a'",
            best_of(repeats, lambda: nested.search(text)),
            best_of(1, lambda: re.compile("(a+)+b").search("a" * 22)),
            22,
        )
    query = Query.parse("filter @message like /(?<n>\\d+)x+y/ | stats count(*)")
    rows = [(0, "1" * 2_000 + "x" * 2_000, "s", "1:g", 0, None)]
    _row(
        "Insights query /(\\d+)x+y/ on a 4,000-char event",
        best_of(repeats, lambda: query.run(rows)),
        best_of(1, lambda: re.compile(r"(\d+)x+y").search("1" * 2_000 + "x" * 2_000)),
        4_000,
    )
    config = parse_config(
        {"logs": {"logs_collected": {"files": {"collect_list": [
            {"file_path": "/a", "multi_line_start_pattern": r"\d+-\d+.*\]"}]}}}}
    )  # fmt: skip
    assert config.logs is not None
    start = config.logs.files[0].multi_line_start_pattern
    assert start is not None
    line = "1-1" * 30_000
    _row(
        "Agent multi_line_start_pattern on 90,000 chars",
        best_of(repeats, lambda: start.search(line)),
        best_of(1, lambda: re.compile(r"\d+-\d+.*\]").search("1-1" * 3_000)),
        9_000,
    )


if __name__ == "__main__":
    main()
