"""CloudWatch Metrics and Alarms, simulated."""
