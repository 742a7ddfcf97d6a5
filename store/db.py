"""`Store`: one open database plus the lexicon, the object every surface talks to."""

from importlib import resources
from pathlib import Path

from . import queries
from .engine import Engine
from .ingest import IngestReport, ingest
from .lexicon import Lexicon, default_lexicon
from .models import Answer, Stats
from .schema import connect, load_lexicon


def seeds_dir() -> Path:
    """The bundled figure records: the default corpus of a fresh install."""
    return Path(str(resources.files("seeds")))


class Store:
    """A PathwayBot database: ingest into it, ask it questions."""

    def __init__(self, path: str | Path, lexicon: Lexicon | None = None):
        self.path = Path(path)
        self.lexicon = lexicon or default_lexicon()
        self.db = connect(self.path)
        load_lexicon(self.db, self.lexicon)
        self.engine = Engine(self.db, self.lexicon)

    def ingest(self, paths, **options) -> IngestReport:
        """Incrementally ingest record files or folders (see store.ingest.ingest)."""
        return ingest(self.db, paths, self.lexicon, **options)

    def ensure_seeded(self) -> IngestReport | None:
        """Build the corpus from the bundled seeds when the database has never been filled."""
        if self.db.execute("SELECT 1 FROM ingest_runs LIMIT 1").fetchone():
            return None
        return self.ingest([seeds_dir()])

    def ask(self, text: str, limit: int = 10, offset: int = 0) -> Answer:
        """Answer a free-text query the way `/pathway` does."""
        return self.engine.ask(text, limit=limit, offset=offset)

    def stats(self, top: int = 10) -> Stats:
        """Corpus totals and the top genes."""
        return queries.stats(self.db, top)

    def close(self) -> None:
        self.db.close()
