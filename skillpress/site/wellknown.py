"""Skill discovery files served under ``/.well-known/`` (what ``npx skills add <url>`` reads).

Two indexes, both rendered into ``site/agent/.well-known/`` so the drift check covers them:

- ``agent-skills/index.json``: discovery schema 0.2.0. One entry per skill, of type
  ``archive``, pointing at ``<name>.tar.gz`` next to the index with the archive's
  ``sha256`` digest. Installers read this one first.
- ``skills/index.json``: the older layout (no ``$schema``). Each entry lists the skill's
  ``files``, fetched from ``skills/<name>/<file>``; we add a ``sha256`` map of those files
  so a client can verify them too. The files themselves are copied next to it.

The archive is reproducible: sorted regular-file entries only, SKILL.md at its root,
mtime 0, uid/gid 0, no owner names, and a gzip header without a name or timestamp.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile

from skillpress.render import AGENT_DIR
from skillpress.spec.model import Spec

DISCOVERY_SCHEMA = "https://schemas.agentskills.io/discovery/0.2.0/schema.json"
WELL_KNOWN = f"{AGENT_DIR}/.well-known"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def skill_files(files: dict[str, str | bytes], name: str) -> dict[str, bytes]:
    """``{path inside the skill: bytes}`` of ``skills/<name>/``, SKILL.md first, then sorted."""
    prefix = f"skills/{name}/"
    found = {path[len(prefix):]: data.encode("utf-8") if isinstance(data, str) else data
             for path, data in files.items() if path.startswith(prefix)}
    return dict(sorted(found.items(), key=lambda item: (item[0] != "SKILL.md", item[0])))


def archive(members: dict[str, bytes]) -> bytes:
    """A deterministic ``.tar.gz`` of ``members`` (regular files only, in sorted order)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path in sorted(members):
            data = members[path]
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, compresslevel=9, mtime=0) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def render_well_known(spec: Spec, files: dict[str, str | bytes]) -> dict[str, str | bytes]:
    """``{project-relative path: text or bytes}`` of both indexes, the archives and the legacy copies."""
    out: dict[str, str | bytes] = {}
    v2: list[dict[str, object]] = []
    v1: list[dict[str, object]] = []
    for skill in spec.skills:
        members = skill_files(files, skill.name)
        packed = archive(members)
        out[f"{WELL_KNOWN}/agent-skills/{skill.name}.tar.gz"] = packed
        v2.append({
            "name": skill.name,
            "description": skill.description,
            "type": "archive",
            "url": f"{skill.name}.tar.gz",
            "digest": f"sha256:{sha256(packed)}",
        })
        for path, data in members.items():
            out[f"{WELL_KNOWN}/skills/{skill.name}/{path}"] = data
        v1.append({
            "name": skill.name,
            "description": skill.description,
            "files": list(members),
            "sha256": {path: sha256(data) for path, data in members.items()},
        })
    out[f"{WELL_KNOWN}/agent-skills/index.json"] = _json({"$schema": DISCOVERY_SCHEMA, "skills": v2})
    out[f"{WELL_KNOWN}/skills/index.json"] = _json({"skills": v1})
    return out
