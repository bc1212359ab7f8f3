"""The homepage tells how to add the client's MCP server to a host (both examples)."""

from __future__ import annotations

import json
import re

import pytest

from skillpress.publish import bundle
from skillpress.site.views import mcp_view
from skillpress.spec import load_spec
from tests.examples import EXAMPLES
from tests.mcp.test_tools import PRODUCTS


@pytest.mark.parametrize("product", PRODUCTS)
def test_homepage_mcp_section(product: str) -> None:
    spec = load_spec(EXAMPLES / product / "spec.yaml").spec
    assert spec is not None and spec.client is not None
    page = (EXAMPLES / product / "site/docs/index.md").read_text(encoding="utf-8")
    section = page.split("## Use it from an MCP host\n", 1)[1].split("\n## ", 1)[0]
    cli = spec.product.cli_name
    assert f"pip install '{spec.client.package}[mcp]'" in section
    assert f"claude mcp add {bundle.plugin_name(spec)} -- {cli} mcp" in section
    block = re.search(r"```json\n(.*?)\n```", section, re.S)
    assert block is not None
    assert json.loads(block.group(1)) == bundle.mcp_config(spec)  # the bundle's mcp.json names the same server


def test_no_client_no_mcp_section() -> None:
    spec = load_spec(EXAMPLES / "firecrawl" / "spec.yaml").spec
    assert spec is not None
    assert mcp_view(spec.model_copy(update={"client": None})) is None
