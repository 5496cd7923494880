"""The CloudWatch agent on a simulated EC2 instance.

`CloudWatchAgent` (agent.py) runs a configuration parsed by `parse_config`
(config.py, pure) on one instance; `compile_timestamp_format`
(timestamp_format.py, pure) is the collect_list ``timestamp_format`` language;
`AgentEndpoint` (endpoint.py) is the agent's EMF listener on loopback.
"""

from __future__ import annotations

from awsmon.neighbours.ec2.agent.agent import CloudWatchAgent, Host, ShippedBatch
from awsmon.neighbours.ec2.agent.config import (
    MEASUREMENTS,
    RETENTION_DAYS,
    AgentConfig,
    FileConfig,
    LogsConfig,
    Measurement,
    MetricsConfig,
    PluginConfig,
    parse_config,
)
from awsmon.neighbours.ec2.agent.endpoint import AgentEndpoint
from awsmon.neighbours.ec2.agent.timestamp_format import TimestampFormat, compile_timestamp_format
from awsmon.neighbours.ec2.errors import AgentConfigError

__all__ = [
    "MEASUREMENTS",
    "RETENTION_DAYS",
    "AgentConfig",
    "AgentConfigError",
    "AgentEndpoint",
    "CloudWatchAgent",
    "FileConfig",
    "Host",
    "LogsConfig",
    "Measurement",
    "MetricsConfig",
    "PluginConfig",
    "ShippedBatch",
    "TimestampFormat",
    "compile_timestamp_format",
    "parse_config",
]
