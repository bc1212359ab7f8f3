"""Start-up of the contract-driven thin client against a Node peer, measured in the same run.

    .venv/bin/python benchmarks/bench_client.py [--runs 20]

Two figures, each the median wall time of ``--runs`` runs after 3 warm-ups, with the
ratio to the peer and the target from issue 11:

* ``--version``                          target <= 0.4x the Node client's
* ``models list --json`` (a loopback GET) target <= 0.35x the Node client's

The Python client runs as ``pip install`` of its wheel leaves it: a fresh venv whose
site-packages hold ``image_skill/`` (``client/`` with the compiled ``contract.json``, and
``contract/``), byte-compiled, started through its console script. The GET goes to a tiny HTTP server on
127.0.0.1 in this process that answers with the spec's reply envelope.

The Node peer is npm's ``image-skill`` (the version the registry serves is installed into
``.cache/image-skill-node`` on first use; 0.1.9 is asked for first). When the registry no
longer serves a working client (a rename stub prints a notice and exits), the peer falls
back to Node's own floor, measured the same way: ``node -e`` printing a version, and a
``node`` script that does one ``fetch`` of the same URL and prints the body. A floor is
stricter than any real Node client (which loads its own code on top), so a target met
against it is met against the client too. The script prints which peer it used.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NODE_PREFIX = ROOT / ".cache" / "image-skill-node"
TARGETS = {"--version": 0.4, "loopback GET": 0.35}


def _median_ms(argv: list[str], env: dict[str, str], runs: int, cwd: str, warmup: int = 3) -> float:
    times = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, capture_output=True, cwd=cwd)
        elapsed = (time.perf_counter() - start) * 1000
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()[:400]}")
        if i >= warmup:
            times.append(elapsed)
    return statistics.median(times)


def _installed(folder: Path) -> Path:
    """A fresh venv with ``image_skill/`` in its site-packages, as ``pip install`` of the
    wheel leaves it (byte-compiled), and its console script; returns the script."""
    import compileall
    import sysconfig

    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    del sysconfig
    _wheel_layout(Path(purelib))
    compileall.compile_dir(str(Path(purelib) / "image_skill"), quiet=1)
    script = venv / "bin" / "image-skill"
    script.write_text(
        f"#!{python}\nimport sys\nfrom image_skill.client.main import run\nsys.exit(run())\n", encoding="utf-8"
    )
    script.chmod(0o755)
    return script


def _wheel_layout(folder: Path) -> Path:
    """``image_skill/`` as the wheel holds it (client, contract modules, contract.json)."""
    from skillpress.contract.compile import render_contract_json
    from skillpress.publish.wheel import CONTRACT_RUNTIME
    from skillpress.spec import load_spec

    spec = load_spec(ROOT / "examples" / "image-skill" / "spec.yaml").spec
    assert spec is not None
    package = folder / "image_skill"
    (package / "client").mkdir(parents=True)
    (package / "contract").mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for path in (ROOT / "skillpress" / "client").glob("*.py"):
        shutil.copy2(path, package / "client" / path.name)
    for name in CONTRACT_RUNTIME:
        if (ROOT / "skillpress" / "contract" / name).is_file():
            shutil.copy2(ROOT / "skillpress" / "contract" / name, package / "contract" / name)
    (package / "client" / "contract.json").write_text(render_contract_json(spec), encoding="utf-8")
    return folder


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    body = json.dumps(
        {"ok": True, "command": "models list", "trace_id": "trace_bench", "data": {"models": []}, "warnings": []}
    ).encode()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def _node_client() -> Path | None:
    """The real Node client: the folder ``SKILLPRESS_IMAGE_SKILL_CLIENT`` names (a copy of
    the published package, e.g. from its public source, when the registry no longer serves
    0.1.9; the mock's Node test reads the same variable), else npm's image-skill, installed
    on first use; ``None`` when none works."""
    given = os.environ.get("SKILLPRESS_IMAGE_SKILL_CLIENT")
    if given:
        script = Path(given) / "bin" / "image-skill.mjs"
        probe = subprocess.run([str(script), "--version"], capture_output=True, timeout=60)
        return script if probe.returncode == 0 else None
    script = NODE_PREFIX / "node_modules" / ".bin" / "image-skill"
    npm = shutil.which("npm")
    if not script.exists() and npm:
        for version in ("0.1.9", "latest"):
            proc = subprocess.run(
                [npm, "install", "--prefix", str(NODE_PREFIX), "--no-audit", "--no-fund", "--no-save",
                 f"image-skill@{version}"],
                capture_output=True, timeout=300,
            )  # fmt: skip
            if proc.returncode == 0:
                break
    if not script.exists():
        return None
    probe = subprocess.run([str(script), "--version"], capture_output=True, timeout=60)
    return script if probe.returncode == 0 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="measured runs per figure")
    args = parser.parse_args()
    node = shutil.which("node")
    if node is None:
        print("node is not installed: no peer to compare with")
        return 2
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        script = _installed(home)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "xdg"),
            "LANG": "C.UTF-8",
            "IMAGE_SKILL_API_BASE_URL": url,
            "IMAGE_SKILL_TOKEN": "isk_r_BENCHMARKBENCHMARK",
        }
        python = [str(script)]
        client = _node_client()
        if client is not None:
            peer_name = f"npm image-skill ({client})"
            peer = {"--version": [str(client), "--version"], "loopback GET": [str(client), "models", "list", "--json"]}
        else:
            peer_name = "Node floor (the npm image-skill package is not a working client on this registry)"
            fetch = (
                "fetch(process.argv[1]).then(r => r.text()).then(t => process.stdout.write(t))"
                ".catch(e => { console.error(e); process.exit(1) })"
            )
            peer = {
                "--version": [node, "-e", "process.stdout.write('image-skill 0.1.9\\n')"],
                "loopback GET": [node, "-e", fetch, url + "/v1/models"],
            }
        ours = {"--version": [*python, "--version"], "loopback GET": [*python, "models", "list", "--json"]}
        print(f"median of {args.runs} runs after 3 warm-ups, {os.cpu_count()} CPUs; peer: {peer_name}")
        print(f"  {'figure':14} {'python':>9} {'peer':>9} {'ratio':>7} target")
        floor_py = _median_ms([str(script.parent / "python"), "-c", "pass"], env, args.runs, str(home))
        floor_node = _median_ms([node, "-e", "0"], env, args.runs, str(home))
        print(
            f"  {'floors':14} {floor_py:7.1f}ms {floor_node:7.1f}ms {floor_py / floor_node:6.2f}x (python -c pass, node -e 0)"
        )
        status = 0
        for figure, target in TARGETS.items():
            mine = _median_ms(ours[figure], env, args.runs, str(home))
            theirs = _median_ms(peer[figure], env, args.runs, str(home))
            ratio = mine / theirs
            verdict = "met" if ratio <= target else "missed"
            status |= verdict == "missed"
            print(f"  {figure:14} {mine:7.1f}ms {theirs:7.1f}ms {ratio:6.2f}x <= {target}x {verdict}")
    server.shutdown()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
