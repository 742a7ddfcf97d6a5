"""`Store`: one open database plus the lexicon, the object every surface talks to."""

from __future__ import annotations

import functools
import importlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from . import queries
from .clock import utc_now
from .errors import NotFound
from .events import EventClaims, SharedEventClaims, events_path
from .lexicon import (
    LEXICON_DIR,
    Lexicon,
    default_lexicon,
    installed_lexicon,
    lexicon_files,
    lexicon_version,
    read_lexicon,
)
from .models import (
    Answer,
    ChannelState,
    CorpusInfo,
    DigestPage,
    FigureHit,
    LexiconInfo,
    Resolution,
    Stats,
    Subscription,
)
from .names import NameIndex
from .schema import Database, connect, corpus_version, meta, write
from .state import PgDatabase, StateDB, digest_lock

if TYPE_CHECKING:
    from .digest import DigestPlan
    from .engine import Engine
    from .enrich import Enrichment, Library, ListReport
    from .filters import Filters
    from .ingest import IngestReport
    from .lexicon_update import UpdateResult
    from .relink import RelinkReport
    from .sync import Checkout


class _Lazy:
    """A module imported on first use: `stats` and `--help` never load the ingest, search
    and digest machinery (rapidfuzz, multiprocessing, the record parser)."""

    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name, __package__)
        return getattr(self._module, attribute)


digest = _Lazy(".digest")
subscriptions = _Lazy(".subscriptions")
_ingest = _Lazy(".ingest")
_sync = _Lazy(".sync")
_engine = _Lazy(".engine")
_resolve = _Lazy(".resolve")
_relink = _Lazy(".relink")
_lexicon_update = _Lazy(".lexicon_update")
_enrich = _Lazy(".enrich")


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    """Serialise calls: Slack replies run in worker threads that share one connection."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self._follow_swap()
            return method(self, *args, **kwargs)

    return wrapper


SWAP_CHECK_SECONDS = 1.0  # how often a serving Store looks for a swapped-in figure index


def _identity(path: Path) -> tuple[str, int, int] | None:
    """(the real file, its device, its inode): what a symlink swap or a rename changes."""
    try:
        real = os.path.realpath(path)
        info = os.stat(real)
    except OSError:
        return None
    return real, info.st_dev, info.st_ino


LOG = logging.getLogger("pathway_bot")


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)[:120]


def seeds_dir() -> Path:
    """The bundled figure records: the starter corpus of a fresh install, laid out as a
    PFOCR checkout (`_figures/`, `_data/`); see seeds/SOURCES.md."""
    return Path(str(resources.files("seeds")))


GENE_LIKE = re.compile(r"[A-Z0-9\u0370-\u03ff]")  # how a gene is written in prose
SEED_FIGID = "PMC4111689__cc-13-2017-g1"  # the project's first record (ITGB3, KRAS, RALB)


def seed_record() -> Path:
    """The one seed record, for tests and demos that want a single known figure."""
    return seeds_dir() / "_figures" / f"{SEED_FIGID}.md"


class Store:
    """A PathwayBot database: ingest into it, ask it questions."""

    def __init__(
        self, path: str | Path, lexicon: Lexicon | None = None, database_url: str | None = None
    ):
        self.path = Path(path)
        self._lock = threading.RLock()
        self._identity = _identity(self.path)
        self._checked = time.monotonic()
        self._lexicon = lexicon
        self.lexicon_folder = installed_lexicon(self.path)
        # Hashing the lexicon files takes milliseconds; parsing them, most of a second:
        # a database already loaded with this version never parses them for a query.
        self.lexicon_version = (
            lexicon.version if lexicon else lexicon_version(lexicon_files(self.lexicon_folder))
        )
        self.db = connect(self.path)
        self._engine: Engine | None = None
        self._corpus: tuple[str | None, CorpusInfo] | None = None
        self._libraries: dict[bool, tuple[str | None, Library]] = {}
        self._approved: dict[str, str] | None = None
        # Event claims, subscriptions, digests and the ledger are shared by every replica
        # (in PostgreSQL) when a database_url is given; else they live in this database.
        self.events = (
            SharedEventClaims(database_url) if database_url else EventClaims(events_path(self.path))
        )
        self.database_url = database_url
        self._shared: PgDatabase | None = None
        # Request-time writes (subscribe, unsubscribe) use their own connection and lock, so
        # one waiting for a bulk ingest's write lock never holds up the reads that answer
        # queries on the connection above.
        self._write_lock = threading.Lock()
        self._write_db: Database | None = None

    @property
    def engine(self) -> Engine:
        """The lookup engine, made on first use."""
        if self._engine is None:
            self._engine = _engine.Engine(self.db, self._open_names)
        return self._engine

    @property
    def lexicon(self) -> Lexicon:
        """The parsed lexicon: read on first use (ingest, a new lexicon version)."""
        if self._lexicon is None:
            self._lexicon = (
                default_lexicon()
                if self.lexicon_folder == LEXICON_DIR
                else read_lexicon(self.lexicon_folder)
            )
        return self._lexicon

    def _open_names(self) -> NameIndex:
        return NameIndex.open(
            self.lexicon_version,
            lambda: self.lexicon,
            _resolve.strip_key,
            self.path.resolve().parent,
        )

    def _follow_swap(self) -> None:
        """Reopen the figure index when a new one was swapped in at our path (a symlink
        replaced atomically, docs/deploy.md). Queries already running keep the old file
        open until they finish; nothing is lost. Checked at most once a second."""
        now = time.monotonic()
        if now - self._checked < SWAP_CHECK_SECONDS:
            return
        self._checked = now
        current = _identity(self.path)
        if current is None or current == self._identity:
            return
        LOG.info("figure index swapped: now %s", current[0])
        old = self.db
        self.db = connect(self.path)
        self._identity = current
        self._drop_engine()
        self._corpus = None
        self._libraries = {}
        with self._write_lock:
            if self._write_db is not None:
                self._write_db.close()
                self._write_db = None
        old.close()

    def _writer(self) -> StateDB:
        """Where request-time writes go: the shared database, or a second connection to
        this one (so a write waiting on a bulk ingest never blocks reads)."""
        if self.database_url:
            return self._state
        if self._write_db is None:
            self._write_db = connect(self.path, migrate=False)
        return self._write_db

    @property
    def _state(self) -> StateDB:
        """Subscriptions, digests and the ledger: PostgreSQL with a database_url."""
        if not self.database_url:
            return self.db
        if self._shared is None:
            self._shared = PgDatabase(self.database_url)
        return self._shared

    @_locked
    def ingest(self, paths: Iterable[Path | str], **options: Any) -> IngestReport:
        """Incrementally ingest record files or folders (see store.ingest.ingest); figures
        linked with an older lexicon are re-linked first."""
        self.relink_if_stale()
        if _relink.unmarked(self.db, self.lexicon_version):  # the first figures: say how
            _relink.mark_linked(self.db, self.lexicon_version)  # they will be linked
        return _ingest.ingest(self.db, paths, self.lexicon, **options)

    def lexicon_info(self) -> LexiconInfo:
        """The lexicon in use: where it is, its version, sources and counts."""
        lexicon = self.lexicon
        withdrawn = sum(1 for group in lexicon.locus.values() if group == "withdrawn")
        counts = {
            "approved genes": len(lexicon.symbols) - withdrawn,
            "protein-coding": len(lexicon.symbols) - len(lexicon.locus),
            "withdrawn symbols kept": withdrawn,
            "renamed since 2019": len(lexicon.renamed),
            "families": len(lexicon.families),
            "family names from the literature": len(lexicon.family_names),
            "curated lab names": len(lexicon.synonyms),
            "curated non-genes": len(lexicon.not_genes),
            "mouse orthologs": len(lexicon.mouse),
        }
        return LexiconInfo(
            folder=str(self.lexicon_folder),
            installed=self.lexicon_folder != LEXICON_DIR,
            version=self.lexicon_version,
            counts=counts,
            sources=_lexicon_update.describe(self.lexicon_folder),
            links_current=not self.links_stale(),
        )

    @_locked
    def update_lexicon(
        self, hgnc: str, famplex: str, timeout: float = 60.0
    ) -> tuple[UpdateResult, RelinkReport | None]:
        """Install the lexicon derived from these sources (URLs or local paths), then
        re-link the figures to it. A failed download or check changes nothing."""
        result = _lexicon_update.update(self.path, hgnc, famplex, timeout, self.lexicon)
        self.lexicon_folder = installed_lexicon(self.path)
        self.lexicon_version = lexicon_version(lexicon_files(self.lexicon_folder))
        self._lexicon = result.lexicon
        self._drop_engine()
        return result, self.relink_if_stale()

    def _drop_engine(self) -> None:
        """Forget the engine (its name index and caches): the lexicon or links changed."""
        names = self._engine.resolver._names if self._engine else None
        if isinstance(names, NameIndex):
            names.close()
        self._engine = None

    def links_stale(self) -> bool:
        """Were the figures linked with another lexicon than the one in use?"""
        return _relink.stale(self.db, self.lexicon_version)

    @_locked
    def relink_if_stale(self) -> RelinkReport | None:
        """Re-link every figure to the lexicon in use, if it changed (no record is re-read)."""
        if not self.links_stale():
            return None
        report = _relink.relink(self.db, self.lexicon)
        self._drop_engine()  # the resolver's popularity and postings read the new links
        return report

    @_locked
    def ensure_seeded(self) -> IngestReport | None:
        """Build the corpus from the bundled seeds when the database has never been filled."""
        if self.db.execute("SELECT 1 FROM ingest_runs LIMIT 1").fetchone():
            return None
        return self.ingest([seeds_dir()])

    @_locked
    def ask(
        self, text: str, limit: int = 10, offset: int = 0, filters: Filters | None = None
    ) -> Answer:
        """Answer a free-text query the way `/pathway` does."""
        return self.engine.ask(text, limit=limit, offset=offset, filters=filters)

    @_locked
    def warm(self) -> None:
        """Fill the in-memory caches now rather than on the first user's query."""
        self.engine.warm()

    @_locked
    def stats(self, top: int = 10) -> Stats:
        """Corpus totals and the top genes."""
        return queries.stats(self.db, top)

    # --- enrichment ---------------------------------------------------------------

    @_locked
    def library(self, exact_only: bool = False) -> Library:
        """The figures as gene sets, built on first use and again when the figures change
        (0.5 s at 100k figures; bench/bench_enrich.py)."""
        version = corpus_version(self.db)
        cached = self._libraries.get(exact_only)
        if cached is not None and cached[0] == version:
            return cached[1]
        # Built once per corpus version and kept beside the database, so every serve
        # worker (and every CLI run) after the first loads it in milliseconds.
        key = f"{version or 'none'}-{self.lexicon_version}-{'exact' if exact_only else 'all'}"
        path = self.path.with_name(f"{self.path.name}.enrich-{_safe(key)}.npz")
        built = None
        if path.exists():
            try:
                built = _enrich.Library.load(path)
            except (OSError, ValueError, KeyError):
                built = None  # a damaged cache is rebuilt
        if built is None:
            built = self._build_library(exact_only)
            try:
                for old in self.path.parent.glob(f"{self.path.name}.enrich-*"):
                    old.unlink(missing_ok=True)
                built.save(path)
            except OSError:
                pass  # a read-only folder: build again next time
        self._libraries[exact_only] = (version, built)
        return built

    def _build_library(self, exact_only: bool, min_genes: int = 3) -> Library:
        groups, ids = _enrich.exact_links(self.db) if exact_only else _enrich.library_links(self.db)
        approved = frozenset(self._approved_symbols().values())
        return _enrich.build_library(groups, ids, approved, exact_only, min_genes)

    def _approved_symbols(self) -> dict[str, str]:
        """Approved HGNC symbols by their upper-case spelling ('C1ORF112' -> 'C1orf112')."""
        if self._approved is None:
            names = self.engine.resolver.names
            self._approved = {symbol.upper(): symbol for symbol in names.approved()}
        return self._approved

    @_locked
    def read_gene_list(self, text: str) -> ListReport:
        """A pasted list, name by name: approved symbols at once, the rest through the
        resolver (aliases, previous and mouse symbols), Excel's dates recognised."""
        approved = self._approved_symbols()
        resolver = self.engine.resolver

        def resolve(name: str) -> Resolution | None:
            found = resolver.read(name, as_gene=True).resolutions
            return found[0] if len(found) == 1 else None

        return _enrich.read_list(
            _enrich.split_names(text), lambda n: approved.get(n.upper()), resolve
        )

    def enrich(
        self,
        text: str,
        background: str | None = None,
        min_overlap: int = 1,
        exact_only: bool = False,
    ) -> Enrichment:
        """Which figures a gene list is enriched in (store/enrich.py has the statistics)."""
        report = self.read_gene_list(text)
        back = self.read_gene_list(background) if background is not None else None
        return _enrich.enrich(self.library(exact_only), report, back, min_overlap)

    @_locked
    def gene_sets(
        self, min_genes: int = 3, exact_only: bool = False, filters: Filters | None = None
    ) -> Iterator[tuple[str, str, list[str]]]:
        """(figid, title, genes) for every figure set, as `export-gmt` writes them."""
        if min_genes == _enrich.MIN_SET_GENES:
            library = self.library(exact_only)
        else:
            library = self._build_library(exact_only, min_genes)
        keep = self.engine.postings.keep_ids(filters) if filters else None
        labels = queries.figure_labels(self.db)
        for row, figure_id in enumerate(library.figure_ids.tolist()):
            if keep is None or keep(figure_id):
                figid, title = labels[figure_id]
                yield figid, title or figid, library.genes_of(row)

    @_locked
    def figids_by_id(self, ids: Iterable[int]) -> dict[int, str]:
        """{figure id: figid} for the given ids (a light read: no genes, no evidence)."""
        return queries.figids_by_id(self.db, list(ids))

    @_locked
    def figures_by_id(self, ids: Iterable[int]) -> list[FigureHit]:
        """Figures by database id, in the order given (ids no longer here are skipped)."""
        return queries.load_hits(self.db, [(i, ()) for i in ids])

    @_locked
    def genes_in(self, text: str) -> list[str]:
        """The gene and family names a message states, as written: 'our screen hit ITGB3,
        RALB and KRAS' -> ['ITGB3', 'RALB', 'KRAS']. In prose, names are written with a
        capital, a digit or a Greek letter; typo guesses are left out."""
        reading = self.engine.resolver.read(text)
        return [
            r.input
            for r in reading.resolutions
            if r.symbols and not r.corrected and GENE_LIKE.search(r.input)
        ]

    @_locked
    def corpus_info(self) -> CorpusInfo:
        """How many figures, from which PFOCR commit, synced when. Every answer asks (for
        the starter hint), so it is kept until the figures change: counting 100k rows
        costs milliseconds."""
        version = corpus_version(self.db)
        if self._corpus is not None and self._corpus[0] == version:
            return self._corpus[1]
        found = queries.corpus_meta(self.db)
        info = CorpusInfo(
            figures=queries.figure_count(self.db),
            source=found.get("sync_source"),
            commit=found.get("sync_commit"),
            synced=found.get("synced"),
            last_ingest=found.get("last_ingest"),
        )
        self._corpus = (version, info)
        return info

    def newest(self, limit: int) -> list[FigureHit]:
        """The figures seen last, for App Home."""
        with self._lock:
            return self.figures_by_id(queries.newest_figure_ids(self.db, limit))

    def figure_by_link(self, pmcid: str, figure: str) -> FigureHit | None:
        """The figure a PMC figure link points at, or None (a link unfurls only if known)."""
        with self._lock:
            hits = self.figures_by_id(queries.figure_ids_by_link(self.db, pmcid, figure))
        return hits[0] if hits else None

    def find_figure(self, figid: str) -> FigureHit | None:
        """One figure by figid, or None."""
        with self._lock:
            hits = self.figures_by_id(queries.figure_ids_by_figid(self.db, figid))
        return hits[0] if hits else None

    def figure(self, figid: str) -> FigureHit:
        """One figure with every gene, by figid; NotFound when it is not here."""
        hit = self.find_figure(figid)
        if hit is None:
            raise NotFound(f"no figure {figid} in this database")
        return hit

    def claim_event(self, event_id: str) -> bool:
        """True the first time an event id is seen; False for Slack's retries of it.
        Never waits on the figure database (see store.events)."""
        return self.events.claim(event_id)

    def sync(self, source: str, clone_into: Path, **options: Any) -> tuple[Checkout, IngestReport]:
        """Fast-forward (or first clone) a PFOCR checkout, then ingest it incrementally."""
        checkout = _sync.update(source, clone_into)  # raises SyncError before any write
        report = self.ingest([checkout.path], **options)
        with self._lock, write(self.db.conn):
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [
                    ("sync_source", _sync.display_source(source)),
                    ("sync_commit", checkout.after),
                    ("synced", utc_now()),
                ],
            )
        self._corpus = None
        return checkout, report

    @_locked
    def get_meta(self, key: str) -> str | None:
        return meta(self.db, key)

    @_locked
    def set_meta(self, key: str, value: str) -> None:
        with write(self.db.conn):
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    # --- subscriptions -------------------------------------------------------------
    @_locked
    def understand_subscription(
        self, channel: str, text: str
    ) -> tuple[list[Subscription], list[str]]:
        """(subscriptions, problems) for `subscribe <text>`; nothing is saved.
        `signature NAME GENE GENE …` saves a gene list whose enriched new figures the
        digest reports."""
        named = subscriptions.signature_parts(text)
        if named is None:
            return subscriptions.understand(self.engine.resolver, channel, text)
        name, genes = named
        if not subscriptions.SIGNATURE_NAME_RE.match(name):
            return [], [f"“{name}” cannot name a signature: use letters, digits, - . or _"]
        report = self.read_gene_list(genes)
        if len(report.genes) < _enrich.MIN_SET_GENES:
            return [], [
                f"signature {name} needs at least {_enrich.MIN_SET_GENES} recognised genes; "
                f"it has {len(report.genes)}. Usage: `subscribe signature {name} GENE GENE GENE …`"
            ]
        skipped = [typed for typed, _ in report.unrecognised] + [t for t, _ in report.left_out]
        note = f"left out (not one known gene): {', '.join(skipped[:10])}" if skipped else ""
        return [subscriptions.signature(channel, name, report.genes, note)], []

    def subscribe(self, subs: list[Subscription], user: str | None) -> list[Subscription]:
        """Save subscriptions (new ones start now); returns those that were new."""
        with self._write_lock:
            return subscriptions.save(self._writer(), subs, user, utc_now())

    def unsubscribe(self, channel: str, text: str) -> list[str]:
        with self._lock:  # the resolver's lazy index is built under the read lock
            resolver = self.engine.resolver
            resolver.names  # noqa: B018
        with self._write_lock:
            return subscriptions.remove(self._writer(), resolver, channel, text)

    @_locked
    def subscriptions(self, channel: str) -> ChannelState:
        return subscriptions.listing(self._state, channel)

    # --- digests ---------------------------------------------------------------------
    @_locked
    def all_subscriptions(
        self, limit: int = 50, workspace: str | None = None
    ) -> list[ChannelState]:
        """Every channel's subscriptions and digest state (of one workspace), for App Home."""
        return subscriptions.all_channels(self._state, limit, workspace)

    def adopt_workspace(self, workspace: str) -> int:
        """Key a single-workspace database's rows by its workspace (at first start, once
        Slack said which it is); returns how many channels moved. Idempotent."""
        with self._write_lock:
            return subscriptions.adopt_workspace(self._writer(), workspace)

    def pause_workspace(self, workspace: str, reason: str) -> int:
        """Pause every channel of a workspace (uninstalled, tokens revoked): its
        subscriptions are kept, with the reason, and resume on reinstall + subscribe."""
        with self._write_lock:
            return subscriptions.pause_workspace(self._writer(), workspace, reason, utc_now())

    @_locked
    def digest_plans(self, channel: str | None = None) -> list[DigestPlan]:
        return digest.plan(self.db, channel, enriched=self.enriched_figures, shared=self._state)

    @_locked
    def digest_recent(self, channel: str) -> DigestPlan | None:
        return digest.recent(self.db, channel, enriched=self.enriched_figures, shared=self._state)

    def enriched_figures(self, genes: tuple[str, ...]) -> set[int]:
        """The figures a signature is enriched in: q < 0.05 over the whole library."""
        report = _enrich.ListReport(recognised=genes, genes=genes)
        try:
            found = _enrich.enrich(self.library(), report)
        except _enrich.EnrichError:  # none of its genes in any figure (yet)
            return set()
        return {r.figure_id for r in found.results if r.q < _enrich.SIGNIFICANT}

    def save_gene_list(self, genes: str, background: str | None, min_overlap: int) -> str:
        """Keep a list for the buttons of its answer; returns its key."""
        with self._write_lock:
            return subscriptions.save_gene_list(
                self._writer(), genes, background, min_overlap, utc_now()
            )

    @_locked
    def gene_list(self, key: str) -> tuple[str, str | None, int] | None:
        """(genes, background, min overlap) saved under key, or None."""
        return subscriptions.gene_list(self._state, key)

    @_locked
    def digest_start(self, plan: DigestPlan) -> int:
        return digest.start(self._state, plan, utc_now())

    @_locked
    def digest_finish(self, digest_id: int, ts: str | None) -> None:
        digest.finish(self._state, digest_id, ts, utc_now())

    @_locked
    def digest_abandon(self, digest_id: int) -> None:
        digest.abandon(self._state, digest_id)

    @_locked
    def digest_nothing_new(self, channel: str, cutoff: str) -> None:
        digest.nothing_new(self._state, channel, cutoff)

    @_locked
    def digest_in_doubt(self) -> list[tuple[int, str, str]]:
        return digest.in_doubt(self._state)

    @_locked
    def pause_channel(self, channel: str, reason: str) -> None:
        digest.pause(self._state, channel, reason, utc_now())

    @_locked
    def digest_page(
        self, digest_id: int, offset: int, limit: int, channel: str | None = None
    ) -> DigestPage | None:
        """A page of a posted digest; with `channel`, only if it was posted there."""
        return digest.page(self.db, digest_id, offset, limit, channel, shared=self._state)

    @_locked
    def plan_page(self, plan: DigestPlan, limit: int) -> DigestPage:
        """The first page of a plan that is not posted yet (previews, dry runs)."""
        return digest.plan_page(self.db, plan, limit)

    @_locked
    @contextmanager
    def digest_run(self) -> Iterator[bool]:
        """Hold the shared database's digest lock for a run (True), or learn that another
        machine holds it (False). Without a database_url the file lock covers it: True."""
        with digest_lock(self._state) as got:
            yield got

    def close(self) -> None:
        self.db.close()
        names = self._engine.resolver._names if self._engine else None
        if isinstance(names, NameIndex):
            names.close()
        self.events.close()
        with self._write_lock:
            if self._write_db is not None:
                self._write_db.close()
            if self._shared is not None:
                self._shared.close()
                self._shared = None
