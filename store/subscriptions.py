"""Channel subscriptions: turning `/pathway subscribe ...` text into rows, and back."""

import hashlib
import json
import re

from .models import (
    KIND_AMBIGUOUS,
    KIND_FAMILY,
    KIND_GENE,
    KIND_NONE,
    SUB_SEARCH,
    SUB_SIGNATURE,
    ChannelState,
    Subscription,
)
from .resolve import Resolver
from .search import parse_terms
from .state import StateDB, transaction

ALL = "all"
SIGNATURE_RE = re.compile(r"^signature\s+(\S+)(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)
SIGNATURE_NAME_RE = re.compile(r"^[\w.-]{1,40}$")


def signature_parts(text: str) -> tuple[str, str] | None:
    """('hypoxia', 'HIF1A VEGFA …') for 'signature hypoxia HIF1A VEGFA …', else None."""
    found = SIGNATURE_RE.match(text.strip())
    return (found.group(1), found.group(2) or "") if found else None


def signature(channel: str, name: str, genes: tuple[str, ...], note: str) -> Subscription:
    return Subscription(
        channel,
        SUB_SIGNATURE,
        name.lower(),
        f"signature {name} ({len(genes)} genes)",
        genes,
        note=note,
    )


def understand(resolver: Resolver, channel: str, text: str) -> tuple[list[Subscription], list[str]]:
    """Subscriptions the text names, and one message per term that names nothing."""
    text = " ".join(text.split())
    if text.lower().startswith("search "):
        search = text[7:].strip()
        if not parse_terms(search):
            return [], [f"“{search}” has no words to search for."]
        key = " ".join(parse_terms(search)).lower()
        return [Subscription(channel, SUB_SEARCH, key, f"search “{search}”", search=search)], []
    resolutions, suggestions = resolver.resolve_query(text)
    found, problems = [], []
    for r in resolutions:
        if r.kind == KIND_NONE or not r.symbols:
            hint = (
                f" Did you mean {', '.join(suggestions[:3])}?"
                if suggestions
                else f" For a topic, use `subscribe search {r.input}`."
            )
            problems.append(f"“{r.input}” is not a gene or family I know.{hint}")
            continue
        symbols = r.symbols[:1] if r.kind == KIND_AMBIGUOUS else r.symbols
        kind = KIND_FAMILY if r.kind == KIND_FAMILY else KIND_GENE
        note = ""
        if r.corrected:
            note = f"“{r.input}” read as {r.title} (typo corrected)"
        elif r.kind == KIND_AMBIGUOUS:
            note = (
                f"“{r.input}” also names {', '.join(r.symbols[1:])}; subscribe to one of "
                "those by its symbol if you meant it"
            )
        elif r.input.upper() != r.title.upper() and r.note:
            note = f"“{r.input}” read as {r.title} ({r.note})"
        label = f"{r.title} ({len(symbols)} genes)" if kind == KIND_FAMILY else r.title
        found.append(
            Subscription(channel, kind, ",".join(sorted(symbols)), label, tuple(symbols), note=note)
        )
    return found, problems


def save(
    db: StateDB, subscriptions: list[Subscription], user: str | None, now: str
) -> list[Subscription]:
    """Store new subscriptions (existing ones stay as they were); resume a paused channel."""
    added = []
    with transaction(db):
        for sub in subscriptions:
            cursor = db.execute(
                "INSERT INTO subscriptions (channel, kind, key, label, symbols, search, "
                "created, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [
                    sub.channel,
                    sub.kind,
                    sub.key,
                    sub.label,
                    json.dumps(sub.symbols),
                    sub.search,
                    now,
                    user,
                ],
            )
            if cursor.rowcount:
                added.append(sub)
        for channel in {sub.channel for sub in subscriptions}:
            db.execute(
                "INSERT INTO channels (channel) VALUES (?) ON CONFLICT(channel) "
                "DO UPDATE SET paused_reason = NULL, paused_at = NULL",
                [channel],
            )
    return added


def remove(db: StateDB, resolver: Resolver, channel: str, text: str) -> list[str]:
    """Delete the named subscriptions (or all); returns the labels removed."""
    current = listing(db, channel).subscriptions
    named = signature_parts(text)
    if text.strip().lower() == ALL:
        doomed = list(current)
    elif named:
        doomed = [s for s in current if s.kind == SUB_SIGNATURE and s.key == named[0].lower()]
    else:
        wanted, _ = understand(resolver, channel, text)
        keys = {(s.kind, s.key) for s in wanted}
        typed = text.strip().lower()
        doomed = [s for s in current if (s.kind, s.key) in keys or s.label.lower() == typed]
    with transaction(db):
        for s in doomed:
            db.execute(
                "DELETE FROM subscriptions WHERE channel = ? AND kind = ? AND key = ?",
                [channel, s.kind, s.key],
            )
    return [s.label for s in doomed]


def _row(row: tuple) -> Subscription:
    channel, kind, key, label, symbols, search, created, created_by = row
    return Subscription(
        channel, kind, key, label, tuple(json.loads(symbols)), search, created, created_by
    )


SUBSCRIPTION_COLUMNS = "channel, kind, key, label, symbols, search, created, created_by"


def listing(db: StateDB, channel: str) -> ChannelState:
    """A channel's subscriptions, oldest first, with its digest state."""
    subs = tuple(
        _row(r)
        for r in db.execute(
            f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE channel = ? ORDER BY id",
            [channel],
        )
    )
    state = db.execute(
        "SELECT last_digest, paused_reason, paused_at FROM channels WHERE channel = ?", [channel]
    ).fetchone() or (None, None, None)
    return ChannelState(channel, subs, *state)


def save_gene_list(
    db: StateDB, genes: str, background: str | None, min_overlap: int, now: str
) -> str:
    """Store a gene list under the hash of what it holds (the same list, the same key)."""
    key = hashlib.sha1(json.dumps([genes, background, min_overlap]).encode()).hexdigest()[:20]
    with transaction(db):
        db.execute(
            "INSERT INTO gene_lists (key, genes, background, min_overlap, created) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [key, genes, background, min_overlap, now],
        )
    return key


def gene_list(db: StateDB, key: str) -> tuple[str, str | None, int] | None:
    row = db.execute(
        "SELECT genes, background, min_overlap FROM gene_lists WHERE key = ?", [key]
    ).fetchone()
    return (row[0], row[1], row[2]) if row else None


def all_channels(db: StateDB, limit: int, workspace: str | None = None) -> list[ChannelState]:
    """Every channel with subscriptions (in one workspace), active or paused, for App Home."""
    prefix = f"{workspace}:" if workspace else ""
    rows = db.execute(
        "SELECT DISTINCT channel FROM subscriptions WHERE substr(channel, 1, ?) = ? "
        "ORDER BY channel LIMIT ?",
        [len(prefix), prefix, limit],
    ).fetchall()
    return [listing(db, row[0]) for row in rows]


KEYED_TABLES = ("subscriptions", "channels", "digests", "digest_posts")
BARE = "%:%"  # a channel key with a workspace; NOT LIKE it: an older, bare one


def adopt_workspace(db: StateDB, workspace: str) -> int:
    """Prefix every bare channel key with the workspace: 'C0LAB' -> 'T0LAB:C0LAB'."""
    with transaction(db):
        moved = db.execute(
            "SELECT count(DISTINCT channel) FROM subscriptions WHERE channel NOT LIKE ?", [BARE]
        ).fetchone()[0]
        for table in KEYED_TABLES:  # a fixed list: never user text in the SQL
            db.execute(
                f"UPDATE {table} SET channel = ? || ':' || channel WHERE channel NOT LIKE ?",
                [workspace, BARE],
            )
    return moved


def pause_workspace(db: StateDB, workspace: str, reason: str, now: str) -> int:
    """Mark every subscribed channel of the workspace paused, keeping its subscriptions."""
    prefix = f"{workspace}:"
    with transaction(db):
        channels = [
            row[0]
            for row in db.execute(
                "SELECT DISTINCT channel FROM subscriptions WHERE substr(channel, 1, ?) = ?",
                [len(prefix), prefix],
            )
        ]
        for channel in channels:
            db.execute(
                "INSERT INTO channels (channel, paused_reason, paused_at) VALUES (?, ?, ?) "
                "ON CONFLICT(channel) DO UPDATE SET paused_reason = excluded.paused_reason, "
                "paused_at = excluded.paused_at",
                [channel, reason, now],
            )
    return len(channels)


def active_channels(db: StateDB, channel: str | None = None) -> list[ChannelState]:
    """Channels with subscriptions that are not paused (one channel when given)."""
    rows = db.execute(
        "SELECT DISTINCT s.channel FROM subscriptions s LEFT JOIN channels c USING (channel) "
        "WHERE c.paused_reason IS NULL AND (CAST(? AS TEXT) IS NULL OR s.channel = ?) "
        "ORDER BY s.channel",
        [channel, channel],
    ).fetchall()
    return [listing(db, row[0]) for row in rows]
