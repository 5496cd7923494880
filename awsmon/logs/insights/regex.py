"""User regexes of Logs Insights (``/.../``): `awsmon.linear_regex`, under the names Insights uses.

AWS runs them on Hyperscan, which never backtracks; awsmon runs them on RE2
when it is installed and on a shape-checked `re` otherwise (see
`awsmon.linear_regex`). `check_regex` and `literal_of` keep their names here.
"""

from __future__ import annotations

from awsmon.linear_regex import RegexError, UserRegex, check_regex, compile_regex, literal_of

__all__ = ["RegexError", "UserRegex", "check_regex", "compile_regex", "literal_of"]
