"""Score the lookup engine on ../shared/eval/gene_queries.tsv, per kind.

    python -m bench.eval_genes [--tsv PATH] [--db PATH] [--verbose]

Scoring (from the issue): gene: the resolved symbol, or the top suggestion for a typo,
equals expected; family: the symbol set equals expected; ambiguous: every expected
candidate is offered; none: nothing resolves and nothing crashes.
"""

import argparse
import csv
import tempfile
from collections import Counter
from pathlib import Path

from store import Store
from store.models import KIND_NONE

DEFAULT_TSV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "gene_queries.tsv"


def score_row(store: Store, query: str, kind: str, expected: str) -> tuple[bool, str]:
    """(passed, what the engine said) for one evaluation row."""
    answer = store.ask(query, limit=1)
    wanted = [s for s in expected.split("|") if s]
    resolved = [r for r in answer.genes if r.symbols]
    said = "; ".join(f"{r.kind}:{'|'.join(r.symbols)}" for r in answer.genes) or "-"
    said += f" suggestions={'|'.join(answer.suggestions[:3])}" if answer.suggestions else ""
    if kind == "gene":
        got = resolved[0].symbols[0] if len(resolved) == 1 else None
        top = answer.suggestions[0] if answer.suggestions else None
        return got == wanted[0] or (not resolved and top == wanted[0]), said
    if kind == "family":
        return len(resolved) == 1 and set(resolved[0].symbols) == set(wanted), said
    if kind == "ambiguous":
        offered = {s for r in resolved for s in r.symbols}
        return set(wanted) <= offered, said
    if kind == KIND_NONE:
        return not resolved, said
    raise ValueError(f"unknown kind {kind!r}")


def evaluate(store: Store, tsv: Path) -> tuple[dict[str, tuple[int, int]], list[tuple]]:
    """Per-kind (passed, total), and the failing rows."""
    passed, total, failures = Counter(), Counter(), []
    with open(tsv, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            ok, said = score_row(store, row["query"], row["kind"], row["expected"])
            total[row["kind"]] += 1
            passed[row["kind"]] += ok
            if not ok:
                failures.append((row["query"], row["kind"], row["expected"], said))
    return {kind: (passed[kind], total[kind]) for kind in sorted(total)}, failures


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
