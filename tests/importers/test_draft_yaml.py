"""The draft writer: whatever an importer builds reads back as exactly that data."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from skillpress.importers.draft import Noted, plain, to_yaml

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), TEXT)


def _noted(children: Any) -> Any:
    return st.one_of(children, st.builds(Noted, children, TEXT))


VALUES = st.recursive(
    _noted(SCALARS),
    lambda children: _noted(st.one_of(st.lists(children, max_size=4), st.dictionaries(TEXT, children, max_size=4))),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(TEXT, VALUES, min_size=1, max_size=6), TEXT)
def test_the_written_yaml_reads_back_as_the_data(data: dict[str, Any], header: str) -> None:
    assert yaml.safe_load(to_yaml(data, header)) == plain(data)
