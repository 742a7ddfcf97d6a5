"""In-memory posting lists for multi-gene and family ranking, cached per database version.

Each figure gets a global rank (its position in focus order). A symbol's postings are the
sorted ranks of the figures that mention it, so "which figures mention both" is a C-level
set intersection and "the best figures for a family" is a lazy merge of sorted lists,
never a GROUP BY over tens of thousands of rows.
"""

import heapq
from collections import Counter, OrderedDict
from collections.abc import Iterable

from .schema import CorpusCache, Database

MAX_CACHED_SYMBOLS = 512  # about 1.5 MB for the commonest genes of a 100k-figure corpus


class Postings(CorpusCache):
    """Per-symbol figure ranks, read lazily and dropped whenever the database changes."""

    def __init__(self, db: Database):
        super().__init__(db)
        self._figure_ids: list[int] = []  # rank -> figure id
        self._ranks: dict[int, int] = {}  # figure id -> rank
        self._lists: OrderedDict[str, tuple[list[int], frozenset[int]]] = OrderedDict()

    def reload(self) -> None:
        self._figure_ids = [
            row[0] for row in self.db.execute("SELECT id FROM figures ORDER BY focus, id")
        ]
        self._ranks = {figure_id: rank for rank, figure_id in enumerate(self._figure_ids)}
        self._lists.clear()

    def _postings(self, symbol: str) -> tuple[list[int], frozenset[int]]:
        if symbol in self._lists:
            self._lists.move_to_end(symbol)
            return self._lists[symbol]
        ranks = self._ranks
        # In figure order: a link's own key (its evidence) orders one gene's figures, but
        # merging and intersecting lists needs every list in the same, global order.
        ordered = sorted(
            ranks[row[0]]
            for row in self.db.execute(
                "SELECT figure_id FROM figure_genes WHERE symbol = ?", [symbol]
            )
        )
        entry = (ordered, frozenset(ordered))
        self._lists[symbol] = entry
        if len(self._lists) > MAX_CACHED_SYMBOLS:
            self._lists.popitem(last=False)
        return entry

    def _group(self, group: tuple[str, ...]) -> frozenset[int]:
        sets = [self._postings(symbol)[1] for symbol in group]
        return sets[0] if len(sets) == 1 else frozenset().union(*sets)

    def rank(
        self, groups: list[tuple[str, ...]], limit: int, offset: int
    ) -> tuple[int, int, list[tuple[int, tuple[str, ...]]]]:
        """(total, figures showing every group, [(figure_id, matched symbols)]) ordered by
        groups covered, then focus."""
        self.fresh()
        need = offset + limit
        if len(groups) == 1:
            total = complete = len(self._group(groups[0]))
            lists = [self._postings(symbol)[0] for symbol in groups[0]]
            page = _first_distinct(heapq.merge(*lists), need)[offset:]
        else:
            sets = [self._group(group) for group in groups]
            total, complete, page = _by_coverage(sets, need)
            page = page[offset:]
        matched = [(self._figure_ids[rank], self._matched(rank, groups)) for rank in page]
        return total, complete, matched

    def _matched(self, rank: int, groups: list[tuple[str, ...]]) -> tuple[str, ...]:
        return tuple(s for group in groups for s in group if rank in self._postings(s)[1])


def _first_distinct(ranks: Iterable[int], count: int) -> list[int]:
    found: list[int] = []
    for rank in ranks:
        if not found or found[-1] != rank:  # merged lists are sorted, so repeats are adjacent
            found.append(rank)
            if len(found) == count:
                break
    return found


def _by_coverage(sets: list[frozenset[int]], need: int) -> tuple[int, int, list[int]]:
    """Figures in any set, figures in every set, and the best `need` ordered by how many
    sets hold them."""
    if len(sets) == 2:
        a, b = sets
        both = sorted(a & b)
        total = len(a) + len(b) - len(both)
        best = both[:need] if len(both) >= need else both + sorted(a ^ b)[: need - len(both)]
        return total, len(both), best
    coverage: Counter[int] = Counter()
    for one in sets:
        coverage.update(one)
    tiers: dict[int, list[int]] = {}
    for rank, covered in coverage.items():
        tiers.setdefault(covered, []).append(rank)
    page: list[int] = []
    for covered in sorted(tiers, reverse=True):
        page += sorted(tiers[covered])[: need - len(page)]
        if len(page) >= need:
            break
    return len(coverage), len(tiers.get(len(sets), ())), page
