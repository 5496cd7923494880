"""The neighbours in other partitions and places: ARNs built and read through `Arn`.

AWS's China (``aws-cn``) and GovCloud (``aws-us-gov``) regions write ARNs with
their own partition; SNS, SQS, Lambda and EC2 accept and build them there, and
reach a resource of another account or region through its ARN.
"""

from __future__ import annotations

import json

from awsmon import Cloud
from awsmon.policy import guides


def test_sns_delivers_to_an_sqs_queue_in_the_china_partition() -> None:
    """An ``arn:aws-cn:sqs`` endpoint is a valid SQS endpoint, and receives what is published."""
    cn = Cloud().region("cn-north-1")
    topic = cn.sns.create_topic("alerts")
    queue = cn.sqs.create_queue("inbox")
    assert topic.arn == "arn:aws-cn:sns:cn-north-1:123456789012:alerts"
    assert queue.arn == "arn:aws-cn:sqs:cn-north-1:123456789012:inbox"
    cn.sqs.set_queue_attributes(queue.url, {"Policy": guides.sns_to_sqs(topic.arn, queue.arn)})
    cn.sns.subscribe(topic.arn, "sqs", queue.arn)
    cn.sns.publish(topic.arn, "hello")
    [message] = cn.sqs.receive_message(queue.url)
    assert json.loads(message.body)["Message"] == "hello"


def test_a_redrive_policy_may_name_a_dead_letter_queue_in_govcloud() -> None:
    """RedrivePolicy's deadLetterTargetArn is an SQS ARN in any partition."""
    gov = Cloud().region("us-gov-west-1")
    dlq = gov.sqs.create_queue("dead")
    policy = json.dumps({"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 1})
    queue = gov.sqs.create_queue("work", attributes={"RedrivePolicy": policy})
    assert dlq.arn.startswith("arn:aws-us-gov:sqs:")
    assert queue.redrive == (dlq.arn, 1)


def test_lambda_and_ec2_build_arns_in_their_partition() -> None:
    """A registered function's role and an instance's ARN carry the region's partition."""
    cn = Cloud().region("cn-north-1")
    function = cn.lambda_.register("f", lambda event, context: event)
    assert function.arn == "arn:aws-cn:lambda:cn-north-1:123456789012:function:f"
    assert function.role == "arn:aws-cn:iam::123456789012:role/awsmon-lambda-f"
    [instance] = cn.ec2.run_instances("ami-12345678", 1, 1).instances
    assert instance.arn == f"arn:aws-cn:ec2:cn-north-1:123456789012:instance/{instance.id}"


def test_a_queue_of_another_account_and_region_is_reached_by_its_arn() -> None:
    """`SQS.queue` finds a queue by ARN in the ARN's account and region, not the caller's."""
    cloud = Cloud()
    other = cloud.account("210987654321").region("eu-west-3")
    queue = other.sqs.create_queue("shared")
    assert cloud.sqs.queue(queue.arn) is queue
    assert cloud.sqs.queue(queue.url) is queue
