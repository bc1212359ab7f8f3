"""Where the example products live: one home for the paths tests use."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
IMAGE_SKILL = EXAMPLES / "image-skill"
IMAGE_SPEC = IMAGE_SKILL / "spec.yaml"
SCHEMA = ROOT / "schema" / "skillpress.schema.json"
