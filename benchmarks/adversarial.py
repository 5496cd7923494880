"""How long the user patterns of issue 19 take on their adversarial inputs.

Each row compiles one pattern that stacks wildcards or quantifiers (which a
backtracking engine explores exponentially or polynomially) and times one
match against an input built to fail late. The baseline, in the same run, is
the backtracking `re` translation the pattern used to get, on a shorter
input (the full input would run for hours); its time is printed beside ours
together with the ratio. Best of N runs; figures only, nothing is asserted.

Run: ``python benchmarks/adversarial.py [repeats]``
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable

from awsmon.events.pattern import EventPattern
from awsmon.logs.filter_pattern import FilterPattern


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


if __name__ == "__main__":
    main()
