"""The limits an EventBridge event pattern is validated against.

Internal to `awsmon.events.pattern` (which re-exports `PatternLimits` and
`DEFAULT_LIMITS`); its own module so the compiler can read the limits without
importing the pattern module that calls it.
"""

from __future__ import annotations

import attrs

__all__ = ["DEFAULT_LIMITS", "PatternLimits"]


@attrs.frozen(kw_only=True)
class PatternLimits:
    """The limits a pattern is validated against (the defaults are AWS's).

    Attributes:
        max_length: longest pattern text, in characters (service quota 2048,
            adjustable); None for no limit.
        max_or_combinations: most branches ``$or`` may expand into (1000).
        numeric_bound: largest absolute numeric operand (5.0e9); None for any
            finite number.
        numeric_decimals: most digits after the decimal point in a numeric
            operand; None (the default) for no check.
        max_wildcard_complexity: most wildcard positions one value may keep
            alive in one field (UNCONFIRMED threshold); None for no check.
    """

    max_length: int | None = 2048
    max_or_combinations: int = 1000
    numeric_bound: float | None = 5e9
    numeric_decimals: int | None = None
    max_wildcard_complexity: int | None = 10


DEFAULT_LIMITS = PatternLimits()
