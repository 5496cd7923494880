"""Story: EC2 basic vs detailed monitoring, the CloudWatch agent, and an Auto Scaling policy.

Two instances do the same work; one has basic monitoring (AWS/EC2 metrics every
5 minutes), the other detailed (every minute). The agent adds what EC2 cannot see
(memory). Then a group scales out when its CPU alarm fires.

Run: ``python examples/ec2_monitoring.py`` (output kept in ``ec2_monitoring.out``).
"""

from __future__ import annotations

from datetime import timedelta

from awsmon import Cloud

AMI = "ami-0123456789abcdef0"


def datapoints(cloud: Cloud, instance_id: str, start: object) -> int:
    """How many one-minute CPUUtilization datapoints the instance has since `start`."""
    answer = cloud.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/EC2",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "InstanceId", "Value": instance_id}],
        StartTime=start,
        EndTime=cloud.clock.now(),
        Period=60,
        Statistics=["Average"],
    )
    return len(answer["Datapoints"])


def main() -> None:
    """Compare the two monitoring levels, add the agent, then scale a group."""
    cloud = Cloud(seed=5)
    ec2 = cloud.client("ec2")
    basic, detailed = (
        ec2.run_instances(
            ImageId=AMI,
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro",
            Monitoring={"Enabled": enabled},
        )["Instances"][0]["InstanceId"]
        for enabled in (False, True)
    )
    cloud.clock.advance(timedelta(seconds=30))
    for instance_id in (basic, detailed):
        cloud.ec2.instance(instance_id).set_workload(cpu=40.0, memory_used_percent=71.0)
    start = cloud.clock.now()
    cloud.clock.advance(timedelta(minutes=30))
    n_basic, n_detailed = datapoints(cloud, basic, start), datapoints(cloud, detailed, start)
    print(f"30 minutes of CPUUtilization at Period=60: basic {n_basic}, detailed {n_detailed}")
    assert n_detailed > 4 * n_basic > 0

    names = {m["MetricName"] for m in cloud.client("cloudwatch").list_metrics(
        Namespace="AWS/EC2")["Metrics"]}  # fmt: skip
    print("EC2 sees:", ", ".join(sorted(names)[:6]), "... but no memory:",
          "mem_used_percent" in names)  # fmt: skip
    cloud.ec2.instance(basic).install_agent(
        {
            "metrics": {
                "append_dimensions": {"InstanceId": "${aws:InstanceId}"},
                "metrics_collected": {"mem": {"measurement": ["mem_used_percent"]}},
            }
        }
    )
    cloud.clock.advance(timedelta(minutes=5))
    memory = cloud.client("cloudwatch").get_metric_statistics(
        Namespace="CWAgent",
        MetricName="mem_used_percent",
        Dimensions=[{"Name": "InstanceId", "Value": basic}],
        StartTime=cloud.clock.now() - timedelta(minutes=5),
        EndTime=cloud.clock.now(),
        Period=300,
        Statistics=["Average"],
    )["Datapoints"]
    print(f"the agent publishes CWAgent mem_used_percent: {memory[0]['Average']:.0f}%")
    assert round(memory[0]["Average"]) == 71

    ec2.create_launch_template(
        LaunchTemplateName="web",
        LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro",
                            "Monitoring": {"Enabled": True}},
    )  # fmt: skip
    autoscaling = cloud.client("autoscaling")
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="web",
        LaunchTemplate={"LaunchTemplateName": "web", "Version": "$Latest"},
        MinSize=1,
        MaxSize=4,
        AvailabilityZones=["us-east-1a"],
    )
    policy = autoscaling.put_scaling_policy(
        AutoScalingGroupName="web",
        PolicyName="add-one",
        AdjustmentType="ChangeInCapacity",
        ScalingAdjustment=1,
        Cooldown=300,
    )["PolicyARN"]
    cloud.client("cloudwatch").put_metric_alarm(
        AlarmName="web-cpu-high",
        Namespace="AWS/EC2",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "AutoScalingGroupName", "Value": "web"}],
        Statistic="Average",
        Period=60,
        EvaluationPeriods=2,
        Threshold=70,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[policy],
    )
    cloud.clock.advance(timedelta(seconds=30))
    cloud.autoscaling.group("web").set_workload(cpu=95.0)
    print("group web: 1 instance, CPU goes to 95%; the alarm adds one every cooldown")
    for _ in range(3):
        cloud.clock.advance(timedelta(minutes=5))
        group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])
        print(f"  {cloud.clock.now():%H:%M} desired capacity "
              f"{group['AutoScalingGroups'][0]['DesiredCapacity']}")  # fmt: skip
    activities = autoscaling.describe_scaling_activities(AutoScalingGroupName="web")["Activities"]
    print("last activity:", activities[0]["Description"])
    assert group["AutoScalingGroups"][0]["DesiredCapacity"] >= 3


if __name__ == "__main__":
    main()
