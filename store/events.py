"""Slack event ids already answered, in a small database file of their own.

Claiming an event is a write on the path that must ack Slack within 3 s. In the figure
database it would queue behind a bulk ingest's write transaction (seconds long), so the
claims live in `<db>.events.db`, which only request handlers write, in one-row
transactions. If even that is locked past a short timeout, the claim falls back to this
process's memory (logged), so the ack is never late; a retry then reaching another worker
is the only cost.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .schema import write

LOG = logging.getLogger("pathway_bot")
MEMORY = timedelta(days=1)  # Slack gives up retrying an event within hours
BUSY_TIMEOUT_MS = 500  # well inside Slack's 3 s
FALLBACK_SIZE = 10_000  # event ids remembered in memory when the file is locked

SCHEMA = """
CREATE TABLE IF NOT EXISTS handled_events (event_id TEXT PRIMARY KEY, handled TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS handled_events_handled ON handled_events (handled);
"""


def events_path(db_path: Path) -> Path:
    """`pathway-bot.db` -> `pathway-bot.events.db`, beside it."""
    return db_path.with_name(f"{db_path.stem}.events.db")


class EventClaims:
    """First-claim-wins over event ids, shared by every worker process on one machine."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._fallback: OrderedDict[str, None] = OrderedDict()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(
                str(self.path), check_same_thread=False, isolation_level="IMMEDIATE"
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.executescript(SCHEMA)
            self._conn = conn
        return self._conn

    def claim(self, event_id: str, now: datetime | None = None) -> bool:
        """True the first time an event id is seen; False for Slack's retries of it."""
        now = now or datetime.now(UTC)
        with self._lock:
            try:
                conn = self._connection()
                with write(conn):
                    conn.execute(
                        "DELETE FROM handled_events WHERE handled < ?", [(now - MEMORY).isoformat()]
                    )
                    cursor = conn.execute(
                        "INSERT OR IGNORE INTO handled_events VALUES (?, ?)",
                        [event_id, now.isoformat()],
                    )
                return cursor.rowcount == 1
            except sqlite3.Error as error:
                LOG.warning(
                    "event claims in %s unavailable (%s); using this process's memory",
                    self.path,
                    error,
                )
                return self._claim_in_memory(event_id)

    def _claim_in_memory(self, event_id: str) -> bool:
        if event_id in self._fallback:
            return False
        self._fallback[event_id] = None
        while len(self._fallback) > FALLBACK_SIZE:
            self._fallback.popitem(last=False)
        return True

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class SharedEventClaims(EventClaims):
    """The same claims in a SQLAlchemy database (`database_url`): shared by every `serve`
    replica, so a retry that reaches another machine is still answered once. Falls back
    to this process's memory when the database cannot answer in time, like the file."""

    def __init__(self, url: str):
        super().__init__(Path(url))
        self.url = url
        self._engine: Any = None

    def _connection(self) -> Any:  # an SQLAlchemy Engine here, not a sqlite3 connection
        if self._engine is None:
            import sqlalchemy

            engine = sqlalchemy.create_engine(
                self.url, pool_size=2, pool_pre_ping=True, connect_args=_connect_args(self.url)
            )
            with engine.begin() as conn:
                conn.execute(
                    sqlalchemy.text(
                        "CREATE TABLE IF NOT EXISTS handled_events "
                        "(event_id TEXT PRIMARY KEY, handled TEXT NOT NULL)"
                    )
                )
            self._engine = engine
        return self._engine

    def claim(self, event_id: str, now: datetime | None = None) -> bool:
        import sqlalchemy

        now = now or datetime.now(UTC)
        with self._lock:
            try:
                with self._connection().begin() as conn:
                    conn.execute(
                        sqlalchemy.text("DELETE FROM handled_events WHERE handled < :old"),
                        {"old": (now - MEMORY).isoformat()},
                    )
                    result = conn.execute(
                        sqlalchemy.text(
                            "INSERT INTO handled_events VALUES (:id, :now) ON CONFLICT DO NOTHING"
                        ),
                        {"id": event_id, "now": now.isoformat()},
                    )
                return result.rowcount == 1
            except sqlalchemy.exc.SQLAlchemyError as error:
                LOG.warning(
                    "shared event claims unavailable (%s); using this process's memory", error
                )
                return self._claim_in_memory(event_id)

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


def _connect_args(url: str) -> dict:
    """A claim is on the ack's path: connecting may take at most a second."""
    return {"connect_timeout": 1} if url.startswith("postgresql") else {}
