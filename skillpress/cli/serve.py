"""`skillpress mock`: a local mock of the spec's hosted API."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skillpress.cli.common import Subparsers, add_spec, command, project_for


def _mock(args: argparse.Namespace) -> int:
    from skillpress.diagnostics import format_text
    from skillpress.project import display_path
    from skillpress.spec import load_spec

    project = project_for(args.spec)
    result = load_spec(project.spec_path, display_path(project.spec_path))
    if result.spec is None or not result.ok:
        sys.stdout.write(format_text(result.diagnostics))
        return 1
    from skillpress.mock.server import serve

    serve(
        result.spec,
        args.port,
        str(args.db) if args.db else None,
        starting_credits=args.starting_credits,
        show_credential=args.show_credential,
    )
    return 0


def register(subparsers: Subparsers) -> None:
    p = command(
        subparsers,
        "mock",
        "serve a local mock of the spec's hosted API",
        _mock,
        "Serve a local mock of the spec's hosted API on 127.0.0.1 until interrupted.",
    )
    add_spec(p)
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0 picks a free one; default 8765)")
    p.add_argument("--db", type=Path, default=None, metavar="FILE", help="SQLite file for its state (default: memory)")
    p.add_argument(
        "--show-credential",
        action="store_true",
        help="print a credential the mock accepts (a new account) after the URL",
    )
    p.add_argument(
        "--starting-credits",
        type=float,
        default=None,
        metavar="N",
        help="balance of each account the mock creates (default: the spec's starting balance, else 0)",
    )
