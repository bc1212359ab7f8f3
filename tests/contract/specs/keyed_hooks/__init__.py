"""Hooks of the `keyed` fixture product (parsed by `validate`, never imported by it)."""
