"""What every verb of the command line shares: the one place that maps errors to exit
codes, the output-format choice, and turning arguments into a :class:`Project`.

Exit codes (every command): 0 success, 1 the input is invalid or the output differs,
2 the command could not run (usage error, unreadable file, internal error).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from skillpress.diagnostics import SkillpressError
from skillpress.project import Project, resolve

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CANNOT_RUN = 2


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


def guard(run: Callable[[], int]) -> int:
    """Run one command; turn user-facing errors into a message and exit 2, never a traceback."""
    try:
        return run()
    except SkillpressError as exc:
        sys.stderr.write(f"skillpress: error: {exc}\n")
        return EXIT_CANNOT_RUN
    except KeyboardInterrupt:
        sys.stderr.write("skillpress: interrupted\n")
        return EXIT_CANNOT_RUN


def project_for(
    spec: Path | None,
    *,
    root: Path | None = None,
    out: Path | None = None,
    templates: Path | None = None,
    client_bundle: str | None = None,
    need_spec: bool = True,
) -> Project:
    """The project a command works on. ``root`` names the project (its config is looked up
    from there); ``out`` only redirects where a build writes (the config comes from here)."""
    return resolve(
        spec,
        root=out if out is not None else root,
        templates=templates,
        client_bundle=client_bundle,
        start=root,
        need_spec=need_spec,
    )
