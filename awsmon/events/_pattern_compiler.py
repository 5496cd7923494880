"""The event pattern compiler: JSON tokens in, validated ``$or`` branches out.

It follows aws/event-ruler's JsonRuleCompiler step by step (EventBridge's
engine), so that the first problem met while streaming through the pattern is
reported, with AWS's reason text. Each branch is a list of
``(path, matchers, absent_ok)`` triples; `awsmon.events.pattern` wraps them in
its immutable classes.

Main function: `compile_pattern`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, NoReturn

from awsmon.events._pattern_json import NUMBER_KINDS, JsonStream, Token, TokenKind, pattern_error
from awsmon.events._pattern_values import (
    AnythingBut,
    AnythingButPattern,
    Cidr,
    EqualsIgnoreCase,
    ExactMatch,
    Exists,
    NumericRange,
    Prefix,
    Suffix,
    ValueMatcher,
    Wildcard,
    parse_wildcard,
    wildcard_complexity,
)

if TYPE_CHECKING:
    from awsmon.events._pattern_limits import PatternLimits

__all__ = ["OR", "RESERVED_IN_OR", "compile_pattern"]

OR = "$or"

#: Field names aws/event-ruler refuses inside ``$or`` (operators and reserved words).
RESERVED_IN_OR = frozenset(
    {
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists",
        "wildcard", "numeric", "cidr", "=", "<", "<=", ">", ">=", "regex",
        "not-wildcard", "not-equals-ignore-case", "date-after", "date-on-or-after",
        "date-before", "date-on-or-before", "in-date-range", "ip-address-in-range",
        "ip-address-not-in-range",
    }
)  # fmt: skip

_TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character"
    " sequences after a wildcard character"
)
_ONE_KEY = "Only one key allowed in match expression"
_TOO_MANY = "Too many elements in numeric expression"
_AB_VALUE = "Value of anything-but must be an array or single string/number value."
_AB_EIC = "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."

_Field = tuple[str, tuple[ValueMatcher, ...], bool]
_Branch = dict[str, tuple[list[ValueMatcher], bool]]


def compile_pattern(source: str, limits: PatternLimits) -> list[list[_Field]]:
    """Validate `source` and expand it into its ``$or`` branches.

    Raises:
        InvalidEventPatternException: AWS's reason, located in `source`.
    """
    compiler = _Compiler(source, limits)
    try:
        return compiler.run()
    except RecursionError:
        at = len(source)
        reason = "Document nesting depth exceeds the maximum allowed"
        raise pattern_error(source, reason, at, at) from None


def _java_double(value: float) -> str:
    """Java's Double.toString for the bounds quoted in messages (5.0E9)."""
    if 1e-3 <= abs(value) < 1e7:
        return repr(float(value))
    digits = Decimal(repr(float(value))).normalize()
    sign, numerals, _ = digits.as_tuple()
    mantissa = str(numerals[0]) + "." + ("".join(map(str, numerals[1:])) or "0")
    return f"{'-' if sign else ''}{mantissa}E{digits.adjusted()}"


class _Compiler:
    """One compilation: a token stream and the branches built so far."""

    def __init__(self, source: str, limits: PatternLimits) -> None:
        self.stream = JsonStream(source)
        self.limits = limits
        self.wildcards: dict[str, dict[str, list[int]]] = {}

    def barf(self, reason: str, token: Token | None = None) -> NoReturn:
        raise self.stream.error(reason, token)

    def next(self) -> Token:
        return self.stream.next()

    def run(self) -> list[list[_Field]]:
        if self.next().kind is not TokenKind.START_OBJECT:
            self.barf("Filter is not an object")
        branches: list[_Branch] = []
        self.parse_object(branches, [], in_or=False)
        self.next()  # only the end of input may follow (syntax errors raise here)
        self.check_wildcards()
        return [
            [(path, tuple(matchers), absent) for path, (matchers, absent) in branch.items()]
            for branch in branches
        ]

    # -- structure -------------------------------------------------------------------

    def parse_object(self, branches: list[_Branch], path: list[str], *, in_or: bool) -> None:
        fields_present = False
        while (token := self.next()).kind is not TokenKind.END_OBJECT:
            fields_present = True
            name = token.text
            if name == OR:
                self.parse_or(branches, path)
                continue
            if in_or and name in RESERVED_IN_OR:
                self.barf(f"{name} is Ruler reserved fieldName which cannot be used inside {OR}.")
            value = self.next()
            if value.kind is TokenKind.START_OBJECT:
                self.parse_object(branches, [*path, name], in_or=in_or)
            elif value.kind is TokenKind.START_ARRAY:
                self.write_field(branches, ".".join([*path, name]))
            else:
                self.barf(f'"{name}" must be an object or an array')
        if not fields_present:
            self.barf("Empty objects are not allowed")

    def parse_or(self, branches: list[_Branch], path: list[str]) -> None:
        before = [dict(branch) for branch in branches]
        branches.clear()
        if self.next().kind is not TokenKind.START_ARRAY:
            self.barf(f"It must be an Array followed with {OR}.")
        count = 0
        while (token := self.next()).kind is not TokenKind.END_ARRAY:
            count += 1
            if token.kind is not TokenKind.START_OBJECT:
                self.barf(f"Only JSON object is allowed in array of {OR} relationship.")
            forked = [dict(branch) for branch in before] or [{}]
            self.parse_object(forked, path, in_or=True)
            branches.extend(forked)
            if len(branches) > self.limits.max_or_combinations:
                self.barf(
                    f"The {OR} branches expand into more than"
                    f" {self.limits.max_or_combinations} combinations"
                )
        if count < 2:
            self.barf(f"There must have at least 2 Objects in {OR} relationship.")

    def write_field(self, branches: list[_Branch], name: str) -> None:
        matchers: list[ValueMatcher] = []
        absent = False
        while (token := self.next()).kind is not TokenKind.END_ARRAY:
            kind = token.kind
            if kind is TokenKind.START_OBJECT:
                matcher = self.match_expression(name)
                if matcher is None:
                    absent = True
                else:
                    matchers.append(matcher)
            elif kind is TokenKind.START_ARRAY:
                self.barf("Match value must be String, number, true, false, or null")
            else:
                matchers.append(ExactMatch(token.value))
        if not matchers and not absent:
            self.barf("Empty arrays are not allowed")
        if not branches:
            branches.append({})
        for branch in branches:
            branch.pop(name, None)  # the last occurrence of a key wins
            branch[name] = (matchers, absent)

    # -- operators -------------------------------------------------------------------

    def match_expression(self, path: str) -> ValueMatcher | None:
        """One ``{operator: ...}`` object; None stands for ``{"exists": false}``."""
        token = self.next()
        if token.kind is not TokenKind.FIELD_NAME:
            self.barf("Match expression name not found")
        operator = token.text
        if operator == "prefix" or operator == "suffix":
            return self.affix(operator)
        if operator == "numeric":
            if self.next().kind is not TokenKind.START_ARRAY:
                self.barf("Value of numeric must be an array.")
            numeric = self.numeric()
            if self.next().kind is not TokenKind.END_OBJECT:
                self.barf(_TOO_MANY)
            return numeric
        if operator == "anything-but":
            return self.anything_but(path)
        if operator == "exists":
            flag = self.next()
            if flag.kind not in (TokenKind.VALUE_TRUE, TokenKind.VALUE_FALSE):
                self.barf("exists match pattern must be either true or false.")
            self.end_object()
            return Exists() if flag.value else None
        if operator == "cidr":
            text = self.string_operand("prefix match pattern must be a string")
            cidr = self.build(Cidr.parse, text)
            self.end_object()
            return cidr
        if operator == "equals-ignore-case":
            text = self.string_operand("equals-ignore-case match pattern must be a string")
            self.end_object()
            return EqualsIgnoreCase(text)
        if operator == "wildcard":
            text = self.string_operand("wildcard match pattern must be a string")
            wildcard = self.build(Wildcard.parse, text)
            self.wildcards.setdefault(path, {})[text] = parse_wildcard(text)
            self.end_object()
            return wildcard
        self.barf(f"Unrecognized match type {operator}")

    def string_operand(self, reason: str) -> str:
        token = self.next()
        if token.kind is not TokenKind.VALUE_STRING:
            self.barf(reason)
        return token.text

    def end_object(self, reason: str = _ONE_KEY) -> None:
        if self.next().kind is not TokenKind.END_OBJECT:
            self.barf(reason)

    def build(self, parse: Callable[[str], ValueMatcher], text: str) -> ValueMatcher:
        """Call a parsing constructor, turning its ValueError into AWS's error."""
        try:
            return parse(text)
        except ValueError as exc:
            self.barf(str(exc))

    def affix(self, operator: str) -> ValueMatcher:
        token = self.next()
        kind = Prefix if operator == "prefix" else Suffix
        if token.kind is TokenKind.START_OBJECT:
            name = self.next()
            if name.kind is not TokenKind.FIELD_NAME:
                self.barf(f"{operator.capitalize()} expression name not found")
            if name.text != "equals-ignore-case":
                self.barf(f"Unsupported {operator} pattern: {name.text}")
            text = self.string_operand("equals-ignore-case match pattern must be a string")
            self.end_object()
            self.end_object()
            return kind(text, ignore_case=True)
        if token.kind is not TokenKind.VALUE_STRING:
            self.barf(f"{operator} match pattern must be a string")
        self.end_object()
        return kind(token.text)

    def anything_but(self, path: str) -> ValueMatcher:
        inner: str | None = None
        token = self.next()
        if token.kind is TokenKind.START_OBJECT:
            name = self.next()
            if name.kind is not TokenKind.FIELD_NAME:
                self.barf("Anything-But expression name not found")
            if name.text not in ("equals-ignore-case", "prefix", "suffix", "wildcard"):
                self.barf(f"Unsupported anything-but pattern: {name.text}")
            inner = name.text
            token = self.next()
        if token.kind is not TokenKind.START_ARRAY and token.kind not in (
            TokenKind.VALUE_STRING,
            *NUMBER_KINDS,
        ):
            self.barf(_AB_VALUE)
        matcher: ValueMatcher
        if inner is None:
            matcher = self.anything_but_values(token)
        else:
            matcher = self.anything_but_pattern(inner, token, path)
        if self.next().kind is not TokenKind.END_OBJECT:
            self.barf(_TOO_MANY)
        if inner is not None and self.next().kind is not TokenKind.END_OBJECT:
            self.barf(_TOO_MANY)
        return matcher

    def anything_but_values(self, token: Token) -> ValueMatcher:
        if token.kind is not TokenKind.START_ARRAY:
            if token.kind in NUMBER_KINDS:
                self.check_operand(token)
            return AnythingBut((token.value,))
        values: list[str | int | float] = []
        has_number = has_string = False
        while (item := self.next()).kind is not TokenKind.END_ARRAY:
            if item.kind is TokenKind.VALUE_STRING:
                has_string = True
            elif item.kind in NUMBER_KINDS:
                self.check_operand(item)
                has_number = True
            else:
                self.barf("Inside anything but list, start|null|boolean is not supported.")
            values.append(item.value)
        if has_number == has_string:
            self.barf(
                "Inside anything but list, either all values are number or string,"
                " mixed type is not supported"
            )
        return AnythingBut(tuple(values))

    def anything_but_pattern(self, inner: str, token: Token, path: str) -> ValueMatcher:
        items = [token]
        if token.kind is TokenKind.START_ARRAY:
            items = []
            while (item := self.next()).kind is not TokenKind.END_ARRAY:
                self.check_anything_but_text(inner, item)
                items.append(item)
        else:
            self.check_anything_but_text(inner, token)
        texts = tuple(item.text for item in items)
        if inner == "wildcard":
            for text in texts:
                self.build(Wildcard.parse, text)
                # Counted with the field's other wildcards by the complexity check.
                self.wildcards.setdefault(path, {})[text] = parse_wildcard(text)
        return AnythingButPattern(inner, texts)

    def check_anything_but_text(self, inner: str, token: Token) -> None:
        if token.kind is not TokenKind.VALUE_STRING:
            if inner == "equals-ignore-case":
                self.barf(_AB_EIC)
            if inner == "wildcard":
                self.barf("wildcard match pattern must be a string")
            self.barf("prefix/suffix match pattern must be a string")
        if inner in ("prefix", "suffix") and token.text == "":
            self.barf("Null prefix/suffix not allowed")

    # -- numbers -----------------------------------------------------------------------

    def check_operand(self, token: Token) -> int | float:
        """A numeric operand, checked against the documented range and precision."""
        value: int | float = token.value
        bound = self.limits.numeric_bound
        if bound is not None and not -bound <= value <= bound:
            self.barf(
                f"Value must be between {_java_double(-bound)} and {_java_double(bound)},"
                " inclusive",
                token,
            )
        if isinstance(value, float) and not math.isfinite(value):
            self.barf(f"Cannot compare number : {token.text}", token)
        decimals = self.limits.numeric_decimals
        exponent = Decimal(token.text).normalize().as_tuple().exponent
        if decimals is not None and isinstance(exponent, int) and -exponent > decimals:
            self.barf(f"Only values upto {decimals} decimals are supported", token)
        return value

    def numeric(self) -> NumericRange:
        token = self.next()
        if token.kind is not TokenKind.VALUE_STRING:
            self.barf(f"Invalid member in numeric match: {token.text}")
        operator = token.text
        operand = self.next()
        names = {"=": "equals", ">=": ">=", ">": ">", "<=": "<=", "<": "<"}
        if operator not in names:
            self.barf(f"Unrecognized numeric range operator: {operator}")
        if operand.kind not in NUMBER_KINDS:
            self.barf(f"Value of {names[operator]} must be numeric")
        value = self.check_operand(operand)
        if operator in ("=", "<=", "<"):
            if self.next().kind is not TokenKind.END_ARRAY:
                self.barf(_TOO_MANY)
            if operator == "=":
                return NumericRange(value, False, value, False, ("=", value))
            return NumericRange(None, False, value, operator == "<", (operator, value))
        following = self.next()
        if following.kind is TokenKind.END_ARRAY:
            return NumericRange(value, operator == ">", None, False, (operator, value))
        if following.kind is not TokenKind.VALUE_STRING:
            self.barf(f"Bad value in numeric range: {following.text}")
        upper = following.text
        if upper not in ("<", "<="):
            self.barf(f"Bad numeric range operator: {upper}")
        top_token = self.next()
        if top_token.kind not in NUMBER_KINDS:
            self.barf(f"Value of {upper} must be numeric")
        top = self.check_operand(top_token)
        if self.next().kind is not TokenKind.END_ARRAY:
            self.barf("Too many terms in numeric range expression")
        if not value < top:
            self.barf("Bottom must be less than top")
        operands = (operator, value, upper, top)
        return NumericRange(value, operator == ">", top, upper == "<", operands)

    # -- whole-rule checks -------------------------------------------------------------

    def check_wildcards(self) -> None:
        cap = self.limits.max_wildcard_complexity
        if cap is None:
            return
        for patterns in self.wildcards.values():
            if wildcard_complexity(list(patterns.values()), cap) > cap:
                at = len(self.stream.source)
                raise pattern_error(self.stream.source, _TOO_COMPLEX, at, at)
