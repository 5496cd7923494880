"""Why a log message matches a CloudWatch Logs filter pattern, or what decided it does not (pure).

`FilterPattern.explain(message)` answers a `FilterExplanation`: ``matched``
(always `FilterPattern.matches`), the part of the pattern that decided (a
term, a quoted phrase, a ``-`` term, the ``?`` terms, a field of a
space-delimited pattern, the number of fields, the JSON document or a text
a JSON pattern needs, the regex), and for a match the values TestMetricFilter
reports as ``extractedValues``.

    >>> from awsmon.logs.filter_pattern import FilterPattern
    >>> print(FilterPattern.parse("ERROR -timeout").explain("ERROR: timeout after 3 s"))
    no match: the excluded term "timeout" appears in the message
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from attrs import field, frozen

from awsmon.logs.filter_pattern_delimited import DelimitedPattern, split_fields
from awsmon.logs.filter_pattern_json import JsonPattern
from awsmon.logs.filter_pattern_selector import load_object

__all__ = ["FilterExplanation", "explain_filter"]


@frozen(kw_only=True)
class FilterExplanation:
    """Whether a filter pattern matches a message, and what decided.

    Attributes:
        pattern: the pattern text.
        kind: the pattern language (``terms``, ``json``, ``space-delimited``,
            ``regex``, ``match-all``).
        matched: whether the pattern matches the message.
        decided_by: the part of the pattern that decided (a term, a field's
            name or position, ``fields``, ``json``, ``regex``), "" when the whole did.
        reason: why, in words.
        value: the message's value that decided, when there is one.
        extracted_values: for a match, TestMetricFilter's ``extractedValues``.
    """

    pattern: str
    kind: str
    matched: bool
    decided_by: str = ""
    reason: str = ""
    value: str | None = None
    extracted_values: Mapping[str, str] = field(factory=dict)

    def __str__(self) -> str:
        if self.matched:
            extracted = ""
            if self.extracted_values:
                extracted = " (" + ", ".join(
                    f"{key}={value}" for key, value in self.extracted_values.items()
                ) + ")"
            return f"matched: {self.reason}{extracted}"
        return f"no match: {self.reason}"

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(str(self)) + "</pre>"


def explain_filter(
    *,
    pattern: str,
    kind: str,
    message: str,
    matched: bool,
    extracted: Mapping[str, str] | None,
    terms: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None,
    json: JsonPattern | None,
    delimited: DelimitedPattern | None,
) -> FilterExplanation:
    """The explanation of one match of a compiled pattern (see `FilterPattern.explain`).

    Args:
        matched: the pattern's own answer, which the explanation keeps.
        extracted: the extracted values of the match (None when it did not match).
        terms / json / delimited: the compiled parts of the pattern's kind.
    """
    decided_by, reason, value = _decide(message, matched, terms, json, delimited, kind)
    return FilterExplanation(
        pattern=pattern,
        kind=kind,
        matched=matched,
        decided_by=decided_by,
        reason=reason,
        value=value,
        extracted_values=dict(extracted or {}) if matched else {},
    )


#: What decided, why, and the message's value there (None when no one value did).
_Decision = tuple[str, str, str | None]


def _decide(
    message: str,
    matched: bool,
    terms: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None,
    json: JsonPattern | None,
    delimited: DelimitedPattern | None,
    kind: str,
) -> _Decision:
    if kind == "match-all":
        return "", "the pattern matches every event", None
    if terms is not None:
        decided_by, reason = _terms(terms, message, matched)
        return decided_by, reason, None
    if delimited is not None:
        if matched:
            return "", "every field fits", None
        return _delimited(delimited, message)
    if json is not None:
        return _json(json, message, matched)
    if matched:
        return "regex", "the regex finds a match", None
    return "regex", "the regex finds no match in the message", None


def _terms(
    terms: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], message: str, matched: bool
) -> tuple[str, str]:
    include, exclude, optional = terms
    for term in include:
        if term not in message:
            return term, f'the term "{term}" does not appear in the message'
    for term in exclude:
        if term in message:
            return term, f'the excluded term "{term}" appears in the message'
    if include or exclude:
        ignored = " (the ?-terms are ignored beside plain or - terms)" if optional else ""
        return "", "every term appears and no excluded term does" + ignored
    if optional:
        present = [term for term in optional if term in message]
        if present:
            return present[0], f'the ?-term "{present[0]}" appears in the message'
        shown = ", ".join(f'"{t}"' for t in optional)
        return "", f"none of the ?-terms {shown} appears in the message"
    return "", "matched" if matched else "no term decided"


def _delimited(pattern: DelimitedPattern, message: str) -> _Decision:
    values = pattern.split(message)
    specs = pattern.fields
    fixed = [spec for spec in specs if not spec.is_ellipsis]
    if values is None or len(values) < len(fixed) or (
        len(fixed) == len(specs) and len(values) != len(specs)
    ):
        count = "no" if values is None else str(len(values))
        if values is None:
            count = str(len(split_fields(message)))
        needs = f"exactly {len(specs)}" if len(fixed) == len(specs) else f"at least {len(fixed)}"
        return "fields", f"the message has {count} fields; the pattern needs {needs}", None
    positions = _positions(pattern, values)
    for spec_index, value_index in positions:
        spec = specs[spec_index]
        value = values[value_index]
        if spec.test is not None and not spec.test(value):
            name = spec.name or f"${value_index + 1}"
            reason = (
                f"field {name} (field {value_index + 1} of the message) is "
                f"{value!r}, which fails the field's condition"
            )
            return name, reason, value
    return "fields", "no placing of the ... runs lets every field fit", None


def _positions(pattern: DelimitedPattern, values: Sequence[str]) -> list[tuple[int, int]]:
    """(pattern field, message field) pairs fixed by the pattern's shape: head, then tail."""
    specs = pattern.fields
    ellipses = [i for i, spec in enumerate(specs) if spec.is_ellipsis]
    if not ellipses:
        return list(enumerate(range(len(values))))
    first, last = ellipses[0], ellipses[-1]
    head = [(i, i) for i in range(first)]
    after = len(specs) - last - 1
    tail = [(last + 1 + k, len(values) - after + k) for k in range(after)]
    return head + tail


def _json(pattern: JsonPattern, message: str, matched: bool) -> _Decision:
    if matched:
        return "json", "the JSON document satisfies the pattern", None
    document = load_object(message)
    if document is None:
        return "json", "the message is not a JSON object", None
    if "\\" not in message:
        for text in pattern.required:
            if text not in message:
                return text, f"the pattern needs {text} and the message does not contain it", None
    return "json", "the JSON document does not satisfy the pattern's conditions", None
