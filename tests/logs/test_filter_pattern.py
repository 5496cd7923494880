"""Tests for awsmon.logs.filter_pattern: the CloudWatch Logs filter pattern language.

Example tests come from the reference (cloudwatch.md §D.8, §D.9, §D.14) and from
AWS's page "Filter pattern syntax for metric filters, subscription filters,
filter log events, and Live Tail" (current and 2021 revisions) and its worked
metric-filter examples. Property tests compare the compiled matcher with naive
oracles written below, independently of the implementation.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from awsmon.errors import InvalidParameter
from awsmon.logs.errors import InvalidParameterException
from awsmon.logs.filter_pattern import FilterPattern, MatchResult, PatternKind
from awsmon.logs.filter_pattern_delimited import split_fields

# --------------------------------------------------------------------------- corpora

#: Unstructured corpus of the current AWS page (reference C1) plus its "?" example lines.
C1 = [
    "[ERROR 400] BAD REQUEST",
    "[ERROR 401] UNAUTHORIZED REQUEST",
    "[ERROR 419] MISSING ARGUMENTS",
    "[ERROR 420] INVALID ARGUMENTS",
    "[ERROR 500] INTERNAL SERVER ERROR",
]
C1_EXTRA = [
    "[SUCCESS 200] AUTHORIZED REQUEST",
    "[INFO] REQUEST FAILED",
    "[WARN] UNAUTHORIZED REQUEST",
    "[ERROR] 400 BAD REQUEST",
    "[INFO 200] SUCCESSFUL OPERATION",
]
#: The 2021 page's OR corpus (reference C2).
C2 = ["ERROR WARN message", "ERROR message", "WARN message"]

#: JSON event J1 (current page adds "cluster.name"; the 2021 page has "ThisFlag").
J1 = json.dumps(
    {
        "eventType": "UpdateTrail",
        "sourceIPAddress": "111.111.111.111",
        "arrayKey": ["value", "another value"],
        "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
        "SomeObject": None,
        "ThisFlag": True,
        "cluster.name": "c",
    }
)
#: JSON event J2, the compound-condition example.
J2 = json.dumps(
    {
        "user": {"id": 1, "email": "John.Stiles@example.com"},
        "users": [
            {"id": 2, "email": "John.Doe@example.com"},
            {"id": 3, "email": "Jane.Doe@example.com"},
        ],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
    }
)
#: Space-delimited event A1 of the current page.
A1 = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'
#: The 2021 page's extraction example event.
A2 = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'
#: The six Apache lines of FindCountMetric.html and ExtractBytesExample.html.
APACHE = [
    '127.0.0.1 - - [24/Sep/2013:11:49:52 -0700] "GET /index.html HTTP/1.1" 404 287',
    '127.0.0.1 - - [24/Sep/2013:11:49:52 -0700] "GET /index.html HTTP/1.1" 404 287',
    '127.0.0.1 - - [24/Sep/2013:11:50:51 -0700] "GET /~test/ HTTP/1.1" 200 3',
    '127.0.0.1 - - [24/Sep/2013:11:50:51 -0700] "GET /favicon.ico HTTP/1.1" 404 308',
    '127.0.0.1 - - [24/Sep/2013:11:50:51 -0700] "GET /favicon.ico HTTP/1.1" 404 308',
    '127.0.0.1 - - [24/Sep/2013:11:51:34 -0700] "GET /~test/index.html HTTP/1.1" 200 3',
]
#: The current page's resource-URI corpus.
SERVICE_LOG = [
    "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200",
    "INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310",
    "WARNING 09/25/2014 12:00:02 Invalid user request",
    "ERROR 09/25/2014 12:00:02 Failed to process request",
]


def matching(pattern: str, corpus: Sequence[str]) -> list[str]:
    """The events of `corpus` that `pattern` matches, in order."""
    compiled = FilterPattern.parse(pattern)
    return [event for event in corpus if compiled.matches(event)]


# --------------------------------------------------------------------------- examples


class TestUnstructuredExamples:
    """Unstructured term patterns, exactly as AWS's pages describe them."""

    @pytest.mark.parametrize(
        ("pattern", "expected"),
        [
            pytest.param("ERROR", C1, id="FP-01-single-term"),
            pytest.param("ERROR ARGUMENTS", C1[2:4], id="FP-02-multiple-terms"),
            pytest.param("?ERROR ?ARGUMENTS", C1, id="FP-03-optional-terms"),
            pytest.param('"INTERNAL SERVER ERROR"', C1[4:], id="FP-04-exact-phrase"),
            pytest.param("ERROR -ARGUMENTS", [C1[0], C1[1], C1[4]], id="FP-05-exclude"),
            pytest.param('" "', C1, id="FP-06-match-everything"),
        ],
    )
    def test_current_page_corpus(self, pattern: str, expected: list[str]) -> None:
        """Each documented pattern matches exactly the documented C1 events."""
        assert matching(pattern, C1) == expected

    def test_optional_terms_ignored_beside_plain_terms(self) -> None:
        """AWS ignores "?" terms combined with a plain term: only REQUEST counts."""
        corpus = C1 + C1_EXTRA
        expected = [event for event in corpus if "REQUEST" in event]
        assert matching("?ERROR ?ARGUMENTS REQUEST", corpus) == expected
        assert "[INFO] REQUEST FAILED" in expected

    def test_optional_terms_ignored_beside_exclusions(self) -> None:
        """The "?" terms are ignored beside a "-" term too, leaving the exclusion alone."""
        assert matching("?ERROR -ARGUMENTS", C1_EXTRA) == C1_EXTRA

    @pytest.mark.parametrize(
        ("pattern", "expected"),
        [
            pytest.param("ERROR", C2[:2], id="FP-07"),
            pytest.param("?ERROR ?WARN", C2, id="FP-08"),
            pytest.param("ERROR WARN", C2[:1], id="FP-09"),
            pytest.param("ERROR -WARN", C2[1:2], id="FP-10"),
        ],
    )
    def test_2021_or_corpus(self, pattern: str, expected: list[str]) -> None:
        """The 2021 page's OR examples on "ERROR WARN message" etc."""
        assert matching(pattern, C2) == expected

    def test_term_matches_inside_a_word(self) -> None:
        """FP-13: ERROR matches anywhere, even inside ERRORCODE."""
        events = ["[ERROR] A fatal exception has occurred", "Exiting with ERRORCODE: -1"]
        assert matching("ERROR", events) == events
        assert matching('"ERROR"', events) == events

    @pytest.mark.parametrize("pattern", ['"ERROR" -"Exiting"', '"ERROR" - "Exiting"'])
    def test_include_and_exclude_quoted_terms(self, pattern: str) -> None:
        """FP-14: "ERROR" -"Exiting" (also as the 2021 page prints it) drops the Exiting line."""
        events = ["[ERROR] A fatal exception has occurred", "Exiting with ERRORCODE: -1"]
        assert matching(pattern, events) == events[:1]

    @pytest.mark.parametrize("pattern", ['"ERROR" "Exception"', "ERROR Exception"])
    def test_two_terms_anywhere(self, pattern: str) -> None:
        """FP-15: two terms must both appear, in any place."""
        events = ["[ERROR] Caught IllegalArgumentException", "[ERROR] Unhandled Exception"]
        assert matching(pattern, [*events, "[ERROR] ok", "Exception"]) == events

    def test_many_unquoted_words(self) -> None:
        """FP-16: each unquoted word is a term; all must appear."""
        events = [
            "[WARN] Failed to process the request",
            "[ERROR] Unable to continue: Failed to process the request",
        ]
        others = ["Failed to process", "the request failed to process"]
        assert matching("Failed to process the request", events + others) == events

    def test_quoted_phrase_is_verbatim(self) -> None:
        """A quoted phrase must appear with its spaces, unlike separate words."""
        assert matching('"Cloud watch"', ["Cloud logs watch", "Cloud watch logs"]) == [
            "Cloud watch logs"
        ]

    def test_case_sensitive(self) -> None:
        """Matching is case-sensitive (CountOccurrencesExample: "Error")."""
        events = ["This message contains an Error", "This message also contains an Error"]
        assert matching("Error", [*events, "an error", "ERROR"]) == events

    @pytest.mark.parametrize("pattern", ["", '""', '" "', "   ", '"   "  ""'])
    def test_match_everything(self, pattern: str) -> None:
        """Empty and blank patterns match every event and report MATCH_ALL."""
        compiled = FilterPattern.parse(pattern)
        assert compiled.kind is PatternKind.MATCH_ALL
        assert compiled.is_match_all
        assert all(compiled.matches(event) for event in [*C1, "", "x"])

    def test_quoted_backslash_escapes(self) -> None:
        """Inside quotes a backslash escapes a quote (simulation choice)."""
        assert matching(r'"say \"hi\""', ['they say "hi"', "say hi"]) == ['they say "hi"']


class TestRegexExamples:
    """Standalone %regex% patterns and AWS's examples of each supported operator."""

    @pytest.mark.parametrize(
        ("pattern", "matches", "misses"),
        [
            pytest.param(
                "%AUTHORIZED%",
                ["[ERROR 401] UNAUTHORIZED REQUEST", "[SUCCESS 200] AUTHORIZED REQUEST"],
                ["[ERROR 400] BAD REQUEST"],
                id="keyword",
            ),
            pytest.param("%^[hc]at%", ["hat", "cat", "cat nap"], ["a cat", "bat"], id="caret"),
            pytest.param("%[hc]at$%", ["hat", "the cat"], ["cats", "hat\n"], id="dollar"),
            pytest.param("%colou?r%", ["color", "colour"], ["colouur", "colr"], id="optional"),
            pytest.param("%[abc]%", ["a", "b", "c", "xcx"], ["d", "ABC"], id="class"),
            pytest.param("%[a-z]%", ["q", "1z"], ["Q", "1"], id="range"),
            pytest.param("%[abcx-z]%", ["a", "y", "z"], ["d", "w"], id="class-and-range"),
            pytest.param("%a{3,5}%", ["aaa", "aaaa", "aaaaa"], ["aa", "a a a"], id="bounds"),
            pytest.param("%a{3, 5}%", ["aaa"], ["aa"], id="bounds-with-space"),
            pytest.param("%a{3,}%", ["aaa", "aaaaaaa"], ["aa"], id="lower-bound-only"),
            pytest.param("%^a{,2}b%", ["b", "ab", "aab"], ["aaab"], id="upper-bound-only"),
            pytest.param("%gra|ey%", ["gray", "grey"], ["gry"], id="alternation"),
            pytest.param(
                "%^starting|^initializing|^shutting down%",
                ["starting now", "initializing disks", "shutting down"],
                ["skipping initializing disks", "shutting"],
                id="anchored-alternation",
            ),
            pytest.param("%abcc|ab[^c]$%", ["abcc x", "aba"], ["aac x", "abc"], id="negated-class"),
            pytest.param(
                r"%\[.\]%",
                ["[a]", "[b]", "[7]", "[@]", "[]]", "[ ]"],
                ["[]", "[ab]"],
                id="escaped-brackets",
            ),
            pytest.param(r"%10\.10\.0\.1%", ["ip 10.10.0.1"], ["10010,051"], id="escaped-dot"),
            pytest.param("%10.10.0.1%", ["10.10.0.1", "10010,051"], ["10.10.0"], id="dot"),
            pytest.param("%ab*c%", ["ac", "abc", "abbbc"], ["ab", "a c"], id="star"),
            pytest.param("%ab[0-9]*%", ["ab", "ab0", "ab129"], ["a b"], id="class-star"),
            pytest.param("%ab+c%", ["abc", "abbc", "abbbc"], ["ac"], id="plus"),
            pytest.param(
                "%.at%", ["hat", "cat", "bat", "4at", "#at", " at"], ["at", "hta"], id="any"
            ),
            pytest.param(r"%\d%", ["a1"], ["abc"], id="digit"),
            pytest.param(r"%^\D+$%", ["abc"], ["a1"], id="non-digit"),
            pytest.param(r"%a\sb%", ["a b", "a\tb", "a\nb"], ["ab", "a-b"], id="space"),
            pytest.param(r"%^\S+$%", ["abc"], ["a c"], id="non-space"),
            pytest.param(r"%^\w+$%", ["a_Z9"], ["a-b", "é"], id="word"),
            pytest.param(r"%\W%", ["a-b", "é"], ["a_b9"], id="non-word"),
            pytest.param(r"%\x3A%", ["a:b"], ["ab"], id="hex-colon"),
            pytest.param(r"%\x28%", ["f(x)"], ["fx"], id="hex-paren"),
            pytest.param("%a:b_c#d=e@f/g;h,i-j%", ["a:b_c#d=e@f/g;h,i-j"], ["a"], id="symbols"),
        ],
    )
    def test_operator_examples(self, pattern: str, matches: list[str], misses: list[str]) -> None:
        """Each example of "Supported regular expressions" matches what the page says."""
        compiled = FilterPattern.parse(pattern)
        assert compiled.kind is PatternKind.REGEX
        assert compiled.regex_count == 1
        assert matching(pattern, matches + misses) == matches

    def test_surrounding_blanks_allowed(self) -> None:
        """The page writes " %AUTHORIZED% " with blanks around it."""
        assert FilterPattern.parse("  %AUTHORIZED%  ").matches("AUTHORIZED")


class TestJsonExamples:
    """JSON patterns on AWS's example events J1 and J2."""

    @pytest.mark.parametrize(
        "pattern",
        [
            pytest.param('{ $.eventType = "UpdateTrail" }', id="FP-20-string"),
            pytest.param("{ $.sourceIPAddress != 123.123.* }", id="FP-21-ip-prefix"),
            pytest.param('{ $.arrayKey[0] = "value" }', id="FP-22-array-element"),
            pytest.param("{ $.objectList[1].id = 2 }", id="FP-23-object-in-array"),
            pytest.param("{ $.SomeObject IS NULL }", id="FP-24-null"),
            pytest.param("{ $.SomeOtherObject NOT EXISTS }", id="FP-25-not-exists"),
            pytest.param("{ $.ThisFlag IS TRUE }", id="FP-26-true"),
            pytest.param('{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }', id="FP-27-and"),
            pytest.param("{ $.eventType = %Trail% }", id="regex"),
            pytest.param("{ $.arrayKey[*] = %val.{2}% }", id="regex-any-element"),
            pytest.param(r"{ $.* = %111\.111\.111\.1[0-9]{1,2}% }", id="regex-any-field"),
            pytest.param("{ $.['cluster.name'] = \"c\" }", id="bracket-notation"),
            pytest.param("{ $['cluster.name'] = c }", id="bracket-notation-no-dot"),
            pytest.param("{ $.eventType = *Trail }", id="leading-wildcard"),
            pytest.param("{ $.eventType = Update* }", id="trailing-wildcard"),
        ],
    )
    def test_j1_matches(self, pattern: str) -> None:
        """Every documented J1 pattern matches J1."""
        compiled = FilterPattern.parse(pattern)
        assert compiled.kind is PatternKind.JSON
        assert compiled.matches(J1)

    @pytest.mark.parametrize(
        "pattern",
        [
            '{ $.eventType = "Update" }',
            "{ $.sourceIPAddress != 111.111.* }",
            '{ $.arrayKey[2] = "value" }',
            "{ $.objectList[0].id = 2 }",
            "{ $.eventType IS NULL }",
            "{ $.SomeObject NOT EXISTS }",
            "{ $.ThisFlag IS FALSE }",
            "{ $.eventType = %^Trail% }",
            "{ $.SomeObject = * }",
            "{ $.SomeObject != x }",
            "{ $.ThisFlag = true }",
            "{ $.objectList = * }",
            "{ $.SomeOtherObject != x }",
        ],
    )
    def test_j1_misses(self, pattern: str) -> None:
        """The negated variants of the J1 examples, and comparisons with non-value nodes, fail."""
        assert not FilterPattern.parse(pattern).matches(J1)

    def test_wildcard_inside_a_string_is_literal(self) -> None:
        """*Event matches PutEvent, Event* EventId; Ev*ent only the literal "Ev*ent"."""
        names = ["PutEvent", "GetEvent", "EventId", "EventName", "Ev*ent", "Evtent"]
        events = [json.dumps({"eventName": name}) for name in names]
        assert matching("{ $.eventName = *Event }", events) == events[:2]
        assert matching("{ $.eventName = Event* }", events) == events[2:4]
        assert matching('{ $.eventName = "Ev*ent" }', events) == events[4:5]
        assert matching("{ $.eventName = *ven* }", events) == events[:4]
        assert matching("{ $.eventName = *Id* }", events) == events[2:3]

    def test_array_selector_is_not_a_value(self) -> None:
        """FP-28: = and != both fail when the selector reaches an array."""
        event = '{"users": [1, 2, 3]}'
        assert not FilterPattern.parse("{ $.users = 1 }").matches(event)
        assert not FilterPattern.parse("{ $.users != 1 }").matches(event)

    def test_or_in_json(self) -> None:
        """FP-29: {$.foo = bar} / {$.foo = baz} / their OR on two events."""
        events = ['{"foo": "bar"}', '{"foo": "baz"}']
        assert matching("{$.foo = bar}", events) == events[:1]
        assert matching("{$.foo = baz }", events) == events[1:]
        assert matching("{$.foo = bar || $.foo = baz }", events) == events

    @pytest.mark.parametrize(
        ("pattern", "expected"),
        [
            pytest.param(
                '{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }',
                True,
                id="FP-30",
            ),
            pytest.param(
                '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch"'
                ' && $.actions[2] = "nonmatch" }',
                True,
                id="FP-31",
            ),
            pytest.param(
                '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch")'
                ' && $.actions[2] = "nonmatch" }',
                False,
                id="FP-32",
            ),
            pytest.param(
                '{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }',
                False,
                id="FP-33",
            ),
            pytest.param(
                '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch'
                " && $.actions[2] = nomatch }",
                True,
                id="2021-bare-strings",
            ),
            pytest.param(
                '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch)'
                " && $.actions[2] = nomatch }",
                False,
                id="2021-bare-strings-grouped",
            ),
            pytest.param("{ $.coordinates[2][0] = 7 && $.users[1].id >= 3 }", True, id="nested"),
        ],
    )
    def test_compound_conditions(self, pattern: str, expected: bool) -> None:
        """&& binds tighter than ||, parentheses regroup (J2 examples)."""
        assert FilterPattern.parse(pattern).matches(J2) is expected

    def test_non_json_messages_never_match(self) -> None:
        """Non-object messages fail even NOT EXISTS."""
        pattern = FilterPattern.parse("{ $.missing NOT EXISTS }")
        assert pattern.matches("{}")
        assert pattern.matches('  {"a": 1}  ')
        for message in ["plain text", "[1, 2]", '"text"', "{broken", 'prefix {"a": 1}', "{} x"]:
            assert not pattern.matches(message)
        assert not pattern.matches('{"a": NaN}')

    def test_escaped_json_still_matches(self) -> None:
        """Values and keys written with JSON escapes match like their plain spelling."""
        pattern = FilterPattern.parse('{ $.eventType = "UpdateTrail" && $.level = INFO }')
        assert pattern.matches('{"eventType": "Update\\u0054rail", "level": "INFO"}')
        assert pattern.matches('{"event\\u0054ype": "UpdateTrail", "level": "INFO"}')
        assert pattern.matches('{"eventType": "UpdateTrail", "level": "INFO"}')
        assert not pattern.matches('{"eventType": "UpdateTrail", "level": "WARN"}')
        assert not pattern.matches('{"eventType": "Update\\u0054rails", "level": "INFO"}')

    def test_quoted_string_keeps_special_characters(self) -> None:
        """Quoted strings may hold @, $, backslash and spaces."""
        event = json.dumps({"who": "a@b $c\\d e"})
        assert FilterPattern.parse(r'{ $.who = "a@b $c\\d e" }').matches(event)

    def test_property_names_with_dash_and_underscore(self) -> None:
        """Selectors accept '-' and '_' in property names."""
        event = json.dumps({"request-id": {"trace_id": "t1"}})
        assert FilterPattern.parse("{ $.request-id.trace_id = t1 }").matches(event)


class TestNumericJsonExamples:
    """Numeric JSON comparisons: every documented syntax is accepted and compares numbers."""

    @pytest.mark.parametrize(
        ("pattern", "hit", "miss"),
        [
            ("{ $.bandwidth > 75 }", 76, 75),
            ("{ $.latency < 50 }", 49.5, 50),
            ("{ $.latency >= 500 }", 500, 499),
            ("{ $.refreshRate >= 60 }", 60, 59),
            ("{ $.responseTime <= 5 }", 5, 5.01),
            ("{ $.errorCode = 400}", 400, 401),
            ("{ $.errorCode = 400 }", 400.0, 4000),
            ("{ $.errorCode != 500 }", 404, 500),
            ("{ $.latency > +1000 }", 1001, 1000),
            ("{ $.x = -5 }", -5, 5),
        ],
    )
    def test_scalar_comparisons(self, pattern: str, hit: float, miss: float) -> None:
        """The documented comparison examples hold for a hit value and fail for a miss."""
        field = pattern.split("$.")[1].split()[0]
        compiled = FilterPattern.parse(pattern)
        assert compiled.matches(json.dumps({field: hit}))
        assert not compiled.matches(json.dumps({field: miss}))

    @pytest.mark.parametrize(
        ("pattern", "hit", "miss"),
        [
            ("{ $.number[0] = 1e-3 }", 0.001, 0.01),
            ("{ $.number[0] != 1e+3 }", 999, 1000),
            ("{ $.number[0] = 1e+3 }", 1000, 1001),
            ("{ $.number[0] != 1e-3 }", 1, 0.001),
            ("{ $.numbers[0] < 10e3 }", 9999, 10000),
            ("{ $.numbers[0] < 10e-3 }", 0.009, 0.01),
        ],
    )
    def test_scientific_notation(self, pattern: str, hit: float, miss: float) -> None:
        """Numbers may use scientific notation with a signed exponent."""
        field = pattern.split("$.")[1].split("[")[0]
        compiled = FilterPattern.parse(pattern)
        assert compiled.matches(json.dumps({field: [hit]}))
        assert not compiled.matches(json.dumps({field: [miss]}))

    def test_nested_array_selector(self) -> None:
        """{ $.processes[4].averageRuntime <= 55.5 } reaches into the fifth process."""
        processes = [{"averageRuntime": 99}] * 4 + [{"averageRuntime": 55.5}]
        compiled = FilterPattern.parse("{ $.processes[4].averageRuntime <= 55.5 }")
        assert compiled.matches(json.dumps({"processes": processes}))
        assert not compiled.matches(json.dumps({"processes": processes[:4]}))

    def test_numeric_comparison_ignores_strings_and_booleans(self) -> None:
        """A number condition never matches a JSON string, boolean or null."""
        compiled = FilterPattern.parse("{ $.code = 400 }")
        for value in ["400", True, None, [400]]:
            assert not compiled.matches(json.dumps({"code": value}))

    def test_large_integers_compare_exactly(self) -> None:
        """Integers beyond float precision still compare exactly."""
        compiled = FilterPattern.parse("{ $.id = 9007199254740993 }")
        assert compiled.matches('{"id": 9007199254740993}')
        assert not compiled.matches('{"id": 9007199254740992}')

    def test_wildcard_matches_numbers_through_their_text(self) -> None:
        """{ $.latency = * } holds for numbers; 5* for 50 (numbers as text)."""
        assert FilterPattern.parse("{ $.latency = * }").matches('{"latency": 50}')
        assert FilterPattern.parse("{ $.latency = 5* }").matches('{"latency": 50}')
        assert not FilterPattern.parse("{ $.latency = 6* }").matches('{"latency": 50}')


class TestSpaceDelimitedExamples:
    """Space-delimited patterns on AWS's access-log and OR examples."""

    @pytest.mark.parametrize(
        "pattern",
        [
            pytest.param(
                "[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]",
                id="FP-40",
            ),
            pytest.param("[..., request =*.html*, status_code = 4*, bytes]", id="FP-41"),
            pytest.param(
                "[ip, user, username, timestamp, request =*.html*, "
                "status_code = 404 || status_code = 410, bytes]",
                id="FP-42",
            ),
            pytest.param(
                "[ip, server, username, timestamp, request, status_code, bytes > 1000]",
                id="FP-43",
            ),
            pytest.param(
                r"[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request =*.html*, "
                "status_code = 4*, bytes]",
                id="regex-field",
            ),
            pytest.param("[ip, user, username, timestamp, request, status_code, bytes]", id="all"),
            pytest.param("[ip, user, ..., status_code, bytes]", id="middle-ellipsis"),
            pytest.param("[ip, user, ...]", id="trailing-ellipsis"),
            pytest.param("[..., status_code, bytes]", id="leading-ellipsis"),
            pytest.param(
                "[ip, user, username, timestamp, request, status_code = 4* && "
                "status_code != 403, bytes]",
                id="and-same-field",
            ),
            pytest.param(
                "[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]",
                id="2021-wildcards",
            ),
            pytest.param(
                "[ip, user, username, timestamp, request, status_code = 403 || "
                "status_code = 404, bytes]",
                id="2021-or",
            ),
        ],
    )
    def test_a1_matches(self, pattern: str) -> None:
        """Every documented pattern matches the documented access-log line."""
        compiled = FilterPattern.parse(pattern)
        assert compiled.kind is PatternKind.SPACE_DELIMITED
        assert compiled.matches(A1)

    @pytest.mark.parametrize(
        "pattern",
        [
            "[ip, user, username, timestamp, request, status_code = 200, bytes]",
            "[ip, user, username, timestamp, request, status_code, bytes > 1534]",
            "[ip, user, username, timestamp, request, status_code]",
            "[ip, user, username, timestamp, request, status_code, bytes, extra]",
            "[..., request = *.gif*, status_code, bytes]",
            r"[ip=%127\.0\.0\.[2-9]%, ...]",
        ],
    )
    def test_a1_misses(self, pattern: str) -> None:
        """Changed conditions and wrong field counts do not match."""
        assert not FilterPattern.parse(pattern).matches(A1)

    @pytest.mark.parametrize(
        ("pattern", "expected"),
        [
            pytest.param("[w1=ERROR, w2]", C2[1:2], id="FP-11"),
            pytest.param("[w1=ERROR || w1=WARN, w2]", C2[1:], id="FP-12"),
            pytest.param("[w1!=ERROR&&w1!=WARN, w2]", [], id="both-excluded"),
            pytest.param("[w1=ERROR, w2, w3]", C2[:1], id="three-fields"),
        ],
    )
    def test_2021_or_corpus(self, pattern: str, expected: list[str]) -> None:
        """The field-count rule: [w1=ERROR, w2] matches "ERROR message" only."""
        assert matching(pattern, C2) == expected

    def test_current_page_word_order_examples(self) -> None:
        """[w1=ERROR, w2], [w1=ERROR || w1=WARNING, w2], [w1!=ERROR && w1!=WARNING, w2]."""
        events = ["ERROR message", "WARNING message", "INFO message", "ERROR two words"]
        assert matching("[w1=ERROR, w2]", events) == events[:1]
        assert matching("[w1=ERROR || w1=WARNING, w2]", events) == events[:2]
        assert matching("[w1!=ERROR && w1!=WARNING, w2]", events) == events[2:3]

    def test_resource_uri_examples(self) -> None:
        """The top-level and child-level URI regex examples pick lines 1 and 2."""
        top = "[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]"
        child = (
            "[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, "
            "response_time]"
        )
        assert matching(top, SERVICE_LOG) == SERVICE_LOG[:1]
        assert matching(child, SERVICE_LOG) == SERVICE_LOG[1:2]

    @pytest.mark.parametrize(
        "pattern",
        [
            "[ip, id, user, timestamp, request, status_code=4*, size]",
            "[ip, id, user, timestamp, request, status_code=404, size]",
        ],
    )
    def test_count_4xx(self, pattern: str) -> None:
        """FP-45: FindCountMetric's patterns match the four 404 lines of six."""
        assert matching(pattern, APACHE) == [APACHE[0], APACHE[1], APACHE[3], APACHE[4]]

    def test_count_404_with_capitalised_names(self) -> None:
        """Counting404Responses.html's console pattern, on its two posted events."""
        events = [
            '127.0.0.1 - bob [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326',
            '127.0.0.1 - bob [10/Oct/2000:13:55:36 -0700] "GET /apache_pb2.gif HTTP/1.0" 200 2326',
        ]
        pattern = "[IP, UserInfo, User, Timestamp, RequestInfo, StatusCode=404, Bytes]"
        assert matching(pattern, events) == events[:1]

    def test_field_splitting(self) -> None:
        """Quotes and brackets group fields; runs of spaces are one separator."""
        pattern = FilterPattern.parse("[a, b, c, d]")
        result = pattern.match('  x   "y  z"  [p q]   ""  ')
        assert result is not None
        assert dict(result.extracted_values) == {"$a": "x", "$b": "y  z", "$c": "p q", "$d": ""}

    def test_numeric_equality_and_text_fallback(self) -> None:
        """= 404 compares numbers (0404 too); a non-number field compares as text."""
        pattern = FilterPattern.parse("[code = 404]")
        assert matching("[code = 404]", ["404", "0404", "404.0", "4040", "abc"]) == [
            "404",
            "0404",
            "404.0",
        ]
        assert matching("[code != 404]", ["404", "405", "abc"]) == ["405", "abc"]
        assert not pattern.matches("404 extra")


class TestMetricExtraction:
    """MatchResult: TestMetricFilter's extractedValues and metric value/dimension lookups."""

    def test_named_fields(self) -> None:
        """FP-40: every named field is extracted as $name."""
        result = FilterPattern.parse(
            "[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]"
        ).match(A1)
        assert result is not None
        assert dict(result.extracted_values) == {
            "$ip": "127.0.0.1",
            "$user": "Prod",
            "$username": "frank",
            "$timestamp": "10/Oct/2000:13:25:15 -0700",
            "$request": "GET /index.html HTTP/1.0",
            "$status_code": "404",
            "$bytes": "1534",
        }

    def test_ellipsis_and_unnamed_fields_are_positional(self) -> None:
        """FP-44: [..., request=*.html*, status_code=4*,] yields $1..$4, names and $7."""
        result = FilterPattern.parse("[..., request=*.html*, status_code=4*,]").match(A2)
        assert result is not None
        assert dict(result.extracted_values) == {
            "$status_code": "404",
            "$request": "GET /index.html HTTP/1.0",
            "$7": "1534",
            "$4": "10/Oct/2000:13:25:15 -0700",
            "$3": "frank",
            "$2": "-",
            "$1": "127.0.0.1",
        }
        assert result.number_of("$7") == 1534.0

    def test_dimension_from_named_field(self) -> None:
        """FP-43: dimension $server resolves to "Prod"."""
        result = FilterPattern.parse(
            "[ip, server, username, timestamp, request, status_code, bytes > 1000]"
        ).match(A1)
        assert result is not None
        assert result.value_of("$server") == "Prod"
        assert result.value_of("$6") == "404"
        assert result.value_of("$nope") is None
        assert result.value_of("$8") is None
        assert result.value_of("$.x") is None

    def test_size_values(self) -> None:
        """FP-46: metricValue $size gives 287, 287, 3, 308, 308, 3."""
        pattern = FilterPattern.parse("[ip, id, user, timestamp, request, status_code, size]")
        results = [pattern.match(line) for line in APACHE]
        assert [r.number_of("$size") for r in results if r is not None] == [
            287.0,
            287.0,
            3.0,
            308.0,
            308.0,
            3.0,
        ]

    def test_json_metric_value(self) -> None:
        """FP-47: { $.latency = * } with metricValue $.latency publishes 50."""
        result = FilterPattern.parse("{ $.latency = * }").match(
            '{"latency": 50, "requestType": "GET"}'
        )
        assert result is not None
        assert result.number_of("$.latency") == 50.0
        assert result.value_of("$.requestType") == "GET"
        assert dict(result.extracted_values) == {}

    def test_json_dimensions(self) -> None:
        """Dimension selectors resolve strings, numbers and booleans; not objects or null."""
        result = FilterPattern.parse('{ $.eventType = "*" }').match(J1)
        assert result is not None
        assert result.value_of("$.eventType") == "UpdateTrail"
        assert result.value_of("$.objectList[1].id") == "2"
        assert result.number_of("$.objectList[1].id") == 2.0
        assert result.value_of("$.ThisFlag") == "true"
        assert result.value_of("$.SomeObject") is None
        assert result.value_of("$.objectList") is None
        assert result.value_of("$.missing") is None
        assert result.value_of("$.bad..selector") is None
        assert result.number_of("$.eventType") is None
        assert result.value_of("$size") is None

    def test_numeric_text_values(self) -> None:
        """number_of reads numbers written as text; not non-numbers or infinities."""
        result = FilterPattern.parse("{ $.a = * }").match(
            '{"a": "12.5", "b": "x", "c": 1e400, "d": "1'
            + "0" * 400
            + '", "e": 1'
            + "0" * 400
            + "}"
        )
        assert result is not None
        assert result.number_of("$.a") == 12.5
        assert result.number_of("$.b") is None
        assert result.number_of("$.c") is None
        assert result.number_of("$.d") is None
        assert result.number_of("$.e") is None

    def test_term_patterns_extract_nothing(self) -> None:
        """Term and regex patterns match with empty extracted values."""
        for pattern in ["ERROR", "%ERR%", ""]:
            result = FilterPattern.parse(pattern).match("ERROR here")
            assert isinstance(result, MatchResult)
            assert dict(result.extracted_values) == {}
            assert result.message == "ERROR here"
        assert FilterPattern.parse("ERROR").match("fine") is None

    def test_match_agrees_with_matches(self) -> None:
        """match() is None exactly when matches() is False."""
        for pattern in ["[a, b]", "{ $.a = 1 }", "ERROR"]:
            compiled = FilterPattern.parse(pattern)
            for message in ["ERROR x", '{"a": 1}', "a b c"]:
                assert (compiled.match(message) is not None) is compiled.matches(message)


class TestCompiledPattern:
    """The compiled object: immutable, comparable, cached and informative."""

    def test_equality_and_hash_by_text(self) -> None:
        """Patterns compare and hash by their text."""
        first, second = FilterPattern.parse("ERROR"), FilterPattern.parse("ERROR")
        assert first == second
        assert hash(first) == hash(second)
        assert first != FilterPattern.parse("WARN")

    def test_frozen(self) -> None:
        """A compiled pattern cannot be changed."""
        pattern = FilterPattern.parse("ERROR")
        with pytest.raises(AttributeError):
            pattern.text = "WARN"  # type: ignore[misc]

    def test_regex_count(self) -> None:
        """regex_count counts %...% in every kind of pattern."""
        assert FilterPattern.parse("{ $.a = %x% && $.b = %y% }").regex_count == 2
        assert FilterPattern.parse("[a = %x%, b]").regex_count == 1
        assert FilterPattern.parse("%x%").regex_count == 1
        assert FilterPattern.parse("ERROR").regex_count == 0

    @pytest.mark.parametrize(
        ("pattern", "kind"),
        [
            ("ERROR", PatternKind.TERMS),
            ("  { $.a = 1 }", PatternKind.JSON),
            (" [a]", PatternKind.SPACE_DELIMITED),
            ("%a%", PatternKind.REGEX),
            ("", PatternKind.MATCH_ALL),
        ],
    )
    def test_kind_from_first_character(self, pattern: str, kind: PatternKind) -> None:
        """The first non-blank character picks the pattern kind."""
        assert FilterPattern.parse(pattern).kind is kind

    def test_longest_pattern_accepted(self) -> None:
        """A 1024-character pattern is accepted."""
        assert FilterPattern.parse("a" * 1024).matches("a" * 1024)

    def test_empty_delimited_pattern_is_one_field(self) -> None:
        """[] is one unnamed field (simulation choice)."""
        assert matching("[]", ["one", "two words"]) == ["one"]

    def test_adjacent_ellipses(self) -> None:
        """Several ellipses still match and extract positions."""
        result = FilterPattern.parse("[..., ..., x = 3, ..., y, ...]").match("1 2 3 4 5")
        assert result is not None
        assert result.value_of("$x") == "3"
        assert result.value_of("$y") == "4"


# --------------------------------------------------------------------------- errors

ERROR_TABLE = [
    ("ERROR.", 5, "a space after the term"),
    ("ERROR:", 5, "a space after the term"),
    ('"unclosed', 0, "a closing '\"' for the string opened here"),
    ("ERROR -", 7, "a term"),
    ("?", 1, "a term"),
    ("a*b", 1, "a space after the term"),
    ("{ $.a = 1", 9, "'&&', '||' or '}'"),
    ("{ a = 1 }", 2, "a property selector starting with '$'"),
    ("{}", 1, "a property selector starting with '$'"),
    ("{ $ = 1 }", 3, "'.' and a property name after '$'"),
    ("{ $. = 1 }", 4, "a property name"),
    ("{ $[0] = 1 }", 3, "a property before the array index"),
    ("{ $.a[x] = 1 }", 6, "an array index, '*' or a quoted property name"),
    ("{ $.a['b = 1 }", 6, "a closing ' for the name opened here"),
    ("{ $.a[*].b[*] = 1 }", 2, "at most one wildcard in a property selector"),
    (
        "{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }",
        44,
        "at most 3 wildcard selectors in a pattern",
    ),
    ("{ $.a IS NOT NULL }", 9, "NULL, TRUE or FALSE after IS"),
    ("{ $.a IS MAYBE }", 9, "NULL, TRUE or FALSE after IS"),
    ("{ $.a EXISTS }", 6, "an operator (=, !=, <, >, <=, >=), IS or NOT EXISTS"),
    ("{ $.a NOT THERE }", 10, "EXISTS after NOT"),
    ('{ $.a > "x" }', 8, "a number after '>'"),
    ("{ $.a <= abc }", 9, "a number after '<='"),
    ("{ $.a >= %x% }", 9, "a number after '>='"),
    ("{ $.a = }", 8, "a value (a string, a number or a %regex%)"),
    ("{ $.a = foo-bar }", 8, "a number, or a string (quote strings"),
    ("{ $.a = @x }", 8, "a value (a string, a number or a %regex%)"),
    ("{ ($.a = 1 }", 11, "'&&', '||' or ')'"),
    ("{ $.a = 1 } x", 12, "end of pattern after '}'"),
    ("{ $.a = 1 && }", 13, "a property selector starting with '$'"),
    ("{ $.a = %x% || $.b = %y% || $.c = %z% }", 34, "at most 2 regexes"),
    ("{" + "(" * 101 + "$.a = 1" + ")" * 101 + "}", 101, "at most 100 nested parentheses"),
    ("[a, b", 5, "',' or ']'"),
    ("[a b]", 3, "an operator (=, !=, <, >, <=, >=)"),
    ("[a = ]", 5, "a value (a string, a number or a %regex%)"),
    ("[a > x]", 5, "a number after '>'"),
    ('[a < "1"]', 5, "a number after '<'"),
    ("[=ERROR]", 1, "a field name (letters, digits, '_'), '...', ',' or ']'"),
    (
        "[status_code = 4* && bytes > 1000]",
        21,
        "a condition on field 'status_code' (a condition may only name its own field)",
    ),
    ("[a = x || ]", 10, "an operator (=, !=, <, >, <=, >=)"),
    ("[a] b", 4, "end of pattern after ']'"),
    ('[a="x]', 3, "a closing '\"' for the string opened here"),
    ("[a=%x%, b=%y%, c=%z%]", 17, "at most 2 regexes"),
    ("%something!%", 10, "a supported regex character, found '!'"),
    ("%(a)%", 1, "a supported regex character; '(' and ')' (groups) are not supported"),
    ("%a)%", 2, "a supported regex character; '(' and ')' (groups) are not supported"),
    ("%abc", 0, "a closing '%' for the regex opened here"),
    ("%%", 1, "a regular expression, found '%'"),
    ("%é%", 1, "an ASCII character; multi-byte characters are not supported"),
    ("%a\tb%", 2, "a supported regex character, found '\\t'"),
    ("%\\q%", 1, "a supported escape"),
    ("%ab\\%", 3, "a character after '\\'"),
    ("%\\x4%", 1, "two hex digits after '\\x'"),
    ("%*a%", 1, "a valid regular expression (nothing to repeat)"),
    ("%a**%", 3, "a valid regular expression (multiple repeat)"),
    ("%[z-a]%", 2, "a valid regular expression (bad character range z-a)"),
    ("%a{x}%", 2, "a quantifier such as {3}, {3,} or {3,5}"),
    ("%a{,}%", 2, "a quantifier such as {3}, {3,} or {3,5}"),
    ("%[abc%", 5, "']' to close the class"),
    ("%abc% def", 6, "end of pattern after the regex"),
]


class TestErrors:
    """Malformed patterns raise InvalidParameterException with the position and the expectation."""

    @pytest.mark.parametrize(
        ("pattern", "position", "expected"),
        ERROR_TABLE,
        ids=[f"{index:02d}-{row[0][:30]}" for index, row in enumerate(ERROR_TABLE)],
    )
    def test_error_table(self, pattern: str, position: int, expected: str) -> None:
        """Each invalid pattern is rejected at the right position, saying what was expected."""
        with pytest.raises(InvalidParameterException) as caught:
            FilterPattern.parse(pattern)
        error = caught.value
        assert error.code == "InvalidParameterException"
        assert error.service == "logs"
        assert error.param == "filterPattern"
        assert error.value == pattern
        assert isinstance(error, InvalidParameter)
        assert isinstance(error, ValueError)
        assert re.match(
            rf"^Invalid filter pattern at position {position}: expected {re.escape(expected)}",
            error.message,
        ), error.message

    def test_too_long(self) -> None:
        """A pattern over 1024 characters gets AWS's length-validation message."""
        pattern = "a" * 1025
        with pytest.raises(InvalidParameterException) as caught:
            FilterPattern.parse(pattern)
        assert caught.value.message == (
            f"1 validation error detected: Value '{pattern}' at 'filterPattern' failed to "
            "satisfy constraint: Member must have length less than or equal to 1024"
        )

    def test_deepest_nesting_accepted(self) -> None:
        """100 nested parentheses still parse and match."""
        pattern = FilterPattern.parse("{" + "(" * 100 + "$.a = 1" + ")" * 100 + "}")
        assert pattern.matches('{"a": 1}')

    def test_str_names_the_code(self) -> None:
        """str() of the error starts with the AWS code."""
        with pytest.raises(InvalidParameterException) as caught:
            FilterPattern.parse("{")
        assert str(caught.value).startswith("InvalidParameterException: Invalid filter pattern")


# --------------------------------------------------------------------------- oracles
#
# The oracles below work from the generated structure (term lists, condition
# trees, field lists, regex ASTs), never from the pattern text, and use the
# plainest code that states AWS's rules.


def oracle_number(text: str) -> float | None:
    """AWS's number syntax, read naively."""
    if re.fullmatch(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?", text):
        return float(text)
    return None


# ---- terms

TERM_WORDS = st.text(alphabet="abAB_1", min_size=1, max_size=3)
TERM_PHRASES = st.text(alphabet="ab -:[]", min_size=0, max_size=4)
TERMS = st.lists(
    st.tuples(
        st.sampled_from(["", "-", "?"]),
        st.one_of(
            TERM_WORDS.map(lambda word: (word, False)),
            TERM_PHRASES.map(lambda phrase: (phrase, True)),
        ),
    ),
    max_size=4,
)
TERM_MESSAGES = st.text(alphabet="abAB_1 -:[]", max_size=12)


def render_terms(terms: list[tuple[str, tuple[str, bool]]]) -> str:
    """Write a term list as a filter pattern."""
    parts = []
    for prefix, (text, quoted) in terms:
        parts.append(prefix + (f'"{text}"' if quoted else text))
    return " ".join(parts)


def oracle_terms(terms: list[tuple[str, tuple[str, bool]]], message: str) -> bool:
    """AND of plain terms, none of the "-" terms; "?" terms only when alone."""
    plain = [text for prefix, (text, _) in terms if prefix == "" and text.strip()]
    excluded = [text for prefix, (text, _) in terms if prefix == "-" and text.strip()]
    optional = [text for prefix, (text, _) in terms if prefix == "?" and text.strip()]
    if plain or excluded:
        return all(t in message for t in plain) and not any(t in message for t in excluded)
    if optional:
        return any(t in message for t in optional)
    return True


# ---- JSON


@dataclass(frozen=True)
class Cond:
    """A generated JSON condition: path, operator and operand."""

    path: tuple[str | int, ...]
    op: str
    operand: Any


@dataclass(frozen=True)
class BoolOp:
    """A generated && / || node; `parens` asks for redundant parentheses."""

    op: str
    left: Any
    right: Any
    parens: bool


JSON_KEYS = ["a", "b", "c"]
JSON_SCALARS = st.one_of(
    st.integers(-3, 12),
    st.sampled_from([0.5, 2.0, -1.5, 1e3]),
    st.sampled_from(["x", "xy", "yx", "1", "10", "", "x y"]),
    st.booleans(),
    st.none(),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(JSON_KEYS), children, max_size=3),
    ),
    max_leaves=8,
)
JSON_DOCUMENTS = st.fixed_dictionaries({}, optional=dict.fromkeys(JSON_KEYS, JSON_VALUES))
JSON_PATHS = st.lists(
    st.one_of(st.sampled_from(JSON_KEYS), st.integers(0, 2), st.just("*")), min_size=1, max_size=3
).filter(lambda path: not isinstance(path[0], int) and path.count("*") <= 1)
JSON_CONDITIONS = st.one_of(
    st.builds(
        Cond,
        JSON_PATHS.map(tuple),
        st.sampled_from(["=", "!="]),
        st.sampled_from(["x", "*", "x*", "*x", "*y*", "xy", "1", "x y", "*x y"]).map(
            lambda s: ("str", s)
        ),
    ),
    st.builds(
        Cond,
        JSON_PATHS.map(tuple),
        st.sampled_from(["=", "!=", "<", ">", "<=", ">="]),
        st.sampled_from(["0", "1", "2", "-1.5", "0.5", "1e3", "+10", "2.0"]).map(
            lambda s: ("num", s)
        ),
    ),
    st.builds(
        Cond, JSON_PATHS.map(tuple), st.just("IS"), st.sampled_from(["NULL", "TRUE", "FALSE"])
    ),
    st.builds(Cond, JSON_PATHS.map(tuple), st.just("NOT EXISTS"), st.none()),
    st.builds(Cond, JSON_PATHS.map(tuple), st.sampled_from(["=", "!="]), st.just(("regex", "x.?"))),
)
JSON_EXPRESSIONS = st.recursive(
    JSON_CONDITIONS,
    lambda children: st.builds(
        BoolOp, st.sampled_from(["&&", "||"]), children, children, st.booleans()
    ),
    max_leaves=5,
)


def wildcards_in(expression: Any) -> int:
    """How many wildcard selectors a generated expression has."""
    if isinstance(expression, Cond):
        return 1 if "*" in expression.path else 0
    return wildcards_in(expression.left) + wildcards_in(expression.right)


def render_path(path: tuple[str | int, ...]) -> str:
    """Write a generated path as a selector."""
    text = "$"
    for step in path:
        if step == "*":
            text += ".*"
        elif isinstance(step, int):
            text += f"[{step}]"
        else:
            text += f".{step}"
    return text


def render_json(expression: Any) -> str:
    """Write a generated expression, with parentheses only where needed or asked for."""
    if isinstance(expression, Cond):
        selector = render_path(expression.path)
        if expression.op == "IS":
            return f"{selector} IS {expression.operand}"
        if expression.op == "NOT EXISTS":
            return f"{selector} NOT EXISTS"
        kind, text = expression.operand
        if kind == "str":
            text = f'"{text}"'
        elif kind == "regex":
            text = f"%{text}%"
        return f"{selector} {expression.op} {text}"
    left, right = render_json(expression.left), render_json(expression.right)
    if expression.op == "&&":
        if isinstance(expression.left, BoolOp) and expression.left.op == "||":
            left = f"({left})"
        if isinstance(expression.right, BoolOp) and expression.right.op == "||":
            right = f"({right})"
    text = f"{left} {expression.op} {right}"
    return f"({text})" if expression.parens else text


def oracle_resolve(document: Any, path: tuple[str | int, ...]) -> list[Any]:
    """Every node a path reaches."""
    nodes = [document]
    for step in path:
        found = []
        for node in nodes:
            if step == "*":
                if isinstance(node, dict):
                    found.extend(node.values())
                elif isinstance(node, list):
                    found.extend(node)
            elif isinstance(step, int):
                if isinstance(node, list) and step < len(node):
                    found.append(node[step])
            elif isinstance(node, dict) and step in node:
                found.append(node[step])
        nodes = found
    return nodes


def oracle_value_text(node: Any) -> str | None:
    """A value node's text: strings as they are, numbers as Python prints them."""
    if isinstance(node, bool) or node is None:
        return None
    if isinstance(node, str | int | float):
        return node if isinstance(node, str) else repr(node)
    return None


def oracle_string_equal(pattern: str, text: str) -> bool:
    """Equality with a wildcard only at the start and/or end."""
    core, lead, trail = pattern, False, False
    if core.startswith("*"):
        core, lead = core[1:], True
    if core.endswith("*"):
        core, trail = core[:-1], True
    regex = ("^.*" if lead else "^") + re.escape(core) + (".*$" if trail else "$")
    return re.match(regex, text, re.DOTALL) is not None


def oracle_condition(cond: Cond, document: dict[str, Any]) -> bool:
    """One condition, for any node the path reaches."""
    nodes = oracle_resolve(document, cond.path)
    if cond.op == "NOT EXISTS":
        return not nodes
    for node in nodes:
        if cond.op == "IS":
            if node is {"NULL": None, "TRUE": True, "FALSE": False}[cond.operand]:
                return True
            continue
        kind, operand = cond.operand
        if kind == "num":
            if isinstance(node, bool) or not isinstance(node, int | float):
                continue
            number = float(operand)
            results = {
                "=": node == number,
                "!=": node != number,
                "<": node < number,
                ">": node > number,
                "<=": node <= number,
                ">=": node >= number,
            }
            if results[cond.op]:
                return True
            continue
        text = oracle_value_text(node)
        if text is None:
            continue
        if kind == "regex":
            hit = re.search(operand, text) is not None
        else:
            hit = oracle_string_equal(operand, text)
        if hit == (cond.op == "="):
            return True
    return False


def oracle_json(expression: Any, document: dict[str, Any]) -> bool:
    """Evaluate a generated expression tree."""
    if isinstance(expression, Cond):
        return oracle_condition(expression, document)
    if expression.op == "&&":
        return oracle_json(expression.left, document) and oracle_json(expression.right, document)
    return oracle_json(expression.left, document) or oracle_json(expression.right, document)


# ---- space-delimited


@dataclass(frozen=True)
class Field:
    """A generated pattern field: ellipsis, or a name with OR-of-AND conditions."""

    name: str | None
    conditions: tuple[tuple[tuple[str, str, str], ...], ...] = ()
    ellipsis: bool = False


FIELD_VALUES = st.one_of(
    st.sampled_from(["1", "10", "2.5", "-3", "x", "xy", "ab", "1x"]),
    st.text(alphabet="ab1.-", min_size=1, max_size=3),
)
FIELD_GLOBS = st.sampled_from(["x", "x*", "*y", "*", "a*b", "1*", "*.*", "ab"])
FIELD_NUMBERS = st.sampled_from(["1", "10", "2.5", "-3", "0"])
FIELD_CONDITIONS = st.one_of(
    st.tuples(st.sampled_from(["=", "!="]), st.just("glob"), FIELD_GLOBS),
    st.tuples(st.sampled_from(["=", "!=", "<", ">", "<=", ">="]), st.just("num"), FIELD_NUMBERS),
    st.tuples(st.sampled_from(["=", "!="]), st.just("regex"), st.sampled_from(["^x", "b$", "1"])),
)
FIELDS = st.one_of(
    st.just(Field(None, ellipsis=True)),
    st.just(Field(None)),
    st.builds(
        Field,
        st.sampled_from(["f", "g", "h1", "w_2"]),
        st.lists(st.lists(FIELD_CONDITIONS, min_size=1, max_size=2).map(tuple), max_size=2).map(
            tuple
        ),
    ),
)
MESSAGE_FIELDS = st.lists(
    st.one_of(
        FIELD_VALUES.map(lambda value: (value, "plain")),
        st.text(alphabet="ab 1[", max_size=3).map(lambda value: (value, "quoted")),
        st.text(alphabet='ab 1"', max_size=3).map(lambda value: (value, "bracketed")),
    ),
    min_size=1,
    max_size=5,
)


def render_delimited(fields: list[Field]) -> str:
    """Write generated fields as a space-delimited pattern."""
    parts = []
    for field in fields:
        if field.ellipsis:
            parts.append("...")
            continue
        text = field.name or ""
        groups = []
        for group in field.conditions:
            conds = []
            for op, kind, value in group:
                rendered = f"%{value}%" if kind == "regex" else value
                conds.append(f"{field.name} {op} {rendered}")
            groups.append(" && ".join(conds))
        if groups:
            text = " || ".join(groups)
        parts.append(text)
    return "[" + ", ".join(parts) + "]"


def render_message(fields: list[tuple[str, str]], gaps: list[int]) -> str:
    """Write message fields with runs of spaces between them."""
    pieces = []
    for (value, style), gap in zip(fields, gaps, strict=False):
        text = {"plain": value, "quoted": f'"{value}"', "bracketed": f"[{value}]"}[style]
        pieces.append(text + " " * gap)
    return "".join(pieces)


def oracle_field_condition(op: str, kind: str, operand: str, value: str) -> bool:
    """One condition on one field's text."""
    if kind == "glob":
        return fnmatch.fnmatchcase(value, operand) == (op == "=")
    if kind == "regex":
        return (re.search(operand, value) is not None) == (op == "=")
    number, field_number = float(operand), oracle_number(value)
    if field_number is None:
        return op == "!="
    return {
        "=": field_number == number,
        "!=": field_number != number,
        "<": field_number < number,
        ">": field_number > number,
        "<=": field_number <= number,
        ">=": field_number >= number,
    }[op]


def oracle_field(field: Field, value: str) -> bool:
    """A field's OR of ANDs (no conditions: anything)."""
    if not field.conditions:
        return True
    return any(
        all(oracle_field_condition(*cond, value) for cond in group) for group in field.conditions
    )


def oracle_delimited(fields: list[Field], values: list[str]) -> bool:
    """Try every way of spreading the message fields over the pattern fields."""
    if not fields:
        return not values
    first, rest = fields[0], fields[1:]
    if first.ellipsis:
        return any(oracle_delimited(rest, values[skip:]) for skip in range(len(values) + 1))
    return bool(values) and oracle_field(first, values[0]) and oracle_delimited(rest, values[1:])


def oracle_extracted(fields: list[Field], values: list[str]) -> dict[str, str]:
    """TestMetricFilter's extracted values for a pattern with at most one ellipsis."""
    extracted: dict[str, str] = {}
    ellipsis = next((i for i, field in enumerate(fields) if field.ellipsis), None)
    covered = len(values) - len(fields) + 1  # how many values the ellipsis covers
    position = 0
    for index, field in enumerate(fields):
        if index == ellipsis:
            for _ in range(covered):
                extracted[f"${position + 1}"] = values[position]
                position += 1
            continue
        key = f"${field.name}" if field.name else f"${position + 1}"
        extracted[key] = values[position]
        position += 1
    return extracted


# ---- regex


@dataclass(frozen=True)
class Atom:
    """A generated regex atom: a literal, '.', or a class, with a quantifier."""

    kind: str  # "lit", "any", "class", "negclass"
    chars: str
    quantifier: str  # "", "*", "+", "?"


REGEX_ATOMS = st.builds(
    Atom,
    st.sampled_from(["lit", "lit", "any", "class", "negclass"]),
    st.text(alphabet="abc", min_size=1, max_size=2),
    st.sampled_from(["", "", "*", "+", "?"]),
)
REGEX_BRANCHES = st.tuples(st.booleans(), st.lists(REGEX_ATOMS, max_size=4), st.booleans())
REGEXES = st.lists(REGEX_BRANCHES, min_size=1, max_size=2).filter(
    lambda branches: any(atoms or start or end for start, atoms, end in branches)
)


def render_regex(branches: list[tuple[bool, list[Atom], bool]]) -> str:
    """Write a generated regex between percent signs."""
    rendered = []
    for start, atoms, end in branches:
        text = "^" if start else ""
        for atom in atoms:
            body = {
                "lit": atom.chars[0],
                "any": ".",
                "class": f"[{atom.chars}]",
                "negclass": f"[^{atom.chars}]",
            }[atom.kind]
            text += body + atom.quantifier
        rendered.append(text + ("$" if end else ""))
    return "%" + "|".join(rendered) + "%"


def oracle_atom(atom: Atom, char: str) -> bool:
    """Whether one character matches an atom (ignoring its quantifier)."""
    if atom.kind == "lit":
        return char == atom.chars[0]
    if atom.kind == "any":
        return True
    if atom.kind == "class":
        return char in atom.chars
    return char not in atom.chars


def oracle_branch_at(atoms: list[Atom], end: bool, text: str, index: int) -> bool:
    """Backtracking: can `atoms` match text[index:], up to the end if `end`?"""
    if not atoms:
        return index == len(text) if end else True
    atom, rest = atoms[0], atoms[1:]
    low = 1 if atom.quantifier in ("", "+") else 0
    high = 1 if atom.quantifier in ("", "?") else len(text) - index
    count = 0
    positions = [index]
    while count < high and index + count < len(text) and oracle_atom(atom, text[index + count]):
        count += 1
        positions.append(index + count)
    return any(oracle_branch_at(rest, end, text, pos) for pos in positions[low:])


def oracle_regex(branches: list[tuple[bool, list[Atom], bool]], text: str) -> bool:
    """An unanchored search for any branch."""
    for start, atoms, end in branches:
        starts = [0] if start else range(len(text) + 1)
        if any(oracle_branch_at(atoms, end, text, i) for i in starts):
            return True
    return False


# --------------------------------------------------------------------------- properties


class TestAgainstOracles:
    """The compiled matcher agrees with the naive oracles on random patterns and events."""

    @given(TERMS, st.lists(TERM_MESSAGES, min_size=1, max_size=5))
    def test_terms(self, terms: list[tuple[str, tuple[str, bool]]], messages: list[str]) -> None:
        """Unstructured terms: AND, exclusions, "?" only when alone, blank phrases ignored."""
        pattern = FilterPattern.parse(render_terms(terms))
        for message in messages:
            assert pattern.matches(message) is oracle_terms(terms, message)

    @given(JSON_EXPRESSIONS, st.lists(JSON_DOCUMENTS, min_size=1, max_size=4))
    def test_json(self, expression: Any, documents: list[dict[str, Any]]) -> None:
        """JSON conditions, precedence and parentheses agree with a tree evaluator."""
        assume(wildcards_in(expression) <= 3)
        assume(render_json(expression).count("%") <= 4)
        pattern = FilterPattern.parse("{ " + render_json(expression) + " }")
        for document in documents:
            message = json.dumps(document)
            assert pattern.matches(message) is oracle_json(expression, document), message

    @given(
        st.lists(FIELDS, min_size=1, max_size=4),
        MESSAGE_FIELDS,
        st.lists(st.integers(1, 3), min_size=5, max_size=5),
    )
    def test_space_delimited(
        self, fields: list[Field], message_fields: list[tuple[str, str]], gaps: list[int]
    ) -> None:
        """Field splitting, ellipses and conditions agree with an exhaustive search."""
        text = render_delimited(fields)
        assume(text.count("%") <= 4)
        pattern = FilterPattern.parse(text)
        values = [value for value, _ in message_fields]
        message = render_message(message_fields, gaps)
        expected = oracle_delimited(fields, values)
        assert pattern.matches(message) is expected, message
        result = pattern.match(message)
        assert (result is not None) is expected
        if result is not None and sum(field.ellipsis for field in fields) <= 1:
            assert dict(result.extracted_values) == oracle_extracted(fields, values)

    @given(st.integers(1, 4), st.text(alphabet=' "[]a', max_size=16))
    def test_fixed_shape_split(self, count: int, message: str) -> None:
        """Without an ellipsis the one-regex split agrees with the field splitter."""
        pattern = FilterPattern.parse("[" + ", ".join(f"f{i}" for i in range(count)) + "]")
        values = split_fields(message)
        result = pattern.match(message)
        if len(values) != count:
            assert result is None
        else:
            assert result is not None
            assert [result.value_of(f"$f{i}") for i in range(count)] == values

    @given(REGEXES, st.lists(st.text(alphabet="abcd", max_size=6), min_size=1, max_size=5))
    def test_regex(self, branches: list[tuple[bool, list[Atom], bool]], texts: list[str]) -> None:
        """The regex subset agrees with a backtracking matcher written from its AST."""
        pattern = FilterPattern.parse(render_regex(branches))
        for text in texts:
            assert pattern.matches(text) is oracle_regex(branches, text), text

    @given(st.text(alphabet="abc1:_#=@/;,- !&'\"<>~`()%é", min_size=1, max_size=12))
    def test_regex_character_subset(self, body: str) -> None:
        """A regex body with an unsupported character is rejected at its first one."""
        allowed = set("abc1:_#=@/;,- ")
        bad = [index for index, char in enumerate(body) if char not in allowed]
        assume("%" not in body)
        if bad:
            with pytest.raises(InvalidParameterException, match=rf"at position {bad[0] + 1}:"):
                FilterPattern.parse(f"%{body}%")
        else:
            FilterPattern.parse(f"%{body}%")


PATTERN_ALPHABET = "{}[]()%$.*\"?-=!<>&|, abcE1_\\'\t"
VALID_PATTERNS = [
    "",
    "ERROR",
    "?ERROR ?WARN",
    "ERROR -WARN",
    '"a b"',
    "%^a.b$%",
    "{ $.a = 1 }",
    "{ $.a.* = x* || $.b[0] IS NULL }",
    "{ $.a NOT EXISTS && $.b != %x% }",
    "[a, ..., b > 1]",
    "[..., a = x* || a = %y%,]",
    "[a, b, c]",
]


class TestRobustness:
    """Parsing and matching never fail in any way but the documented one."""

    @given(st.one_of(st.text(max_size=60), st.text(alphabet=PATTERN_ALPHABET, max_size=40)))
    def test_parse_never_crashes(self, text: str) -> None:
        """Any text parses or raises InvalidParameterException with a valid position."""
        try:
            FilterPattern.parse(text)
        except InvalidParameterException as error:
            found = re.match(r"^Invalid filter pattern at position (\d+): expected ", error.message)
            assert found is not None, error.message
            assert 0 <= int(found.group(1)) <= len(text)

    @given(
        st.text(alphabet=PATTERN_ALPHABET, max_size=30).map(lambda body: "{ $.a = " + body + " }")
        | st.text(alphabet=PATTERN_ALPHABET, max_size=30).map(lambda body: "[a, " + body + "]")
        | st.text(alphabet=PATTERN_ALPHABET, max_size=30).map(lambda body: "%" + body + "%")
    )
    def test_structured_parse_never_crashes(self, text: str) -> None:
        """Random bodies inside JSON, delimited and regex shells never crash the parser."""
        try:
            FilterPattern.parse(text)
        except InvalidParameterException as error:
            assert error.message.startswith("Invalid filter pattern at position ")

    @given(
        st.sampled_from(VALID_PATTERNS),
        st.one_of(
            st.text(max_size=80),
            st.recursive(
                st.none()
                | st.booleans()
                | st.integers()
                | st.floats(allow_nan=False)
                | st.text(max_size=5),
                lambda children: (
                    st.lists(children, max_size=3)
                    | st.dictionaries(st.sampled_from(["a", "b", "x"]), children, max_size=3)
                ),
                max_leaves=10,
            ).map(json.dumps),
        ),
    )
    def test_matching_never_crashes(self, text: str, message: str) -> None:
        """Every valid pattern answers a bool for any message, and match() agrees."""
        pattern = FilterPattern.parse(text)
        result = pattern.matches(message)
        assert isinstance(result, bool)
        assert (pattern.match(message) is not None) is result
