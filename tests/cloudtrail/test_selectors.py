"""Event selectors (pure): AWS's documented examples and a naive oracle for advanced ones."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from awsmon.cloudtrail.selectors import (
    AdvancedEventSelector,
    DataResource,
    EventSelector,
    Facts,
    FieldSelector,
    Selection,
    SelectorError,
)
from awsmon.cloudtrail.trails import check_trail_name


def mgmt(name: str, read_only: bool, source: str = "ec2.amazonaws.com") -> Facts:
    return Facts(category="Management", read_only=read_only, event_source=source, event_name=name)


def data(kind: str, arn: str, name: str = "PutObject", read_only: bool = False) -> Facts:
    return Facts(
        category="Data",
        read_only=read_only,
        event_source="s3.amazonaws.com",
        event_name=name,
        resources=((kind, arn),),
    )


class TestBasicSelectors:
    def test_write_only_management(self) -> None:
        """WriteOnly logs RunInstances, not GetConsoleOutput (reference E9.6)."""
        selection = Selection.of_basic([EventSelector(read_write_type="WriteOnly")])
        assert selection.selects(mgmt("RunInstances", False))
        assert not selection.selects(mgmt("GetConsoleOutput", True))

    def test_lambda_function_is_exact(self) -> None:
        """A Lambda function ARN selects that function only, not a longer name."""
        arn = "arn:aws:lambda:us-west-2:111111111111:function:helloworld"
        selection = Selection.of_basic(
            [EventSelector(data_resources=(DataResource("AWS::Lambda::Function", (arn,)),))]
        )
        assert selection.selects(data("AWS::Lambda::Function", arn, "Invoke"))
        assert not selection.selects(data("AWS::Lambda::Function", arn + "2", "Invoke"))

    def test_s3_prefixes(self) -> None:
        """A bucket ARN with / covers its objects; a key prefix only those keys."""
        bucket = Selection.of_basic(
            [
                EventSelector(
                    data_resources=(
                        DataResource("AWS::S3::Object", ("arn:aws:s3:::amzn-s3-demo-bucket1/",)),
                    )
                )
            ]
        )
        assert bucket.selects(data("AWS::S3::Object", "arn:aws:s3:::amzn-s3-demo-bucket1/a"))
        assert not bucket.selects(data("AWS::S3::Object", "arn:aws:s3:::other/a"))
        prefix = Selection.of_basic(
            [
                EventSelector(
                    data_resources=(
                        DataResource(
                            "AWS::S3::Object", ("arn:aws:s3:::amzn-s3-demo-bucket1/example-images",)
                        ),
                    )
                )
            ]
        )
        assert prefix.selects(
            data("AWS::S3::Object", "arn:aws:s3:::amzn-s3-demo-bucket1/example-images/x.png")
        )
        assert not prefix.selects(data("AWS::S3::Object", "arn:aws:s3:::amzn-s3-demo-bucket1/y"))

    def test_default_has_no_data_events(self) -> None:
        """A trail without data selectors delivers no data events."""
        assert not Selection.default().selects(data("AWS::S3::Object", "arn:aws:s3:::b/k"))

    def test_excluded_sources(self) -> None:
        """ExcludeManagementEventSources drops KMS management events."""
        selection = Selection.of_basic(
            [EventSelector(exclude_management_event_sources=("kms.amazonaws.com",))]
        )
        assert not selection.selects(mgmt("CreateKey", False, "kms.amazonaws.com"))
        assert selection.selects(mgmt("CreateTopic", False, "sns.amazonaws.com"))

    @pytest.mark.parametrize(
        "selectors",
        [
            pytest.param([EventSelector()] * 6, id="six"),
            pytest.param([], id="none"),
            pytest.param([EventSelector(read_write_type="Sometimes")], id="read-write"),
            pytest.param(
                [EventSelector(exclude_management_event_sources=("s3.amazonaws.com",))],
                id="exclude-s3",
            ),
        ],
    )
    def test_refused(self, selectors: list[EventSelector]) -> None:
        """Selectors CloudTrail refuses raise SelectorError."""
        with pytest.raises(SelectorError):
            Selection.of_basic(selectors)


_FIELDS = ["eventCategory", "readOnly", "eventSource", "eventName", "resources.ARN"]
_OPS = ["Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith"]
_WORDS = st.sampled_from(
    [
        "Put",
        "PutObject",
        "Object",
        "Get",
        "Management",
        "Data",
        "true",
        "false",
        "s3",
        "s3.amazonaws.com",
        "arn:aws:s3:::b/k",
        "k",
    ]
)


@st.composite
def facts(draw: st.DrawFn) -> Facts:
    return Facts(
        category=draw(st.sampled_from(["Management", "Data"])),
        read_only=draw(st.booleans()),
        event_source=draw(st.sampled_from(["s3.amazonaws.com", "logs.amazonaws.com"])),
        event_name=draw(st.sampled_from(["PutObject", "GetObject", "DeleteLogGroup"])),
        resources=draw(
            st.lists(
                st.tuples(
                    st.just("AWS::S3::Object"),
                    st.sampled_from(["arn:aws:s3:::b/k", "arn:aws:s3:::c/"]),
                ),
                max_size=2,
            ).map(tuple)
        ),
    )


conditions = st.lists(
    st.tuples(
        st.sampled_from(_FIELDS), st.sampled_from(_OPS), st.lists(_WORDS, min_size=1, max_size=3)
    ),
    min_size=1,
    max_size=4,
)


def naive(conds: list[tuple[str, str, list[str]]], f: Facts) -> bool:
    """Each condition on its own: positive ops need some value to match, negative none."""
    for field, op, wanted in conds:
        values = f.values(field)
        negated = op.startswith("Not")
        test = op[3:] if negated else op
        hits = [
            (
                v == w
                if test == "Equals"
                else v.startswith(w)
                if test == "StartsWith"
                else v.endswith(w)
            )
            for v in values
            for w in wanted
        ]
        if any(hits) == negated:
            return False
    return True


@given(conds=conditions, f=facts())
def test_advanced_selector_agrees_with_naive_oracle(
    conds: list[tuple[str, str, list[str]]], f: Facts
) -> None:
    """An advanced selector holds exactly when every condition holds on its own."""
    selector = AdvancedEventSelector(
        field_selectors=tuple(
            FieldSelector(field, ((op, tuple(wanted)),)) for field, op, wanted in conds
        )
    )
    assert selector.selects(f) == naive(conds, f)


@given(st.text(alphabet="ab1._- ", min_size=0, max_size=8))
@example("1.1.1.1")
def test_trail_names_match_the_grammar(name: str) -> None:
    """A name is valid exactly when it fits the naming rules' grammar."""
    seps = "._-"
    expected = (
        3 <= len(name) <= 128
        and " " not in name
        and name[0] not in seps
        and name[-1] not in seps
        and not any(a in seps and b in seps for a, b in pairwise(name))
        and not (name.count(".") == 3 and all(p.isdigit() and len(p) <= 3 for p in name.split(".")))
    )
    assert check_trail_name(name) == expected
