"""The syntax of CloudWatch metric math: tokens, function signatures and the parser.

`parse` turns an expression's text into a tree of frozen nodes, checking
everything that needs no data: the grammar, ids, function names, and the number
and kind of each function's arguments (`SIGNATURES`). SEARCH calls are compiled
here too (`awsmon.cloudwatch.math.search`). `awsmon.cloudwatch.math.expression` evaluates
the tree.

Main classes and functions:

- Nodes: `Number`, `String`, `Keyword`, `Reference`, `Negate`, `Chain`,
  `Power`, `Call`, `ArrayLiteral`, `Search` (the `Node` union).
- `parse`: text → root `Node`, or `ValidationError` with the position.
- `walk`: every node of a tree.
- `SIGNATURES`: function name → arguments it accepts.

Grammar (lowest precedence first; the reference leaves precedence
UNCONFIRMED and recommends this conventional order)::

    expression := and_expr (("OR" | "||") and_expr)*
    and_expr   := comparison (("AND" | "&&") comparison)*
    comparison := sum (("==" | "!=" | "<=" | ">=" | "<" | ">") sum)*
    sum        := product (("+" | "-") product)*
    product    := power (("*" | "/") power)*
    power      := unary ("^" power)?           right-associative
    unary      := "-" unary | primary          unary minus binds tighter than ^
    primary    := number | id | FUNCTION "(" [argument ("," argument)*] ")"
                | "(" expression ")" | "[" expression ("," expression)* "]"
    argument   := expression | KEYWORD | 'string' | "string"

Numbers may use a fraction and an exponent (``1e-36``). Ids start with a
lower-case letter and hold letters, digits and ``_`` (at most 255); function
names and keywords (``REPEAT``, ``LINEAR``, ``AVG``, ``DESC`` ...) are upper
case. Strings take single, double or typographic double quotes; a backslash
keeps the next character. Positions are 0-based character offsets.

Simulation notes:
    AWS's wording for expression errors is not documented; awsmon's messages
    read "Invalid metric math expression at position N: ...". Nesting deeper
    than `MAX_DEPTH` levels is rejected.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence

from attrs import frozen

from awsmon.cloudwatch.errors import InvalidParameterValue, ValidationError
from awsmon.cloudwatch.math.search import parse_search
from awsmon.cloudwatch.math.tree import (
    ArrayLiteral,
    Call,
    Chain,
    Keyword,
    Negate,
    Node,
    Number,
    Power,
    Reference,
    Search,
    String,
)
from awsmon.cloudwatch.metrics.statistics import parse_statistic

# The tree's nodes are `awsmon.cloudwatch.math.tree`'s (the package gathers them).
__all__ = ["MAX_DEPTH", "SIGNATURES", "error", "parse", "position_of", "walk"]

MAX_DEPTH = 50
"""Deepest nesting of parentheses, calls, arrays, unary minus and ^ accepted."""


# --------------------------------------------------------------------------------------------
# Errors


def error(text: str, position: int, detail: str) -> ValidationError:
    """The ValidationError for expression `text`, at a 0-based character `position`."""
    return ValidationError(
        f"Invalid metric math expression at position {position}: {detail}",
        param="Expression",
        value=text,
    )


# --------------------------------------------------------------------------------------------
# Tokens

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/^()\[\],<>])
    """,
    re.VERBOSE,
)
_QUOTES = {"'": "'", '"': '"', "\u201c": "\u201d"}
_ID = re.compile(r"[a-z][A-Za-z0-9_]{0,254}")


@frozen
class _Token:
    kind: str  # number | string | name | op | end
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    found: list[_Token] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char in _QUOTES:
            end, value = _string_end(text, pos)
            found.append(_Token("string", value, pos))
            pos = end
            continue
        match = _TOKEN.match(text, pos)
        if match is None:
            hint = " (did you mean '==' or '!='?)" if char in "=!" else ""
            hint = " (did you mean '&&' or '||'?)" if char in "&|" else hint
            raise error(text, pos, f"unexpected character '{char}'{hint}")
        kind = match.lastgroup
        assert kind is not None
        if kind != "space":
            found.append(_Token(kind, match.group(), pos))
        pos = match.end()
    found.append(_Token("end", "", len(text)))
    return found


def _string_end(text: str, start: int) -> tuple[int, str]:
    """Scan a quoted string; return the index after it and its raw content.

    A backslash keeps the next character in the content (SEARCH's own escapes
    need it), so a quote after a backslash does not end the string.
    """
    closing = _QUOTES[text[start]]
    pos = start + 1
    while pos < len(text):
        if text[pos] == "\\":
            pos += 2
            continue
        if text[pos] == closing:
            return pos + 1, text[start + 1 : pos]
        pos += 1
    raise error(text, start, f"expected {closing} to close the string")


def _unescape(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw, flags=re.DOTALL)


# --------------------------------------------------------------------------------------------
# Function signatures, checked at compile time

_VALUE, _STRING, _REFERENCE, _NAME, _NUMBER = "value", "string", "reference", "name", "number"
_FILL_KEYWORDS = frozenset({"REPEAT", "LINEAR"})
_SORT_BY = frozenset({"AVG", "MIN", "MAX", "SUM"})
_SORT_ORDER = frozenset({"ASC", "DESC"})
ArgKind = str | frozenset[str]

_ONE_VALUE: tuple[ArgKind, ...] = (_VALUE,)
SIGNATURES: dict[str, tuple[int, tuple[ArgKind, ...]]] = {
    **dict.fromkeys(
        (
            "ABS", "AVG", "CEIL", "DATAPOINT_COUNT", "DIFF", "DIFF_TIME", "FIRST", "FLOOR",
            "LAST", "LOG", "LOG10", "MAX", "METRIC_COUNT", "MIN", "RATE", "REMOVE_EMPTY",
            "RUNNING_SUM", "STDDEV", "SUM", "TIME_SERIES", "MINUTE", "HOUR", "DAY", "DATE",
            "MONTH", "YEAR", "EPOCH", "SERVICE_QUOTA",
        ),
        (1, _ONE_VALUE),
    ),
    "FILL": (2, (_VALUE, _FILL_KEYWORDS)),
    "IF": (2, (_VALUE, _VALUE, _VALUE)),
    "METRICS": (0, (_STRING,)),
    "PERIOD": (1, (_REFERENCE,)),
    "SEARCH": (2, (_STRING, _STRING, _NUMBER)),
    "SLICE": (2, (_VALUE, _VALUE, _VALUE)),
    "SORT": (3, (_VALUE, _SORT_BY, _SORT_ORDER, _VALUE)),
    "ANOMALY_DETECTION_BAND": (1, (_VALUE, _VALUE)),
    "INSIGHT_RULE_METRIC": (2, (_NAME, _NAME)),
    "LAMBDA": (1, (_NAME,) * 20),
    "DB_PERF_INSIGHTS": (3, (_NAME,) * 3),
}
"""Function name → (minimum number of arguments, kind of each possible argument)."""

_KEYWORDS = _FILL_KEYWORDS | _SORT_BY | _SORT_ORDER


# --------------------------------------------------------------------------------------------
# Parser


class _Parser:
    """Recursive descent over the tokens, with the checks that need no data."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, detail: str, position: int | None = None) -> ValidationError:
        return error(self.text, self.token.position if position is None else position, detail)

    def found(self) -> str:
        token = self.token
        return "end of expression" if token.kind == "end" else f"'{token.text}'"

    def at(self, op: str) -> bool:
        """Whether the current token is the operator or punctuation `op`."""
        return self.token.kind == "op" and self.token.text == op

    def expect(self, text: str) -> _Token:
        if not self.at(text):
            raise self.fail(f"expected '{text}', found {self.found()}")
        return self.advance()

    def nest(self, position: int) -> None:
        """Enter one nesting level opened at `position`."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(
                f"expression nested too deeply (more than {MAX_DEPTH} levels)", position
            )

    def value(self, node: Node) -> Node:
        """`node`, checked to be usable as a value (not a keyword or a string)."""
        if isinstance(node, Keyword):
            if node.word in _KEYWORDS:
                detail = f"'{node.word}' is only valid as an argument of FILL or SORT"
            else:
                detail = f"'{node.word}' is not a valid id: ids start with a lower-case letter"
            raise self.fail(detail, node.position)
        if isinstance(node, String):
            raise self.fail(
                "a string is only valid as an argument of METRICS or SEARCH", node.position
            )
        return node

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise self.fail("expected an expression, found end of expression")
        node = self.value(self.chain(0))
        if self.token.kind != "end":
            raise self.fail(f"expected an operator or end of expression, found {self.found()}")
        return node

    LEVELS: tuple[frozenset[str], ...] = (
        frozenset({"OR", "||"}),
        frozenset({"AND", "&&"}),
        frozenset({"==", "!=", "<=", ">=", "<", ">"}),
        frozenset({"+", "-"}),
        frozenset({"*", "/"}),
    )

    def chain(self, level: int) -> Node:
        if level == len(self.LEVELS):
            return self.power()
        operators = self.LEVELS[level]
        first = self.chain(level + 1)
        rest: list[tuple[str, Node]] = []
        positions: list[int] = []
        while self.token.kind in ("op", "name") and self.token.text in operators:
            token = self.advance()
            op = {"||": "OR", "&&": "AND"}.get(token.text, token.text)
            rest.append((op, self.chain(level + 1)))
            positions.append(token.position)
        if not rest:
            return first
        self.value(first)
        for _, operand in rest:
            self.value(operand)
        return Chain(first, tuple(rest), tuple(positions))

    def power(self) -> Node:
        base = self.unary()
        if not self.at("^"):
            return base
        token = self.advance()
        self.nest(token.position)
        exponent = self.power()
        self.depth -= 1
        return Power(self.value(base), self.value(exponent), token.position)

    def unary(self) -> Node:
        if self.token.kind == "op" and self.token.text == "-":
            token = self.advance()
            self.nest(token.position)
            operand = self.value(self.unary())
            self.depth -= 1
            return Negate(operand, token.position)
        return self.primary()

    def primary(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.advance()
            number = float(token.text)
            if not math.isfinite(number):
                raise self.fail(f"number {token.text} is out of range", token.position)
            return Number(number, token.position)
        if token.kind == "string":
            self.advance()
            return String(_unescape(token.text), token.position)
        if token.kind == "name":
            return self.name()
        if self.at("(") or self.at("["):
            self.advance()
            self.nest(token.position)
            if token.text == "(":
                node = self.value(self.chain(0))
                self.expect(")")
            else:
                items = [self.value(self.chain(0))]
                while self.at(","):
                    self.advance()
                    items.append(self.value(self.chain(0)))
                self.expect("]")
                node = ArrayLiteral(tuple(items), token.position)
            self.depth -= 1
            return node
        raise self.fail(
            "expected a number, an id, a function call, '(' or '[', " f"found {self.found()}"
        )

    def name(self) -> Node:
        token = self.advance()
        name = token.text
        if self.at("("):
            return self.call(token)
        if name in ("AND", "OR"):
            raise self.fail(f"expected a value before '{name}'", token.position)
        if name[0].isupper():
            return Keyword(name, token.position)
        if not _ID.fullmatch(name):
            raise self.fail(
                f"'{name}' is not a valid id: ids start with a lower-case letter and hold "
                "at most 255 letters, digits and underscores",
                token.position,
            )
        return Reference(name, token.position)

    def call(self, name_token: _Token) -> Node:
        name = name_token.text
        if name not in SIGNATURES:
            close = difflib.get_close_matches(name.upper(), list(SIGNATURES), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            if name.upper() in SIGNATURES:
                detail = f"function names are upper case: '{name}'{hint}"
            else:
                detail = f"unknown function '{name}'{hint}"
            raise self.fail(detail, name_token.position)
        self.nest(self.advance().position)
        args: list[Node] = []
        if not self.at(")"):
            args.append(self.chain(0))
            while self.at(","):
                self.advance()
                args.append(self.chain(0))
        self.expect(")")
        self.depth -= 1
        minimum, kinds = SIGNATURES[name]
        if not minimum <= len(args) <= len(kinds):
            expected = f"{minimum}" if minimum == len(kinds) else f"{minimum} to {len(kinds)}"
            plural = "" if expected == "1" else "s"
            raise self.fail(
                f"{name} takes {expected} argument{plural}, got {len(args)}", name_token.position
            )
        for arg, kind in zip(args, kinds, strict=False):
            self.check_argument(name, arg, kind)
        if name == "SEARCH":
            return self.search(args, name_token.position)
        return Call(name, tuple(args), name_token.position)

    def check_argument(self, function: str, arg: Node, kind: ArgKind) -> None:
        position = position_of(arg)
        if isinstance(kind, frozenset):
            if isinstance(arg, Keyword) and arg.word in kind:
                return
            if function == "FILL" and not isinstance(arg, Keyword):
                self.value(arg)
                return
            raise self.fail(f"{function} expects one of {', '.join(sorted(kind))} here", position)
        if kind == _VALUE:
            self.value(arg)
        elif kind == _STRING and not isinstance(arg, String):
            raise self.fail(f"{function} expects a quoted string here", position)
        elif kind == _REFERENCE and not isinstance(arg, Reference):
            raise self.fail(f"{function} expects the id of a metric query here", position)
        elif kind == _NAME and not isinstance(arg, String | Keyword | Reference):
            raise self.fail(f"{function} expects a name here", position)
        elif kind == _NUMBER and not (
            isinstance(arg, Number) and arg.value.is_integer() and arg.value > 0
        ):
            raise self.fail(f"{function} expects a period in seconds here", position)

    def search(self, args: Sequence[Node], position: int) -> Search:
        text_arg, stat_arg = args[0], args[1]
        assert isinstance(text_arg, String) and isinstance(stat_arg, String)
        try:
            statistic = parse_statistic(stat_arg.text, param="Statistic")
        except InvalidParameterValue as error:
            raise self.fail(error.message, stat_arg.position) from None
        period = None
        if len(args) == 3:
            assert isinstance(args[2], Number)
            period = int(args[2].value)
        raw = self.tokens_text(text_arg.position)
        query = parse_search(raw, statistic=statistic, period=period, offset=text_arg.position + 1)
        return Search(query, position)

    def tokens_text(self, position: int) -> str:
        """The raw (still escaped) content of the string token at `position`."""
        for token in self.tokens:
            if token.kind == "string" and token.position == position:
                return token.text
        raise AssertionError("string token not found")


def position_of(node: Node) -> int:
    if isinstance(node, Chain):
        return position_of(node.first)
    if isinstance(node, Power):
        return position_of(node.base)
    return node.position



def parse(text: str) -> Node:
    """Parse and check an expression; return the root of its syntax tree.

    Raises:
        ValidationError: the text is not a valid expression.
    """
    return _Parser(text).parse()


def walk(node: Node) -> list[Node]:
    """The node and all its descendants, parents first."""
    found: list[Node] = [node]
    if isinstance(node, Negate):
        found += walk(node.operand)
    elif isinstance(node, Chain):
        found += walk(node.first)
        for _, operand in node.rest:
            found += walk(operand)
    elif isinstance(node, Power):
        found += walk(node.base) + walk(node.exponent)
    elif isinstance(node, Call | ArrayLiteral):
        for child in node.args if isinstance(node, Call) else node.items:
            found += walk(child)
    return found
