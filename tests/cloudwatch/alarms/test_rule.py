"""Tests for awsmon.cloudwatch.alarms.rule: the composite-alarm AlarmRule language."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.rule import (
    AlarmRule,
    And,
    Constant,
    Expression,
    Not,
    Or,
    StateCheck,
)
from awsmon.cloudwatch.errors import ValidationError

ALM, OKS, INS = AlarmState.ALARM, AlarmState.OK, AlarmState.INSUFFICIENT_DATA


def alarm(name: str) -> StateCheck:
    return StateCheck(ALM, name)


class TestDocumentedExamples:
    """The AlarmRule examples of the PutCompositeAlarm reference and the user guide."""

    def test_both_in_alarm(self) -> None:
        """ALARM only if both CPUUtilizationTooHigh and DiskReadOpsTooHigh are in ALARM."""
        rule = AlarmRule.parse("ALARM(CPUUtilizationTooHigh) AND ALARM(DiskReadOpsTooHigh)")
        assert rule.expression == And((alarm("CPUUtilizationTooHigh"), alarm("DiskReadOpsTooHigh")))
        assert rule.evaluate({"CPUUtilizationTooHigh": ALM, "DiskReadOpsTooHigh": ALM})
        assert not rule.evaluate({"CPUUtilizationTooHigh": ALM, "DiskReadOpsTooHigh": OKS})

    def test_not_during_deployment(self) -> None:
        """CPUUtilizationTooHigh in ALARM while DeploymentInProgress is not."""
        rule = AlarmRule.parse("ALARM(CPUUtilizationTooHigh) AND NOT ALARM(DeploymentInProgress)")
        assert rule.evaluate({"CPUUtilizationTooHigh": ALM, "DeploymentInProgress": OKS})
        assert not rule.evaluate({"CPUUtilizationTooHigh": ALM, "DeploymentInProgress": ALM})

    @pytest.mark.parametrize(
        "text",
        [
            "(ALARM(CPUUtilizationTooHigh) OR ALARM(DiskReadOpsTooHigh)) AND OK(NetworkOutTooHigh)",
            '(ALARM("CPUUtilizationTooHigh") OR \n   ALARM("DiskReadOpsTooHigh")) AND \n'
            '   OK("NetworkOutTooHigh")',
        ],
        ids=["api-reference", "console-quoted-multiline"],
    )
    def test_cpu_or_disk_while_network_ok(self, text: str) -> None:
        """CPU or disk in ALARM, and NetworkOutTooHigh in OK; quotes and newlines change nothing."""
        rule = AlarmRule.parse(text)
        assert rule.render() == (
            "(ALARM(CPUUtilizationTooHigh) OR ALARM(DiskReadOpsTooHigh)) AND OK(NetworkOutTooHigh)"
        )
        assert rule.referenced_alarms == {
            "CPUUtilizationTooHigh",
            "DiskReadOpsTooHigh",
            "NetworkOutTooHigh",
        }
        assert rule.evaluate({"DiskReadOpsTooHigh": ALM, "NetworkOutTooHigh": OKS})
        assert not rule.evaluate({"DiskReadOpsTooHigh": ALM, "NetworkOutTooHigh": ALM})

    def test_event_sample_rule(self) -> None:
        """The composite alarm of the EventBridge sample."""
        rule = AlarmRule.parse("ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh)")
        assert rule.evaluate({"ServerCpuTooHigh": ALM, "TotalNetworkTrafficTooHigh": OKS})
        assert not rule.evaluate({"ServerCpuTooHigh": OKS, "TotalNetworkTrafficTooHigh": OKS})

    @pytest.mark.parametrize(("text", "value"), [("TRUE", True), ("FALSE", False)])
    def test_constants(self, text: str, value: bool) -> None:
        """TRUE and FALSE need no child alarm (FALSE breaks cycles)."""
        rule = AlarmRule.parse(text)
        assert rule.expression == Constant(value)
        assert rule.evaluate({}) is value
        assert rule.referenced_alarms == frozenset()


class TestSyntax:
    """Precedence, references and the state functions."""

    def test_not_binds_tighter_than_and_tighter_than_or(self) -> None:
        """NOT > AND > OR, as recommended where AWS does not document it."""
        rule = AlarmRule.parse("ALARM(a) OR NOT ALARM(b) AND ALARM(c)")
        assert rule.expression == Or((alarm("a"), And((Not(alarm("b")), alarm("c")))))

    def test_parentheses_group(self) -> None:
        """Parentheses override precedence and survive as nesting."""
        rule = AlarmRule.parse("(ALARM(a) OR ALARM(b)) AND (ALARM(c) AND ALARM(d))")
        assert rule.expression == And((Or((alarm("a"), alarm("b"))), And((alarm("c"), alarm("d")))))

    def test_three_state_functions(self) -> None:
        """ALARM, OK and INSUFFICIENT_DATA each test one state."""
        rule = AlarmRule.parse("ALARM(a) AND OK(b) AND INSUFFICIENT_DATA(c)")
        assert rule.evaluate({"a": ALM, "b": OKS, "c": INS})
        assert not rule.evaluate({"a": ALM, "b": OKS, "c": OKS})

    def test_unknown_child_is_in_no_state(self) -> None:
        """A child absent from the mapping makes each of its state functions FALSE."""
        rule = AlarmRule.parse("NOT ALARM(a) AND NOT OK(a) AND NOT INSUFFICIENT_DATA(a)")
        assert rule.evaluate({})

    @pytest.mark.parametrize(
        ("text", "name"),
        [
            ("ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu-high)", None),
            ('ALARM("SampleQueue Oldest Age Alarm")', "SampleQueue Oldest Age Alarm"),
            ('OK("a (b)")', "a (b)"),
            ("ALARM(AND)", "AND"),
            ('ALARM("  padded ")', "  padded "),
            ("ALARM( spaced )", "spaced"),
            ("ALARM (x)", "x"),
        ],
    )
    def test_references(self, text: str, name: str | None) -> None:
        """Names and ARNs, quoted when they hold spaces or parentheses, optional otherwise."""
        expected = name or text[len("ALARM(") : -1]
        rule = AlarmRule.parse(text)
        assert rule.referenced_alarms == {expected}
        assert AlarmRule.parse(rule.render()) == rule

    def test_render_quotes_only_when_needed(self) -> None:
        """Plain names stay bare; spaces, parentheses and keywords get quotes."""
        rule = AlarmRule(
            Or((alarm("plain"), alarm("with space"), alarm("x)"), alarm("TRUE"), Constant(True)))
        )
        assert (
            rule.render()
            == 'ALARM(plain) OR ALARM("with space") OR ALARM("x)") OR ALARM("TRUE") OR TRUE'
        )

    def test_not_of_groups_is_parenthesized(self) -> None:
        """NOT of a compound operand is rendered with parentheses."""
        rule = AlarmRule(Not(Not(And((alarm("a"), alarm("b"))))))
        assert rule.render() == "NOT (NOT (ALARM(a) AND ALARM(b)))"

    def test_deep_nesting_within_the_element_limit(self) -> None:
        """499 nested NOTs (500 elements) parse, render, compare and evaluate without recursion."""
        text = "NOT (" * 499 + "ALARM(a)" + ")" * 499
        rule = AlarmRule.parse(text)
        assert rule == AlarmRule.parse(rule.render())
        assert hash(rule) == hash(AlarmRule.parse(text))
        assert rule.evaluate({"a": OKS})
        assert repr(rule).startswith("AlarmRule.parse('NOT (NOT (")

    def test_node_validation(self) -> None:
        """Trees built by hand follow the same rules as parsed ones."""
        with pytest.raises(ValueError, match=r"at least two operands"):
            And((alarm("a"),))
        with pytest.raises(ValueError, match=r"non-empty"):
            StateCheck(ALM, "")
        with pytest.raises(ValueError, match=r"non-empty"):
            StateCheck(ALM, 'a"b')


OPERAND = "'(', 'NOT', TRUE or FALSE, ALARM, OK, or INSUFFICIENT_DATA"
CDK_RULE = (
    "(ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:SampleQueue Oldest Age Alarm) OR "
    "ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:SampleQueue Visible Messages Alarm))"
)
MANY_CHILDREN = " OR ".join(f"ALARM(a{i})" for i in range(101))
MANY_ELEMENTS = " OR ".join(["TRUE"] * 501)


def syntax(detail: str) -> str:
    return "^" + re.escape(f"Error in AlarmRule [{detail}]") + "$"


ERRORS = [
    pytest.param(
        "()", syntax(f"Unsupported token ')' at char 1, must be: {OPERAND}"), id="empty-parens"
    ),
    pytest.param(
        CDK_RULE,
        syntax("Unsupported token 'Oldest' at char 67, must be: ')'"),
        id="unquoted-name-with-space",
    ),
    pytest.param(
        "",
        r"^1 validation error detected: Value '' at 'alarmRule' failed to satisfy constraint: "
        r"Member must have length greater than or equal to 1$",
        id="empty",
    ),
    pytest.param(
        "TRUE" + " " * 10237,
        r"^1 validation error detected: Value at 'alarmRule' failed to satisfy constraint: "
        r"Member must have length less than or equal to 10240$",
        id="too-long",
    ),
    pytest.param(
        "alarm(x)",
        syntax(f"Unsupported token 'alarm' at char 0, must be: {OPERAND}"),
        id="lower-case",
    ),
    pytest.param(
        "NOT NOT ALARM(x)",
        syntax(
            "Unsupported token 'NOT' at char 4, must be: "
            "'(', TRUE or FALSE, ALARM, OK, or INSUFFICIENT_DATA"
        ),
        id="double-not",
    ),
    pytest.param(
        "ALARM(x) AND",
        syntax(f"Unexpected end of rule at char 12, must be: {OPERAND}"),
        id="dangling-and",
    ),
    pytest.param(
        "ALARM(x) ALARM(y)",
        syntax("Unsupported token 'ALARM' at char 9, must be: 'AND', 'OR' or the end"),
        id="missing-operator",
    ),
    pytest.param(
        "ALARM(x))",
        syntax("Unsupported token ')' at char 8, must be: 'AND', 'OR' or the end"),
        id="stray-close",
    ),
    pytest.param(
        "((ALARM(x) OR TRUE)",
        syntax("Unexpected end of rule at char 19, must be: 'AND', 'OR' or ')'"),
        id="unclosed",
    ),
    pytest.param("ALARM x", syntax("Unsupported token 'x' at char 6, must be: '('"), id="no-paren"),
    pytest.param(
        "ALARM()",
        syntax("Unsupported token ')' at char 6, must be: an alarm name or ARN"),
        id="no-name",
    ),
    pytest.param(
        'OK("")',
        syntax("Unsupported token '\"\"' at char 3, must be: an alarm name or ARN"),
        id="empty-quoted-name",
    ),
    pytest.param(
        'OK("abc',
        syntax("Unsupported token '\"' at char 3, must be: a closing '\"'"),
        id="unterminated-quote",
    ),
    pytest.param(
        "ALARM(a b)", syntax("Unsupported token 'b' at char 8, must be: ')'"), id="two-names"
    ),
    pytest.param(
        "ALARM(x) && OK(y)",
        syntax("Unsupported token '&&' at char 9, must be: 'AND', 'OR' or the end"),
        id="c-operator",
    ),
    pytest.param(
        "AT_LEAST(2, ALARM, (a, b))",
        syntax(f"Unsupported token 'AT_LEAST' at char 0, must be: {OPERAND}"),
        id="at-least-not-simulated",
    ),
    pytest.param(
        MANY_CHILDREN,
        syntax(
            "The AlarmRule can specify as many as 100 child alarms; child 101 is at char "
            f"{MANY_CHILDREN.index('a100')}"
        ),
        id="101-children",
    ),
    pytest.param(
        MANY_ELEMENTS,
        syntax("The AlarmRule can have as many as 500 elements; element 501 is at char 4000"),
        id="501-elements",
    ),
    pytest.param(
        "(" * 501 + "TRUE" + ")" * 501,
        syntax("The AlarmRule can have as many as 500 elements; element 501 is at char 500"),
        id="501-parentheses",
    ),
]


class TestErrors:
    """Invalid rules raise ValidationError with AWS's wording, position and expectation."""

    @pytest.mark.parametrize(("text", "message"), ERRORS)
    def test_invalid_rule(self, text: str, message: str) -> None:
        """The error carries the AWS code, the AlarmRule parameter and the offending rule."""
        with pytest.raises(ValidationError) as caught:
            AlarmRule.parse(text)
        error = caught.value
        assert re.match(message, error.message), error.message
        assert (error.code, error.service, error.param, error.value) == (
            "ValidationError",
            "cloudwatch",
            "AlarmRule",
            text,
        )
        assert isinstance(error, ValueError)

    def test_limits_are_inclusive(self) -> None:
        """100 children, 500 elements and 10,240 characters are allowed."""
        assert (
            len(AlarmRule.parse(" OR ".join(f"ALARM(a{i})" for i in range(100))).referenced_alarms)
            == 100
        )
        assert AlarmRule.parse(" OR ".join(["TRUE"] * 500)).evaluate({})
        assert AlarmRule.parse("TRUE" + " " * 10236).evaluate({})

    def test_repeated_child_counts_once(self) -> None:
        """The child limit counts distinct alarms, not state functions."""
        rule = AlarmRule.parse(" OR ".join(f"OK(a{i % 50})" for i in range(150)))
        assert len(rule.referenced_alarms) == 50


# --- properties ----------------------------------------------------------------------------

names = st.one_of(
    st.text(st.characters(blacklist_characters='"', blacklist_categories=("Cs",)), min_size=1),
    st.sampled_from(["AND", "OR", "NOT", "TRUE", "FALSE", "ALARM", "a b", "(x)", "arn:aws:x"]),
)


def expressions() -> st.SearchStrategy[Expression]:
    leaves = st.one_of(
        st.builds(StateCheck, st.sampled_from(list(AlarmState)), names),
        st.builds(Constant, st.booleans()),
    )

    def extend(children: st.SearchStrategy[Expression]) -> st.SearchStrategy[Expression]:
        operands = st.lists(children, min_size=2, max_size=4).map(tuple)
        return st.one_of(
            st.builds(Not, children), st.builds(And, operands), st.builds(Or, operands)
        )

    return st.recursive(leaves, extend, max_leaves=12)


def naive_evaluate(text: str, states: Mapping[str, AlarmState]) -> bool:
    """Evaluate rule text by rewriting it into a Python boolean expression."""

    def check(match: re.Match[str]) -> str:
        name = match.group(2)
        name = name[1:-1] if name.startswith('"') else name
        return f" {states.get(name) is AlarmState(match.group(1))} "

    python = re.sub(r'(ALARM|OK|INSUFFICIENT_DATA)\(("[^"]*"|[^ \t\r\n()"]+)\)', check, text)
    for keyword, replacement in (("AND", "and"), ("OR", "or"), ("NOT", "not")):
        python = re.sub(rf"\b{keyword}\b", f" {replacement} ", python)
    python = re.sub(r"\bTRUE\b", " True ", python)
    python = re.sub(r"\bFALSE\b", " False ", python)
    assert set(python) <= set(" ()andortnTrueFalsl"), python
    return bool(eval(python))  # only booleans, operators and parentheses remain


class TestProperties:
    """Round trips, an independent evaluator, and robustness on arbitrary text."""

    @given(expressions())
    def test_parse_render_round_trips(self, expression: Expression) -> None:
        """parse(render(x)) gives back the same tree."""
        rule = AlarmRule(expression)
        again = AlarmRule.parse(rule.render())
        assert again.expression == expression
        assert again == rule
        assert again.render() == rule.render()

    @given(expressions(), st.data())
    def test_evaluate_agrees_with_naive_evaluator(
        self, expression: Expression, data: st.DataObject
    ) -> None:
        """evaluate agrees with Python's own and/or/not on the rendered text."""
        rule = AlarmRule(expression)
        children = sorted(rule.referenced_alarms)
        states = data.draw(
            st.fixed_dictionaries({name: st.sampled_from(list(AlarmState)) for name in children})
        )
        assert rule.evaluate(states) is naive_evaluate(rule.render(), states)

    @given(expressions(), st.sampled_from([" ", "  ", "\n", "\t "]))
    def test_whitespace_between_tokens_is_insignificant(
        self, expression: Expression, space: str
    ) -> None:
        """Extra spacing around parentheses and operators parses to the same rule."""
        text = AlarmRule(expression).render()
        spaced = re.sub(r"(\s(?:AND|OR)\s|NOT )", lambda m: space + m.group(0) + space, text)
        assert AlarmRule.parse(spaced) == AlarmRule(expression)

    @given(st.text(max_size=80))
    def test_arbitrary_text_parses_or_raises_the_aws_error(self, text: str) -> None:
        """Any text either parses or raises ValidationError, never another exception."""
        try:
            AlarmRule.parse(text)
        except ValidationError as error:
            assert error.code == "ValidationError"
            assert error.message.startswith(("Error in AlarmRule [", "1 validation error"))

    @given(
        st.lists(
            st.sampled_from(
                [
                    "ALARM",
                    "OK",
                    "INSUFFICIENT_DATA",
                    "AND",
                    "OR",
                    "NOT",
                    "TRUE",
                    "FALSE",
                    "(",
                    ")",
                    '"',
                    "x",
                    '"a b"',
                    "AT_LEAST",
                    ",",
                ]
            ),
            min_size=1,
            max_size=20,
        ),
        st.sampled_from(["", " "]),
    )
    def test_token_soup_parses_or_raises_the_aws_error(self, tokens: list[str], glue: str) -> None:
        """Near-miss rules built from the language's own tokens never crash the parser."""
        text = glue.join(tokens)
        try:
            rule = AlarmRule.parse(text)
        except ValidationError as error:
            position = re.search(r"at char (\d+)", error.message)
            assert position is not None
            assert 0 <= int(position.group(1)) <= len(text)
        else:
            assert AlarmRule.parse(rule.render()) == rule
