"""The skills bundle against the official Agent Plugins 1.0.0 schema and third-party validators.

The schema is vendored (``schema/vendor/agent-plugins-1.0.0/``, source and commit in its
``SOURCE.md``), so this test needs no network. Both example products are checked, and a
manifest with one field the closed schema does not know is refused, so the validator is
really looking.

Then each example is published and its bundle goes through the validators agent tools
use: skillsaw (also over the whole repository), the Agent Skills reference validator
(skills-ref's ``agentskills validate``) and ``claude plugin validate --strict``. Each is
installed into ``.cache/tools/`` on first use; a test skips with the reason when its tool
cannot be installed.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from skillpress.publish.bundle import AGENT_PLUGIN_SCHEMA, agent_plugin_files
from skillpress.spec import load_spec
from tests.publish.conftest import run_publish
from tests.tools import python_tool, run_claude

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "schema" / "vendor" / "agent-plugins-1.0.0"
EXAMPLES = ["image-skill", "firecrawl"]


def schema() -> dict:
    return json.loads((VENDOR / "plugin.schema.json").read_text(encoding="utf-8"))


def manifest(example: str) -> dict:
    result = load_spec(ROOT / "examples" / example / "spec.yaml")
    assert result.spec is not None
    files = agent_plugin_files(result.spec)
    assert sorted(files) == ["mcp.json", "plugin.json"]  # both examples publish a client: `<cli> mcp`
    return json.loads(files["plugin.json"])


def test_vendored_schema_is_the_one_we_point_at() -> None:
    assert schema()["$id"] == AGENT_PLUGIN_SCHEMA
    assert "bd383552095128f6effe895b9257cfd580a6d179" in (VENDOR / "SOURCE.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("example", EXAMPLES)
def test_root_plugin_json_is_valid_agent_plugins_1_0(example: str) -> None:
    value = manifest(example)
    jsonschema.Draft202012Validator(schema()).validate(value)
    assert value["$schema"] == AGENT_PLUGIN_SCHEMA and value["name"] == example


@pytest.mark.parametrize("example", EXAMPLES)
def test_an_unknown_top_level_field_is_refused(example: str) -> None:
    value = {**manifest(example), "skills": "./skills"}  # closed schema: components are found, not listed
    errors = list(jsonschema.Draft202012Validator(schema()).iter_errors(value))
    assert [e.validator for e in errors] == ["additionalProperties"]


# --------------------------------------------------------------------------- third-party validators


@pytest.fixture(scope="module", params=EXAMPLES)
def bundle(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The skills bundle of a real `skillpress publish` of the example."""
    project = ROOT / "examples" / request.param
    out = tmp_path_factory.mktemp(f"publish-{request.param}") / "dist"
    code, stdout, stderr = run_publish(project / "spec.yaml", out, project)
    assert code == 0, stdout[-2000:] + stderr[-1000:]
    return out / "skills-bundle"


def skillsaw(folder: Path) -> dict:
    proc = subprocess.run(
        [str(python_tool("skillsaw")), "lint", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=folder,
    )
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"skillsaw printed no JSON (exit {proc.returncode}): {proc.stdout[-1000:]}{proc.stderr[-1000:]}")
    for v in report["violations"]:
        if v["severity"] != "info":
            print(f"skillsaw {folder.name}: {v['severity']} {v['rule_id']} {v['file_path']}: {v['message']}")
    return report


@pytest.mark.tool
def test_skillsaw_finds_no_error_in_the_bundle(bundle: Path) -> None:
    report = skillsaw(bundle)
    assert report["summary"]["errors"] == 0, report["violations"]
    # what a warning may be: the canonical skill's size (skillsaw warns from about 3,000 tokens;
    # skillpress's own budget is 5,000, see "Size budgets" in the README)
    assert {v["rule_id"] for v in report["violations"] if v["severity"] == "warning"} <= {"context-budget"}


@pytest.mark.tool
def test_skillsaw_finds_no_error_in_the_repository() -> None:
    """The repository as committed: the examples' and the test cases' skills (.skillsaw.yaml
    leaves out build output and tool caches)."""
    report = skillsaw(ROOT)
    assert report["summary"]["errors"] == 0, report["violations"]
    assert {v["rule_id"] for v in report["violations"] if v["severity"] == "warning"} <= {"context-budget"}


@pytest.mark.tool
def test_skills_ref_validates_every_skill_of_the_bundle(bundle: Path) -> None:
    exe = python_tool("agentskills")
    skills = sorted(p for p in (bundle / "skills").iterdir() if p.is_dir())
    assert skills
    for folder in skills:
        proc = subprocess.run([str(exe), "validate", str(folder)], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Valid skill" in proc.stdout + proc.stderr


@pytest.mark.tool
def test_claude_plugin_validate_strict_passes(bundle: Path, tmp_path: Path) -> None:
    proc = run_claude(["plugin", "validate", "--strict", str(bundle)], home=tmp_path)
    output = proc.stdout + proc.stderr
    print(output[-1500:])
    assert proc.returncode == 0, output[-3000:]
    assert "Validation passed" in output
