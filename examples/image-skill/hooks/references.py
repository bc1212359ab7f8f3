"""Reference images for create and edit: ``IMAGE[@INDEX[:TASK]]`` values into ``references``.

Each value names an image (an asset id, an owned URL, a local path or an image URL);
what the command's upload step did not already replace by an asset id (a value with an
``@`` suffix) is uploaded here through the same step. Indexes default to the next free
one per role and must start at 0 and be contiguous; an element takes at most three
extra views and needs a frontal view.
"""

from __future__ import annotations

import re
from typing import Any

ROLES = {
    "--reference-image": ("reference_image", re.compile(r"^(\d)(?::(ip|id|style))?$")),
    "--element-frontal": ("element_frontal", re.compile(r"^(\d)$")),
    "--element-reference": ("element_reference", re.compile(r"^(\d)(?::(\d))?$")),
}
ASSET_ID = re.compile(r"^(asset|image|video|audio|mask|thumb|file)_[A-Za-z0-9._-]{1,128}$")


def _items(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def plan(values: dict[str, Any], fields: dict[str, Any], client: Any) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    counters: dict[str, int] = {}
    for flag, (role, pattern) in ROLES.items():
        for raw in _items(values.get(flag)):
            image, index, extra = raw, None, None
            head, at, tail = raw.rpartition("@")
            match = pattern.match(tail) if at else None
            if match and head:
                image, index = head, int(match.group(1))
                extra = match.group(2) if match.lastindex == 2 else None
            if index is None:
                index = counters.get(flag, 0)
            if flag != "--element-reference":
                counters[flag] = index + 1
            if not ASSET_ID.match(image):
                image = client.upload(image)
            item: dict[str, Any] = {"asset_id": image, "role": role, "index": index}
            if flag == "--reference-image" and extra:
                item["reference_task"] = extra
            if flag == "--element-reference" and extra is not None:
                item["reference_index"] = int(extra)
            entries.append(item)
    if not entries:
        return {}
    _check(entries, client)
    return {"references": entries}


def _check(entries: list[dict[str, Any]], client: Any) -> None:
    images = sorted(e["index"] for e in entries if e["role"] == "reference_image")
    if images != list(range(len(images))):
        client.fail("--reference-image indexes must be unique and start at 0 (IMG@0, IMG@1, ...)", "--reference-image")
    frontals = sorted(e["index"] for e in entries if e["role"] == "element_frontal")
    if frontals != list(range(len(frontals))):
        client.fail("--element-frontal element indexes must be unique and start at 0", "--element-frontal")
    per_element: dict[int, int] = {}
    for entry in entries:
        if entry["role"] != "element_reference":
            continue
        if entry["index"] not in frontals:
            client.fail(f"element {entry['index']} has a reference but no --element-frontal", "--element-reference")
        per_element[entry["index"]] = per_element.get(entry["index"], 0) + 1
        if per_element[entry["index"]] > 3 or entry.get("reference_index", 0) > 2:
            client.fail("at most 3 references (index 0-2) per element", "--element-reference")
