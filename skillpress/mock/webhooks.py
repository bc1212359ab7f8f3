"""Webhook deliveries: POST an event's JSON to a loopback URL, once, and note the answer.

Only loopback targets are ever called (the app checks before it hands one over, and
this module checks again), so a mock cannot be turned into a client of the internet.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from skillpress.contract.protocol import is_loopback

from .store import Store

log = logging.getLogger("skillpress.mock")
TIMEOUT_SECONDS = 5


def deliver(store: Store, seq: int, target: str, payload: dict[str, Any]) -> None:
    """POST ``payload`` to ``target``; the HTTP status (0: unreachable) goes to the event row."""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not is_loopback(parts.hostname):
        return
    request = urllib.request.Request(  # noqa: S310 - loopback http(s) only, checked above
        target,
        data=json.dumps(payload, sort_keys=True).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    status = 0
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as reply:  # noqa: S310 - loopback only
            status = reply.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:
        log.info("webhook delivery to %s failed: %s", target, exc)
    try:
        store.mark_delivered(seq, status)
    except Exception:  # the mock may be closing
        log.debug("could not note webhook delivery %s", seq)
