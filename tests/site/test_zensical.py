"""The site builds with Zensical as well as with mkdocs, with the same agent files and twins.

Zensical (PyPI ``zensical``) reads ``mkdocs.yml`` but runs no MkDocs plugin; skillpress
writes the agent files and twins itself after either builder, so every one of those files
must be byte-identical between the two builds. Zensical is installed into
``.cache/tools/pyvenv`` on first use; the test skips, with the reason, when it cannot be.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from skillpress.site.build import zensical_build
from tests.site.conftest import BuiltSite, _build, serve
from tests.tools import python_tool, run_afdocs

EXAMPLES = ["image-skill", "firecrawl"]


def agent_side(out: Path) -> dict[str, bytes]:
    """Every file of a built site that is not the builder's own HTML, assets or search index."""
    keep = (".md", ".txt", ".json", ".xml", ".zip")
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and (p.name.endswith(keep) or p.name == "api-catalog")
        and not p.relative_to(out).as_posix().startswith(("assets/", "search/"))
        and p.name not in ("search.json", "search_index.json")
    }


@pytest.mark.tool
@pytest.mark.parametrize("case", EXAMPLES)
def test_zensical_build_has_the_same_agent_files_and_twins(case: str, site_base: Path, tmp_path: Path) -> None:
    exe = python_tool("zensical")
    built: BuiltSite = _build(case, site_base)
    out = tmp_path / "zensical-site"
    warnings = zensical_build(built.root / "site" / "mkdocs.yml", out, executable=str(exe))
    print(f"zensical {case}: {len(warnings)} warning(s): {warnings}")
    # its only complaints: links to agent files (/skill.md ...), which are not pages of docs/
    assert all("page does not exist" in w for w in warnings), warnings
    mkdocs_side, zensical_side = agent_side(built.out), agent_side(out)
    assert sorted(zensical_side) == sorted(mkdocs_side)
    assert [p for p in mkdocs_side if mkdocs_side[p] != zensical_side[p]] == []
    index = (out / "index.html").read_text(encoding="utf-8")
    product = built.spec.product
    assert re.search(r"<title>\s*" + re.escape(product.name) + r"\s*</title>", index)
    assert 'rel="describedby"' in index and 'type="text/markdown"' in index
    assert not (built.root / "site" / ".cache").exists(), "Zensical must not write into site/"

    # and agents score it as they score the mkdocs build
    homepage = built.spec.product.urls.homepage.rstrip("/")
    with serve(out) as url:
        proc = run_afdocs(
            ["check", url, "--canonical-origin", homepage, "--format", "json", "--score", "--quiet"], cwd=tmp_path
        )
    report = json.loads(proc.stdout)
    print(f"afdocs on the Zensical build of {case}: {report['scoring']['overall']}")
    assert report["scoring"]["overall"] == 100, [r["id"] for r in report["results"] if r["status"] != "pass"]
