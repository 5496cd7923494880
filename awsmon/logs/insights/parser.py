"""The Logs Insights parser: query text to a tuple of commands (`awsmon.logs.insights.nodes`).

A recursive-descent parser over `Lexer` tokens. Precedence, loosest first:
``or``, ``and``, ``not``, the predicates (``= != < <= > >=``, ``like``,
``not like``, ``=~``, ``in``, ``not in``), ``+ -``, ``* / %``, ``^`` (right
associative), unary ``-``. Keywords and command names are case-insensitive;
function names too (``fromMillis`` = ``frommillis``). Aggregations are only
allowed inside ``stats``; only ``limit`` may follow ``dedup``.

Every error is a `MalformedQueryException` naming the position.

>>> [type(c).__name__ for c in parse_query("fields @message | filter x > 1 | limit 5")]
['Fields', 'Filter', 'Limit']
"""

from __future__ import annotations

from collections.abc import Callable

from awsmon.logs.insights.errors import MalformedQueryException
from awsmon.logs.insights.functions import FUNCTIONS
from awsmon.logs.insights.lexer import Kind, Lexer, Token
from awsmon.logs.insights.nodes import (
    Aggregate,
    Binary,
    BoolOp,
    Call,
    Command,
    Compare,
    Dedup,
    Display,
    Duration,
    Expr,
    FieldRef,
    Fields,
    Filter,
    InList,
    Like,
    Limit,
    Literal,
    Not,
    Parse,
    Pattern,
    Regex,
    Sort,
    SortKey,
    Stats,
    Unary,
    Unmask,
)  # fmt: skip
from awsmon.logs.insights.regex import RegexError, compile_regex

__all__ = ["AGGREGATES", "MAX_LIMIT", "parse_query"]

#: Aggregation name → (fewest, most) arguments; ``count(*)`` counts as no argument.
AGGREGATES: dict[str, tuple[int, int]] = {
    "avg": (1, 1), "count": (0, 1), "count_distinct": (1, 1), "max": (1, 1), "min": (1, 1),
    "sum": (1, 1), "pct": (2, 2), "stddev": (1, 1), "earliest": (1, 1), "latest": (1, 1),
    "sortsfirst": (1, 1), "sortslast": (1, 1),
}  # fmt: skip
#: The largest ``limit`` a query may ask for.
MAX_LIMIT = 10_000
_MAX_DEPTH = 40
_KEYWORDS = frozenset(("and", "or", "not", "like", "in", "as", "by", "asc", "desc"))
_COMPARISONS = frozenset(("=", "!=", "<", "<=", ">", ">="))


def parse_query(text: str) -> tuple[Command, ...]:
    """The commands of a query.

    Raises:
        MalformedQueryException: the query does not parse (with the position).
    """
    return _Parser(text).query()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lexer = Lexer(text)
        self.tok = self.lexer.token_at(0)
        self.prev_end = 0
        self.aggregates: list[Aggregate] | None = None
        self.depth = 0

    # -- tokens -------------------------------------------------------------------------

    def advance(self) -> Token:
        token = self.tok
        self.prev_end = token.end
        self.tok = self.lexer.token_at(token.end)
        return token

    def is_op(self, op: str) -> bool:
        return self.tok.kind is Kind.OP and self.tok.text == op

    def is_word(self, *words: str) -> bool:
        return self.tok.kind is Kind.NAME and self.tok.text.lower() in words

    def expect_op(self, op: str) -> Token:
        if not self.is_op(op):
            raise self.lexer.unexpected(self.tok)
        return self.advance()

    def fail(self, token: Token, what: str) -> MalformedQueryException:
        return self.lexer.error(token.start, max(token.end - 1, token.start), what)

    def name(self) -> str:
        token = self.tok
        if token.kind is not Kind.NAME or (
            token.text.lower() in _KEYWORDS and not token.text.startswith("`")
        ):
            raise self.lexer.unexpected(token)
        self.advance()
        return str(token.value)

    def source(self, start: int) -> str:
        return self.text[start : self.prev_end]

    # -- commands -----------------------------------------------------------------------

    def query(self) -> tuple[Command, ...]:
        commands: list[Command] = []
        while True:
            if commands and isinstance(commands[-1], Dedup) and not self.is_word("limit"):
                raise self.fail(self.tok, "only the limit command may follow dedup")
            commands.append(self.command())
            if self.tok.kind is Kind.EOF:
                return tuple(commands)
            self.expect_op("|")

    def command(self) -> Command:
        token = self.tok
        word = token.text.lower() if token.kind is Kind.NAME else ""
        handler = {
            "fields": self.fields, "display": self.display, "filter": self.filter,
            "stats": self.stats, "sort": self.sort, "limit": self.limit, "parse": self.parse,
            "dedup": self.dedup, "unmask": self.unmask, "pattern": self.pattern,
        }.get(word)  # fmt: skip
        if handler is None:
            raise self.lexer.unexpected(token)
        self.advance()
        return handler()

    def _named_items(self) -> tuple[tuple[str, Expr], ...]:
        items: list[tuple[str, Expr]] = []
        while True:
            start = self.tok.start
            expr = self.or_expr()
            label = expr.name if isinstance(expr, FieldRef) else self.source(start)
            if self.is_word("as"):
                self.advance()
                label = self.name()
            items.append((label, expr))
            if not self.is_op(","):
                return tuple(items)
            self.advance()

    def _names(self) -> tuple[str, ...]:
        names = [self.name()]
        while self.is_op(","):
            self.advance()
            names.append(self.name())
        return tuple(names)

    def fields(self) -> Command:
        return Fields(self._named_items())

    def display(self) -> Command:
        return Display(self._names())

    def filter(self) -> Command:
        return Filter(self.or_expr())

    def stats(self) -> Command:
        self.aggregates = []
        items: list[tuple[str, Expr]] = []
        try:
            first = self.tok
            while True:
                (item,) = self._one_item()
                items.append(item)
                if not self.is_op(","):
                    break
                self.advance()
            aggregates = tuple(self.aggregates)
            if not aggregates:
                raise self.fail(first, "stats needs an aggregation function")
        finally:
            self.aggregates = None
        groups: tuple[tuple[str, Expr], ...] = ()
        if self.is_word("by"):
            self.advance()
            groups = self._named_items()
        return Stats(tuple(items), groups, aggregates)

    def _one_item(self) -> tuple[tuple[str, Expr]]:
        start = self.tok.start
        expr = self.or_expr()
        label = expr.name if isinstance(expr, FieldRef) else self.source(start)
        if self.is_word("as"):
            self.advance()
            label = self.name()
        return ((label, expr),)

    def sort(self) -> Command:
        keys = []
        while True:
            expr = self.or_expr()
            descending = False
            if self.is_word("asc", "desc"):
                descending = self.advance().text.lower() == "desc"
            keys.append(SortKey(expr, descending))
            if not self.is_op(","):
                return Sort(tuple(keys))
            self.advance()

    def limit(self) -> Command:
        token = self.tok
        if token.kind is not Kind.NUMBER or not isinstance(token.value, int):
            raise self.lexer.unexpected(token)
        self.advance()
        if not 1 <= token.value <= MAX_LIMIT:
            raise self.fail(token, f"limit must be between 1 and {MAX_LIMIT}")
        return Limit(token.value)

    def parse(self) -> Command:
        if self.tok.kind is Kind.STRING or self.is_op("/"):
            source: Expr = FieldRef("@message", "@message")
        else:
            source = self.atom()
        token = self.tok
        if token.kind is Kind.STRING:
            self.advance()
            pieces = tuple(str(token.value).split("*"))
            if not self.is_word("as"):
                raise self.lexer.unexpected(self.tok)
            self.advance()
            names = self._names()
            if len(names) != len(pieces) - 1:
                raise self.fail(token, f"the pattern has {len(pieces) - 1} wildcards for "
                                       f"{len(names)} field names")  # fmt: skip
            return Parse(source, names, pieces, None)
        if self.is_op("/"):
            regex = self.regex()
            groups = tuple(compile_regex(regex.pattern).groupindex)
            if not groups:
                raise self.fail(token, "the regular expression has no named capture group")
            return Parse(source, groups, None, regex.pattern)
        raise self.lexer.unexpected(token)

    def dedup(self) -> Command:
        return Dedup(self._names())

    def pattern(self) -> Command:
        return Pattern(self.atom())

    def unmask(self) -> Command:
        """``unmask @message`` or ``unmask(@message)``: show masked text (awsmon masks none)."""
        parenthesized = self.is_op("(")
        if parenthesized:
            self.advance()
        names = self._names()
        if parenthesized:
            self.expect_op(")")
        return Unmask(names)

    # -- expressions ----------------------------------------------------------------------

    def nested(self, parse: Callable[[], Expr]) -> Expr:
        """`parse()` one level deeper; refuse queries nested beyond `_MAX_DEPTH`."""
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.fail(self.tok, "the query nests too deeply")
        try:
            return parse()
        finally:
            self.depth -= 1

    def or_expr(self) -> Expr:
        return self.nested(lambda: self._bool("or", self.and_expr))

    def and_expr(self) -> Expr:
        return self._bool("and", self.not_expr)

    def _bool(self, word: str, operand: Callable[[], Expr]) -> Expr:
        start = self.tok.start
        operands = [operand()]
        while self.is_word(word):
            self.advance()
            operands.append(operand())
        if len(operands) == 1:
            return operands[0]
        return BoolOp(word, tuple(operands), self.source(start))

    def not_expr(self) -> Expr:
        if self.is_word("not"):
            start = self.advance().start
            operand = self.nested(self.not_expr)
            return Not(operand, self.source(start))
        return self.predicate()

    def predicate(self) -> Expr:
        start = self.tok.start
        left = self.additive()
        tok = self.tok
        if tok.kind is Kind.OP and tok.text in _COMPARISONS:
            self.advance()
            right = self.additive()
            return Compare(tok.text, left, right, self.source(start))
        if self.is_op("=~"):
            self.advance()
            if not self.is_op("/"):
                raise self.fail(self.tok, "=~ must be followed by a regular expression")
            return Like(left, self.regex(), False, self.source(start))
        negated = False
        if self.is_word("not"):
            after = self.lexer.token_at(tok.end)
            if after.kind is Kind.NAME and after.text.lower() in ("like", "in"):
                self.advance()
                negated = True
            else:
                raise self.lexer.unexpected(tok)
        if self.is_word("like"):
            self.advance()
            if self.tok.kind is Kind.STRING:
                pattern: Expr = Literal(self.tok.value, self.tok.text)
                self.advance()
            elif self.is_op("/"):
                pattern = self.regex()
            else:
                raise self.lexer.unexpected(self.tok)
            return Like(left, pattern, negated, self.source(start))
        if self.is_word("in"):
            self.advance()
            self.expect_op("[")
            values = [self.additive()]
            while self.is_op(","):
                self.advance()
                values.append(self.additive())
            self.expect_op("]")
            return InList(left, tuple(values), negated, self.source(start))
        return left

    def additive(self) -> Expr:
        return self._binary(("+", "-"), self.term)

    def term(self) -> Expr:
        return self._binary(("*", "/", "%"), self.power)

    def _binary(self, ops: tuple[str, ...], operand: Callable[[], Expr]) -> Expr:
        start = self.tok.start
        left = operand()
        while self.tok.kind is Kind.OP and self.tok.text in ops:
            op = self.advance().text
            right = operand()
            left = Binary(op, left, right, self.source(start))
        return left

    def power(self) -> Expr:
        start = self.tok.start
        base = self.unary()
        if self.is_op("^"):
            self.advance()
            exponent = self.nested(self.power)
            return Binary("^", base, exponent, self.source(start))
        return base

    def unary(self) -> Expr:
        if self.is_op("-"):
            start = self.advance().start
            operand = self.nested(self.unary)
            if isinstance(operand, Literal) and isinstance(operand.value, int | float):
                return Literal(-operand.value, self.source(start))
            return Unary(operand, self.source(start))
        return self.atom()

    def regex(self) -> Regex:
        token = self.lexer.regex_at(self.tok.start)
        self.tok = token
        self.advance()
        try:
            compiled = compile_regex(str(token.value))
        except RegexError as exc:
            raise self.fail(
                token, f"invalid regular expression {token.text}: {exc.reason}"
            ) from None
        return Regex(compiled.pattern, token.text)

    def atom(self) -> Expr:
        token = self.tok
        if token.kind in (Kind.NUMBER, Kind.STRING):
            self.advance()
            return Literal(token.value, token.text)
        if token.kind is Kind.DURATION:
            self.advance()
            amount, scale = _duration(token)
            if scale < 0:
                return Duration(0, amount * -scale, token.text)
            return Duration(amount * scale, 0, token.text)
        if self.is_op("/"):
            return self.regex()
        if self.is_op("("):
            self.advance()
            inner = self.or_expr()
            self.expect_op(")")
            return inner
        name = self.name()
        if self.is_op("(") and token.text[0] != "`" and "." not in name:
            return self.call(name, token)
        return self.access(name, token)

    def access(self, name: str, token: Token) -> Expr:
        """A field with bracket (``list[1]``) and quoted (``map.`a.b```) access after its name."""
        parts = name.split(".") if token.text[0] != "`" else [name]
        plain = True
        while self.tok.start == self.prev_end and (self.is_op("[") or self.is_op(".")):
            plain = False
            if self.advance().text == "[":
                index = self.tok
                if index.kind not in (Kind.NUMBER, Kind.STRING) or isinstance(index.value, float):
                    raise self.lexer.unexpected(index)
                self.advance()
                self.expect_op("]")
                parts.append(str(index.value))
            else:
                segment = self.tok
                if segment.kind is not Kind.NAME:
                    raise self.lexer.unexpected(segment)
                self.advance()
                parts.extend([str(segment.value)] if segment.text[0] == "`"
                             else str(segment.value).split("."))  # fmt: skip
        if plain:
            return FieldRef(name, token.text)
        return FieldRef(".".join(parts), self.source(token.start), tuple(parts))

    def call(self, name: str, token: Token) -> Expr:
        self.advance()
        args: list[Expr] = []
        key = name.lower()
        saved = self.aggregates
        if key in AGGREGATES:
            if saved is None:
                raise self.fail(token, f"aggregation function {name} is only allowed in stats")
            self.aggregates = None  # no aggregation inside an aggregation
        try:
            if key == "count" and self.is_op("*"):
                self.advance()
            elif not self.is_op(")"):
                args.append(self.or_expr())
                while self.is_op(","):
                    self.advance()
                    args.append(self.or_expr())
            self.expect_op(")")
        finally:
            self.aggregates = saved
        source = self.source(token.start)
        if key in AGGREGATES:
            return self._aggregate(key, tuple(args), token, source)
        if key in ("bin", "datefloor", "dateceil"):
            wanted = 1 if key == "bin" else 2
            if len(args) != wanted or not isinstance(args[-1], Duration):
                wants = "a time period" if wanted == 1 else "a timestamp and a time period"
                raise self.fail(token, f"{name} takes {wants}")
            return Call(key, tuple(args), source)
        found = FUNCTIONS.get(key)
        if found is None:
            raise self.fail(token, f"unknown function {name}")
        _, fewest, most = found
        if len(args) < fewest or (most is not None and len(args) > most):
            raise self.fail(token, f"wrong number of arguments for {name}: {len(args)}")
        return Call(key, tuple(args), source)

    def _aggregate(self, key: str, args: tuple[Expr, ...], token: Token, source: str) -> Expr:
        if self.aggregates is None:
            raise self.fail(token, f"aggregation function {token.text} is only allowed in stats")
        fewest, most = AGGREGATES[key]
        if not fewest <= len(args) <= most:
            raise self.fail(token, f"wrong number of arguments for {token.text}: {len(args)}")
        if key == "pct" and not (isinstance(args[1], Literal)
                                 and isinstance(args[1].value, int | float)
                                 and 0 <= args[1].value <= 100):  # fmt: skip
            raise self.fail(token, "pct takes a field and a percentile between 0 and 100")
        aggregate = Aggregate(key, args, len(self.aggregates), source)
        self.aggregates.append(aggregate)
        return aggregate


def _duration(token: Token) -> tuple[int, int]:
    """(amount, scale) of a duration token (scale < 0: months)."""
    value: tuple[int, int] = token.value  # type: ignore[assignment]
    return value
