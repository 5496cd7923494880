"""The CloudWatch agent's JSON configuration, parsed and checked: a pure module.

`parse_config` turns the agent's configuration file (text or a dict) into a
frozen `AgentConfig` (each collect_list ``timestamp_format`` compiled by
`awsmon.neighbours.ec2.agent.timestamp_format`). Nothing here touches the clock
or a service.

Errors are `AgentConfigError`, worded as the agent's configuration
translator words its schema errors: ``Under path : /metrics/metrics_collected/mem
| Error : measurement is required``.

>>> mem = {"mem": {"measurement": ["used_percent"]}}
>>> config = parse_config({"metrics": {"metrics_collected": mem}})
>>> config.metrics.namespace, [m.metric_name for m in config.metrics.plugins[0].measurements]
('CWAgent', ['mem_used_percent'])
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from attrs import frozen

from awsmon import jsondoc
from awsmon.cloudwatch import StandardUnit
from awsmon.linear_regex import RegexError, UserRegex, compile_regex
from awsmon.neighbours.ec2.agent.timestamp_format import TimestampFormat, compile_timestamp_format
from awsmon.neighbours.ec2.errors import AgentConfigError

__all__ = [
    "MEASUREMENTS",
    "RETENTION_DAYS",
    "AgentConfig",
    "FileConfig",
    "LogsConfig",
    "Measurement",
    "MetricsConfig",
    "PluginConfig",
    "parse_config",
]


_NETSTAT = (
    "tcp_close", "tcp_close_wait", "tcp_closing", "tcp_established", "tcp_fin_wait1",
    "tcp_fin_wait2", "tcp_last_ack", "tcp_listen", "tcp_none", "tcp_syn_sent", "tcp_syn_recv",
    "tcp_time_wait", "udp_socket",
)  # fmt: skip
_PROCESSES = (
    "blocked", "dead", "idle", "paging", "running", "sleeping", "stopped", "total",
    "total_threads", "wait", "zombies",
)  # fmt: skip
#: Linux plugins → their measurements and units (the CloudWatch user guide's tables).
MEASUREMENTS: dict[str, dict[str, str]] = {
    "cpu": {
        **{f"time_{m}": "None" for m in (
            "active", "guest", "guest_nice", "idle", "iowait", "irq", "nice", "softirq",
            "steal", "system", "user")},
        **{f"usage_{m}": "Percent" for m in (
            "active", "guest", "guest_nice", "idle", "iowait", "irq", "nice", "softirq",
            "steal", "system", "user")},
    },
    "disk": {
        "free": "Bytes", "total": "Bytes", "used": "Bytes", "used_percent": "Percent",
        "inodes_free": "Count", "inodes_used": "Count", "inodes_total": "Count",
    },
    "diskio": {
        "reads": "Count", "writes": "Count", "read_bytes": "Bytes", "write_bytes": "Bytes",
        "read_time": "Milliseconds", "write_time": "Milliseconds", "io_time": "Milliseconds",
        "iops_in_progress": "Count",
    },
    "swap": {"free": "Bytes", "used": "Bytes", "used_percent": "Percent"},
    "mem": {
        "active": "Bytes", "available": "Bytes", "available_percent": "Percent",
        "buffered": "Bytes", "cached": "Bytes", "free": "Bytes", "inactive": "Bytes",
        "total": "Bytes", "used": "Bytes", "used_percent": "Percent",
    },
    "net": {
        "bytes_sent": "Bytes", "bytes_recv": "Bytes", "drop_in": "Count", "drop_out": "Count",
        "err_in": "Count", "err_out": "Count", "packets_sent": "Count", "packets_recv": "Count",
    },
    "netstat": dict.fromkeys(_NETSTAT, "Count"),
    "processes": dict.fromkeys(_PROCESSES, "Count"),
}  # fmt: skip
#: Plugins the agent accepts whose metrics awsmon does not simulate.
OTHER_PLUGINS = frozenset({"collectd", "statsd", "procstat", "ethtool", "nvidia_gpu", "emf"})
#: The only append_dimensions the metrics section honours, with their values.
APPEND_DIMENSIONS = {
    "ImageId": "${aws:ImageId}",
    "InstanceId": "${aws:InstanceId}",
    "InstanceType": "${aws:InstanceType}",
    "AutoScalingGroupName": "${aws:AutoScalingGroupName}",
}
#: retention_in_days values the agent accepts (-1: never expire).
RETENTION_DAYS = frozenset(
    {-1, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
     2557, 2922, 3288, 3653}
)  # fmt: skip
_UNITS = frozenset(unit.value for unit in StandardUnit)
_GROUP_NAME = re.compile(
    r"(?:[a-zA-Z0-9_\-/.#]|\{(?:instance_id|hostname|local_hostname|ip_address)\})+"
)


@frozen
class Measurement:
    """One measurement of a plugin: its metric name, published name and unit."""

    plugin: str
    name: str
    rename: str | None = None
    unit: str | None = None

    @property
    def metric_name(self) -> str:
        """The CWAgent metric name: the rename, else ``<plugin>_<measurement>``."""
        return self.rename or f"{self.plugin}_{self.name}"

    @property
    def standard_unit(self) -> str:
        """The unit given, else the plugin's default for the measurement."""
        return self.unit or MEASUREMENTS.get(self.plugin, {}).get(self.name, "None")

    @property
    def known(self) -> bool:
        """True when awsmon simulates this measurement."""
        return self.name in MEASUREMENTS.get(self.plugin, {})


@frozen(kw_only=True)
class PluginConfig:
    """One section of ``metrics_collected`` (``cpu``, ``mem``, ``disk`` ...)."""

    name: str
    measurements: tuple[Measurement, ...]
    interval: int
    resources: tuple[str, ...] = ()
    totalcpu: bool = True
    append_dimensions: Mapping[str, str] = {}
    drop_device: bool = False


@frozen(kw_only=True)
class MetricsConfig:
    """The ``metrics`` section."""

    namespace: str = "CWAgent"
    append_dimensions: Mapping[str, str] = {}
    aggregation_dimensions: tuple[tuple[str, ...], ...] = ()
    plugins: tuple[PluginConfig, ...] = ()
    force_flush_interval: int = 60


@frozen(kw_only=True)
class FileConfig:
    """One ``collect_list`` entry of ``logs_collected.files``."""

    file_path: str
    log_group_name: str
    log_stream_name: str
    retention_in_days: int | None = None
    filters: tuple[tuple[str, UserRegex], ...] = ()
    timezone: str = "Local"
    timestamp_format: TimestampFormat | None = None
    multi_line_start_pattern: UserRegex | re.Pattern[str] | None = None
    encoding: str = "utf-8"
    auto_removal: bool = False

    def accepts(self, message: str) -> bool:
        """True when `message` passes every include/exclude filter, in order."""
        for kind, expression in self.filters:
            found = expression.search(message) is not None
            if found != (kind == "include"):
                return False
        return True

    def starts_event(self, line: str) -> bool:
        """True when `line` begins a new (multi-line) event."""
        if self.multi_line_start_pattern is None:
            return bool(line) and not line[0].isspace()
        return self.multi_line_start_pattern.search(line) is not None


@frozen(kw_only=True)
class LogsConfig:
    """The ``logs`` section."""

    files: tuple[FileConfig, ...] = ()
    log_stream_name: str = "{instance_id}"
    force_flush_interval: int = 5
    emf: bool = False


@frozen(kw_only=True)
class AgentConfig:
    """The whole configuration: the agent, metrics and logs sections."""

    interval: int = 60
    omit_hostname: bool = False
    region: str | None = None
    run_as_user: str = "root"
    metrics: MetricsConfig | None = None
    logs: LogsConfig | None = None


# -- parsing --------------------------------------------------------------------------------


def parse_config(config: str | Mapping[str, Any]) -> AgentConfig:
    """Parse and check the agent configuration (JSON text or the decoded dict).

    Raises:
        AgentConfigError: invalid JSON, an unknown section, or a value breaking
            the agent's schema (see the module for the wording).
    """
    if isinstance(config, str):
        try:
            data = jsondoc.loads(config)
        except json.JSONDecodeError as exc:
            raise AgentConfigError(
                f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
    else:
        data = config
    _object(data, "/")
    _only(data, "/", {"agent", "metrics", "logs", "traces", "csm"})
    if "metrics" not in data and "logs" not in data:
        raise AgentConfigError("Must validate at least one schema (anyOf): metrics or logs")
    agent = _object(data.get("agent", {}), "/agent")
    interval = _integer(agent, "metrics_collection_interval", "/agent", 60, minimum=1)
    omit = _boolean(agent, "omit_hostname", "/agent", False)
    return AgentConfig(
        interval=interval,
        omit_hostname=omit,
        region=agent.get("region"),
        run_as_user=str(agent.get("run_as_user", "root")),
        metrics=_metrics(data["metrics"], interval) if "metrics" in data else None,
        logs=_logs(data["logs"]) if "logs" in data else None,
    )


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise AgentConfigError(f"Invalid type. Expected: object, given: {_kind(value)}", path)
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return {int: "integer", float: "number", str: "string", list: "array"}.get(type(value), "null")


def _only(section: Mapping[str, Any], path: str, allowed: set[str]) -> None:
    for key in section:
        if key not in allowed:
            raise AgentConfigError(f"Additional property {key} is not allowed", path)


def _integer(section: Mapping[str, Any], key: str, path: str, default: int, *, minimum: int) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AgentConfigError(
            f"Invalid type. Expected: integer, given: {_kind(value)}", f"{path}/{key}"
        )
    if value < minimum:
        raise AgentConfigError(f"Must be greater than or equal to {minimum}", f"{path}/{key}")
    return value


def _boolean(section: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
    value = section.get(key, default)
    if not isinstance(value, bool):
        raise AgentConfigError(
            f"Invalid type. Expected: boolean, given: {_kind(value)}", f"{path}/{key}"
        )
    return value


def _strings(value: Any, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AgentConfigError("Invalid type. Expected: array of strings", path)
    return tuple(value)


def _metrics(section: Any, interval: int) -> MetricsConfig:
    path = "/metrics"
    _object(section, path)
    namespace = section.get("namespace", "CWAgent")
    if not isinstance(namespace, str) or not 1 <= len(namespace) <= 255:
        raise AgentConfigError("String length must be between 1 and 255", f"{path}/namespace")
    append = _object(section.get("append_dimensions", {}), f"{path}/append_dimensions")
    honoured = {k: v for k, v in append.items() if APPEND_DIMENSIONS.get(k) == v}
    aggregation = section.get("aggregation_dimensions", [])
    if not isinstance(aggregation, list):
        raise AgentConfigError("Invalid type. Expected: array", f"{path}/aggregation_dimensions")
    rollups = tuple(
        _strings(entry, f"{path}/aggregation_dimensions/{i}") for i, entry in enumerate(aggregation)
    )
    if "metrics_collected" not in section:
        raise AgentConfigError("metrics_collected is required", path)
    collected = _object(section["metrics_collected"], f"{path}/metrics_collected")
    plugins = []
    for name, plugin in collected.items():
        where = f"{path}/metrics_collected/{name}"
        if name not in MEASUREMENTS and name not in OTHER_PLUGINS:
            raise AgentConfigError(
                f"Additional property {name} is not allowed", f"{path}/metrics_collected"
            )
        if name in MEASUREMENTS:
            plugins.append(_plugin(name, _object(plugin, where), where, interval))
    return MetricsConfig(
        namespace=namespace,
        append_dimensions=honoured,
        aggregation_dimensions=rollups,
        plugins=tuple(plugins),
        force_flush_interval=_integer(section, "force_flush_interval", path, 60, minimum=1),
    )


def _plugin(name: str, section: Mapping[str, Any], path: str, interval: int) -> PluginConfig:
    if "measurement" not in section:
        raise AgentConfigError("measurement is required", path)
    raw = section["measurement"]
    if not isinstance(raw, list) or not raw:
        raise AgentConfigError("Array must have at least 1 items", f"{path}/measurement")
    measurements = []
    for index, entry in enumerate(raw):
        where = f"{path}/measurement/{index}"
        if isinstance(entry, str):
            measurements.append(Measurement(name, _short(name, entry)))
            continue
        item = _object(entry, where)
        if not isinstance(item.get("name"), str):
            raise AgentConfigError("name is required", where)
        unit = item.get("unit")
        if unit is not None and unit not in _UNITS:
            raise AgentConfigError(f"unit {unit!r} is not a CloudWatch unit", f"{where}/unit")
        measurements.append(Measurement(name, _short(name, item["name"]), item.get("rename"), unit))
    resources = _strings(section.get("resources", []), f"{path}/resources")
    totalcpu = _boolean(section, "totalcpu", path, True)
    if name == "cpu":
        if resources and resources != ("*",):
            raise AgentConfigError('only "*" is allowed in cpu resources', f"{path}/resources")
        if not resources and not totalcpu:
            raise AgentConfigError("cpu needs resources or totalcpu", path)
    extra = _object(section.get("append_dimensions", {}), f"{path}/append_dimensions")
    return PluginConfig(
        name=name,
        measurements=tuple(measurements),
        interval=_integer(section, "metrics_collection_interval", path, interval, minimum=1),
        resources=resources,
        totalcpu=totalcpu,
        append_dimensions={str(k): str(v) for k, v in extra.items()},
        drop_device=_boolean(section, "drop_device", path, False),
    )


def _short(plugin: str, name: str) -> str:
    """``mem_used_percent`` and ``used_percent`` both name the measurement ``used_percent``."""
    prefix = plugin + "_"
    return name[len(prefix) :] if name.startswith(prefix) else name


def _logs(section: Any) -> LogsConfig:
    path = "/logs"
    _object(section, path)
    collected = _object(section.get("logs_collected", {}), f"{path}/logs_collected")
    stream = section.get("log_stream_name", "{instance_id}")
    metrics_collected = _object(section.get("metrics_collected", {}), f"{path}/metrics_collected")
    files = _object(collected.get("files", {}), f"{path}/logs_collected/files")
    entries = files.get("collect_list", [])
    if not isinstance(entries, list):
        raise AgentConfigError(
            "Invalid type. Expected: array", f"{path}/logs_collected/files/collect_list"
        )
    parsed = tuple(
        _file(_object(e, f"{path}/logs_collected/files/collect_list/{i}"),
              f"{path}/logs_collected/files/collect_list/{i}", stream)
        for i, e in enumerate(entries)
    )  # fmt: skip
    _check_retention_conflicts(parsed)
    return LogsConfig(
        files=parsed,
        log_stream_name=stream,
        force_flush_interval=_integer(section, "force_flush_interval", path, 5, minimum=1),
        emf="emf" in metrics_collected or "emf" in collected,
    )


def _file(entry: Mapping[str, Any], path: str, default_stream: str) -> FileConfig:
    file_path = entry.get("file_path")
    if not isinstance(file_path, str) or not file_path:
        raise AgentConfigError("file_path is required", path)
    group = entry.get("log_group_name")
    if group is None:
        base = file_path.rsplit("/", 1)[-1]
        group = file_path[: file_path.rindex(".")] if "." in base else file_path
    if not isinstance(group, str) or not _GROUP_NAME.fullmatch(group):
        raise AgentConfigError(
            "log_group_name may hold only a-z, A-Z, 0-9, _ - / . and {instance_id}, {hostname}, "
            "{local_hostname}, {ip_address}",
            f"{path}/log_group_name",
        )
    retention = entry.get("retention_in_days")
    if retention is not None and retention not in RETENTION_DAYS:
        raise AgentConfigError(
            f"retention_in_days {retention!r} is not one of the allowed values",
            f"{path}/retention_in_days",
        )
    filters = []
    for index, item in enumerate(entry.get("filters", [])):
        where = f"{path}/filters/{index}"
        _object(item, where)
        if item.get("type") not in ("include", "exclude"):
            raise AgentConfigError('type must be "include" or "exclude"', f"{where}/type")
        filters.append((item["type"], _regex(item.get("expression"), f"{where}/expression")))
    fmt = entry.get("timestamp_format")
    compiled = compile_timestamp_format(fmt, f"{path}/timestamp_format") if fmt else None
    start = entry.get("multi_line_start_pattern")
    if start == "{timestamp_format}":
        if compiled is None:
            raise AgentConfigError(
                "{timestamp_format} needs a timestamp_format", f"{path}/multi_line_start_pattern"
            )
        start_pattern: UserRegex | re.Pattern[str] | None = compiled.regex
    else:
        start_pattern = _regex(start, f"{path}/multi_line_start_pattern") if start else None
    zone = entry.get("timezone", "Local")
    if zone not in ("UTC", "Local"):
        raise AgentConfigError('timezone must be "UTC" or "Local"', f"{path}/timezone")
    return FileConfig(
        file_path=file_path,
        log_group_name=group,
        log_stream_name=str(entry.get("log_stream_name", default_stream)),
        retention_in_days=retention,
        filters=tuple(filters),
        timezone=zone,
        timestamp_format=compiled,
        multi_line_start_pattern=start_pattern,
        encoding=str(entry.get("encoding", "utf-8")),
        auto_removal=bool(entry.get("auto_removal", False)),
    )


def _regex(value: Any, path: str) -> UserRegex:
    """A user regex of the configuration (RE2 syntax: the agent is Go), compiled linear-time.

    RE2 runs it when installed, else `re` after `awsmon.linear_regex`'s shape
    check; back-references and look-around are refused either way, as Go does.
    """
    if not isinstance(value, str):
        raise AgentConfigError("a regular expression (string) is required", path)
    try:
        return compile_regex(value)
    except RegexError as exc:
        where = "" if exc.position is None else f" at position {exc.position}"
        raise AgentConfigError(f"invalid regular expression{where}: {exc.reason}", path) from None


def _check_retention_conflicts(files: tuple[FileConfig, ...]) -> None:
    seen: dict[str, int] = {}
    for entry in files:
        if entry.retention_in_days is None:
            continue
        known = seen.setdefault(entry.log_group_name, entry.retention_in_days)
        if known != entry.retention_in_days:
            raise AgentConfigError(
                f"log group {entry.log_group_name} has conflicting retention_in_days "
                f"({known} and {entry.retention_in_days})",
                "/logs/logs_collected/files/collect_list",
            )
