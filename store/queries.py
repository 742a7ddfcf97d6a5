"""Small named queries with bound parameters; the only place that reads figures with SQL."""

import json
from collections.abc import Iterable, Sequence

from .models import FigureHit, Stats
from .ranking import evidence_penalty, strength
from .schema import Database

FIGURE_COLUMNS = (
    "id, figid, title, year, pmcid, paper_title, reftext, caption, doi, filename, gene_count, "
    "genes, organisms, figtype"
)


def top_figure_ids_for_symbol(
    db: Database, symbol: str, limit: int, offset: int
) -> list[tuple[int, tuple[str, ...]]]:
    """[(figure_id, (symbol,))] for one symbol: a range read of the clustered index."""
    rows = db.execute(
        "SELECT figure_id FROM figure_genes WHERE symbol = ? "
        "ORDER BY focus, figure_id LIMIT ? OFFSET ?",
        [symbol, limit, offset],
    )
    return [(row[0], (symbol,)) for row in rows]


def gene_figure_counts(db: Database, symbols: Iterable[str]) -> dict[str, int]:
    """Figures per symbol for the given symbols (missing ones count 0)."""
    sql = "SELECT symbol, figures FROM gene_counts WHERE symbol IN (SELECT value FROM json_each(?))"
    counts = dict(db.execute(sql, [json.dumps(list(symbols))]).fetchall())
    return {symbol: counts.get(symbol, 0) for symbol in symbols}


def load_hits(db: Database, ranked: Sequence[tuple[int, tuple[str, ...]]]) -> list[FigureHit]:
    """Full figure rows plus OCR words for ranked (figure_id, matched) pairs, order kept."""
    if not ranked:
        return []
    ids = json.dumps([figure_id for figure_id, _ in ranked])
    rows = {
        row[0]: row
        for row in db.execute(
            f"SELECT {FIGURE_COLUMNS}, evidence FROM figures "
            "WHERE id IN (SELECT value FROM json_each(?))",
            [ids],
        )
    }
    return [_hit(rows[figure_id], matched) for figure_id, matched in ranked if figure_id in rows]


HUMAN = "Homo sapiens"


def _hit(row: tuple, matched: tuple[str, ...]) -> FigureHit:
    """A figure row as a hit. Genes are HGNC symbols; a gene of another species with no
    human symbol keeps the record's own spelling (fly 'betaTub60D', not 'BETATUB60D').

    The evidence JSON is parsed here, not through the gene_evidence view: one json.loads
    per figure costs a fifth of six json_extract calls per match."""
    organisms = tuple(json.loads(row[12] or "[]"))
    words: dict[str, list[str]] = {}  # symbol -> OCR words
    seen: dict[str, dict[str, str]] = {}  # symbol -> word -> source
    species: dict[str, str] = {}  # the organism's own symbol -> organism
    costs: dict[str, float] = {}  # matched symbol -> its best evidence's cost
    wanted = set(matched)
    for symbol, own, word, source, organism, *_ in json.loads(row[-1]) if row[-1] else ():
        if own and organism and organism != HUMAN and own not in species:
            species[own] = organism
        if symbol in wanted:
            cost = evidence_penalty(source, organism, organisms)
            costs[symbol] = min(cost, costs.get(symbol, cost))
        if word is None:
            words.setdefault(symbol, [])
            continue
        bucket = words.setdefault(symbol, [])
        if word not in bucket:
            bucket.append(word)
        sources = seen.setdefault(symbol, {})
        if word not in sources:
            sources[word] = source or "unknown"
    pairs = json.loads(row[11])
    genes = tuple(dict.fromkeys(symbol or written for written, symbol in pairs))
    return FigureHit(
        id=row[0],
        organisms=organisms,
        figtype=row[13],
        seen=seen,
        figid=row[1],
        title=row[2],
        year=row[3],
        pmcid=row[4],
        paper_title=row[5],
        reftext=row[6],
        caption=row[7],
        doi=row[8],
        filename=row[9],
        gene_count=row[10],
        genes=genes,
        matched=matched,
        # a gene of another species is keyed by its record spelling, upper-cased
        words={s: tuple(w) for s in genes if (w := words.get(s) or words.get(s.upper()))},
        evidence={s: strength(costs[s]) for s in matched if s in costs},
        species={
            written: species[written]
            for written, symbol in pairs
            if not symbol and written in species
        },
    )


def titles(db: Database, figure_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """figure id -> (title, paper title) for these figures."""
    rows = db.execute(
        "SELECT id, title, paper_title FROM figures INDEXED BY figures_titles "
        "WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(list(figure_ids))],
    )
    return {row[0]: (row[1] or "", row[2] or "") for row in rows}


def figure_ids_by_figid(db: Database, figid: str) -> list[int]:
    """The figure with this figid, as a one-item list or empty."""
    rows = db.execute("SELECT id FROM figures WHERE figid = ?", [figid])
    return [row[0] for row in rows]


def figure_ids_by_pmcid(db: Database, pmcid: str) -> list[int]:
    """Every figure of one paper, in figure order."""
    rows = db.execute("SELECT id FROM figures WHERE pmcid = ? ORDER BY figid", [pmcid])
    return [row[0] for row in rows]


def figure_ids_by_link(db: Database, pmcid: str, figure: str) -> list[int]:
    """The figure of a PMC figure link (`/pmc/articles/PMC…/figure/F2/`): its `figlink`
    ends with that figure id, or its `number` is it. Empty when it is not here."""
    rows = db.execute(
        "SELECT id FROM figures WHERE pmcid = ? AND (lower(rtrim(figlink, '/')) LIKE ? "
        "ESCAPE '\\' OR lower(number) = ?) ORDER BY figid LIMIT 1",
        [pmcid, "%/" + _like(figure.lower()), figure.lower()],
    )
    return [row[0] for row in rows]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def newest_figure_ids(db: Database, limit: int) -> list[int]:
    """The figures the bot saw last (the newest papers first among those seen together)."""
    rows = db.execute(
        "SELECT id FROM figures ORDER BY first_seen DESC, year DESC, id DESC LIMIT ?", [limit]
    )
    return [row[0] for row in rows]


def corpus_meta(db: Database) -> dict[str, str]:
    """The sync's source, commit and time, and the last finished ingest."""
    found = dict(
        db.execute(
            "SELECT key, value FROM meta WHERE key IN ('sync_source', 'sync_commit', 'synced')"
        ).fetchall()
    )
    last = db.execute("SELECT max(finished) FROM ingest_runs").fetchone()[0]
    return {**found, **({"last_ingest": last} if last else {})}


def figids_by_id(db: Database, ids: list[int]) -> dict[int, str]:
    rows = db.execute(
        "SELECT id, figid FROM figures WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(ids)],
    )
    return dict(rows.fetchall())


def figure_labels(db: Database) -> dict[int, tuple[str, str | None]]:
    """Every figure's (figid, title), by id."""
    return {row[0]: (row[1], row[2]) for row in db.execute("SELECT id, figid, title FROM figures")}


def figure_count(db: Database) -> int:
    """How many figures the database holds."""
    return db.execute("SELECT count(*) FROM figures").fetchone()[0]


def stats(db: Database, top: int = 10) -> Stats:
    """Corpus totals, the last ingest run and the most-mentioned genes."""
    figures, papers = db.execute("SELECT count(*), count(DISTINCT pmcid) FROM figures").fetchone()
    genes, links = db.execute(
        "SELECT count(*), coalesce(sum(figures), 0) FROM gene_counts WHERE figures > 0"
    ).fetchone()
    last = db.execute(
        "SELECT started, finished, ingested, unchanged, failed FROM ingest_runs "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    top_genes = db.execute(
        "SELECT symbol, figures FROM gene_counts ORDER BY figures DESC, symbol LIMIT ?", [top]
    ).fetchall()
    last_ingest = None
    if last:
        last_ingest = dict(
            zip(("started", "finished", "ingested", "unchanged", "failed"), last, strict=True)
        )
    return Stats(figures, genes, links, papers, last_ingest, tuple(map(tuple, top_genes)))
