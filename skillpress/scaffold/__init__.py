"""``skillpress init``: scaffold a project that builds, checks, serves and publishes at once.

The scaffold is plain files shipped with skillpress (``spec.yaml`` here); the product id
and name are filled in with ``str.replace`` after being checked against the spec's own
patterns, so nothing a user types is ever treated as template source.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from skillpress.diagnostics import SkillpressError

HERE = Path(__file__).resolve().parent
ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")

CONFIG = (
    'spec = "spec.yaml"\n# templates = "templates"    # optional folder of template overrides\n# publish-out = "dist"\n'
)
GITIGNORE = ("_site/", ".skillpress-cache/", "dist/")
PRE_COMMIT = """\
# Runs `skillpress check` before every commit: generated files must match spec.yaml.
repos:
  - repo: local
    hooks:
      - id: skillpress-check
        name: skillpress check
        entry: skillpress check
        language: system
        pass_filenames: false
        always_run: true
"""


@dataclass
class Scaffolded:
    folder: Path
    written: list[Path]
    updated: list[Path]


def product_id(folder: Path) -> str:
    """A product id from a folder name: lowercase words joined by hyphens."""
    words = re.findall(r"[a-z0-9]+", folder.name.lower())
    candidate = "-".join(words)
    if not candidate or not candidate[0].isalpha():
        candidate = f"product-{candidate}" if candidate else "my-product"
    return candidate[:64].strip("-")


def display_name(product: str) -> str:
    return " ".join(word.capitalize() for word in product.split("-"))


def init_project(folder: Path, *, product: str | None = None, today: dt.date | None = None) -> Scaffolded:
    """Write a new project into ``folder``; refuse if any file it would create exists."""
    folder = Path(folder).resolve()
    product = product or product_id(folder)
    if not ID.match(product) or len(product) > 64:
        raise SkillpressError(
            f"{product!r} is not a product id: use lowercase letters, digits and single hyphens, starting with a letter"
        )
    if folder.exists() and not folder.is_dir():
        raise SkillpressError("exists and is not a folder", file=str(folder))
    from skillpress.spec.schema import render_json_schema

    spec = (HERE / "spec.yaml").read_text(encoding="utf-8")
    spec = spec.replace("__ID__", product).replace("__NAME__", display_name(product))
    spec = spec.replace("__ENV__", product.upper().replace("-", "_"))
    spec = spec.replace("__DATE__", (today or dt.date.today()).isoformat())
    files = {
        "spec.yaml": spec,
        "skillpress.toml": CONFIG,
        "skillpress.schema.json": render_json_schema(),
        ".pre-commit-config.yaml": PRE_COMMIT,
    }
    clashes = [name for name in ("spec.yaml", "skillpress.toml") if (folder / name).exists()]
    if clashes:
        raise SkillpressError(
            f"{', '.join(clashes)} already exist(s); skillpress init never overwrites a project", file=str(folder)
        )
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    updated: list[Path] = []
    from skillpress.output.write import write_atomic

    for name, text in files.items():
        target = folder / name
        if target.exists():  # an existing pre-commit config or schema is left as it is
            continue
        write_atomic(target, text.encode("utf-8"))
        written.append(target)
    ignore = folder / ".gitignore"
    present = ignore.read_text(encoding="utf-8").splitlines() if ignore.is_file() else []
    missing = [entry for entry in GITIGNORE if entry not in present]
    if missing:
        text = "\n".join(present).rstrip("\n")
        block = "# skillpress: the built site, its working folder and releases\n" + "\n".join(missing) + "\n"
        write_atomic(ignore, ((text + "\n\n" if text else "") + block).encode("utf-8"))
        (updated if present else written).append(ignore)
    return Scaffolded(folder, written, updated)
