"""Full-text search over figure title, caption and paper title.

FTS5 matches (every word quoted, in every spelling some figure has); BM25 ranks while the
words are rare enough to weigh cheaply, the fields they are in rank them otherwise
(Scorer); rapidfuzz corrects typos and lifts titles that read like the query."""

import bisect
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from . import queries
from .resolve import FILLER
from .schema import CorpusCache, Database, search_terms_current
from .spelling import spellings
from .tokens import TOKENIZE, index_terms

CANDIDATES = 50  # BM25's best this many are re-ranked by title similarity
FULL_RANK = 2_000  # every match is ranked up to this many
BROAD_POOL = 500  # past that, the newest this many matches are ranked
WEIGHTS = (10.0, 4.0, 1.0)  # bm25 column weights: title above caption above paper title
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


def _exists(db: Database, expression: str) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM figures_fts WHERE figures_fts MATCH ? LIMIT 1", [expression]
        ).fetchone()
        is not None
    )


def _bm25_rows(
    db: Database, expression: str, count: int, order: str = "score"
) -> list[tuple[int, float]]:
    """(rowid, BM25) of `count` matches, the best or the newest (FTS5 scores only the
    rows it returns, but first counts every figure each phrase is in: see SCORE_WALK)."""
    return db.execute(
        "SELECT rowid, bm25(figures_fts, ?, ?, ?) AS score FROM figures_fts "
        f"WHERE figures_fts MATCH ? ORDER BY {_ORDERS[order]} LIMIT ?",
        [*WEIGHTS, expression, count],
    ).fetchall()


_ORDERS = {"score": "score", "newest": "rowid DESC"}  # never user text in the SQL


def _newest_ids(
    db: Database, expression: str, count: int | None = None, walk: int = 0
) -> list[int]:
    """The rowids of the newest `count` matches (of every match with None), newest first:
    FTS5 reads them in rowid order and stops there, scoring nothing. A `walk` past
    SPLIT_WALK (figures listed under the terms) is read as two halves of the rowids at
    once, one per core: a phrase of two words each in a third of 100,000 figures is 7 ms
    of one core."""
    limit = -1 if count is None else count
    if walk <= SPLIT_WALK:
        rows = db.execute(
            "SELECT rowid FROM figures_fts WHERE figures_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            [expression, limit],
        ).fetchall()
    else:
        top = db.execute("SELECT max(id) FROM figures").fetchone()[0] or 0
        upper, lower = db.read_both(
            "SELECT rowid FROM figures_fts WHERE figures_fts MATCH ? "
            "AND rowid BETWEEN ? AND ? ORDER BY rowid DESC LIMIT ?",
            [expression, top // 2 + 1, top, limit],
            [expression, 0, top // 2, limit],
        )
        rows = (upper + lower)[:limit] if count is not None else upper + lower
    return [row[0] for row in rows]


SPLIT_WALK = 60_000  # past this many listed figures, a walk is read on two connections


def text_coverage(
    db: Database, vocabulary: "Vocabulary", words: list[str], cap: int = 50_000
) -> tuple[Counter[int], int, str]:
    """How many of these words (in any of their spellings) each figure's text has, how
    many words there are, and the FTS5 expression that marks them in a snippet."""
    terms = parse_terms(" ".join(words), FILLER)
    vocabulary.fresh()
    coverage: Counter[int] = Counter()
    groups = [term_group(term, db, vocabulary).expression for term in terms]
    for group in groups:
        coverage.update(
            row[0]
            for row in db.execute(
                "SELECT rowid FROM figures_fts WHERE figures_fts MATCH ? LIMIT ?", [group, cap]
            )
        )
    return coverage, len(groups), " OR ".join(groups)


WHOLE_WORD_RATIO = 70  # 'resistanse'~'resist' is 75, 'channel'~'can' is 60
_TOKENIZE_RE = re.compile(r"tokenize\s*=\s*'([^']*)'")


class Vocabulary(CorpusCache):
    """The index's own terms (stemmed) and how many figures have each: for knowing what a
    search will cost before running it, and for correcting typos. Read from search_terms,
    counted at the end of each ingest; a database whose count is older than its figures
    (one written by an older version) is counted here instead, into memory."""

    def __init__(self, db: Database):
        super().__init__(db)
        self._counted = False  # search_terms are current: look terms up there
        self._docs: dict[str, int] = {}  # else: every term, counted here
        self.figures = 0
        self.tokenize = TOKENIZE

    def reload(self) -> None:
        self._counted = search_terms_current(self.db)
        self._docs = (
            {}
            if self._counted
            else dict(self.db.execute("SELECT term, doc FROM figures_fts_vocab").fetchall())
        )
        self.figures = self.db.execute("SELECT count(*) FROM figures").fetchone()[0]
        sql = self.db.execute("SELECT sql FROM sqlite_master WHERE name = 'figures_fts'").fetchone()
        found = _TOKENIZE_RE.search(sql[0] if sql else "")
        self.tokenize = found.group(1) if found else TOKENIZE

    def docs(self, term: str) -> int:
        """How many figures have this index term (as of the caller's `fresh()`)."""
        if not self._counted:
            return self._docs.get(term, 0)
        row = self.db.execute("SELECT docs FROM search_terms WHERE term = ?", [term]).fetchone()
        return row[0] if row else 0

    def terms_of(self, text: str) -> tuple[str, ...]:
        """The index terms text becomes under the index's own tokenizer."""
        return index_terms(text, self.tokenize)

    def _starting(self, letter: str) -> dict[str, int]:
        """The index terms that start with this letter, with their counts."""
        if not self._counted:
            return {term: n for term, n in self._docs.items() if term[:1] == letter}
        rows = self.db.execute(
            "SELECT term, docs FROM search_terms WHERE term >= ? AND term < ?",
            [letter, letter + "\U0010ffff"],
        )
        return {term: n for term, n in rows if term[:1] == letter}

    def correct(self, word: str) -> str | None:
        """The most common index term that is a near spelling of word, or None."""
        self.fresh()
        word = word.lower()
        # Index terms are Porter stems ('resistance' is 'resist'), so also try the word
        # without the few letters a suffix takes. That probe is loose ('chan' ~ 'can'), so
        # its hits must still resemble the whole word; typos rarely hit the first letter,
        # so only terms with the word's first letter are compared (a 20th of them).
        probes = dict.fromkeys((word, word[:-3] if len(word) > 6 else word))
        counts = self._starting(word[:1])
        terms = list(counts)
        found = [
            hit
            for probe in probes
            for hit in process.extract(probe, terms, scorer=fuzz.ratio, score_cutoff=80, limit=5)
            if fuzz.ratio(word, hit[0]) >= WHOLE_WORD_RATIO
        ]
        if not found:
            return None
        return max(found, key=lambda hit: (hit[1], counts.get(hit[0], 0)))[0]


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


@dataclass(frozen=True)
class Group:
    """One query term as FTS5 matches it: an OR group of the spellings some figure has."""

    expression: str
    spellings: tuple[tuple[str, ...], ...]  # the index terms of each spelling in the group
    postings: int  # figures listed under its terms, summed: what FTS5 walks to count them
    phrase: bool = False

    def exists(self, db: Database) -> bool:
        """Whether any figure has it (one word: the index's own count says)."""
        if not self.postings:
            return False
        return all(len(terms) == 1 for terms in self.spellings) or _exists(db, self.expression)


def term_group(term: str, db: Database, vocabulary: Vocabulary) -> Group:
    """One query term as a Group: its spellings, less those no figure has and those the
    tokenizer makes one (porter indexes 'signalling' as 'signaling': matching both would
    walk the same list twice)."""
    if " " in term:  # a quoted phrase stays exact
        terms = vocabulary.terms_of(term)
        postings = sum(vocabulary.docs(t) for t in terms)
        return Group(match_expression([term]), (terms,), postings, phrase=True)
    kept: dict[tuple[str, ...], str] = {}
    for number, spelling in enumerate(spellings(term)):
        terms = vocabulary.terms_of(spelling)
        if not terms or terms in kept:
            continue
        if number and not _spelled(db, vocabulary, spelling, terms):
            continue
        kept[terms] = spelling
    if not kept:  # nothing the tokenizer keeps ('—'): FTS5 matches it with nothing
        return Group(match_expression([term]), (), 0)
    variants = [match_expression([spelling]) for spelling in kept.values()]
    expression = variants[0] if len(variants) == 1 else "(" + " OR ".join(variants) + ")"
    postings = sum(vocabulary.docs(t) for terms in kept for t in terms)
    return Group(expression, tuple(kept), postings)


def _spelled(db: Database, vocabulary: Vocabulary, spelling: str, terms: tuple[str, ...]) -> bool:
    """Whether some figure has this spelling (a one-term spelling: by the index's count)."""
    if not all(vocabulary.docs(t) for t in terms):
        return False
    return len(terms) == 1 or _exists(db, match_expression([spelling]))


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
    vocabulary.fresh()
    corrections: dict[str, str] = {}
    groups = []
    for term in terms:
        group = term_group(term, db, vocabulary)
        if not group.phrase and not group.exists(db):
            better = vocabulary.correct(term)
            if better:
                corrections[term] = better
                group = term_group(better, db, vocabulary)
        groups.append(group)
    need = offset + limit
    every = " AND ".join(group.expression for group in groups)
    scorer = Scorer(db, groups, " ".join(terms), vocabulary.figures)
    total, pool = scorer.matches(every, keep, FULL_RANK)
    if total >= need or len(groups) == 1 or not PARTIAL:
        page = scorer.ranked(every, total, need, pool)
        covered = len(groups) if total else 0
        more = keep is None and total > FULL_RANK
        # A snippet only marks words: a phrase's words, each (matching the phrase again for
        # every row of the page costs FTS5 twice as much), and every other term's spellings.
        marks = " OR ".join(
            " OR ".join(match_expression([word]) for word in term.split())
            if " " in term
            else group.expression
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
    anywhere = " OR ".join(group.expression for group in groups)
    matching, pool = scorer.matches(anywhere, keep, PARTIAL_POOL, every=False)
    if pool is None:
        pool = scorer.sample(anywhere)
    ids = {rowid for rowid, _ in pool}
    coverage: Counter[int] = Counter()
    low, high = min(ids, default=0), max(ids, default=0)
    for group in groups:  # one walk of each word's list over the pool's rowid range (FTS5
        # probed row by row, `rowid IN (...)`, costs a full match per row: seconds)
        coverage.update(
            row[0]
            for row in db.execute(
                "SELECT rowid FROM figures_fts WHERE figures_fts MATCH ? AND rowid BETWEEN ? AND ?",
                [group.expression, low, high],
            )
            if row[0] in ids
        )
    least = len(groups) - len(groups) // 2  # most of the words: 2 of 3, 3 of 4, 1 of 2
    ranked = sorted(
        ((rowid, score) for rowid, score in pool if coverage[rowid] >= least),
        key=lambda row: (-coverage[row[0]], row[1]),
    )
    best = coverage[ranked[0][0]] if ranked else 0
    page = [(rowid, ()) for rowid, _ in ranked[offset:need]]
    return SearchResult(len(ranked), page, corrections, len(groups), best, anywhere)


PARTIAL = True  # too few figures with every word: rank those with most (bench ablates it)
PARTIAL_POOL = 2_000  # figures matching some words that are scored for how many they have
# BM25 needs how many figures have each phrase, and FTS5 counts that by walking every
# figure listed under the phrase's terms, on every query: ~4 ms for a word in 70,000 of
# 100,000 figures, whether 10 rows are scored or 2,000. Past this many listed figures a
# search ranks by where the words are instead (FIELD_WEIGHTS); a word that common weighs
# next to nothing in BM25 anyway (FTS5 floors the IDF of a word in half the figures).
SCORE_WALK = 20_000
SPARSE = 2_000  # fewer figures than this expected to have every word: list, not count


class Scorer:
    """Matches of one query, ranked by BM25 when BM25 is cheap to compute, else by the
    fields the words are in (title, then paper title, then caption), newest first."""

    def __init__(self, db: Database, groups: list[Group], query: str, figures: int):
        self.db = db
        self.groups = groups
        self.query = query
        self.walk = sum(group.postings for group in groups)
        self.bm25 = self.walk <= SCORE_WALK
        # How many figures have every word, were the words independent: few, and a count
        # would walk as far as listing them does, so they are listed in one walk.
        self.sparse = (
            figures * math.prod(min(1.0, group.postings / max(figures, 1)) for group in groups)
            < SPARSE
        )
        self._titles: dict[int, tuple[str, str]] = {}  # of the figures ranked by field

    def matches(
        self, expression: str, keep: Callable[[int], bool] | None, cap: int, every: bool = True
    ) -> tuple[int, list[tuple[int, float]] | None]:
        """(how many figures match, every match scored) when there are at most `cap` of
        them (all of them when filtered). Past that, counting every match of a common word
        would cost more than ranking does, so the count stops at cap + 1 (shown as
        "2,000+") and None says to rank a sample."""
        if keep is not None:  # filtered: every match, those the filters pass
            if self.bm25:
                rows = self.db.execute(
                    "SELECT rowid, bm25(figures_fts, ?, ?, ?) FROM figures_fts "
                    "WHERE figures_fts MATCH ?",
                    [*WEIGHTS, expression],
                )
                kept = [row for row in rows if keep(row[0])]
                return len(kept), kept
            ids = [i for i in _newest_ids(self.db, expression, walk=self.walk) if keep(i)]
            return len(ids), self.by_field(ids[:BROAD_POOL] if len(ids) > cap else ids)
        if every and (self.sparse or any(group.phrase for group in self.groups)):
            # few matches (or a phrase, costly to match): match once, scoring or listing
            if self.bm25:
                probe = _bm25_rows(self.db, expression, cap + 1)
                return (len(probe), probe) if len(probe) <= cap else (len(probe), None)
            ids = _newest_ids(self.db, expression, cap + 1, self.walk)
            return (len(ids), self.by_field(ids)) if len(ids) <= cap else (len(ids), None)
        capped = self.db.execute(
            "SELECT count(*) FROM (SELECT rowid FROM figures_fts WHERE figures_fts MATCH ? "
            "LIMIT ?)",
            [expression, cap + 1],
        ).fetchone()[0]
        if capped > cap:
            return capped, None  # cap + 1: 'more than cap', counted no further
        if not self.bm25:
            return capped, self.by_field(_newest_ids(self.db, expression, capped))
        return capped, _bm25_rows(self.db, expression, capped)

    def sample(self, expression: str) -> list[tuple[int, float]]:
        """Candidates when too many figures match to rank them all: the newest BROAD_POOL
        matches, ranked (both rankings weigh a title match ten times a caption's)."""
        if not self.bm25:
            return self.by_field(_newest_ids(self.db, expression, BROAD_POOL))
        newest = _bm25_rows(self.db, expression, BROAD_POOL, "newest")
        return sorted(newest, key=lambda row: row[1])

    def by_field(self, ids: list[int]) -> list[tuple[int, float]]:
        """(rowid, score) for these figures, newest first: minus the field weights of each
        word found in the title and the paper title (lower is better, as with bm25()).
        A word is found where a word starts with one of its index terms."""
        if not ids:
            return []
        self._titles = queries.titles(self.db, ids)
        order = sorted(self._titles, reverse=True)
        score = dict.fromkeys(order, 0.0)
        for field, weight in enumerate(FIELD_WEIGHTS):
            texts = _Texts([self._titles[rowid][field] for rowid in order])
            for group in self.groups:
                for row in _finder(group).rows(texts):
                    score[order[row]] -= weight
        return list(score.items())

    def ranked(
        self, expression: str, total: int, need: int, pool: list[tuple[int, float]] | None
    ) -> list[tuple[int, tuple[str, ...]]]:
        if total == 0:
            return []
        count = max(CANDIDATES, need)
        if pool is not None:
            scored = sorted(pool, key=lambda row: row[1])[:count]
        else:
            scored = sorted(self.sample(expression), key=lambda row: row[1])[:count]
        missing = [rowid for rowid, _ in scored if rowid not in self._titles]
        titles = {**self._titles, **(queries.titles(self.db, missing) if missing else {})}
        rows = [(rowid, titles.get(rowid, ("",))[0], score) for rowid, score in scored]
        best = min((score for _, _, score in rows), default=-1.0) or -1.0
        # BM25 (negative, lower is better) scaled to 0..1, plus how closely the title reads
        # like the query, so a title with a typo or a reordered phrase still rises.
        query = self.query
        ranked = sorted(rows, key=lambda r: -(r[2] / best + _title_similarity(query, r[1] or "")))
        return [(row[0], ()) for row in ranked[:need]]


# Where a word is, without BM25: the title, then the paper title only to break ties. A word
# in neither is in the caption (every match has every word), so a caption-only word and
# one in the paper title (and perhaps the caption too: unread, captions are long) rank
# alike, below the title.
FIELD_WEIGHTS = (WEIGHTS[0], WEIGHTS[2])  # title, paper title


class _Texts:
    """Many short texts as one lower-cased string, to search them all with `str.find`."""

    def __init__(self, texts: list[str]):
        self.joined = "\n".join(texts).lower()
        self.starts = list(itertools.accumulate((len(t) + 1 for t in texts), initial=0))

    def which(self, start: int, end: int) -> int | None:
        """The index of the text joined[start:end] lies in, or None when it crosses two."""
        row = bisect.bisect_right(self.starts, start) - 1
        return row if end < self.starts[row + 1] else None


@dataclass(frozen=True)
class _Finder:
    """Finds any spelling of a group in text, each index term as the start of a word
    (porter's 'autophagi' also as 'autophagy'): `str.find` for a spelling's first letters,
    then the regex only where they are (most titles have none of the words)."""

    needles: tuple[str, ...]
    pattern: re.Pattern[str] | None

    def rows(self, texts: "_Texts | list[str]") -> set[int]:
        """The indexes of the texts that have the group."""
        if isinstance(texts, list):
            texts = _Texts(texts)
        joined, found = texts.joined, set()
        for needle in self.needles if self.pattern else ():
            at = joined.find(needle)
            while at != -1:
                if at == 0 or not joined[at - 1].isalnum():
                    match = self.pattern.match(joined, at) if self.pattern else None
                    row = texts.which(at, match.end()) if match else None
                    if row is not None:
                        found.add(row)
                at = joined.find(needle, at + 1)
        return found


def _start(term: str) -> str:
    return term[:-1] if term.endswith("i") else term


@lru_cache(maxsize=1024)
def _finder(group: Group) -> _Finder:
    spellings = [terms for terms in group.spellings if terms]
    if not spellings:
        return _Finder((), None)
    patterns = [
        r"\W+".join(re.escape(_start(t)) + ("[iy]" if t.endswith("i") else "") for t in terms)
        for terms in spellings
    ]
    needles = tuple(dict.fromkeys(_start(terms[0]) for terms in spellings))
    return _Finder(needles, re.compile("|".join(patterns)))


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
