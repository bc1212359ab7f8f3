"""The mock's state in SQLite: accounts, credentials, records, idempotent replies, blobs, events.

One connection per mock, used under a lock; every request that may write runs in one
``BEGIN IMMEDIATE`` transaction (:meth:`Store.transaction`). Two mocks sharing one file
therefore serialise their writes through SQLite itself: a grant, a debit or an
idempotent reply is decided and written in the same transaction, so a race can neither
grant twice nor spend twice. The file is in WAL mode with a busy timeout, so a second
mock waits for the first instead of failing.

Credentials are stored hashed (SHA-256); nothing here ever holds a secret in clear.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, balance REAL NOT NULL DEFAULT 0, created REAL);
CREATE TABLE IF NOT EXISTS credentials (hash TEXT PRIMARY KEY, account TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, account TEXT, fields TEXT NOT NULL,
  stage TEXT, reads INTEGER NOT NULL DEFAULT 0, created REAL);
CREATE TABLE IF NOT EXISTS replies (
  account TEXT NOT NULL, endpoint TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (account, endpoint, key));
CREATE TABLE IF NOT EXISTS blobs (path TEXT PRIMARY KEY, mime TEXT);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT, type TEXT NOT NULL, subject TEXT,
  target TEXT, payload TEXT NOT NULL, delivered INTEGER, created REAL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def credential_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Store:
    """SQLite state; ``path`` is a file or ``:memory:``."""

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self.lock = threading.RLock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA busy_timeout = 30000")
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
        with self.transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)

    def close(self) -> None:
        with self.lock:
            self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction, committed on success, rolled back on error."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    # ---------------------------------------------------------------- accounts

    def new_account(self, balance: float) -> str:
        account = "acct_" + os.urandom(6).hex()
        self.db.execute("INSERT INTO accounts VALUES (?, ?, ?)", (account, balance, time.time()))
        return account

    def add_credential(self, secret: str, account: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO credentials VALUES (?, ?)", (credential_hash(secret), account))

    def account_of(self, secret: str) -> str | None:
        row = self.db.execute("SELECT account FROM credentials WHERE hash = ?", (credential_hash(secret),)).fetchone()
        return row[0] if row else None

    def balance(self, account: str) -> float:
        row = self.db.execute("SELECT balance FROM accounts WHERE id = ?", (account,)).fetchone()
        return float(row[0]) if row else 0.0

    def debit(self, account: str, amount: float) -> bool:
        """Take ``amount`` if the balance covers it (inside the caller's transaction)."""
        cursor = self.db.execute(
            "UPDATE accounts SET balance = balance - ? WHERE id = ? AND balance >= ?", (amount, account, amount)
        )
        return cursor.rowcount == 1

    def credit(self, account: str, amount: float) -> None:
        self.db.execute("UPDATE accounts SET balance = balance + ? WHERE id = ?", (amount, account))

    # ---------------------------------------------------------------- records

    def put_record(self, record_id: str, kind: str, account: str | None, fields: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO records (id, kind, account, fields, stage, reads, created) "
            "VALUES (?, ?, ?, ?, NULL, 0, ?)",
            (record_id, kind, account, json.dumps(fields, sort_keys=True), time.time()),
        )

    def record(self, record_id: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute("SELECT * FROM records WHERE id = ?", (record_id,)).fetchone()
        return row

    def touch(self, record_id: str) -> int:
        """Count one more read of a record; the new count."""
        self.db.execute("UPDATE records SET reads = reads + 1 WHERE id = ?", (record_id,))
        row = self.db.execute("SELECT reads FROM records WHERE id = ?", (record_id,)).fetchone()
        return int(row[0]) if row else 0

    def set_state(self, record_id: str, state: str) -> None:
        self.db.execute("UPDATE records SET stage = ? WHERE id = ?", (state, record_id))

    # ---------------------------------------------------------------- idempotency

    def stored_reply(self, account: str, endpoint: str, key: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(
            "SELECT fingerprint, status, body FROM replies WHERE account = ? AND endpoint = ? AND key = ?",
            (account, endpoint, key),
        ).fetchone()
        return row

    def store_reply(self, account: str, endpoint: str, key: str, request: str, status: int, body: str) -> None:
        self.db.execute(
            "INSERT INTO replies VALUES (?, ?, ?, ?, ?, ?)", (account, endpoint, key, request, status, body)
        )

    # ---------------------------------------------------------------- blobs and events

    def add_blob(self, path: str, mime: str | None) -> None:
        self.db.execute("INSERT OR IGNORE INTO blobs VALUES (?, ?)", (path, mime))

    def blob(self, path: str) -> sqlite3.Row | None:
        with self.lock:
            row: sqlite3.Row | None = self.db.execute("SELECT mime FROM blobs WHERE path = ?", (path,)).fetchone()
            return row

    def add_event(
        self, account: str | None, event_type: str, subject: str | None, target: str | None, payload: Any
    ) -> int:
        cursor = self.db.execute(
            "INSERT INTO events (account, type, subject, target, payload, delivered, created) "
            "VALUES (?, ?, ?, ?, ?, NULL, ?)",
            (account, event_type, subject, target, json.dumps(payload, sort_keys=True), time.time()),
        )
        return int(cursor.lastrowid or 0)

    def mark_delivered(self, seq: int, status: int) -> None:
        with self.transaction():
            self.db.execute("UPDATE events SET delivered = ? WHERE seq = ?", (status, seq))

    def events(self, account: str | None = None) -> list[sqlite3.Row]:
        with self.lock:
            if account is None:
                return list(self.db.execute("SELECT * FROM events ORDER BY seq"))
            return list(self.db.execute("SELECT * FROM events WHERE account = ? ORDER BY seq", (account,)))
