"""Full-text search over figure title, caption and paper title (FTS5 + BM25 + rapidfuzz)."""

import json
import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from .resolve import FILLER
from .schema import CorpusCache, Database

CANDIDATES = 200  # BM25's best this many are re-ranked by title similarity
FULL_RANK = 10_000  # BM25 orders every match up to this many (about 10 ms here)
BROAD_POOL = 5_000  # past that, the newest this many matches are ranked
WEIGHTS = (10.0, 1.0, 4.0)  # bm25 column weights: title, caption, paper title
_PHRASE_RE = re.compile(r'"([^"]*)"')
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def parse_terms(text: str, filler: frozenset = frozenset()) -> list[str]:
    """Quoted phrases stay phrases; every other word is its own term. Punctuation is dropped,
    and so are filler words unless nothing else is left."""
    phrases = [" ".join(_WORD_RE.findall(p)) for p in _PHRASE_RE.findall(text)]
    words = _WORD_RE.findall(_PHRASE_RE.sub(" ", text).replace('"', " "))
    kept = [w for w in words if w.lower() not in filler]
    return [t for t in (*phrases, *(kept if kept or phrases else words)) if t]


def match_expression(terms: list[str]) -> str:
    """An FTS5 MATCH string in which every term is a quoted string: user text is never syntax.

    Quoting disarms NEAR, AND/OR/NOT, column filters, `*`, `^` and leading `-`.
    """
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _matches(db: Database, expression: str) -> int:
    return db.execute(
        "SELECT count(*) FROM figures_fts WHERE figures_fts MATCH ?", [expression]
    ).fetchone()[0]


def _exists(db: Database, expression: str) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM figures_fts WHERE figures_fts MATCH ? LIMIT 1", [expression]
        ).fetchone()
        is not None
    )


def _best(db: Database, expression: str, count: int) -> list[tuple[int, float]]:
    return db.execute(
        "SELECT rowid, bm25(figures_fts, ?, ?, ?) AS score FROM figures_fts "
        "WHERE figures_fts MATCH ? ORDER BY score LIMIT ?",
        [*WEIGHTS, expression, count],
    ).fetchall()


def _candidates(db: Database, expression: str, total: int, count: int) -> list[tuple[int, float]]:
    """BM25's best `count` matches, with the work bounded for very broad queries.

    BM25 must score every match before it can order them, so a word in most figures
    would cost ~40 ms. Past FULL_RANK matches, rank the figures whose *title* matches
    (the ones a broad query is most likely about); if even those are too many, rank the
    newest BROAD_POOL matches, which FTS5 reads in rowid order without scoring the rest.
    """
    if total <= FULL_RANK:
        return _best(db, expression, count)
    titled = "{title} : (" + expression + ")"
    if 0 < _matches(db, titled) <= FULL_RANK:
        return _best(db, titled, count)
    newest = db.execute(
        "SELECT rowid, bm25(figures_fts, ?, ?, ?) FROM figures_fts "
        "WHERE figures_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
        [*WEIGHTS, expression, BROAD_POOL],
    ).fetchall()
    return sorted(newest, key=lambda row: row[1])[:count]


def text_matches(db: Database, words: list[str], cap: int = 50_000) -> frozenset[int]:
    """Figures whose title, caption or paper title has every one of these words."""
    terms = parse_terms(" ".join(words), FILLER)
    if not terms:
        return frozenset()
    rows = db.execute(
        "SELECT rowid FROM figures_fts WHERE figures_fts MATCH ? LIMIT ?",
        [match_expression(terms), cap],
    )
    return frozenset(row[0] for row in rows)


WHOLE_WORD_RATIO = 70  # 'resistanse'~'resist' is 75, 'channel'~'can' is 60


class Vocabulary(CorpusCache):
    """The index's own terms (stemmed) with document counts, for correcting typos."""

    def __init__(self, db: Database):
        super().__init__(db)
        self._terms: list[str] = []
        self._docs: dict[str, int] = {}

    def reload(self) -> None:
        rows = self.db.execute("SELECT term, doc FROM figures_fts_vocab").fetchall()
        self._terms = [term for term, _ in rows]
        self._docs = dict(rows)

    def correct(self, word: str) -> str | None:
        """The most common index term that is a near spelling of word, or None."""
        self.fresh()
        word = word.lower()
        # Index terms are Porter stems ('resistance' is 'resist'), so also try the word
        # without the few letters a suffix takes. That probe is loose ('chan' ~ 'can'), so
        # its hits must still resemble the whole word; typos rarely hit the first letter.
        probes = dict.fromkeys((word, word[:-3] if len(word) > 6 else word))
        found = [
            hit
            for probe in probes
            for hit in process.extract(
                probe, self._terms, scorer=fuzz.ratio, score_cutoff=80, limit=5
            )
            if hit[0][:1] == word[:1] and fuzz.ratio(word, hit[0]) >= WHOLE_WORD_RATIO
        ]
        if not found:
            return None
        return max(found, key=lambda hit: (hit[1], self._docs.get(hit[0], 0)))[0]


def search(
    db: Database, vocabulary: Vocabulary, text: str, limit: int, offset: int
) -> tuple[int, list[tuple[int, tuple[str, ...]]], dict[str, str]]:
    """(total, [(figure_id, ())], corrections) for free text; safe for any input."""
    terms = parse_terms(text, FILLER)
    if not terms:
        return 0, [], {}
    corrections: dict[str, str] = {}
    for term in terms:
        if " " not in term and not _exists(db, match_expression([term])):
            better = vocabulary.correct(term)
            if better:
                corrections[term] = better
    terms = [corrections.get(term, term) for term in terms]
    expression = match_expression(terms)
    total = _matches(db, expression)
    if total == 0:
        return 0, [], corrections
    scored = _candidates(db, expression, total, max(CANDIDATES, offset + limit))
    titles = dict(
        db.execute(
            "SELECT id, title FROM figures WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps([rowid for rowid, _ in scored])],
        )
    )
    rows = [(rowid, titles.get(rowid), score) for rowid, score in scored]
    query = " ".join(terms)
    best = min(score for _, _, score in rows) or -1.0
    # BM25 (negative, lower is better) scaled to 0..1, plus how closely the title reads
    # like the query, so a title with a typo or a reordered phrase still rises.
    ranked = sorted(rows, key=lambda r: -(r[2] / best + _title_similarity(query, r[1] or "")))
    return total, [(row[0], ()) for row in ranked[offset : offset + limit]], corrections


@lru_cache(maxsize=4096)
def _title_similarity(query: str, title: str) -> float:
    return fuzz.token_set_ratio(query.lower(), title.lower()) / 100
