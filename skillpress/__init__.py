"""skillpress: one YAML spec of a hosted agent product, every agent-facing file from it."""

__version__ = "0.1.0"
