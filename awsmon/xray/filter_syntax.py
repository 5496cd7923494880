"""The X-Ray filter expression syntax: tokens and grammar.

`parse` turns the text of a filter expression (GetTraceSummaries, groups,
GetTimeSeriesServiceStatistics' entity selector) into a tree of frozen nodes
(`awsmon.xray.filter_tree`, whose names this module re-exports);
`awsmon.xray.filter_expression` compiles the tree into a matcher. Pure: no
state, no clock.

Grammar (keywords and ``AND``/``OR`` are case-insensitive)::

    expr       = and { "OR" and } ;
    and        = unary { [ "AND" ] unary } ;          juxtaposition is AND
    unary      = "!" unary | primary ;
    primary    = "(" expr ")"
               | bool-kw [ ("=" | "!=") ("true" | "false") ]
               | num-kw num-op number
               | str-kw [ str-op string ]              bare: the field is set
               | "annotation." key [ op value ]        bare: the key is set
               | "service(" [ ref ] ")" [ "{" expr "}" ]
               | "edge(" ref "," ref ")" [ "{" expr "}" ]
               | ("group.name" | "group.arn") ("=" | "!=") string
               | "rootcause." kind "." level [ "{" expr "}" ]
               | "rootcause.json" "=" "#[" json "]" ;
    ref        = string | "id(" arg { "," arg } ")" ;
    arg        = ("name" | "type" | "account.id") ":" string ;

Precedence: ``!`` binds tightest, then AND, then OR.

Every syntax error is `InvalidFilterExpression` (code
``InvalidRequestException``) whose message gives the 0-based position and
what was expected there.

Simulation notes: parentheses, the precedence above and bare words as
string values (the guide's ``name = traces``) are UNCONFIRMED (reference
U24); they are accepted. ``annotation.`` tests, ``service()``, ``edge()``,
``group`` and ``rootcause`` tests may not appear inside braces; the
root-cause entity keywords (``index``, ``coverage``, ``first``, ``last``,
``message``, ``remote``) only inside ``rootcause`` braces.

>>> parse('fault OR responsetime > 5')
Or(items=(Flag(keyword='fault', expected=True), Compare(keyword='responsetime', op='>', value=5.0)))
>>> parse("duration >=")
Traceback (most recent call last):
...
awsmon.xray.errors.InvalidFilterExpression: InvalidRequestException: Invalid filter expression at
position 11: expected a number, found the end of the expression
"""

from __future__ import annotations

import json
import re
from typing import Any

from attrs import frozen

from awsmon.xray.errors import InvalidFilterExpression
from awsmon.xray.filter_tree import (
    BOOL_KEYWORDS,
    ENTITY_ONLY,
    NUMBER_KEYWORDS,
    NUMBER_OPS,
    ROOTCAUSE_KINDS,
    ROOTCAUSE_LEVELS,
    STRING_KEYWORDS,
    STRING_OPS,
    And,
    AnnotationTest,
    Compare,
    EdgeTest,
    Flag,
    GroupTest,
    Node,
    Not,
    Or,
    Present,
    RootCauseJson,
    RootCauseTest,
    ServiceRef,
    ServiceTest,
    Value,
)

__all__ = [
    "BOOL_KEYWORDS",
    "NUMBER_KEYWORDS",
    "STRING_KEYWORDS",
    "And",
    "AnnotationTest",
    "Compare",
    "EdgeTest",
    "Flag",
    "GroupTest",
    "Node",
    "Not",
    "Or",
    "Present",
    "RootCauseJson",
    "RootCauseTest",
    "ServiceRef",
    "ServiceTest",
    "Value",
    "parse",
]

# -- tokens --------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<json>\#\[)
      | (?P<op>!=|<=|>=|=|<|>)
      | (?P<punct>[!(){},:])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.\-]*)
    """,
    re.VERBOSE,
)


@frozen
class _Token:
    kind: str  # string, number, json, op, punct, word, end
    text: str
    pos: int
    value: Any = None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._tokenize(text)
        self.index = 0

    # token helpers
    def error(self, token: _Token, expected: str) -> InvalidFilterExpression:
        found = "the end of the expression" if token.kind == "end" else repr(token.text)
        return InvalidFilterExpression(
            f"Invalid filter expression at position {token.pos}: "
            f"expected {expected}, found {found}",
            expression=self.text,
            position=token.pos,
        )

    def _tokenize(self, text: str) -> list[_Token]:
        tokens: list[_Token] = []
        pos = 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None:
                raise InvalidFilterExpression(
                    f"Invalid filter expression at position {pos}: "
                    f"unexpected character {text[pos]!r}",
                    expression=text,
                    position=pos,
                )
            kind = match.lastgroup or ""
            if kind == "json":
                end = self._json_end(text, match.end() - 1)
                tokens.append(_Token("json", text[pos:end], pos, text[pos + 1 : end]))
                pos = end
                continue
            if kind != "ws":
                value: Any = None
                if kind == "string":
                    value = re.sub(r"\\(.)", r"\1", match.group()[1:-1])
                elif kind == "number":
                    value = float(match.group())
                tokens.append(_Token(kind, match.group(), pos, value))
            pos = match.end()
        tokens.append(_Token("end", "", len(text)))
        return tokens

    def _json_end(self, text: str, start: int) -> int:
        """The offset after the JSON array starting at `start` (a ``[``)."""
        try:
            value, end = json.JSONDecoder().raw_decode(text, start)
        except ValueError as bad:
            position = getattr(bad, "pos", start)
            raise InvalidFilterExpression(
                f"Invalid filter expression at position {position}: "
                "expected a JSON array after '#'",
                expression=text,
                position=position,
            ) from None
        if not isinstance(value, list):
            raise InvalidFilterExpression(
                f"Invalid filter expression at position {start}: expected a JSON array",
                expression=text,
                position=start,
            )
        return int(end)

    @property
    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def is_word(self, *words: str) -> bool:
        token = self.peek
        return token.kind == "word" and token.text.lower() in words

    def expect_punct(self, char: str) -> _Token:
        token = self.take()
        if token.kind != "punct" or token.text != char:
            raise self.error(token, repr(char))
        return token

    # grammar
    def parse(self) -> Node:
        if self.peek.kind == "end":
            raise self.error(self.peek, "an expression")
        node = self.expr(braces=False)
        if self.peek.kind != "end":
            raise self.error(self.peek, "AND, OR or the end of the expression")
        return node

    def expr(self, *, braces: bool) -> Node:
        items = [self.conjunction(braces=braces)]
        while self.is_word("or"):
            self.take()
            items.append(self.conjunction(braces=braces))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def conjunction(self, *, braces: bool) -> Node:
        items = [self.unary(braces=braces)]
        while True:
            token = self.peek
            if self.is_word("and"):
                self.take()
            elif token.kind == "end" or self.is_word("or") or token.text in (")", "}"):
                break
            items.append(self.unary(braces=braces))
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self, *, braces: bool) -> Node:
        token = self.peek
        if token.kind == "punct" and token.text == "!":
            self.take()
            return Not(self.unary(braces=braces))
        return self.primary(braces=braces)

    def primary(self, *, braces: bool) -> Node:
        token = self.take()
        if token.kind == "punct" and token.text == "(":
            node = self.expr(braces=braces)
            self.expect_punct(")")
            return node
        if token.kind != "word":
            raise self.error(token, "a keyword, '!' or '('")
        word = token.text.lower()
        if word.startswith("annotation."):
            if braces:
                raise self.error(token, "a keyword allowed inside braces (not an annotation)")
            return self.annotation(token)
        if word in ("service", "edge", "group.name", "group.arn") or word.startswith("rootcause."):
            if braces:
                raise self.error(token, "a keyword allowed inside braces")
            if word == "service":
                return self.service()
            if word == "edge":
                return self.edge()
            if word.startswith("group."):
                return GroupTest(word[6:], self.operator(token, ("=", "!=")), self.string())
            return self.rootcause(token, word)
        if word in ENTITY_ONLY and braces is not True:
            raise self.error(token, f"{word!r} only inside rootcause braces")
        if word in BOOL_KEYWORDS:
            return self.flag(word)
        if word in NUMBER_KEYWORDS:
            op = self.operator(token, NUMBER_OPS)
            number = self.take()
            if number.kind != "number":
                raise self.error(number, "a number")
            return Compare(word, op, number.value)
        if word in STRING_KEYWORDS:
            if not self._at_operator():
                return Present(word)
            op = self.operator(token, STRING_OPS)
            return Compare(word, op, self.string())
        raise self.error(token, "a filter keyword")

    def _at_operator(self) -> bool:
        token = self.peek
        return token.kind == "op" or self.is_word("contains", "beginswith", "endswith")

    def operator(self, keyword: _Token, allowed: tuple[str, ...]) -> str:
        token = self.take()
        op = token.text.upper() if token.kind == "word" else token.text
        if token.kind not in ("op", "word") or op not in allowed:
            raise self.error(token, f"an operator after {keyword.text!r} ({', '.join(allowed)})")
        return op

    def string(self) -> str:
        token = self.take()
        if token.kind == "string":
            return str(token.value)
        if token.kind == "word" and token.text.lower() not in ("and", "or"):
            return token.text  # a bare word, as in the guide's `name = traces`
        raise self.error(token, "a quoted string")

    def flag(self, word: str) -> Flag:
        if self.peek.kind == "op" and self.peek.text in ("=", "!="):
            op = self.take().text
            value = self.take()
            if value.kind != "word" or value.text.lower() not in ("true", "false"):
                raise self.error(value, "true or false")
            return Flag(word, (value.text.lower() == "true") == (op == "="))
        return Flag(word)

    def annotation(self, token: _Token) -> AnnotationTest:
        key = token.text[len("annotation.") :]
        if not key or not re.fullmatch(r"[A-Za-z0-9_]+", key):
            raise self.error(token, "an annotation key of letters, digits and '_'")
        if not self._at_operator():
            return AnnotationTest(key)
        op = self.operator(token, (*NUMBER_OPS, "CONTAINS", "BEGINSWITH", "ENDSWITH"))
        value = self.take()
        if value.kind == "number":
            if op not in NUMBER_OPS:
                raise self.error(value, f"a string after {op}")
            return AnnotationTest(key, op, value.value)
        if value.kind == "word" and value.text.lower() in ("true", "false"):
            if op not in ("=", "!="):
                raise self.error(value, "a number or a string after this operator")
            return AnnotationTest(key, op, value.text.lower() == "true")
        if value.kind == "string":
            if op not in STRING_OPS:
                raise self.error(value, f"a number after {op}")
            return AnnotationTest(key, op, str(value.value))
        raise self.error(value, "a string, a number, true or false")

    def service_ref(self) -> ServiceRef:
        token = self.peek
        if token.kind == "string":
            self.take()
            return ServiceRef(name=str(token.value))
        if self.is_word("id"):
            self.take()
            self.expect_punct("(")
            found: dict[str, str] = {}
            while True:
                arg = self.take()
                key = arg.text.lower()
                if arg.kind != "word" or key not in ("name", "type", "account.id") or key in found:
                    raise self.error(arg, "name, type or account.id")
                self.expect_punct(":")
                found[key] = self.string()
                if self.peek.text == ",":
                    self.take()
                    continue
                self.expect_punct(")")
                break
            return ServiceRef(found.get("name"), found.get("type"), found.get("account.id"))
        raise self.error(token, "a service name in quotes or id(...)")

    def body(self) -> Node | None:
        if self.peek.kind == "punct" and self.peek.text == "{":
            self.take()
            if self.peek.text == "}":
                raise self.error(self.peek, "an expression inside braces")
            node = self.expr(braces=True)
            self.expect_punct("}")
            return node
        return None

    def service(self) -> ServiceTest:
        self.expect_punct("(")
        ref = None if self.peek.text == ")" else self.service_ref()
        self.expect_punct(")")
        return ServiceTest(ref, self.body())

    def edge(self) -> EdgeTest:
        self.expect_punct("(")
        source = self.service_ref()
        self.expect_punct(",")
        target = self.service_ref()
        self.expect_punct(")")
        return EdgeTest(source, target, self.body())

    def rootcause(self, token: _Token, word: str) -> Node:
        parts = word.split(".")
        if parts == ["rootcause", "json"]:
            self.operator(token, ("=",))
            value = self.take()
            if value.kind != "json":
                raise self.error(value, "#[...] with a JSON array")
            return RootCauseJson(str(value.value))
        if len(parts) != 3 or parts[1] not in ROOTCAUSE_KINDS or parts[2] not in ROOTCAUSE_LEVELS:
            raise self.error(
                token, "rootcause.<fault|error|throttle|responsetime>.<service|entity|exception>"
            )
        return RootCauseTest(parts[1], parts[2], self.body())


def parse(text: str) -> Node:
    """The syntax tree of the filter expression `text`.

    Raises:
        InvalidFilterExpression: `text` does not parse (the message gives the position).
    """
    return _Parser(text).parse()
