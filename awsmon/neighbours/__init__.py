"""The neighbouring services that monitoring flows reach (SNS, SQS, S3, Lambda, STS, ...).

Each is small but real: what it receives can be read back through its domain
API and its wire API, so a scenario can assert what arrived.
"""
