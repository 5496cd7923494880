"""The composite-alarm rule language (PutCompositeAlarm ``AlarmRule``), parsed once.

A rule combines the states of other alarms::

    (ALARM(CPUUtilizationTooHigh) OR ALARM("Disk read ops")) AND NOT OK(NetworkOutTooHigh)

`AlarmRule.parse` turns the text into an immutable `AlarmRule` whose
`AlarmRule.evaluate` answers, for a mapping of alarm names (or ARNs) to
states, whether the composite alarm is in ALARM; `AlarmRule.render` writes it
back as text, and `AlarmRule.referenced_alarms` lists the children.

Main classes:

- `AlarmRule`: the compiled rule.
- Expression nodes: `StateCheck` (``ALARM(x)``, ``OK(x)``, ``INSUFFICIENT_DATA(x)``),
  `Constant` (``TRUE``/``FALSE``), `Not`, `And`, `Or`.

Grammar (AWS user guide and PutCompositeAlarm)::

    rule      = or_expr
    or_expr   = and_expr { "OR" and_expr }
    and_expr  = not_expr { "AND" not_expr }
    not_expr  = [ "NOT" ] primary
    primary   = state "(" alarm ")" | "TRUE" | "FALSE" | "(" or_expr ")"
    state     = "ALARM" | "OK" | "INSUFFICIENT_DATA"
    alarm     = '"' name-or-arn '"' | name-or-arn-without-spaces-or-parentheses

Limits: 1 to 10,240 characters, at most 100 child alarms and 500 elements
(child alarms, TRUE/FALSE and pairs of grouping parentheses).

A syntax error raises `ValidationError` worded as AWS words it, with the
0-based character offset of the offending token and what was expected:
``Error in AlarmRule [Unsupported token 'Oldest' at char 67, must be: ')']``.

Simulation notes:
    Keyword case and operator precedence are not documented: awsmon accepts
    upper-case keywords only, with NOT binding tighter than AND, and AND
    tighter than OR. A quoted name ends at the next double quote (no escapes),
    so a name containing ``"`` cannot be written in a rule. The wording for an
    unexpected end of the rule and for the limits is awsmon's own. The
    ``AT_LEAST`` function AWS added in November 2025 is not simulated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from attrs import field, frozen

from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.errors import ValidationError

__all__ = [
    "MAX_CHILDREN",
    "MAX_ELEMENTS",
    "MAX_LENGTH",
    "AlarmRule",
    "And",
    "Constant",
    "Expression",
    "Not",
    "Or",
    "StateCheck",
]

#: AlarmRule length limit (characters).
MAX_LENGTH = 10240
#: Child alarms one rule may reference.
MAX_CHILDREN = 100
#: Elements (child alarms, TRUE/FALSE, pairs of grouping parentheses) in one rule.
MAX_ELEMENTS = 500

_STATES = {state.value: state for state in AlarmState}
_KEYWORDS = frozenset({"AND", "OR", "NOT", "TRUE", "FALSE", *_STATES})
_OPERAND = "'(', 'NOT', TRUE or FALSE, ALARM, OK, or INSUFFICIENT_DATA"
_SPACE = " \t\r\n"
_DELIMITERS = _SPACE + '()"'


def _check_alarm_reference(_instance: object, _attribute: object, value: str) -> None:
    if not value or '"' in value:
        raise ValueError(f"an alarm reference must be non-empty and have no '\"': {value!r}")


@frozen
class StateCheck:
    """``ALARM(name)``, ``OK(name)`` or ``INSUFFICIENT_DATA(name)``: a child is in that state.

    Attributes:
        state: the state the child must be in.
        alarm: the child's name or ARN, as written in the rule.
    """

    state: AlarmState
    alarm: str = field(validator=_check_alarm_reference)


@frozen
class Constant:
    """``TRUE`` or ``FALSE``."""

    value: bool


@frozen
class Not:
    """``NOT operand``."""

    operand: Expression


def _operands(value: Iterable[Expression]) -> tuple[Expression, ...]:
    return tuple(value)


def _at_least_two(_instance: object, _attribute: object, value: tuple[Expression, ...]) -> None:
    if len(value) < 2:
        raise ValueError(f"AND/OR need at least two operands, got {len(value)}")


@frozen
class And:
    """``a AND b AND ...``: every operand is true."""

    operands: tuple[Expression, ...] = field(converter=_operands, validator=_at_least_two)


@frozen
class Or:
    """``a OR b OR ...``: some operand is true."""

    operands: tuple[Expression, ...] = field(converter=_operands, validator=_at_least_two)


Expression = StateCheck | Constant | Not | And | Or


@frozen
class _Token:
    kind: str  # "(", ")", "word", "quoted", "end"
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    """Split a rule into parentheses, words and quoted names, with their offsets."""
    tokens: list[_Token] = []
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        if char in _SPACE:
            i += 1
        elif char in "()":
            tokens.append(_Token(char, char, i))
            i += 1
        elif char == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise _error(text, '"', i, "a closing '\"'")
            tokens.append(_Token("quoted", text[i + 1 : end], i))
            i = end + 1
        else:
            start = i
            while i < size and text[i] not in _DELIMITERS:
                i += 1
            tokens.append(_Token("word", text[start:i], start))
    tokens.append(_Token("end", "", size))
    return tokens


def _error(rule: str, token: str, position: int, expected: str) -> ValidationError:
    if position >= len(rule):
        detail = f"Unexpected end of rule at char {position}, must be: {expected}"
    else:
        detail = f"Unsupported token '{token}' at char {position}, must be: {expected}"
    return ValidationError(f"Error in AlarmRule [{detail}]", param="AlarmRule", value=rule)


def _display(token: _Token) -> str:
    return f'"{token.text}"' if token.kind == "quoted" else token.text


class _Group:
    """One open level of parentheses while parsing: its OR terms, AND terms and a pending NOT."""

    def __init__(self, opened_at: int) -> None:
        self.opened_at = opened_at
        self.or_terms: list[Expression] = []
        self.and_terms: list[Expression] = []
        self.negate = False

    def add(self, operand: Expression) -> None:
        self.and_terms.append(Not(operand) if self.negate else operand)
        self.negate = False

    def close_and(self) -> None:
        terms = self.and_terms
        self.or_terms.append(terms[0] if len(terms) == 1 else And(tuple(terms)))
        self.and_terms = []

    def build(self) -> Expression:
        self.close_and()
        terms = self.or_terms
        return terms[0] if len(terms) == 1 else Or(tuple(terms))


class _Parser:
    """An iterative parser (an explicit stack of groups), so deep nesting cannot overflow."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.tokens = _tokenize(rule)
        self.index = 0
        self.elements = 0
        self.children: dict[str, None] = {}

    def next(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, token: _Token, expected: str) -> ValidationError:
        return _error(self.rule, _display(token), token.position, expected)

    def count_element(self, token: _Token) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise ValidationError(
                f"Error in AlarmRule [The AlarmRule can have as many as {MAX_ELEMENTS} "
                f"elements; element {self.elements} is at char {token.position}]",
                param="AlarmRule",
                value=self.rule,
            )

    def parse(self) -> Expression:
        stack = [_Group(-1)]
        expecting_operand = True
        while True:
            token = self.next()
            group = stack[-1]
            if expecting_operand:
                if token.kind == "word" and token.text == "NOT" and not group.negate:
                    group.negate = True
                elif token.kind == "(":
                    self.count_element(token)
                    stack.append(_Group(token.position))
                else:
                    group.add(self.primary(token, group.negate))
                    expecting_operand = False
            elif token.kind == "word" and token.text == "AND":
                expecting_operand = True
            elif token.kind == "word" and token.text == "OR":
                group.close_and()
                expecting_operand = True
            elif token.kind == ")" and len(stack) > 1:
                stack.pop()
                stack[-1].add(group.build())
            elif token.kind == "end" and len(stack) == 1:
                return group.build()
            else:
                closing = "'AND', 'OR' or ')'" if len(stack) > 1 else "'AND', 'OR' or the end"
                raise self.fail(token, closing)

    def primary(self, token: _Token, negated: bool) -> Expression:
        """TRUE, FALSE or a state function, starting at `token`."""
        if token.kind == "word" and token.text in ("TRUE", "FALSE"):
            self.count_element(token)
            return Constant(token.text == "TRUE")
        if token.kind == "word" and token.text in _STATES:
            self.count_element(token)
            opening = self.next()
            if opening.kind != "(":
                raise self.fail(opening, "'('")
            name = self.next()
            if name.kind not in ("word", "quoted") or not name.text:
                raise self.fail(name, "an alarm name or ARN")
            closing = self.next()
            if closing.kind != ")":
                raise self.fail(closing, "')'")
            self.children.setdefault(name.text)
            if len(self.children) > MAX_CHILDREN:
                raise ValidationError(
                    f"Error in AlarmRule [The AlarmRule can specify as many as {MAX_CHILDREN} "
                    f"child alarms; child {len(self.children)} is at char {name.position}]",
                    param="AlarmRule",
                    value=self.rule,
                )
            return StateCheck(_STATES[token.text], name.text)
        expected = _OPERAND.replace("'NOT', ", "") if negated else _OPERAND
        raise self.fail(token, expected)


def _needs_quotes(alarm: str) -> bool:
    return alarm in _KEYWORDS or any(char in _DELIMITERS for char in alarm)


_T = TypeVar("_T")


def _children(node: Expression) -> Sequence[Expression]:
    if isinstance(node, Not):
        return (node.operand,)
    if isinstance(node, (And, Or)):
        return node.operands
    return ()


def _fold(root: Expression, visit: Callable[[Expression, list[_T]], _T]) -> _T:
    """Post-order walk without recursion: ``visit(node, results of its children)``.

    Rules may nest hundreds of levels deep, deeper than Python's recursion allows.
    """
    results: list[_T] = []
    pending: list[tuple[Expression, bool]] = [(root, False)]
    while pending:
        node, expanded = pending.pop()
        children = _children(node)
        if expanded or not children:
            start = len(results) - len(children)
            values = results[start:]
            del results[start:]
            results.append(visit(node, values))
        else:
            pending.append((node, True))
            pending.extend((child, False) for child in reversed(children))
    return results[0]


def _render_node(node: Expression, parts: list[str]) -> str:
    if isinstance(node, Constant):
        return "TRUE" if node.value else "FALSE"
    if isinstance(node, StateCheck):
        alarm = f'"{node.alarm}"' if _needs_quotes(node.alarm) else node.alarm
        return f"{node.state.value}({alarm})"
    if isinstance(node, Not):
        grouped = isinstance(node.operand, (Not, And, Or))
        return f"NOT ({parts[0]})" if grouped else f"NOT {parts[0]}"
    # AND binds tighter than OR: only a nested OR needs parentheses inside an OR,
    # while inside an AND both nested ANDs and ORs get them (to keep the tree).
    nested = (And, Or) if isinstance(node, And) else (Or,)
    texts = (
        f"({part})" if isinstance(op, nested) else part
        for op, part in zip(node.operands, parts, strict=True)
    )
    return (" AND " if isinstance(node, And) else " OR ").join(texts)


def _evaluate_node(node: Expression, values: list[bool], states: Mapping[str, AlarmState]) -> bool:
    if isinstance(node, Constant):
        return node.value
    if isinstance(node, StateCheck):
        return states.get(node.alarm) is node.state
    if isinstance(node, Not):
        return not values[0]
    return all(values) if isinstance(node, And) else any(values)


@frozen(eq=False, repr=False)
class AlarmRule:
    """A compiled composite-alarm rule.

    Build one with `AlarmRule.parse` (from AWS text) or directly from an
    expression tree. Instances are immutable and hashable; two rules are equal
    when their trees are equal, whatever spacing or quoting the text used.
    Equality, hashing and repr go through the canonical text (`render`), so
    they work on rules nested deeper than Python's recursion limit.

    Attributes:
        expression: the expression tree.
    """

    expression: Expression
    _canonical: str = field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_canonical", _fold(self.expression, _render_node))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AlarmRule):
            return NotImplemented
        return self._canonical == other._canonical

    def __hash__(self) -> int:
        return hash(self._canonical)

    def __repr__(self) -> str:
        return f"AlarmRule.parse({self._canonical!r})"

    @classmethod
    def parse(cls, text: str) -> AlarmRule:
        """Parse an ``AlarmRule`` as PutCompositeAlarm receives it.

        >>> rule = AlarmRule.parse("ALARM(CpuTooHigh) AND NOT ALARM(DeploymentInProgress)")
        >>> sorted(rule.referenced_alarms)
        ['CpuTooHigh', 'DeploymentInProgress']

        Raises:
            ValidationError: the rule is empty, longer than 10,240 characters, has
                a syntax error (message ``Error in AlarmRule [Unsupported token 'x'
                at char N, must be: ...]``), more than 100 child alarms or more
                than 500 elements.
        """
        if not text:
            raise ValidationError(
                "1 validation error detected: Value '' at 'alarmRule' failed to satisfy "
                "constraint: Member must have length greater than or equal to 1",
                param="AlarmRule",
                value=text,
            )
        if len(text) > MAX_LENGTH:
            raise ValidationError(
                f"1 validation error detected: Value at 'alarmRule' failed to satisfy "
                f"constraint: Member must have length less than or equal to {MAX_LENGTH}",
                param="AlarmRule",
                value=text,
            )
        return cls(_Parser(text).parse())

    @property
    def referenced_alarms(self) -> frozenset[str]:
        """The names and ARNs of the child alarms, as written in the rule."""
        found: set[str] = set()
        pending: list[Expression] = [self.expression]
        while pending:
            node = pending.pop()
            if isinstance(node, StateCheck):
                found.add(node.alarm)
            pending.extend(_children(node))
        return frozenset(found)

    def evaluate(self, states: Mapping[str, AlarmState]) -> bool:
        """Whether the rule is TRUE (the composite alarm is in ALARM) for these child states.

        Args:
            states: the state of each child, keyed by the name or ARN exactly as
                the rule writes it. A child missing from the mapping is in no
                state, so each of its state functions is FALSE.
        """
        return _fold(self.expression, lambda node, values: _evaluate_node(node, values, states))

    def render(self) -> str:
        """The rule as AlarmRule text; `AlarmRule.parse` of it gives back an equal rule.

        Names are quoted only when they must be (spaces, parentheses or a keyword).
        """
        return self._canonical

    def __str__(self) -> str:
        return self.render()
