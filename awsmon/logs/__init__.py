"""CloudWatch Logs, simulated: log groups, streams, filter patterns and metric filters."""
