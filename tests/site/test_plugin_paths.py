"""The site plugin writes only inside the built site, whatever mkdocs.yml asks for."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skillpress.site.build import SiteBuildError, mkdocs_build
from tests.site.conftest import CASES, render_into


def test_a_copy_outside_the_site_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "project"
    render_into(CASES["minimal"], root)
    config_file = root / "site" / "mkdocs.yml"
    header, body = config_file.read_text(encoding="utf-8").split("\n", 1)
    config = yaml.safe_load(body)
    plugin = next(p for p in config["plugins"] if isinstance(p, dict) and "skillpress" in p)
    plugin["skillpress"]["copies"] = {"docs/../../../escaped.md": "skill.md"}
    config_file.write_text(header + "\n" + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    with pytest.raises(SiteBuildError) as refused:
        mkdocs_build(config_file, root / "_site")
    assert any("outside the site folder" in line for line in refused.value.warnings), refused.value.warnings
    assert not list(tmp_path.rglob("escaped.md"))
