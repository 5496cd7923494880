"""Writes the teaching notebooks of examples/notebooks/ from the cells below.

Run: ``python examples/notebooks/build.py`` after editing a lesson here; the
test suite executes every ``.ipynb`` from a clean kernel (tests/test_notebooks.py).
Each notebook is an exercise: a setup cell, the learner's cell (holding a
working answer to edit or break), and a check cell that says what is right or
wrong in the learner's setup and fails when something is wrong.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''from datetime import timedelta

from awsmon import Cloud

cloud = Cloud(seed=1)  # a fresh simulated cloud; time moves only with cloud.clock.advance
problems: list[str] = []


def check(ok: bool, right: str, wrong: str) -> None:
    """Say what is right or wrong in the setup."""
    print(("right: " + right) if ok else ("WRONG: " + wrong))
    if not ok:
        problems.append(wrong)'''

VERDICT = '''print("All good!" if not problems else f"{len(problems)} thing(s) to fix")
assert not problems, problems'''
#: SETUP for lessons that write JSON documents.
SETUP_JSON = "import json\n" + SETUP

LESSONS: dict[str, list[tuple[str, str]]] = {}

LESSONS["01_metrics_and_dimensions"] = [
    ("md", """# Metrics and dimensions

A CloudWatch metric is named by its **namespace**, its **name** and its
**dimensions**. Each distinct combination of dimensions is a separate metric:
CloudWatch does not add them up for you.

**Exercise.** Publish the `Latency` of the `Shop` namespace for two APIs,
`Api=checkout` (120 ms) and `Api=search` (40 ms), every minute for 5 minutes."""),
    ("code", SETUP),
    ("code", '''# Your setup: edit this cell.
cw = cloud.client("cloudwatch")
for _ in range(5):
    for api, latency in (("checkout", 120), ("search", 40)):
        cw.put_metric_data(
            Namespace="Shop",
            MetricData=[{"MetricName": "Latency", "Unit": "Milliseconds", "Value": latency,
                         "Dimensions": [{"Name": "Api", "Value": api}]}],
        )
    cloud.clock.advance(timedelta(minutes=1))'''),
    ("md", "**Check.** Two metrics should exist, and asking without dimensions finds no data."),
    ("code", '''metrics = cw.list_metrics(Namespace="Shop", MetricName="Latency")["Metrics"]
apis = sorted(d["Value"] for m in metrics for d in m["Dimensions"] if d["Name"] == "Api")
check(apis == ["checkout", "search"], "one metric per Api value",
      f"expected metrics for Api=checkout and Api=search, found {apis}")
window = {"StartTime": cloud.clock.now() - timedelta(minutes=10), "EndTime": cloud.clock.now(),
          "Period": 600, "Statistics": ["Average"]}
plain = cw.get_metric_statistics(Namespace="Shop", MetricName="Latency", **window)
check(plain["Datapoints"] == [], "no dimensions = another metric, with no data",
      "data published without dimensions: every datapoint needs its Api dimension")
window["Statistics"] = ["SampleCount"]
checkout = cw.get_metric_statistics(Namespace="Shop", MetricName="Latency",
                                    Dimensions=[{"Name": "Api", "Value": "checkout"}], **window)
samples = sum(p["SampleCount"] for p in checkout["Datapoints"])
check(samples == 5, "checkout has 5 samples", f"checkout should have 5 samples, has {samples}")
''' + VERDICT),
]

LESSONS["02_basic_vs_detailed_monitoring"] = [
    ("md", """# Basic vs detailed monitoring (EC2)

With **basic monitoring** EC2 sends its `AWS/EC2` metrics every 5 minutes; with
**detailed monitoring** every minute. A one-minute alarm on a basic instance
sees a datapoint only one period in five.

**Exercise.** The instance below runs with basic monitoring. Turn detailed
monitoring on, so that a 10-minute window holds 10 one-minute datapoints."""),
    ("code", SETUP + '''

ec2 = cloud.client("ec2")
instance_id = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1,
                                InstanceType="t3.micro")["Instances"][0]["InstanceId"]
cloud.ec2.instance(instance_id).set_workload(cpu=35.0)'''),
    ("code", '''# Your setup: edit this cell.
ec2.monitor_instances(InstanceIds=[instance_id])'''),
    ("code", '''cloud.clock.advance(timedelta(minutes=2))  # detailed monitoring starts next minute
start = cloud.clock.now()
cloud.clock.advance(timedelta(minutes=10))
answer = cloud.client("cloudwatch").get_metric_statistics(
    Namespace="AWS/EC2", MetricName="CPUUtilization",
    Dimensions=[{"Name": "InstanceId", "Value": instance_id}],
    StartTime=start, EndTime=cloud.clock.now(), Period=60, Statistics=["Average"])
count = len(answer["Datapoints"])
state = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
check(state["Monitoring"]["State"] == "enabled", "detailed monitoring is enabled",
      f"monitoring is {state['Monitoring']['State']}: call monitor_instances")
check(count >= 10, f"{count} one-minute datapoints in 10 minutes",
      f"only {count} one-minute datapoints in 10 minutes (basic monitoring gives 2)")
''' + VERDICT),
]

LESSONS["03_custom_high_resolution_metrics"] = [
    ("md", """# Custom and high-resolution metrics

A custom metric is stored at one-minute resolution unless you publish it with
`StorageResolution=1`: then CloudWatch keeps one-second datapoints (for 3
hours) and an alarm may use a 10- or 30-second period.

**Exercise.** Publish `QueueDepth` (namespace `Worker`) every 10 seconds as a
high-resolution metric, and create an alarm `depth-high` with a 10-second
period that fires when the depth is above 100 for 3 periods."""),
    ("code", SETUP),
    ("code", '''# Your setup: edit this cell.
cw = cloud.client("cloudwatch")
cw.put_metric_alarm(AlarmName="depth-high", Namespace="Worker", MetricName="QueueDepth",
                    Statistic="Maximum", Period=10, EvaluationPeriods=3, Threshold=100,
                    ComparisonOperator="GreaterThanThreshold")
for tick in range(12):
    cw.put_metric_data(Namespace="Worker", MetricData=[
        {"MetricName": "QueueDepth", "Value": 50 + 20 * tick, "StorageResolution": 1}])
    cloud.clock.advance(timedelta(seconds=10))'''),
    ("code", '''answer = cw.get_metric_statistics(
    Namespace="Worker", MetricName="QueueDepth",
    StartTime=cloud.clock.now() - timedelta(minutes=2), EndTime=cloud.clock.now(),
    Period=10, Statistics=["Maximum"])
check(len(answer["Datapoints"]) >= 10, "10-second datapoints are kept",
      "no 10-second datapoints: publish with StorageResolution=1")
alarm = cw.describe_alarms(AlarmNames=["depth-high"])["MetricAlarms"]
check(bool(alarm) and alarm[0]["Period"] == 10, "the alarm reads 10-second periods",
      "alarm depth-high with Period=10 is missing")
check(bool(alarm) and alarm[0]["StateValue"] == "ALARM", "it fired when the depth passed 100",
      f"alarm state is {alarm[0]['StateValue'] if alarm else None}, expected ALARM")
''' + VERDICT),
]

LESSONS["04_log_groups_streams_retention"] = [
    ("md", """# Log groups, streams and retention

Log events live in **streams** (one per source: an instance, a container)
inside a **log group** (one per application). A group keeps events forever
unless it has a **retention** setting; expired events are deleted.

**Exercise.** Create the group `/lab/app` with a stream per instance
(`i-1`, `i-2`), write one event to each, and keep the group's events 7 days."""),
    ("code", SETUP),
    ("code", '''# Your setup: edit this cell.
logs = cloud.client("logs")
logs.create_log_group(logGroupName="/lab/app")
logs.put_retention_policy(logGroupName="/lab/app", retentionInDays=7)
for stream in ("i-1", "i-2"):
    logs.create_log_stream(logGroupName="/lab/app", logStreamName=stream)
    now = int(cloud.clock.now().timestamp() * 1000)
    logs.put_log_events(logGroupName="/lab/app", logStreamName=stream,
                        logEvents=[{"timestamp": now, "message": f"hello from {stream}"}])'''),
    ("code", '''group = logs.describe_log_groups(logGroupNamePrefix="/lab/app")["logGroups"]
streams = logs.describe_log_streams(logGroupName="/lab/app")["logStreams"] if group else []
check([s["logStreamName"] for s in streams] == ["i-1", "i-2"], "one stream per instance",
      f"expected streams i-1 and i-2, found {[s['logStreamName'] for s in streams]}")
days = group[0].get("retentionInDays") if group else None
check(days == 7, "events are kept 7 days", f"retention is {days or 'forever'}, expected 7 days")
cloud.clock.advance(timedelta(days=8))
left = logs.filter_log_events(logGroupName="/lab/app")["events"] if group else []
check(left == [], "after 8 days the events are gone",
      f"{len(left)} events older than 7 days remain")
''' + VERDICT),
]

LESSONS["05_cloudwatch_agent"] = [
    ("md", """# The unified CloudWatch agent

EC2 cannot see inside an instance: memory and disk use come from the
**CloudWatch agent**, configured with a JSON file. Its metrics go to the
`CWAgent` namespace; the files it tails go to log groups.

**Exercise.** Configure the agent to publish `mem_used_percent` per
`InstanceId`, and to ship `/var/log/app.log` to the group `/lab/agent`."""),
    ("code", SETUP + '''

ec2 = cloud.client("ec2")
instance_id = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1,
                                InstanceType="t3.micro")["Instances"][0]["InstanceId"]
cloud.clock.advance(timedelta(seconds=30))
instance = cloud.ec2.instance(instance_id)
instance.set_workload(memory_used_percent=63.0)'''),
    ("code", '''# Your setup: edit this cell (the agent's JSON configuration).
config = {
    "metrics": {
        "append_dimensions": {"InstanceId": "${aws:InstanceId}"},
        "metrics_collected": {"mem": {"measurement": ["mem_used_percent"]}},
    },
    "logs": {"logs_collected": {"files": {"collect_list": [
        {"file_path": "/var/log/app.log", "log_group_name": "/lab/agent",
         "log_stream_name": "{instance_id}"}]}}},
}
agent = instance.install_agent(config)'''),
    ("code", '''instance.write_log("/var/log/app.log", "2025-03-14 15:10:00 started")
cloud.clock.advance(timedelta(minutes=3))
cw = cloud.client("cloudwatch")
memory = cw.list_metrics(Namespace="CWAgent", MetricName="mem_used_percent")["Metrics"]
dims = [d["Name"] for m in memory for d in m["Dimensions"]]
check("InstanceId" in dims, "mem_used_percent is published per InstanceId",
      f"no CWAgent mem_used_percent per InstanceId (dimensions seen: {dims})")
logs = cloud.client("logs")
events = (logs.filter_log_events(logGroupName="/lab/agent")["events"]
          if logs.describe_log_groups(logGroupNamePrefix="/lab/agent")["logGroups"] else [])
check(any("started" in e["message"] for e in events), "the agent ships /var/log/app.log",
      "nothing from /var/log/app.log in /lab/agent")
''' + VERDICT),
]

LESSONS["06_metric_filters_and_alarms"] = [
    ("md", """# Metric filters and alarms

A **metric filter** turns matching log events into a metric; an **alarm**
watches it. An alarm fires when **M of the last N** datapoints breach the
threshold (`DatapointsToAlarm` of `EvaluationPeriods`).

**Exercise.** The team wants: count `ERROR` lines of `/lab/web` as
`Web/Errors`; alarm `web-errors` when the count is **above 3** in **3 of the
last 5** minutes."""),
    ("code", SETUP + '''

logs = cloud.client("logs")
cw = cloud.client("cloudwatch")
logs.create_log_group(logGroupName="/lab/web")
logs.create_log_stream(logGroupName="/lab/web", logStreamName="web-1")'''),
    ("code", '''# Your setup: edit this cell.
logs.put_metric_filter(
    logGroupName="/lab/web", filterName="errors", filterPattern="ERROR",
    metricTransformations=[{"metricName": "Errors", "metricNamespace": "Web",
                            "metricValue": "1", "defaultValue": 0}])
cw.put_metric_alarm(AlarmName="web-errors", Namespace="Web", MetricName="Errors",
                    Statistic="Sum", Period=60, EvaluationPeriods=5, DatapointsToAlarm=3,
                    Threshold=3, ComparisonOperator="GreaterThanThreshold")'''),
    ("code", '''alarm = cw.describe_alarms(AlarmNames=["web-errors"])["MetricAlarms"]
if not alarm:
    check(False, "", "there is no alarm named web-errors")
else:
    a = alarm[0]
    m, n = a.get("DatapointsToAlarm", a["EvaluationPeriods"]), a["EvaluationPeriods"]
    check((m, n) == (3, 5), "3 of the last 5 datapoints",
          f"your alarm needs 3 of 5 datapoints above 3; it has {m} of {n}")
    check(a["Threshold"] == 3 and a["ComparisonOperator"] == "GreaterThanThreshold",
          "above 3", f"your alarm fires when {a['ComparisonOperator']} {a['Threshold']:g}")
    check((a["Namespace"], a["MetricName"]) == ("Web", "Errors"), "it watches Web/Errors",
          f"it watches {a['Namespace']}/{a['MetricName']}")
# Drive it: 5 errors a minute for 3 minutes should fire it.
for minute in range(5):
    now = int(cloud.clock.now().timestamp() * 1000)
    errors = 5 if minute >= 2 else 0
    logs.put_log_events(logGroupName="/lab/web", logStreamName="web-1", logEvents=[
        {"timestamp": now + i, "message": "ERROR boom" if i < errors else "INFO ok"}
        for i in range(8)])
    cloud.clock.advance(timedelta(minutes=1))
state = cw.describe_alarms(AlarmNames=["web-errors"])["MetricAlarms"]
check(bool(state) and state[0]["StateValue"] == "ALARM", "3 bad minutes fire the alarm",
      f"after 3 bad minutes the alarm is {state[0]['StateValue'] if state else 'missing'}")
''' + VERDICT),
]

LESSONS["07_eventbridge_buses_and_rules"] = [
    ("md", """# EventBridge buses and rules

Events go to a **bus**; **rules** on the bus match them with an **event
pattern** and send them to **targets**. A target receives nothing unless its
resource policy lets EventBridge deliver (an SQS queue policy, a Lambda
permission): the failed delivery is only visible as a failed invocation.

**Exercise.** On a custom bus `shop`, route `OrderPlaced` events from source
`shop.orders` with a `total` over 100 to the queue `big-orders`."""),
    ("code", SETUP_JSON + '''

events = cloud.client("events")
sqs = cloud.client("sqs")
queue_url = sqs.create_queue(QueueName="big-orders")["QueueUrl"]
queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url,
                                     AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]'''),
    ("code", '''# Your setup: edit this cell.
events.create_event_bus(Name="shop")
rule_arn = events.put_rule(Name="big", EventBusName="shop", EventPattern=json.dumps({
    "source": ["shop.orders"], "detail-type": ["OrderPlaced"],
    "detail": {"total": [{"numeric": [">", 100]}]}}))["RuleArn"]
events.put_targets(Rule="big", EventBusName="shop", Targets=[{"Id": "q", "Arn": queue_arn}])
sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}]})})'''),
    ("code", '''for total in (250, 20, 101):
    events.put_events(Entries=[{"EventBusName": "shop", "Source": "shop.orders",
                                "DetailType": "OrderPlaced",
                                "Detail": json.dumps({"total": total})}])
cloud.clock.advance(timedelta(minutes=1))
got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
totals = sorted(json.loads(m["Body"])["detail"]["total"] for m in got)
failed = cloud.events.failed_invocations
check(not failed, "every delivery succeeded",
      f"{len(failed)} failed deliveries ({failed[0].error_code if failed else ''}): "
      "does the queue policy allow events.amazonaws.com?")
check(totals == [101, 250], "orders over 100 reach big-orders",
      f"big-orders got totals {totals}, expected [101, 250]")
''' + VERDICT),
]

LESSONS["08_xray_sampling_and_service_map"] = [
    ("md", """# X-Ray: segments, sampling and the service map

An instrumented application sends a **segment** per request, with
**subsegments** for its downstream calls; X-Ray joins them into traces and
draws the **service map**. **Sampling rules** decide which requests are traced:
a reservoir per second, then a fixed rate.

**Exercise.** Create a sampling rule `checkout` for URL path `/checkout`
(priority 10) with a reservoir of 1 per second and a rate of 10 %; then serve
the requests below through the recorder."""),
    ("code", SETUP + '''

xray = cloud.client("xray")'''),
    ("code", '''# Your setup: edit this cell.
xray.create_sampling_rule(SamplingRule={
    "RuleName": "checkout", "Priority": 10, "FixedRate": 0.1, "ReservoirSize": 1,
    "ServiceName": "*", "ServiceType": "*", "Host": "*", "HTTPMethod": "*",
    "URLPath": "/checkout", "ResourceARN": "*", "Version": 1})'''),
    ("code", '''web = cloud.xray.recorder("web", sampler=cloud.xray.sampler())
start = cloud.clock.now()
for _ in range(60):
    for _ in range(5):
        with web.segment(method="POST", url="https://shop.example/checkout") as request:
            with request.subsegment("payments", namespace="remote"):
                cloud.clock.advance(timedelta(milliseconds=20))
            request.respond(200)
    cloud.clock.advance(timedelta(seconds=1))
cloud.clock.advance(timedelta(minutes=1))
summaries = xray.get_trace_summaries(StartTime=start, EndTime=cloud.clock.now())["TraceSummaries"]
rules = [r["SamplingRule"]["RuleName"] for r in xray.get_sampling_rules()["SamplingRuleRecords"]]
check("checkout" in rules, "the checkout rule exists", f"no checkout rule (rules: {rules})")
check(30 <= len(summaries) <= 120, f"{len(summaries)} of 300 requests traced (about 1/s + 10 %)",
      f"{len(summaries)} of 300 requests traced: expected about 60 with reservoir 1 and rate 0.1")
graph = xray.get_service_graph(StartTime=start, EndTime=cloud.clock.now())["Services"]
names = sorted({s["Name"] for s in graph})
check("payments" in names, "the map shows web calling payments", f"the map shows only {names}")
''' + VERDICT),
]

LESSONS["09_cloudtrail_trails_and_events"] = [
    ("md", """# CloudTrail: the event history and trails

Every management call is recorded. **LookupEvents** shows the last 90 days
without any setup (a few minutes after each call). A **trail** keeps events
for good: it writes gzipped JSON files to an S3 bucket, which must let
`cloudtrail.amazonaws.com` check its ACL and put objects under `AWSLogs/<account>/`.

**Exercise.** Create the bucket `lab-trail` with the policy CloudTrail needs, a
trail `lab` writing to it, and start logging."""),
    ("code", SETUP_JSON + '''

ACCOUNT = cloud.default_account_id
s3 = cloud.client("s3")
trail = cloud.client("cloudtrail")'''),
    ("code", '''# Your setup: edit this cell.
s3.create_bucket(Bucket="lab-trail")
s3.put_bucket_policy(Bucket="lab-trail", Policy=json.dumps({"Version": "2012-10-17",
                                                          "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
     "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::lab-trail"},
    {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
     "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::lab-trail/AWSLogs/{ACCOUNT}/*"}]}))
trail.create_trail(Name="lab", S3BucketName="lab-trail")
trail.start_logging(Name="lab")'''),
    ("code", '''logs = cloud.client("logs")
with cloud.as_principal(f"arn:aws:iam::{ACCOUNT}:user/bob"):
    logs.create_log_group(logGroupName="/lab/audit")
    logs.delete_log_group(logGroupName="/lab/audit")
cloud.clock.advance(timedelta(minutes=20))
found = trail.lookup_events(LookupAttributes=[
    {"AttributeKey": "EventName", "AttributeValue": "DeleteLogGroup"}])["Events"]
check([e["Username"] for e in found] == ["bob"], "the event history says bob deleted it",
      f"LookupEvents found {[e['Username'] for e in found]}")
status = trail.get_trail_status(Name="lab") if trail.describe_trails()["trailList"] else {}
check(status.get("IsLogging") is True, "trail lab is logging",
      "trail lab is missing or not logging")
keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lab-trail").get("Contents", [])]
check(any(k.startswith(f"AWSLogs/{ACCOUNT}/CloudTrail/") for k in keys),
      f"{len(keys)} trail file(s) in S3",
      "no trail files in s3://lab-trail: check the bucket policy and start_logging")
''' + VERDICT),
]


#: For each lesson, a learner's mistake and what the check cell says about it
#: (tests/test_notebooks.py runs them, so a check cell cannot pass everything).
MISTAKES: dict[str, tuple[str, str]] = {
    "01_metrics_and_dimensions": (
        """cw = cloud.client("cloudwatch")
for minute in range(5):
    cw.put_metric_data(Namespace="Shop", MetricData=[{"MetricName": "Latency", "Value": 120}])
    cloud.clock.advance(timedelta(minutes=1))""",
        "expected metrics for Api=checkout and Api=search, found []",
    ),
    "02_basic_vs_detailed_monitoring": ("pass", "monitoring is disabled: call monitor_instances"),
    "03_custom_high_resolution_metrics": (
        """cw = cloud.client("cloudwatch")
for tick in range(12):
    cw.put_metric_data(Namespace="Worker", MetricData=[{"MetricName": "QueueDepth", "Value": 500}])
    cloud.clock.advance(timedelta(seconds=10))""",
        "alarm depth-high with Period=10 is missing",
    ),
    "04_log_groups_streams_retention": (
        """logs = cloud.client("logs")
logs.create_log_group(logGroupName="/lab/app")
logs.create_log_stream(logGroupName="/lab/app", logStreamName="i-1")""",
        "retention is forever, expected 7 days",
    ),
    "05_cloudwatch_agent": (
        """agent = instance.install_agent(
    {"metrics": {"metrics_collected": {"mem": {"measurement": ["mem_used_percent"]}}}})""",
        "nothing from /var/log/app.log in /lab/agent",
    ),
    "06_metric_filters_and_alarms": (
        """logs.put_metric_filter(
    logGroupName="/lab/web", filterName="errors", filterPattern="ERROR",
    metricTransformations=[{"metricName": "Errors", "metricNamespace": "Web", "metricValue": "1"}])
cw.put_metric_alarm(AlarmName="web-errors", Namespace="Web", MetricName="Errors",
                    Statistic="Sum", Period=60, EvaluationPeriods=3, DatapointsToAlarm=2,
                    Threshold=3, ComparisonOperator="GreaterThanThreshold")""",
        "your alarm needs 3 of 5 datapoints above 3; it has 2 of 3",
    ),
    "07_eventbridge_buses_and_rules": (
        """events.create_event_bus(Name="shop")
events.put_rule(Name="big", EventBusName="shop", EventPattern=json.dumps({
    "source": ["shop.orders"], "detail": {"total": [{"numeric": [">", 100]}]}}))
events.put_targets(Rule="big", EventBusName="shop", Targets=[{"Id": "q", "Arn": queue_arn}])""",
        "2 failed deliveries (NO_PERMISSIONS): does the queue policy allow events.amazonaws.com?",
    ),
    "08_xray_sampling_and_service_map": ("pass", "no checkout rule (rules: ['Default'])"),
    "09_cloudtrail_trails_and_events": (
        """s3.create_bucket(Bucket="lab-trail")""", "trail lab is missing or not logging"
    ),
}


def build() -> list[Path]:
    """Write every lesson as a notebook; returns the paths written."""
    written = []
    for name, cells in LESSONS.items():
        made = [new_markdown_cell(t) if kind == "md" else new_code_cell(t) for kind, t in cells]
        for number, cell in enumerate(made, 1):
            cell["id"] = f"{name[:2]}-{number}"  # stable ids: a rebuild changes nothing
        notebook = new_notebook(
            cells=made,
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}},
        )  # fmt: skip
        path = HERE / f"{name}.ipynb"
        nbformat.write(notebook, path)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build():
        print(path.name)
