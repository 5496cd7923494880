"""CloudWatch metrics: values, the time-indexed store, statistics and GetMetricData.

Modules: `model` (`MetricKey`, `Dimension`, `MetricDatum`, `StatisticSet`,
`StandardUnit`), `store` (`SeriesStore`, epoch helpers, retention roll-ups),
`statistics` (statistic names and values), `queries` (GetMetricData's
`MetricDataQuery`, `MetricStat` and the request that answers them),
`insights` (the Metrics Insights query language, ``SELECT ... FROM ...``).
Nothing here imports the alarms.
"""
