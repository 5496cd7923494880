"""Amazon EventBridge, simulated: buses, rules, targets, schedules and the pattern language."""
