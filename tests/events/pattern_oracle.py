"""A deliberately naive reference matcher for event patterns, and Hypothesis strategies.

Test helper shared by ``test_pattern.py`` and ``test_ruler.py`` (loaded by path,
not collected). The oracle works on the pattern as plain JSON data, written
straight from the reference's rules (A.6.2, A.6.3) and independent of
``awsmon.events``: it expands ``$or`` into branches, lists the event's leaves
with the array elements they sit in, and tries every choice of leaves in
sorted field order by brute force.
"""

from __future__ import annotations

import ipaddress
import itertools
import operator
import re
from typing import Any

from hypothesis import strategies as st

__all__ = ["events", "matches", "patterns"]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_scalar(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    return _is_number(a) and _is_number(b) and a == b


def _wildcard(pattern: str, value: str) -> bool:
    regex, index = "", 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            regex += re.escape(pattern[index + 1])
            index += 2
            continue
        regex += ".*" if char == "*" else re.escape(char)
        index += 1
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _in_cidr(block: str, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    base, bits = block.split("/")
    start = ipaddress.ip_address(base)
    if start.version != address.version:
        return False
    # the whole network, host bits of the written address ignored (event-ruler's CIDR)
    hosts = (1 << (start.max_prefixlen - int(bits))) - 1
    return int(start) & ~hosts <= int(address) <= int(start) | hosts


def _numeric(terms: list[Any], value: Any) -> bool:
    if not _is_number(value):
        return False
    checks = {
        "=": operator.eq,
        "<": operator.lt,
        "<=": operator.le,
        ">": operator.gt,
        ">=": operator.ge,
    }
    return all(checks[op](value, bound) for op, bound in zip(terms[::2], terms[1::2], strict=True))


def _one(spec: Any, value: Any) -> bool:
    """Does one element of a match list accept one leaf value?"""
    if not isinstance(spec, dict):
        return _same_scalar(spec, value)
    ((name, argument),) = spec.items()
    text = isinstance(value, str)
    if name in ("prefix", "suffix"):
        if not text:
            return False
        if isinstance(argument, dict):
            argument, value = argument["equals-ignore-case"].lower(), value.lower()
        return value.startswith(argument) if name == "prefix" else value.endswith(argument)
    if name == "equals-ignore-case":
        return text and value.lower() == argument.lower()
    if name == "wildcard":
        return text and _wildcard(argument, value)
    if name == "numeric":
        return _numeric(argument, value)
    if name == "cidr":
        return _in_cidr(argument, value)
    if name == "exists":
        return argument is True
    assert name == "anything-but", name
    if isinstance(argument, dict):
        ((inner, texts),) = argument.items()
        texts = texts if isinstance(texts, list) else [texts]
        return not text or not any(_one({inner: t}, value) for t in texts)
    excluded = argument if isinstance(argument, list) else [argument]
    return not any(_same_scalar(x, value) for x in excluded)


def _branches(pattern: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    branches: list[dict[str, Any]] = [{}]
    for key, value in pattern.items():
        if key == "$or":
            branches = [
                {**branch, **sub}
                for branch in branches
                for alternative in value
                for sub in _branches(alternative, prefix)
            ]
        elif isinstance(value, dict):
            subs = _branches(value, (*prefix, key))
            branches = [{**branch, **sub} for branch in branches for sub in subs]
        else:
            branches = [{**branch, ".".join((*prefix, key)): value} for branch in branches]
    return branches


def _leaves(event: dict[str, Any]) -> dict[str, list[tuple[Any, dict[int, int]]]]:
    found: dict[str, list[tuple[Any, dict[int, int]]]] = {}
    ids = itertools.count()

    def walk(value: Any, path: str, where: dict[int, int]) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, f"{path}.{key}" if path else key, where)
        elif isinstance(value, list):
            array = next(ids)
            for index, element in enumerate(value):
                walk(element, path, {**where, array: index})
        else:
            found.setdefault(path, []).append((value, where))

    for key, child in event.items():
        walk(child, key, {})
    return found


def _agree(a: dict[int, int], b: dict[int, int]) -> bool:
    return all(b.get(array, index) == index for array, index in a.items())


def _choose(
    branch: dict[str, Any],
    paths: list[str],
    leaves: dict[str, list[tuple[Any, dict[int, int]]]],
    index: int,
    chosen: dict[int, int],
) -> bool:
    """Try every leaf for field `index` (and absence), consistent with the leaves chosen so far."""
    if index == len(paths):
        return True
    specs = branch[paths[index]]
    wanted = [spec for spec in specs if spec != {"exists": False}]
    here = leaves.get(paths[index], [])
    for value, where in here:
        if (
            any(_one(spec, value) for spec in wanted)
            and _agree(chosen, where)
            and _choose(branch, paths, leaves, index + 1, {**chosen, **where})
        ):
            return True
    if {"exists": False} in specs and not any(_agree(chosen, where) for _, where in here):
        return _choose(branch, paths, leaves, index + 1, chosen)
    return False


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """The naive answer: does `event` match the (valid) `pattern`?"""
    leaves = _leaves(event)
    return any(_choose(branch, sorted(branch), leaves, 0, {}) for branch in _branches(pattern))


# -- strategies ----------------------------------------------------------------------------

_WORDS = ["", "a", "ab", "abc", "Ab", "ABC", "b", "ba", "a*b", "a\\b", "10.0.0.7", "10.1.2.3"]
_IPS = ["10.0.0.7", "10.0.0.255", "10.1.2.3", "192.168.0.1", "2001:db8::1", "2001:0db8:0:0:0:0:0:2"]
_NUMBERS = [-3, -1.5, 0, 0.0, 1, 1.0, 2, 2.5, 3, 300, 300.0]
_scalars = st.one_of(
    st.sampled_from(_WORDS + _IPS),
    st.sampled_from(_NUMBERS),
    st.sampled_from([True, False, None, "true", "null", "3"]),
)
_texts = st.sampled_from(["a", "ab", "b", "A", "abc", "c"])
_bounds = st.sampled_from([-2, 0, 1, 1.5, 2, 3, 300])


@st.composite
def _numeric_spec(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["=", "<", "<=", ">", ">=", "range"]))
    if kind != "range":
        return {"numeric": [kind, draw(_bounds)]}
    low, high = sorted(draw(st.lists(_bounds, min_size=2, max_size=2, unique=True)))
    return {
        "numeric": [
            draw(st.sampled_from([">", ">="])),
            low,
            draw(st.sampled_from(["<", "<="])),
            high,
        ]
    }


def _anything_but() -> st.SearchStrategy[dict[str, Any]]:
    listed = st.one_of(
        st.lists(_texts, min_size=1, max_size=3),
        st.lists(st.sampled_from([0, 1, 2, 300, 1.5]), min_size=1, max_size=3),
    )
    inner = st.sampled_from(["prefix", "suffix", "equals-ignore-case", "wildcard"]).flatmap(
        lambda op: st.one_of(_texts, st.lists(_texts, min_size=1, max_size=2)).map(
            lambda texts: {op: texts}
        )
    )
    return st.one_of(_texts, st.sampled_from([0, 2, 300]), listed, inner).map(
        lambda argument: {"anything-but": argument}
    )


_specs = st.one_of(
    _scalars,
    _texts.map(lambda t: {"prefix": t}),
    st.sampled_from(["", "a"]).map(lambda t: {"prefix": t}),
    _texts.map(lambda t: {"prefix": {"equals-ignore-case": t}}),
    _texts.map(lambda t: {"suffix": t}),
    _texts.map(lambda t: {"suffix": {"equals-ignore-case": t}}),
    _texts.map(lambda t: {"equals-ignore-case": t}),
    st.sampled_from(["a*", "*b", "a*c", "*", "", "a\\*b", "*.*.*", "a\\\\b"]).map(
        lambda w: {"wildcard": w}
    ),
    _numeric_spec(),
    st.sampled_from(["10.0.0.0/8", "10.0.0.0/24", "2001:db8::/32", "0.0.0.0/1"]).map(
        lambda c: {"cidr": c}
    ),
    st.booleans().map(lambda b: {"exists": b}),
    _anything_but(),
)
_match_lists = st.lists(_specs, min_size=1, max_size=3)
_top_keys = st.sampled_from(["a", "b", "c", "n", "n.x", "list"])
_nested_keys = st.sampled_from(["x", "y"])


@st.composite
def _object(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    keys = _top_keys if depth == 0 else _nested_keys
    result: dict[str, Any] = {}
    for key in draw(st.lists(keys, min_size=1, max_size=2, unique=True)):
        if key in ("n.x",) or depth > 0 or draw(st.integers(0, 3)):
            result[key] = draw(_match_lists)
        else:
            result[key] = draw(_object(depth + 1))
    if depth == 0 and draw(st.integers(0, 3)) == 0:
        result["$or"] = draw(st.lists(_object(depth + 1), min_size=2, max_size=3))
    return result


def patterns() -> st.SearchStrategy[dict[str, Any]]:
    """Valid patterns over fields a, b, c, n.x, list(.x/.y) using every operator and $or."""
    return _object()


def events() -> st.SearchStrategy[dict[str, Any]]:
    """Small events over the same fields: scalars, arrays, arrays of objects, nesting."""
    scalars = _scalars | st.sampled_from([float("nan"), float("inf"), -1e300, 10**20])
    inner = st.dictionaries(_nested_keys, st.one_of(scalars, st.lists(scalars, max_size=2)))
    values = st.one_of(
        scalars,
        st.lists(scalars, max_size=3),
        inner,
        st.lists(inner, max_size=3),
        st.lists(st.lists(inner, max_size=2), max_size=2),
    )
    return st.dictionaries(
        st.sampled_from(["a", "b", "c", "n", "n.x", "list", "x"]), values, min_size=2, max_size=6
    )
