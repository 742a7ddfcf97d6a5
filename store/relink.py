"""Re-linking every figure to the lexicon in use, without re-reading a record file.

A figure row keeps each gene as the record wrote it and the sidecar's evidence (with its
Entrez ids), so a new lexicon (a rename, a new alias, a mouse ortholog) or a new way of
ranking links needs no re-parse: the links are derived again from those, and the
figure_genes table and gene counts are rebuilt in one transaction that readers never see
half done. `first_seen` is untouched, so a digest never announces a re-linked figure as
new.
"""

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass

from .clock import utc_now
from .lexicon import Lexicon
from .ranking import focus, link_focus
from .records import Evidence, evidence_symbol, link_genes
from .schema import Database, bump_corpus_version, meta, search_terms_current, write

_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # as ingest writes
LINK_FORMAT = "2"  # bump when link_focus or link_genes change what a link is
BATCH = 2_000  # figures read and rewritten at a time


@dataclass(frozen=True)
class RelinkReport:
    figures: int
    changed: int  # figures whose genes or evidence now read differently
    links: int
    before: str | None  # the links version the database had
    after: str
    subscriptions: int = 0  # channel subscriptions moved to a renamed gene's new symbol

    def summary(self) -> str:
        return (
            f"re-linked {self.figures:,} figures ({self.changed:,} changed, "
            f"{self.links:,} links) from lexicon {self.before or 'unknown'} to {self.after}"
            + (
                f"; {self.subscriptions} subscription(s) follow renamed genes"
                if self.subscriptions
                else ""
            )
        )


def links_version(lexicon_version: str) -> str:
    """What the figure_genes table is derived from: the lexicon and the link format."""
    return f"{lexicon_version}-{LINK_FORMAT}"


def stale(db: Database, lexicon_version: str) -> bool:
    """Were the figures linked with another lexicon or link format than this one?"""
    if db.execute("SELECT 1 FROM figures LIMIT 1").fetchone() is None:
        return False
    return meta(db, "links_version") != links_version(lexicon_version)


def unmarked(db: Database, lexicon_version: str) -> bool:
    """Does the database not say yet which lexicon its (absent) figures are linked with?"""
    return meta(db, "links_version") != links_version(lexicon_version)


def mark_linked(db: Database, lexicon_version: str) -> None:
    """Record that the figures are linked with this lexicon (an empty or fresh database)."""
    with write(db.conn):
        db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('links_version', ?)",
            [links_version(lexicon_version)],
        )


def relink(db: Database, lexicon: Lexicon) -> RelinkReport:
    """Derive every figure's links again from its stored genes and evidence."""
    before = meta(db, "links_version")
    conn = db.conn
    figures = changed = links = 0
    with write(conn):
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS relinked "
            "(symbol TEXT NOT NULL, focus REAL NOT NULL, figure_id INTEGER NOT NULL)"
        )
        conn.execute("DELETE FROM relinked")
        last = 0
        while True:
            rows = conn.execute(
                "SELECT id, genes, evidence, organisms, score, year, focus FROM figures "
                "WHERE id > ? ORDER BY id LIMIT ?",
                [last, BATCH],
            ).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            updates: list[tuple] = []
            new_links: list[tuple[str, float, int]] = []
            for figure_id, genes_json, evidence_json, organisms_json, score, year, old in rows:
                genes = json.loads(genes_json)
                stored = json.loads(evidence_json) if evidence_json else []
                evidence = [Evidence(*row[1:6]) for row in stored]
                new_genes: list[list[str | None]] = [
                    [written, symbol]
                    for written, symbol in link_genes([w for w, _ in genes], evidence, lexicon)
                ]
                new_evidence = [
                    [evidence_symbol(e.symbol, e.gene_id, lexicon), *e] for e in evidence
                ]
                symbols = tuple(dict.fromkeys(s or str(w).upper() for w, s in new_genes))
                rank = focus(score, len(symbols), year)
                organisms = tuple(json.loads(organisms_json))
                keys = link_focus(rank, symbols, new_evidence, organisms)
                new_links += zip(symbols, keys, [figure_id] * len(symbols), strict=True)
                if new_genes != genes or new_evidence != stored or rank != old:
                    updates.append(
                        (
                            _json(new_genes),
                            _json(new_evidence) if stored else None,
                            len(symbols),
                            rank,
                            figure_id,
                        )
                    )
            conn.executemany(
                "UPDATE figures SET genes = ?, evidence = ?, gene_count = ?, focus = ? "
                "WHERE id = ?",
                updates,
            )
            conn.executemany("INSERT INTO relinked VALUES (?, ?, ?)", new_links)
            figures += len(rows)
            changed += len(updates)
            links += len(new_links)
        conn.execute("DELETE FROM figure_genes")
        conn.execute(
            "INSERT INTO figure_genes SELECT symbol, focus, figure_id FROM relinked "
            "ORDER BY symbol, focus, figure_id"
        )
        conn.execute("DELETE FROM relinked")
        counts = Counter(
            dict(conn.execute("SELECT symbol, count(*) FROM figure_genes GROUP BY symbol"))
        )
        conn.execute("DELETE FROM gene_counts")
        conn.executemany("INSERT INTO gene_counts VALUES (?, ?)", sorted(counts.items()))
        subscriptions = _relink_subscriptions(conn, lexicon)
        after = links_version(lexicon.version)
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('links_version', ?)", [after])
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('relinked', ?)", [utc_now()])
        counted = search_terms_current(conn)
        bump_corpus_version(conn)
        if counted:  # the text is as it was: its terms' counts too
            conn.execute(
                "UPDATE meta SET value = (SELECT value FROM meta WHERE key = 'corpus_version') "
                "WHERE key = 'search_terms_version'"
            )
    return RelinkReport(figures, changed, links, before, after, subscriptions)


def _relink_subscriptions(conn: sqlite3.Connection, lexicon: Lexicon) -> int:
    """A channel that follows a gene HGNC has since renamed follows its successor: the
    figures are linked to the new symbol now, and so must the subscription be. Following
    both the old and the new name becomes one subscription."""
    changed = 0
    rows = conn.execute(
        "SELECT id, channel, kind, label, symbols FROM subscriptions "
        "WHERE kind IN ('gene', 'family') ORDER BY id"
    ).fetchall()
    for sub_id, channel, kind, label, symbols_json in rows:
        symbols = json.loads(symbols_json)
        today = list(dict.fromkeys(lexicon.normal.get(s.upper(), s) for s in symbols))
        if today == symbols:
            continue
        new_key = ",".join(sorted(today))
        if conn.execute(
            "SELECT 1 FROM subscriptions WHERE channel = ? AND kind = ? AND key = ? AND id != ?",
            [channel, kind, new_key, sub_id],
        ).fetchone():
            conn.execute("DELETE FROM subscriptions WHERE id = ?", [sub_id])
        else:
            new_label = today[0] if kind == "gene" and label == symbols[0] else label
            conn.execute(
                "UPDATE subscriptions SET key = ?, label = ?, symbols = ? WHERE id = ?",
                [new_key, new_label, _json(today), sub_id],
            )
        changed += 1
    return changed
