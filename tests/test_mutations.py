"""Every kind of hand edit to generated output makes `check` fail (exit 1)."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from skillpress import pipeline
from skillpress.project import Project

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples/image-skill/spec.yaml"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pristine")
    assert pipeline.build(Project(out, SPEC), stdout=io.StringIO(), stderr=io.StringIO()) == 0
    return out


def _edit(path: str, old: str | re.Pattern[str], new: str, count: int = 1) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        target = root / path
        text = target.read_text(encoding="utf-8")
        changed = old.sub(new, text, count=count) if isinstance(old, re.Pattern) else text.replace(old, new, count)
        assert changed != text, f"mutation found nothing to change in {path}"
        target.write_text(changed, encoding="utf-8")

    return apply


def _json_edit(path: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        target = root / path
        data = json.loads(target.read_text())
        change(data)
        target.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    return apply


def _flip_mutates(data: dict) -> None:
    command = next(c for c in data["commands"] if c["path"] == "credits quote")
    command["mutates"] = not command["mutates"]


MUTATIONS: dict[str, Callable[[Path], None]] = {
    "change a flag": _edit("site/agent/cli.md", "--idempotency-key", "--idempotence-key"),
    "drop an event type": _edit(
        "site/agent/cli.md", re.compile(r"^\| `credits\.payment_backed_refunded` .*\n", re.M), ""
    ),
    "change the version": _edit("skills/image-skill/SKILL.md", 'version: "0.1.9"', 'version: "0.1.8"'),
    "strip a URL fragment": _edit(
        "site/agent/cli/credits.md", re.compile(r"(https://checkout\.stripe\.com/[^\s\"#]*)#[^\s\"]*"), r"\1"
    ),
    "add a stray file under skills/": lambda root: (root / "skills/image-skill/notes.md").write_text("mine\n"),
    "delete a reference file": lambda root: (root / "skills/image-skill/references/cli.md").unlink(),
    "delete a whole skill": lambda root: shutil.rmtree(root / "skills/image-skill-credits"),
    "flip a manifest flag": _json_edit("site/agent/commands.json", _flip_mutates),
    "change a pack price": _edit("site/agent/llms-full.txt", "5,000 credits for $50", "5,000 credits for $45"),
    "rename an error code": _edit("skills/image-skill-create/references/cli.md", "OUTPUT_EXISTS", "OUTPUT_PRESENT"),
    "windows line endings": lambda root: (root / "site/agent/llms.txt").write_bytes(
        (root / "site/agent/llms.txt").read_bytes().replace(b"\n", b"\r\n")
    ),
    "missing final newline": lambda root: (root / "CHANGELOG.md").write_bytes(
        (root / "CHANGELOG.md").read_bytes().rstrip(b"\n")
    ),
    "trailing whitespace": _edit("site/agent/skill.md", "\n## ", "  \n## "),
    "stray file in site/": lambda root: (root / "site/agent/old-llms.txt").write_text("stale\n"),
}


def test_there_are_at_least_ten_mutations() -> None:
    assert len(MUTATIONS) >= 10


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_check_catches_mutation(name: str, pristine: Path, tmp_path: Path) -> None:
    root = tmp_path / "tree"
    shutil.copytree(pristine, root)
    clean = pipeline.check(Project(root, SPEC), stdout=io.StringIO(), stderr=io.StringIO())
    assert clean == 0
    MUTATIONS[name](root)
    out = io.StringIO()
    code = pipeline.check(Project(root, SPEC), stdout=out, stderr=io.StringIO())
    assert code == 1, f"check missed: {name}"
    assert out.getvalue(), "check must say what differs"
