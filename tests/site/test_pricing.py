"""What each example product's prices look like where people and agents read them.

The cost of a command is one sentence made in Python (``skillpress.contract.pricing``)
and shown in cli.md, SKILL.md and llms-full.txt; the pricing page of the built site has
the plans (or packs) as an HTML table; commands.json carries each command's cost and
openapi.json each priced operation's ``x-credit-cost``. All checked on the files the
build writes, for both examples.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from skillpress.contract import pricing
from skillpress.contract.compile import compile_contract
from skillpress.render import escape
from skillpress.render.pricing_text import pricing_view
from skillpress.render.views import command_views
from tests.site.conftest import CASES, BuiltSite, _build

SCRAPE = "Costs 1 credit per page. JSON extraction, PDF pages and some options cost more per page."
CRAWL = (
    "Costs at most 1 credit per page (counted from `--limit`, 10,000 when not given) when it calls "
    "`POST /v2/crawl`; its other calls are free."
)
CREATE = (
    "Costs per image by `--model`: `xai.grok-imagine-image` 9 credits, 9 credits when not given, other "
    "values priced by the API when the call runs (counted from `--output-count`, 1 when not given). "
    "Free when `--dry-run` is given."
)


@pytest.fixture(scope="module")
def firecrawl(site_base: Path) -> BuiltSite:
    return _build("firecrawl", site_base)


@pytest.fixture(scope="module")
def image(site_base: Path) -> BuiltSite:
    return _build("image-skill", site_base)


def text(site: BuiltSite, rel: str) -> str:
    return site.rendered.files[rel].decode("utf-8")


def section(markdown: str, anchor: str) -> str:
    return markdown.split(f'<a id="{anchor}"></a>', 1)[1].split("<a id=", 1)[0]


def cli_section(site: BuiltSite, anchor: str) -> str:
    """The command's section of cli.md, or of the cli.md part that holds it."""
    for rel in sorted(site.rendered.files):
        if re.fullmatch(r"site/agent/cli(/[^/]+)?\.md", rel):
            body = text(site, rel)
            if f'<a id="{anchor}"></a>' in body:
                return section(body, anchor)
    raise AssertionError(f"no cli.md section {anchor}")


# --------------------------------------------------------------------------- cli.md, SKILL.md, llms-full


def test_cli_md_says_what_each_command_costs(firecrawl: BuiltSite, image: BuiltSite) -> None:
    assert f"\n{SCRAPE}\n" in cli_section(firecrawl, "scrape")
    assert CRAWL in cli_section(firecrawl, "crawl")
    assert "\nFree: it spends no credits.\n" in cli_section(firecrawl, "credit-usage")
    assert "Costs" not in cli_section(firecrawl, "version") and "Free:" not in cli_section(firecrawl, "version")
    assert CREATE in cli_section(image, "create")
    assert "\nFree: it spends no credits.\n" in cli_section(image, "whoami")


def test_skill_md_says_what_each_command_costs(firecrawl: BuiltSite, image: BuiltSite) -> None:
    skill = text(firecrawl, "skills/firecrawl/SKILL.md")
    scrape = skill.split("### `firecrawl scrape`", 1)[1].split("\n### ", 1)[0]
    assert f"\n{SCRAPE}\n" in scrape
    create = text(image, "skills/image-skill-create/SKILL.md").split("### `image-skill create`", 1)[1]
    assert CREATE in create.split("\n### ", 1)[0]


def test_llms_full_has_the_plans_and_packs(firecrawl: BuiltSite, image: BuiltSite) -> None:
    full = text(firecrawl, "site/agent/llms-full.txt")
    assert "- Plan `hobby` (Hobby): $19 a month; 3,000 credits a month; 5 at once;" in full
    assert "A new account starts on the Free plan with 500 credits." in full
    assert "fails with `INSUFFICIENT_CREDITS` (HTTP 402)." in full
    assert "None" not in full.split("## Credits", 1)[1].split("\n## ", 1)[0]
    image_full = text(image, "site/agent/llms-full.txt")
    assert "One credit is worth $0.01." in image_full
    assert "- Pack `starter-500` (Starter): 500 credits for $5" in image_full


# --------------------------------------------------------------------------- the site


class Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(site: BuiltSite, page: str) -> list[list[list[str]]]:
    parser = Tables()
    parser.feed((site.out / page).read_text(encoding="utf-8"))
    return parser.tables


def test_pricing_page_shows_plans_and_costs_as_tables(firecrawl: BuiltSite) -> None:
    found = tables(firecrawl, "credits/index.html")
    costs, plans = found[0], found[1]
    assert costs[0] == ["Command", "Cost"]
    assert ["firecrawl scrape", SCRAPE.replace("`", "")] in costs
    assert plans[0] == ["Plan", "Price", "Credits", "Limits"]
    rows = {row[0]: row[1:3] for row in plans[1:]}
    assert rows == {
        "Free": ["Free", "500 credits once"],
        "Hobby": ["$19 a month", "3,000 credits a month"],
        "Standard": ["$99 a month", "100,000 credits a month"],
        "Growth": ["$399 a month", "500,000 credits a month"],
        "Enterprise": ["Contact sales", "Custom"],
    }
    assert plans[2][3].startswith("5 at once; 100 requests a minute (scrape)")


def test_pricing_page_shows_packs(image: BuiltSite) -> None:
    found = tables(image, "credits/index.html")
    packs = next(t for t in found if t[0] == ["Pack", "Name", "Credits", "Price"])
    assert packs[1:] == [
        ["starter-500", "Starter", "500", "$5"],
        ["builder-2000", "Builder", "2,000", "$20"],
        ["studio-5000", "Studio", "5,000", "$50"],
    ]


def test_homepage_shows_pricing_and_a_typical_call(firecrawl: BuiltSite, image: BuiltSite) -> None:
    home = text(firecrawl, "site/docs/index.md")
    block = home.split("## What a call costs\n", 1)[1].split("\n## ", 1)[0]
    assert "A typical call, `firecrawl scrape https://example.com`, costs 1 credit." in block
    assert "| Hobby | $19 a month | 3,000 credits a month |" in block
    assert "[Pricing](credits.md)" in block
    assert home.count("A typical call") == 1
    image_home = text(image, "site/docs/index.md").split("## What a call costs\n", 1)[1].split("\n## ", 1)[0]
    assert "`image-skill create --prompt 'A kite' --max-estimated-usd-per-image 0.05 --json`, costs 9 credits." in (
        image_home
    )
    assert "| Starter | 500 | $5 |" in image_home
    assert "| Free preview | Free | A few credits and two jobs a day for a new agent identity. |" in image_home
    html_tables = tables(firecrawl, "index.html")
    assert ["Hobby", "$19 a month", "3,000 credits a month"] in [row for t in html_tables for row in t]


# --------------------------------------------------------------------------- JSON


def commands(site: BuiltSite) -> dict[str, dict[str, object]]:
    data = json.loads(text(site, "site/agent/commands.json"))
    found = {c["id"]: c for c in data.get("commands") or ()}
    for part in data.get("command_parts") or ():
        part_data = json.loads(text(site, "site/agent/" + part["file"]))
        found.update({c["id"]: c for c in part_data["commands"]})
    return found


def test_commands_json_carries_costs(firecrawl: BuiltSite, image: BuiltSite) -> None:
    scrape = commands(firecrawl)["scrape"]["cost"]
    assert isinstance(scrape, dict)
    assert scrape["text"] == SCRAPE
    assert scrape["calls"] == [
        {
            "endpoint": "scrape",
            "at_most": False,
            "free_when": None,
            "note": "JSON extraction, PDF pages and some options cost more per page.",
            "terms": [
                {
                    "amount": 1,
                    "table": None,
                    "when": None,
                    "per": {
                        "noun": "page",
                        "nouns": "pages",
                        "flag": None,
                        "request": None,
                        "reply": [],
                        "default": 1,
                        "every": 1,
                    },
                }
            ],
        }
    ]
    assert commands(firecrawl)["status"]["cost"] == {"text": "Free: it spends no credits.", "calls": []}
    assert commands(firecrawl)["version"]["cost"] is None
    create = commands(image)["create"]["cost"]
    assert isinstance(create, dict) and str(create["text"]).startswith(CREATE)
    index = json.loads(text(image, "site/agent/commands.json"))
    assert index["pricing"]["shortfall"] == "QUOTA_EXCEEDED"


def test_openapi_carries_x_credit_cost(firecrawl: BuiltSite, image: BuiltSite) -> None:
    doc = json.loads(text(firecrawl, "site/agent/openapi.json"))
    assert doc["info"]["x-credit-unit"] == {
        "name": "credit",
        "plural": "credits",
        "money": None,
        "shortfall": "INSUFFICIENT_CREDITS",
    }
    crawl = doc["paths"]["/v2/crawl"]["post"]["x-credit-cost"]
    assert crawl["unit"] == "credits" and crawl["at_most"] is True
    assert crawl["text"] == "At most 1 credit per page (counted from `limit`, 10,000 when not given)"
    assert "x-credit-cost" not in doc["paths"]["/v2/crawl/{id}"]["get"]
    search = doc["paths"]["/v2/search"]["post"]["x-credit-cost"]
    assert search["terms"][0]["per"]["every"] == 10
    image_doc = json.loads(text(image, "site/agent/openapi.json"))
    assert image_doc["paths"]["/v1/create"]["post"]["x-credit-cost"]["free_when"] == {
        "flag": "--dry-run",
        "field": "dry_run",
    }
    assert image_doc["info"]["x-credit-unit"]["money"] == {"currency": "USD", "cents": 1}


# --------------------------------------------------------------------------- escaping


def test_product_strings_in_sentences_are_escaped_for_markdown() -> None:
    """A hostile table key or noun lands in the docs as text, never as markup."""
    from skillpress.spec import load_spec

    result = load_spec(CASES["firecrawl"])
    assert result.spec is not None
    contract = compile_contract(result.spec)
    cost = contract["pricing"]["costs"][0]
    cost["terms"] = [
        {
            "amount": None,
            "table": {"flag": None, "field": "formats", "prices": {"<b>x</b>": 2}, "default": 1, "unset": 1},
            "per": {
                "noun": "*pa*ge",
                "nouns": "*pa*ges",
                "flag": None,
                "request": None,
                "reply": [],
                "default": 1,
                "every": 1,
            },
            "when": None,
        }
    ]
    cost["note"] = None
    sentence = pricing.command_cost_sentence(contract, "scrape", code=escape.code, text=escape.md_text)
    assert sentence is not None
    assert "<b>" not in sentence.replace("`<b>x</b>`", "")
    assert "*pa*ge" not in sentence
    view = pricing_view(result.spec, contract, command_views(result.spec, contract))
    assert view is not None and view.costs[0].sentence == sentence
