"""`Store`: one open database plus the lexicon, the object every surface talks to."""

import functools
import threading
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

from . import queries
from .engine import Engine
from .ingest import IngestReport, ingest
from .lexicon import Lexicon, default_lexicon
from .errors import NotFound
from .models import Answer, FigureHit, Stats
from .schema import connect, load_lexicon


EVENT_MEMORY = timedelta(days=1)  # Slack gives up retrying an event within hours


def _locked(method):
    """Serialise calls: Slack replies run in worker threads that share one connection."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)
    return wrapper


def seeds_dir() -> Path:
    """The bundled figure records: the default corpus of a fresh install."""
    return Path(str(resources.files("seeds")))


class Store:
    """A PathwayBot database: ingest into it, ask it questions."""

    def __init__(self, path: str | Path, lexicon: Lexicon | None = None):
        self.path = Path(path)
        self._lock = threading.RLock()
        self.lexicon = lexicon or default_lexicon()
        self.db = connect(self.path)
        load_lexicon(self.db, self.lexicon)
        self.engine = Engine(self.db, self.lexicon)

    @_locked
    def ingest(self, paths, **options) -> IngestReport:
        """Incrementally ingest record files or folders (see store.ingest.ingest)."""
        return ingest(self.db, paths, self.lexicon, **options)

    @_locked
    def ensure_seeded(self) -> IngestReport | None:
        """Build the corpus from the bundled seeds when the database has never been filled."""
        if self.db.execute("SELECT 1 FROM ingest_runs LIMIT 1").fetchone():
            return None
        return self.ingest([seeds_dir()])

    @_locked
    def ask(self, text: str, limit: int = 10, offset: int = 0) -> Answer:
        """Answer a free-text query the way `/pathway` does."""
        return self.engine.ask(text, limit=limit, offset=offset)

    @_locked
    def warm(self) -> None:
        """Fill the in-memory caches now rather than on the first user's query."""
        self.engine.warm()

    @_locked
    def stats(self, top: int = 10) -> Stats:
        """Corpus totals and the top genes."""
        return queries.stats(self.db, top)

    @_locked
    def figure(self, figid: str) -> FigureHit:
        """One figure with every gene, by figid; NotFound when it is not here."""
        hits = queries.load_hits(self.db, [(i, ()) for i in queries.figure_ids_by_figid(self.db, figid)])
        if not hits:
            raise NotFound(f"no figure {figid} in this database")
        return hits[0]

    @_locked
    def claim_event(self, event_id: str) -> bool:
        """True the first time an event id is seen; False for Slack's retries of it."""
        now = datetime.now(timezone.utc)
        return queries.claim_event(self.db, event_id, now.isoformat(),
                                   (now - EVENT_MEMORY).isoformat())

    @_locked
    def close(self) -> None:
        self.db.close()
