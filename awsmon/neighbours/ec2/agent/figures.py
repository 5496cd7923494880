"""What each CloudWatch agent plugin measures on a simulated instance: a pure module.

`plugin_values` gives, for one ``metrics_collected`` plugin and measurement, the
(dimensions, value) pairs the agent publishes at an instant, computed from the
instance's `Workload` and type (memory size, vCPUs). One function per plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Protocol

from awsmon.neighbours.ec2.agent.config import PluginConfig
from awsmon.neighbours.ec2.model import InstanceType, Workload

__all__ = ["plugin_values"]

GIB = 1024**3

Values = Iterator[tuple[dict[str, str], float]]


class Machine(Protocol):
    """What the figures read of the instance: its workload and type."""

    workload: Workload
    type: InstanceType


def plugin_values(
    plugin: PluginConfig, name: str, instance: Machine, at: datetime, interval: int
) -> Values:
    """The (dimensions, value) pairs of `plugin`'s measurement `name` at `at`.

    `interval` is the collection interval in seconds: counters (``diskio``,
    ``net``) cover it, and ``cpu``'s ``time_*`` measurements are CPU-seconds in it.
    Plugins the agent accepts but awsmon does not simulate yield nothing.
    """
    figures = _PLUGINS.get(plugin.name)
    if figures is None:
        return iter(())
    return figures(plugin, name, instance.workload, instance.type, at, interval)


def _cpu(
    plugin: PluginConfig, name: str, work: Workload, kind: InstanceType, at: datetime, interval: int
) -> Values:
    cpu = work.cpu_at(at)
    shares = {"user": 0.7, "system": 0.25, "iowait": 0.05}
    usage = {"active": cpu, "idle": 100.0 - cpu}
    usage.update({k: cpu * v for k, v in shares.items()})
    field = name.split("_", 1)[1]
    percent = usage.get(field, 0.0)
    value = percent if name.startswith("usage_") else percent * interval
    if plugin.totalcpu:
        yield {"cpu": "cpu-total"}, value
    if plugin.resources:
        for core in range(kind.vcpus):
            yield {"cpu": f"cpu{core}"}, value


def _mem(
    plugin: PluginConfig, name: str, work: Workload, kind: InstanceType, at: datetime, interval: int
) -> Values:
    total = float(kind.memory_mib * 1024**2)
    used_pct = min(max(work.value("memory_used_percent", at), 0.0), 100.0)
    used = total * used_pct / 100
    free = total - used
    figures = {
        "total": total, "used": used, "used_percent": used_pct, "free": free * 0.6,
        "available": free, "available_percent": 100.0 - used_pct, "cached": free * 0.3,
        "buffered": free * 0.1, "active": used * 0.8, "inactive": used * 0.2,
    }  # fmt: skip
    yield {}, figures[name]


def _disk(
    plugin: PluginConfig, name: str, work: Workload, kind: InstanceType, at: datetime, interval: int
) -> Values:
    total = 8.0 * GIB
    pct = min(max(work.value("disk_used_percent", at), 0.0), 100.0)
    inodes = 4_194_304.0
    figures = {
        "total": total, "used": total * pct / 100, "free": total * (100 - pct) / 100,
        "used_percent": pct, "inodes_total": inodes, "inodes_used": inodes * pct / 200,
        "inodes_free": inodes * (1 - pct / 200),
    }  # fmt: skip
    for path in plugin.resources if plugin.resources and plugin.resources != ("*",) else ("/",):
        tags = {"path": path, "fstype": "xfs"}
        if not plugin.drop_device:
            tags["device"] = "nvme0n1p1"
        yield tags, figures[name]


def _swap(
    plugin: PluginConfig, name: str, work: Workload, kind: InstanceType, at: datetime, interval: int
) -> Values:
    total = 2.0 * GIB
    pct = min(max(work.value("swap_used_percent", at), 0.0), 100.0)
    figures = {
        "used_percent": pct,
        "used": total * pct / 100,
        "free": total * (100 - pct) / 100,
    }
    yield {}, figures[name]


def _diskio(
    plugin: PluginConfig, name: str, work: Workload, kind: InstanceType, at: datetime, interval: int
) -> Values:
    scale = interval / 60
    figures = {
        "reads": work.value("disk_read_ops", at) * scale,
        "writes": work.value("disk_write_ops", at) * scale,
        "read_bytes": work.value("disk_read_bytes", at) * scale,
        "write_bytes": work.value("disk_write_bytes", at) * scale,
    }
    for device in _devices(plugin, "nvme0n1"):
        yield {"name": device}, figures.get(name, 0.0)


def _net(
    plugin: PluginConfig, name: str, work: Workload, kind: InstanceType, at: datetime, interval: int
) -> Values:
    scale = interval / 60
    figures = {
        "bytes_recv": work.value("network_in", at) * scale,
        "bytes_sent": work.value("network_out", at) * scale,
        "packets_recv": work.value("packets_in", at) * scale,
        "packets_sent": work.value("packets_out", at) * scale,
    }
    for interface in _devices(plugin, "eth0"):
        yield {"interface": interface}, figures.get(name, 0.0)


def _processes(
    plugin: PluginConfig, name: str, work: Workload, kind: InstanceType, at: datetime, interval: int
) -> Values:
    total = float(max(work.value("processes", at), 0.0))
    running = max(1.0, round(work.cpu_at(at) / 100 * kind.vcpus))
    figures = {"total": total, "running": running, "sleeping": max(total - running, 0.0),
               "total_threads": total * 2, "idle": 0.0}  # fmt: skip
    yield {}, figures.get(name, 0.0)


def _netstat(
    plugin: PluginConfig, name: str, work: Workload, kind: InstanceType, at: datetime, interval: int
) -> Values:
    yield {}, {"tcp_established": 8.0, "tcp_listen": 4.0, "tcp_time_wait": 2.0}.get(name, 0.0)


def _devices(plugin: PluginConfig, default: str) -> tuple[str, ...]:
    if not plugin.resources or plugin.resources == ("*",):
        return (default,)
    return plugin.resources


_PLUGINS: dict[
    str, Callable[[PluginConfig, str, Workload, InstanceType, datetime, int], Values]
] = {
    "cpu": _cpu,
    "mem": _mem,
    "disk": _disk,
    "swap": _swap,
    "diskio": _diskio,
    "net": _net,
    "processes": _processes,
    "netstat": _netstat,
}
