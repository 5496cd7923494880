"""Story: an audit question — who deleted the log group ``/shop/payments``?

Alice (an IAM user) and a deploy role both work in the account; a trail
writes every management event to an S3 bucket. On Monday the payment logs
are gone. We answer twice: from CloudTrail's 90-day event history
(LookupEvents, which shows an event a few minutes after the call) and from the
trail's gzipped JSON files in S3 (what an auditor keeps for years).

Run: ``python examples/who_deleted_the_log_group.py`` (output kept beside it).
"""

from __future__ import annotations

import gzip
import json
from datetime import timedelta

from awsmon import Cloud

ACCOUNT = "123456789012"
BUCKET = "audit-trail"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
DEPLOY = f"arn:aws:sts::{ACCOUNT}:assumed-role/Deploy/pipeline-77"


def trail_bucket(cloud: Cloud) -> None:
    """The bucket, with the policy the CloudTrail User Guide gives for a trail's bucket."""
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{BUCKET}"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCOUNT}/*"},
    ]}  # fmt: skip
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))


def main() -> None:
    """A weekend of work, one deletion, and the two ways to find who did it."""
    cloud = Cloud(seed=4)
    trail_bucket(cloud)
    trail = cloud.client("cloudtrail")
    trail.create_trail(Name="audit", S3BucketName=BUCKET)
    trail.start_logging(Name="audit")
    logs = cloud.client("logs")
    for group in ("/shop/payments", "/shop/orders", "/shop/search"):
        logs.create_log_group(logGroupName=group)
    print(f"{cloud.clock.now():%a %H:%M} trail 'audit' logging to s3://{BUCKET}; 3 log groups")

    cloud.clock.advance(timedelta(hours=20))
    with cloud.as_principal(DEPLOY):
        logs.put_retention_policy(logGroupName="/shop/orders", retentionInDays=30)
    cloud.clock.advance(timedelta(hours=7, minutes=13))
    with cloud.as_principal(ALICE):
        logs.describe_log_groups()
        logs.delete_log_group(logGroupName="/shop/payments")
    cloud.clock.advance(timedelta(days=2))
    print(f"{cloud.clock.now():%a %H:%M} /shop/payments is gone. Who deleted it?")

    # 1. The event history: management events of the last 90 days, no setup needed.
    events = trail.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "DeleteLogGroup"}]
    )["Events"]
    for event in events:
        record = json.loads(event["CloudTrailEvent"])
        print(f"event history: {event['EventTime']:%a %H:%M} {event['EventName']} by "
              f"{event['Username']} ({record['userIdentity']['type']}), "
              f"group {record['requestParameters']['logGroupName']}")  # fmt: skip
    assert [e["Username"] for e in events] == ["alice"]

    # 2. The trail's files: one gzipped JSON file per delivery under AWSLogs/<account>/.
    s3 = cloud.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="AWSLogs/")["Contents"]]
    print(f"trail files in s3://{BUCKET}: {len(keys)}, e.g. {keys[0].rsplit('/', 1)[0]}/...")
    found = []
    for key in keys:
        body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        for record in json.loads(gzip.decompress(body))["Records"]:
            if record["eventName"].startswith("Delete"):
                found.append(record)
                who, where = record["userIdentity"]["arn"], record["sourceIPAddress"]
                print(f"  {key.rsplit('/', 1)[1]}: {record['eventTime']} {record['eventName']} "
                      f"by {who} from {where}")  # fmt: skip
    assert [r["userIdentity"]["arn"] for r in found] == [ALICE]
    print("answer: alice deleted it, at", found[0]["eventTime"])


if __name__ == "__main__":
    main()
