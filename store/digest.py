"""Digest bookkeeping: which new figures each channel gets, and the exactly-once ledger.

A run takes a cutoff (the newest first_seen in the database when it starts). A channel's
digest holds the figures first seen after its watermark (and after each subscription was
made) up to that cutoff, minus any already in the ledger. The post to Slack happens
between start() and finish(): finish() writes the ledger rows and the new watermark in one
transaction, only after Slack accepted the post. A figure first seen during the run lies
beyond the cutoff and waits for the next run.
"""

import functools
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import queries
from .models import SUB_SEARCH, SUB_SIGNATURE, ChannelState, DigestPage, Subscription
from .schema import Database
from .search import match_expression, parse_terms
from .state import StateDB, transaction
from .subscriptions import active_channels, listing

PREVIEW_RECENT = 20  # figures a preview shows when nothing is new since the last digest
RECENT_WINDOW = 5000  # newest figures a preview looks through for recent matches


@dataclass(frozen=True)
class DigestPlan:
    """What one channel's next digest would contain."""

    channel: str
    cutoff: str
    labels: tuple[str, ...]  # every subscription of the channel, for the header
    figures: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...]  # id, labels, symbols

    def to_json(self) -> str:
        return json.dumps([[i, list(labels), list(symbols)] for i, labels, symbols in self.figures])


def cutoff(db: Database) -> str | None:
    """The newest first_seen: everything up to it is visible to this run."""
    return db.execute("SELECT max(first_seen) FROM figures").fetchone()[0]


class _Window:
    """Figures first seen in (since, until], indexed by symbol, for matching subscriptions."""

    def __init__(
        self,
        db: Database,
        since: str,
        until: str,
        enriched: Callable[[tuple[str, ...]], set[int]] | None = None,
    ):
        self.db = db
        self.enriched = enriched  # a signature's genes -> the figures enriched for it
        rows = db.execute(
            "SELECT id, first_seen, focus, genes FROM figures "
            "WHERE first_seen > ? AND first_seen <= ?",
            [since, until],
        )
        # id -> (first_seen, focus, symbols)
        self.figures = {
            i: (seen, focus, {s for _, s in json.loads(genes) if s})
            for i, seen, focus, genes in rows
        }
        self.by_symbol = defaultdict(list)
        for figure_id, (_, _, symbols) in self.figures.items():
            for symbol in symbols:
                self.by_symbol[symbol].append(figure_id)
        self._searches: dict[str, set[int]] = {}
        self._signatures: dict[tuple[str, ...], set[int]] = {}

    def matching(self, sub: Subscription) -> set[int]:
        """Ids of the window's figures a subscription matches. A signature matches the
        new figures enriched for its genes (q < 0.05, tested over the whole library)."""
        if sub.kind == SUB_SIGNATURE:
            if self.enriched is None or sub.symbols not in self._signatures:
                found = self.enriched(sub.symbols) if self.enriched else set()
                self._signatures[sub.symbols] = found & self.figures.keys()
            return self._signatures[sub.symbols]
        if sub.kind != SUB_SEARCH:
            return {i for s in sub.symbols for i in self.by_symbol.get(s, ())}
        if sub.search is None:
            return set()
        if sub.search not in self._searches:
            terms = parse_terms(sub.search)
            found = (
                {
                    row[0]
                    for row in self.db.execute(
                        "SELECT rowid FROM figures_fts WHERE figures_fts MATCH ?",
                        [match_expression(terms)],
                    )
                }
                if terms
                else set()
            )
            self._searches[sub.search] = found & self.figures.keys()
        return self._searches[sub.search]

    def match(
        self, subscriptions: Sequence[Subscription], since: Callable[[Subscription], str]
    ) -> tuple[dict, dict]:
        """({id: [labels]}, {id: {symbols}}) for figures first seen after since(sub)."""
        labels: defaultdict[int, list[str]] = defaultdict(list)
        symbols: defaultdict[int, set[str]] = defaultdict(set)
        for sub in subscriptions:
            start = since(sub)
            for figure_id in self.matching(sub):
                seen, _, genes = self.figures[figure_id]
                if seen > start and sub.label not in labels[figure_id]:
                    labels[figure_id].append(sub.label)
                    symbols[figure_id].update(genes & set(sub.symbols))
        return labels, symbols


def _order(labels: dict[int, list[str]], figures: dict, i: int) -> tuple:
    """Figures matching more subscriptions first, then PFOCR's focus order."""
    return (-len(labels[i]), figures[i][1], i)


def _plan(
    channel: str,
    until: str,
    subscriptions: Sequence[Subscription],
    labels: dict[int, list[str]],
    symbols: dict[int, set[str]],
    order: Callable[[int], tuple],
) -> DigestPlan:
    return DigestPlan(
        channel,
        until,
        tuple(s.label for s in subscriptions),
        tuple((i, tuple(labels[i]), tuple(sorted(symbols[i]))) for i in sorted(labels, key=order)),
    )


def _watermarks(state: StateDB) -> dict[str, str]:
    return {c: w for c, w in state.execute("SELECT channel, watermark FROM channels") if w}


def plan(
    db: Database,
    channel: str | None = None,
    until: str | None = None,
    enriched: Callable[[tuple[str, ...]], set[int]] | None = None,
    shared: StateDB | None = None,
) -> list[DigestPlan]:
    """The next digest of every active channel (or one), computed in one read. `db` has
    the figures; `shared` the subscriptions and ledger (the same database by default)."""
    shared = db if shared is None else shared
    until = until or cutoff(db)
    states = active_channels(shared, channel)
    if not until or not states:
        return []
    marks = _watermarks(shared)

    def since(state: ChannelState, sub: Subscription) -> str:
        return max(sub.created, marks.get(state.channel, ""))

    floor = min(since(state, sub) for state in states for sub in state.subscriptions)
    window = _Window(db, floor, until, enriched)
    plans = []
    for state in states:
        labels, symbols = window.match(state.subscriptions, functools.partial(since, state))
        for figure_id in posted_figures(shared, state.channel, list(labels)):
            del labels[figure_id]
        # Figures matching more subscriptions first, then PFOCR's focus order.
        plans.append(
            _plan(
                state.channel,
                until,
                state.subscriptions,
                labels,
                symbols,
                functools.partial(_order, labels, window.figures),
            )
        )
    return plans


def recent(
    db: Database,
    channel: str,
    limit: int = PREVIEW_RECENT,
    enriched: Callable[[tuple[str, ...]], set[int]] | None = None,
    shared: StateDB | None = None,
) -> DigestPlan | None:
    """A preview for a channel with nothing new: its latest matches, ignoring the watermark."""
    state = listing(db if shared is None else shared, channel)
    if not state.subscriptions:
        return None
    newest = cutoff(db) or ""
    floor = db.execute(
        "SELECT first_seen FROM figures ORDER BY first_seen DESC LIMIT 1 OFFSET ?", [RECENT_WINDOW]
    ).fetchone()
    window = _Window(db, floor[0] if floor else "", newest, enriched)
    labels, symbols = window.match(state.subscriptions, lambda sub: "")
    found = _plan(
        channel, newest, state.subscriptions, labels, symbols, lambda i: window.figures[i][0]
    )
    return DigestPlan(channel, newest, found.labels, found.figures[::-1][:limit])


def start(state: StateDB, digest: DigestPlan, now: str) -> int:
    """Record the intent to post; the row stays `sending` until Slack accepts."""
    with transaction(state):
        return state.execute(
            "INSERT INTO digests (channel, state, started, cutoff, figures, labels) "
            "VALUES (?, 'sending', ?, ?, ?, ?) RETURNING id",
            [digest.channel, now, digest.cutoff, digest.to_json(), json.dumps(digest.labels)],
        ).fetchone()[0]


def finish(state: StateDB, digest_id: int, ts: str | None, now: str) -> None:
    """Slack accepted the post: ledger rows, watermark and state in one transaction."""
    channel, cutoff_, figures = state.execute(
        "SELECT channel, cutoff, figures FROM digests WHERE id = ?", [digest_id]
    ).fetchone()
    with transaction(state):
        state.execute("UPDATE digests SET state = 'sent', ts = ? WHERE id = ?", [ts, digest_id])
        for figure in json.loads(figures):
            state.execute(
                "INSERT INTO digest_posts VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [channel, figure[0], digest_id],
            )
        _advance(state, channel, cutoff_, now)


def abandon(state: StateDB, digest_id: int) -> None:
    """Slack did not take the post: forget the intent, so the next run tries again."""
    with transaction(state):
        state.execute("DELETE FROM digests WHERE id = ? AND state = 'sending'", [digest_id])


# The later of the stored and the new watermark (SQLite's max(a, b) is GREATEST elsewhere).
LATEST_WATERMARK = (
    "CASE WHEN coalesce(watermark, '') > excluded.watermark THEN watermark "
    "ELSE excluded.watermark END"
)


def nothing_new(state: StateDB, channel: str, cutoff_: str) -> None:
    """No matching figures up to the cutoff: move the watermark so the next scan starts there."""
    with transaction(state):
        state.execute(
            "INSERT INTO channels (channel, watermark) VALUES (?, ?) ON CONFLICT(channel) "
            "DO UPDATE SET watermark = " + LATEST_WATERMARK,
            [channel, cutoff_],
        )


def _advance(state: StateDB, channel: str, cutoff_: str, now: str) -> None:
    state.execute(
        "INSERT INTO channels (channel, watermark, last_digest) VALUES (?, ?, ?) "
        "ON CONFLICT(channel) DO UPDATE SET last_digest = excluded.last_digest, "
        "watermark = " + LATEST_WATERMARK,
        [channel, cutoff_, now],
    )


def in_doubt(state: StateDB) -> list[tuple[int, str, str]]:
    """(id, channel, started) of posts a killed run may or may not have made."""
    return state.execute(
        "SELECT id, channel, started FROM digests WHERE state = 'sending' ORDER BY id"
    ).fetchall()


def pause(state: StateDB, channel: str, reason: str, now: str) -> None:
    """Stop digests to a channel Slack will not take them in; the reason is shown to users."""
    with transaction(state):
        state.execute(
            "INSERT INTO channels (channel, paused_reason, paused_at) VALUES (?, ?, ?) "
            "ON CONFLICT(channel) DO UPDATE SET paused_reason = excluded.paused_reason, "
            "paused_at = excluded.paused_at",
            [channel, reason, now],
        )


def posted_figures(state: StateDB, channel: str, figure_ids: list[int]) -> set[int]:
    """Which of these figures the ledger says were already posted to the channel."""
    found: set[int] = set()
    for start in range(0, len(figure_ids), 500):  # bound parameters, on either database
        chunk = figure_ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        rows = state.execute(
            f"SELECT figure_id FROM digest_posts WHERE channel = ? AND figure_id IN ({marks})",
            [channel, *chunk],
        )
        found.update(row[0] for row in rows)
    return found


def _page(
    db: Database,
    digest_id: int,
    channel: str,
    figures: Sequence,
    labels: Sequence[str],
    offset: int,
    limit: int,
    cutoff_: str,
) -> DigestPage:
    shown, matched = [], []
    for figure_id, found, symbols in figures[offset : offset + limit]:
        for hit in queries.load_hits(db, [(figure_id, tuple(symbols))]):  # gone if deleted since
            shown.append(hit)
            matched.append(tuple(found))
    return DigestPage(
        digest_id,
        channel,
        tuple(labels),
        len(figures),
        offset,
        limit,
        tuple(shown),
        tuple(matched),
        cutoff_,
    )


def plan_page(db: Database, digest: DigestPlan, limit: int) -> DigestPage:
    """The first page of a digest that has not been posted (id 0)."""
    return _page(db, 0, digest.channel, digest.figures, digest.labels, 0, limit, digest.cutoff)


def page(
    db: Database,
    digest_id: int,
    offset: int,
    limit: int,
    channel: str | None = None,
    shared: StateDB | None = None,
) -> DigestPage | None:
    """One page of a posted digest's figures, for its "See all" button; None when there is
    no such digest, or (given `channel`) when it went to another channel."""
    row = (
        (db if shared is None else shared)
        .execute(
            "SELECT channel, figures, labels, cutoff FROM digests WHERE id = ? "
            "AND (CAST(? AS TEXT) IS NULL OR channel = ?)",
            [digest_id, channel, channel],
        )
        .fetchone()
    )
    if row is None:
        return None
    channel, figures, labels, cutoff_ = row
    return _page(
        db, digest_id, channel, json.loads(figures), json.loads(labels), offset, limit, cutoff_
    )
