"""Score the lookup engine on ../shared/eval/ (gene_queries.tsv, caption_mentions.tsv).

    python -m bench.eval_genes [--tsv PATH] [--db PATH] [--verbose]

Scoring (testkit/evaluation.py), on today's nomenclature (expected symbols of their day
are renamed through the lexicon): gene: the resolved symbol, or the top suggestion for a
typo, equals expected; family: Jaccard of the member sets >= 0.8; ambiguous: every
expected candidate is offered; none: nothing resolves and nothing crashes.
"""

import argparse
import tempfile
from pathlib import Path

from store import Store
from testkit.evaluation import evaluate

DEFAULT_TSV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "gene_queries.tsv"


EVALS = {  # file -> target
    DEFAULT_TSV: 0.98,
    DEFAULT_TSV.parent / "caption_mentions.tsv": 0.85,
}


def report(store: Store, tsv: Path, target: float, verbose: bool) -> None:
    scores, failures = evaluate(store, tsv)
    print(f"== {tsv.name}")
    for kind, (ok, n) in scores.items():
        print(f"{kind:<10} {ok:>3}/{n:<3} {ok / n:7.1%}")
    ok, n = sum(v[0] for v in scores.values()), sum(v[1] for v in scores.values())
    print(f"{'overall':<10} {ok:>3}/{n:<3} {ok / n:7.1%}   (target {target:.0%})")
    for failure in failures if verbose else failures[:10]:
        print("MISS", *failure, sep="  ")
    if failures and not verbose and len(failures) > 10:
        print(f"... and {len(failures) - 10} more (--verbose lists them all)")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tsv", type=Path, help="one evaluation file (default: both)")
    parser.add_argument("--db", type=Path, help="database to ask (default: a fresh seeded one)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    store = Store(args.db or Path(tempfile.mkdtemp()) / "eval.db")
    store.ensure_seeded()
    for tsv, target in ({args.tsv: 0.98} if args.tsv else EVALS).items():
        if tsv.exists():
            report(store, tsv, target, args.verbose)
        else:
            print(f"== {tsv}: not found (../shared is beside CI's clone only)")


if __name__ == "__main__":
    main()
