"""Entry point of a product's thin client: load the bundled contract, run, print, exit.

Standard library only, and cheap to start (agents run the client many times): this
module imports ``json`` and the runtime; HTTP, hashing and file handling are imported
only by the steps that need them.

The contract is ``contract.json`` next to this file (inside a wheel: the product's
package), or the file ``SKILLPRESS_CLIENT_CONTRACT`` names (``skillpress client run``
and tests). ``SKILL.md`` for ``help``'s skill switch is looked for in the same folder,
and the product's hooks package in its ``hooks/`` subfolder.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

CONTRACT_ENV = "SKILLPRESS_CLIENT_CONTRACT"
HERE = os.path.dirname(os.path.abspath(__file__))


def contract_file(env: Mapping[str, str] | None = None) -> str:
    override = (env if env is not None else os.environ).get(CONTRACT_ENV)
    return override or os.path.join(HERE, "contract.json")


def load_contract(path: str) -> dict[str, Any]:
    import json

    with open(path, "rb") as handle:
        value = json.loads(handle.read())
    if not isinstance(value, dict) or value.get("format") != 1:
        raise ValueError("not a contract of format 1")
    return value


def main(
    argv: list[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    stdin: Any = None,
    stdout: Any = None,
    stderr: Any = None,
    contract: dict[str, Any] | None = None,
    hooks_dir: str | None = None,
    bundle_dir: str | None = None,
) -> int:
    """Run the client; ``stdout``/``stderr`` are binary streams (default: the process's)."""
    from .runtime import execute

    environ = dict(os.environ if env is None else env)
    out = stdout if stdout is not None else getattr(sys.stdout, "buffer", None)
    err = stderr if stderr is not None else getattr(sys.stderr, "buffer", None)
    folder = bundle_dir
    if contract is None:
        path = contract_file(environ)
        folder = folder or os.path.dirname(path)
        try:
            contract = load_contract(path)
        except (OSError, ValueError) as exc:
            if err is not None:
                err.write(f"error: the bundled contract could not be read: {exc}\n".encode("utf-8", "replace"))
            return 1
    folder = folder or HERE
    reader = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
    try:
        tty = bool(reader is not None and stdin is None and sys.stdin.isatty())
    except (AttributeError, ValueError):
        tty = False
    try:
        outcome = execute(
            contract,
            list(sys.argv[1:] if argv is None else argv),
            environ,
            stdin=reader,
            stdin_is_tty=tty,
            bundle_dir=folder,
            hooks_dir=hooks_dir or os.path.join(folder, "hooks"),
        )
    except KeyboardInterrupt:
        if err is not None:
            err.write(b"interrupted\n")
        return 130
    try:
        if out is not None and outcome.stdout:
            out.write(outcome.stdout)
            out.flush()
        if err is not None and outcome.stderr:
            err.write(outcome.stderr)
            err.flush()
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the exit-time flush
        except OSError:
            pass
    return outcome.exit_code


def run() -> None:
    """Console-script entry."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
