"""Tests for awsmon.events.transform: Input, InputPath and InputTransformer.

Examples come from the reference's E4 table (AWS user guide) and the A.9.2
table recorded against AWS; the error table covers PutTargets validation; the
properties build random events, path maps and JSON templates and compare the
output with an oracle written here.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.events._jsonpath import JsonPath, PathSyntaxError
from awsmon.events.errors import ValidationException
from awsmon.events.transform import (
    PREDEFINED_VARIABLES,
    ConstantInput,
    InputPath,
    InputTransformer,
    TemplateMode,
    TransformationFailed,
    WholeEvent,
    compile_target_input,
)

# --------------------------------------------------------------------------- fixtures

E4_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING"},
}
E4_MAP = {
    "timestamp": "$.time",
    "instance": "$.detail.instance-id",
    "state": "$.detail.state",
    "resource": "$.resources[0]",
}
E4_RULE = {
    "rule_arn": "arn:aws:events:us-east-2:123456789012:rule/example",
    "rule_name": "example",
    "ingestion_time": datetime(2015, 11, 11, 21, 29, 55, tzinfo=UTC),
}

OBS_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "5b1a1a5e-8d3c-4c1e-9a43-6f2c3d4e5f60",
    "detail-type": "core.update-account-command",
    "source": "core.update-account-command",
    "account": "111111111111",
    "time": "2024-06-11T08:33:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {
        "command": "update-account",
        "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"},
        "listsingle": ["HIGH"],
        "listmulti": ["ACTIVE", "INACTIVE"],
        "valid": True,
    },
}
OBS_MAP = {
    "userId": "$.detail.payload.acc_id",
    "payload": "$.detail.payload",
    "systemstring": "$.detail.awsAccountId",
    "listsingle": "$.detail.listsingle",
    "listmulti": "$.detail.listmulti",
    "valid": "$.detail.valid",
    "detail-type": "$.detail-type",
    "timestamp": "$.time",
    "command": "$.detail.command",
}
OBS_RULE = {
    "rule_arn": "arn:aws:events:us-east-1:111111111111:rule/test-bus/test-rule",
    "rule_name": "test-rule",
    "ingestion_time": datetime(2024, 6, 11, 8, 33, 1, tzinfo=UTC),
}


def transform(
    template: str, paths: dict[str, str], event: dict[str, Any], rule: dict[str, Any]
) -> str:
    return InputTransformer.compile(paths, template, target_id="t1").apply(event, **rule)


# --------------------------------------------------------------------------- examples


class TestWorkedExamplesE4:
    """The user guide's EC2 example (reference E4)."""

    @pytest.mark.parametrize(
        ("template", "expected"),
        [
            ('"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'),
            (
                r'"instance \"<instance>\" is in <state>"',
                r'"instance \"i-0123456789\" is in RUNNING"',
            ),
            ('"<aws.events.rule-name> triggered"', '"example triggered"'),
        ],
    )
    def test_string_templates(self, template: str, expected: str) -> None:
        """String templates deliver their own text with the values substituted."""
        assert transform(template, E4_MAP, E4_EVENT, E4_RULE) == expected

    @pytest.mark.parametrize(
        ("template", "expected"),
        [
            (
                '{"instance" : <instance>, "state": <state>}',
                {"instance": "i-0123456789", "state": "RUNNING"},
            ),
            (
                '{"instance" : <instance>, "state": "<state>", '
                r'"instanceStatus": "instance \"<instance>\" is in <state>"}',
                {
                    "instance": "i-0123456789",
                    "state": "RUNNING",
                    "instanceStatus": 'instance "i-0123456789" is in RUNNING',
                },
            ),
            (
                '{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}',
                {"instance": "i-0123456789", "state": [9, "RUNNING", True], "Transformed": "Yes"},
            ),
            (
                '{"instance" : <instance>, "state": <state>, "ruleArn" : <aws.events.rule-arn>, '
                '"ruleName" : <aws.events.rule-name>, "originalEvent" : <aws.events.event.json>}',
                {
                    "instance": "i-0123456789",
                    "state": "RUNNING",
                    "ruleArn": "arn:aws:events:us-east-2:123456789012:rule/example",
                    "ruleName": "example",
                    "originalEvent": E4_EVENT,
                },
            ),
        ],
    )
    def test_json_templates(self, template: str, expected: dict[str, Any]) -> None:
        """JSON templates deliver the documented JSON."""
        assert json.loads(transform(template, E4_MAP, E4_EVENT, E4_RULE)) == expected

    def test_json_output_is_minified(self) -> None:
        """Blanks outside strings are dropped from a JSON template's output."""
        output = transform('{ "instance" :\n <instance> , "s": "a b" }', E4_MAP, E4_EVENT, E4_RULE)
        assert output == '{"instance":"i-0123456789","s":"a b"}'

    def test_cloudwatch_logs_target(self) -> None:
        """For a CloudWatch Logs target, values outside quotes arrive unquoted.

        The guide prints ``"instance "i-0123456789" is in RUNNING}`` for the
        message: its web page drops the backslashes and the closing quote of
        the template, which is a rendering slip, so the template's own escapes
        are kept here.
        """
        template = (
            r'{"timestamp" : <timestamp>, "message": "instance \"<instance>\" is in <state>"}'
        )
        compiled = InputTransformer.compile(E4_MAP, template, target_id="t1")
        assert compiled.apply(E4_EVENT, cloudwatch_logs=True, **E4_RULE) == (
            '{"timestamp":2015-11-11T21:29:54Z,'
            r'"message":"instance \"i-0123456789\" is in RUNNING"}'
        )

    def test_tutorial_detail_type(self) -> None:
        """The tutorial's variable named ``detail-type`` (EB-UG input transformer tutorial)."""
        template = '"This event was of <detail-type> type."'
        output = transform(template, {"detail-type": "$.detail-type"}, E4_EVENT, E4_RULE)
        assert output == '"This event was of EC2 Instance State-change Notification type."'

    def test_unused_map_entries_are_fine(self) -> None:
        """``resource`` is defined but unused; the template needs only what it names."""
        compiled = InputTransformer.compile(E4_MAP, "<state>", target_id="t1")
        assert compiled.mode is TemplateMode.STRING
        assert compiled.apply(E4_EVENT, **E4_RULE) == "RUNNING"


class TestObservedBehaviour:
    """The table recorded against AWS (reference A.9.2, LocalStack snapshots)."""

    @pytest.mark.parametrize(
        ("template", "expected"),
        [
            (
                '"Payload of <payload> with path users-service/users/<userId> and <userId>"',
                '"Payload of {acc_id:0a787ecb-4015,sf_id:baz} with path '
                'users-service/users/0a787ecb-4015 and 0a787ecb-4015"',
            ),
            ('"<listsingle> single list item"', '"[HIGH] single list item"'),
            ('"<listmulti> multiple list items"', '"[ACTIVE,INACTIVE] multiple list items"'),
            (
                '"Event with <systemstring> system account id"',
                '"Event with  system account id"',
            ),
            ('"Command is <valid>!"', '"Command is true!"'),
            (
                '"Message containing all pre defined variables <aws.events.rule-arn> '
                '<aws.events.rule-name> <aws.events.event.ingestion-time>"',
                '"Message containing all pre defined variables '
                "arn:aws:events:us-east-1:111111111111:rule/test-bus/test-rule test-rule "
                '2024-06-11T08:33:01Z"',
            ),
            (
                '"{[/Check with special starting characters for event of <detail-type> type"',
                '"{[/Check with special starting characters for event of '
                'core.update-account-command type"',
            ),
            (
                '"Event of <detail-type> type, at time <timestamp>, info extracted from detail '
                '<command>"',
                '"Event of core.update-account-command type, at time 2024-06-11T08:33:00Z, '
                'info extracted from detail update-account"',
            ),
        ],
    )
    def test_string_templates(self, template: str, expected: str) -> None:
        """Observed string-template outputs, byte for byte."""
        assert transform(template, OBS_MAP, OBS_EVENT, OBS_RULE) == expected

    @pytest.mark.parametrize(
        ("template", "expected"),
        [
            (
                '{"method": "PUT", "path": "users-service/users/<userId>", "bod": <payload>}',
                {
                    "method": "PUT",
                    "path": "users-service/users/0a787ecb-4015",
                    "bod": {"acc_id": "0a787ecb-4015", "sf_id": "baz"},
                },
            ),
            ('{"id" : <userId>}', {"id": "0a787ecb-4015"}),
            ('{"id" : "<userId>"}', {"id": "0a787ecb-4015"}),
            (
                '{"method": "PUT", "bod": [<userId>, "hardcoded"]}',
                {"method": "PUT", "bod": ["0a787ecb-4015", "hardcoded"]},
            ),
            ('{"singlelistitem": <listsingle>}', {"singlelistitem": ["HIGH"]}),
            (
                '{"multi_replacement": "users/<userId>/second/<userId>"}',
                {"multi_replacement": "users/0a787ecb-4015/second/0a787ecb-4015"},
            ),
            (
                '{"detailType": <detail-type>,  "time": <timestamp>, "command": <command>}',
                {
                    "detailType": "core.update-account-command",
                    "time": "2024-06-11T08:33:00Z",
                    "command": "update-account",
                },
            ),
        ],
    )
    def test_json_templates(self, template: str, expected: dict[str, Any]) -> None:
        """Observed JSON-template outputs."""
        assert json.loads(transform(template, OBS_MAP, OBS_EVENT, OBS_RULE)) == expected

    def test_missing_path_is_an_empty_string(self) -> None:
        """A path missing from the event gives ``""`` in value position and nothing in a string."""
        paths = {**OBS_MAP, "command": "$.detail.notinmessage"}
        json_template = '{"detailType": <detail-type>,  "time": <timestamp>, "command": <command>}'
        assert json.loads(transform(json_template, paths, OBS_EVENT, OBS_RULE)) == {
            "detailType": "core.update-account-command",
            "time": "2024-06-11T08:33:00Z",
            "command": "",
        }
        string_template = '"Event of <detail-type> type, info extracted from detail <command>"'
        assert transform(string_template, paths, OBS_EVENT, OBS_RULE) == (
            '"Event of core.update-account-command type, info extracted from detail "'
        )

    @pytest.mark.parametrize(
        "template",
        [
            '{"payload": "<payload>"}',
            '{"singlelistitem": "<listsingle>"}',
            '{"not_valid": "users-service/users/<payload>", "bod": <payload>}',
        ],
    )
    def test_nothing_delivered(self, template: str) -> None:
        """An object or array inside quotes of a JSON template breaks it: nothing is delivered."""
        with pytest.raises(TransformationFailed) as caught:
            transform(template, OBS_MAP, OBS_EVENT, OBS_RULE)
        assert not _is_json(caught.value.text)

    def test_predefined_event_variables(self) -> None:
        """``aws.events.event`` is the envelope without detail; ``.json`` is the whole event."""
        template = (
            '{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}'
        )
        output = json.loads(transform(template, {}, OBS_EVENT, OBS_RULE))
        assert list(output["originalEvent"].items()) == [
            ("id", OBS_EVENT["id"]),
            ("account", "111111111111"),
            ("detailType", "core.update-account-command"),
            ("time", "2024-06-11T08:33:01Z"),
            ("source", "core.update-account-command"),
            ("region", "us-east-1"),
            ("resources", []),
            ("version", "0"),
        ]
        assert output["originalEventJson"] == OBS_EVENT

    def test_ingestion_time_is_utc_seconds(self) -> None:
        """The ingestion time is rendered in UTC to the second; a naive time is UTC."""
        template = "<aws.events.event.ingestion-time>"
        compiled = InputTransformer.compile(None, template, target_id="t1")
        paris = timezone(timedelta(hours=2))
        at = datetime(2024, 6, 11, 10, 33, 1, 999_000, tzinfo=paris)
        common = {"rule_arn": "a", "rule_name": "r"}
        assert compiled.apply(OBS_EVENT, ingestion_time=at, **common) == "2024-06-11T08:33:01Z"
        naive = datetime(2024, 6, 11, 8, 33, 1)
        assert compiled.apply(OBS_EVENT, ingestion_time=naive, **common) == "2024-06-11T08:33:01Z"


class TestInputPathAndConstantInput:
    """InputPath selects part of the event; Input is delivered verbatim; nothing means all."""

    @pytest.mark.parametrize(
        ("path", "expected"),
        [
            ("$.detail", OBS_EVENT["detail"]),
            ("$.detail.payload", {"acc_id": "0a787ecb-4015", "sf_id": "baz"}),
            ("$.detail.payload.sf_id", "baz"),
            ("$.detail-type", "core.update-account-command"),
            ("$.detail.listmulti[1]", "INACTIVE"),
            ("$", OBS_EVENT),
            ("$.detail.payload.*", ["0a787ecb-4015", "baz"]),
            ("$.detail.listmulti[*]", ["ACTIVE", "INACTIVE"]),
        ],
    )
    def test_input_path(self, path: str, expected: Any) -> None:
        """The selected value arrives as JSON; a string keeps its quotes (observed)."""
        output = InputPath.compile(path, target_id="t1").apply(OBS_EVENT)
        assert json.loads(output) == expected

    def test_input_path_string_keeps_quotes(self) -> None:
        """``$.detail.payload.sf_id`` delivers ``"baz"`` with its quotes (observed)."""
        assert (
            InputPath.compile("$.detail.payload.sf_id", target_id="t1").apply(OBS_EVENT) == '"baz"'
        )

    @pytest.mark.parametrize("path", ["$.detail.missing", "$.resources[0]", "$.detail.nothing.*"])
    def test_input_path_selecting_nothing(self, path: str) -> None:
        """A path that selects nothing delivers nothing."""
        with pytest.raises(TransformationFailed):
            InputPath.compile(path, target_id="t1").apply(OBS_EVENT)

    def test_constant_input(self) -> None:
        """``Input`` is delivered exactly as given, whatever the event."""
        constant = ConstantInput.compile('{"env": "dev"}', target_id="t1")
        assert constant.apply(OBS_EVENT) == '{"env": "dev"}'

    def test_whole_event_by_default(self) -> None:
        """With no input setting the target receives the whole event."""
        chosen = compile_target_input(target_id="t1")
        assert isinstance(chosen, WholeEvent)
        assert json.loads(chosen.apply(OBS_EVENT, **OBS_RULE)) == OBS_EVENT

    def test_choosing_the_setting(self) -> None:
        """``compile_target_input`` compiles whichever one setting is present."""
        assert isinstance(compile_target_input(target_id="t1", input="{}"), ConstantInput)
        assert isinstance(compile_target_input(target_id="t1", input_path="$.detail"), InputPath)
        transformer = compile_target_input(
            target_id="t1", input_template='"<aws.events.rule-name>"'
        )
        assert isinstance(transformer, InputTransformer)
        assert transformer.apply(OBS_EVENT, **OBS_RULE) == '"test-rule"'


# --------------------------------------------------------------------------- errors

LONG = "x" * 8193


class TestValidationErrors:
    """PutTargets-time validation: code ValidationException, anchored messages."""

    @pytest.mark.parametrize(
        ("settings", "pattern"),
        [
            (
                {"input_path": "$.detail", "input_template": '"x"'},
                r"^Only one of Input, InputPath, or InputTransformer must be provided for "
                r"target t1\.$",
            ),
            (
                {"input": "{}", "input_path": "$.detail"},
                r"^Only one of Input, InputPath, or InputTransformer must be provided",
            ),
            (
                {"input": "{}", "input_paths_map": {}},
                r"^Only one of Input, InputPath, or InputTransformer must be provided",
            ),
            (
                {
                    "input_template": (
                        '"Event of <detail-type> type, with not defined key <notdefinedkey>"'
                    ),
                    "input_paths_map": {"detail-type": "$.detail-type"},
                },
                r"^InputTemplate for target t1 contains invalid placeholder notdefinedkey\. "
                r"InputTemplate='.*' at position 51: expected a variable of InputPathsMap",
            ),
            (
                {"input_template": '{"a": "x < y and y > z"}'},
                r"^InputTemplate for target t1 contains invalid placeholder  y and y \. ",
            ),
            (
                {"input_template": "{<k>: 1}", "input_paths_map": {"k": "$.id"}},
                r"^InputTemplate for target t1 uses placeholder <k> as an object key\. "
                r"InputTemplate='\{<k>: 1\}' at position 1: expected a literal object key$",
            ),
            (
                {"input_template": '{"a": 1, "<k>": 2}', "input_paths_map": {"k": "$.id"}},
                r"^InputTemplate for target t1 uses placeholder <k> as an object key\. .* "
                r"at position 10:",
            ),
            (
                {"input_template": ""},
                r"^1 validation error detected: Value '' at "
                r"'targets\.1\.member\.inputTransformer\.inputTemplate' failed to satisfy "
                r"constraint: Member must have length greater than or equal to 1$",
            ),
            (
                {"input_template": LONG},
                r"^1 validation error detected: .* at 'targets\.1\.member\.inputTransformer"
                r"\.inputTemplate' failed to satisfy constraint: Member must have length less "
                r"than or equal to 8192$",
            ),
            (
                {"input_template": '"x"', "input_paths_map": {f"k{i}": "$.id" for i in range(101)}},
                r"^1 validation error detected: .* at 'targets\.1\.member\.inputTransformer"
                r"\.inputPathsMap' failed to satisfy constraint: Member must have length less "
                r"than or equal to 100$",
            ),
            (
                {"input_template": '"x"', "input_paths_map": {"AWS.key": "$.id"}},
                r"^1 validation error detected: Value '\{AWS\.key=\$\.id\}' at .*inputPathsMap' "
                r"failed to satisfy constraint: Map keys must satisfy constraint: \[Member must "
                r"satisfy regular expression pattern: \[A-Za-z0-9\\_\\-\]\+\]$",
            ),
            (
                {"input_template": '"x"', "input_paths_map": {"aws.events.rule-arn": "$.id"}},
                r"^1 validation error detected: .*Map keys must satisfy constraint",
            ),
            (
                {"input_template": '"x"', "input_paths_map": {"": "$.id"}},
                r"^1 validation error detected: .*Map keys must satisfy constraint: \[Member "
                r"must have length greater than or equal to 1, ",
            ),
            (
                {"input_template": '"x"', "input_paths_map": {"k" * 257: "$.id"}},
                r"^1 validation error detected: .*Map keys must satisfy constraint: \[Member "
                r"must have length less than or equal to 256\]$",
            ),
            (
                {"input_template": '"x"', "input_paths_map": {"k": "$." + "a" * 255}},
                r"^1 validation error detected: .*Map value must satisfy constraint: \[Member "
                r"must have length less than or equal to 256\]$",
            ),
            (
                {"input_template": '"x"', "input_paths_map": {"k": "detail.x"}},
                r"^InputPathsMap for target t1 contains an invalid JSON path for k\. "
                r"InputPathsMap\['k'\]='detail\.x' at position 0: expected '\$'$",
            ),
            (
                {"input_template": '"x"', "input_paths_map": {"k": "$['detail']"}},
                r"^InputPathsMap for target t1 contains an invalid JSON path for k\. .* "
                r"at position 2: expected an array index or '\*' \(dot notation for names\)$",
            ),
            (
                {"input_template": '"x"', "input_paths_map": {"k": "$..detail"}},
                r"^InputPathsMap .* at position 2: expected a member name",
            ),
            (
                {"input_template": '"x"', "input_paths_map": {"k": "$.detail."}},
                r"^InputPathsMap .* at position 9: expected a member name",
            ),
            (
                {"input_template": '"x"', "input_paths_map": {"k": "$.resources[0"}},
                r"^InputPathsMap .* at position 13: expected '\]'$",
            ),
            (
                {"input_template": '"x"', "input_paths_map": {"k": "$.resources[-1]"}},
                r"^InputPathsMap .* at position 12: expected an array index",
            ),
            (
                {"input_template": '"x"', "input_paths_map": {"k": "$.a b"}},
                r"^InputPathsMap .* at position 3: expected '\.' or '\['$",
            ),
            (
                {"input_path": "detail"},
                r"^InputPath for target t1 is not a valid JSON path\. InputPath='detail' at "
                r"position 0: expected '\$'$",
            ),
            (
                {"input_path": "$." + "a" * 255},
                r"^1 validation error detected: .* at 'targets\.1\.member\.inputPath' failed to "
                r"satisfy constraint: Member must have length less than or equal to 256$",
            ),
            ({"input": "NotJSON"}, r"^Input for target t1 is not a valid JSON text\.$"),
            ({"input": '{"a": NaN}'}, r"^Input for target t1 is not a valid JSON text\.$"),
            ({"input": ""}, r"^Input for target t1 is not a valid JSON text\.$"),
            (
                {"input": "[" + "1," * 4100 + "1]"},
                r"^1 validation error detected: .* at 'targets\.1\.member\.input' failed to "
                r"satisfy constraint: Member must have length less than or equal to 8192$",
            ),
            (
                {"input_paths_map": {"k": "$.id"}},
                r"^1 validation error detected: Value 'null' at "
                r"'targets\.1\.member\.inputTransformer\.inputTemplate' failed to satisfy "
                r"constraint: Member must not be null$",
            ),
        ],
    )
    def test_error_table(self, settings: dict[str, Any], pattern: str) -> None:
        """Each invalid setting raises ValidationException with the expected message."""
        with pytest.raises(ValidationException) as caught:
            compile_target_input(target_id="t1", **settings)
        assert caught.value.code == "ValidationException"
        assert re.match(pattern, caught.value.message, re.DOTALL), caught.value.message

    def test_syntax_errors_carry_position(self) -> None:
        """Syntax errors keep param, value, position and expectation as attributes."""
        with pytest.raises(ValidationException) as caught:
            InputPath.compile("$.a b", target_id="t1")
        error = caught.value
        assert (error.param, error.value, error.position, error.expected) == (
            "InputPath",
            "$.a b",
            3,
            "'.' or '['",
        )

    def test_member_location_in_messages(self) -> None:
        """The request location of the target appears in AWS's constraint messages."""
        with pytest.raises(ValidationException, match=r"at 'targets\.3\.member\.inputPath'"):
            InputPath.compile("$" * 300, target_id="t3", member="targets.3.member")


# --------------------------------------------------------------------------- properties


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _is_json(text: str) -> bool:
    """Strict JSON: no NaN/Infinity, no control characters inside strings."""
    try:
        json.loads(text, parse_constant=_no_constants)
    except ValueError:
        return False
    return True


NAME = st.text(alphabet="abcXY09_-/", min_size=1, max_size=4)
SAFE_TEXT = st.text(alphabet="abc xyz:é{}[],.-", max_size=6)
ANY_TEXT = st.text(max_size=6)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | SAFE_TEXT
    | ANY_TEXT
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAME, inner, max_size=3),
    max_leaves=12,
)
events = st.dictionaries(NAME, json_values, min_size=1, max_size=4)


@st.composite
def path_into(draw: st.DrawFn, document: Any) -> str:
    """A path that exists in ``document`` most of the time, sometimes one that does not."""
    text = "$"
    node = document
    while draw(st.integers(0, 2)):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            text, node = f"{text}.{key}", node[key]
        elif isinstance(node, list) and node:
            index = draw(st.integers(0, len(node) - 1))
            text, node = f"{text}[{index}]", node[index]
        else:
            break
    if draw(st.integers(0, 4)) == 0:
        text += draw(st.sampled_from([".missing", "[7]", ".*", "[*]"]))
    return text


@st.composite
def transformer_cases(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, str], Any]:
    """An event, a path map over it, and a random JSON template tree using its variables."""
    event = draw(events)
    keys = draw(
        st.lists(
            st.text(alphabet="abcdefgh_-", min_size=1, max_size=3),
            unique=True,
            min_size=1,
            max_size=4,
        )
    )
    paths = {key: draw(path_into(event)) for key in keys}
    names = [*keys, "aws.events.rule-name", "aws.events.event.json", "aws.events.event"]
    slot = st.sampled_from(names).map(lambda name: ("slot", name))
    text_piece = SAFE_TEXT.map(lambda t: ("text", t))
    string = st.lists(st.one_of(text_piece, slot, slot), min_size=1, max_size=3).map(
        lambda pieces: ("string", pieces)
    )
    literal = scalars.filter(lambda v: not isinstance(v, str)).map(lambda v: ("literal", v))
    leaf = st.one_of(slot, string, string, literal)
    tree = st.recursive(
        leaf,
        lambda inner: (
            st.lists(inner, max_size=3).map(lambda items: ("array", items))
            | st.dictionaries(NAME, inner, max_size=3).map(lambda members: ("object", members))
        ),
        max_leaves=8,
    )
    root = draw(
        st.lists(tree, min_size=1, max_size=3).map(lambda items: ("array", items))
        | st.dictionaries(NAME, tree, min_size=1, max_size=3).map(
            lambda members: ("object", members)
        )
    )
    return event, paths, root


def template_text(node: Any, blank: str) -> str:
    """The template text of a tree, with ``blank`` between tokens."""
    kind, content = node
    if kind == "literal":
        return json.dumps(content)
    if kind == "slot":
        return f"<{content}>"
    if kind == "string":
        inner = "".join(
            json.dumps(piece)[1:-1] if piece_kind == "text" else f"<{piece}>"
            for piece_kind, piece in content
        )
        return f'"{inner}"'
    if kind == "array":
        return "[" + blank + f",{blank}".join(template_text(i, blank) for i in content) + "]"
    members = (
        f"{json.dumps(k)}{blank}:{blank}{template_text(v, blank)}" for k, v in content.items()
    )
    return "{" + blank + f",{blank}".join(members) + blank + "}"


class Oracle:
    """Expected values of a template tree, and whether substitution stays well-formed."""

    def __init__(self, event: dict[str, Any], paths: dict[str, str]) -> None:
        self.event = event
        self.paths = paths
        self.safe = True

    def variable(self, name: str) -> tuple[Any, ...]:
        if name == "aws.events.rule-name":
            return ("rule",)
        if name == "aws.events.event.json":
            return (self.event,)
        if name == "aws.events.event":
            shaped = {("detailType" if k == "detail-type" else k): v for k, v in self.event.items()}
            shaped.pop("detail", None)
            if "time" in shaped:
                shaped["time"] = "2024-01-01T00:00:00Z"
            return (shaped,)
        return naive_find(self.event, self.paths[name])

    def text_of(self, found: tuple[Any, ...]) -> str:
        if not found:
            return ""
        value = found[0]
        text = (
            value
            if isinstance(value, str)
            else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        )
        if '"' in text or "\\" in text or any(ord(c) < 0x20 for c in text):
            self.safe = False
        return text

    def evaluate(self, node: Any) -> Any:
        kind, content = node
        if kind == "literal":
            return content
        if kind == "slot":
            found = self.variable(content)
            if not found:
                return ""
            if isinstance(found[0], str):
                self.text_of(found)
            return found[0]
        if kind == "string":
            return "".join(
                piece if piece_kind == "text" else self.text_of(self.variable(piece))
                for piece_kind, piece in content
            )
        if kind == "array":
            return [self.evaluate(i) for i in content]
        return {k: self.evaluate(v) for k, v in content.items()}


def naive_find(document: Any, path: str) -> tuple[Any, ...]:
    """Resolve a generated path by splitting it (no wildcards beyond a final one)."""
    nodes = [document]
    wildcard = False
    for token in re.findall(r"\.([^.\[]+)|\[(\d+|\*)\]", path[1:]):
        name, index = token
        step = name or index
        next_nodes: list[Any] = []
        for node in nodes:
            if step == "*":
                wildcard = True
                if isinstance(node, dict):
                    next_nodes.extend(node.values())
                elif isinstance(node, list):
                    next_nodes.extend(node)
            elif index and isinstance(node, list) and int(index) < len(node):
                next_nodes.append(node[int(index)])
            elif name and isinstance(node, dict) and name in node:
                next_nodes.append(node[name])
        nodes = next_nodes
    if wildcard:
        return (nodes,) if nodes else ()
    return tuple(nodes[:1])


RULE = {
    "rule_arn": "arn:aws:events:us-east-1:123456789012:rule/rule",
    "rule_name": "rule",
    "ingestion_time": datetime(2024, 1, 1, tzinfo=UTC),
}


class TestTransformerProperties:
    """Random JSON templates over random events behave as the oracle says."""

    @given(case=transformer_cases(), blank=st.sampled_from(["", " ", "\n  "]))
    def test_json_templates_never_deliver_invalid_json(
        self, case: tuple[dict[str, Any], dict[str, str], Any], blank: str
    ) -> None:
        """The output is valid JSON equal to the oracle's, or nothing is delivered when unsafe."""
        event, paths, root = case
        compiled = InputTransformer.compile(paths, template_text(root, blank), target_id="t1")
        assert compiled.mode is TemplateMode.JSON
        oracle = Oracle(event, paths)
        expected = oracle.evaluate(root)
        try:
            output = compiled.apply(event, **RULE)
        except TransformationFailed as failure:
            assert not oracle.safe, f"safe values, yet failed: {failure.text}"
            assert not _is_json(failure.text)
        else:
            assert _is_json(output)
            if oracle.safe:
                assert json.loads(output) == expected

    @given(case=transformer_cases())
    def test_string_templates_substitute_textually(
        self, case: tuple[dict[str, Any], dict[str, str], Any]
    ) -> None:
        """A string template is its own text with each placeholder replaced by the oracle's text."""
        event, paths, _ = case
        names = sorted(paths)
        template = '"' + " and ".join(f"<{name}>" for name in names) + '"'
        compiled = InputTransformer.compile(paths, template, target_id="t1")
        oracle = Oracle(event, paths)
        pieces = []
        for name in names:
            text = oracle.text_of(oracle.variable(name))
            found = oracle.variable(name)
            if found and isinstance(found[0], dict | list):
                text = text.replace('"', "")
            pieces.append(text)
        assert compiled.apply(event, **RULE) == '"' + " and ".join(pieces) + '"'

    @given(event=events, data=st.data())
    def test_input_path_selects_the_oracle_value(
        self, event: dict[str, Any], data: st.DataObject
    ) -> None:
        """InputPath delivers the JSON of what the naive resolver finds, or nothing."""
        path = data.draw(path_into(event))
        compiled = InputPath.compile(path, target_id="t1")
        expected = naive_find(event, path)
        if expected:
            assert compiled.apply(event) == json.dumps(
                expected[0], separators=(",", ":"), ensure_ascii=False
            )
        else:
            with pytest.raises(TransformationFailed):
                compiled.apply(event)

    @given(event=events, data=st.data())
    def test_path_render_round_trips(self, event: dict[str, Any], data: st.DataObject) -> None:
        """parse(render(p)) == p for generated paths."""
        path = JsonPath.parse(data.draw(path_into(event)))
        assert JsonPath.parse(path.render()) == path


template_alphabet = st.sampled_from([*'<>{}[]":, \\ab', "<a>", "<aws.events.event>", "<zz>"])


class TestParserRobustness:
    """Parsers fail only with the AWS error."""

    @given(st.text(max_size=30) | st.lists(template_alphabet, max_size=20).map("".join))
    def test_templates(self, template: str) -> None:
        """Any template compiles, or raises ValidationException."""
        try:
            compiled = InputTransformer.compile({"a": "$.a"}, template, target_id="t1")
        except ValidationException as error:
            assert error.code == "ValidationException"
        else:
            try:
                output = compiled.apply({"a": 'x"y'}, **RULE)
            except TransformationFailed:
                assert compiled.mode is TemplateMode.JSON
            else:
                assert compiled.mode is TemplateMode.STRING or _is_json(output)

    @given(
        st.text(max_size=20)
        | st.lists(st.sampled_from(list("$.[]*0a-/ ")), max_size=12).map("".join)
    )
    def test_paths(self, text: str) -> None:
        """A path parses, or raises PathSyntaxError within it (and InputPath the AWS error)."""
        try:
            JsonPath.parse(text)
        except PathSyntaxError as error:
            assert 0 <= error.position <= len(text)
            with pytest.raises(ValidationException):
                InputPath.compile(text, target_id="t1")

    def test_predefined_names_are_reserved(self) -> None:
        """No predefined variable name can be an InputPathsMap key."""
        for name in PREDEFINED_VARIABLES:
            with pytest.raises(ValidationException):
                InputTransformer.compile({name: "$.id"}, '"x"', target_id="t1")
