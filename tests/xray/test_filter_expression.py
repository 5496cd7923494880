"""Tests of awsmon/xray/filter_expression.py and filter_syntax.py: the filter expression language.

Examples are the developer guide's (reference E8.7) evaluated on its Scorekeep
trace; the property test compares the compiled engine with a naive evaluator
written here, on random traces built from segment documents.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock
from awsmon.errors import InvalidParameter
from awsmon.xray.errors import InvalidFilterExpression
from awsmon.xray.filter_expression import FakeSubject, FilterExpression, json_pattern_matches
from awsmon.xray.filter_syntax import ServiceRef
from awsmon.xray.trace import TraceView

TRACE_ID = "1-59602603-23fc5b688855d396af79b496"

E87 = [
    ("responsetime > 3", True),
    ("responsetime > 5", False),
    ("duration >= 3 AND duration <= 4", True),
    ("ok", True),
    ("!ok", False),
    ("ok = false", False),
    ("error", False),
    ("fault", False),
    ("ok !partial duration <3", False),
    ('http.method = "POST" AND http.url CONTAINS "/api/user"', True),
    ("http.status != 200", False),
    ('user = "5M388M1E"', True),
    ('user CONTAINS ""', True),
    ('annotation.UserID = "5M388M1E"', True),
    ('annotation.Name = "Ola"', True),
    ("annotation.age", False),
    ("!annotation.age", True),
    ('service("random-name")', True),
    ('service(id(name: "random-name", type: "AWS::Lambda::Function"))', True),
    ('service(id(type: "AWS::Lambda"))', True),
    ('service("random-name") { error }', False),
    ("service() { fault }", False),
    ("inferred", True),
    (
        'http.url BEGINSWITH "http://scorekeep.elasticbeanstalk.com/" AND !service("Scorekeep")',
        False,
    ),
    # Further cases on the same trace.
    ('service("scorekeep-user")', True),
    ('service(id(name: "scorekeep-user", type: "AWS::DynamoDB::Table")) { ok }', True),
    ('edge("Scorekeep", "scorekeep-user") { responsetime < 1 }', True),
    ('edge("Scorekeep", "SNS")', False),
    ('edge("random-name", "SNS")', True),
    ('service("Scorekeep") { root = true and ok }', True),
    ('service("random-name") { root }', False),
    ("responseTime > 2 OR fault", True),
    ('(fault OR error) AND user = "5M388M1E"', False),
    ('NOT_A_USER = "x" OR ok', None),
    ('http.useragent BEGINSWITH "Mozilla" and http.clientip = "205.251.233.183"', True),
    ('resource.arn ENDSWITH ":function:random-name"', True),
    ('rootcause.responsetime.service { last and type = "AWS::SNS" }', True),
    ("rootcause.fault.entity", False),
    ('rootcause.json = #[{ "Services": [ { "Name": "Scorekeep" } ] }]', False),
]


def view_of(cloud: Cloud) -> TraceView:
    view = cloud.xray.store.view(TRACE_ID)
    assert view is not None
    return view


class TestGuideExamples:
    @pytest.mark.parametrize(("text", "expected"), [c for c in E87 if c[1] is not None])
    def test_on_the_scorekeep_trace(self, scorekeep: Cloud, text: str, expected: bool) -> None:
        """Each guide expression matches the Scorekeep trace as the reference derives."""
        assert FilterExpression.parse(text).matches(view_of(scorekeep)) is expected

    @pytest.mark.parametrize(
        "text",
        [
            "responsetime > 5",
            "duration >= 5 AND duration <= 8",
            'http.url CONTAINS "/api/game/"',
            'service("api.example.com") { fault }',
            'edge("api.example.com", "backend.example.com") { error }',
            "http.url AND responseTime > 2",
            'annotation.gameid = "817DL6VO"',
            "annotation.age > 29",
            'group.name = "high_response_time" AND user = "alice"',
            'service("data-plane") {root = true and fault = true}',
            'rootcause.fault.entity { last and name = "deserialize" }',
            'rootcause.responsetime.entity { remote and coverage > 0.7 and name = "traces" }',
            "rootcause.fault.service { index > 5 }",
            'rootcause.responsetime.service { last and type = "AWS::DynamoDB" }',
            'rootcause.fault.exception { last and message = "Access Denied for account_id: 1" }',
            'rootcause.json = #[{ "Services": [ { "Name": "GetWeatherData", "EntityPath": '
            '[{ "Name": "GetWeatherData" }, { "Name": "get_temperature" } ] }, '
            '{ "Name": "GetTemperature", "EntityPath": [ { "Name": "GetTemperature" } ] } ] }]',
            'service(id(account.id: "account-id"))',
            'edge(id(name: "service-one", type:"service::type"), '
            'id(name: "service-two", type:"service::type")) { ok }',
            'rootcause.fault.service { inferred and name = traces and type = "AWS::DynamoDB" }',
        ],
    )
    def test_guide_syntax_is_accepted(self, text: str) -> None:
        """Every expression printed in the developer guide parses."""
        assert FilterExpression.parse(text).text == text

    def test_rootcause_json_matches_a_fault_path(self) -> None:
        """rootcause.json matches a fault path; omitted fields are wildcards."""
        cloud = Cloud(clock=VirtualClock())
        now = cloud.clock.time()
        trace = "1-67d446a6-000000000000000000000001"
        doc = {
            "name": "GetWeatherData",
            "id": "a" * 16,
            "trace_id": trace,
            "start_time": now - 1,
            "end_time": now,
            "fault": True,
            "subsegments": [
                {
                    "name": "get_temperature",
                    "id": "b" * 16,
                    "start_time": now - 1,
                    "end_time": now,
                    "fault": True,
                    "cause": {
                        "exceptions": [{"id": "c" * 16, "type": "KeyError", "message": "boom"}]
                    },
                }
            ],
        }
        assert cloud.xray.put_trace_segments([doc]) == []
        view = cloud.xray.store.view(trace)
        assert view is not None
        pattern = (
            'rootcause.json = #[{ "Services": [ { "Name": "GetWeatherData", "EntityPath": '
            '[{ "Name": "GetWeatherData" }, { "Name": "get_temperature" } ] } ] }]'
        )
        assert FilterExpression.parse(pattern).matches(view)
        assert FilterExpression.parse(
            'rootcause.fault.entity { last and name = "get_temperature" }'
        ).matches(view)
        assert FilterExpression.parse('rootcause.fault.exception { message = "boom" }').matches(
            view
        )
        assert not FilterExpression.parse(
            'rootcause.fault.entity { first and name = "get_temperature" }'
        ).matches(view)


ERRORS = [
    ("", 0, "expected an expression"),
    ("duration >", 10, "expected a number"),
    ("duration > 'x'", 11, "unexpected character"),
    ('http.status = "200"', 14, "expected a number"),
    ("ok AND", 6, "expected a keyword"),
    ("(ok", 3, "expected ')'"),
    ("ok)", 2, "expected AND, OR or the end"),
    ("frobnicate", 0, "expected a filter keyword"),
    ('service("a") { annotation.x = 1 }', 15, "not an annotation"),
    ('service("a" { ok }', 12, "expected ')'"),
    ("annotation.a-b = 1", 0, "annotation key"),
    ('annotation.n > "x"', 15, "a number after >"),
    ("ok = maybe", 5, "true or false"),
    ("rootcause.fault.whatever", 0, "rootcause.<fault"),
    ("rootcause.json = #[1,", 21, "JSON array"),
    ("index > 3", 0, "only inside rootcause braces"),
    ("service() { }", 12, "an expression inside braces"),
    ('edge("a") { ok }', 8, "expected ','"),
]


class TestErrors:
    @pytest.mark.parametrize(
        ("text", "position", "detail"), ERRORS, ids=[e[0] or "empty" for e in ERRORS]
    )
    def test_syntax_errors_name_the_position(self, text: str, position: int, detail: str) -> None:
        """A syntax error is InvalidRequestException with the position and what was expected."""
        with pytest.raises(InvalidFilterExpression) as caught:
            FilterExpression.parse(text)
        error = caught.value
        assert error.code == "InvalidRequestException"
        assert isinstance(error, InvalidParameter)
        assert error.position == position
        assert error.message.startswith(f"Invalid filter expression at position {position}: ")
        assert detail in error.message


# -- the property test: the engine against a naive evaluator --------------------------

NAMES = ["api", "db", "auth"]
KEYS = ["k1", "k2"]


@st.composite
def traces(draw: st.DrawFn) -> list[dict[str, object]]:
    """1-3 segments of distinct services, random status, annotations, users and timing."""
    count = draw(st.integers(1, 3))
    docs = []
    start = 1741964966.0
    names = draw(st.permutations(NAMES))[:count]
    for index, name in enumerate(names):
        doc: dict[str, object] = {
            "name": name,
            "id": f"{index + 1:016x}",
            "trace_id": "1-67d446a6-000000000000000000000001",
            "start_time": start + index * 0.1,
            "end_time": start + index * 0.1 + draw(st.sampled_from([0.05, 0.5, 1.5, 3.0])),
            "http": {
                "request": {
                    "method": draw(st.sampled_from(["GET", "POST"])),
                    "url": f"https://x/{name}",
                },
                "response": {"status": draw(st.sampled_from([200, 404, 429, 500]))},
            },
        }
        if index:
            doc["parent_id"] = f"{index:016x}"
        if draw(st.booleans()):
            doc["user"] = draw(st.sampled_from(["alice", "bob"]))
        annotations = draw(
            st.dictionaries(
                st.sampled_from(KEYS),
                st.one_of(st.integers(0, 5), st.sampled_from(["a", "b"]), st.booleans()),
                max_size=2,
            )
        )
        if annotations:
            doc["annotations"] = annotations
        docs.append(doc)
    return docs


def naive(expr: tuple[str, ...], docs: list[dict[str, object]]) -> bool:
    """Evaluate one atom directly on the documents."""
    root = docs[0]
    kind = expr[0]
    status = root["http"]["response"]["status"]  # type: ignore[index]

    def cls(d: dict[str, object]) -> str:
        s = d["http"]["response"]["status"]  # type: ignore[index]
        return "fault" if s >= 500 else "throttle" if s == 429 else "error" if s >= 400 else "ok"

    if kind == "flag":
        flag = expr[1]
        c = cls(root)
        return {
            "ok": c == "ok",
            "fault": c == "fault",
            "throttle": c == "throttle",
            "error": c in ("error", "throttle"),
        }[flag]
    if kind == "status":
        return status == int(expr[1])
    if kind == "rt":
        return root["end_time"] - root["start_time"] > float(expr[1])  # type: ignore[operator]
    if kind == "duration":
        ends = max(d["end_time"] for d in docs)  # type: ignore[type-var]
        return ends - root["start_time"] > float(expr[1])  # type: ignore[operator]
    if kind == "user":
        return any(d.get("user") == expr[1] for d in docs)
    if kind == "annotation":
        key, value = expr[1], expr[2]
        values = [d.get("annotations", {}).get(key) for d in docs]  # type: ignore[attr-defined]
        return any(isinstance(v, str) and v == value for v in values)
    if kind == "annotation_num":
        key, bound = expr[1], float(expr[2])
        values = [d.get("annotations", {}).get(key) for d in docs]  # type: ignore[attr-defined]
        return any(isinstance(v, int) and not isinstance(v, bool) and v > bound for v in values)
    if kind == "service":
        return any(d["name"] == expr[1] for d in docs)
    if kind == "service_fault":
        return any(d["name"] == expr[1] and cls(d) == "fault" for d in docs)
    raise AssertionError(kind)


def render(atom: tuple[str, ...]) -> str:
    kind = atom[0]
    return {
        "flag": lambda: atom[1],
        "status": lambda: f"http.status = {atom[1]}",
        "rt": lambda: f"responsetime > {atom[1]}",
        "duration": lambda: f"duration > {atom[1]}",
        "user": lambda: f'user = "{atom[1]}"',
        "annotation": lambda: f'annotation.{atom[1]} = "{atom[2]}"',
        "annotation_num": lambda: f"annotation.{atom[1]} > {atom[2]}",
        "service": lambda: f'service("{atom[1]}")',
        "service_fault": lambda: f'service("{atom[1]}") {{ fault }}',
    }[kind]()


atoms = st.one_of(
    st.tuples(st.just("flag"), st.sampled_from(["ok", "fault", "error", "throttle"])),
    st.tuples(st.just("status"), st.sampled_from(["200", "404", "500"])),
    st.tuples(st.just("rt"), st.sampled_from(["0.1", "1", "2"])),
    st.tuples(st.just("duration"), st.sampled_from(["0.1", "1", "2"])),
    st.tuples(st.just("user"), st.sampled_from(["alice", "bob"])),
    st.tuples(st.just("annotation"), st.sampled_from(KEYS), st.sampled_from(["a", "b"])),
    st.tuples(st.just("annotation_num"), st.sampled_from(KEYS), st.sampled_from(["1", "3"])),
    st.tuples(st.just("service"), st.sampled_from(NAMES)),
    st.tuples(st.just("service_fault"), st.sampled_from(NAMES)),
)
expressions = st.recursive(
    atoms.map(lambda a: ("atom", a)),
    lambda inner: st.one_of(
        st.tuples(st.just("not"), inner),
        st.tuples(st.sampled_from(["and", "or"]), inner, inner),
    ),
    max_leaves=5,
)


def text_of(e: tuple) -> str:  # type: ignore[type-arg]
    if e[0] == "atom":
        return render(e[1])
    if e[0] == "not":
        return f"!({text_of(e[1])})"
    return f"({text_of(e[1])} {e[0].upper()} {text_of(e[2])})"


def value_of(e: tuple, docs: list[dict[str, object]]) -> bool:  # type: ignore[type-arg]
    if e[0] == "atom":
        return naive(e[1], docs)
    if e[0] == "not":
        return not value_of(e[1], docs)
    if e[0] == "and":
        return value_of(e[1], docs) and value_of(e[2], docs)
    return value_of(e[1], docs) or value_of(e[2], docs)


@settings(max_examples=150, deadline=None)
@given(docs=traces(), expression=expressions)
def test_engine_agrees_with_a_naive_evaluator(
    docs: list[dict[str, object]], expression: tuple
) -> None:  # type: ignore[type-arg]
    """On random traces, the compiled filter gives what direct evaluation on the documents gives."""
    cloud = Cloud()
    assert cloud.xray.put_trace_segments(docs) == []
    view = cloud.xray.store.view("1-67d446a6-000000000000000000000001")
    assert view is not None
    text = text_of(expression)
    assert FilterExpression.parse(text).matches(view) is value_of(expression, docs), text


def test_fake_subject_and_required_services() -> None:
    """The teaching subject answers keywords; AND narrows to the services an index can use."""
    subject = FakeSubject(nodes={ServiceRef("a"): [FakeSubject(flags={"fault": True})]})
    assert FilterExpression.parse('service("a") { fault }').matches(subject)
    assert not FilterExpression.parse('service("b")').matches(subject)
    names = FilterExpression.parse('(service("a") OR service("b")) AND ok').service_names()
    assert names == frozenset({"a", "b"})


def test_json_pattern_lists_match_by_position() -> None:
    """rootcause.json lists compare element by element and need the same length."""
    assert json_pattern_matches([{"Name": "a"}], [{"Name": "a", "X": 1}])
    assert not json_pattern_matches([{"Name": "a"}], [{"Name": "a"}, {"Name": "b"}])
    assert not json_pattern_matches({"Name": "a"}, {"Other": "a"})
