"""The CloudWatch agent on a simulated EC2 instance: CWAgent metrics and log files to Logs.

`CloudWatchAgent` runs the configuration parsed by
`awsmon.neighbours.ec2.agent.config` on one `Instance`
(``instance.install_agent(config)``):

- **metrics**: each ``metrics_collected`` plugin is collected every
  ``metrics_collection_interval`` seconds (plugin, else agent, default 60)
  at whole multiples of the interval while the instance is running, and
  published to CloudWatch in the configured namespace (``CWAgent``) as
  ``<plugin>_<measurement>`` (or the ``rename``), with the plugin's own
  dimensions (``cpu``, ``path``/``device``/``fstype``, ``name``,
  ``interface``), the ``host`` dimension unless ``omit_hostname`` or
  ``append_dimensions`` is used, the honoured ``append_dimensions``, and one
  more copy per ``aggregation_dimensions`` entry. Intervals under 60 s
  publish high-resolution metrics (StorageResolution 1).
- **logs**: lines written to simulated files (``instance.write_log(path,
  line)``) matching a ``collect_list`` ``file_path`` (glob, ``**`` recursive)
  are grouped into events (``multi_line_start_pattern``), filtered, stamped
  (``timestamp_format``, else the time of writing) and shipped every
  ``force_flush_interval`` seconds (default 5) to the entry's log group and
  stream, created when missing, with ``retention_in_days`` applied.
- **EMF**: with ``logs.metrics_collected.emf`` configured,
  ``instance.emit_emf(document)`` ships an Embedded Metric Format document
  through Logs with EMF extraction on, as the agent's port-25888 endpoint does.

Every value the agent reads comes from the instance's `Workload` and type
(memory size, vCPUs). The agent calls Logs as the instance's role
(``assumed-role/<profile>/<instance-id>``) when it has an instance profile.

Simulation notes: a glob ships every matching file (the agent ships only the
most recently modified one); a pending multi-line event is closed at the
next flush; EMF documents without ``_aws.LogGroupName`` go to the group
``<namespace>-metrics`` of their first metric directive (UNCONFIRMED: the
agent's default is not documented); Windows sections and the collectd,
statsd, procstat, ethtool and nvidia_gpu plugins are accepted but publish nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any, Protocol

from awsmon import jsondoc, registry
from awsmon.arn import partition_for
from awsmon.clock import Job
from awsmon.cloudwatch import MetricKey, StandardUnit, epoch_seconds, from_epoch
from awsmon.errors import NotFound
from awsmon.identity import Principal
from awsmon.neighbours.ec2.agent.config import (
    AgentConfig,
    FileConfig,
    PluginConfig,
    parse_config,
)
from awsmon.neighbours.ec2.agent.endpoint import AgentEndpoint
from awsmon.neighbours.ec2.agent.figures import plugin_values
from awsmon.neighbours.ec2.agent.file_glob import glob_match
from awsmon.neighbours.ec2.errors import AgentConfigError
from awsmon.neighbours.ec2.model import InstanceState, InstanceType, Workload

__all__ = ["CloudWatchAgent", "Host", "ShippedBatch"]


class Host(Protocol):
    """What the agent reads of the instance it runs on (`awsmon.neighbours.ec2.Instance`).

    A protocol, so the instance module, which installs agents, need not be
    imported back by the agent.
    """

    id: str
    image_id: str
    type: InstanceType
    owner_id: str
    region: str
    private_ip: str
    state: InstanceState
    workload: Workload
    group_name: str | None
    iam_instance_profile: str | None
    files: dict[str, list[str]]
    service: Any

    @property
    def private_dns_name(self) -> str:
        """The instance's private DNS name."""


class ShippedBatch:
    """One PutLogEvents call the agent made: group, stream and (timestamp, message) events."""

    def __init__(self, group: str, stream: str, events: list[tuple[datetime, str]]) -> None:
        self.group = group
        self.stream = stream
        self.events = events

    def __repr__(self) -> str:
        return f"<ShippedBatch {self.group}/{self.stream} {len(self.events)} events>"


class CloudWatchAgent:
    """The agent running on one instance (see the module).

    Attributes:
        instance: the instance it runs on.
        config: the parsed configuration.
        shipped: every batch shipped to Logs, oldest first.
        published: how many datapoints it has published.
    """

    def __init__(self, instance: Host, config: str | Mapping[str, Any]) -> None:
        self.instance = instance
        self.config: AgentConfig = parse_config(config)
        self.shipped: list[ShippedBatch] = []
        self.published = 0
        self._jobs: list[Job] = []
        self._offsets: dict[tuple[int, str], int] = {}
        self._open: dict[tuple[int, str], list[str]] = {}
        self._buffer: dict[tuple[str, str, int | None], list[tuple[datetime, str]]] = {}
        self._flush_job: Job | None = None
        self._stopped = False
        clock = instance.service.ctx.clock
        if self.config.metrics is not None:
            for interval in sorted({p.interval for p in self.config.metrics.plugins}):
                now = epoch_seconds(clock.now())
                first = from_epoch(now - now % interval + interval)
                self._jobs.append(
                    clock.call_every(
                        interval,
                        self._collect,
                        interval,
                        first=first,
                        name=f"cwagent {instance.id} every {interval}s",
                    )
                )
        for path in list(instance.files):
            self.file_written(path)

    # -- the EMF endpoint ------------------------------------------------------------------

    def listen(self, host: str = "127.0.0.1", port: int = 25888) -> AgentEndpoint:
        """Serve the agent's EMF endpoint on TCP and UDP `host`:`port` (0: a free port).

        aws-embedded-metrics in its Agent or EC2 environment sends here
        (`awsmon.neighbours.ec2.agent.endpoint`); each document becomes a log
        event of its ``_aws.LogGroupName`` (stream: ``_aws.LogStreamName``,
        else the instance id) with its metrics extracted.

        Raises:
            OSError: the address is taken.
        """
        ctx = self.instance.service.ctx
        return AgentEndpoint.start(self._emf, ctx.clock, ctx.cloud.dispatcher, host, port)

    def _emf(self, group: str, stream: str | None, line: str) -> None:
        now = self.instance.service.ctx.now()
        self._ship(group, stream or self.instance.id, None, [(now, line)], emf=True)

    # -- lifecycle -----------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the agent: no more metrics; buffered log events are shipped first."""
        self._flush()
        for job in self._jobs:
            job.cancel()
        self._jobs.clear()
        self._stopped = True

    def instance_state_changed(self) -> None:
        """Called by EC2 on each transition: the agent dies with a terminated instance."""
        if self.instance.state is InstanceState.TERMINATED:
            self.stop()

    @property
    def running(self) -> bool:
        """True while the agent collects (its instance is running)."""
        return not self._stopped and self.instance.state is InstanceState.RUNNING

    # -- metrics -------------------------------------------------------------------------

    def _collect(self, interval: int) -> None:
        metrics = self.config.metrics
        if metrics is None or not self.running:
            return
        service = self.instance.service
        cloudwatch = _sibling(service, "cloudwatch")
        now = service.ctx.now()
        resolution = 1 if interval < 60 else 60
        for plugin in metrics.plugins:
            if plugin.interval != interval:
                continue
            for measurement in plugin.measurements:
                if not measurement.known:
                    continue
                unit = StandardUnit(measurement.standard_unit)
                for tags, value in plugin_values(
                    plugin, measurement.name, self.instance, now, interval
                ):
                    for key in self._keys(plugin, measurement.metric_name, tags):
                        self.published += 1
                        if cloudwatch is not None:
                            cloudwatch.publish(
                                key, [(now, value)], unit=unit, storage_resolution=resolution
                            )

    def _dimensions(self, plugin: PluginConfig, tags: Mapping[str, str]) -> dict[str, str]:
        assert self.config.metrics is not None
        instance = self.instance
        dims: dict[str, str] = {}
        append = self.config.metrics.append_dimensions
        if not self.config.omit_hostname and not append:
            dims["host"] = instance.private_dns_name
        dims.update(tags)
        dims.update(plugin.append_dimensions)
        facts = {
            "ImageId": instance.image_id,
            "InstanceId": instance.id,
            "InstanceType": instance.type.name,
            "AutoScalingGroupName": instance.group_name,
        }
        for name in append:
            value = facts.get(name)
            if value:
                dims[name] = value
        return dims

    def _keys(
        self, plugin: PluginConfig, name: str, tags: Mapping[str, str]
    ) -> Iterator[MetricKey]:
        assert self.config.metrics is not None
        namespace = self.config.metrics.namespace
        dims = self._dimensions(plugin, tags)
        yield MetricKey.of(namespace, name, dims)
        for rollup in self.config.metrics.aggregation_dimensions:
            if all(d in dims for d in rollup) and set(rollup) != set(dims):
                yield MetricKey.of(namespace, name, {d: dims[d] for d in rollup})

    # -- logs ------------------------------------------------------------------------------

    def file_written(self, path: str) -> None:
        """Called when a simulated file grows: read the new lines of every entry tailing it."""
        logs = self.config.logs
        if logs is None or self._stopped:
            return
        lines = self.instance.files.get(path, [])
        for index, entry in enumerate(logs.files):
            if not glob_match(entry.file_path, path):
                continue
            key = (index, path)
            start = self._offsets.get(key, 0)
            self._offsets[key] = len(lines)
            for line in lines[start:]:
                self._take_line(entry, key, line)
        if self._buffer or self._open:
            self._schedule_flush()

    def _take_line(self, entry: FileConfig, key: tuple[int, str], line: str) -> None:
        current = self._open.get(key)
        if current is not None and not entry.starts_event(line):
            current.append(line)
            return
        if current is not None:
            self._emit(entry, "\n".join(current))
        self._open[key] = [line]

    def _emit(self, entry: FileConfig, message: str) -> None:
        if not message or not entry.accepts(message):
            return
        now = self.instance.service.ctx.now()
        stamp = now
        if entry.timestamp_format is not None:
            found = entry.timestamp_format.parse(message, year=now.year, local=UTC)
            stamp = found or now
        group = self._substitute(entry.log_group_name)
        stream = self._substitute(entry.log_stream_name)
        self._buffer.setdefault((group, stream, entry.retention_in_days), []).append(
            (stamp, message)
        )

    def _substitute(self, text: str) -> str:
        instance = self.instance
        host = instance.private_dns_name
        return (
            text.replace("{instance_id}", instance.id)
            .replace("{hostname}", host)
            .replace("{local_hostname}", host.split(".")[0])
            .replace("{ip_address}", instance.private_ip)
        )

    def _schedule_flush(self) -> None:
        if self._flush_job is not None and not self._flush_job.cancelled:
            return
        assert self.config.logs is not None
        clock = self.instance.service.ctx.clock
        self._flush_job = clock.call_later(
            self.config.logs.force_flush_interval,
            self._flush,
            name=f"cwagent {self.instance.id} flush",
        )

    def _flush(self) -> None:
        self._flush_job = None
        logs = self.config.logs
        if logs is not None:
            for (index, _path), lines in list(self._open.items()):
                self._emit(logs.files[index], "\n".join(lines))
            self._open.clear()
        buffered, self._buffer = self._buffer, {}
        for (group, stream, retention), events in buffered.items():
            events.sort(key=lambda event: event[0])
            self._ship(group, stream, retention, events, emf=False)

    def _ship(
        self,
        group: str,
        stream: str,
        retention: int | None,
        events: list[tuple[datetime, str]],
        *,
        emf: bool,
    ) -> None:
        self.shipped.append(ShippedBatch(group, stream, events))
        service = _sibling(self.instance.service, "logs")
        if service is None or not events:
            return
        with self._as_instance_role():
            try:
                service.log_group(group)
            except NotFound:
                service.create_log_group(group)
                if retention is not None and retention > 0:
                    service.put_retention_policy(group, retention)
            else:
                if retention is not None and retention > 0:
                    service.put_retention_policy(group, retention)
            try:
                service.log_stream(service.log_group(group), stream)
            except NotFound:
                service.create_log_stream(group, stream)
            for start in range(0, len(events), 10_000):
                service.put_log_events(group, stream, events[start : start + 10_000], emf=emf)

    def _as_instance_role(self) -> AbstractContextManager[object]:
        instance = self.instance
        profile = instance.iam_instance_profile
        if not profile:
            return nullcontext()
        role = profile.rsplit("/", 1)[-1]
        partition = partition_for(instance.region)
        arn = f"arn:{partition}:sts::{instance.owner_id}:assumed-role/{role}/{instance.id}"
        context: AbstractContextManager[object] = instance.service.ctx.as_principal(
            Principal.from_arn(arn)
        )
        return context

    # -- EMF -----------------------------------------------------------------------------

    def emf(self, document: str | Mapping[str, Any]) -> None:
        """Ship one EMF document (JSON text or dict) with metric extraction on.

        Raises:
            AgentConfigError: the configuration does not collect EMF, or the
                document is not a JSON object.
        """
        logs = self.config.logs
        if logs is None or not logs.emf:
            raise AgentConfigError(
                "EMF is not collected: add logs.metrics_collected.emf to the configuration",
                "/logs/metrics_collected",
            )
        text = document if isinstance(document, str) else json.dumps(document)
        try:
            parsed = jsondoc.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, dict):
            raise AgentConfigError("an EMF document is a JSON object", "/")
        found = parsed.get("_aws")
        meta: dict[str, Any] = found if isinstance(found, dict) else {}
        directives = meta.get("CloudWatchMetrics") or [{}]
        namespace = (directives[0] or {}).get("Namespace", "aws-embedded-metrics")
        group = str(meta.get("LogGroupName") or f"{namespace}-metrics")
        stream = str(meta.get("LogStreamName") or self.instance.id)
        now = self.instance.service.ctx.now()
        self._ship(group, stream, None, [(now, text)], emf=True)


def _sibling(service: Any, name: str) -> Any:
    try:
        registry.spec(name)
    except KeyError:
        return None
    return service.ctx.sibling(name)
