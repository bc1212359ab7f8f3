"""Confirmation switches that only have to be present (the argv grammar already checks them)."""

from __future__ import annotations

from typing import Any


def confirmed(values: dict[str, Any], fields: dict[str, Any], client: Any) -> dict[str, Any]:
    """Refuse a confirmation switch given as false; send nothing."""
    for name, value in values.items():
        if value is False:
            client.fail(f"{name} must be given to confirm", flag=name)
    return {}
