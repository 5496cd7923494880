"""CloudWatch metrics: the metric languages and computations (Metrics Insights for now)."""
