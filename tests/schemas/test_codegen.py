"""Tests of awsmon/schemas/codegen: bindings in Python36 (imported and run), Java8 (compiled
with javac when installed), TypeScript3 and Go1 (checked lexically)."""

from __future__ import annotations

import importlib
import importlib.util
import io
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from awsmon.schemas.aws_events import SAMPLES, builtin_schemas
from awsmon.schemas.codegen import generate, source_files
from awsmon.schemas.codegen.naming import package_parts, snake_case
from awsmon.schemas.inference import infer


def _load(name: str, file: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(file))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shapes = _load("schemas_event_shapes_codegen", "event_shapes.py")

EC2 = "aws.ec2@EC2InstanceStateChangeNotification"
ALARM = "aws.cloudwatch@CloudWatchAlarmStateChange"


def without_nulls(value: Any) -> Any:
    """`value` without null members (the marshaller drops None attributes, as AWS's does)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


_counter = iter(range(10**9))


def import_binding(tmp: Path, schema: str, document: dict[str, Any]) -> Any:
    """Unpack the Python binding under a fresh top-level name and import its package."""
    root = tmp / f"binding{next(_counter)}"
    zipfile.ZipFile(io.BytesIO(generate("Python36", schema, document))).extractall(root)
    top = f"schema_{root.name}"
    (root / "schema").rename(root / top)
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module(".".join([top, *package_parts(schema)[1:]]))
    finally:
        sys.path.remove(str(root))


@pytest.fixture
def python_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    for name in [n for n in sys.modules if n.startswith("schema_binding")]:
        del sys.modules[name]


class TestLayout:
    def test_python_layout(self) -> None:
        """Package directories with __init__.py, a snake_case module per class, marshaller.py."""
        names = zipfile.ZipFile(io.BytesIO(generate("Python36", EC2, builtin_schemas()[EC2])))
        base = "schema/aws/ec2/ec2instancestatechangenotification/"
        assert sorted(names.namelist()) == [
            "schema/__init__.py",
            "schema/aws/__init__.py",
            "schema/aws/ec2/__init__.py",
            base + "__init__.py",
            base + "aws_event.py",
            base + "ec2_instance_state_change_notification.py",
            base + "marshaller.py",
        ]

    def test_python_model_class(self) -> None:
        """_types and _attribute_map as AWS's bindings have them; required setters refuse None."""
        files = source_files("Python36", EC2, builtin_schemas()[EC2])
        base = "schema/aws/ec2/ec2instancestatechangenotification/"
        source = files[base + "ec2_instance_state_change_notification.py"]
        assert "'instance_id': 'str'" in source
        assert "'instance_id': 'instance-id'" in source
        assert "must not be `None`" in source
        event = files[base + "aws_event.py"]
        assert "'detail_type': 'detail-type'" in event
        assert "'time': 'datetime'" in event
        assert "'detail': 'EC2InstanceStateChangeNotification'" in event

    @pytest.mark.parametrize(
        ("language", "expected"),
        [
            ("Java8", "marshaller/Marshaller.java"),
            ("TypeScript3", "Marshaller.ts"),
            ("Go1", "marshaller.go"),
        ],
    )
    def test_other_layouts(self, language: str, expected: str) -> None:
        """Each language puts its files under the schema's package directory."""
        files = source_files(language, EC2, builtin_schemas()[EC2])
        base = "schema/aws/ec2/ec2instancestatechangenotification/"
        assert base + expected in files
        assert all(p.startswith(base) for p in files)

    def test_archive_is_deterministic(self) -> None:
        """The same schema gives the same bytes."""
        document = builtin_schemas()[EC2]
        assert generate("Go1", EC2, document) == generate("Go1", EC2, document)

    def test_names(self) -> None:
        """Package parts of partner and custom schemas; snake_case of AWS's keys."""
        assert package_parts("aws.partner-saas.com/123@Order Placed") == [
            "schema",
            "aws",
            "partner",
            "saas_com_123",
            "order_placed",
        ]
        assert snake_case("EC2InstanceId") == "ec2_instance_id"
        assert snake_case("class") == "class_"


class TestPython:
    @pytest.mark.parametrize("name", sorted(SAMPLES))
    def test_builtin_round_trip(self, python_dir: Path, name: str) -> None:
        """Every aws.events schema's binding imports and round-trips its sample events."""
        package = import_binding(python_dir, name, builtin_schemas()[name])
        for event in SAMPLES[name]:
            model = package.Marshaller.unmarshall(event, package.AWSEvent)
            assert package.Marshaller.marshall(model) == without_nulls(event)

    def test_handler_style_use(self, python_dir: Path) -> None:
        """The SAM handler idiom: unmarshall, read the detail, change it, marshall."""
        package = import_binding(python_dir, EC2, builtin_schemas()[EC2])
        event = SAMPLES[EC2][0]
        aws_event = package.Marshaller.unmarshall(event, package.AWSEvent)
        detail = aws_event.detail
        assert detail.instance_id == "i-abcd1111"
        assert aws_event.time.year == 2019
        detail.state = "running"
        assert package.Marshaller.marshall(aws_event)["detail"]["state"] == "running"
        with pytest.raises(ValueError, match="must not be `None`"):
            detail.state = None
        assert "instance_id" in repr(detail)
        assert detail == package.Marshaller.unmarshall(
            package.Marshaller.marshall(detail), type(detail)
        )


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=shapes.shaped_events())
def test_python_round_trips_random_events(
    python_dir: Path, case: tuple[Any, list[dict[str, Any]]]
) -> None:
    """The generated Python round-trips random events of the schema's shape."""
    _, events = case
    package = import_binding(python_dir, "com.shop@OrderPlaced", infer(events))
    for event in events:
        model = package.Marshaller.unmarshall(event, package.AWSEvent)
        assert package.Marshaller.marshall(model) == event


_TOKEN = re.compile(
    r"""\s+|//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`"""
    r"""|[A-Za-z_$][\w$]*|\d+(?:\.\d+)?|=>|[{}()\[\]<>;:,.?!=&|+\-*/%@#]""",
    re.DOTALL,
)
_PAIRS = {"}": "{", ")": "(", "]": "["}


def lexical_problems(source: str) -> list[str]:
    """Where `source` breaks C-family lexical rules: unknown characters, unclosed strings,
    unbalanced brackets."""
    problems: list[str] = []
    stack: list[str] = []
    at = 0
    while at < len(source):
        found = _TOKEN.match(source, at)
        if found is None:
            problems.append(f"bad character {source[at]!r} at {at}")
            at += 1
            continue
        token = found.group()
        if token in "{([" and len(token) == 1:
            stack.append(token)
        elif token in _PAIRS and (not stack or stack.pop() != _PAIRS[token]):
            problems.append(f"unbalanced {token!r} at {at}")
        at = found.end()
    if stack:
        problems.append(f"unclosed {stack}")
    return problems


class TestOtherLanguages:
    @pytest.mark.parametrize("language", ["TypeScript3", "Go1", "Java8"])
    @pytest.mark.parametrize("name", [EC2, ALARM, "aws.logs@AWSAPICallViaCloudTrail"])
    def test_lexically_well_formed(self, language: str, name: str) -> None:
        """Every generated file tokenizes with balanced brackets."""
        for path, source in source_files(language, name, builtin_schemas()[name]).items():
            assert lexical_problems(source) == [], path

    def test_lexer_finds_problems(self) -> None:
        """The lexical check is not vacuous."""
        assert lexical_problems("class A { f(: }") != []
        assert lexical_problems('let s = "open') != []

    def test_go_struct(self) -> None:
        """Go: package per schema, exported fields with json tags, encoding/json marshaller."""
        files = source_files("Go1", EC2, builtin_schemas()[EC2])
        base = "schema/aws/ec2/ec2instancestatechangenotification/"
        struct = files[base + "EC2InstanceStateChangeNotification.go"]
        assert struct.startswith("package ec2instancestatechangenotification\n")
        assert '\tInstanceId string "json:\\"instance-id\\""' in struct
        marshaller = files[base + "marshaller.go"]
        assert "func UnmarshalEvent(inputJSON []byte) (AWSEvent, error)" in marshaller
        assert '"json:\\"time\\""' in files[base + "AWSEvent.go"]

    def test_typescript_class(self) -> None:
        """TypeScript: a class per model with quoted, typed keys and an attributeTypeMap."""
        files = source_files("TypeScript3", ALARM, builtin_schemas()[ALARM])
        base = "schema/aws/cloudwatch/cloudwatchalarmstatechange/"
        event = files[base + "AWSEvent.ts"]
        assert "export class AWSEvent {" in event
        assert '"detail-type": string;' in event
        assert '"time": Date;' in event
        assert "import { CloudWatchAlarmStateChange } from './CloudWatchAlarmStateChange';" in event

    @pytest.mark.skipif(shutil.which("javac") is None, reason="javac is not installed")
    def test_java_compiles(self, tmp_path: Path) -> None:
        """The Java binding (of a schema with nested objects and arrays) compiles with javac."""
        files = source_files("Java8", ALARM, builtin_schemas()[ALARM])
        for path, source in files.items():
            target = tmp_path / "src" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source)
        sources = [str(tmp_path / "src" / p) for p in files]
        result = subprocess.run(
            ["javac", "-d", str(tmp_path / "out"), *sources],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr

    @pytest.mark.skipif(shutil.which("go") is None, reason="go is not installed")
    def test_go_compiles(self, tmp_path: Path) -> None:
        """The Go binding builds."""
        files = source_files("Go1", ALARM, builtin_schemas()[ALARM])
        for path, source in files.items():
            target = tmp_path / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source)
        (tmp_path / "go.mod").write_text("module example.com/binding\n\ngo 1.18\n")
        result = subprocess.run(
            ["go", "build", "./..."], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr

    @pytest.mark.skipif(shutil.which("tsc") is None, reason="tsc is not installed")
    def test_typescript_compiles(self, tmp_path: Path) -> None:
        """The TypeScript binding type-checks."""
        files = source_files("TypeScript3", ALARM, builtin_schemas()[ALARM])
        for path, source in files.items():
            target = tmp_path / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source)
        result = subprocess.run(
            ["tsc", "--noEmit", "--target", "es2017", *[str(tmp_path / p) for p in files]],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout
