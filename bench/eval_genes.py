"""Score the lookup engine on ../shared/eval/gene_queries.tsv, per kind.

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tsv", type=Path, default=DEFAULT_TSV)
    parser.add_argument("--db", type=Path, help="database to ask (default: a fresh seeded one)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    store = Store(args.db or Path(tempfile.mkdtemp()) / "eval.db")
    store.ensure_seeded()
    scores, failures = evaluate(store, args.tsv)
    for kind, (ok, n) in scores.items():
        print(f"{kind:<10} {ok:>3}/{n:<3} {ok / n:7.1%}")
    ok, n = sum(v[0] for v in scores.values()), sum(v[1] for v in scores.values())
    print(f"{'overall':<10} {ok:>3}/{n:<3} {ok / n:7.1%}   (target 98%)")
    for failure in failures if args.verbose or failures else []:
        print("FAIL", *failure, sep="  ")


if __name__ == "__main__":
    main()
