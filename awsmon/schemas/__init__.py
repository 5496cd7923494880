"""Amazon EventBridge Schema Registry, simulated."""
