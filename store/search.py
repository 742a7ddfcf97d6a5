"""Full-text search over figure title, caption and paper title (FTS5 + BM25 + rapidfuzz)."""

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from .resolve import FILLER
from .schema import CorpusCache, Database
from .spelling import spellings

CANDIDATES = 50  # BM25's best this many are re-ranked by title similarity
FULL_RANK = 2_000  # BM25 orders every match up to this many (about 3 ms here)
BROAD_POOL = 500  # past that, the newest this many title matches are ranked
WEIGHTS = (10.0, 1.0, 4.0)  # bm25 column weights: title, caption, paper title
_PHRASE_RE = re.compile(r'"([^"]*)"')
# A word, hyphenated compounds whole: 'co-culture', 'IL-1β' (store/spelling.py spells them)
_WORD_RE = re.compile(r"\w+(?:[-‐]\w+)*", re.UNICODE)


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
    """The `count` matches BM25 scores best (it scores every match to know)."""
    return _scored_rows(db, expression, count, "score")


def _candidates(db: Database, expression: str, total: int, count: int) -> list[tuple[int, float]]:
    """BM25's best `count` matches, with the work bounded for very broad queries.

    BM25 must score every match before it can order them, so a word in most figures
    would cost ~40 ms. Past FULL_RANK matches, rank the newest BROAD_POOL matches (BM25
    weighs a title match ten times a caption's): FTS5 reads them in rowid order and
    scores only those. (Restricting that pool to title matches first costs FTS5 a walk
    through the position lists of a common word: 5 ms more at 100k figures.)
    """
    if total <= FULL_RANK:
        return _best(db, expression, count)
    return sorted(_newest(db, expression, BROAD_POOL), key=lambda row: row[1])[:count]


def _newest(db: Database, expression: str, count: int) -> list[tuple[int, float]]:
    """The `count` newest matches, scored (FTS5 scores only the rows it returns)."""
    return _scored_rows(db, expression, count, "rowid DESC")


_ORDERS = {"score": "score", "rowid DESC": "rowid DESC"}  # never user text in the SQL


def _scored_rows(db: Database, expression: str, count: int, order: str) -> list[tuple[int, float]]:
    return db.execute(
        "SELECT rowid, bm25(figures_fts, ?, ?, ?) AS score FROM figures_fts "
        f"WHERE figures_fts MATCH ? ORDER BY {_ORDERS[order]} LIMIT ?",
        [*WEIGHTS, expression, count],
    ).fetchall()


def text_coverage(
    db: Database, words: list[str], cap: int = 50_000
) -> tuple[Counter[int], int, str]:
    """How many of these words (in any of their spellings) each figure's text has, how
    many words there are, and the FTS5 expression that marks them in a snippet."""
    terms = parse_terms(" ".join(words), FILLER)
    coverage: Counter[int] = Counter()
    groups = [term_expression(term, db) for term in terms]
    for group in groups:
        coverage.update(
            row[0]
            for row in db.execute(
                "SELECT rowid FROM figures_fts WHERE figures_fts MATCH ? LIMIT ?", [group, cap]
            )
        )
    return coverage, len(groups), " OR ".join(groups)


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


@dataclass(frozen=True)
class SearchResult:
    """One page of a full-text search, and how it was read."""

    total: int  # with `more`: at least this many
    page: list[tuple[int, tuple[str, ...]]]  # (figure id, ()) in rank order
    corrections: dict[str, str]  # typed word -> the index word searched instead
    terms: int = 0  # how many terms the query had
    covered: int = 0  # how many of them the best figures have (== terms: all of them)
    expression: str = ""  # the FTS5 expression any of whose terms marks a snippet
    more: bool = False  # more figures match than were counted (a very common word)


def term_expression(term: str, db: Database | None = None) -> str:
    """One query term as an FTS5 group of every spelling it may have in a caption; with
    `db`, only the spellings some figure has (each costs FTS5 a look-up and a merge)."""
    if " " in term:  # a quoted phrase stays exact
        return match_expression([term])
    variants = [match_expression([v]) for v in spellings(term)]
    if db is not None:
        variants = [variants[0], *(v for v in variants[1:] if _exists(db, v))]
    if len(variants) == 1:
        return variants[0]
    return "(" + " OR ".join(variants) + ")"


def search(
    db: Database,
    vocabulary: Vocabulary,
    text: str,
    limit: int,
    offset: int,
    keep: Callable[[int], bool] | None = None,
) -> SearchResult:
    """Figures whose text matches, safe for any input: every term first, then most terms
    (by how many, then BM25: title above caption above paper title). `keep` filters
    figure ids. Words no figure has are corrected to the nearest index word, and said."""
    terms = parse_terms(text, FILLER)
    if not terms:
        return SearchResult(0, [], {})
    corrections: dict[str, str] = {}
    groups = []
    for term in terms:
        group = term_expression(term, db)
        if " " not in term and not _exists(db, group):
            better = vocabulary.correct(term)
            if better:
                corrections[term] = better
                group = term_expression(better, db)
        groups.append(group)
    need = offset + limit
    every = " AND ".join(groups)
    total, scored = _scored(db, every, keep, phrase=any(" " in term for term in terms))
    if total >= need or len(groups) == 1 or not PARTIAL:
        page = _ranked(db, every, total, need, scored, " ".join(terms))
        covered = len(groups) if total else 0
        more = keep is None and total > FULL_RANK
        # A snippet only marks words: a phrase's words, each (matching the phrase again for
        # every row of the page costs FTS5 twice as much), and every other term's spellings.
        marks = " OR ".join(
            " OR ".join(match_expression([word]) for word in term.split()) if " " in term else group
            for term, group in zip(terms, groups, strict=True)
        )
        return SearchResult(
            FULL_RANK if more else total,
            page[offset:],
            corrections,
            len(groups),
            covered,
            marks,
            more,
        )
    # Not enough figures have every word: add those with most of them, most first.
    anywhere = " OR ".join(groups)
    matching, every_match = _scored(db, anywhere, keep)
    scored = (
        sorted(every_match, key=lambda row: row[1])[:PARTIAL_POOL]
        if every_match is not None
        else _candidates(db, anywhere, matching, PARTIAL_POOL)
    )
    pool = {rowid for rowid, _ in scored}
    coverage: Counter[int] = Counter()
    low, high = min(pool, default=0), max(pool, default=0)
    for group in groups:  # one walk of each word's list over the pool's rowid range (FTS5
        # probed row by row, `rowid IN (...)`, costs a full match per row: seconds)
        coverage.update(
            row[0]
            for row in db.execute(
                "SELECT rowid FROM figures_fts WHERE figures_fts MATCH ? AND rowid BETWEEN ? AND ?",
                [group, low, high],
            )
            if row[0] in pool
        )
    least = len(groups) - len(groups) // 2  # most of the words: 2 of 3, 3 of 4, 1 of 2
    ranked = sorted(
        ((rowid, score) for rowid, score in scored if coverage[rowid] >= least),
        key=lambda row: (-coverage[row[0]], row[1]),
    )
    best = coverage[ranked[0][0]] if ranked else 0
    page = [(rowid, ()) for rowid, _ in ranked[offset:need]]
    return SearchResult(len(ranked), page, corrections, len(groups), best, anywhere)


PARTIAL = True  # too few figures with every word: rank those with most (bench ablates it)
PARTIAL_POOL = 2_000  # figures matching some words that are scored for how many they have


def _scored(
    db: Database, expression: str, keep: Callable[[int], bool] | None, phrase: bool = False
) -> tuple[int, list[tuple[int, float]] | None]:
    """(how many figures match, every match scored) when there are at most FULL_RANK of
    them. Past that, counting every match of a common word would cost more than ranking
    does, so the count stops at FULL_RANK + 1 (shown as "2,000+") and the broad path
    ranks a sample."""
    if keep is not None:  # filtered: score every match, keep those the filters pass
        rows = db.execute(
            "SELECT rowid, bm25(figures_fts, ?, ?, ?) FROM figures_fts WHERE figures_fts MATCH ?",
            [*WEIGHTS, expression],
        )
        kept = [row for row in rows if keep(row[0])]
        return len(kept), kept
    if phrase:  # matching a phrase is the costly part: match once, scoring as we go
        probe = _best(db, expression, FULL_RANK + 1)
        return (len(probe), probe) if len(probe) <= FULL_RANK else (len(probe), None)
    capped = db.execute(
        "SELECT count(*) FROM (SELECT rowid FROM figures_fts WHERE figures_fts MATCH ? LIMIT ?)",
        [expression, FULL_RANK + 1],
    ).fetchone()[0]
    if capped <= FULL_RANK:
        return capped, _best(db, expression, capped)
    return capped, None  # FULL_RANK + 1: 'more than FULL_RANK', counted no further


def _ranked(
    db: Database,
    expression: str,
    total: int,
    need: int,
    every: list[tuple[int, float]] | None,
    query: str,
) -> list[tuple[int, tuple[str, ...]]]:
    if total == 0:
        return []
    count = max(CANDIDATES, need)
    if every is not None:
        scored = sorted(every, key=lambda row: row[1])[:count]
    else:
        scored = _candidates(db, expression, total, count)
    titles = dict(
        db.execute(
            "SELECT id, title FROM figures WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps([rowid for rowid, _ in scored])],
        )
    )
    rows = [(rowid, titles.get(rowid), score) for rowid, score in scored]
    best = min((score for _, _, score in rows), default=-1.0) or -1.0
    # BM25 (negative, lower is better) scaled to 0..1, plus how closely the title reads
    # like the query, so a title with a typo or a reordered phrase still rises.
    ranked = sorted(rows, key=lambda r: -(r[2] / best + _title_similarity(query, r[1] or "")))
    return [(row[0], ()) for row in ranked[:need]]


def snippets(
    db: Database, expression: str, figure_ids: list[int]
) -> dict[int, tuple[tuple[str, bool], ...]]:
    """For each figure, the stretch of its text that matched, as (text, marked) pieces."""
    if not expression or not figure_ids:
        return {}
    rows = db.execute(
        "SELECT rowid, snippet(figures_fts, -1, char(2), char(3), '…', ?) FROM figures_fts "
        "WHERE figures_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))",
        [SNIPPET_TOKENS, expression, json.dumps(figure_ids)],
    )
    return {rowid: _pieces(text) for rowid, text in rows if text}


SNIPPET_TOKENS = 16  # words of context a snippet shows


def _pieces(text: str) -> tuple[tuple[str, bool], ...]:
    pieces = []
    for number, part in enumerate(re.split("[\x02\x03]", text)):
        if part:
            pieces.append((part, number % 2 == 1))
    return tuple(pieces)


@lru_cache(maxsize=4096)
def _title_similarity(query: str, title: str) -> float:
    return fuzz.token_set_ratio(query.lower(), title.lower()) / 100
