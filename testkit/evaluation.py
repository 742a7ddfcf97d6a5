"""Scoring the lookup engine on an evaluation TSV (query, kind, expected): shared by
`python -m bench.eval_genes` and the test that holds the engine to its target."""

import csv
from collections import Counter
from pathlib import Path

from store import Store
from store.models import KIND_NONE

FAMILY_JACCARD = 0.8  # a family passes when its member set is this close to the expected


def score_row(store: Store, query: str, kind: str, expected: str) -> tuple[bool, str]:
    """(passed, what the engine said) for one evaluation row.

    Expected symbols were written in the nomenclature of their day: they are compared on
    today's (TAZ is TAFAZZIN now, TMEM173 is STING1), through the lexicon's renames.
    """
    answer = store.ask(query, limit=1)
    today = store.lexicon.normal
    # caption_mentions writes families as FAMPLEXID=members and joins parts with ';'
    parts = [part.split("=", 1)[-1] for part in expected.split(";")]
    wanted = [today.get(s.upper(), s) for part in parts for s in part.split("|") if s]
    resolved = [r for r in answer.genes if r.symbols]
    said = "; ".join(f"{r.kind}:{'|'.join(r.symbols)}" for r in answer.genes) or "-"
    said += f" suggestions={'|'.join(answer.suggestions[:3])}" if answer.suggestions else ""
    if kind == "gene":
        got = resolved[0].symbols[0] if len(resolved) == 1 else None
        top = answer.suggestions[0] if answer.suggestions else None
        return got == wanted[0] or (not resolved and top == wanted[0]), said
    if kind == "family":
        if len(resolved) != 1:
            return False, said
        got_set, want_set = set(resolved[0].symbols), set(wanted)
        return len(got_set & want_set) / len(got_set | want_set) >= FAMILY_JACCARD, said
    if kind == "multi":  # every part resolved, in one group or several
        return set(wanted) <= {s for r in resolved for s in r.symbols}, said
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


FIGURE_TOP = 3  # a figure query passes when its figure is among this many answers


def score_figures(store: Store, tsv: Path) -> tuple[dict[str, tuple[int, int]], list[tuple]]:
    """Per-kind (passed, total) for figure queries, and the misses with what came first."""
    passed, total, misses = Counter(), Counter(), []
    with open(tsv, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            answer = store.ask(row["query"], limit=FIGURE_TOP)
            got = [hit.figid for hit in answer.figures]
            total[row["kind"]] += 1
            if row["figid"] in got:
                passed[row["kind"]] += 1
            else:
                misses.append(
                    (row["query"], row["figid"], answer.total, got[:2], answer.message[:80])
                )
    return {kind: (passed[kind], total[kind]) for kind in sorted(total)}, misses
