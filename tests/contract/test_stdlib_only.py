"""The contract runtime modules ship in every client: standard library and each other only.

Same approach as tests/client/test_stdlib_only.py, plus two start-up rules: ``typing``
and ``dataclasses`` are imported only for type checkers (``if TYPE_CHECKING:``), and
importing the modules loads nothing outside the standard library and skillpress.contract.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import skillpress.contract
from tests.client.test_stdlib_only import _imports

CONTRACT_DIR = Path(skillpress.contract.__file__).resolve().parent
BUILD_ONLY = {"compile.py"}  # turns a spec into the contract; needs the spec model, never shipped
RUNTIME = sorted(p for p in CONTRACT_DIR.glob("*.py") if p.name not in BUILD_ONLY)
SLOW_AT_START = {"typing", "dataclasses"}


def test_runtime_modules_are_the_expected_ones() -> None:
    assert {p.name for p in RUNTIME} >= {"__init__.py", "invocation.py", "requests.py", "protocol.py"}


def test_runtime_modules_import_only_stdlib_and_siblings() -> None:
    bad = []
    for path in RUNTIME:
        for line, name in _imports(path):
            top = name.split(".")[0]
            if top == "__future__":
                continue
            if name.startswith(".") and not name.startswith(".."):
                sibling = name[1:].split(".")[0]
                if sibling and f"{sibling}.py" in BUILD_ONLY:
                    bad.append(f"{path.name}:{line}: {name} (build-only module)")
                continue
            if top in sys.stdlib_module_names:
                continue
            bad.append(f"{path.name}:{line}: {name}")
    assert bad == [], "the contract runtime may import only the standard library and its siblings:\n" + "\n".join(bad)


def _runtime_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """Imports that run when the module loads (those under ``if TYPE_CHECKING:`` do not)."""
    checker_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                checker_only |= {id(inner) for inner in ast.walk(statement)}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in checker_only:
            continue
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.append((node.lineno, node.module or ""))
    return found


def test_typing_is_only_imported_for_type_checkers() -> None:
    bad = []
    for path in RUNTIME:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, name in _runtime_imports(tree):
            if name.split(".")[0] in SLOW_AT_START:
                bad.append(f"{path.name}:{line}: {name}")
    assert bad == [], "keep typing/dataclasses under `if TYPE_CHECKING:` (start-up time):\n" + "\n".join(bad)


def test_importing_the_runtime_loads_only_the_standard_library(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import skillpress.contract.invocation, skillpress.contract.requests, skillpress.contract.protocol\n"
        "top = {m.split('.')[0] for m in sys.modules}\n"
        "extra = sorted(m for m in top if m not in sys.stdlib_module_names and m != 'skillpress' and not m.startswith('_'))\n"
        "ours = sorted(m for m in sys.modules if m.startswith('skillpress'))\n"
        "slow = sorted(m for m in sys.modules if m in ('typing', 'dataclasses', 'http', 'ssl', 'email', 'socket'))\n"
        "print('EXTRA', extra, 'OURS', ours, 'SLOW', slow)\n"
    )
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(CONTRACT_DIR.parent.parent)}).stdout  # fmt: skip
    line = out.strip().splitlines()[-1]
    assert "EXTRA []" in line, line
    assert "SLOW []" in line, line
    assert "'skillpress.contract.compile'" not in line and "skillpress.spec" not in line, line
