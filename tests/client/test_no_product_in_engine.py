"""skillpress names no product: the engine's client, contract and mock code hold none of the
example products' command names, field names, URLs, variables or error codes.

The words are read from the example specs themselves, so a new command or field in an
example is checked as soon as it is written. Plain English words that any engine uses
(``status``, ``version``, ``url``, ``data``) are left out by shape: a word is checked
when it is distinctive (it holds ``_``, ``-``, ``.``, ``/`` or an inner capital, or is
a multi-word command path), plus every single-word command name of 6+ letters that is
not an ordinary word of the engine's own vocabulary.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skillpress.spec import load_spec
from skillpress.spec.model import SITUATIONS, Spec

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [ROOT / "examples" / "image-skill" / "spec.yaml", ROOT / "examples" / "firecrawl" / "spec.yaml"]
ENGINE = {
    "client": ROOT / "skillpress" / "client",
    "contract": ROOT / "skillpress" / "contract",
    "mcp": ROOT / "skillpress" / "mcp",
    "mock": ROOT / "skillpress" / "mock",
}
#: The engine's own vocabulary: words it defines itself (its output envelope, reply-path
#: defaults, its step and situation names), even where an example happens to use them too.
ENGINE_WORDS = {
    "trace_id",
    "error.code",
    "error.message",
    "error.retryable",
    "error.recovery",
    "api_base_url",
    "config.json",
    "retry_after_seconds",
    "docs_url",
    "suggested_command",
    "content_type",
    "config_path",
    "idempotency_key",
    "application/json",
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/gif",
    "image/avif",
    "text/plain",
    "text/markdown",
    "text/html",
    "user-agent",
    "content-type",
    "content-length",
    "retry-after",
    "x-api-key",
    "xdg_config_home",
    "not_found",  # the mock's own name for "no such route or record"
    *SITUATIONS,
}


def _format_words() -> set[str]:
    """Key names of the spec format itself (``custom_quotes``, ``live_money``...): the engine
    reads its own model by these names, whatever an example's API calls its fields."""
    import pydantic

    import skillpress.spec.model as model

    names: set[str] = set()
    for item in vars(model).values():
        if isinstance(item, type) and issubclass(item, pydantic.BaseModel):
            for name, info in item.model_fields.items():
                names |= {name, info.alias or name}
    return names


ENGINE_WORDS |= _format_words()
GENERIC_COMMANDS = {"status", "version", "search", "upload", "create", "logout", "scrape", "models", "credits"}


def _spec_format_words() -> set[str]:
    """Key names of the spec format itself (``credits.custom_quotes``, ``live_money``, ...):
    the engine reads them from every spec, so they are its vocabulary, not a product's."""
    from skillpress.spec.schema import json_schema

    found: set[str] = set()
    stack: list[object] = [json_schema()]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                found |= {str(k).lower() for k in properties}
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


SPEC_FORMAT_WORDS = _spec_format_words()


def _distinctive(word: str) -> bool:
    if len(word) < 5 or word.lower() in ENGINE_WORDS or word.lower() in SPEC_FORMAT_WORDS:
        return False
    if "." in word and all(part in ENGINE_WORDS for part in word.split(".")):
        return False  # a path through the spec format's own keys
    return bool(re.search(r"[_\-./]|[a-z][A-Z]", word))


def product_words(spec: Spec) -> set[str]:
    words: set[str] = {spec.product.id, spec.product.cli_name}
    words |= {str(url) for url in spec.product.urls.model_dump().values() if url}
    words |= {e.name for e in spec.environment}
    words |= {e.code for e in spec.error_codes}
    for endpoint in spec.endpoints:
        words.add(endpoint.path)
        words |= {b.name for b in endpoint.body} | {q.name for q in endpoint.query}
        words |= {f.name for f in endpoint.response.fields} if endpoint.response else set()
    for command in spec.commands:
        if " " in command.path or (len(command.path) >= 6 and command.path not in GENERIC_COMMANDS):
            words.add(command.path)
        for flag in command.flags:
            words.add(flag.name)
            if flag.field:
                words.add(flag.field)
        for step in command.steps:
            params = step.params.model_dump(by_alias=True)
            for value in params.values():
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str):
                        words.add(item)
    words |= {part for word in list(words) if "." in word and "/" not in word for part in word.split(".")}
    words = {w for w in words if not ("." in w and all(p.lower() in SPEC_FORMAT_WORDS for p in w.split(".")))}
    return {w for w in words if w and (_distinctive(w) or " " in w or w in (spec.product.id, spec.product.cli_name))}


@pytest.fixture(scope="module")
def words() -> set[str]:
    found: set[str] = set()
    for path in EXAMPLES:
        result = load_spec(path)
        assert result.spec is not None
        found |= product_words(result.spec)
    assert len(found) > 100
    return found


#: Files not scanned yet, each with the reason (to be emptied by their owners).
#: Files the rule does not hold yet, each with its reason (none today).
PENDING: set[str] = set()


def _hits(folder: Path, words: set[str]) -> list[str]:
    hits = []
    for path in sorted(folder.rglob("*.py")):
        if path.relative_to(ROOT).as_posix() in PENDING:
            continue
        text = path.read_text(encoding="utf-8").lower()
        for word in sorted(words):
            needle = word.lower()
            pattern = r"(?<![A-Za-z0-9_-])" + re.escape(needle) + r"(?![A-Za-z0-9_])"
            if re.search(pattern, text):
                hits.append(f"{path.relative_to(ROOT)}: {word}")
    return hits


@pytest.mark.parametrize("part", ["client", "contract", "mcp"])
def test_engine_names_no_example_product(part: str, words: set[str]) -> None:
    assert _hits(ENGINE[part], words) == []


#: Words an example shares with tools and conventions older than it: flags every CLI has,
#: the skills installer's own flag, and the situation codes ``skillpress import`` writes
#: into a draft when a product names none.
COMMON_WORDS = {
    "--json",
    "--format",
    "--dry-run",
    "dry_run",
    "--skill",
    "BAD_RESPONSE",
    "INVALID_ARGUMENTS",
    "NETWORK_ERROR",
    "SERVER_ERROR",
    "TIMED_OUT",
}


def test_nothing_in_the_package_or_its_templates_names_an_example(words: set[str]) -> None:
    """The rule for the whole of skillpress: its code and packaged templates (not only the
    client, contract and mock) name no example product's commands, fields, URLs or codes."""
    own = words - COMMON_WORDS
    hits = _hits(ROOT / "skillpress", own)
    for path in sorted((ROOT / "templates").rglob("*.j2")):
        text = path.read_text(encoding="utf-8").lower()
        for word in sorted(own):
            if re.search(r"(?<![A-Za-z0-9_-])" + re.escape(word.lower()) + r"(?![A-Za-z0-9_])", text):
                hits.append(f"{path.relative_to(ROOT)}: {word}")
    assert hits == []


def test_mock_names_no_example_product(words: set[str]) -> None:
    assert _hits(ENGINE["mock"], words) == []
