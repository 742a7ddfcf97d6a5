"""Ingest benchmark: cold and unchanged re-ingest, DB size and peak RSS, beside a naive baseline.

    python -m bench.bench_ingest [--records 100000] [--corpus DIR] [--baseline-records 2000]

The corpus is SYNTHETIC (bench/make_corpus.py), written to a temp folder unless --corpus
points at one made earlier. The naive baseline is what a first version would do: parse
each file with yaml.safe_load and insert it row by row with sqlite-utils, one commit per
record, re-parsing everything on every run. It runs on a subset (rates are per record).
"""

import argparse
import resource
import tempfile
import time
from pathlib import Path

import sqlite_utils
import yaml

from store import Store
from store.ingest import find_record_files
from testkit.corpus import make_corpus


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child (MB)."""
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return self_kb / 1024, child_kb / 1024


def db_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def naive_ingest(files: list[str], db_path: Path) -> None:
    """The baseline: yaml.safe_load per file, sqlite-utils inserts, a commit per record."""
    db = sqlite_utils.Database(db_path)
    for path in files:
        text = Path(path).read_text(encoding="utf-8")
        data = yaml.safe_load(text.split("---\n")[1])
        genes = (data.get("schema-jsonld") or {}).get("keywords") or []
        with db.conn:
            db["figures"].insert(
                {
                    "figid": data["figid"],
                    "title": data.get("figtitle"),
                    "caption": data.get("caption"),
                    "year": data.get("year"),
                },
                pk="figid",
                replace=True,
            )
            db["figure_genes"].delete_where("figid = ?", [data["figid"]])
            db["figure_genes"].insert_all(
                [{"figid": data["figid"], "symbol": str(g).upper()} for g in genes]
            )


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--corpus", type=Path, help="reuse a corpus from make_corpus.py")
    parser.add_argument("--baseline-records", type=int, default=2_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pathway-bench-"))
    corpus = args.corpus
    if corpus is None:
        print(f"writing {args.records:,} synthetic records under {work / 'corpus'} ...")
        corpus = make_corpus(args.records, work / "corpus")
    files = find_record_files([corpus])

    store = Store(work / "bench.db")
    cold = timed(lambda: store.ingest([corpus]))
    warm = timed(lambda: store.ingest([corpus]))
    figures = store.db.execute("SELECT count(*) FROM figures").fetchone()[0]
    links = store.db.execute("SELECT count(*) FROM figure_genes").fetchone()[0]
    size = db_size_mb(store.path)
    rss_self, rss_child = peak_rss_mb()
    store.close()

    subset = files[: args.baseline_records]
    naive_cold = timed(lambda: naive_ingest(subset, work / "naive.db"))
    naive_warm = timed(lambda: naive_ingest(subset, work / "naive.db"))
    scale = len(files) / len(subset)

    print(f"\ncorpus: {len(files):,} synthetic records, {figures:,} figures, {links:,} links")
    print(f"{'measure':<34}{'pathway-bot':>16}{'naive baseline':>18}{'target':>14}")
    print(
        f"{'cold ingest (records/s)':<34}{len(files) / cold:>16,.0f}"
        f"{len(subset) / naive_cold:>18,.0f}{'>= 5,000':>14}"
    )
    print(f"{'cold ingest (s)':<34}{cold:>16.1f}{naive_cold * scale:>18.1f}{'':>14}")
    print(
        f"{'re-ingest unchanged corpus (s)':<34}{warm:>16.2f}"
        f"{naive_warm * scale:>18.1f}{'<= 10':>14}"
    )
    print(f"{'database size (MB)':<34}{size:>16,.0f}{'':>18}{'':>14}")
    print(f"{'peak RSS main / worker (MB)':<34}{f'{rss_self:,.0f} / {rss_child:,.0f}':>16}")
    print(f"(naive seconds are its measured rate on {len(subset):,} records, scaled to the corpus)")


if __name__ == "__main__":
    main()
