"""The neighbouring services that monitoring flows reach (SNS, SQS, S3, Lambda, STS, ...).

Each is small but real: what it receives can be read back through its domain
API and its wire API, so a scenario can assert what arrived.

One package per service, each laid out the same way (``service.py`` the one
stateful class, ``api.py`` the wire translation, ``model.py`` the values,
``errors.py`` the error classes, plus its pure modules):

- `awsmon.neighbours.sqs`, `.sns` (with the filter-policy language),
  `.lambda_` (Python callables as functions), `.s3`, `.kinesis`, `.firehose`
  (with the S3 prefix language), `.ec2` (with the CloudWatch agent in
  ``ec2/agent/``), `.autoscaling`;
- `awsmon.neighbours.sts`, a single module while small.

A neighbour imports another service only through that service's package
(``from awsmon.neighbours.ec2 import InstanceState``) and reaches its instances
through its context (``self.ctx.sibling("ec2")``, ``self.ctx.service_at(arn)``).
"""
