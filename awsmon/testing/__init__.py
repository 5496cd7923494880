"""Helpers for testing code against awsmon: the pytest plugin and Hypothesis strategies.

- `awsmon.testing.pytest_plugin`: fixtures ``awsmon_cloud``, ``awsmon_clock``
  and ``awsmon_boto3``, loaded automatically by pytest once awsmon is installed.
- `awsmon.testing.strategies`: Hypothesis strategies for awsmon's inputs
  (imports Hypothesis, so import it only from tests).
"""
