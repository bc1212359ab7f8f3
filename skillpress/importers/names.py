"""Names and one-line texts both importers make from what they read.

Ids, command words and flags are kebab-case; argument and placeholder names are
UPPER_SNAKE; one-line fields take a description's first sentence. The draft's dates come
from ``SOURCE_DATE_EPOCH`` when it is set, so an import can be reproduced byte for byte.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from typing import Any

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def kebab(text: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", str(text))
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def upper_snake(text: str) -> str:
    name = re.sub(r"[^A-Z0-9]+", "_", kebab(text).upper()).strip("_")
    return name if name and name[0].isalpha() else f"P_{name}" if name else "VALUE"


def one_line(text: Any, limit: int = 290) -> str | None:
    """The first sentence (or line) of a description, short enough for a one-line field."""
    if not isinstance(text, str) or not text.strip():
        return None
    first = " ".join(text.strip().split("\n\n")[0].split())
    match = re.match(r"(.+?[.!?])(\s|$)", first)
    if match and len(match.group(1)) >= 12:
        first = match.group(1)
    if len(first) > limit:
        first = first[: limit - 3].rstrip() + "..."
    return first


def today() -> _dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.UTC).date()
    return _dt.datetime.now(_dt.UTC).date()
