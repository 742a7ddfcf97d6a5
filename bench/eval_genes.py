"""Score the lookup engine on ../shared/eval/ (gene_queries.tsv, caption_mentions.tsv).

    python -m bench.eval_genes [--tsv PATH] [--db PATH] [--corpus DIR ...] [--verbose]

A name several genes share offers them all, the gene most figures show first, so the
score depends on the figures: it is measured on a database of the real records in
../shared (pfocr-sample, pfocr-more; --corpus to choose), and, for comparison, on the
seed record alone, where every gene has about no figures and the lexicon's order rules.

Scoring (testkit/evaluation.py), on today's nomenclature (expected symbols of their day
are renamed through the lexicon): gene: the resolved symbol, or the top suggestion for a
typo, equals expected; family: Jaccard of the member sets >= 0.8; ambiguous: every
expected candidate is offered; none: nothing resolves and nothing crashes.
"""

import argparse
import tempfile
from pathlib import Path

from store import Store, seed_record
from testkit.evaluation import evaluate

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
DEFAULT_TSV = SHARED / "eval" / "gene_queries.tsv"
DEFAULT_CORPUS = (SHARED / "pfocr-sample", SHARED / "pfocr-more")


EVALS = {  # file -> target
    DEFAULT_TSV: 0.98,
    DEFAULT_TSV.parent / "caption_mentions.tsv": 0.85,
}


def report(store: Store, tsv: Path, target: float, verbose: bool, seed_only: Store) -> None:
    scores, failures = evaluate(store, tsv)
    print(f"== {tsv.name}")
    for kind, (ok, n) in scores.items():
        print(f"{kind:<10} {ok:>3}/{n:<3} {ok / n:7.1%}")
    ok, n = sum(v[0] for v in scores.values()), sum(v[1] for v in scores.values())
    print(f"{'overall':<10} {ok:>3}/{n:<3} {ok / n:7.1%}   (target {target:.0%})")
    if seed_only is not store:
        plain = evaluate(seed_only, tsv)[0]
        ok, n = sum(v[0] for v in plain.values()), sum(v[1] for v in plain.values())
        print(
            f"{'seed only':<10} {ok:>3}/{n:<3} {ok / n:7.1%}   (one record: no counts to order by)"
        )
    for failure in failures if verbose else failures[:10]:
        print("MISS", *failure, sep="  ")
    if failures and not verbose and len(failures) > 10:
        print(f"... and {len(failures) - 10} more (--verbose lists them all)")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tsv", type=Path, help="one evaluation file (default: both)")
    parser.add_argument("--db", type=Path, help="database to ask (default: a fresh seeded one)")
    parser.add_argument("--corpus", type=Path, nargs="*", help="record folders to ingest first")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    seed_only = Store(Path(tempfile.mkdtemp()) / "seed.db")
    seed_only.ingest([seed_record()])  # one record: almost no figure counts to order by
    store = seed_only
    corpus = [p for p in (DEFAULT_CORPUS if args.corpus is None else args.corpus) if p.exists()]
    if args.db or corpus:
        store = Store(args.db or Path(tempfile.mkdtemp()) / "eval.db")
        store.ensure_seeded()
        if corpus:
            store.ingest(corpus)
        print(f"figures: {store.stats().figures:,} ({', '.join(p.name for p in corpus)})\n")
    for tsv, target in ({args.tsv: 0.98} if args.tsv else EVALS).items():
        if tsv.exists():
            report(store, tsv, target, args.verbose, seed_only)
        else:
            print(f"== {tsv}: not found (../shared is beside CI's clone only)")


if __name__ == "__main__":
    main()
