"""How fast compiled CloudWatch Logs filter patterns match, against a bare substring loop.

Generates 200,000 access-log lines and 200,000 JSON lines (about 200 bytes
each, from a fixed seed), matches them with a term pattern, a JSON pattern and
a space-delimited pattern, and prints events per second for each. The
baseline, measured in the same run over the same messages, is the plainest
Python filter there is: ``term in message`` in a loop. Figures only; nothing
is asserted.

Figures (2026-12-07, default 200,000 messages, events/s of CPU time, best of
3; earlier = main at 73f02d1 and branch ``logs``; before/after = main at
f427cac and branch ``logsput``, back to back on a loaded machine: the term
rows, whose code did not change, moved by 30% with the neighbours):

    ========================  =========  =========  =========  =========
    pattern                   73f02d1    logs       f427cac    logsput
    ========================  =========  =========  =========  =========
    term                      3,200,841  3,950,776  4,256,108  2,929,852
    term (phrase, exclusion)  3,059,481  3,212,215  3,594,293  2,414,774
    json                        244,759    358,614    312,961    380,257
    json (regex, ||)            118,457    159,994    178,841    206,192
    space-delimited             111,246    440,514    493,078    492,097
    space-delimited (fixed)     121,263    450,997    607,688    685,108
    ========================  =========  =========  =========  =========

Space-delimited patterns check their needles (a text one of which every
matching message contains) and read only the fields up to the last one they
test, with one regex that cannot backtrack; when every condition is ``=
prefix*`` (the "fixed" row) the prefixes are written into that regex, which
then decides alone. JSON messages are parsed by msgspec when it is installed
(the ``fast`` extra), and a numeric condition on ``$.name`` is one function.

Run: ``python benchmarks/logs_filter.py [count]``
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable, Sequence

from awsmon.logs.filter_pattern import FilterPattern

PATHS = ["/index.html", "/api/v1/orders", "/static/app.js", "/favicon.ico", "/login", "/cart"]
USERS = ["frank", "alice", "bob", "-", "carol", "dave"]
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0", "python-requests/2.32", "Go-http/1.1"]
STATUSES = [200, 200, 200, 201, 204, 301, 304, 400, 403, 404, 500, 503]


def access_lines(count: int, rng: random.Random) -> list[str]:
    """Apache-style lines with a referrer and user agent, about 200 bytes each."""
    lines = []
    for _ in range(count):
        ip = ".".join(str(rng.randrange(1, 255)) for _ in range(4))
        lines.append(
            f"{ip} - {rng.choice(USERS)} [10/Oct/2000:13:{rng.randrange(60):02d}:"
            f"{rng.randrange(60):02d} -0700] "
            f'"GET {rng.choice(PATHS)}?id={rng.randrange(10**6)} HTTP/1.1" '
            f"{rng.choice(STATUSES)} {rng.randrange(20000)} "
            f'"https://example.com/ref/{rng.randrange(1000)}" "{rng.choice(AGENTS)}" '
            f"rt={rng.random():.3f} req={rng.getrandbits(64):016x} "
            f"{'ERROR upstream' if rng.random() < 0.05 else 'INFO ok'}"
        )
    return lines


def json_lines(count: int, rng: random.Random) -> list[str]:
    """JSON request records, about 200 bytes each."""
    lines = []
    for _ in range(count):
        record = {
            "eventType": rng.choice(["UpdateTrail", "CreateTrail", "GetObject", "PutObject"]),
            "sourceIPAddress": f"10.0.{rng.randrange(256)}.{rng.randrange(256)}",
            "latency": rng.randrange(2000),
            "user": {"name": rng.choice(USERS), "id": rng.randrange(1000)},
            "status": rng.choice(STATUSES),
            "path": rng.choice(PATHS),
            "level": "ERROR" if rng.random() < 0.05 else "INFO",
            "requestId": f"{rng.getrandbits(64):016x}",
        }
        lines.append(json.dumps(record))
    return lines


def rate(test: Callable[[str], bool], messages: Sequence[str]) -> tuple[float, int]:
    """Events per second of `test` over `messages`, best of three runs, and the hit count."""
    best = float("inf")
    hits = 0
    for _ in range(3):
        start = time.process_time()
        hits = sum(1 for message in messages if test(message))
        best = min(best, time.process_time() - start)
    return len(messages) / best, hits


def baseline(term: str, messages: Sequence[str]) -> tuple[float, int]:
    """The bare loop: ``term in message`` inline, no function call per event."""
    best = float("inf")
    hits = 0
    for _ in range(3):
        start = time.process_time()
        hits = sum(1 for message in messages if term in message)
        best = min(best, time.process_time() - start)
    return len(messages) / best, hits


def main() -> None:
    """Print the figures."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rng = random.Random(20240101)
    corpora = {"access log": access_lines(count, rng), "json": json_lines(count, rng)}
    for name, messages in corpora.items():
        average = sum(map(len, messages)) / len(messages)
        print(f"{name}: {len(messages):,} messages, {average:.0f} bytes on average")
    cases = [
        ("term", "ERROR upstream", "access log", "ERROR"),
        ("term (phrase, exclusion)", '"ERROR upstream" -favicon', "access log", "ERROR"),
        ("json", '{ $.latency > 1500 && $.eventType = "*Trail" }', "json", "Trail"),
        ("json (regex, ||)", "{ $.status >= 500 || $.path = %^/api/% }", "json", "/api/"),
        (
            "space-delimited",
            "[ip, id, user, timestamp, request, status_code=4*, size>1000, ...]",
            "access log",
            '" 4',
        ),
        (
            "space-delimited (fixed)",
            "[ip, id, user, ts, request, status=5*, size, referrer, agent, rt, req, level, detail]",
            "access log",
            '" 5',
        ),
    ]
    print()
    header = f"{'pattern':26} {'events/s':>12} {'hits':>8} {'baseline/s':>12} {'slower x':>9}"
    print(header)
    print("-" * len(header))
    for label, text, corpus, term in cases:
        messages = corpora[corpus]
        pattern = FilterPattern.parse(text)
        speed, hits = rate(pattern.matches, messages)
        base_speed, _ = baseline(term, messages)
        print(f"{label:26} {speed:12,.0f} {hits:8,} {base_speed:12,.0f} {base_speed / speed:9.1f}")
        print(f"  pattern: {text}   baseline: {term!r} in message")


if __name__ == "__main__":
    main()
