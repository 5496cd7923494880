# ruff: noqa: E501  (the patterns below are AWS's and the reference's, kept verbatim)
"""Tests for awsmon.events.pattern: the EventBridge event pattern language.

Example tests come from the reference's part E: E1 (155 cases recorded against
AWS's TestEventPattern, kept as data in ``pattern_cases.json``) and E2
(aws/event-ruler's README and RulerTest). The error table covers every invalid
form of A.6.7. Property tests compare the compiled matcher with the naive
oracle in ``pattern_oracle.py``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.errors import InvalidParameter
from awsmon.events.errors import InvalidEventPatternException
from awsmon.events.pattern import EventPattern, PatternLimits, flatten_event

HERE = Path(__file__).parent


def _load_oracle() -> ModuleType:
    name = "events_pattern_oracle"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / "pattern_oracle.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


oracle = _load_oracle()
NO_COMPLEXITY = PatternLimits(max_wildcard_complexity=None)
ENVELOPE = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "x",
    "source": "x",
    "account": "123456789012",
    "time": "2022-01-01T00:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {},
}
E1 = json.loads((HERE / "pattern_cases.json").read_text(encoding="utf-8"))["cases"]


def matches(pattern: str | dict[str, Any], event: dict[str, Any]) -> bool:
    return EventPattern.parse(pattern).matches(event)


def reason_of(pattern: str | dict[str, Any], limits: PatternLimits | None = None) -> str:
    with pytest.raises(InvalidEventPatternException) as caught:
        EventPattern.parse(pattern, limits=limits or PatternLimits())
    return caught.value.reason


def full_message(reason: str) -> str:
    """The anchored shape of AWS's message for `reason`."""
    return (
        r"Event pattern is not valid\. Reason: "
        + re.escape(reason)
        + r"\n at \[Source: \(String\)\".*\"; line: \d+, column: \d+\]"
    )


class TestRecordedCases:
    """E1: every TestEventPattern case recorded against AWS."""

    def test_all_155_are_there(self) -> None:
        """The data file holds E1.1 to E1.155."""
        assert [case["id"] for case in E1] == [f"E1.{n}" for n in range(1, 156)]

    @pytest.mark.parametrize("case", E1, ids=[f"{c['id']}-{c['label']}" for c in E1])
    def test_case(self, case: dict[str, Any]) -> None:
        """The pattern gives AWS's answer for the event (in a full envelope)."""
        event = {**ENVELOPE, **case["event"]}
        if case["reason"] is not None:
            with pytest.raises(InvalidEventPatternException) as caught:
                EventPattern.parse(case["pattern"])
            assert caught.value.reason == case["reason"]
            assert re.fullmatch(full_message(case["reason"]), caught.value.message, re.S)
        else:
            assert EventPattern.parse(case["pattern"]).matches(event) is case["expected"]


README_EVENT = {
    "version": "0",
    "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "012345679012",
    "time": "2017-10-02T16:24:49Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
    "detail": {
        "c-count": 5,
        "d-count": 3,
        "x-limit": 301.8,
        "source-ip": "10.0.0.33",
        "instance-id": "i-000000aaaaaa00000",
        "state": "running",
    },
}

README_CASES = [
    (
        "E2.1.1",
        '{"detail-type":["EC2 Instance State-change Notification"],"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],"detail":{"state":["initializing","running"]}}',
        True,
    ),
    (
        "E2.1.2",
        '{"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"initializing"}]}}',
        True,
    ),
    (
        "E2.1.3",
        '{"detail":{"source-ip":[{"cidr":"10.0.0.0/24"}],"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}',
        True,
    ),
    (
        "E2.1.3-dotted",
        '{"detail.source-ip":[{"cidr":"10.0.0.0/24"}],"detail.c-count":[{"numeric":[">",0,"<=",5]}],"detail.d-count":[{"numeric":["<",10]}],"detail.x-limit":[{"numeric":["=",3.018e2]}]}',
        True,
    ),
    ("E2.1.4", '{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}', True),
    ("E2.1.5", '{"detail":{"state":[{"prefix":{"equals-ignore-case":"RuNn"}}]}}', True),
    ("E2.1.6", '{"detail":{"state":[{"suffix":"ning"}]}}', True),
    ("E2.1.7", '{"detail":{"state":[{"suffix":{"equals-ignore-case":"nInG"}}]}}', True),
    ("E2.1.8", '{"detail":{"source-ip":[{"cidr":"10.0.0.0/8"}]}}', True),
    ("E2.1.9", '{"source":[{"suffix":"ec2"}]}', True),
    ("E2.1.10", '{"source":[{"suffix":{"equals-ignore-case":"EC2"}}]}', True),
    ("E2.1.11", '{"source":[{"prefix":{"equals-ignore-case":"EC2"}}]}', False),
    ("E2.1.12a", '{"source":[{"equals-ignore-case":"EC2"}]}', False),
    ("E2.1.12b", '{"source":[{"equals-ignore-case":"AWS.EC2"}]}', True),
    ("E2.1.13a", '{"source":[{"wildcard":"Simple*Service"}]}', False),
    ("E2.1.13b", '{"source":[{"wildcard":"aws.*"}]}', True),
    ("E2.1.14a", '{"detail":{"state":[{"anything-but":"initializing"}]}}', True),
    ("E2.1.14b", '{"detail":{"x-limit":[{"anything-but":123}]}}', True),
    ("E2.1.14c", '{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}', True),
    ("E2.1.14d", '{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}', True),
    ("E2.1.14e", '{"detail":{"state":[{"anything-but":{"prefix":["init","error"]}}]}}', True),
    ("E2.1.14f", '{"detail":{"instance-id":[{"anything-but":{"suffix":"1234"}}]}}', True),
    ("E2.1.14g", '{"detail":{"instance-id":[{"anything-but":{"suffix":["1234","6789"]}}]}}', True),
    ("E2.1.14h", '{"detail":{"state":[{"anything-but":{"equals-ignore-case":"Stopped"}}]}}', True),
    (
        "E2.1.14i",
        '{"detail":{"state":[{"anything-but":{"equals-ignore-case":["Stopped","OverLoaded"]}}]}}',
        True,
    ),
    ("E2.1.14j", '{"detail":{"state":[{"anything-but":{"wildcard":"*/bin/*.jar"}}]}}', True),
    (
        "E2.1.14k",
        '{"detail":{"state":[{"anything-but":{"wildcard":["*/bin/*.jar","*/bin/*.class"]}}]}}',
        True,
    ),
    ("E2.1.15a", '{"detail":{"state":[{"anything-but":{"equals-ignore-case":"RUNNING"}}]}}', False),
    ("E2.1.15b", '{"detail":{"x-limit":[{"anything-but":[301.8]}]}}', False),
    ("E2.1.15c", '{"detail":{"instance-id":[{"anything-but":{"suffix":"00000"}}]}}', False),
    ("E2.1.16a", '{"detail":{"c-count":[{"exists":true}]}}', True),
    ("E2.1.16b", '{"detail":{"c-count":[{"exists":false}]}}', False),
    (
        "E2.1.17",
        '{"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"initializing"}],"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"anything-but":[100,200,300]}],"source-ip":[{"cidr":"10.0.0.0/8"}]}}',
        True,
    ),
    ("E2.1.18", '{"detail":{"c-count":[{"numeric":[">",5]}]}}', False),
]

IMAGE_EVENT = {
    "Image": {
        "Width": 800,
        "Height": 600,
        "Title": "View from 15th Floor",
        "Thumbnail": {"Url": "http://www.example.com/image/481989943", "Height": 125, "Width": 100},
        "Animated": False,
        "IDs": [116, 943, 234, 38793],
    }
}
IMAGE_CASES = [
    ('{"Image":{"Width":[800],"Thumbnail":{"Height":[125,300]}}}', True),
    ('{"Image":{"Thumbnail":{"Url":[{"prefix":"http"}]}}}', True),
    ('{"Image":{"Title":[{"prefix":{"equals-ignore-case":"VIeW"}}]}}', True),
    ('{"Image":{"Title":[{"suffix":{"equals-ignore-case":"LoOr"}}]}}', True),
    ('{"Image":{"Title":[{"suffix":"loor"}]}}', True),
    (
        '{"Image":{"Width":[{"numeric":["<",1000]}],"Height":[{"numeric":["<=",600]}],"Title":[{"anything-but":"View from 15th Flood"}],"Thumbnail":{"Url":[{"prefix":"http"}],"Height":[{"numeric":[">",124,"<",126]}],"Width":[{"numeric":[">=",99.999,"<=",100]}]},"Animated":[false]}}',
        True,
    ),
    ('{"Image":{"Width":[{"numeric":["<",800]}]}}', False),
    ('{"Image":{"Height":[{"numeric":["<",599]}]}}', False),
    ('{"Image":{"Title":[{"anything-but":"View from 15th Floor"}]}}', False),
    ('{"Image":{"Thumbnail":{"Url":[{"prefix":"https"}]}}}', False),
    ('{"Image":{"Thumbnail":{"Height":[{"numeric":[">",124,"<",125]}]}}}', False),
    ('{"Image":{"Thumbnail":{"Width":[{"numeric":[">=",100.00001,"<=",1001]}]}}}', False),
    ('{"Image":{"Animated":[true]}}', False),
]

EMPLOYEES = {
    "employees": [
        {"firstName": "John", "lastName": "Doe"},
        {"firstName": "Anna", "lastName": "Smith"},
        {"firstName": "Peter", "lastName": "Jones"},
    ]
}
NESTED_EMPLOYEES = {
    "employees": [
        [
            {"firstName": "John", "lastName": "Doe", "ids": [1234, 1000, 9999]},
            {"firstName": "Anna", "lastName": "Smith"},
        ],
        [{"firstName": "Peter", "lastName": "Jones", "ids": []}],
    ]
}
ARRAY_CASES = [
    (EMPLOYEES, '{"employees":{"firstName":["Anna"]}}', True),
    (EMPLOYEES, '{"employees":{"firstName":["Anna"],"lastName":["Jones"]}}', False),
    (NESTED_EMPLOYEES, '{"employees":{"firstName":["Anna"]}}', True),
    (NESTED_EMPLOYEES, '{"employees":{"firstName":["John"],"ids":[1000]}}', True),
    (NESTED_EMPLOYEES, '{"employees":{"firstName":["Anna"],"ids":[{"exists":false}]}}', True),
    (NESTED_EMPLOYEES, '{"employees":{"firstName":["Alice"]}}', False),
    (NESTED_EMPLOYEES, '{"employees":{"firstName":["Anna"],"lastName":["Jones"]}}', False),
    (NESTED_EMPLOYEES, '{"employees":{"firstName":["Alice"],"lastName":["Bob"]}}', False),
    (NESTED_EMPLOYEES, '{"a":["b"]}', False),
    (NESTED_EMPLOYEES, '{"employees":["b"]}', False),
    (NESTED_EMPLOYEES, '{"employees":{"firstName":["Anna"],"ids":[1000]}}', False),
    (NESTED_EMPLOYEES, '{"employees":{"firstName":["Anna"],"ids":[{"exists":true}]}}', False),
]


class TestRulerExamples:
    """E2: aws/event-ruler's README and RulerTest cases."""

    @pytest.mark.parametrize(("pattern", "expected"), [c[1:] for c in README_CASES],
                             ids=[c[0] for c in README_CASES])  # fmt: skip
    def test_readme_event(self, pattern: str, expected: bool) -> None:
        """E2.1: the README's EC2 event against each README pattern."""
        assert matches(pattern, README_EVENT) is expected

    def test_exists_works_on_leaves_only(self) -> None:
        """E2.1.19: an object at the path counts as absent for exists:false."""
        event = {"detail": {"state": "running", "c-count": {"c1": 100}}}
        assert matches('{"detail":{"c-count":[{"exists":false}]}}', event) is True

    @pytest.mark.parametrize(("pattern", "expected"), IMAGE_CASES)
    def test_image_event(self, pattern: str, expected: bool) -> None:
        """E2.2: the RFC image event against various field combinations."""
        assert matches(pattern, IMAGE_EVENT) is expected

    @pytest.mark.parametrize(("event", "pattern", "expected"), ARRAY_CASES)
    def test_arrays_of_objects(self, event: dict[str, Any], pattern: str, expected: bool) -> None:
        """E2.3: fields must come from the same element of each shared array."""
        assert matches(pattern, event) is expected

    @pytest.mark.parametrize(
        ("event", "expected"),
        [({"a": 1}, [True, True, False, True]), ({"b": 2}, [False, False, False, True]),
         ({"x": "X"}, [False, True, True, False])],
    )  # fmt: skip
    def test_exists_matrix(self, event: dict[str, Any], expected: list[bool]) -> None:
        """E2.4: exists true/false rules against three one-field events."""
        rules = ['{"a":[{"exists":true}]}', '{"b":[{"exists":false}]}',
                 '{"x":[{"exists":true}]}', '{"x":[{"exists":false}]}']  # fmt: skip
        assert [matches(rule, event) for rule in rules] == expected

    def test_really_simple_rules(self) -> None:
        """E2.4: numbers and strings match themselves, not a boolean."""
        assert matches('{"a":[1]}', {"a": 1}) and matches('{"b":[2]}', {"b": 2})
        assert matches('{"x":["X"]}', {"x": "X"})
        for rule in ('{"a":[1]}', '{"b":[2]}', '{"x":["X"]}'):
            assert not matches(rule, {"x": True})

    @pytest.mark.parametrize(
        ("event", "expected"),
        [({"a": "ABC", "b": "defx", "c": "xYz", "d": "rst"}, False),
         ({"a": "ABC", "c": "xYz", "d": "rst"}, False),
         ({"a": "ABC", "b": "xYz", "c": "def", "d": "rst"}, False),
         ({"a": "ABC", "b": "def", "c": "xYz", "d": "rst"}, True)],
    )  # fmt: skip
    def test_equals_ignore_case_rule(self, event: dict[str, Any], expected: bool) -> None:
        """E2.4: equals-ignore-case on three fields."""
        rule = ('{"a":[{"equals-ignore-case":"aBc"}],"b":[{"equals-ignore-case":"Def"}],'
                '"c":[{"equals-ignore-case":"xyZ"}]}')  # fmt: skip
        assert matches(rule, event) is expected

    @pytest.mark.parametrize(
        ("event", "expected"),
        [({"a": "abcbc", "b": "deeeefx", "c": "xy", "d": "xyzzz"}, False),
         ({"a": "abcbc", "b": "deeeef", "d": "xyzzz"}, False),
         ({"a": "abcbc", "b": "xy", "c": "deeeef", "d": "xyzzz"}, False),
         ({"a": "abcbc", "b": "deeeef", "c": "xy", "d": "xyzzz"}, True)],
    )  # fmt: skip
    def test_wildcard_rule(self, event: dict[str, Any], expected: bool) -> None:
        """E2.4: wildcards, where * may match nothing."""
        rule = ('{"a":[{"wildcard":"*bc"}],"b":[{"wildcard":"d*f"}],"c":[{"wildcard":"xy*"}],'
                '"d":[{"wildcard":"xy*"}]}')  # fmt: skip
        assert matches(rule, event) is expected

    ANYTHING_BUT_RULE = (
        '{"a":[{"anything-but":["dad0","dad1","dad2"]}],"b":[{"anything-but":[111,222,333]}],'
        '"c":[{"anything-but":"zdd"}],"d":[{"anything-but":444}],"z":[{"numeric":[">",0,"<",1]}],'
        '"w":[{"anything-but":{"prefix":"zax"}}],"n":[{"anything-but":{"suffix":"ing"}}],'
        '"o":[{"anything-but":{"equals-ignore-case":"CamelCase"}}],'
        '"p":[{"anything-but":{"equals-ignore-case":["CamelCase","AbC"]}}]}'
    )
    BASE: ClassVar[dict[str, Any]] = {"a": "child1", "b": "444", "c": "child1", "d": 123, "w": "xaz", "z": 0.001,
            "n": "nomatch", "o": "nomatch", "p": "nomatch"}  # fmt: skip

    def test_anything_but_base_event(self) -> None:
        """E2.4: the base event matches (a string is not excluded by numbers)."""
        assert matches(self.ANYTHING_BUT_RULE, self.BASE) is True

    @pytest.mark.parametrize(
        "changes",
        [{"c": "zdd", "a": "dad789", "b": 789}, {"z": 1.01, "a": "dad789", "b": 789},
         {"a": "dad1", "b": 345}, {"b": 111, "a": "abc"}, {"a": "dad1", "b": 333},
         {"d": 444, "a": "abc", "b": 0, "z": 0.999999}, {"w": "zaxonie"}, {"n": "matching"},
         {"o": "camelcase"}, {"p": "abc"}],
    )  # fmt: skip
    def test_anything_but_variants(self, changes: dict[str, Any]) -> None:
        """E2.4: each variant trips one anything-but (or the range) and does not match."""
        assert matches(self.ANYTHING_BUT_RULE, {**self.BASE, **changes}) is False

    OR_FLAT = ('{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},'
               '{"namespace":["AWS/EC2","AWS/ES"]}]}')  # fmt: skip
    OR_NESTED = (
        '{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},'
        '{"metricType":["MetricType"],"namespace":["AWS/EC2","AWS/ES"],'
        '"$or":[{"metricId":[1234]},{"spaceId":[1000]}]},{"scope":["Service"]}]}'
    )

    @pytest.mark.parametrize(
        ("pattern", "event", "expected"),
        [(OR_FLAT, {"source": "aws.cloudwatch", "metricName": "CPUUtilization"}, True),
         (OR_FLAT, {"source": "aws.cloudwatch", "namespace": "AWS/ES"}, True),
         (OR_FLAT, {"source": "aws.cloudwatch", "metricName": "Other", "namespace": "Other"},
          False),
         (OR_FLAT, {"source": "aws.ec2", "metricName": "CPUUtilization"}, False),
         (OR_NESTED, {"source": "aws.cloudwatch", "metricType": "MetricType",
                      "namespace": "AWS/EC2", "spaceId": 1000}, True),
         (OR_NESTED, {"source": "aws.cloudwatch", "metricType": "MetricType",
                      "namespace": "AWS/EC2"}, False),
         (OR_NESTED, {"source": "aws.cloudwatch", "scope": "Service"}, True)],
    )  # fmt: skip
    def test_or(self, pattern: str, event: dict[str, Any], expected: bool) -> None:
        """E2.5: $or branches are AND-ed with the fields outside them; nesting multiplies."""
        assert matches(pattern, event) is expected

    def test_nested_or_expands_into_branches(self) -> None:
        """E2.5: the nested $or pattern compiles into four branches."""
        assert len(EventPattern.parse(self.OR_NESTED).subpatterns) == 4


TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character"
    " sequences after a wildcard character"
)
ERRORS = [
    ("top-array", '["a"]', "Filter is not an object"),
    ("top-string", '"a"', "Filter is not an object"),
    ("empty-text", "", "Filter is not an object"),
    ("scalar-member", '{"a":"b"}', '"a" must be an object or an array'),
    ("null-member", '{"a":null}', '"a" must be an object or an array'),
    ("empty-top", "{}", "Empty objects are not allowed"),
    ("empty-nested", '{"a":{}}', "Empty objects are not allowed"),
    ("empty-list", '{"a":[]}', "Empty arrays are not allowed"),
    ("nested-list", '{"a":[[1]]}', "Match value must be String, number, true, false, or null"),
    ("empty-operator", '{"a":[{}]}', "Match expression name not found"),
    ("unknown-operator", '{"a":[{"foo":1}]}', "Unrecognized match type foo"),
    ("exactly", '{"a":[{"exactly":"x"}]}', "Unrecognized match type exactly"),
    ("two-keys", '{"a":[{"prefix":"x","suffix":"y"}]}', "Only one key allowed in match expression"),
    ("prefix-number", '{"a":[{"prefix":1}]}', "prefix match pattern must be a string"),
    ("prefix-list", '{"a":[{"prefix":["x"]}]}', "prefix match pattern must be a string"),
    ("suffix-null", '{"a":[{"suffix":null}]}', "suffix match pattern must be a string"),
    ("eic-null", '{"a":[{"equals-ignore-case":null}]}',
     "equals-ignore-case match pattern must be a string"),
    ("wildcard-bool", '{"a":[{"wildcard":true}]}', "wildcard match pattern must be a string"),
    ("cidr-number", '{"a":[{"cidr":10}]}', "prefix match pattern must be a string"),
    ("prefix-other", '{"a":[{"prefix":{"wildcard":"x"}}]}', "Unsupported prefix pattern: wildcard"),
    ("suffix-other", '{"a":[{"suffix":{"prefix":"x"}}]}', "Unsupported suffix pattern: prefix"),
    ("prefix-empty-object", '{"a":[{"prefix":{}}]}', "Prefix expression name not found"),
    ("prefix-eic-number", '{"a":[{"prefix":{"equals-ignore-case":1}}]}',
     "equals-ignore-case match pattern must be a string"),
    ("numeric-scalar", '{"a":[{"numeric":5}]}', "Value of numeric must be an array."),
    ("numeric-first-number", '{"a":[{"numeric":[5]}]}', "Invalid member in numeric match: 5"),
    ("numeric-empty", '{"a":[{"numeric":[]}]}', "Invalid member in numeric match: ]"),
    ("numeric-operator", '{"a":[{"numeric":["!=",5]}]}',
     "Unrecognized numeric range operator: !="),
    ("numeric-eq-string", '{"a":[{"numeric":["=","5"]}]}', "Value of equals must be numeric"),
    ("numeric-ge-string", '{"a":[{"numeric":[">=","5"]}]}', "Value of >= must be numeric"),
    ("numeric-gt-null", '{"a":[{"numeric":[">",null]}]}', "Value of > must be numeric"),
    ("numeric-le-string", '{"a":[{"numeric":["<=","5"]}]}', "Value of <= must be numeric"),
    ("numeric-lt-missing", '{"a":[{"numeric":["<"]}]}', "Value of < must be numeric"),
    ("numeric-second-op", '{"a":[{"numeric":[">",0,">",0]}]}', "Bad numeric range operator: >"),
    ("numeric-second-number", '{"a":[{"numeric":[">",0,5,6]}]}', "Bad value in numeric range: 5"),
    ("numeric-upper-string", '{"a":[{"numeric":[">",0,"<","9"]}]}', "Value of < must be numeric"),
    ("numeric-five-terms", '{"a":[{"numeric":[">",0,"<",5,1]}]}',
     "Too many terms in numeric range expression"),
    ("numeric-lt-then-gt", '{"a":[{"numeric":["<",5,">",1]}]}',
     "Too many elements in numeric expression"),
    ("numeric-eq-two", '{"a":[{"numeric":["=",5,6]}]}', "Too many elements in numeric expression"),
    ("numeric-extra-key", '{"a":[{"numeric":["=",5],"x":1}]}',
     "Too many elements in numeric expression"),
    ("numeric-out-of-range", '{"a":[{"numeric":[">",6e9]}]}',
     "Value must be between -5.0E9 and 5.0E9, inclusive"),
    ("numeric-bottom-top", '{"a":[{"numeric":[">",5,"<",5]}]}', "Bottom must be less than top"),
    ("numeric-inverted", '{"a":[{"numeric":[">=",9,"<=",1]}]}', "Bottom must be less than top"),
    ("ab-null", '{"a":[{"anything-but":null}]}',
     "Value of anything-but must be an array or single string/number value."),
    ("ab-bool", '{"a":[{"anything-but":true}]}',
     "Value of anything-but must be an array or single string/number value."),
    ("ab-prefix-eic", '{"a":[{"anything-but":{"prefix":{"equals-ignore-case":"x"}}}]}',
     "Value of anything-but must be an array or single string/number value."),
    ("ab-empty-object", '{"a":[{"anything-but":{}}]}', "Anything-But expression name not found"),
    ("ab-numeric", '{"a":[{"anything-but":{"numeric":[">",1]}}]}',
     "Unsupported anything-but pattern: numeric"),
    ("ab-list-null", '{"a":[{"anything-but":["x",null]}]}',
     "Inside anything but list, start|null|boolean is not supported."),
    ("ab-list-bool", '{"a":[{"anything-but":[true]}]}',
     "Inside anything but list, start|null|boolean is not supported."),
    ("ab-list-object", '{"a":[{"anything-but":[{"x":1}]}]}',
     "Inside anything but list, start|null|boolean is not supported."),
    ("ab-list-mixed", '{"a":[{"anything-but":["x",1]}]}',
     "Inside anything but list, either all values are number or string, mixed type is not"
     " supported"),
    ("ab-list-empty", '{"a":[{"anything-but":[]}]}',
     "Inside anything but list, either all values are number or string, mixed type is not"
     " supported"),
    ("ab-number-range", '{"a":[{"anything-but":[1,7e9]}]}',
     "Value must be between -5.0E9 and 5.0E9, inclusive"),
    ("ab-prefix-empty", '{"a":[{"anything-but":{"prefix":""}}]}', "Null prefix/suffix not allowed"),
    ("ab-suffix-list-empty", '{"a":[{"anything-but":{"suffix":["x",""]}}]}',
     "Null prefix/suffix not allowed"),
    ("ab-prefix-number", '{"a":[{"anything-but":{"prefix":1}}]}',
     "prefix/suffix match pattern must be a string"),
    ("ab-suffix-list-number", '{"a":[{"anything-but":{"suffix":[1]}}]}',
     "prefix/suffix match pattern must be a string"),
    ("ab-eic-number", '{"a":[{"anything-but":{"equals-ignore-case":1}}]}',
     "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."),
    ("ab-wildcard-list-null", '{"a":[{"anything-but":{"wildcard":[null]}}]}',
     "wildcard match pattern must be a string"),
    ("ab-wildcard-bad", '{"a":[{"anything-but":{"wildcard":"x**"}}]}',
     "Consecutive wildcard characters at pos 2"),
    ("ab-extra-key", '{"a":[{"anything-but":"x","y":1}]}', "Too many elements in numeric expression"),
    ("exists-string", '{"a":[{"exists":"true"}]}',
     "exists match pattern must be either true or false."),
    ("exists-extra", '{"a":[{"exists":true,"x":1}]}', "Only one key allowed in match expression"),
    ("wildcard-stars", '{"a":[{"wildcard":"a**"}]}', "Consecutive wildcard characters at pos 2"),
    ("wildcard-escape", '{"a":[{"wildcard":"a\\\\b"}]}', "Invalid escape character at pos 2"),
    ("wildcard-trailing-backslash", '{"a":[{"wildcard":"ab\\\\"}]}',
     "Invalid escape character at pos 3"),
    ("wildcard-utf8-pos", '{"a":[{"wildcard":"é**"}]}', "Consecutive wildcard characters at pos 3"),
    ("wildcard-complex", '{"a":[{"wildcard":"*:*:*:*:*:event-bus/*"}]}', TOO_COMPLEX),
    ("wildcard-complex-together", '{"a":[{"wildcard":"*:*:*:x"},{"wildcard":"*:*:*:y"}]}',
     TOO_COMPLEX),
    ("cidr-no-slash", '{"a":[{"cidr":"10.0.0.0"}]}', "Malformed CIDR, one '/' required"),
    ("cidr-two-slashes", '{"a":[{"cidr":"10.0.0.0/8/8"}]}', "Malformed CIDR, one '/' required"),
    ("cidr-mask-text", '{"a":[{"cidr":"10.0.0.0/x"}]}', "Malformed CIDR, mask bits must be an integer"),
    ("cidr-mask-negative", '{"a":[{"cidr":"10.0.0.0/-1"}]}',
     "Malformed CIDR, mask bits must not be negative"),
    ("cidr-hostname", '{"a":[{"cidr":"example.com/8"}]}', "Nonstandard IP address: example.com"),
    ("cidr-bad-octet", '{"a":[{"cidr":"10.0.0.256/8"}]}', "Invalid IP address: 10.0.0.256"),
    ("cidr-bad-v6", '{"a":[{"cidr":"1:2:3:4:5:6:7:8:9/64"}]}', "Invalid IP address: 1:2:3:4:5:6:7:8:9"),
    ("cidr-v4-mask", '{"a":[{"cidr":"10.0.0.0/32"}]}', "IPv4 mask bits must be < 32"),
    ("cidr-v6-mask", '{"a":[{"cidr":"::/128"}]}', "IPv6 mask bits must be < 128"),
    ("or-object", '{"$or":{"a":[1]}}', "It must be an Array followed with $or."),
    ("or-element", '{"$or":[{"a":[1]},["b"]]}',
     "Only JSON object is allowed in array of $or relationship."),
    ("or-one", '{"$or":[{"a":[1]}]}', "There must have at least 2 Objects in $or relationship."),
    ("or-empty", '{"$or":[]}', "There must have at least 2 Objects in $or relationship."),
    ("or-reserved", '{"$or":[{"prefix":[1]},{"b":[2]}]}',
     "prefix is Ruler reserved fieldName which cannot be used inside $or."),
    ("or-reserved-nested", '{"$or":[{"a":{"date-after":[1]}},{"b":[2]}]}',
     "date-after is Ruler reserved fieldName which cannot be used inside $or."),
    ("json-token", "this is not json", "Unrecognized token 'this': was expecting (JSON String,"
     " Number, Array, Object or token 'null', 'true' or 'false')"),
    ("json-single-quotes", "{'a': [1]}",
     "Unexpected character (''' (code 39)): was expecting double-quote to start field name"),
    ("json-colon", '{"a" [1]}',
     "Unexpected character ('[' (code 91)): was expecting a colon to separate field name and value"),
    ("json-object-comma", '{"a":[1] "b":[2]}',
     "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries"),
    ("json-array-comma", '{"a":[1 2]}',
     "Unexpected character ('2' (code 50)): was expecting comma to separate Array entries"),
    ("json-trailing-comma", '{"a":[1,]}', "Unexpected character (']' (code 93)): expected a value"),
    ("json-eof", '{"a":[1]', "Unexpected end-of-input: expected close marker for Object"),
    ("json-string-eof", '{"a":["x', "Unexpected end-of-input: was expecting closing quote for a"
     " string value"),
    ("json-control", '{"a":["x\ny"]}', "Illegal unquoted character ((CTRL-CHAR, code 10)): has to"
     " be escaped using backslash to be included in string value"),
    ("json-escape", '{"a":["\\q"]}', "Unrecognized character escape 'q' (code 113)"),
    ("json-leading-zero", '{"a":[01]}', "Invalid numeric value: Leading zeroes not allowed"),
    ("json-trailing-text", '{"a":[1]} x',
     "Unexpected character ('x' (code 120)): expected end-of-input"),
]  # fmt: skip


class TestErrors:
    """A.6.7: every invalid form raises InvalidEventPatternException with AWS's reason."""

    @pytest.mark.parametrize(("pattern", "reason"), [e[1:] for e in ERRORS],
                             ids=[e[0] for e in ERRORS])  # fmt: skip
    def test_error_table(self, pattern: str, reason: str) -> None:
        """The pattern is refused with the exact reason, in AWS's message layout."""
        with pytest.raises(InvalidEventPatternException) as caught:
            EventPattern.parse(pattern)
        error = caught.value
        assert (error.code, error.service) == ("InvalidEventPatternException", "events")
        assert error.reason == reason
        assert re.fullmatch(full_message(reason), error.message, re.S)
        assert isinstance(error, InvalidParameter) and isinstance(error, ValueError)

    def test_too_many_or_combinations(self) -> None:
        """Over 1000 $or combinations is refused (message UNCONFIRMED)."""

        def ors(n: int) -> dict[str, Any]:
            return {"$or": [{f"k{i}": [i]} for i in range(n)]}

        pattern = {"a": ors(10), "b": ors(10), "c": ors(11)}
        assert "combinations" in reason_of(pattern)
        assert (
            len(EventPattern.parse({"a": ors(10), "b": ors(10), "c": ors(10)}).subpatterns) == 1000
        )

    def test_pattern_length_quota(self) -> None:
        """A pattern over 2048 characters is refused; the quota can be raised."""
        pattern = {"a": ["x" * 2100]}
        assert "maximum is 2048" in reason_of(pattern)
        assert EventPattern.parse(pattern, limits=PatternLimits(max_length=4096)).matches(
            {"a": "x" * 2100}
        )

    def test_numeric_limits_are_configurable(self) -> None:
        """The ±5e9 range can be lifted; a decimal-places check can be added."""
        lifted = PatternLimits(numeric_bound=None)
        assert EventPattern.parse('{"a":[{"numeric":[">",6e9]}]}', limits=lifted).matches(
            {"a": 7e9}
        )
        assert (
            reason_of('{"a":[{"numeric":[">",1e400]}]}', lifted) == "Cannot compare number : 1e400"
        )
        strict = PatternLimits(numeric_decimals=6)
        assert reason_of('{"a":[{"numeric":["<",0.1234567]}]}', strict) == (
            "Only values upto 6 decimals are supported"
        )
        EventPattern.parse('{"a":[{"numeric":["<",0.123456]}]}', limits=strict)

    def test_wildcard_complexity_boundary(self) -> None:
        """The recorded acceptable wildcards pass; the threshold can be lifted."""
        EventPattern.parse('{"a":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}')
        EventPattern.parse('{"a":[{"wildcard":"/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}')
        EventPattern.parse('{"a":[{"wildcard":"*:*:*:*:*:event-bus/*"}]}', limits=NO_COMPLEXITY)

    def test_error_position(self) -> None:
        """The error says where: offset, and Jackson's line and column after the token."""
        with pytest.raises(InvalidEventPatternException) as caught:
            EventPattern.parse('{\n  "a": [\n    {"prefix": 1}\n  ]\n}')
        error = caught.value
        assert (error.position, error.line, error.column) == (26, 3, 17)
        assert error.message.endswith("line: 3, column: 17]")
        assert error.param == "EventPattern"

    def test_long_source_is_truncated_in_message(self) -> None:
        """As Jackson does, only the first 500 characters of the pattern are quoted."""
        pattern = '{"a":["' + "x" * 600 + '"],"b":"c"}'
        assert reason_of(pattern) == '"b" must be an object or an array'
        with pytest.raises(InvalidEventPatternException) as caught:
            EventPattern.parse(pattern)
        assert f'"[truncated {len(pattern) - 500} chars]; line: 1' in caught.value.message

    def test_unserialisable_mapping(self) -> None:
        """A mapping that is not JSON data is refused with the same error class."""
        with pytest.raises(InvalidEventPatternException, match="not valid JSON"):
            EventPattern.parse({"a": [{1, 2}]})


class TestMatching:
    """A.6.3: matcher semantics beyond the recorded cases."""

    @pytest.mark.parametrize(
        ("pattern", "event", "expected"),
        [('{"a":[3]}', {"a": 3.0}, True), ('{"a":[3.0]}', {"a": 3}, True),
         ('{"a":[3]}', {"a": "3"}, False), ('{"a":["3"]}', {"a": 3}, False),
         ('{"a":[1]}', {"a": True}, False), ('{"a":[true]}', {"a": 1}, False),
         ('{"a":[null]}', {"a": ""}, False), ('{"a":[null]}', {}, False),
         ('{"a":[""]}', {"a": None}, False), ('{"a":[123456789012]}', {"a": 123456789012}, True),
         ('{"a":[{"numeric":["=",5]}]}', {"a": 5.0}, True),
         ('{"a":[{"numeric":[">=",5]}]}', {"a": 5}, True),
         ('{"a":[{"numeric":[">",5]}]}', {"a": True}, False),
         ('{"a":[{"numeric":["<",0]}]}', {"a": -1e12}, True)],
    )  # fmt: skip
    def test_scalars(self, pattern: str, event: dict[str, Any], expected: bool) -> None:
        """Numbers compare by value, never with strings or booleans; null is not empty."""
        assert matches(pattern, event) is expected

    def test_arrays_in_events_are_or(self) -> None:
        """Any element of an event array may match; anything-but needs one non-excluded one."""
        assert matches('{"a":["x"]}', {"a": ["y", "x"]})
        assert matches('{"a":[{"anything-but":"stopped"}]}', {"a": ["stopped", "running"]})
        assert not matches('{"a":[{"anything-but":"stopped"}]}', {"a": ["stopped"]})
        assert not matches('{"a":[{"anything-but":"stopped"}]}', {"a": []})

    def test_wildcard_escapes(self) -> None:
        r"""``\*`` is a literal star and ``\\`` a literal backslash."""
        assert matches('{"a":[{"wildcard":"a\\\\*b"}]}', {"a": "a*b"})
        assert not matches('{"a":[{"wildcard":"a\\\\*b"}]}', {"a": "axb"})
        assert matches('{"a":[{"wildcard":"a\\\\\\\\b"}]}', {"a": "a\\b"})
        assert matches('{"a":[{"wildcard":"*"}]}', {"a": ""})
        assert matches('{"a":[{"wildcard":"a*"}]}', {"a": "a\nb"})
        assert matches('{"a":["*"]}', {"a": "*"}) and not matches('{"a":["*"]}', {"a": "x"})

    def test_cidr(self) -> None:
        """IPv4 and IPv6 blocks compare addresses, whatever their spelling."""
        assert matches('{"a":[{"cidr":"2001:db8::/32"}]}', {"a": "2001:0DB8:0000::1"})
        assert not matches('{"a":[{"cidr":"2001:db8::/32"}]}', {"a": "10.0.0.1"})
        assert not matches('{"a":[{"cidr":"10.0.0.0/8"}]}', {"a": "2001:db8::1"})
        assert matches('{"a":[{"cidr":"10.0.0.0/8"}]}', {"a": "::ffff:a00:1"})
        assert not matches('{"a":[{"cidr":"10.0.0.0/8"}]}', {"a": "host10.0.0.1"})

    def test_cidr_block_is_the_whole_network(self) -> None:
        """As in aws/event-ruler today (issue 14), 10.0.0.5/24 runs from 10.0.0.0 to 10.0.0.255."""
        pattern = '{"a":[{"cidr":"10.0.0.5/24"}]}'
        assert matches(pattern, {"a": "10.0.0.1"}) and not matches(pattern, {"a": "10.0.1.0"})
        assert matches(pattern, {"a": "10.0.0.5"}) and matches(pattern, {"a": "10.0.0.255"})

    def test_case_folding(self) -> None:
        """Ignore-case operators fold non-ASCII letters too."""
        assert matches('{"a":[{"equals-ignore-case":"ÉTÉ"}]}', {"a": "été"})
        assert matches('{"a":[{"prefix":{"equals-ignore-case":"ÄB"}}]}', {"a": "äbc"})

    def test_duplicate_keys_last_wins(self) -> None:
        """Of two equal keys, the last one counts."""
        pattern = '{"a":["x"],"a":["y"]}'
        assert matches(pattern, {"a": "y"}) and not matches(pattern, {"a": "x"})

    def test_dotted_keys(self) -> None:
        """A dotted key stands for the nested path, in patterns and in events alike."""
        for pattern in ('{"a":{"b":[1]}}', '{"a.b":[1]}'):
            assert matches(pattern, {"a": {"b": 1}}) and matches(pattern, {"a.b": 1})

    def test_exists_false_with_other_values(self) -> None:
        """exists:false OR-ed with a value matches absence or that value."""
        pattern = '{"a":[{"exists":false},"x"]}'
        assert matches(pattern, {}) and matches(pattern, {"a": "x"})
        assert not matches(pattern, {"a": "y"})

    def test_exists_false_checks_only_consistent_leaves(self) -> None:
        """exists:false ignores leaves in other elements of an array already chosen from."""
        event = {"l": [{"k": "a"}, {"k": "b", "z": 1}]}
        assert matches('{"l":{"k":["a"],"z":[{"exists":false}]}}', event)
        assert not matches('{"l":{"k":["b"],"z":[{"exists":false}]}}', event)

    def test_mapping_pattern_and_flatten(self) -> None:
        """A mapping parses like its JSON text; events flatten into dotted leaves."""
        assert EventPattern.parse({"a": {"b": [1]}}) == EventPattern.parse('{"a.b":[1]}')
        flat = flatten_event({"a": {"b": [1, {"c": None}]}, "d": []})
        assert flat == {"a.b": [(1, ((1, 0),))], "a.b.c": [(None, ((1, 1),))]}
        with pytest.raises(TypeError):
            flatten_event(["not", "an", "object"])  # type: ignore[arg-type]


class TestRender:
    """render()/to_json() give a pattern that parses back to the same compiled object."""

    def test_common_fields_stay_outside_or(self) -> None:
        """Fields shared by every branch are written once, next to $or."""
        pattern = EventPattern.parse(TestRulerExamples.OR_NESTED)
        rendered = pattern.to_json()
        assert rendered["source"] == ["aws.cloudwatch"] and len(rendered["$or"]) == 4
        assert EventPattern.parse(pattern.render()) == pattern

    def test_every_operator_renders(self) -> None:
        """Each operator renders as written."""
        text = (
            '{"a":["x",1,true,null,{"prefix":"p"},{"prefix":{"equals-ignore-case":"P"}},'
            '{"suffix":"s"},{"suffix":{"equals-ignore-case":"S"}},{"equals-ignore-case":"E"},'
            '{"wildcard":"w*"},{"numeric":[">",0,"<=",5]},{"cidr":"10.0.0.0/8"},'
            '{"exists":true},{"anything-but":["q","r"]},{"anything-but":{"suffix":"z"}},'
            '{"exists":false}]}'
        )
        assert EventPattern.parse(text).render() == text


class TestProperties:
    """Hypothesis: the compiled matcher agrees with the naive oracle and never crashes."""

    @given(oracle.patterns(), oracle.events())
    def test_agrees_with_oracle(self, pattern: dict[str, Any], event: dict[str, Any]) -> None:
        """EventPattern.matches gives the oracle's answer for every operator and $or."""
        compiled = EventPattern.parse(json.dumps(pattern), limits=NO_COMPLEXITY)
        assert compiled.matches(event) is oracle.matches(pattern, event)

    @given(oracle.patterns())
    def test_render_round_trip(self, pattern: dict[str, Any]) -> None:
        """parse(render(p)) == p."""
        compiled = EventPattern.parse(pattern, limits=NO_COMPLEXITY)
        assert EventPattern.parse(compiled.render(), limits=NO_COMPLEXITY) == compiled

    JSON = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
        | st.text(max_size=5) | st.sampled_from(["prefix", "=", ">", "<", "10.0.0.0/8", "a*"]),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(
            st.sampled_from(["a", "$or", "prefix", "suffix", "numeric", "anything-but", "exists",
                             "wildcard", "cidr", "equals-ignore-case", "exactly"])
            | st.text(max_size=3), children, max_size=4),
        max_leaves=20,
    )  # fmt: skip

    @given(JSON)
    def test_arbitrary_json_never_crashes(self, value: Any) -> None:
        """Any JSON value either compiles or raises InvalidEventPatternException."""
        try:
            compiled = EventPattern.parse(json.dumps(value))
        except InvalidEventPatternException as error:
            assert error.reason
        else:
            compiled.matches({"a": value} if not isinstance(value, dict) else value)

    @given(st.text(alphabet='{}[]":,\\ -0123456789.eEtrufalsn*prefixa$or', max_size=40))
    def test_arbitrary_text_never_crashes(self, text: str) -> None:
        """Any text either compiles or raises InvalidEventPatternException."""
        try:
            EventPattern.parse(text)
        except InvalidEventPatternException as error:
            assert error.position is not None


@pytest.mark.parametrize(
    ("block", "value", "expected"),
    [
        ("220.160.154.255/24", "220.160.154.0", True),
        ("220.160.154.255/24", "220.160.154.200", True),
        ("220.160.154.255/24", "220.160.155.0", False),
        ("10.0.0.7/30", "10.0.0.4", True),
        ("2001:db8::ffff/112", "2001:db8::1", True),
    ],
)
def test_cidr_with_host_bits_matches_the_whole_network(
    block: str, value: str, expected: bool
) -> None:
    """A block written with host bits set matches its whole network, as AWS's event-ruler does."""
    pattern = EventPattern.parse(json.dumps({"ip": [{"cidr": block}]}))
    assert pattern.matches({"ip": value}) is expected
