#!/usr/bin/env python3
"""Mutation testing of chosen skillpress modules: do the tests fail when the code is wrong?

Each mutant is one small deliberate break made by a cosmic-ray operator (a comparison or
arithmetic operator swapped, a condition negated, ``True``/``False`` swapped, a number
changed, a ``for`` loop that never runs, an ``except`` that never catches, a decorator
dropped). The script applies one mutant at a time to a private copy of the working tree
and runs only the tests mapped to that module (``MODULES`` below), stopping at the first
failure. Killed means a test failed; survived means every mapped test still passed;
timeout means the run took longer than the per-mutant limit (counted as detected, as
mutmut and cosmic-ray do, since a hang is noticed).

    python scripts/mutation.py                          # every mapped module, sampled
    python scripts/mutation.py skillpress/output/cache.py --all
    python scripts/mutation.py --sample 25 --seed 1 --json after.json --compare before.json

Not part of the test suite: a full run takes tens of minutes on two cores. Over the whole
mapped set there are several thousand mutants, so by default a fixed-seed sample is taken
per module (``--sample N --seed S``, ``--all`` for every mutant). The sample is chosen by a
hash of each mutant's stable key (module, operator, source line, rank on that line), so the
same seed picks the same mutants after unrelated edits elsewhere in the module.

Mutants judged equivalent (no behaviour can tell them apart) are listed with the reason in
``tests/mutation-equivalents.md`` by their id; they are reported but left out of the score.

Speed: each worker pre-imports pytest, its plugins and the third-party libraries once,
then forks a fresh child per mutant that imports skillpress from the mutated copy. Nothing
writes bytecode in the copy, so a mutated module is never read back from a stale ``.pyc``.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "tests" / "mutation-equivalents.md"

# Module -> the tests that exercise it, the fastest set that covers what a user relies on.
# Extra pytest arguments (`-k`) may follow the files; they apply to every file listed.
PUBLISH_TESTS = (  # quickest first: with -x a killed mutant stops at its first failure
    "tests/publish/test_distribution.py",
    "tests/publish/test_out_guard.py",
    "tests/publish/test_verify.py",
    "tests/publish/test_publish.py",
    "-k",
    "not fresh_venv",  # builds a virtualenv (13 s): run it by hand
)
# The client runs in-process against a stub server (a fake clock, no real waits); the
# executable docs (a client against the mock, per documented example) are left to the
# mock's own list below and to a by-hand run.
CLIENT_TESTS = (
    "tests/client/test_client_edges.py",
    "tests/client/test_hostile_server.py",
    "tests/client/test_firecrawl_client.py",
    "tests/client/test_image_skill_client.py",
)
MOCK_TESTS = (
    "tests/mock/test_mock_edges.py",
    "tests/mock/test_endpoints.py",
    "tests/mock/test_credits.py",
    "tests/mock/test_mock.py",
    "tests/mock/test_server.py",
)
MODULES: dict[str, tuple[str, ...]] = {
    "skillpress/spec/rules.py": (
        "tests/test_rules.py",
        "tests/test_rules_order.py",
        "tests/contract/test_validate_contract.py",
    ),
    "skillpress/spec/loader.py": ("tests/test_loader.py", "tests/test_invalid_corpus.py"),
    "skillpress/output/cache.py": ("tests/test_result_cache.py",),
    "skillpress/output/plan.py": ("tests/test_check.py", "tests/test_atomic.py", "tests/test_mutations.py"),
    "skillpress/output/write.py": ("tests/test_atomic.py", "tests/test_check.py"),
    "skillpress/pipeline.py": (
        "tests/test_check.py",
        "tests/test_result_cache.py",
        "tests/test_mutations.py",
        "tests/test_atomic.py",
        "tests/test_budgets.py",
        "tests/test_repo_is_fresh.py",
    ),
    "skillpress/render/__init__.py": (
        "tests/test_render_golden.py",
        "tests/test_markdown_structure.py",
        "tests/test_check.py",
        "tests/test_budgets.py",
        "tests/test_split.py",
    ),
    "skillpress/render/environment.py": (
        "tests/test_render_golden.py",
        "tests/test_markdown_structure.py",
        "tests/test_check.py",
        "tests/test_result_cache.py",
    ),
    "skillpress/render/escape.py": (
        "tests/test_escape.py",
        "tests/test_render_golden.py",
        "tests/test_markdown_structure.py",
    ),
    "skillpress/render/split.py": (
        "tests/test_partition.py",
        "tests/test_budgets.py",
        "tests/test_split.py",
        "tests/test_render_golden.py",
    ),
    "skillpress/render/manifest.py": (
        "tests/test_partition.py",
        "tests/test_render_golden.py",
        "tests/test_markdown_structure.py",
    ),
    "skillpress/render/openapi.py": (
        "tests/test_openapi_schema.py",
        "tests/test_render_golden.py",
        "tests/publish/test_openapi.py",
        "-k",
        # 75 s of fuzzing, and a run of the client against the mock: by hand, not per mutant
        "not schemathesis and not documented_examples_get_responses",
    ),
    "skillpress/render/example_requests.py": ("tests/test_render_golden.py", "tests/test_example_requests.py"),
    "skillpress/render/views.py": ("tests/test_render_golden.py", "tests/test_markdown_structure.py"),
    "skillpress/render/contract_text.py": (
        "tests/test_render_golden.py",
        "tests/test_markdown_structure.py",
        "tests/test_contract_docs.py",
    ),
    "skillpress/publish/release.py": PUBLISH_TESTS,
    "skillpress/publish/bundle.py": PUBLISH_TESTS,
    "skillpress/publish/wheel.py": PUBLISH_TESTS,
    "skillpress/publish/verify.py": PUBLISH_TESTS,
    "skillpress/client/files.py": CLIENT_TESTS,
    "skillpress/client/main.py": CLIENT_TESTS,
    "skillpress/client/output.py": CLIENT_TESTS,
    "skillpress/client/runtime.py": CLIENT_TESTS,
    "skillpress/client/steps.py": CLIENT_TESTS,
    "skillpress/client/transport.py": CLIENT_TESTS,
    "skillpress/mock/app.py": MOCK_TESTS,
    "skillpress/mock/plan.py": MOCK_TESTS,
    "skillpress/mock/replies.py": MOCK_TESTS,
    "skillpress/mock/server.py": MOCK_TESTS,
    "skillpress/mock/store.py": MOCK_TESTS,
    "skillpress/mock/values.py": MOCK_TESTS,
    "skillpress/mock/webhooks.py": MOCK_TESTS,
}

# Operators that need arguments (variable replacer/inserter) are left out, as cosmic-ray's
# own `init` does when none are configured.
SKIP_PRAGMA = "pragma: no mutate"

# cosmic-ray replaces each operator by every other one (`a + b` by `-`, `*`, `/`, `//`, `%`,
# `**`, `<<`, ...): a dozen mutants per site, nearly all killed by any test that runs the
# line, which inflates the score. By default one mutant is kept per site: the nearest
# counterpart below (the off-by-one `<` -> `<=`, `==` -> `!=`, dropping a `not`), as mutmut
# does. `--operators all` keeps cosmic-ray's full set.
COUNTERPART = {
    "Add": "Sub", "Sub": "Add", "Mul": "Div", "Div": "Mul", "FloorDiv": "Div", "Mod": "Div",
    "Pow": "Mul", "BitOr": "BitAnd", "BitAnd": "BitOr", "BitXor": "BitOr", "LShift": "RShift",
    "RShift": "LShift", "Eq": "NotEq", "NotEq": "Eq", "Lt": "LtE", "LtE": "Lt", "Gt": "GtE",
    "GtE": "Gt", "Is": "IsNot", "IsNot": "Is", "Not": "Delete", "USub": "Delete", "UAdd": "Delete",
    "Invert": "Delete",
}  # fmt: skip
_REPLACE = re.compile(r"^Replace(?:Binary|Comparison|Unary)Operator_(\w+?)_(\w+)$")


def _one_per_site(operator: str) -> bool:
    match = _REPLACE.match(operator)
    if not match:
        return True
    first, second = match.groups()
    source, target = (second, "Delete") if first == "Delete" else (first, second)
    return COUNTERPART.get(source) == target


@dataclass
class Mutant:
    module: str
    operator: str
    occurrence: int
    line: int
    source_line: str
    key: str = ""
    id: str = ""


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed / survived / timeout / error
    seconds: float
    mutated_line: str = ""


@dataclass
class ModuleReport:
    module: str
    population: int = 0
    sampled: int = 0
    killed: int = 0
    survived: int = 0
    timeout: int = 0
    error: int = 0
    equivalent: int = 0
    gone: int = 0  # --rerun: survivors whose line no longer exists as it was
    survivors: list[dict[str, object]] = field(default_factory=list)

    @property
    def score(self) -> float:
        judged = self.killed + self.timeout + self.survived
        return 100.0 * (self.killed + self.timeout) / judged if judged else 100.0


# --------------------------------------------------------------------------- mutants


def _annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where type annotations are: mutating `str | None` changes nothing at run time."""
    spans = []
    for node in ast.walk(ast.parse(source)):
        notes: list[ast.expr | None] = []
        if isinstance(node, ast.arg):
            notes.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            notes.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            notes.append(node.annotation)
        for note in notes:
            if note is not None and note.end_lineno is not None and note.end_col_offset is not None:
                spans.append(((note.lineno, note.col_offset), (note.end_lineno, note.end_col_offset)))
    return spans


def _signature_star(node: object) -> bool:
    """`*` or `/` marking keyword-only or positional-only parameters, or `*args` unpacking: not arithmetic."""
    parent = getattr(node, "parent", None)
    return getattr(node, "type", "") == "operator" and getattr(parent, "type", "") in _NOT_ARITHMETIC


_NOT_ARITHMETIC = {"param", "parameters", "argument", "star_expr", "lambdef", "typedargslist", "arglist"}


def enumerate_mutants(module: str, every_operator: bool = False) -> list[Mutant]:
    import cosmic_ray.plugins
    from cosmic_ray.ast import ast_nodes, get_ast

    source = (ROOT / module).read_text(encoding="utf-8")
    lines = source.splitlines()
    spans = _annotation_spans(source)
    tree = get_ast(source)
    mutants: list[Mutant] = []
    for name in cosmic_ray.plugins.operator_names():
        operator_class = cosmic_ray.plugins.get_operator(name)
        if operator_class.arguments() or not (every_operator or _one_per_site(name.split("/", 1)[1])):
            continue
        operator = operator_class()
        positions = [(node, pos) for node in ast_nodes(tree) for pos in operator.mutation_positions(node)]
        for occurrence, (node, (start, _end)) in enumerate(positions):
            text = lines[start[0] - 1] if start[0] <= len(lines) else ""
            if SKIP_PRAGMA in text or any(a <= start < b for a, b in spans) or _signature_star(node):
                continue
            mutants.append(Mutant(module, name.split("/", 1)[1], occurrence, start[0], text.strip()))
    # Stable keys: the same line and operator keep their key when other lines move.
    seen: dict[tuple[str, str], int] = {}
    for m in mutants:
        rank = seen.get((m.operator, m.source_line), 0)
        seen[(m.operator, m.source_line)] = rank + 1
        m.key = f"{m.module}|{m.operator}|{m.source_line}|{rank}"
        m.id = hashlib.sha256(m.key.encode()).hexdigest()[:10]
    return mutants


def mutate_source(mutant: Mutant, source: str) -> str | None:
    import cosmic_ray.plugins
    from cosmic_ray.mutating import mutate_code

    operator = cosmic_ray.plugins.get_operator("core/" + mutant.operator)()
    result: str | None = mutate_code(source, operator, mutant.occurrence)
    return result


def sample(mutants: list[Mutant], n: int | None, seed: int) -> list[Mutant]:
    if n is None or n >= len(mutants):
        return mutants
    ranked = sorted(mutants, key=lambda m: hashlib.sha256(f"{seed}|{m.key}".encode()).hexdigest())
    chosen = {m.id for m in ranked[:n]}
    return [m for m in mutants if m.id in chosen]


def load_equivalents() -> dict[str, str]:
    """`id` -> reason, from the list kept in tests/mutation-equivalents.md."""
    if not EQUIVALENTS.is_file():
        return {}
    found = {}
    for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^[-*]\s+`([0-9a-f]{10})`\s*(.*)$", line)
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


# --------------------------------------------------------------------------- running


def make_copy(dest: Path) -> None:
    """The tracked and untracked (not ignored) files of the working tree, without bytecode."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if not src.is_file() and not src.is_symlink():
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), target)
        else:
            shutil.copy2(src, target)
    cache = ROOT / ".cache"
    if cache.exists() and not (dest / ".cache").exists():
        os.symlink(cache.resolve(), dest / ".cache")


def _preimport() -> None:
    """Import pytest, its plugins and heavy libraries once, before any fork."""
    import importlib
    from importlib.metadata import entry_points

    import pytest  # noqa: F401

    for ep in entry_points(group="pytest11"):
        try:
            ep.load()
        except Exception:  # noqa: S110 - a broken third-party plugin is pytest's business, not ours
            pass
    for name in ("pydantic", "jinja2", "yaml", "markdown_it", "hypothesis", "jsonschema", "mkdocs"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _child(copy: Path, tests: tuple[str, ...], quiet: bool) -> None:
    """Runs in the forked child: import skillpress from `copy`, run the tests, exit."""
    import builtins

    import pytest
    from cosmic_ray.exceptions import CosmicRayTestingException

    builtins.CosmicRayTestingException = CosmicRayTestingException  # type: ignore[attr-defined]
    os.chdir(copy)
    sys.path.insert(0, str(copy))
    sys.dont_write_bytecode = True
    os.setsid()  # our own process group, so a timeout also ends what the tests started
    if quiet:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", "--no-header", *tests])
    os._exit(int(code))


def run_tests(copy: Path, tests: tuple[str, ...], timeout: float, quiet: bool = True) -> tuple[str, float]:
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            _child(copy, tests, quiet)
        finally:
            os._exit(99)
    deadline = start + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            return "timeout", time.monotonic() - start
        time.sleep(0.05)
    code = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - start
    if code == 0:
        return "survived", seconds
    if code in (1, 2, 3):  # tests failed, interrupted (import error), internal error
        return "killed", seconds
    if code < 0:  # killed by a signal: a crash the tests noticed
        return "killed", seconds
    return "error", seconds


def worker(jobs: list[tuple[Mutant, tuple[str, ...], float]], results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    with tempfile.TemporaryDirectory(prefix="skillpress-mutation-") as tmp:
        copy = Path(tmp)
        make_copy(copy)
        os.environ["PYTHONPATH"] = str(copy) + os.pathsep + os.environ.get("PYTHONPATH", "")
        _preimport()
        for mutant, tests, timeout in jobs:
            target = copy / mutant.module
            original = target.read_text(encoding="utf-8")
            mutated = mutate_source(mutant, original)
            if mutated is None:
                results.put(asdict(Outcome(mutant, "error", 0.0)))
                continue
            new_line = mutated.splitlines()[mutant.line - 1].strip() if mutant.line <= len(mutated.splitlines()) else ""
            target.write_text(mutated, encoding="utf-8")
            try:
                status, seconds = run_tests(copy, tests, timeout)
            finally:
                target.write_text(original, encoding="utf-8")
            results.put(asdict(Outcome(mutant, status, seconds, new_line)))
    results.put(None)


def tests_for(module: str) -> tuple[str, ...]:
    """The module's mapped tests that exist in this tree (an older checkout may lack some)."""
    return tuple(t for t in MODULES[module] if t.startswith("-") or not t.startswith("tests/") or (ROOT / t).exists())


def baseline(modules: list[str]) -> dict[str, float]:
    """Each module's tests must pass unmutated; their time sets the per-mutant limit."""
    times: dict[str, float] = {}
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    with tempfile.TemporaryDirectory(prefix="skillpress-mutation-") as tmp:
        copy = Path(tmp)
        make_copy(copy)
        saved = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = str(copy) + os.pathsep + (saved or "")
        by_tests: dict[tuple[str, ...], float] = {}
        try:
            for module in modules:
                tests = tests_for(module)
                if tests not in by_tests:
                    status, seconds = run_tests(copy, tests, 900, quiet=True)
                    if status != "survived":
                        raise SystemExit(f"baseline: the tests for {module} do not pass unmutated ({status})")
                    by_tests[tests] = seconds
                times[module] = by_tests[tests]
        finally:
            if saved is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = saved
    return times


# --------------------------------------------------------------------------- report


def print_table(reports: dict[str, ModuleReport], out=sys.stdout) -> None:  # type: ignore[no-untyped-def]
    head = f"{'module':42} {'mutants':>7} {'run':>4} {'killed':>6} {'surv':>4} {'tmo':>4} {'err':>4} {'equiv':>5} {'score':>6}"
    print(head, file=out)
    total = ModuleReport("TOTAL")
    for name, rep in reports.items():
        print(
            f"{name:42} {rep.population:7} {rep.sampled:4} {rep.killed:6} {rep.survived:4} {rep.timeout:4} "
            f"{rep.error:4} {rep.equivalent:5} {rep.score:5.1f}%",
            file=out,
        )
        for attr in ("population", "sampled", "killed", "survived", "timeout", "error", "equivalent"):
            setattr(total, attr, getattr(total, attr) + getattr(rep, attr))
    print(
        f"{'TOTAL':42} {total.population:7} {total.sampled:4} {total.killed:6} {total.survived:4} {total.timeout:4} "
        f"{total.error:4} {total.equivalent:5} {total.score:5.1f}%",
        file=out,
    )


def print_compare(before: dict[str, dict[str, object]], after: dict[str, ModuleReport]) -> None:
    print(f"\n{'module':42} {'before':>16} {'after':>16}")
    for name, rep in after.items():
        old = before.get(name)
        was = "-"
        if old:
            judged = int(old["killed"]) + int(old["timeout"]) + int(old["survived"])  # type: ignore[call-overload]
            detected = int(old["killed"]) + int(old["timeout"])  # type: ignore[call-overload]
            was = f"{detected}/{judged} {100.0 * detected / judged if judged else 100.0:5.1f}%"
        now = f"{rep.killed + rep.timeout}/{rep.killed + rep.timeout + rep.survived} {rep.score:5.1f}%"
        print(f"{name:42} {was:>16} {now:>16}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("modules", nargs="*", help="modules to mutate (paths as in MODULES; default: all mapped)")
    parser.add_argument("--sample", type=int, default=20, help="mutants per module (default 20)")
    parser.add_argument("--all", action="store_true", help="every mutant, no sampling")
    parser.add_argument("--seed", type=int, default=1, help="sampling seed (default 1)")
    parser.add_argument("--timeout", type=float, help="seconds per mutant (default: 3 x baseline + 10)")
    parser.add_argument(
        "--operators", choices=("sites", "all"), default="sites", help="one mutant per site (default) or all"
    )
    parser.add_argument("--jobs", "-j", type=int, default=1, help="parallel workers, each with its own copy")
    parser.add_argument("--json", type=Path, help="write the results here (for --compare later)")
    parser.add_argument("--compare", type=Path, help="a JSON file from an earlier run: print before/after")
    parser.add_argument("--list", action="store_true", help="list the chosen mutants and stop")
    parser.add_argument("--only", action="append", default=[], help="run only mutants with this id (repeatable)")
    parser.add_argument(
        "--rerun",
        type=Path,
        help="a JSON file from an earlier run: run again only its survivors, keep its killed counts",
    )
    args = parser.parse_args(argv)

    modules = args.modules or list(MODULES)
    for module in modules:
        if module not in MODULES:
            parser.error(f"{module}: no tests mapped; add it to MODULES in {Path(__file__).name}")
    equivalents = load_equivalents()
    earlier = json.loads(args.rerun.read_text(encoding="utf-8"))["modules"] if args.rerun else {}
    chosen: dict[str, list[Mutant]] = {}
    reports: dict[str, ModuleReport] = {}
    for module in modules:
        everything = enumerate_mutants(module, args.operators == "all")
        picked = sample(everything, None if args.all else args.sample, args.seed)
        if args.only:
            picked = [m for m in everything if m.id in args.only]
        reports[module] = ModuleReport(module, population=len(everything))
        if args.rerun:
            # Killed mutants stay killed when tests are only added; run the survivors again.
            # A survivor whose line was since edited has a new id: it is reported as gone.
            old = earlier.get(module, {})
            again = {str(s["id"]) for s in old.get("survivors", [])}
            picked = [m for m in everything if m.id in again]
            rep = reports[module]
            rep.killed, rep.timeout = int(old.get("killed", 0)), int(old.get("timeout", 0))
            rep.sampled = rep.killed + rep.timeout
            rep.gone = len(again) - len(picked)
        chosen[module] = picked
    if args.list:
        for module, picked in chosen.items():
            for m in picked:
                print(f"{m.id}  {module}:{m.line}  {m.operator:45} {m.source_line}")
        return 0

    for module, rep in reports.items():
        if rep.gone:
            print(f"{module}: {rep.gone} earlier survivor(s) gone (their line was edited)", file=sys.stderr)
    modules = [m for m in modules if chosen[m]]
    times = baseline(modules)
    jobs = [
        (m, tests_for(module), args.timeout or 3 * times[module] + 10) for module in modules for m in chosen[module]
    ]
    total = len(jobs)
    print(f"{total} mutants over {len(modules)} modules, {args.jobs} worker(s)", file=sys.stderr)
    ctx = multiprocessing.get_context("fork")
    results: multiprocessing.Queue = ctx.Queue()  # type: ignore[type-arg]
    workers = [ctx.Process(target=worker, args=(jobs[i :: args.jobs], results)) for i in range(args.jobs)]
    for proc in workers:
        proc.start()
    finished = done = 0
    while finished < len(workers):
        item = results.get()
        if item is None:
            finished += 1
            continue
        done += 1
        mutant = item["mutant"]
        rep = reports[mutant["module"]]
        rep.sampled += 1
        status = item["status"]
        if status == "survived" and mutant["id"] in equivalents:
            rep.equivalent += 1
            status = "equivalent"
        else:
            setattr(rep, status, getattr(rep, status) + 1)
        if status in ("survived", "error"):
            rep.survivors.append(
                {
                    "id": mutant["id"],
                    "line": mutant["line"],
                    "operator": mutant["operator"],
                    "status": status,
                    "before": mutant["source_line"],
                    "after": item["mutated_line"],
                }
            )
        print(
            f"[{done}/{total}] {status:10} {item['seconds']:5.1f}s {mutant['id']} "
            f"{mutant['module']}:{mutant['line']} {mutant['operator']}",
            file=sys.stderr,
            flush=True,
        )
    for proc in workers:
        proc.join()

    print()
    print_table(reports)
    for name, rep in reports.items():
        for s in sorted(rep.survivors, key=lambda s: int(s["line"])):  # type: ignore[call-overload]
            print(f"  {s['status']:8} {s['id']} {name}:{s['line']} {s['operator']}")
            print(f"           - {s['before']}\n           + {s['after']}")
    if args.json:
        payload = {
            "seed": args.seed,
            "sample": None if args.all else args.sample,
            "modules": {name: {**asdict(rep), "score": round(rep.score, 1)} for name, rep in reports.items()},
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))["modules"]
        print_compare(before, reports)
    return 0


if __name__ == "__main__":
    random.seed(0)
    sys.exit(main())
