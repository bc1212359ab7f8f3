"""`validate` on the contract sections: hooks are parsed from the spec's folder, never imported."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from skillpress.spec import load_spec, load_spec_text
from skillpress.spec.rules import RULES
from tests.contract.helpers import KEYED, ROOT, SPECS_DIR


def codes(result: object) -> list[str]:
    return [d.code for d in result.diagnostics]  # type: ignore[attr-defined]


def copy_keyed(tmp_path: Path) -> Path:
    shutil.copy(KEYED, tmp_path / "keyed.yaml")
    shutil.copytree(SPECS_DIR / "keyed_hooks", tmp_path / "keyed_hooks")
    return tmp_path / "keyed.yaml"


def test_fixture_specs_validate_clean_from_their_files() -> None:
    for path in sorted(SPECS_DIR.glob("*.yaml")):
        result = load_spec(path)
        assert result.ok and result.diagnostics == [], [d.format_text() for d in result.diagnostics]


def test_a_hook_cannot_be_checked_without_the_spec_folder() -> None:
    result = load_spec_text(KEYED.read_text(encoding="utf-8"), "keyed.yaml")
    messages = [d.message for d in result.diagnostics if d.code == "hook-resolves"]
    assert messages == ["the hook cannot be checked: the spec was not read from a file"]


def test_hooks_are_parsed_never_imported(tmp_path: Path) -> None:
    spec = copy_keyed(tmp_path)
    marker = tmp_path / "imported"
    hook = tmp_path / "keyed_hooks" / "tags.py"
    hook.write_text(f"open({str(marker)!r}, 'w').close()\n\n" + hook.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_spec(spec).ok
    assert not marker.exists()


def test_a_hook_module_that_does_not_parse_is_reported(tmp_path: Path) -> None:
    spec = copy_keyed(tmp_path)
    (tmp_path / "keyed_hooks" / "tags.py").write_text("def tag_object(:\n", encoding="utf-8")
    result = load_spec(spec)
    found = [d for d in result.diagnostics if d.code == "hook-resolves"]
    assert len(found) == 1 and found[0].message.startswith("module 'tags' could not be parsed")
    assert found[0].path == "commands[4].steps[1].hook.call"


def test_a_package_module_resolves(tmp_path: Path) -> None:
    spec = copy_keyed(tmp_path)
    (tmp_path / "keyed_hooks" / "tags.py").unlink()
    (tmp_path / "keyed_hooks" / "tags").mkdir()
    (tmp_path / "keyed_hooks" / "tags" / "__init__.py").write_text("def tag_object(v, f):\n    return {}\n")
    assert load_spec(spec).ok


def test_every_rule_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", readme, re.M))
    missing = sorted(set(RULES) - listed)
    assert missing == [], f"add a row to the README's rule table for: {', '.join(missing)}"


# --------------------------------------------------------------------------- output additions


def _with_output(replace: bool, pretty_role: bool) -> list[str]:
    from tests.test_rules import add_flag, chain, set_protocol, set_steps, validate

    def global_pretty(d: dict[str, object]) -> None:
        d["global_flags"].append({"name": "--pretty", "type": "boolean", "summary": "Indent JSON."})  # type: ignore[attr-defined]

    output = {"json_flag": "--json", "pretty_flag": "--pretty"} if pretty_role else {"json_flag": "--json"}
    result = validate(
        chain(
            lambda d: add_flag(d, name="--out", type="path"),
            lambda d: set_steps(d, {"write_output": {"flag": "--out", "replace": replace}}),
            global_pretty,
            lambda d: set_protocol(d, extra_situations={"local_file": ("LOCAL_FILE", 7)}, output=output),
        )
    )
    return [d.format_text() for d in result.diagnostics]


def test_a_write_output_step_that_replaces_needs_no_output_exists_code() -> None:
    assert _with_output(replace=True, pretty_role=True) == []
    found = _with_output(replace=False, pretty_role=True)
    assert len(found) == 1 and "needs an error code for `output_exists`" in found[0]


def test_the_pretty_flag_is_a_protocol_role_that_consumes_its_global_flag() -> None:
    found = _with_output(replace=True, pretty_role=False)
    assert len(found) == 1 and "nothing acts on the global flag --pretty" in found[0]


# --------------------------------------------------------------------------- plain replies


def _plain_reply_mentions(description: str) -> list[str]:
    from tests.test_rules import echo, set_protocol, validate

    def plain(d: dict[str, object]) -> None:
        endpoint = d["endpoints"][0]  # type: ignore[index]
        endpoint["response"] = {  # the whole body, as a plain-reply API sends it
            "fields": [{"name": "success", "type": "boolean"}, {"name": "data.metadata.title"}],
            "example": {"success": True, "data": {"metadata": {"title": "Home"}}},
        }
        echo(d)["description"] = description  # type: ignore[arg-type]

    result = validate(lambda d: (plain(d), set_protocol(d, replies={"style": "plain"})))
    return [d.message for d in result.diagnostics if d.code == "documented-fields"]


def test_a_plain_reply_is_the_response_itself_for_documented_fields() -> None:
    assert _plain_reply_mentions("Prints `data.metadata.title` of the page.") == []
    assert _plain_reply_mentions("Prints `data.metadata.author` of the page.") == [
        "data.metadata.author is not a field of any envelope, endpoint response or client error"
    ]
