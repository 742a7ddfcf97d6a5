"""Enrichment benchmark: a gene list against every figure of the 100k synthetic corpus,
beside a naive per-figure Python loop measured in the same run.

    python -m bench.bench_enrich --db PATH   # a database ingested from testkit.corpus
    python -m bench.bench_enrich             # builds a 100,000-record corpus first (~1 min)

Reports the library build (time and peak memory, then loading the cached copy), and the
p50/p99 of `Store.enrich` (reading the list, testing every set, BH, the first page) for
500- and 3,000-gene lists. The naive baseline keeps each figure as a Python set and
loops over the figures, summing the hypergeometric tail term by term with math.lgamma.
Targets: p99 <= 100 ms (500 genes) and <= 300 ms (3,000 genes).
"""

import argparse
import math
import random
import resource
import statistics
import time
from pathlib import Path

from store import Store
from testkit.corpus import corpus_database

LISTS = {500: 100.0, 3000: 300.0}  # list size -> p99 target in ms


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive(sets: list[set[str]], genes: set[str], universe: int) -> list[tuple[float, int]]:
    """Per figure: overlap, then P(X >= a) as a Python sum of pmf terms."""
    n, out = len(genes), []
    log_total = math.lgamma(universe + 1) - math.lgamma(n + 1) - math.lgamma(universe - n + 1)
    for index, figure in enumerate(sets):
        a, K = len(figure & genes), len(figure)
        p = 0.0
        for k in range(a, min(K, n) + 1):
            log_pmf = (
                math.lgamma(K + 1)
                - math.lgamma(k + 1)
                - math.lgamma(K - k + 1)
                + math.lgamma(universe - K + 1)
                - math.lgamma(n - k + 1)
                - math.lgamma(universe - K - n + k + 1)
                - log_total
            )
            p += math.exp(log_pmf)
        out.append((min(p, 1.0), index))
    return sorted(out)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--lists", type=int, default=20, help="random lists per size")
    args = parser.parse_args()
    args.db = corpus_database(args.db, args.records, "enrich")
    for cached in args.db.parent.glob(f"{args.db.name}.enrich-*"):
        cached.unlink()
    store = Store(args.db)
    store.warm()
    store.read_gene_list("TP53")  # the approved-symbol table, as any first list pays
    before = rss_mb()
    started = time.perf_counter()
    library = store.library()
    build = time.perf_counter() - started
    grew = rss_mb() - before
    fresh = Store(args.db)
    fresh.read_gene_list("TP53")
    started = time.perf_counter()
    fresh.library()
    load = time.perf_counter() - started
    arrays = sum(
        a.nbytes
        for a in (
            library.figure_ids,
            library.gene_ptr,
            library.by_gene,
            library.set_ptr,
            library.by_set,
        )
    )
    print(
        f"library: {library.sets:,} figure gene sets, universe {library.universe:,} genes\n"
        f"  build {build:.2f} s (peak RSS +{grew:.0f} MB), arrays {arrays / 1e6:.0f} MB, "
        f"load from the cached file {load * 1000:.0f} ms\n"
    )
    symbols = list(library.symbols)
    sets = [set(library.genes_of(row)) for row in range(library.sets)]
    rng = random.Random(7)
    print(f"{'list':<12}{'p50 ms':>10}{'p99 ms':>10}{'naive s':>10}   target p99")
    for size, target in LISTS.items():
        lists = [" ".join(rng.sample(symbols, size)) for _ in range(args.lists)]
        store.enrich(lists[0])  # warm
        samples = []
        for text in lists:
            for _ in range(3):
                started = time.perf_counter()
                result = store.enrich(text)
                result.results[:5]  # the first page, as an answer renders it
                samples.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        naive(sets, set(lists[0].split()), library.universe)
        slow = time.perf_counter() - started
        p50, p99 = percentiles(samples)
        print(f"{size:<12,}{p50:>10.1f}{p99:>10.1f}{slow:>10.2f}   {target:.0f} ms")
    print(f"\npeak RSS: {rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
