"""Incremental, batched, crash-safe ingest of PFOCR record files into SQLite."""

import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from .clock import utc_now
from .errors import RecordError
from .lexicon import Lexicon
from .ranking import focus, link_focus
from .records import (
    MAX_RECORD_BYTES,
    Record,
    evidence_symbol,
    parse_record,
    read_regular,
    read_sidecar,
)
from .schema import (
    Database,
    bump_corpus_version,
    index_fts,
    refresh_search_terms,
    resume_fts,
    search_terms_current,
    suspend_fts,
    write,
)

BATCH_SIZE = 5000  # records written at a time, and per commit in small runs
OPTIMIZE_AFTER = 1000  # new or changed records after which the text index is merged
# A commit rewrites every index page its batches touched, and links spread over the
# clustered (symbol, ...) index touch most of them: big loads commit less often.
# A kill loses at most the uncommitted batches; the rerun redoes them.
BULK_COMMIT_SIZE = 25_000
BULK_THRESHOLD = 10_000  # new files from which per-batch indexing and rarer commits pay
PARALLEL_THRESHOLD = 400  # below this, a worker pool costs more than it saves
POOL_RESTARTS = 2  # new pools after a worker died, before the main process parses alone
CHUNK_SIZE = 256  # files handed to a worker at a time

LOG = logging.getLogger("pathway_bot.ingest")
_worker_lexicon: Lexicon | None = None
# Built once, and without the cycle check: prepared rows are plain trees of strings.
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


@dataclass
class IngestReport:
    """What one ingest run did."""

    ingested: int = 0
    unchanged: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    # (figid, file kept, file ignored, whether the ignored one had been written this run)
    duplicates: list[tuple[str, str, str, bool]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def summary(self) -> str:
        text = f"ingested {self.ingested}, unchanged {self.unchanged}, failed {self.failed}"
        if self.duplicates:
            text += f", duplicate figids {len(self.duplicates)}"
        return text


class Prepared(NamedTuple):  # a tuple, not a dataclass: it unpickles twice as fast
    """A parsed record turned into rows, ready for the writer."""

    path: str
    sha1: str
    figid: str
    figure: tuple  # values in FIGURE_FIELDS order
    focus: float
    symbols: tuple[str, ...]  # distinct lookup symbols
    link_focus: tuple[float, ...]  # each symbol's ranking key: focus plus evidence strength
    known_path: bool = False  # the ledger has seen this path before


def find_records(paths: Iterable[Path]) -> dict[str, str]:
    """Every record file under the given folders, plus the given files: {path: tree}.

    Paths are absolute and de-duplicated; `tree` is the folder its record and sidecars must
    stay inside once symlinks are followed. A folder holding `_figures/` is a PFOCR
    checkout: only `_figures/` is read, so its README and site pages are not mistaken for
    records, and the sidecars in its `_data/` are inside the tree. Hidden folders are
    skipped, and symlinked folders are not entered.
    """
    # Paths stay strings: a Path object per file costs more than the walk itself.
    found: dict[str, str] = {}
    for path in map(Path, paths):
        if not path.is_dir():  # named on purpose: its folder's parent holds its _data
            resolved = path.resolve()
            found.setdefault(str(resolved), str(resolved.parent.parent))
            continue
        tree = path.resolve()  # once per root: resolving each file costs an lstat per component
        root = tree / "_figures" if (tree / "_figures").is_dir() else tree
        if tree.name == "_figures":  # a checkout's _figures named directly: _data is a sibling
            tree = tree.parent
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith((".", "_data")))
            found.update(
                dict.fromkeys(
                    (os.path.join(folder, name) for name in sorted(names) if name.endswith(".md")),
                    str(tree),
                )
            )
    return found


def find_record_files(paths: Iterable[Path]) -> list[str]:
    """The record files `find_records` finds, in walk order."""
    return list(find_records(paths))


def content_hash(raw: bytes, genes: bytes | None, chemicals: bytes | None) -> str:
    """The hash that decides 'unchanged': the record plus whatever sidecars it has."""
    digest = hashlib.sha1(raw)
    for label, part in ((b"genes", genes), (b"chemicals", chemicals)):
        if part is not None:
            digest.update(b"\0" + label + b"\0" + part)
    return digest.hexdigest()


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RecordError(
            f"{what} is not UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})"
        ) from None


def prepare(
    record: Record, path: str, sha1: str, lexicon: Lexicon, known_path: bool = False
) -> Prepared:
    """Turn a Record into the rows the writer stores."""
    symbols = tuple(dict.fromkeys([symbol or written.upper() for written, symbol in record.genes]))
    rank = focus(record.score, len(symbols), record.year)
    evidence = [(evidence_symbol(e.symbol, e.gene_id, lexicon), *e) for e in record.evidence]
    figure = (
        record.figid,
        record.pmcid,
        record.title,
        record.caption,
        record.paper_title,
        record.reftext,
        record.year,
        record.doi,
        record.journal,
        record.filename,
        record.figlink,
        record.number,
        record.score,
        _json(record.organisms),
        _json(record.keywords),
        record.generation,
        _json(record.genes),  # Gene is a (written, symbol) tuple: a JSON pair
        _json(evidence) if evidence else None,
        len(symbols),
        rank,
        path,
        record.figtype,
    )
    links = tuple(link_focus(rank, symbols, [list(row) for row in evidence], record.organisms))
    return Prepared(path, sha1, record.figid, figure, rank, symbols, links, known_path)


@lru_cache(maxsize=256)
def _listing(folder: str) -> frozenset[str]:
    try:
        return frozenset(os.listdir(folder))
    except OSError:
        return frozenset()


def read_and_prepare(
    path: str,
    known_sha1: str | None,
    lexicon: Lexicon,
    listing: Callable[[str], frozenset[str]] | None = None,
    tree: str | None = None,
) -> tuple[str, str, object]:
    """Read, hash and (if changed) parse one file: ('unchanged'|'failed'|'prepared', path, x).

    Only regular files inside `tree`, of bounded size, are read (see read_regular).
    """
    try:
        raw = read_regular(path, MAX_RECORD_BYTES, tree)
        genes = read_sidecar(path, "genes", listing, tree)
        chemicals = read_sidecar(path, "chemicals", listing, tree)
    except RecordError as error:
        return "failed", path, str(error)
    except OSError as error:
        return "failed", path, f"cannot read: {error.strerror or error}"
    sha1 = content_hash(raw, genes, chemicals)
    if sha1 == known_sha1:
        return "unchanged", path, None
    try:
        text = _decode(raw, "file")
        gene_tsv = _decode(genes, "genes sidecar") if genes is not None else None
        chem_tsv = _decode(chemicals, "chemicals sidecar") if chemicals is not None else None
        record = parse_record(text, lexicon, gene_tsv, chem_tsv)
    except RecordError as error:
        return "failed", path, str(error)
    return "prepared", path, prepare(record, path, sha1, lexicon, known_sha1 is not None)


def _init_worker(lexicon: Lexicon) -> None:
    global _worker_lexicon
    _worker_lexicon = lexicon
    if hasattr(os, "nice"):
        # The single writer is the pipeline's critical path: let parsers yield the CPU to it,
        # and fill whatever it leaves idle.
        os.nice(10)


Job = tuple[str, "str | None", "str | None"]  # (path, sha1 the ledger knows, tree)


def _work_chunk(job: tuple[str, list[Job]]) -> str:
    """Prepare a chunk of files and spill the results to a file; return its path.

    Results go through a file, not the pool's pipe: a pipe fills while the writer holds
    the GIL, and then the worker stalls instead of parsing ahead.
    """
    spill, chunk = job
    # Worker processes live for one run only, so their cached folder listings can't go stale.
    assert _worker_lexicon is not None, "the pool's initializer sets it"
    results = [
        read_and_prepare(path, known, _worker_lexicon, _listing, tree)
        for path, known, tree in chunk
    ]
    with open(spill, "wb") as handle:
        pickle.dump(results, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return spill


def _in_process(chunk: list[Job], lexicon: Lexicon) -> Iterator:
    for path, known, tree in chunk:
        yield read_and_prepare(path, known, lexicon, tree=tree)


def _results(jobs: list[Job], lexicon: Lexicon, workers: int) -> Iterator:
    """Each job's result, in job order, parsed by a pool of worker processes.

    A worker that dies (the OOM killer, a signal) breaks the pool: its chunk is parsed here
    instead, and a new pool takes the rest, up to POOL_RESTARTS times, then this process
    finishes the run alone. Nothing is lost and nothing waits forever.
    """
    if workers <= 1 or len(jobs) < PARALLEL_THRESHOLD:
        yield from _in_process(jobs, lexicon)
        return
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    chunks = [jobs[start : start + CHUNK_SIZE] for start in range(0, len(jobs), CHUNK_SIZE)]
    with tempfile.TemporaryDirectory(prefix="pathway-bot-ingest-") as spill_dir:
        done, restarts = 0, 0
        while done < len(chunks):
            if restarts > POOL_RESTARTS:
                for chunk in chunks[done:]:
                    yield from _in_process(chunk, lexicon)
                return
            pool = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_init_worker, initargs=(lexicon,)
            )
            try:
                futures = [
                    pool.submit(_work_chunk, (os.path.join(spill_dir, f"{n}.pickle"), chunks[n]))
                    for n in range(done, len(chunks))
                ]
                for future in futures:
                    try:
                        spill = future.result()
                    except BrokenProcessPool:
                        LOG.warning(
                            "a parser process died (out of memory, or killed); parsing "
                            "its %d files in the main process",
                            len(chunks[done]),
                        )
                        yield from _in_process(chunks[done], lexicon)
                        done, restarts = done + 1, restarts + 1
                        break
                    with open(spill, "rb") as handle:
                        results = pickle.load(handle)
                    os.unlink(spill)
                    yield from results
                    done += 1
            finally:
                pool.shutdown(wait=done >= len(chunks), cancel_futures=True)


FIGURE_FIELDS = (
    "figid",
    "pmcid",
    "title",
    "caption",
    "paper_title",
    "reftext",
    "year",
    "doi",
    "journal",
    "filename",
    "figlink",
    "number",
    "score",
    "organisms",
    "keywords",
    "generation",
    "genes",
    "evidence",
    "gene_count",
    "focus",
    "source_path",
    "figtype",
    "updated",
)
_INSERT_FIGURE = (
    f"INSERT INTO figures ({', '.join(FIGURE_FIELDS)}, first_seen) "
    f"VALUES ({', '.join('?' * (len(FIGURE_FIELDS) + 1))})"
)
_INSERT_NEW_FIGURE = (
    f"INSERT INTO figures (id, {', '.join(FIGURE_FIELDS)}, first_seen) "
    f"VALUES ({', '.join('?' * (len(FIGURE_FIELDS) + 2))})"
)
_UPDATE_FIGURE = f"UPDATE figures SET {', '.join(f'{f} = ?' for f in FIGURE_FIELDS)} WHERE id = ?"


class _Writer:
    """Writes prepared records in batches, and commits each run of batches with its ledger rows."""

    def __init__(
        self, db: Database, report: IngestReport, bulk: bool = False, commit_size: int = BATCH_SIZE
    ):
        self.conn = db.conn
        self.report = report
        self.bulk = bulk  # index new figures per batch, not per row
        self.fts_suspended = False
        self.commit_size = commit_size
        self.prepared: list[Prepared] = []
        self.seen: list[str] = []
        self.uncommitted = 0

    def add(self, item: Prepared) -> None:
        self.prepared.append(item)
        if len(self.prepared) >= BATCH_SIZE:
            self.flush()

    def touch(self, path: str) -> None:
        self.seen.append(path)
        if len(self.seen) >= 20 * BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows into the open transaction; commit once enough are pending."""
        if not self.prepared and not self.seen:
            return
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
        now = utc_now()
        if self.bulk and self.prepared and not self.fts_suspended:
            suspend_fts(self.conn)
            self.fts_suspended = True
        existing = dict(
            self.conn.execute(
                "SELECT figid, id FROM figures WHERE figid IN (SELECT value FROM json_each(?))",
                [json.dumps([item.figid for item in self.prepared])],
            )
        )
        if self.prepared:
            bump_corpus_version(self.conn)
        deltas: Counter = Counter()
        links: list[tuple[str, float, int]] = []
        new_rows: list[tuple] = []
        inserted: list[int] = []
        next_id = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM figures").fetchone()[0]
        # Two files claiming one figid: the last one read wins, and both stay in the ledger.
        for item in {item.figid: item for item in self.prepared}.values():
            old_id = existing.get(item.figid)
            if old_id is None and not item.known_path:  # new: one executemany below
                figure_id, next_id = next_id, next_id + 1
                new_rows.append((figure_id, *item.figure, now, now))
                inserted.append(figure_id)
            else:
                if new_rows:  # a renamed file's insert must see the ids taken so far
                    self.conn.executemany(_INSERT_NEW_FIGURE, new_rows)
                    new_rows = []
                figure_id = self._store_figure(item, old_id, now, deltas)
                if old_id is None:
                    inserted.append(figure_id)
                next_id = max(next_id, figure_id + 1)
            existing[item.figid] = figure_id
            links.extend(zip(item.symbols, item.link_focus, repeat(figure_id)))
            deltas.update(item.symbols)
        self.conn.executemany(_INSERT_NEW_FIGURE, new_rows)
        if self.fts_suspended and inserted:
            index_fts(self.conn, inserted)
        # In index order, each insert lands on the page the previous one touched.
        links.sort(key=itemgetter(0))
        self.conn.executemany("INSERT INTO figure_genes VALUES (?, ?, ?)", links)
        self.conn.executemany(
            "INSERT INTO ingest_files (path, sha1, figid, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
            "sha1 = excluded.sha1, figid = excluded.figid, last_seen = excluded.last_seen",
            [(p.path, p.sha1, p.figid, now, now) for p in self.prepared],
        )
        self.conn.executemany(
            "UPDATE ingest_files SET last_seen = ? WHERE path = ?",
            [(now, path) for path in self.seen],
        )
        self.conn.executemany(
            "INSERT INTO gene_counts (symbol, figures) VALUES (?, ?) ON CONFLICT(symbol) "
            "DO UPDATE SET figures = figures + excluded.figures",
            sorted((symbol, n) for symbol, n in deltas.items() if n),
        )
        self.uncommitted += len(self.prepared)
        self.prepared, self.seen = [], []
        if self.uncommitted >= self.commit_size:
            self.commit()

    def commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.commit()
        self.report.ingested += self.uncommitted
        self.uncommitted = 0

    def finish(self) -> None:
        """Write and commit what is buffered, and index new rows one by one again."""
        self.flush()
        if self.fts_suspended:
            if not self.conn.in_transaction:
                self.conn.execute("BEGIN IMMEDIATE")
            resume_fts(self.conn)
        self.commit()

    def abandon(self) -> None:
        """Roll back what is not committed (an error or an interrupt stopped the run)."""
        if self.conn.in_transaction:
            self.conn.rollback()

    def _store_figure(self, item: Prepared, old_id: int | None, now: str, deltas: Counter) -> int:
        """Insert or update one figures row (dropping its old links); return its id."""
        if old_id is not None:
            _delete_links(self.conn, old_id, deltas)
            self.conn.execute(_UPDATE_FIGURE, (*item.figure, now, old_id))
            return old_id
        if item.known_path:
            self._forget_renamed(item)
        figure_id = self.conn.execute(_INSERT_FIGURE, (*item.figure, now, now)).lastrowid
        assert figure_id is not None
        return figure_id

    def _forget_renamed(self, item: Prepared) -> None:
        """A file whose figid changed: drop the figure it used to hold."""
        row = self.conn.execute(
            "SELECT figid FROM ingest_files WHERE path = ?", [item.path]
        ).fetchone()
        if row and row[0] and row[0] != item.figid:
            delete_figure(self.conn, row[0], only_from=item.path)


def _delete_links(conn: sqlite3.Connection, figure_id: int, deltas: Counter) -> None:
    """Remove a figure's gene links, counting what each symbol loses."""
    rank, genes, evidence, organisms = conn.execute(
        "SELECT focus, genes, evidence, organisms FROM figures WHERE id = ?", [figure_id]
    ).fetchone()
    symbols = tuple(
        dict.fromkeys(symbol or written.upper() for written, symbol in json.loads(genes))
    )
    keys = link_focus(
        rank, symbols, json.loads(evidence) if evidence else [], tuple(json.loads(organisms))
    )
    conn.executemany(
        "DELETE FROM figure_genes WHERE symbol = ? AND focus = ? AND figure_id = ?",
        [(symbol, key, figure_id) for symbol, key in zip(symbols, keys, strict=True)],
    )
    deltas.subtract(symbols)


def delete_figure(conn: sqlite3.Connection, figid: str, only_from: str | None = None) -> None:
    """Remove one figure and its links (inside the caller's transaction)."""
    row = conn.execute("SELECT id, source_path FROM figures WHERE figid = ?", [figid]).fetchone()
    if row is None or (only_from and row[1] != only_from):
        return
    deltas: Counter = Counter()
    _delete_links(conn, row[0], deltas)
    conn.execute("DELETE FROM figures WHERE id = ?", [row[0]])
    bump_corpus_version(conn)
    conn.executemany(
        "UPDATE gene_counts SET figures = figures + ? WHERE symbol = ?",
        [(n, symbol) for symbol, n in deltas.items()],
    )


def _claim(
    owners: dict,
    item: Prepared,
    report: IngestReport,
    on_duplicate: Callable[[str, str, str], None] | None,
) -> None:
    """Note which file holds each figid this run; a second file with it replaces the first."""
    previous = owners.get(item.figid)
    owners[item.figid] = (item.path, True)
    if previous is None or previous[0] == item.path:
        return
    report.duplicates.append((item.figid, item.path, previous[0], previous[1]))
    if on_duplicate:
        on_duplicate(item.figid, item.path, previous[0])


def ingest(
    db: Database,
    paths: Iterable[Path],
    lexicon: Lexicon,
    *,
    workers: int | None = None,
    on_failure: Callable[[str, str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_duplicate: Callable[[str, str, str], None] | None = None,
) -> IngestReport:
    """Ingest every record under `paths`; unchanged files are skipped, bad ones reported.

    `on_failure(path, reason)` hears about each bad file as it happens,
    `on_duplicate(figid, kept, ignored)` about two files with one figid (the later file
    read wins), and `progress(done, total)` about each file handled.
    """
    files = find_records(paths)
    # Links arrive in figure order but live clustered by symbol: with SQLite's default
    # 2 MB cache every insert misses. 256 MB keeps the hot index pages resident.
    db.execute("PRAGMA cache_size = -262144")
    ledger = {
        path: (sha1, figid)
        for path, sha1, figid in db.execute("SELECT path, sha1, figid FROM ingest_files")
    }
    jobs: list[Job] = [
        (path, ledger.get(path, (None, None))[0], tree) for path, tree in files.items()
    ]
    owners: dict[str, tuple[str, bool]] = {}  # figid -> (file that holds it, was written)
    report = IngestReport()
    started = utc_now()
    new_files = sum(1 for _, known, _ in jobs if known is None)
    bulk = new_files >= BULK_THRESHOLD
    # At least four commits per big load, so a kill early in it loses little.
    commit_size = min(BULK_COMMIT_SIZE, max(BATCH_SIZE, new_files // 4)) if bulk else BATCH_SIZE
    writer = _Writer(db, report, bulk, commit_size)
    results = _results(jobs, lexicon, workers or os.cpu_count() or 1)
    try:
        for done, (status, path, payload) in enumerate(results, 1):
            if status == "unchanged":
                report.unchanged += 1
                writer.touch(path)
                figid = ledger[path][1]
                if figid and figid not in owners:
                    owners[figid] = (path, False)
            elif status == "failed":
                report.failures.append((path, payload))
                if on_failure:
                    on_failure(path, payload)
            else:
                _claim(owners, payload, report, on_duplicate)
                writer.add(payload)
            if progress:
                progress(done, len(jobs))
        writer.finish()
        report.ingested -= sum(1 for *_, written in report.duplicates if written)
    except BaseException:
        writer.abandon()
        raise
    with write(db.conn):
        if report.ingested >= OPTIMIZE_AFTER:
            # Merge the full-text index's segments into one: a search then reads one list
            # per word, not one per batch (half the time at 100k figures; ~1 s to do).
            db.execute("INSERT INTO figures_fts (figures_fts) VALUES ('optimize')")
        if not search_terms_current(db):  # figures changed (or were never counted)
            refresh_search_terms(db.conn)
        db.execute(
            "INSERT INTO ingest_runs (started, finished, ingested, unchanged, failed) "
            "VALUES (?, ?, ?, ?, ?)",
            [started, utc_now(), report.ingested, report.unchanged, report.failed],
        )
    return report
