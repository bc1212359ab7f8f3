"""The checkout-fragment rule is data: one edit of the spec changes the docs and the client alike."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from skillpress.client.main import main
from skillpress.contract.compile import compile_contract
from skillpress.render import render_all
from skillpress.spec import load_spec_text
from tests.client.conftest import IMAGE_SPEC
from tests.client.stubs import Reply, Stub, envelope

URL = "https://checkout.stripe.com/c/pay/cs_test_a1#fidkdWxOYHwnPyd1"
KEEPS = "keeping a URL's `#...` fragment"
DROPS = "dropping a URL's `#...` fragment"


def _spec(keep: bool):  # type: ignore[no-untyped-def]
    text = IMAGE_SPEC.read_text(encoding="utf-8")
    assert text.count("keep_fragment: true") == 2
    text = text.replace("keep_fragment: true", f"keep_fragment: {'true' if keep else 'false'}")
    result = load_spec_text(text, "spec.yaml", IMAGE_SPEC.parent)
    assert result.ok and result.spec is not None, [d.format_text() for d in result.diagnostics]
    return result.spec


def _docs(spec) -> str:  # type: ignore[no-untyped-def]
    files = render_all(spec).files
    return "\n".join(data.decode("utf-8") for name, data in files.items() if name.startswith("site/agent/cli"))


def _client_url(spec, stub: Stub, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    stub.route("GET", "/v1/credit-purchases/status", Reply(200, envelope({"payment_attempt": {"checkout_url": URL}})))
    out = io.BytesIO()
    code = main(
        ["credits", "status", "--payment-attempt-id", "payatt_1", "--json"],
        env={
            "IMAGE_SKILL_TOKEN": "isk_r_0123456789abcdef",
            "IMAGE_SKILL_API_BASE_URL": stub.url,
            "HOME": str(tmp_path),
        },
        stdin=io.BytesIO(),
        stdout=out,
        stderr=io.BytesIO(),
        contract=compile_contract(spec),
    )
    assert code == 0, out.getvalue()
    return str(json.loads(out.getvalue())["data"]["payment_attempt"]["checkout_compact_url"])


@pytest.mark.parametrize("keep", [True, False])
def test_one_edit_changes_docs_and_client(keep: bool, stub: Stub, tmp_path: Path) -> None:
    spec = _spec(keep)
    docs = _docs(spec)
    assert (KEEPS in docs) is keep and (DROPS in docs) is not keep
    assert _client_url(spec, stub, tmp_path) == (URL if keep else URL.partition("#")[0])
