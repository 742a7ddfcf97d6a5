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
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import overload

import numpy as np

from .errors import EnrichError
from .models import SIGNIFICANT, Resolution
from .schema import Database

MIN_SET_GENES = 3  # PFOCR's own GMT files leave out figures with fewer genes
MAX_NAMES = 5_000  # names in one list; a whole-genome list is a background, not a list
SPLIT_RE = re.compile(r"[\s,;]+")
# Excel turns SEPT7 into 7-Sep and MARCH1 into 1-Mar (HGNC renamed them SEPTIN7, MARCHF1).
EXCEL_DATE_RE = re.compile(r"^(?:(\d{1,2})-([A-Za-z]{3,4})|([A-Za-z]{3,4})-(\d{1,2}))$")
EXCEL_MONTHS = {"sep": "SEPT", "sept": "SEPT", "mar": "MARCH", "dec": "DEC", "oct": "OCT"}
EXACT_SOURCES = frozenset({"ncbigene_symbol", "hgnc_symbol"})  # the sidecar's exact matches


@dataclass(frozen=True)
class Library:
    """The gene sets, stored both ways: gene `g` is in the sets `by_gene[gene_ptr[g]:
    gene_ptr[g+1]]` (to count overlaps: one bincount over the list's genes), and set `r`
    holds the genes `by_set[set_ptr[r]:set_ptr[r+1]]` (to name a figure's overlap)."""

    symbols: tuple[str, ...]  # gene index -> symbol
    index: dict[str, int]  # symbol -> gene index
    figure_ids: np.ndarray  # set row -> figure id
    gene_ptr: np.ndarray
    by_gene: np.ndarray
    set_ptr: np.ndarray
    by_set: np.ndarray
    universe: int  # genes in at least one indexed figure (every gene of every figure)
    exact_only: bool = False

    @property
    def sets(self) -> int:
        return len(self.figure_ids)

    def sizes(self) -> np.ndarray:
        return np.diff(self.set_ptr)

    def genes_of(self, row: int) -> list[str]:
        return [self.symbols[i] for i in self.by_set[self.set_ptr[row] : self.set_ptr[row + 1]]]

    def sets_of(self, genes: Iterable[int]) -> np.ndarray:
        """Every set row holding one of these genes, once per gene (for a bincount)."""
        parts = [self.by_gene[self.gene_ptr[g] : self.gene_ptr[g + 1]] for g in genes]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

    def save(self, path: Path) -> None:
        """Write the arrays (and symbols) to `path`, atomically."""
        partial = path.with_name(path.name + ".partial.npz")
        np.savez(
            partial,
            symbols=np.array(self.symbols, dtype=object),
            figure_ids=self.figure_ids,
            gene_ptr=self.gene_ptr,
            by_gene=self.by_gene,
            set_ptr=self.set_ptr,
            by_set=self.by_set,
            universe=np.array([self.universe, int(self.exact_only)]),
        )
        os.replace(partial, path)

    @classmethod
    def load(cls, path: Path) -> Library:
        with np.load(path, allow_pickle=True) as data:
            symbols = tuple(data["symbols"].tolist())
            universe, exact = data["universe"].tolist()
            return cls(
                symbols,
                {symbol: i for i, symbol in enumerate(symbols)},
                data["figure_ids"],
                data["gene_ptr"],
                data["by_gene"],
                data["set_ptr"],
                data["by_set"],
                universe,
                bool(exact),
            )


def build_library(
    groups: Sequence[tuple[str, int]],
    figure_ids: np.ndarray,
    approved: frozenset[str],
    exact_only: bool = False,
    min_genes: int = MIN_SET_GENES,
) -> Library:
    """The library from the links in symbol order: `groups` is [(symbol, how many links)]
    and `figure_ids` their figures, one after another. Human genes only (approved HGNC
    symbols); figures with fewer than `min_genes` are left out of the sets, not of the
    universe."""
    counts = np.array([count for _, count in groups], dtype=np.int64)
    human = np.array([symbol in approved for symbol, _ in groups], dtype=bool)
    symbols = tuple(symbol for (symbol, _), keep in zip(groups, human, strict=True) if keep)
    gene_of_group = np.cumsum(human) - 1
    genes = np.repeat(gene_of_group, counts)[np.repeat(human, counts)]
    figures = np.asarray(figure_ids, dtype=np.int64)[np.repeat(human, counts)]
    width = len(symbols) + 1
    pairs = figures * width + genes
    pairs.sort()  # a plain sort: numpy 2's hashing np.unique is 10x slower on 4M keys
    if len(pairs):
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]  # each (figure, gene) once
    figures, genes = pairs // width, (pairs % width).astype(np.int32)
    starts = (
        np.flatnonzero(np.concatenate(([True], figures[1:] != figures[:-1])))
        if len(figures)
        else np.zeros(0, dtype=np.int64)
    )
    ids = figures[starts]
    per_figure = np.diff(np.append(starts, len(figures)))
    row_of = np.repeat(np.arange(len(ids)), per_figure)
    is_set = per_figure >= min_genes
    set_row = np.cumsum(is_set) - 1  # figure row -> set row (valid where is_set)
    keep = is_set[row_of]
    rows, genes_kept = set_row[row_of][keep].astype(np.int32), genes[keep]
    set_ptr = np.zeros(int(is_set.sum()) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(set_ptr) - 1), out=set_ptr[1:])
    by_set = genes_kept  # already in (figure, gene) order
    order = np.argsort(genes_kept, kind="stable")
    gene_ptr = np.zeros(len(symbols) + 1, dtype=np.int64)
    np.cumsum(np.bincount(genes_kept, minlength=len(symbols)), out=gene_ptr[1:])
    return Library(
        symbols=symbols,
        index={symbol: i for i, symbol in enumerate(symbols)},
        figure_ids=ids[is_set],
        gene_ptr=gene_ptr,
        by_gene=rows[order],
        set_ptr=set_ptr,
        by_set=by_set,
        universe=int(np.count_nonzero(np.bincount(genes, minlength=len(symbols)))),
        exact_only=exact_only,
    )


def library_from_pairs(
    pairs: Iterable[tuple[int, str]], approved: frozenset[str], min_genes: int = MIN_SET_GENES
) -> Library:
    """The library from (figure id, symbol) pairs, in any order (for tests and scripts)."""
    by_symbol: dict[str, list[int]] = {}
    for figure_id, symbol in pairs:
        by_symbol.setdefault(symbol, []).append(figure_id)
    groups = sorted(by_symbol.items())
    ids = np.array([i for _, figures in groups for i in figures], dtype=np.int64)
    return build_library([(s, len(f)) for s, f in groups], ids, approved, min_genes=min_genes)


def library_links(db: Database) -> tuple[list[tuple[str, int]], np.ndarray]:
    """Every link, in the clustered index's symbol order: [(symbol, links)] and the figure
    ids as one array (one group_concat and one parse: 1.5 s for 4M links, where a row per
    link costs Python several times that)."""
    groups = db.execute(
        "SELECT symbol, count(*) FROM figure_genes GROUP BY symbol ORDER BY symbol"
    ).fetchall()
    joined = db.execute(
        "SELECT group_concat(figure_id) FROM (SELECT figure_id FROM figure_genes ORDER BY symbol)"
    ).fetchone()[0]
    return groups, _parse_ids(joined or "")


def _parse_ids(joined: str) -> np.ndarray:
    """'1,5,9' -> array([1, 5, 9]), parsed in C (str.split would make 4M Python strings)."""
    if not joined:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")


def exact_links(db: Database) -> tuple[list[tuple[str, int]], np.ndarray]:
    """The same for genes matched by their official symbol only: the sidecar's
    `ncbigene_symbol` rows, or, for a record without a sidecar, a gene written exactly as
    its symbol. PFOCR's GMT convention; it drops most OCR false positives."""
    import json

    by_symbol: dict[str, list[int]] = {}
    for figure_id, genes, evidence in db.execute("SELECT id, genes, evidence FROM figures"):
        if evidence:
            found = {row[0] for row in json.loads(evidence) if row[3] in EXACT_SOURCES and row[0]}
        else:
            found = {
                symbol for written, symbol in json.loads(genes) if symbol and written == symbol
            }
        for symbol in found:
            by_symbol.setdefault(symbol, []).append(figure_id)
    groups = sorted(by_symbol.items())
    ids = [i for _, figures in groups for i in figures]
    return [(s, len(f)) for s, f in groups], np.array(ids, dtype=np.int64)


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
    `stop` (or down to it), each term the pmf ratio times the one before. Each step works
    only on the tails still growing, so a list overlapping 80,000 figures by one gene
    each (a single term) costs nothing here."""
    k = k.astype(float)
    K = K.astype(float)
    stop = stop.astype(float)
    total = np.ones_like(k)
    live = np.flatnonzero(k != stop)
    kk, KK, ss = k[live], K[live], stop[live]
    term = np.ones(len(live))
    sums = np.ones(len(live))
    while len(live):
        if up:  # pmf(k+1) / pmf(k)
            term *= (KK - kk) * (n - kk) / ((kk + 1) * (N - KK - n + kk + 1))
            kk = kk + 1
        else:  # pmf(k-1) / pmf(k)
            term *= kk * (N - KK - n + kk) / ((KK - kk + 1) * (n - kk + 1))
            kk = kk - 1
        sums += term
        going = (kk != ss) & (term > TAIL_EPSILON * sums)
        if not going.all():
            done = ~going
            total[live[done]] = sums[done]
            live, kk, KK, ss = live[going], kk[going], KK[going], ss[going]
            term, sums = term[going], sums[going]
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
    results: Sequence[EnrichedFigure]  # every figure with overlap >= min_overlap, by q
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

    def to_json(self, figures: dict[int, object], limit: int) -> dict:
        """The machine-readable answer: the first `limit` figures; `figures` maps their
        ids to hits (figid, title)."""
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
                for r in self.results[:limit]
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
    if background is None:
        universe, label = library.universe, "human genes in PFOCR figures"
        members: set[str] | dict[str, int] = library.index
        sizes = library.sizes()
    else:
        if not background.genes:
            raise EnrichError("the background has no recognisable human gene")
        members = set(background.genes)
        universe, label = len(members), "your background"
        inside = [library.index[g] for g in members if g in library.index]
        sizes = np.bincount(library.sets_of(inside), minlength=library.sets)
    genes = [g for g in report.genes if g in members]
    outside = tuple(g for g in report.genes if g not in members)
    if not genes:
        where = "the background" if background is not None else "the genes PFOCR figures show"
        raise EnrichError(f"none of the list's genes is in {where}; nothing to test")
    if len(genes) >= universe:
        raise EnrichError(
            f"the list ({len(genes):,} genes) is as large as its universe ({universe:,}): "
            "every figure would be tested against everything; give a background"
        )
    listed = [library.index[g] for g in genes if g in library.index]
    a = np.bincount(library.sets_of(listed), minlength=library.sets)
    n = len(genes)
    touched = np.flatnonzero(a)
    log_p = np.zeros(library.sets)  # no overlap: p = 1
    log_p[touched] = hypergeom_log_sf(a[touched], sizes[touched], n, universe)
    q = benjamini_hochberg(np.exp(log_p))
    shown = touched[a[touched] >= min_overlap]
    order = shown[np.lexsort((-a[shown], log_p[shown], q[shown]))]
    mask = np.zeros(len(library.symbols), dtype=bool)
    mask[listed] = True
    return Enrichment(
        report=report,
        universe=universe,
        universe_label=label,
        list_size=n,
        outside=outside,
        tests=library.sets,
        results=Results(library, order, a, sizes, log_p, q, mask, n, universe),
        significant=int((q < SIGNIFICANT).sum()),
        min_overlap=min_overlap,
        exact_only=library.exact_only,
    )


class Results(Sequence[EnrichedFigure]):
    """The figures with overlap, best first, made into EnrichedFigure only when read: a
    3,000-gene list overlaps most of 100,000 figures, and a page shows five."""

    def __init__(
        self,
        library: Library,
        order: np.ndarray,
        a: np.ndarray,
        sizes: np.ndarray,
        log_p: np.ndarray,
        q: np.ndarray,
        listed: np.ndarray,
        n: int,
        universe: int,
    ):
        self._library, self._order, self._a, self._sizes = library, order, a, sizes
        self._log_p, self._q, self._listed = log_p, q, listed
        self._n, self._universe = n, universe

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, item: int) -> EnrichedFigure: ...
    @overload
    def __getitem__(self, item: slice) -> tuple[EnrichedFigure, ...]: ...
    def __getitem__(self, item: int | slice) -> EnrichedFigure | tuple[EnrichedFigure, ...]:
        if isinstance(item, slice):
            return tuple(self._one(int(row)) for row in self._order[item])
        return self._one(int(self._order[item]))

    def _one(self, row: int) -> EnrichedFigure:
        library = self._library
        genes = library.by_set[library.set_ptr[row] : library.set_ptr[row + 1]]
        a, size = int(self._a[row]), int(self._sizes[row])
        b, c = self._n - a, size - a
        d = self._universe - a - b - c
        return EnrichedFigure(
            figure_id=int(library.figure_ids[row]),
            overlap=tuple(library.symbols[g] for g in genes[self._listed[genes]]),
            set_size=size,
            p=math.exp(self._log_p[row]),
            q=float(self._q[row]),
            odds_ratio=(a * d) / (b * c) if b * c else math.inf,
            log10_p=float(self._log_p[row] / math.log(10)),
        )
