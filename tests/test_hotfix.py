"""The 0.1.9 hotfix in one edit: change the checkout-URL rule once in the spec and
every document that states it follows, with no stale copy left anywhere."""

from __future__ import annotations

import datetime
from pathlib import Path

import yaml

from skillpress.render import is_text, render_all
from skillpress.spec import load_spec_text

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples/image-skill/spec.yaml"
RULE_ID = "checkout-url-fragment"
MARKER = "HOTFIX-0.1.10: also keep the query string."


def _render(data: dict) -> dict[str, bytes]:
    result = load_spec_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "hotfix.yaml", ROOT / "examples" / "image-skill"
    )
    assert result.ok, [d.format_text() for d in result.diagnostics]
    return render_all(result.spec).files


def _documents_for(show_in: list[str], files: dict[str, bytes]) -> set[str]:
    """Files that must state a rule shown in ``show_in``."""
    targets: set[str] = set()
    for path in files:
        name = path.rsplit("/", 1)[-1]
        if "skill" in show_in and path == "site/agent/skill.md":
            targets.add(path)
        if "cli" in show_in and name == "cli.md":
            targets.add(path)
        if "llms-full" in show_in and name == "llms-full.txt":
            targets.add(path)
        if "llms" in show_in and path == "site/agent/llms.txt":
            targets.add(path)
    return targets


def test_one_edit_in_the_spec_changes_every_document_that_states_the_rule() -> None:
    data = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    for entry in data["changelog"]:
        if isinstance(entry.get("date"), datetime.date):
            entry["date"] = entry["date"].isoformat()
    rule = next(g for g in data["guidance"] if g["id"] == RULE_ID)
    old_text = " ".join(rule["text"].split())
    before = _render(data)
    rule["text"] = rule["text"].rstrip() + " " + MARKER
    after = _render(data)

    # Text documents only: the well-known skill archives and digest indexes change with
    # any edit because they carry checksums of the skill files.
    changed = {p for p in before if before[p] != after.get(p) and is_text(p) and not p.endswith("index.json")}
    must_change = _documents_for(rule["show_in"], before)
    assert must_change, "the rule should be shown in at least one document"
    assert must_change <= changed, f"documents that state the rule did not change: {must_change - changed}"
    for path in changed:
        text = after[path].decode("utf-8")
        assert MARKER in " ".join(text.split()), f"{path} changed but does not state the new rule"
    for path, data_bytes in after.items():
        if not is_text(path):
            continue
        flat = " ".join(data_bytes.decode("utf-8").split())
        if old_text in flat:
            assert MARKER in flat[flat.index(old_text) : flat.index(old_text) + len(old_text) + len(MARKER) + 2], (
                f"{path} still states the old rule on its own"
            )
    # the canonical skill, the CLI contract and the full contract all carry the rule
    for path in ("site/agent/skill.md", "site/agent/cli.md", "site/agent/llms-full.txt"):
        assert path in changed
