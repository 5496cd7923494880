"""CloudWatch alarms: metric and composite alarms, anomaly detectors, their wire API.

Pure modules: `model` (states, operators, `EvaluationConfig`), `rule` (the
composite AlarmRule language), `evaluation` (the alarm algorithm), `window`
(reading an alarm's periods from the store), `reason` (StateReason and its
data), `actions` (action ARNs and the payloads they receive), `config`
(PutMetricAlarm's and PutCompositeAlarm's checks). `records` holds the alarm
entities and history records. The stateful parts sit on top of them.
"""
