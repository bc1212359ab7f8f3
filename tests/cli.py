"""Run the `skillpress` command line in this process, capturing what it prints."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from skillpress.cli import main


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(args: list[str]) -> Result:
    out, err = io.StringIO(), io.StringIO()
    exception: BaseException | None = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except Exception as exc:  # a bug: the test says so instead of passing on a half run
            code, exception = 1, exc
    return Result(code, out.getvalue(), err.getvalue(), exception)
