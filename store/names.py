"""The name and typo indexes the resolver reads, kept in a SQLite file per lexicon version.

Building them (every symbol, family, previous symbol, curated name and alias, exact and
without spaces or hyphens, plus a symmetric-deletion index for typos) takes seconds; a
query needs a handful of rows. So they are built once per lexicon version into
`pathway-bot-names-<version>.sqlite` (beside the database, or in PATHWAY_BOT_CACHE_DIR),
written to a temp file and renamed into place, then opened read-only. Nothing that does
not resolve a gene opens it: `stats`, `--help` and ingest never pay for it.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .lexicon import Lexicon

CACHE_ENV = "PATHWAY_BOT_CACHE_DIR"
FORMAT = 7  # bump when the tables or ranks below change


def _code_version() -> str:
    """A hash of the code that derives the index (this module, the lexicon reader and the
    resolver's key function): an index built by other code is never reused."""
    digest = hashlib.sha1()
    for name in ("names.py", "lexicon.py", "resolve.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:8]


CODE_VERSION = _code_version()
RANK_SYMBOL, RANK_FAMILY, RANK_PREVIOUS, RANK_CURATED, RANK_NAME, RANK_ALIAS = range(6)
RANK_MOUSE = 6  # a mouse symbol read as its human ortholog: Trp53 -> TP53 (HCOP)
RANK_OTHER_ALIAS = 7  # an alias of a non-coding gene or pseudogene: never beats a protein's
NOT_GENE_ANY_CASE = 4  # characters from which a non-gene matches in lower case too
RANK_PARTIAL = 8  # the leading words of a name: 'hepcidin', 'mechanistic target of rapamycin'

SCHEMA = """
CREATE TABLE names (key TEXT NOT NULL, stripped INTEGER NOT NULL, rank INTEGER NOT NULL,
                    name TEXT NOT NULL, symbols TEXT NOT NULL, family TEXT);
CREATE TABLE fuzzy (key TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (key, name))
    WITHOUT ROWID;
CREATE TABLE entrez (id TEXT PRIMARY KEY, symbol TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE formerly (symbol TEXT NOT NULL, old TEXT NOT NULL, PRIMARY KEY (symbol, old))
    WITHOUT ROWID;
CREATE TABLE not_genes (key TEXT PRIMARY KEY, what TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE mouse (symbol TEXT PRIMARY KEY, human TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE fullname (symbol TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""
INDEXES = "CREATE INDEX names_key ON names (stripped, key);"


@dataclass(frozen=True)
class Entry:
    """One lexicon name that a query spelling matched."""

    rank: int
    name: str  # the lexicon name that matched
    symbols: tuple[str, ...]
    family: str | None = None


def deletions(word: str, depth: int) -> set[str]:
    """The word with up to `depth` letters deleted, every way (the symmetric-deletion keys)."""
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier if len(w) > 1 for i in range(len(w))}
        found |= frontier
    return found


def not_gene_keys(text: str) -> list[str]:
    """How a curated non-gene is matched: as written, and longer ones in lower case too
    (NADPH, nadph). Never in upper case: NO is nitric oxide but 'no' a word, cAMP is
    cyclic AMP but CAMP the gene of cathelicidin."""
    return [text, text.lower()] if len(text) >= NOT_GENE_ANY_CASE else [text]


def fuzzy_depth(word: str) -> int:
    """How many edits a typo of this length may have: 2 from 8 letters, else 1."""
    return 2 if len(word) >= 8 else 1


def _entries(lexicon: Lexicon) -> Iterator[tuple[str, Entry]]:
    for symbol in lexicon.symbols.values():
        yield symbol, Entry(RANK_SYMBOL, symbol, (symbol,))
    for name, members in lexicon.families.values():
        yield name, Entry(RANK_FAMILY, name, members, family=name)
    for text, family in lexicon.family_names.items():  # "IκB kinase", "casein kinase 2"
        name, members = lexicon.families[family.upper()]
        yield text, Entry(RANK_NAME, name, members, family=name)
    for head, members in lexicon.head_names.items():  # 'lipoxygenase', 'kindlin 2'
        group = head.lower() if len(members) > 1 else None
        yield head, Entry(RANK_PARTIAL, head, members, family=group)
    for mouse, human in lexicon.mouse.items():
        if mouse.upper() != human.upper():  # Pten is PTEN already, as a human symbol
            yield mouse, Entry(RANK_MOUSE, mouse, (human,))
    for rank, table in (
        (RANK_PREVIOUS, lexicon.previous),
        (RANK_CURATED, lexicon.synonyms),
        (RANK_NAME, lexicon.gene_names),  # full names: "tumor necrosis factor", "talin"
        (RANK_ALIAS, lexicon.aliases),
        (RANK_PARTIAL, lexicon.partial_names),
    ):
        for upper, symbols in table.items():
            for symbol in symbols:
                demoted = rank == RANK_ALIAS and not lexicon.coding(symbol)
                yield upper, Entry(RANK_OTHER_ALIAS if demoted else rank, upper, (symbol,))


def _rows(lexicon: Lexicon, strip_key: Callable[[str], str]) -> Iterator[tuple]:
    for name, entry in _entries(lexicon):
        values = (entry.rank, entry.name, " ".join(entry.symbols), entry.family)
        yield (name.upper(), 0, *values)
        key = strip_key(name)
        if key:
            yield (key, 1, *values)


def typo_targets(lexicon: Lexicon) -> list[str]:
    """The symbols a typo may be corrected to: protein-coding genes. A pseudogene or
    non-coding RNA still resolves by its exact symbol, but a near miss of KRAS should not
    be 'corrected' to one."""
    return [symbol for symbol in lexicon.symbols.values() if lexicon.coding(symbol)]


def _fuzzy_rows(names: Iterable[str]) -> Iterator[tuple[str, str]]:
    for name in names:
        upper = name.upper()
        for key in deletions(upper, fuzzy_depth(upper)):
            yield key, name


def build(lexicon: Lexicon, target: Path, strip_key: Callable[[str], str]) -> None:
    """Write the index for `lexicon` to `target` atomically (temp file, then rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".names-", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        conn = sqlite3.connect(temp)
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(SCHEMA)
        # Names in insertion order: within a rank, the resolver keeps the lexicon's order.
        conn.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?, ?)", _rows(lexicon, strip_key))
        conn.executemany(
            "INSERT OR IGNORE INTO fuzzy VALUES (?, ?)",
            sorted(set(_fuzzy_rows(typo_targets(lexicon)))),
        )
        conn.executemany("INSERT INTO entrez VALUES (?, ?)", sorted(lexicon.entrez.items()))
        conn.executemany(
            "INSERT OR IGNORE INTO formerly VALUES (?, ?)",
            sorted((new, old) for old, new in lexicon.renamed.items()),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO not_genes VALUES (?, ?)",
            sorted(
                (key, what)
                for text, what in lexicon.not_genes.items()
                for key in not_gene_keys(text)
            ),
        )
        conn.executemany("INSERT INTO mouse VALUES (?, ?)", sorted(lexicon.mouse.items()))
        conn.executemany("INSERT INTO fullname VALUES (?, ?)", sorted(lexicon.full_names.items()))
        conn.execute("INSERT INTO meta VALUES ('lexicon_version', ?)", [lexicon.version])
        conn.executescript(INDEXES)
        conn.commit()
        conn.close()
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def cache_path(version: str, folder: Path | None = None) -> Path:
    """Where the index of one lexicon version lives."""
    folder = Path(os.environ.get(CACHE_ENV) or folder or tempfile.gettempdir())
    return folder / f"pathway-bot-names-{version}-v{FORMAT}-{CODE_VERSION}.sqlite"


class NameIndex:
    """Read-only lookups: exact and stripped names, Entrez ids, typo candidates."""

    def __init__(self, path: Path):
        self.path = path
        # immutable=1: the file never changes once renamed into place, so no locking.
        self._conn = sqlite3.connect(
            f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls,
        version: str,
        lexicon: Callable[[], Lexicon],
        strip_key: Callable[[str], str],
        folder: Path | None = None,
    ) -> NameIndex:
        """The index for `version`, built from `lexicon()` first if no file has it yet."""
        path = cache_path(version, folder)
        if not path.exists():
            built = lexicon()
            if built.version != version:  # the files changed under us: key by what we read
                path = cache_path(built.version, folder)
            build(built, path, strip_key)
        return cls(path)

    def _entries(self, key: str, stripped: int) -> list[Entry]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT rank, name, symbols, family FROM names WHERE stripped = ? AND key = ? "
                "ORDER BY rowid",
                [stripped, key],
            ).fetchall()
        return [
            Entry(rank, name, tuple(symbols.split()), family)
            for rank, name, symbols, family in rows
        ]

    def exact(self, key: str) -> list[Entry]:
        """Entries whose name, upper-cased, is `key`."""
        return self._entries(key, 0)

    def stripped(self, key: str) -> list[Entry]:
        """Entries whose name without spaces, hyphens and underscores is `key`."""
        return self._entries(key, 1)

    def approved(self) -> frozenset[str]:
        """Every approved HGNC symbol, as written ('C1orf112', 'TP53')."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT name FROM names WHERE rank = ? AND stripped = 0", [RANK_SYMBOL]
            ).fetchall()
        return frozenset(row[0] for row in rows)

    def entrez(self, gene_id: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT symbol FROM entrez WHERE id = ?", [gene_id]).fetchone()
        return row[0] if row else None

    def loci(self, stem: str) -> list[str]:
        """Approved symbols that are `stem` plus a locus number: MIR7 -> MIR7-1, MIR7-2,
        MIR7-3; MIRLET7A -> MIRLET7A1, 2, 3 (host genes, 'HG', are not loci)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT name FROM names WHERE stripped = 0 AND rank = ? "
                "AND (key GLOB ? OR key GLOB ?) ORDER BY name",
                [RANK_SYMBOL, f"{stem}-[0-9]", f"{stem}[0-9]"],
            ).fetchall()
        return [row[0] for row in rows]

    def formerly(self, symbol: str) -> list[str]:
        """The symbols a gene had in the 2019 nomenclature, if it was renamed since."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT old FROM formerly WHERE symbol = ? ORDER BY old", [symbol]
            ).fetchall()
        return [row[0] for row in rows]

    def series(self, stem: str) -> list[Entry]:
        """Symbols, previous symbols and aliases that are `stem` (stripped) plus one digit:
        INSIG -> INSIG1, INSIG2; SREBP -> SREBP1 (SREBF1), SREBP2 (SREBF2)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT rank, name, symbols, family FROM names WHERE stripped = 1 "
                "AND key GLOB ? AND rank IN (?, ?, ?, ?) ORDER BY key, rank, rowid",
                [f"{stem}[0-9]", RANK_SYMBOL, RANK_PREVIOUS, RANK_CURATED, RANK_ALIAS],
            ).fetchall()
        return [
            Entry(rank, name, tuple(symbols.split()), family)
            for rank, name, symbols, family in rows
        ]

    def any_stripped(self, keys: list[str]) -> bool:
        """Is any of these keys a name without spaces and hyphens (one query)?"""
        if not keys:
            return False
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM names WHERE stripped = 1 AND key IN "
                f"({','.join('?' * len(keys))}) LIMIT 1",
                keys,
            ).fetchone()
        return row is not None

    def mouse(self, symbol: str) -> str | None:
        """The human gene a mouse symbol (as written: Pten, Trp53) is read as, if any."""
        with self._lock:
            row = self._conn.execute(
                "SELECT human FROM mouse WHERE symbol = ?", [symbol]
            ).fetchone()
        return row[0] if row else None

    def not_gene(self, text: str) -> str | None:
        """What a curated non-gene is ('nitric oxide' for NO), or None for anything else."""
        with self._lock:
            row = self._conn.execute("SELECT what FROM not_genes WHERE key = ?", [text]).fetchone()
        return row[0] if row else None

    def gene_name(self, symbols: Iterable[str]) -> list[str]:
        """HGNC's full names of these genes, upper case."""
        symbols = list(symbols)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT name FROM fullname WHERE symbol IN ({','.join('?' * len(symbols))})",
                symbols,
            ).fetchall()
        return [row[0].upper() for row in rows]

    def candidates(self, word: str, max_distance: int) -> set[str]:
        """Approved symbols sharing a deletion key with `word` (upper case): every symbol
        within max_distance edits is among them."""
        keys = sorted(deletions(word, max_distance))
        with self._lock:
            rows = self._conn.execute(
                f"SELECT DISTINCT name FROM fuzzy WHERE key IN ({','.join('?' * len(keys))})", keys
            ).fetchall()
        return {row[0] for row in rows}

    def close(self) -> None:
        with self._lock:
            self._conn.close()
