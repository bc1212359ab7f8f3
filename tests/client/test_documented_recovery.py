"""What the docs tell agents to read on a usage error is what the client prints.

The 0.1.9 docs told agents to read ``error.recovery.required_flag``; this client writes
``error.recovery.flag``. Both sides come from here: the envelope the client prints and
the example spec's error envelope fields and INVALID_ARGUMENTS recovery text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from skillpress.spec.model import Spec
from tests.client.conftest import Client


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["credits", "buy", "--provider", "stripe", "--quote-id", "quote_example1", "--json"], "--idempotency-key"),
        (["credits", "quote", "--pak", "starter-500", "--json"], "--pak"),
        (["credits", "quote", "--credits", "many", "--json"], "--credits"),
    ],
)
def test_usage_error_recovery_is_documented(
    argv: list[str], flag: str, spec: Spec, client_for: Callable[[str | None], Client]
) -> None:
    result = client_for(None)(*argv)
    assert result.code == 2
    error = result.json["error"]
    assert error["code"] == "INVALID_ARGUMENTS"
    recovery = error["recovery"]
    assert recovery["flag"] == flag
    documented = {f.name for f in spec.envelopes.error.fields}
    assert {f"error.recovery.{key}" for key in recovery} <= documented
    text = spec.error_codes_by_code["INVALID_ARGUMENTS"].recovery or ""
    named = re.findall(r"error\.recovery\.([a-z_]+)", text)
    assert named and all(key in recovery for key in named), (text, recovery)
