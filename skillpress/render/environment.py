"""The Jinja2 environment: packaged templates behind an optional user folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jinja2

from skillpress.diagnostics import SkillpressError
from skillpress.render.escape import FILTERS


def packaged_templates() -> Path:
    """Folder of the templates shipped with skillpress.

    In a wheel they live in the ``skillpress/templates`` package; in a source checkout
    (editable install) they are the repository's top-level ``templates/`` folder.
    """
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "cli.md.j2").is_file():
            return candidate
    raise SkillpressError("packaged templates not found; reinstall skillpress")


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates cached under ``${XDG_CACHE_HOME:-~/.cache}/skillpress``.

    Jinja keys each entry by the template's name and source checksum, so an edited
    template is recompiled and the output never depends on the cache; compiling the
    templates is most of a small spec's render time. Like Python's ``.pyc`` files it is
    a compiled form of code, not a result: ``SKILLPRESS_NO_CACHE=1`` (the result cache)
    leaves it on; ``SKILLPRESS_NO_TEMPLATE_CACHE=1`` (or an unwritable folder) turns it off.
    """
    if os.environ.get("SKILLPRESS_NO_TEMPLATE_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "skillpress" / f"jinja-{jinja2.__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def make_environment(user_templates: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        if not user_templates.is_dir():
            raise SkillpressError("template folder does not exist", file=str(user_templates))
        loaders.append(jinja2.FileSystemLoader(str(user_templates)))
    loaders.append(jinja2.FileSystemLoader(str(packaged_templates())))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,  # noqa: S701 - the output is markdown, JSON and YAML; values are escaped per context by filters
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=bytecode_cache(),
        auto_reload=False,  # one environment per render: never re-stat a template for each include
    )
    env.filters.update(FILTERS)
    return env
