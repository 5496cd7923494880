"""Tests of awsmon/linear_regex.py: user regexes on RE2 or a shape-checked `re`, same refusals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import linear_regex
from awsmon.linear_regex import RegexError, compile_regex
from awsmon.neighbours.ec2 import AgentConfigError, parse_config

HAVE_RE2 = linear_regex.RE2 is not None
ENGINES = [
    pytest.param("re2", marks=pytest.mark.skipif(not HAVE_RE2, reason="google-re2 is absent")),
    "fallback",
]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test runs with RE2 (when installed) and with the `re` fallback."""
    if request.param == "fallback":
        monkeypatch.setattr(linear_regex, "RE2", None)
    compile_regex.cache_clear()
    yield str(request.param)
    compile_regex.cache_clear()


REFUSED = [
    (r"(a)\1", "back-references are not supported", 3),
    (r"(?<x>a)\k<x>", "back-references are not supported", 7),
    (r"(?P<x>a)(?P=x)", "back-references are not supported", 8),
    ("a(?=b)", "look-around assertions are not supported", 1),
    ("a(?!b)", "look-around assertions are not supported", 1),
    ("(?<=a)b", "look-around assertions are not supported", 0),
    ("(?<!a)b", "look-around assertions are not supported", 0),
    ("(?>a+)b", "atomic groups are not supported", 0),
    ("a*+b", "possessive quantifiers are not supported", 1),
    ("(?(1)a|b)", "conditionals are not supported", 0),
    ("a[b", "unterminated character class", 1),
    ("(ab", "unbalanced parenthesis", 3),
]


@pytest.mark.parametrize(("pattern", "reason", "position"), REFUSED)
def test_refusals_have_the_same_words_on_every_engine(
    engine: str, pattern: str, reason: str, position: int
) -> None:
    with pytest.raises(RegexError) as caught:
        compile_regex(pattern)
    assert caught.value.reason == reason
    assert caught.value.position == position
    assert str(caught.value) == f"{reason} at position {position}"


def test_engine_choice(engine: str) -> None:
    """Literals use str.find, bounded regexes `re`, unbounded ones RE2 when installed."""
    assert compile_regex("ERROR 500").engine == "literal"
    assert compile_regex(r"status=5\d\d|WARN").engine == "re"
    assert compile_regex(r"(?<ms>\d+)ms").engine == ("re2" if engine == "re2" else "re")


def test_nested_quantifiers_run_on_re2_and_are_refused_without(engine: str) -> None:
    """``(a+)+b`` is exponential on `re`: RE2 runs it (as Hyperscan and Go do), `re` may not."""
    if engine == "re2":
        assert compile_regex("(a+)+b").search("a" * 100_000) is None
        assert compile_regex("(a+)+b").search("aab") is not None
    else:
        with pytest.raises(RegexError, match=r"nested quantifier \+ may backtrack"):
            compile_regex("(a+)+b")


def test_re2_syntax_gaps_fall_back_to_re(engine: str) -> None:
    r"""A regex RE2's syntax refuses but Python's accepts (``\Z``) still runs, on `re`."""
    compiled = compile_regex(r"x+\Z")
    assert compiled.engine == "re"
    assert compiled.search("axx") is not None


def test_named_groups_in_order(engine: str) -> None:
    compiled = compile_regex(r"(?<user>\w+)@(?<domain>\S+)")
    assert list(compiled.groupindex) == ["user", "domain"]
    found = compiled.search("mail bob@example.com now")
    assert found is not None
    assert found.groupdict() == {"user": "bob", "domain": "example.com"}


@given(
    pattern=st.text(alphabet="ab.*+?|()[]^$", max_size=8),
    texts=st.lists(st.text(alphabet="abc", max_size=12), max_size=4),
)
def test_accepted_regexes_find_what_re_finds(pattern: str, texts: list[str]) -> None:
    """Whatever engine runs it, an accepted regex finds the same first match as `re` would."""
    try:
        compiled = compile_regex(pattern)
    except RegexError:
        return
    oracle = re.compile(compiled.pattern)
    for text in texts:
        ours, theirs = compiled.search(text), oracle.search(text)
        assert (ours is None) is (theirs is None)
        if ours is not None and theirs is not None:
            assert ours.start() == theirs.start()


@given(st.text(alphabet="ab()|*+?{}[]^$.\\1,<>=!:P", max_size=14))
def test_never_a_raw_exception(pattern: str) -> None:
    try:
        compile_regex(pattern).search("ab" * 20)
    except RegexError as error:
        assert error.reason


def _agent(pattern: str) -> Any:
    return {
        "logs": {
            "logs_collected": {
                "files": {
                    "collect_list": [{"file_path": "/a", "multi_line_start_pattern": pattern}]
                }
            }
        }
    }


def test_agent_config_refusals_are_the_same_on_every_engine(engine: str) -> None:
    with pytest.raises(AgentConfigError) as caught:
        parse_config(_agent(r"^(\d+)\1"))
    assert caught.value.path == "/logs/logs_collected/files/collect_list/0/multi_line_start_pattern"
    assert str(caught.value).endswith(
        "invalid regular expression at position 6: back-references are not supported"
    )


def test_agent_config_runs_unbounded_regexes_linearly(engine: str) -> None:
    config = parse_config(_agent(r"^\[\d+-\d+.*\]"))
    assert config.logs is not None
    start = config.logs.files[0].multi_line_start_pattern
    assert start is not None
    assert start.search("[2024-01 x]") is not None
    assert start.search("[" + "1-1" * 10_000) is None
