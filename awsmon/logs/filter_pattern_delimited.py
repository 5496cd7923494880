"""Space-delimited filter patterns: ``[ip, user, ..., status_code=4*, bytes>1000]``.

A space-delimited pattern names the fields of a log line, in order, between
square brackets (FilterAndPatternSyntax.html, "space-delimited log events").

How a message is split into fields: on spaces; text between double quotes
(``"GET /index.html HTTP/1.0"``) or square brackets
(``[10/Oct/2000:13:25:15 -0700]``) is one field, and the enclosing characters
are not part of its value.

Pattern fields, separated by commas:

- ``name``: any one field (letters, digits and ``_``); its value is extracted
  as ``$name``.
- an empty field (as in the trailing comma of ``[..., status_code=4*,]``):
  any one field, extracted by position as ``$7``.
- ``...``: any run of fields, possibly none; those fields are extracted by
  position (``$1``, ``$2`` ...).
- ``name <op> value``, conditions joined by ``&&`` and ``||`` (``&&`` binds
  tighter): ``[w1=ERROR || w1=WARN, w2]``,
  ``[..., status_code = 404 || status_code = 410, bytes]``. A condition after
  the first may repeat the field's name or leave it out.

Values: a string, bare or double-quoted, where ``*`` matches any text
(``*.html*``, ``4*``); a regex ``%...%`` (a search in the field); or a number,
for ``= != < > <= >=``. A numeric comparison holds when the field is a number
in that relation; for ``=`` and ``!=`` a field that is not a number is
compared as text (so ``[w1 != 404, ...]`` holds for ``GET``).

Without ``...`` the message must have exactly as many fields as the pattern
(AWS: ``[w1=ERROR, w2]`` matches ``ERROR message`` but not ``ERROR WARN
message``).

Simulation notes (UNCONFIRMED points, the reference's recommended defaults):
a run of spaces is one separator and leading/trailing spaces are ignored
(tabs are not separators); ``...`` may match zero fields; a condition may only
name its own field (AWS was reported to reject ``status_code = 4* && bytes >
1000`` with "Invalid filter pattern"); ``[]`` is one unnamed field, like any
empty field; an unclosed quote or bracket in a message is ordinary text; when
the same name appears twice the later field's value is extracted.

Main names: `DelimitedPattern`, `FieldSpec`, `parse_delimited_pattern`,
`split_fields`.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from itertools import repeat
from operator import is_not
from typing import Any

from attrs import field, frozen

from awsmon.logs.filter_pattern_fields import (
    Needles,
    field_reader,
    field_value,
    gate_prefix,
    glob_needles,
)
from awsmon.logs.filter_pattern_regex import RegexCounter
from awsmon.logs.filter_pattern_scan import WORD_CHARS, Scanner, parse_number
from awsmon.wildcard import Wildcard

__all__ = [
    "DelimitedPattern",
    "FieldSpec",
    "parse_delimited_pattern",
    "split_fields",
]

#: A test on one field's text.
FieldTest = Callable[[str], bool]
#: A parsed condition: its test, the needles a message must have for it to hold, and
#: the prefix the field's value must start with when that alone is the condition.
_Condition = tuple[FieldTest, Needles | None, str | None]

# One field: a quoted string, a bracketed string, or a run of non-spaces.
_FIELD_RE = re.compile(r'"([^"]*)"|\[([^\]]*)\]|([^ ]+)')
# The same, where no "]" follows: a "[" is then an ordinary character.
_UNBRACKETED_FIELD_RE = re.compile(r'"([^"]*)"|([^ ]+)')
# Any: the operator module's functions accept whatever supports the comparison.
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")  # two-character ones first


def split_fields(message: str) -> list[str]:
    """The fields of a message, as a space-delimited pattern sees them.

    Linear in the message: a ``[`` after the last ``]`` closes nothing, and
    trying it as a bracketed string would scan to the end of the message each
    time (quadratic on ``"[" * 40000``), so that part is read by a regex
    without the bracket alternative. (A ``"`` with no ``"`` after it can only
    be the last quote, so quotes cost one failed scan at most.)
    """
    if '"' not in message and "[" not in message:
        # Nothing groups words together: str.split is several times faster.
        return [part for part in message.split(" ") if part]
    last_close = message.rfind("]")
    if message.find("[", last_close + 1) < 0:
        return [q + b + p for q, b, p in _FIELD_RE.findall(message)]
    values: list[str] = []
    position = 0
    search = _FIELD_RE.search
    while position <= last_close:
        # A non-space character (the "]") lies ahead, so there is a next field.
        found = search(message, position)
        assert found is not None and found.lastindex is not None
        values.append(found[found.lastindex])
        position = found.end()
    values.extend(q + p for q, p in _UNBRACKETED_FIELD_RE.findall(message, position))
    return values


@frozen
class FieldSpec:
    """One field of a space-delimited pattern.

    Attributes:
        name: the field's name, or None for an unnamed field or ``...``.
        test: the field's conditions, or None when any value will do.
        is_ellipsis: True for ``...`` (any run of fields).
        needles: texts one of which a message must contain (or start with)
            for this field's conditions to hold, or None if unknown.
        prefix: when the conditions say exactly "the value starts with this
            text" (``status=5*``), that text; else None.
    """

    name: str | None
    test: FieldTest | None = None
    is_ellipsis: bool = False
    needles: Needles | None = field(default=None, eq=False)
    prefix: str | None = field(default=None, eq=False)


@frozen
class DelimitedPattern:
    """A compiled space-delimited filter pattern.

    Attributes:
        fields: the pattern's fields, in order.
        regex_count: how many ``%...%`` regexes the pattern uses.
    """

    fields: tuple[FieldSpec, ...]
    regex_count: int
    needles: Needles | None = field(default=None, eq=False)
    _reader: re.Pattern[str] | None = field(default=None, eq=False, repr=False, alias="reader")
    _whole: bool = field(default=True, eq=False, repr=False, alias="whole")
    _checks: tuple[FieldTest, ...] = field(default=(), eq=False, repr=False, alias="checks")
    # The reader with every condition written in, when all are "= prefix*" (or there are none).
    _gate: re.Pattern[str] | None = field(default=None, eq=False, repr=False, alias="gate")
    # Readers of one field each, by index, built on first use (a cache, not state).
    _readers: dict[int, re.Pattern[str] | None] = field(
        factory=dict, eq=False, repr=False, alias="readers"
    )

    def split(self, message: str) -> list[str] | None:
        """The message's fields, or None when their number rules out a match."""
        values = split_fields(message)
        if self._reader is not None and self._whole and len(values) != len(self.fields):
            return None
        return values

    def matches(self, message: str) -> bool:
        """True when `message` matches the pattern.

        First the needles (a message with none of them cannot match), then,
        when the pattern has no ellipsis or only a trailing one, one `reader`
        regex reads just the fields up to the last the pattern needs and the
        conditions test the captured ones (or, when every condition is ``=
        prefix*``, the gate regex with the prefixes written in decides alone);
        otherwise the whole message is split and aligned (`plain_matches`,
        which gives the same answers).
        """
        needles = self.needles
        if needles is not None and not needles.admits(message):
            return False
        return self.matches_admitted(message)

    def hits(self, messages: Sequence[str]) -> list[bool]:
        """`matches` for each of `messages` (a metric filter's batch).

        With a gate (every condition ``= prefix*``, written into the reader),
        one regex match per message decides at C speed; the needles are not
        checked first, as the gate costs less than their several scans.
        """
        gate = self._gate
        if gate is not None:
            decide = gate.fullmatch if self._whole else gate.match
            return list(map(is_not, map(decide, messages), repeat(None)))
        matches = self.matches
        return [matches(message) for message in messages]

    def matches_admitted(self, message: str) -> bool:
        """`matches` for a message known to contain one of the needles (not checked again)."""
        gate = self._gate
        if gate is not None:
            found = gate.fullmatch(message) if self._whole else gate.match(message)
            return found is not None
        reader = self._reader
        if reader is None:
            values = split_fields(message)
            return self.align(values) is not None
        found = reader.fullmatch(message) if self._whole else reader.match(message)
        if found is None:
            return False
        for token, test in zip(found.groups(), self._checks, strict=True):
            if not test(field_value(token)):
                return False
        return True

    def field_index(self, selector: str) -> int | None:
        """The 0-based field a ``$name`` or ``$N`` selector reads, if the reader reads it.

        None when the selector names no field, or a field only a full split
        reaches (after an ellipsis), or the pattern has no reader.
        """
        if self._reader is None:
            return None
        read = len(self.fields) - (0 if self._whole else 1)
        name = selector[1:]
        if any(spec.name == name for spec in self.fields):
            pass  # a field may be named "7": then "$7" is that field, not the seventh
        elif name.isdecimal() and name.isascii():
            index = int(name) - 1
            return index if 0 <= index < read else None
        named = [i for i, spec in enumerate(self.fields[:read]) if spec.name == name]
        later = [spec for spec in self.fields[read:] if spec.name == name]
        return named[-1] if named and not later else None

    def read_field(self, message: str, index: int) -> str | None:
        """Field `index` (from `field_index`) of a message this pattern matches."""
        reader = self._readers.get(index)
        if reader is None:
            count = len(self.fields) - (0 if self._whole else 1)
            reader = self._readers[index] = field_reader(count, [index], whole=self._whole)
        found = None if reader is None else reader.match(message)
        return None if found is None else field_value(found[1])

    def plain_matches(self, message: str) -> bool:
        """`matches` the plain way: split every field, then align (the oracle of tests)."""
        return self.align(split_fields(message)) is not None

    def align(self, values: Sequence[str]) -> list[int] | None:
        """Which message field each pattern field took, or None if they do not match.

        Returns:
            For each pattern field in order, the index of the message field it
            matched; an ellipsis gets the index where its run starts (the run
            ends where the next field's starts).
        """
        specs = self.fields
        ellipses = [i for i, spec in enumerate(specs) if spec.is_ellipsis]
        if not ellipses:
            return self._align_fixed(values, 0, range(len(specs)))
        if len(ellipses) == 1:
            return self._align_one_ellipsis(values, ellipses[0])
        return self._align_search(values)

    def _align_fixed(
        self, values: Sequence[str], first_value: int, spec_indexes: range
    ) -> list[int] | None:
        if len(values) - first_value != len(spec_indexes):
            return None
        specs = self.fields
        for offset, spec_index in enumerate(spec_indexes):
            test = specs[spec_index].test
            if test is not None and not test(values[first_value + offset]):
                return None
        return list(range(first_value, first_value + len(spec_indexes)))

    def _align_one_ellipsis(self, values: Sequence[str], ellipsis: int) -> list[int] | None:
        specs = self.fields
        after = len(specs) - ellipsis - 1
        if len(values) < ellipsis + after:
            return None
        head = self._align_fixed(values[:ellipsis], 0, range(ellipsis))
        if head is None:
            return None
        tail_start = len(values) - after
        tail = self._align_fixed(values, tail_start, range(ellipsis + 1, len(specs)))
        if tail is None:
            return None
        return [*head, len(head), *tail]

    def _align_search(self, values: Sequence[str]) -> list[int] | None:
        """Backtracking for several ellipses; each takes as few fields as it can."""
        specs = self.fields
        failed: set[tuple[int, int]] = set()
        taken: list[int] = []

        def walk(spec_index: int, value_index: int) -> bool:
            if spec_index == len(specs):
                return value_index == len(values)
            if (spec_index, value_index) in failed:
                return False
            spec = specs[spec_index]
            taken.append(value_index)
            if spec.is_ellipsis:
                for next_index in range(value_index, len(values) + 1):
                    if walk(spec_index + 1, next_index):
                        return True
            elif (
                value_index < len(values)
                and (spec.test is None or spec.test(values[value_index]))
                and walk(spec_index + 1, value_index + 1)
            ):
                return True
            taken.pop()
            failed.add((spec_index, value_index))
            return False

        return taken if walk(0, 0) else None

    def extract(self, values: Sequence[str]) -> dict[str, str] | None:
        """The extracted values AWS reports (``$name`` and ``$<position>``), or None.

        Named fields give ``$name``; unnamed fields and the fields an ellipsis
        covers give ``$`` and their 1-based position in the message.
        """
        alignment = self.align(values)
        if alignment is None:
            return None
        extracted: dict[str, str] = {}
        bounds = [*alignment, len(values)]  # where each field's run starts, then the end
        for spec_index, spec in enumerate(self.fields):
            start = alignment[spec_index]
            if spec.is_ellipsis:
                for index in range(start, bounds[spec_index + 1]):
                    extracted[f"${index + 1}"] = values[index]
            elif spec.name is None:
                extracted[f"${start + 1}"] = values[start]
            else:
                extracted[f"${spec.name}"] = values[start]
        return extracted


def parse_delimited_pattern(scanner: Scanner) -> DelimitedPattern:
    """Parse the space-delimited pattern starting at ``[`` and running to the end.

    Raises:
        InvalidParameterException: the pattern is malformed, with the position.
    """
    parser = _Parser(scanner)
    scanner.expect("[")
    fields = [parser.parse_field()]
    while True:
        scanner.skip_spaces()
        if scanner.accept(","):
            fields.append(parser.parse_field())
        elif scanner.accept("]"):
            break
        else:
            raise scanner.error("',' or ']'")
    scanner.skip_spaces()
    if not scanner.at_end():
        raise scanner.error("end of pattern after ']'")
    # Adjacent ellipses mean the same as one; merging them keeps matching linear.
    merged: list[FieldSpec] = []
    for spec in fields:
        if not (spec.is_ellipsis and merged and merged[-1].is_ellipsis):
            merged.append(spec)
    return _compiled(tuple(merged), parser.regexes.count)


def _compiled(specs: tuple[FieldSpec, ...], regex_count: int) -> DelimitedPattern:
    """The pattern with its needles and, when the shape allows, its field reader.

    A reader serves patterns without an ellipsis (the message must have
    exactly as many fields) and those whose only ellipsis is the last field
    (the message needs at least the fields before it, and only those are read).
    """
    needles = Needles.best(spec.needles for spec in specs)
    ellipses = [index for index, spec in enumerate(specs) if spec.is_ellipsis]
    if ellipses and ellipses != [len(specs) - 1]:
        return DelimitedPattern(specs, regex_count, needles)
    read = specs[:-1] if ellipses else specs
    tested = [index for index, spec in enumerate(read) if spec.test is not None]
    reader = field_reader(len(read), tested, whole=not ellipses)
    checks = tuple(test for spec in read if (test := spec.test) is not None)
    gate = None
    if all(gate_prefix(read[index].prefix) for index in tested):
        prefixes = {index: read[index].prefix or "" for index in tested}
        gate = field_reader(len(read), (), whole=not ellipses, prefixes=prefixes)
    return DelimitedPattern(
        specs, regex_count, needles, reader=reader, whole=not ellipses, checks=checks, gate=gate
    )


class _Parser:
    """Recursive descent over one field's conditions (mutable parse state)."""

    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner
        self.regexes = RegexCounter()

    def parse_field(self) -> FieldSpec:
        """``'...' | [name [conditions]]``"""
        scanner = self.scanner
        scanner.skip_spaces()
        if scanner.accept("..."):
            return FieldSpec(name=None, is_ellipsis=True)
        name = scanner.read_while(WORD_CHARS)
        scanner.skip_spaces()
        if scanner.peek() in (",", "]", ""):
            return FieldSpec(name=name or None)
        if not name:
            raise scanner.error("a field name (letters, digits, '_'), '...', ',' or ']'")
        test, needles, prefix = self.parse_conditions(name)
        return FieldSpec(name=name, test=test, needles=needles, prefix=prefix)

    def parse_conditions(self, name: str) -> _Condition:
        """``condition (('&&' | '||') condition)*``, ``&&`` binding tighter."""
        scanner = self.scanner
        groups: list[list[_Condition]] = [[self.parse_condition(name, named=True)]]
        while True:
            scanner.skip_spaces()
            if scanner.accept("&&"):
                groups[-1].append(self.parse_condition(name, named=False))
            elif scanner.accept("||"):
                groups.append([self.parse_condition(name, named=False)])
            else:
                break
        if len(groups) == 1 and len(groups[0]) == 1:
            return groups[0][0]
        alternatives = tuple(tuple(test for test, _, _ in group) for group in groups)
        needles = Needles.union(Needles.best(n for _, n, _ in group) for group in groups)
        return (
            (lambda value: any(all(test(value) for test in group) for group in alternatives)),
            needles,
            None,
        )

    def parse_condition(self, name: str, *, named: bool) -> _Condition:
        """``[name] operator value``; the field's own name was read already if `named`."""
        scanner = self.scanner
        scanner.skip_spaces()
        if not named:
            position = scanner.pos
            other = scanner.read_while(WORD_CHARS)
            if other and other != name:
                raise scanner.error(
                    f"a condition on field '{name}' (a condition may only name its own field)",
                    position,
                )
            scanner.skip_spaces()
        for symbol in _OPERATORS:
            if scanner.accept(symbol):
                return self.parse_value(symbol)
        raise scanner.error("an operator (=, !=, <, >, <=, >=)")

    def parse_value(self, symbol: str) -> _Condition:
        """The right-hand side of `symbol`, as a test on the field's text."""
        scanner = self.scanner
        scanner.skip_spaces()
        start = scanner.pos
        textual = symbol in ("=", "!=")
        negate = symbol == "!="
        if scanner.peek() in ('"', "%"):
            if not textual:
                raise scanner.error(f"a number after '{symbol}'")
            if scanner.peek() == "%":
                return _negated(self.regexes.parse(scanner).search, negate), None, None
            return _glob_condition(scanner.read_quoted(), negate)
        while not scanner.at_end():
            char = scanner.peek()
            if char.isspace() or char in ",]" or scanner.startswith("&&"):
                break
            if scanner.startswith("||"):
                break
            scanner.advance()
        token = scanner.text[start : scanner.pos]
        if not token:
            raise scanner.error("a value (a string, a number or a %regex%)")
        number = parse_number(token)
        if number is None:
            if not textual:
                raise scanner.error(f"a number after '{symbol}'", start)
            return _glob_condition(token, negate)
        return _numeric(_COMPARISONS[symbol], number, token if textual else None), None, None


def _glob_condition(pattern: str, negate: bool) -> _Condition:
    """A glob condition, with its needles unless negated (``!=`` requires nothing), and
    its prefix when it is ``= prefix*``."""
    if negate:
        return _negated(_glob(pattern), negate), None, None
    prefix = pattern[:-1] if pattern.count("*") == 1 and pattern.endswith("*") else None
    return _glob(pattern), glob_needles(pattern), prefix or None


def _negated(test: FieldTest, negate: bool) -> FieldTest:
    if not negate:
        return test
    return lambda value: not test(value)


def _glob(pattern: str) -> FieldTest:
    """A test for text matching `pattern`, where every ``*`` matches any text."""
    if "*" not in pattern:
        return pattern.__eq__
    if pattern.count("*") == 1 and pattern.endswith("*"):
        prefix = pattern[:-1]
        return lambda value: value.startswith(prefix)
    return Wildcard.parse(pattern).matches


def _numeric(
    compare: Callable[[Any, Any], bool], number: int | float, literal: str | None
) -> FieldTest:
    """A numeric comparison; for ``=``/``!=`` (`literal` given) text fields compare as text."""

    def test(value: str) -> bool:
        field_number = parse_number(value)
        if field_number is None:
            return literal is not None and compare(value, literal)
        return compare(field_number, number)

    return test
