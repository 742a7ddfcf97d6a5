"""Where mutable state lives: subscriptions, digests, the exactly-once ledger and gene lists.

By default they are tables of the bot's SQLite database (store/schema.py), reached through
the same `Database` as the figures. With a `database_url` they live in PostgreSQL, shared by
every `serve` replica and every clock process, while each machine keeps its own read-only
copy of the figure index. `PgDatabase` quacks like `Database` (qmark SQL, cursors), and
`transaction()` opens the right kind of write transaction for either; the SQL of
store/subscriptions.py and store/digest.py is written to run on both.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .schema import Database, write

PG_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id BIGSERIAL PRIMARY KEY,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    symbols TEXT NOT NULL DEFAULT '[]',
    search TEXT,
    created TEXT NOT NULL,
    created_by TEXT,
    UNIQUE (channel, kind, key)
);
CREATE TABLE IF NOT EXISTS channels (
    channel TEXT PRIMARY KEY,
    watermark TEXT,
    last_digest TEXT,
    paused_reason TEXT,
    paused_at TEXT
);
CREATE TABLE IF NOT EXISTS digests (
    id BIGSERIAL PRIMARY KEY,
    channel TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('sending', 'sent')),
    started TEXT NOT NULL,
    cutoff TEXT NOT NULL,
    figures TEXT NOT NULL,
    labels TEXT NOT NULL,
    ts TEXT
);
CREATE INDEX IF NOT EXISTS digests_channel_state ON digests (channel, state);
CREATE TABLE IF NOT EXISTS digest_posts (
    channel TEXT NOT NULL,
    figure_id BIGINT NOT NULL,
    digest_id BIGINT NOT NULL REFERENCES digests(id),
    PRIMARY KEY (channel, figure_id)
);
CREATE TABLE IF NOT EXISTS gene_lists (
    key TEXT PRIMARY KEY,
    genes TEXT NOT NULL,
    background TEXT,
    min_overlap INTEGER NOT NULL,
    created TEXT NOT NULL
);
"""
QMARK = re.compile(r"\?")
DIGEST_LOCK = 0x70617468  # pg advisory lock key of the digest run ("path")


class PgDatabase:
    """One PostgreSQL connection (autocommit; `transaction()` groups writes), used with
    the same qmark SQL as SQLite. Thread-safe like the SQLite one: one statement at once."""

    def __init__(self, url: str):
        import psycopg

        self.url = url
        self.conn = psycopg.connect(_libpq_url(url), autocommit=True, connect_timeout=5)
        self._lock = threading.RLock()
        with self.conn.transaction():
            self.conn.execute(PG_SCHEMA)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._lock:
            return self.conn.execute(QMARK.sub("%s", sql), list(params))

    def close(self) -> None:
        self.conn.close()


def _libpq_url(url: str) -> str:
    """SQLAlchemy's 'postgresql+psycopg://…' as libpq's 'postgresql://…'."""
    return re.sub(r"^postgres(?:ql)?(\+\w+)?://", "postgresql://", url)


StateDB = Database | PgDatabase  # what store/subscriptions.py and store/digest.py take


@contextmanager
def transaction(db: StateDB) -> Iterator[None]:
    """A write transaction: BEGIN IMMEDIATE on SQLite, BEGIN on PostgreSQL."""
    if isinstance(db, PgDatabase):
        with db._lock, db.conn.transaction():
            yield
    else:
        with write(db.conn):
            yield


@contextmanager
def digest_lock(db: StateDB) -> Iterator[bool]:
    """Across machines, only one digest run at a time: a PostgreSQL advisory lock (the
    file lock beside the SQLite database covers one machine). Yields whether it got it."""
    if not isinstance(db, PgDatabase):
        yield True
        return
    row = db.execute("SELECT pg_try_advisory_lock(?)", [DIGEST_LOCK]).fetchone()
    try:
        yield bool(row and row[0])
    finally:
        if row and row[0]:
            db.execute("SELECT pg_advisory_unlock(?)", [DIGEST_LOCK])
