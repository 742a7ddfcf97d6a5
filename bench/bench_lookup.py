"""Lookup benchmark: resolution and `ask` latency on the synthetic corpus, beside naive baselines.

    python -m bench.bench_lookup --db PATH     # a database ingested from testkit.corpus
    python -m bench.bench_lookup               # builds a 100,000-record corpus first (~1 min)

Latencies are in-process, after one warm-up pass (the first query for a gene loads its
posting list; that cold cost is printed separately). Baselines, measured in the same run:
difflib.get_close_matches and rapidfuzz extractOne over every lexicon name for resolution;
one GROUP BY over a plain (symbol) index for `ask`.
"""

import argparse
import difflib
import json
import re
import resource
import statistics
import time
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from store import Store
from testkit.corpus import corpus_database
from testkit.memory import memory_mb

RESOLVE = [
    "KRAS",
    "tp53",
    "EGFR",
    "p53",
    "HER2",
    "NF-kB",
    "NFκB",
    "ERK1/2",
    "p-ERK",
    "β-catenin",
    "PI3K",
    "3845",
    "KRSA",
    "EGRF",
    "BRAC1",
    "TP35",
    "NOTHC1",
    "hello",
    "Cdc2",
    "TAZ",
    "integrin β3",
    "TGF-β1",
    "figures with ITGB3 and RALB?",
    "IL-1β",
    "MEK1",
    "focal adhesion kinase",
    "tumour necrosis factor",
    "KRAS in lung cancer",
    "TLR4-MyD88",
    "miR-148a-3p",
    "pSTAT3",
    "Insig",
    "lipoxygenases",
    "XRCC4/DNA ligase IV",
    "which figures show TP53 and MDM2 in hepatocellular carcinoma?",
]
ASK = {
    "gene": ["TP53", "AKT1", "EGFR", "KRAS", "MAPK1", "RALB", "ITGB3", "NOTCH1"],
    "two-gene": ["TP53 EGFR", "AKT1 MTOR", "KRAS EGFR", "TP53 AKT1", "ITGB3 RALB"],
    "family": ["NF-kB", "PI3K", "ERK1/2", "AKT", "RAS", "p38", "Wnt"],
    "filtered": [
        "TP53 organism:human",
        "KRAS since:2015",
        "AKT1 year:2010-2019",
        "NF-kB organism:mouse",
        "TP53 EGFR since:2020",
        "EGFR type:scheme",
    ],
    "search": [
        "search integrin resistance",
        "search signaling",
        "search mitochondrial autophagy",
        'search "growth factor" receptor',
        "search integrn resistnce",
        "search integrin resistance qqqxv",  # no figure has every word: most of them
        "apoptosis",
    ],
}
NAIVE_GROUP_BY = """
    SELECT figure_id, count(DISTINCT symbol) AS covered FROM naive_links
    WHERE symbol IN (SELECT value FROM json_each(?)) GROUP BY figure_id
    ORDER BY covered DESC, figure_id LIMIT 10"""
# The filtered baseline: the same GROUP BY, joined to the figures to test a year range.
NAIVE_FILTERED = """
    SELECT l.figure_id, count(DISTINCT l.symbol) AS covered FROM naive_links AS l
    JOIN figures AS f ON f.id = l.figure_id
    WHERE l.symbol IN (SELECT value FROM json_each(?)) AND f.year >= 2015
    GROUP BY l.figure_id ORDER BY covered DESC, l.figure_id LIMIT 10"""
# The search baseline: every word as typed, ranked by FTS5's BM25 (as Datasette does).
NAIVE_SEARCH = """
    SELECT rowid FROM figures_fts WHERE figures_fts MATCH ?
    ORDER BY bm25(figures_fts, 10.0, 1.0, 4.0) LIMIT 10"""


def naive_search_args(query: str) -> list[str]:
    """The baseline's MATCH: each word of the query quoted (so it is never FTS5 syntax)."""
    text = query.removeprefix("search ")
    phrases = re.findall(r'"([^"]*)"', text)
    words = re.sub(r'"[^"]*"', " ", text).split()
    return [" AND ".join('"' + t.replace('"', '""') + '"' for t in (*phrases, *words))]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timed_ms(action, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def python_loop() -> int:
    """A fixed piece of pure-Python work, to say how fast the machine was in this run (a
    shared machine's speed varies two to three times over an hour)."""
    total = 0
    for step in range(3_000_000):
        total += step
    return total


def interleaved_ms(actions: list, repeat: int) -> list[float]:
    """Each action `repeat` times, round robin (as a server sees a mix of queries, not one
    query 50 times over with its pages hot in the cache)."""
    samples = []
    for _ in range(repeat):
        for action in actions:
            samples += timed_ms(action, 1)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    args.db = corpus_database(args.db, args.records, "lookup")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store = Store(args.db)
    figures = store.db.execute("SELECT count(*) FROM figures").fetchone()[0]
    print(f"database: {figures:,} figures\n")

    resolver = store.engine.resolver
    names = sorted(
        {*store.lexicon.symbols.values(), *store.lexicon.aliases, *store.lexicon.previous}
    )
    for query in RESOLVE:
        resolver.resolve_query(query)  # warm the popularity look-ups
    ours = [
        t for q in RESOLVE for t in timed_ms(lambda q=q: resolver.resolve_query(q), args.repeat)
    ]
    difflib_ms = [
        t
        for q in RESOLVE[:8]
        for t in timed_ms(lambda q=q: difflib.get_close_matches(q.upper(), names, n=5), 2)
    ]
    extract_ms = [
        t
        for q in RESOLVE
        for t in timed_ms(lambda q=q: process.extractOne(q.upper(), names, scorer=OSA.distance), 3)
    ]
    print(f"{'resolution':<28}{'p50 ms':>10}{'p99 ms':>10}   target p99 <= 1 ms")
    for label, samples in (
        ("pathway-bot", ours),
        ("naive: difflib", difflib_ms),
        ("naive: rapidfuzz extractOne", extract_ms),
    ):
        print(f"{label:<28}{percentiles(samples)[0]:>10.3f}{percentiles(samples)[1]:>10.3f}")

    store.db.execute("CREATE TEMP TABLE naive_links AS SELECT symbol, figure_id FROM figure_genes")
    store.db.execute("CREATE INDEX temp.naive_symbol ON naive_links(symbol)")
    print(
        f"\n{'ask end to end':<28}{'p50 ms':>10}{'p99 ms':>10}{'cold ms':>10}"
        f"{'naive p50':>11}{'naive p99':>11}   target p99"
    )
    detail: list[str] = []
    for kind, queries in ASK.items():
        cold = [timed_ms(lambda q=q: store.ask(q), 1)[0] for q in queries]
        samples = interleaved_ms([lambda q=q: store.ask(q) for q in queries], args.repeat)
        p50, p99 = percentiles(samples)
        if kind in ("search", "filtered"):  # which queries the tail is made of
            for number, query in enumerate(queries):
                own = percentiles(samples[number :: len(queries)])
                detail.append(f"  {query:<40}{own[0]:>8.2f}{own[1]:>8.2f}")
        naive = (
            percentiles(
                interleaved_ms(
                    [
                        lambda q=q: store.db.execute(NAIVE_SEARCH, naive_search_args(q)).fetchall()
                        for q in queries
                    ],
                    5,
                )
            )
            if kind == "search"
            else percentiles(
                [
                    t
                    for q in queries
                    for t in timed_ms(
                        lambda q=q, sql=NAIVE_FILTERED if kind == "filtered" else NAIVE_GROUP_BY: (
                            store.db.execute
                        )(
                            sql,
                            [
                                json.dumps(
                                    [
                                        s
                                        for r in store.engine.resolver.resolve_query(q)[0]
                                        for s in r.symbols
                                    ]
                                )
                            ],
                        ).fetchall(),
                        5,
                    )
                ]
            )
        )
        naive_text = f"{naive[0]:>11.2f}{naive[1]:>11.2f}"
        target = "15 ms" if kind == "search" else "5 ms"
        print(f"{kind:<28}{p50:>10.2f}{p99:>10.2f}{max(cold):>10.1f}{naive_text}   {target}")
    print(f"\nfiltered and search, query by query{'p50 ms':>13}{'p99 ms':>8}", *detail, sep="\n")
    print(
        f"\nthis machine's speed in this run: a 3,000,000-step Python loop took "
        f"{min(timed_ms(python_loop, 3)):.0f} ms (a recent laptop: about 100 ms)"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    private, mapped = memory_mb()
    print(
        f"\nmemory with the corpus open and every benchmark run: {private:,.0f} MB private, "
        f"{mapped:,.0f} MB of mapped files (the database is read through mmap: the OS's file "
        f"cache, shared); peak RSS {rss:,.0f} MB, {rss_before:,.0f} MB before opening"
    )


if __name__ == "__main__":
    main()
