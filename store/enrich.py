"""Gene-set enrichment over the figures: each figure is one gene set (its human genes, as
current HGNC symbols), tested with the one-sided Fisher exact test (the hypergeometric
upper tail) and corrected with Benjamini-Hochberg over every set in the library.

The library is a CSR matrix in numpy (one row of gene indices per figure), so a list of
3,000 genes is tested against 100,000 figures with a handful of vector operations; the
p-values are computed in log space, so 1e-300 is as exact as 0.01 (tests/test_enrich.py
checks them against scipy.stats.fisher_exact).

Statistics, as the README says:
- universe: the human genes in at least one indexed figure, or the user's background
  (then the list and every set are intersected with it);
- a = overlap, b = list - a, c = set - a, d = universe - a - b - c;
- p = P(X >= a), X ~ Hypergeometric(universe, set size, list size); a = 0 gives p = 1;
- q: Benjamini-Hochberg over every set in the library (sets with no overlap count, p = 1);
- odds ratio a·d / (b·c) (infinite when b·c = 0).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .errors import QueryError
from .models import Resolution
from .schema import Database

MIN_SET_GENES = 3  # PFOCR's own GMT files leave out figures with fewer genes
MAX_NAMES = 5_000  # names in one list; a whole-genome list is a background, not a list
SIGNIFICANT = 0.05  # q below this is "enriched"
SPLIT_RE = re.compile(r"[\s,;]+")
# Excel turns SEPT7 into 7-Sep and MARCH1 into 1-Mar (HGNC renamed them SEPTIN7, MARCHF1).
EXCEL_DATE_RE = re.compile(r"^(?:(\d{1,2})-([A-Za-z]{3,4})|([A-Za-z]{3,4})-(\d{1,2}))$")
EXCEL_MONTHS = {"sep": "SEPT", "sept": "SEPT", "mar": "MARCH", "dec": "DEC", "oct": "OCT"}
EXACT_SOURCES = frozenset({"ncbigene_symbol", "hgnc_symbol"})  # the sidecar's exact matches


class EnrichError(QueryError):
    """A list (or background) that cannot be tested; the message says why in one line."""


@dataclass(frozen=True)
class Library:
    """The gene sets: figure `i` has genes `indices[indptr[i]:indptr[i+1]]`."""

    symbols: tuple[str, ...]  # gene index -> symbol
    index: dict[str, int]  # symbol -> gene index
    figure_ids: np.ndarray  # one per set
    indptr: np.ndarray
    indices: np.ndarray
    universe: int  # genes in at least one indexed figure (every gene of every figure)
    exact_only: bool = False

    @property
    def sets(self) -> int:
        return len(self.figure_ids)

    def sizes(self) -> np.ndarray:
        return np.diff(self.indptr)

    def genes_of(self, row: int) -> list[str]:
        return [self.symbols[i] for i in self.indices[self.indptr[row] : self.indptr[row + 1]]]


def build_library(
    pairs: Iterable[tuple[int, str]],
    approved: frozenset[str],
    exact_only: bool = False,
    min_genes: int = MIN_SET_GENES,
) -> Library:
    """The library from (figure id, symbol) pairs: human genes only (approved HGNC
    symbols), figures with fewer than MIN_SET_GENES left out of the sets (not of the
    universe)."""
    index: dict[str, int] = {}
    figures: list[int] = []
    genes: list[int] = []
    for figure_id, symbol in pairs:
        if symbol in approved:
            figures.append(figure_id)
            genes.append(index.setdefault(symbol, len(index)))
    figure_array = np.asarray(figures, dtype=np.int64)
    gene_array = np.asarray(genes, dtype=np.int32)
    order = np.lexsort((gene_array, figure_array))
    figure_array, gene_array = figure_array[order], gene_array[order]
    keep = np.ones(len(figure_array), dtype=bool)  # a figure may name a gene twice
    keep[1:] = (figure_array[1:] != figure_array[:-1]) | (gene_array[1:] != gene_array[:-1])
    figure_array, gene_array = figure_array[keep], gene_array[keep]
    ids, starts, counts = np.unique(figure_array, return_index=True, return_counts=True)
    big = counts >= min_genes
    rows = [gene_array[s : s + c] for s, c in zip(starts[big], counts[big], strict=True)]
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
    return Library(
        symbols=tuple(index),
        index=index,
        figure_ids=ids[big],
        indptr=indptr,
        indices=indices,
        universe=len(index),
        exact_only=exact_only,
    )


def library_pairs(db: Database) -> Iterator[tuple[int, str]]:
    """(figure id, symbol) for every link: the default library's input."""
    yield from db.execute("SELECT figure_id, symbol FROM figure_genes")


def exact_pairs(db: Database) -> Iterator[tuple[int, str]]:
    """(figure id, symbol) for genes matched by their official symbol only: the sidecar's
    `ncbigene_symbol` rows, or, for a record without a sidecar, a gene written exactly as
    its symbol. PFOCR's GMT convention; it drops most OCR false positives."""
    import json

    for figure_id, genes, evidence in db.execute("SELECT id, genes, evidence FROM figures"):
        if evidence:
            for row in json.loads(evidence):
                if row[3] in EXACT_SOURCES and row[0]:
                    yield figure_id, row[0]
        else:
            for written, symbol in json.loads(genes):
                if symbol and written == symbol:
                    yield figure_id, symbol


# -- statistics ----------------------------------------------------------------------


@lru_cache(maxsize=8)
def log_factorials(n: int) -> np.ndarray:
    """log(k!) for k = 0..n, each from math.lgamma (a cumulative sum of logs would drift)."""
    return np.array([math.lgamma(k + 1.0) for k in range(n + 1)])


def _log_comb(lf: np.ndarray, n: np.ndarray | int, k: np.ndarray | int) -> np.ndarray:
    return lf[n] - lf[k] - lf[n - k]


TAIL_EPSILON = 1e-17  # a series stops when its next term adds less than this, relatively


def hypergeom_log_sf(a: np.ndarray, K: np.ndarray, n: int, N: int) -> np.ndarray:
    """log P(X >= a) for X ~ Hypergeometric(N, K, n), elementwise over a and K.

    Above the mode the upper tail is summed from pmf(a) upwards; at or below it, 1 minus
    the lower tail summed from pmf(a-1) downwards. Both series fall geometrically, so each
    needs tens of terms, and every term is a ratio of the one before: no factorial is
    evaluated beyond pmf(a)."""
    a = np.asarray(a, dtype=np.int64)
    K = np.asarray(K, dtype=np.int64)
    out = np.zeros(a.shape, dtype=float)  # log 1: a at or below the support's start
    if not a.size or n <= 0:
        return out
    lf = log_factorials(N)
    low = np.maximum(0, n + K - N)
    high = np.minimum(K, n)
    out[a > high] = -np.inf
    todo = (a > low) & (a <= high)
    mode = ((n + 1) * (K + 1)) // (N + 2)
    upper = todo & (a > mode)
    lower = todo & ~upper
    if upper.any():
        aa, kk = a[upper], K[upper]
        log_first = _log_comb(lf, kk, aa) + _log_comb(lf, N - kk, n - aa) - _log_comb(lf, N, n)
        total = _series(aa, kk, n, N, high[upper], up=True)
        out[upper] = log_first + np.log(total)
    if lower.any():
        aa, kk = a[lower] - 1, K[lower]
        log_first = _log_comb(lf, kk, aa) + _log_comb(lf, N - kk, n - aa) - _log_comb(lf, N, n)
        total = _series(aa, kk, n, N, low[lower], up=False)
        below = np.exp(log_first) * total
        out[lower] = np.log1p(-np.minimum(below, 1.0))
    return out


def _series(k: np.ndarray, K: np.ndarray, n: int, N: int, stop: np.ndarray, up: bool) -> np.ndarray:
    """1 + r1 + r1·r2 + …: the tail as a multiple of its first term, walking k up to
    `stop` (or down to it), each term the pmf ratio times the one before."""
    k = k.astype(float).copy()
    K = K.astype(float)
    stop = stop.astype(float)
    term = np.ones_like(k)
    total = np.ones_like(k)
    active = k != stop
    while active.any():
        kk, KK = k[active], K[active]
        if up:  # pmf(k+1) / pmf(k)
            ratio = (KK - kk) * (n - kk) / ((kk + 1) * (N - KK - n + kk + 1))
            k[active] = kk + 1
        else:  # pmf(k-1) / pmf(k)
            ratio = kk * (N - KK - n + kk) / ((KK - kk + 1) * (n - kk + 1))
            k[active] = kk - 1
        term[active] *= ratio
        total[active] += term[active]
        active &= (k != stop) & (term > TAIL_EPSILON * total)
    return total


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """BH q-values over all of p (its length is the number of tests), capped at 1."""
    m = len(p)
    if not m:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(q_sorted, 1.0)
    return q


# -- reading a list ------------------------------------------------------------------


@dataclass(frozen=True)
class ListReport:
    """What became of every name in a list; none of it silently changes the list size."""

    recognised: tuple[str, ...] = ()  # approved symbols, as typed (case aside)
    mapped: tuple[tuple[str, str, str], ...] = ()  # (typed, symbol, how): alias, previous…
    unrecognised: tuple[tuple[str, str], ...] = ()  # (typed, a suggestion or "")
    left_out: tuple[tuple[str, str], ...] = ()  # (typed, why): families, ambiguous names
    duplicates: tuple[str, ...] = ()  # typed names whose gene was already in the list
    excel: tuple[tuple[str, str], ...] = ()  # (typed date, symbol): 7-Sep -> SEPTIN7
    genes: tuple[str, ...] = ()  # the distinct symbols, in list order

    @property
    def typed(self) -> int:
        return (
            len(self.recognised)
            + len(self.mapped)
            + len(self.unrecognised)
            + len(self.left_out)
            + len(self.duplicates)
        )


def split_names(text: str) -> list[str]:
    """Names as pasted from a spreadsheet column, a sentence or a list: spaces, commas,
    semicolons, tabs and newlines all separate; quotes around a name are dropped."""
    names = [name.strip("\"'`“”‘’()[]") for name in SPLIT_RE.split(text or "")]
    return [name for name in names if name]


def excel_gene(name: str) -> str | None:
    """'SEPT7' for '7-Sep' (and 'Sep-7'), 'MARCH1' for '1-Mar': the name Excel turned
    into a date, before HGNC renamed those genes. None for anything else."""
    found = EXCEL_DATE_RE.match(name)
    if not found:
        return None
    day, month = (found.group(1), found.group(2)) if found.group(1) else found.group(4, 3)
    stem = EXCEL_MONTHS.get(month.lower())
    return f"{stem}{int(day)}" if stem else None


def read_list(
    names: Sequence[str],
    approved: Callable[[str], str | None],
    resolve: Callable[[str], Resolution | None],
) -> ListReport:
    """Every name to one gene or a reason. `approved(name)` is the approved symbol a name
    spells (any case); `resolve(name)` reads the rest as lookups do (aliases, previous
    symbols, mouse symbols)."""
    if len(names) > MAX_NAMES:
        raise EnrichError(
            f"{len(names):,} names is more than the {MAX_NAMES:,} one list may hold; a "
            "genome-wide list belongs in the background, with the hits as the list"
        )
    recognised, mapped, unrecognised, left_out, duplicates, excel = [], [], [], [], [], []
    genes: dict[str, None] = {}
    for name in names:
        symbol, how = approved(name), ""
        if symbol is None:
            old = excel_gene(name)
            if old:
                symbol = approved(old)
                resolution = None if symbol else resolve(old)
                if resolution is not None and resolution.kind == "gene":
                    symbol = resolution.symbols[0]
                if symbol:
                    excel.append((name, symbol))
                    how = f"Excel's date for {old}"
        if symbol is None:
            resolution = resolve(name)
            if resolution is None or not resolution.symbols:
                unrecognised.append((name, ""))
                continue
            if resolution.corrected:
                unrecognised.append((name, resolution.symbols[0]))
                continue
            if resolution.kind != "gene":
                why = (
                    f"a family of {len(resolution.symbols)} genes, not one gene"
                    if resolution.kind == "family"
                    else f"ambiguous: {' or '.join(resolution.symbols[:3])}"
                )
                left_out.append((name, why))
                continue
            symbol, how = resolution.symbols[0], resolution.note or "another name"
        if symbol in genes:
            duplicates.append(name)
            continue
        genes[symbol] = None
        if how:
            mapped.append((name, symbol, how))
        else:
            recognised.append(name)
    return ListReport(
        tuple(recognised),
        tuple(mapped),
        tuple(unrecognised),
        tuple(left_out),
        tuple(duplicates),
        tuple(excel),
        tuple(genes),
    )


# -- the test ------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrichedFigure:
    """One figure's test."""

    figure_id: int
    overlap: tuple[str, ...]  # a: the list's genes in the figure
    set_size: int  # a + c
    p: float
    q: float
    odds_ratio: float
    log10_p: float  # exact even where p underflows


@dataclass(frozen=True)
class Enrichment:
    """The whole answer: the list as read, the universe, and the figures by q."""

    report: ListReport
    universe: int
    universe_label: str  # "human genes in PFOCR figures" or "your background"
    list_size: int  # n: the list's genes in the universe
    outside: tuple[str, ...]  # the list's genes outside the universe
    tests: int  # m: every set in the library
    results: tuple[EnrichedFigure, ...]  # every figure with overlap >= min_overlap, by q
    significant: int  # how many have q < SIGNIFICANT
    min_overlap: int
    exact_only: bool = False
    background_missing: tuple[str, ...] = field(default=())

    @property
    def shown_as_nominal(self) -> bool:
        """No figure passes q < 0.05: the best are shown, labelled nominal."""
        return self.significant == 0

    def headline(self) -> str:
        """'312 genes → 298 recognised · 41 figures at q < 0.05 · universe 13,402 genes'."""
        found = (
            f"{self.significant:,} figure{'' if self.significant == 1 else 's'} at q < 0.05"
            if self.significant
            else "no figure at q < 0.05"
        )
        return (
            f"{self.report.typed:,} genes → {len(self.report.genes):,} recognised · {found} · "
            f"universe {self.universe:,} genes"
        )

    def input_lines(self) -> list[str]:
        """What became of the names, one line per kind, and the universe used."""
        report, lines = self.report, []
        lines.append(
            f"Tested {self.list_size:,} genes against {self.tests:,} figure gene sets "
            f"(universe: {self.universe_label}, {self.universe:,} genes"
            f"{'; exact symbol matches only' if self.exact_only else ''}); "
            "one-sided Fisher exact test, Benjamini–Hochberg q over every set."
        )
        dates = {typed for typed, _ in report.excel}
        mapped = [row for row in report.mapped if row[0] not in dates]
        if mapped:
            shown = [f"{typed} → {symbol} ({how})" for typed, symbol, how in mapped[:15]]
            more = f" and {len(mapped) - 15} more" if len(mapped) > 15 else ""
            lines.append(f"Read through another name: {', '.join(shown)}{more}.")
        if report.excel:
            olds = ", ".join(f"{typed} → {symbol}" for typed, symbol in report.excel[:10])
            lines.append(
                f"Excel had turned these genes into dates: {olds}. HGNC renamed the SEPT "
                "and MARCH genes SEPTIN and MARCHF, which Excel leaves alone."
            )
        if report.unrecognised:
            shown = [
                f"{typed} (did you mean {guess}?)" if guess else typed
                for typed, guess in report.unrecognised[:15]
            ]
            more = (
                f" and {len(report.unrecognised) - 15} more"
                if len(report.unrecognised) > 15
                else ""
            )
            lines.append(f"Not recognised, left out: {', '.join(shown)}{more}.")
        if report.left_out:
            shown = [f"{typed} ({why})" for typed, why in report.left_out[:10]]
            lines.append(f"Not one gene, left out: {', '.join(shown)}.")
        if report.duplicates:
            lines.append(
                f"Duplicates, counted once: {', '.join(report.duplicates[:15])}"
                f"{' …' if len(report.duplicates) > 15 else ''}."
            )
        if self.outside:
            lines.append(
                f"Outside the universe, not tested: {', '.join(self.outside[:15])}"
                f"{' …' if len(self.outside) > 15 else ''} ({len(self.outside):,})."
            )
        return lines

    def to_json(self, figures: dict[int, object]) -> dict:
        """The machine-readable answer; `figures` maps figure ids to hits (figid, title)."""
        report = self.report
        return {
            "universe": {"label": self.universe_label, "size": self.universe},
            "list_size": self.list_size,
            "tests": self.tests,
            "significant": self.significant,
            "min_overlap": self.min_overlap,
            "exact_only": self.exact_only,
            "input": {
                "recognised": list(report.recognised),
                "mapped": [{"typed": t, "symbol": s, "how": h} for t, s, h in report.mapped],
                "unrecognised": [
                    {"typed": t, "suggestion": g or None} for t, g in report.unrecognised
                ],
                "left_out": [{"typed": t, "why": w} for t, w in report.left_out],
                "duplicates": list(report.duplicates),
                "excel_dates": [{"typed": t, "symbol": s} for t, s in report.excel],
                "outside_universe": list(self.outside),
            },
            "figures": [
                {
                    "figid": getattr(figures.get(r.figure_id), "figid", None),
                    "title": getattr(figures.get(r.figure_id), "title", None),
                    "overlap": len(r.overlap),
                    "set_size": r.set_size,
                    "p": r.p,
                    "log10_p": r.log10_p,
                    "q": r.q,
                    "odds_ratio": None if math.isinf(r.odds_ratio) else r.odds_ratio,
                    "genes": list(r.overlap),
                }
                for r in self.results
                if r.figure_id in figures
            ],
        }


def enrich(
    library: Library,
    report: ListReport,
    background: ListReport | None = None,
    min_overlap: int = 1,
) -> Enrichment:
    """Test the list against every figure set. Raises EnrichError for a list that cannot
    be tested (empty, nothing in the universe, larger than the universe)."""
    if not report.genes:
        raise EnrichError(
            "none of the names could be read as a human gene"
            if report.typed
            else "the list is empty: give gene symbols, e.g. TP53 MDM2 CDKN1A"
        )
    if min_overlap < 1:
        raise EnrichError("the minimum overlap must be at least 1")
    in_library = np.zeros(len(library.symbols), dtype=bool)
    if background is None:
        universe, label = library.universe, "human genes in PFOCR figures"
        members = set(library.index)
        in_library[:] = True
    else:
        if not background.genes:
            raise EnrichError("the background has no recognisable human gene")
        members = set(background.genes)
        universe, label = len(members), "your background"
        for symbol in members:
            if symbol in library.index:
                in_library[library.index[symbol]] = True
    genes = [g for g in report.genes if g in members]
    outside = tuple(g for g in report.genes if g not in members)
    if not genes:
        where = "background" if background is not None else "the genes PFOCR figures show"
        raise EnrichError(f"none of the list's genes is in {where}; nothing to test")
    if len(genes) >= universe:
        raise EnrichError(
            f"the list ({len(genes):,} genes) is as large as its universe ({universe:,}): "
            "every figure would be tested against everything; give a background"
        )
    listed = np.zeros(len(library.symbols), dtype=bool)
    for symbol in genes:
        if symbol in library.index:
            listed[library.index[symbol]] = True
    hits = listed[library.indices]
    member = in_library[library.indices]
    a = _row_sums(hits, library.indptr)
    sizes = _row_sums(member, library.indptr)
    n = len(genes)
    log_p = hypergeom_log_sf(a, sizes, n, universe)
    p = np.exp(log_p)
    q = benjamini_hochberg(p)
    b, c = n - a, sizes - a
    d = universe - a - b - c
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where(b * c > 0, (a * d) / np.maximum(b * c, 1), np.inf)
    shown = np.flatnonzero(a >= min_overlap)
    order = shown[np.lexsort((-a[shown], log_p[shown], q[shown]))]
    results = tuple(
        EnrichedFigure(
            figure_id=int(library.figure_ids[row]),
            overlap=tuple(
                library.symbols[i]
                for i in library.indices[library.indptr[row] : library.indptr[row + 1]]
                if listed[i]
            ),
            set_size=int(sizes[row]),
            p=float(p[row]),
            q=float(q[row]),
            odds_ratio=float(odds[row]),
            log10_p=float(log_p[row] / math.log(10)),
        )
        for row in order
    )
    return Enrichment(
        report=report,
        universe=universe,
        universe_label=label,
        list_size=n,
        outside=outside,
        tests=library.sets,
        results=results,
        significant=int((q < SIGNIFICANT).sum()),
        min_overlap=min_overlap,
        exact_only=library.exact_only,
    )


def _row_sums(flags: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Per set, how many of its genes are flagged (empty sets sum to 0)."""
    running = np.zeros(len(flags) + 1, dtype=np.int64)
    np.cumsum(flags, out=running[1:])
    return running[indptr[1:]] - running[indptr[:-1]]
