"""Skill discovery files served under ``/.well-known/`` (what ``npx skills add <url>`` reads).

Two indexes, both rendered into ``site/agent/.well-known/`` so the drift check covers them:

- ``agent-skills/index.json``: discovery schema 0.2.0. One entry per skill, of type
  ``archive``, pointing at ``<name>.zip`` next to the index with the archive's
  ``sha256`` digest. Installers read this one first.
- ``skills/index.json``: the older layout (no ``$schema``). Each entry lists the skill's
  ``files``, fetched from ``skills/<name>/<file>``; we add a ``sha256`` map of those files
  so a client can verify them too. The files themselves are copied next to it.

The archive is a zip whose entries are stored, not compressed: compressed bytes depend
on the zlib build of the machine, stored bytes do not, so the archive (and the digest in
the index) is byte-identical everywhere. Entries are sorted regular files with SKILL.md
at the root, a fixed 1980-01-01 timestamp and 0644 permissions.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from skillpress.render import AGENT_DIR
from skillpress.spec.model import Spec

DISCOVERY_SCHEMA = "https://schemas.agentskills.io/discovery/0.2.0/schema.json"
WELL_KNOWN = f"{AGENT_DIR}/.well-known"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def skill_files(files: dict[str, str | bytes], name: str) -> dict[str, bytes]:
    """``{path inside the skill: bytes}`` of ``skills/<name>/``, SKILL.md first, then sorted."""
    prefix = f"skills/{name}/"
    found = {
        path[len(prefix) :]: data.encode("utf-8") if isinstance(data, str) else data
        for path, data in files.items()
        if path.startswith(prefix)
    }
    return dict(sorted(found.items(), key=lambda item: (item[0] != "SKILL.md", item[0])))


def archive(members: dict[str, bytes]) -> bytes:
    """A deterministic, uncompressed ``.zip`` of ``members`` (sorted regular files)."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, mode="w", compression=zipfile.ZIP_STORED) as zf:
        for path in sorted(members):
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # unix, so the permission bits below are meaningful
            info.external_attr = (0o100644 & 0xFFFF) << 16
            zf.writestr(info, members[path])
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
        out[f"{WELL_KNOWN}/agent-skills/{skill.name}.zip"] = packed
        v2.append(
            {
                "name": skill.name,
                "description": skill.description,
                "type": "archive",
                "url": f"{skill.name}.zip",
                "digest": f"sha256:{sha256(packed)}",
            }
        )
        for path, data in members.items():
            out[f"{WELL_KNOWN}/skills/{skill.name}/{path}"] = data
        v1.append(
            {
                "name": skill.name,
                "description": skill.description,
                "files": list(members),
                "sha256": {path: sha256(data) for path, data in members.items()},
            }
        )
    out[f"{WELL_KNOWN}/agent-skills/index.json"] = _json({"$schema": DISCOVERY_SCHEMA, "skills": v2})
    out[f"{WELL_KNOWN}/skills/index.json"] = _json({"skills": v1})
    return out
