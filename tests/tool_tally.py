"""Counts the tests that need an outside tool (marked ``tool``) and fails a run where too few ran.

A tool test skips, with its reason, when its tool (npm's `skills`, `afdocs`,
`@vercel/agent-readability`, the MCP inspector, Claude Code, skillsaw, Chromium, ...)
cannot be installed. Locally that is fine; in CI a silent skip would let a golden file
pass with no independent oracle behind it. ``SKILLPRESS_MIN_TOOL_TESTS`` (default 0) is
the least number of tool tests that must have run (passed or failed, not skipped); when
fewer ran, the session fails and the skip reasons are printed.

Loaded by ``tests/conftest.py``; ``-p tests.tool_tally`` loads it into any pytest run.
"""

from __future__ import annotations

import os

import pytest

ENV = "SKILLPRESS_MIN_TOOL_TESTS"


class ToolTally:
    def __init__(self, minimum: int) -> None:
        self.minimum = minimum
        self.ran: set[str] = set()
        self.skipped: dict[str, str] = {}
        self.short = False

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if "tool" not in report.keywords:
            return
        if report.skipped:
            longrepr = report.longrepr
            reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
            self.skipped[report.nodeid] = reason.removeprefix("Skipped: ")
        elif report.when == "call":
            self.ran.add(report.nodeid)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.minimum and len(self.ran) < self.minimum and not session.config.option.collectonly:
            self.short = True
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.short:
            return
        terminalreporter.section("tool tests", red=True)
        terminalreporter.line(
            f"only {len(self.ran)} tool test(s) ran, {ENV} asks for at least {self.minimum}; skipped:", red=True
        )
        for nodeid, reason in sorted(self.skipped.items()):
            terminalreporter.line(f"  {nodeid}: {reason}")


def pytest_configure(config: pytest.Config) -> None:
    raw = os.environ.get(ENV, "").strip() or "0"
    try:
        minimum = int(raw)
    except ValueError:
        raise pytest.UsageError(f"{ENV}={raw!r} is not a whole number") from None
    config.pluginmanager.register(ToolTally(minimum), "skillpress-tool-tally")
