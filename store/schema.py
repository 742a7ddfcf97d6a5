"""The SQLite schema: every table, index and trigger in one place."""

import json
import sqlite3
import textwrap
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

from .tokens import TOKENIZE

MMAP_BYTES = 1 << 30  # how much of the database file reads map (a 100k-figure file: 530 MB)
BUSY_TIMEOUT_MS = 10_000  # how long a write waits for another connection's transaction
SCHEMA_VERSION = 3  # 2: evidence moved into figures.evidence; 3: figures.figtype

SCHEMA = textwrap.dedent(
    """
    -- One row per figure. `focus` is the precomputed ranking key (lower ranks first).
    CREATE TABLE IF NOT EXISTS figures (
        id INTEGER PRIMARY KEY,
        figid TEXT NOT NULL UNIQUE,
        pmcid TEXT,
        title TEXT,
        caption TEXT,
        paper_title TEXT,
        reftext TEXT,
        year INTEGER,
        doi TEXT,
        journal TEXT,
        filename TEXT,
        figlink TEXT,
        number TEXT,
        score REAL,
        organisms TEXT NOT NULL DEFAULT '[]',
        keywords TEXT NOT NULL DEFAULT '[]',
        generation TEXT NOT NULL,
        genes TEXT NOT NULL DEFAULT '[]',  -- [[written, hgnc symbol or null], ...]
        -- Provenance from `-genes.tsv` sidecars and legacy `genes:` lists, in sidecar order:
        -- [[symbol, source_symbol, word, source, organism, gene_id], ...]; see gene_evidence.
        evidence TEXT,
        gene_count INTEGER NOT NULL DEFAULT 0,
        focus REAL NOT NULL,
        source_path TEXT NOT NULL,
        figtype TEXT,  -- 'Figure', 'Scheme', 'Graphical abstract', ... as PFOCR says
        first_seen TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS figures_pmcid ON figures(pmcid);
    CREATE INDEX IF NOT EXISTS figures_first_seen ON figures(first_seen);
    -- Every figure in rank order with what filters read (store/postings.py reloads them all
    -- after each sync): from this index 0.2 s at 100k figures, from the rows 1.8 s.
    CREATE INDEX IF NOT EXISTS figures_rank ON figures(focus, id, year, figtype, organisms);
    DROP INDEX IF EXISTS figures_focus;  -- the narrower index figures_rank replaced
    -- The titles alone, for ranking hundreds of search matches by where their words are:
    -- a figure's row is kilobytes (caption, genes, evidence), so reading 500 titles from
    -- it costs 3 ms; from these ~200-byte entries, 0.8 ms (store/queries.py, titles).
    CREATE INDEX IF NOT EXISTS figures_titles ON figures(id, title, paper_title);

    -- The figure->gene links, clustered by (symbol, focus) so the top figures for even
    -- the commonest gene are one short range read. `symbol` is the HGNC symbol, else the
    -- written form upper-cased; the record's own spellings are in figures.genes.
    CREATE TABLE IF NOT EXISTS figure_genes (
        symbol TEXT NOT NULL,
        focus REAL NOT NULL,
        figure_id INTEGER NOT NULL,
        PRIMARY KEY (symbol, focus, figure_id)
    ) WITHOUT ROWID;

    -- Ingest ledger: one row per source file. `first_seen` is what digests call new.
    CREATE TABLE IF NOT EXISTS ingest_files (
        path TEXT PRIMARY KEY,
        sha1 TEXT NOT NULL,
        figid TEXT,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ingest_runs (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        ingested INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0
    );

    -- The lexicon is not copied in here: its names live in the read-only file
    -- pathway-bot-names-<version>.sqlite beside the database (store/names.py); ATTACH it
    -- to join on it. meta.links_version says which lexicon (and link format) the figures
    -- were linked with; store/relink.py re-derives the links when it changes.

    -- Figures per symbol, kept by ingest in the same transactions; did-you-mean tie-breaks
    -- and `stats` read it instead of counting millions of links.
    CREATE TABLE IF NOT EXISTS gene_counts (symbol TEXT PRIMARY KEY, figures INTEGER NOT NULL)
        WITHOUT ROWID;

    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);

    -- The evidence as rows: the OCR word seen in the image, the matching source and the
    -- organism. `symbol` is the lookup form, as in figure_genes; `source_symbol` is the
    -- organism's own symbol, e.g. fly 'Galphaq'. A view, not a table: a figure's evidence
    -- is always read whole, and one JSON value per figure makes ingest ~3x cheaper than
    -- a row per OCR match.
    CREATE VIEW IF NOT EXISTS gene_evidence AS
        SELECT f.id AS figure_id, e.key AS seq,
               json_extract(e.value, '$[0]') AS symbol,
               json_extract(e.value, '$[1]') AS source_symbol,
               json_extract(e.value, '$[2]') AS word,
               json_extract(e.value, '$[3]') AS source,
               json_extract(e.value, '$[4]') AS organism,
               json_extract(e.value, '$[5]') AS gene_id
        FROM figures AS f, json_each(f.evidence) AS e
        WHERE f.evidence IS NOT NULL;

    -- What a channel asked to hear about. `kind` is gene, family, search or signature;
    -- `key` is what makes two subscriptions the same (sorted symbols, the lower-cased search
    -- text, or the signature's lower-cased name; a signature's genes are in `symbols`).
    CREATE TABLE IF NOT EXISTS subscriptions (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        label TEXT NOT NULL,
        symbols TEXT NOT NULL DEFAULT '[]',
        search TEXT,
        created TEXT NOT NULL,  -- the digest shows only figures first seen after this
        created_by TEXT,
        UNIQUE (channel, kind, key)
    );

    -- Per-channel digest state. `watermark` is the newest first_seen a digest has covered;
    -- a paused channel (Slack said channel_not_found, is_archived, ...) gets no digests.
    CREATE TABLE IF NOT EXISTS channels (
        channel TEXT PRIMARY KEY,
        watermark TEXT,
        last_digest TEXT,
        paused_reason TEXT,
        paused_at TEXT
    );

    -- One row per digest message. `state` is sending until Slack accepts the post; a
    -- sending row found by a later run is in doubt and is checked against Slack first.
    CREATE TABLE IF NOT EXISTS digests (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('sending', 'sent')),
        started TEXT NOT NULL,
        cutoff TEXT NOT NULL,
        figures TEXT NOT NULL,  -- JSON [[figure_id, [matched labels]], ...] in card order
        labels TEXT NOT NULL,  -- JSON: the subscriptions the digest reports on
        ts TEXT
    );
    CREATE INDEX IF NOT EXISTS digests_channel_state ON digests (channel, state);

    -- The exactly-once ledger: a figure is posted to a channel at most once, ever.
    CREATE TABLE IF NOT EXISTS digest_posts (
        channel TEXT NOT NULL,
        figure_id INTEGER NOT NULL,
        digest_id INTEGER NOT NULL REFERENCES digests(id),
        PRIMARY KEY (channel, figure_id)
    ) WITHOUT ROWID;

    -- Gene lists behind enrichment answers. Buttons carry the key, never the list: a
    -- 3,000-gene list is far over a button value's 2,000 characters.
    CREATE TABLE IF NOT EXISTS gene_lists (
        key TEXT PRIMARY KEY,
        genes TEXT NOT NULL,
        background TEXT,
        min_overlap INTEGER NOT NULL,
        created TEXT NOT NULL
    ) WITHOUT ROWID;

    -- Slack event ids already answered live in <db>.events.db (store/events.py).

    -- Full-text index over title, caption and paper title, kept in step by triggers.
    CREATE VIRTUAL TABLE IF NOT EXISTS figures_fts USING fts5(
        title, caption, paper_title,
        content='figures', content_rowid='id',
        tokenize='{tokenize}'
    );
    CREATE VIRTUAL TABLE IF NOT EXISTS figures_fts_vocab USING fts5vocab(figures_fts, 'row');
    -- How many figures have each index term, as fts5vocab counts them, kept at the end of
    -- every ingest (refresh_search_terms): counting reads the whole index (0.45 s at 100k
    -- figures), so no server does it. Search plans its work with it; typo correction
    -- reads the terms of one first letter.
    CREATE TABLE IF NOT EXISTS search_terms (
        term TEXT PRIMARY KEY,
        docs INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TRIGGER IF NOT EXISTS figures_ad AFTER DELETE ON figures BEGIN
        INSERT INTO figures_fts (figures_fts, rowid, title, caption, paper_title)
        VALUES ('delete', old.id, old.title, old.caption, old.paper_title);
    END;
    CREATE TRIGGER IF NOT EXISTS figures_au AFTER UPDATE OF title, caption, paper_title
        ON figures BEGIN
        INSERT INTO figures_fts (figures_fts, rowid, title, caption, paper_title)
        VALUES ('delete', old.id, old.title, old.caption, old.paper_title);
        INSERT INTO figures_fts (rowid, title, caption, paper_title)
        VALUES (new.id, new.title, new.caption, new.paper_title);
    END;
    """
).replace("{tokenize}", TOKENIZE)  # the tokenizer search plans with (store/tokens.py)


# Indexing row by row from a trigger inside executemany costs about 3x what indexing a
# batch in one statement does, so big ingests drop this trigger and call index_fts.
FTS_INSERT_TRIGGER = textwrap.dedent(
    """
    CREATE TRIGGER IF NOT EXISTS figures_ai AFTER INSERT ON figures BEGIN
        INSERT INTO figures_fts (rowid, title, caption, paper_title)
        VALUES (new.id, new.title, new.caption, new.paper_title);
    END;
    """
)


def suspend_fts(conn: sqlite3.Connection) -> None:
    """Stop indexing inserts row by row (inside the caller's transaction)."""
    conn.execute("DROP TRIGGER IF EXISTS figures_ai")


def resume_fts(conn: sqlite3.Connection) -> None:
    """Index inserts row by row again (inside the caller's transaction)."""
    conn.execute(FTS_INSERT_TRIGGER)


def index_fts(conn: sqlite3.Connection, figure_ids: list[int]) -> None:
    """Index the given new figures in one statement, in the transaction that inserted them."""
    conn.execute(
        "INSERT INTO figures_fts (rowid, title, caption, paper_title) "
        "SELECT id, title, caption, paper_title FROM figures "
        "WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(figure_ids)],
    )


def _rebuild_fts(conn: sqlite3.Connection) -> None:
    """Rebuild the full-text index from the figures table."""
    with write(conn):
        conn.execute("INSERT INTO figures_fts (figures_fts) VALUES ('rebuild')")
        conn.execute("DELETE FROM meta WHERE key = 'fts_stale'")


class Database:
    """A sqlite3 connection with the two calls the store makes on it.

    (sqlite-utils' Database did this job, but importing it costs ~0.2 s, 40% of the 0.5 s
    budget for `pathway-bot ask`, and nothing else of it was used; the file is still a
    plain SQLite database that sqlite-utils and Datasette open.)
    """

    def __init__(self, conn: sqlite3.Connection, path: str | None = None):
        self.conn = conn
        self.path = path
        self._helper: tuple[sqlite3.Connection, ThreadPoolExecutor] | None = None

    def execute(self, sql: str, parameters: Sequence[object] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, parameters)

    def executescript(self, script: str) -> sqlite3.Cursor:
        return self.conn.executescript(script)

    def read_both(
        self, sql: str, first: Sequence[object], second: Sequence[object]
    ) -> tuple[list, list]:
        """One read statement with two sets of parameters at once: `first` here, `second`
        on a second connection in a helper thread (sqlite3 lets go of the GIL while a
        statement runs, so two long full-text walks use two cores). Callers hold the
        store's lock, as for every statement."""
        if self.path is None:
            return self.execute(sql, first).fetchall(), self.execute(sql, second).fetchall()
        if self._helper is None:
            helper = sqlite3.connect(self.path, check_same_thread=False)
            helper.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            helper.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            self._helper = (helper, ThreadPoolExecutor(1, thread_name_prefix="sqlite-read"))
        helper, pool = self._helper
        theirs = pool.submit(lambda: helper.execute(sql, second).fetchall())
        try:
            mine = self.execute(sql, first).fetchall()
        finally:
            wait([theirs])  # never leave the helper mid-statement
        return mine, theirs.result()

    def close(self) -> None:
        if self._helper is not None:
            helper, pool = self._helper
            pool.shutdown(wait=True)
            helper.close()
            self._helper = None
        self.conn.close()


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken with BEGIN IMMEDIATE: the write lock is claimed before
    the first read, so busy_timeout can wait for it. A deferred BEGIN that reads, then
    writes, fails at once with "database is locked" if another connection committed in
    between. Nested use joins the open transaction."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def connect(
    path: str | Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS, migrate: bool = True
) -> Database:
    """Open (creating if needed) a database file in WAL mode with the schema applied.

    `migrate=False` only opens it: for extra connections to a database already set up,
    which must not wait on another writer just to check the schema."""
    # Bolt runs slow replies in worker threads; Store serialises access with a lock.
    # isolation_level IMMEDIATE: even an implicit transaction takes the write lock first.
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level="IMMEDIATE")
    db = Database(conn, str(path))
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    # Only takes effect on a new file. Bigger pages make ingest ~10% faster (fewer b-tree
    # splits and WAL frames) and cost lookups nothing measurable.
    db.execute("PRAGMA page_size = 16384")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no committed batch
    # Reads map the file instead of copying each page into the connection's 2 MB cache: a
    # search reads hundreds of scattered rows (titles, snippets), 10-25% faster so. Mapped
    # pages are the OS's file cache, shared by every worker (RssFile, not RssAnon).
    db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    db.execute("PRAGMA journal_size_limit = 67108864")  # a big ingest's WAL shrinks back to 64 MB
    if not migrate:  # a second connection to a database another one already set up
        return db
    _migrate(db)
    db.executescript(SCHEMA)
    with write(db.conn):
        db.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
            [str(SCHEMA_VERSION)],
        )
    if meta(db, "fts_stale"):  # schema 1 marked the index of a killed bulk ingest this way
        _rebuild_fts(db.conn)
    db.executescript(FTS_INSERT_TRIGGER)  # a killed bulk ingest leaves it dropped
    return db


def _migrate(db: Database) -> None:
    """Bring a database written by an older version up to SCHEMA_VERSION, keeping its rows."""
    old_lexicon = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'lexicon_symbols'"
    ).fetchone()
    if old_lexicon:  # copies of the 2019 lexicon, no longer kept in the database
        with write(db.conn):
            for table in ("symbols", "aliases", "previous", "families"):
                db.execute(f"DROP TABLE IF EXISTS lexicon_{table}")
    _add_figtype(db)
    old_evidence = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gene_evidence'"
    ).fetchone()
    if not old_evidence:
        return
    with db.conn:  # schema 1 -> 2: one JSON value per figure instead of a row per match
        # Schema 1 re-indexed text on any update; the schema below recreates it narrower.
        db.execute("DROP TRIGGER IF EXISTS figures_au")
        db.execute("ALTER TABLE figures ADD COLUMN evidence TEXT")
        db.execute(
            "UPDATE figures SET evidence = (SELECT json_group_array(json_array(symbol, "
            "source_symbol, word, source, organism, gene_id)) FROM (SELECT * FROM gene_evidence "
            "AS g WHERE g.figure_id = figures.id ORDER BY seq)) "
            "WHERE id IN (SELECT figure_id FROM gene_evidence)"
        )
        db.execute("DROP TABLE gene_evidence")
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])


def _add_figtype(db: Database) -> None:
    """Schema 2 -> 3: figures gain `figtype`. The next ingest re-reads every record once
    (the ledger forgets its hashes) to fill it; first_seen is kept, so no digest repeats."""
    table = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'figures'"
    ).fetchone()
    columns = {row[1] for row in db.execute("PRAGMA table_info(figures)")}
    if not table or "figtype" in columns:
        return
    with write(db.conn):
        db.execute("ALTER TABLE figures ADD COLUMN figtype TEXT")
        db.execute("UPDATE ingest_files SET sha1 = ''")
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])


def refresh_search_terms(conn: sqlite3.Connection) -> None:
    """Recount search_terms from the full-text index and mark them as of this corpus
    version (inside the writer's transaction)."""
    conn.execute("DELETE FROM search_terms")
    conn.execute("INSERT INTO search_terms (term, docs) SELECT term, doc FROM figures_fts_vocab")
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) "
        "SELECT 'search_terms_version', value FROM meta WHERE key = 'corpus_version'"
    )


def search_terms_current(db: Database | sqlite3.Connection) -> bool:
    """Whether search_terms were counted at the present corpus version."""
    row = db.execute(
        "SELECT (SELECT value FROM meta WHERE key = 'search_terms_version') "
        "IS (SELECT value FROM meta WHERE key = 'corpus_version')"
    ).fetchone()
    return bool(row[0])


def bump_corpus_version(conn: sqlite3.Connection) -> None:
    """Mark the figures as changed, inside the writer's transaction; caches key on this."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('corpus_version', 1) "
        "ON CONFLICT(key) DO UPDATE SET value = value + 1"
    )


class CorpusCache:
    """Base for in-memory caches of the figures: `fresh()` calls `reload()` whenever the
    corpus version (bumped by every ingest that changes figures) differs from the one the
    cache was filled at, so a long-running server never answers from stale data."""

    def __init__(self, db: Database):
        self.db = db
        self._version: object = object()  # never equal to a stored version

    def reload(self) -> None:
        raise NotImplementedError

    def fresh(self) -> None:
        version = corpus_version(self.db)
        if version != self._version:
            self.reload()
            self._version = version

    def warm(self) -> None:
        self.fresh()


def corpus_version(db: Database) -> str | None:
    """Changes exactly when figures do (not when events or subscriptions are written)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'corpus_version'").fetchone()
    return row[0] if row else None


def meta(db: Database, key: str) -> str | None:
    """Read one value from the meta table."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None
