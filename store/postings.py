"""In-memory posting lists for multi-gene and family ranking, cached per database version.

Each figure gets a global rank (its position in focus order). A symbol's postings are the
sorted ranks of the figures that mention it, so "which figures mention both" is a C-level
set intersection and "the best figures for a family" is a lazy merge of sorted lists,
never a GROUP BY over tens of thousands of rows.
"""

import heapq
import json
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable

from .filters import Filters
from .schema import CorpusCache, Database

Keep = frozenset[int]  # the ranks of the figures that pass a query's filters
MAX_CACHED_FILTERS = 64  # distinct filters whose passing figures are kept

MAX_CACHED_SYMBOLS = 512  # about 1.5 MB for the commonest genes of a 100k-figure corpus
MAX_CACHED_BITMAPS = 128  # 12.5 KB each at 100k figures: 1.6 MB


class Postings(CorpusCache):
    """Per-symbol figure ranks, read lazily and dropped whenever the database changes."""

    def __init__(self, db: Database):
        super().__init__(db)
        self._figure_ids: list[int] = []  # rank -> figure id
        self._ranks: dict[int, int] = {}  # figure id -> rank
        self._lists: OrderedDict[str, tuple[list[int], frozenset[int]]] = OrderedDict()
        self._bits: OrderedDict[str, int] = OrderedDict()  # symbol -> its figures' bitmap
        # What filters read, by rank: year (0 unknown), figtype code, organisms bitmask
        self._years: list[int] = []
        self._types: list[int] = []
        self._organisms: list[int] = []
        self._type_codes: dict[str, int] = {}
        self._species_bits: dict[str, int] = {}
        self._kept: OrderedDict[tuple, Keep] = OrderedDict()
        self._kept_bits: dict[int, tuple[Keep, int]] = {}  # id(keep) -> (keep, its bitmap)

    def reload(self) -> None:
        rows = self.db.execute(
            "SELECT id, year, figtype, organisms FROM figures ORDER BY focus, id"
        ).fetchall()
        self._figure_ids = [row[0] for row in rows]
        self._ranks = {figure_id: rank for rank, figure_id in enumerate(self._figure_ids)}
        self._lists.clear()
        self._bits.clear()
        self._kept.clear()
        self._kept_bits.clear()
        self._years = [row[1] or 0 for row in rows]
        codes = self._type_codes = {}
        self._types = [codes.setdefault(row[2], len(codes)) for row in rows]
        bits = self._species_bits = {}
        masks = []
        parsed: dict[str, int] = {}  # most records share a handful of organism lists
        for row in rows:
            mask = parsed.get(row[3])
            if mask is None:
                mask = 0
                for species in json.loads(row[3] or "[]"):
                    mask |= 1 << bits.setdefault(species, len(bits))
                parsed[row[3]] = mask
            masks.append(mask)
        self._organisms = masks

    def keep(self, filters: Filters) -> Keep | None:
        """The ranks of the figures that pass the filters (computed once per distinct
        filter and corpus version), or None when nothing is filtered."""
        if not filters:
            return None
        self.fresh()
        key = (filters.organisms, filters.year_min, filters.year_max, filters.types)
        found = self._kept.get(key)
        if found is None:
            test = self._test(filters)
            found = frozenset(rank for rank in range(len(self._figure_ids)) if test(rank))
            self._kept[key] = found
            if len(self._kept) > MAX_CACHED_FILTERS:
                self._kept.popitem(last=False)
        return found

    def _test(self, filters: Filters) -> Callable[[int], bool]:
        years, types, masks = self._years, self._types, self._organisms
        low, high = filters.year_min or 0, filters.year_max or 10_000
        wanted_types = {self._type_codes[t] for t in filters.types if t in self._type_codes}
        want = 0
        for species in filters.organisms:
            want |= 1 << self._species_bits[species] if species in self._species_bits else 0
        checks: list[Callable[[int], bool]] = []
        if filters.year_min or filters.year_max:
            checks.append(lambda rank: low <= years[rank] <= high)
        if filters.types:
            checks.append(lambda rank: types[rank] in wanted_types)
        if filters.organisms:
            checks.append(lambda rank: bool(masks[rank] & want))
        if len(checks) == 1:
            return checks[0]
        return lambda rank: all(check(rank) for check in checks)

    def keep_ids(self, filters: Filters) -> Callable[[int], bool] | None:
        """The same test on figure ids (search and figure answers deal in ids)."""
        keep = self.keep(filters)
        if keep is None:
            return None
        ranks = self._ranks
        return lambda figure_id: ranks.get(figure_id, -1) in keep

    def unknown(self, filters: Filters) -> int:
        """How many figures a filter leaves out for saying nothing (no organism, no year)."""
        self.fresh()
        count = 0
        if filters.organisms:
            count = sum(1 for mask in self._organisms if not mask)
        if filters.year_min or filters.year_max:
            count = max(count, sum(1 for year in self._years if not year))
        return count

    def single(
        self, symbol: str, limit: int, offset: int, keep: Keep
    ) -> tuple[int, list[tuple[int, tuple[str, ...]]]]:
        """One gene's figures that pass `keep`, in its links' (evidence) order."""
        self.fresh()
        total = (self._group_bits((symbol,)) & self._keep_bits(keep)).bit_count()
        ranks, need, page = self._ranks, offset + limit, []
        rows = self.db.execute(
            "SELECT figure_id FROM figure_genes WHERE symbol = ? ORDER BY focus, figure_id",
            [symbol],
        )
        for (figure_id,) in rows:  # in evidence order, until the page is full
            if ranks[figure_id] in keep:
                page.append(figure_id)
                if len(page) == need:
                    break
        return total, [(figure_id, (symbol,)) for figure_id in page[offset:]]

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
        self, groups: list[tuple[str, ...]], limit: int, offset: int, keep: Keep | None = None
    ) -> tuple[int, int, list[tuple[int, tuple[str, ...]]]]:
        """(total, figures showing every group, [(figure_id, matched symbols)]) ordered by
        groups covered, then focus; only figures `keep` passes, when given."""
        self.fresh()
        need = offset + limit
        if len(groups) == 1:  # one gene or family: counted by bitmap, its lists merged
            bits = self._group_bits(groups[0])  # and read only as far as the page needs
            if keep is not None:
                bits &= self._keep_bits(keep)
            total = complete = bits.bit_count()
            lists = [self._postings(symbol)[0] for symbol in groups[0]]
            ranks = heapq.merge(*lists)
            if keep is not None:
                ranks = (rank for rank in ranks if rank in keep)
            page = _first_distinct(ranks, need)[offset:]
        elif len(groups) == 2:  # two genes: bitmaps, so no set is walked in Python
            first, second = (self._group_bits(group) for group in groups)
            if keep is not None:
                passing = self._keep_bits(keep)
                first, second = first & passing, second & passing
            total, complete, page = two_by_coverage(first, second, need)
            page = page[offset:]
        else:
            sets = [self._group(group) for group in groups]
            if keep is not None:
                sets = [one & keep for one in sets]
            total, complete, page = _by_coverage(sets, need)
            page = page[offset:]
        matched = [(self._figure_ids[rank], self._matched(rank, groups)) for rank in page]
        return total, complete, matched

    def _group_bits(self, group: tuple[str, ...]) -> int:
        """The figures showing any member of a group, as a bitmap (12.5 KB at 100k)."""
        union = 0
        for symbol in group:
            bits = self._bits.get(symbol)
            if bits is None:
                bits = self._bits[symbol] = bitmap(self._postings(symbol)[0])
                if len(self._bits) > MAX_CACHED_BITMAPS:
                    self._bits.popitem(last=False)
            else:
                self._bits.move_to_end(symbol)
            union |= bits
        return union

    def _keep_bits(self, keep: Keep) -> int:
        """A filter's passing figures as a bitmap (made once per cached filter)."""
        found = self._kept_bits.get(id(keep))
        if found is None or found[0] is not keep:
            found = (keep, bitmap(sorted(keep)))
            self._kept_bits[id(keep)] = found
            if len(self._kept_bits) > MAX_CACHED_FILTERS:
                del self._kept_bits[next(iter(self._kept_bits))]
        return found[1]

    def _matched(self, rank: int, groups: list[tuple[str, ...]]) -> tuple[str, ...]:
        return tuple(s for group in groups for s in group if rank in self._postings(s)[1])


def bitmap(ranks: list[int]) -> int:
    """Sorted ranks as one int with those bits set: 'in both' is then `a & b` and 'how
    many' `bit_count()`, each a few microseconds on 100,000 figures."""
    if not ranks:
        return 0
    buffer = bytearray(ranks[-1] // 8 + 1)
    for rank in ranks:
        buffer[rank >> 3] |= 1 << (rank & 7)
    return int.from_bytes(buffer, "little")


def two_by_coverage(first: int, second: int, need: int) -> tuple[int, int, list[int]]:
    """_by_coverage for two bitmaps: figures in either, in both, and the best `need`."""
    both, either = first & second, first | second
    page = lowest(both, need)
    return either.bit_count(), both.bit_count(), page + lowest(either ^ both, need - len(page))


def lowest(bits: int, count: int) -> list[int]:
    """The `count` lowest set bits of a bitmap, lowest first: the best-ranked figures."""
    found: list[int] = []
    while bits and len(found) < count:
        low = bits & -bits
        found.append(low.bit_length() - 1)
        bits ^= low
    return found


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
