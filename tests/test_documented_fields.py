"""The docs say what the client and the API really send.

`documented-fields` relies on a list of the keys the thin client writes into
``error.recovery`` (``CLIENT_RECOVERY_KEYS``); the first test keeps that list equal to
the client's source. The others replay the defects the rules were written for on the
example spec: each must be reported, located where the wrong text is.
"""

from __future__ import annotations

import ast
from pathlib import Path

import skillpress.client
from skillpress.spec import load_spec_text
from skillpress.spec.rules import CLIENT_RECOVERY_KEYS

ROOT = Path(__file__).resolve().parent.parent
CLIENT_DIR = Path(skillpress.client.__file__).resolve().parent
EXAMPLE = (ROOT / "examples" / "image-skill" / "spec.yaml").read_text(encoding="utf-8")


def _recovery_keys(tree: ast.AST) -> set[str]:
    """String keys the code puts into a mapping called ``recovery`` (or passes as ``recovery=``)."""
    keys: set[str] = set()

    def literal_keys(node: ast.AST | None) -> None:
        if isinstance(node, ast.Dict):
            keys.update(k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str))

    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            target = node.value
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
            if name == "recovery" and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                keys.add(node.slice.value)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "recovery" for t in targets):
                literal_keys(node.value)
        elif isinstance(node, ast.keyword) and node.arg == "recovery":
            literal_keys(node.value)
    return keys


def test_client_recovery_keys_are_the_ones_the_client_writes() -> None:
    written: set[str] = set()
    for path in sorted(CLIENT_DIR.glob("*.py")):
        written |= _recovery_keys(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    assert written == set(CLIENT_RECOVERY_KEYS)


def _diagnostics(text: str) -> list[tuple[str, str, int, int, str]]:
    result = load_spec_text(text, "image-skill.yaml", ROOT / "examples" / "image-skill")
    return [(d.code, d.path, d.line, d.col, d.message) for d in result.diagnostics]


def _line_col(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def test_the_example_spec_is_clean() -> None:
    assert _diagnostics(EXAMPLE) == []


def test_a_client_error_naming_a_recovery_key_the_client_never_writes() -> None:
    """The 0.1.9 docs said `error.recovery.required_flag`; the client writes `flag`."""
    broken = EXAMPLE.replace(
        "recovery: Fix the flag named in error.recovery.flag.", "recovery: Fix it (see error.recovery.required_flag)."
    )
    assert broken != EXAMPLE
    [(code, path, line, col, message)] = _diagnostics(broken)
    assert (code, path) == ("documented-fields", "error_codes[0].recovery")
    assert (line, col) == _line_col(broken, "Fix it (see error.recovery.required_flag).")
    assert "error.recovery.required_flag is not written by the client" in message


def test_guidance_naming_a_field_nothing_sends() -> None:
    broken = EXAMPLE.replace(
        "(`flag`, `required_flag`, `suggested_command`", "(`flag`, `needed_flag`, `suggested_command`"
    )
    assert broken != EXAMPLE
    [(code, path, _, _, message)] = _diagnostics(broken)
    assert (code, path) == ("documented-fields", "guidance[7].text")
    assert message.startswith("error.recovery.needed_flag is not a field")


def test_a_quote_response_that_does_not_answer_its_request() -> None:
    """The credits quote example answered 10 fake credits to a request for the starter-500 pack."""
    broken = EXAMPLE.replace(
        "        pack_id: starter-500\n        pack: {", "        pack_id: null\n        pack: {", 1
    )
    broken = broken.replace("        idempotency_key: q-001\n", "        idempotency_key: q-002\n", 1)
    assert broken.count("q-002") == 1
    found = {d[1]: d for d in _diagnostics(broken) if d[0] == "example-response-echo"}
    request = (
        "`image-skill credits quote --pack starter-500 --payment-method stripe_checkout --idempotency-key q-001 --json`"
    )
    assert sorted(found) == ["endpoints[5].response.example.idempotency_key", "endpoints[5].response.example.pack_id"]
    assert found["endpoints[5].response.example.pack_id"][4] == (
        f'the example response has pack_id: null, but the documented {request} sends pack_id: "starter-500"'
    )
    assert found["endpoints[5].response.example.idempotency_key"][4] == (
        f'the example response has idempotency_key: "q-002", but the documented {request} sends idempotency_key: "q-001"'
    )
    assert found["endpoints[5].response.example.pack_id"][2:4] == _line_col(broken, "null\n        pack: {")
