"""Score search on bench/figure_queries.tsv: figures recalled the way a scientist would.

    python -m bench.eval_figures [--tsv PATH] [--db PATH] [--without spellings|partial]
                                 [--tokenizer "unicode61 remove_diacritics 2"]

Each row is a query as typed after /pathway (paraphrases of real records in
../shared/pfocr-sample, not copied titles: typos, British spellings, plurals, Greek
letters, a gene with a topic, filters) and the figure it should find. A row passes when
that figure is among the first 3 answers, in a database of ../shared/pfocr-sample and
../shared/pfocr-more (243 real records). Target: 95%. Rows that miss are listed.

--without and --tokenizer measure what each choice is worth: the spelling variants of
store/spelling.py, the most-words fallback, and FTS5's tokenizer (the schema's is
'porter unicode61 remove_diacritics 2'; another one rebuilds the index in the copy).
"""

import argparse
import tempfile
from pathlib import Path

from store import Store
from store import search as search
from testkit.evaluation import score_figures

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
TSV = HERE / "figure_queries.tsv"
CORPUS = (SHARED / "pfocr-sample", SHARED / "pfocr-more")
TARGET = 0.95


def retokenize(store: Store, tokenizer: str) -> None:
    """Rebuild this database's full-text index with another FTS5 tokenizer."""
    with store.db.conn:
        store.db.execute("DROP TABLE figures_fts")
        store.db.execute(
            "CREATE VIRTUAL TABLE figures_fts USING fts5(title, caption, paper_title, "
            "content='figures', content_rowid='id', tokenize=?)".replace("?", repr(tokenizer))
        )
        store.db.execute("INSERT INTO figures_fts (figures_fts) VALUES ('rebuild')")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tsv", type=Path, default=TSV)
    parser.add_argument("--db", type=Path, help="a database to ask (default: the real records)")
    parser.add_argument("--verbose", action="store_true", help="print every row")
    parser.add_argument("--without", choices=("spellings", "partial"), action="append")
    parser.add_argument("--tokenizer", help="rebuild the full-text index with this tokenizer")
    args = parser.parse_args()
    for choice in args.without or ():
        if choice == "spellings":
            search.spellings = lambda word: (word.lower(),)
        else:
            search.PARTIAL = False
    if args.db is None and not all(folder.exists() for folder in CORPUS):
        raise SystemExit(f"needs {CORPUS[0]} and {CORPUS[1]} (only CI has ../shared)")
    store = Store(args.db or Path(tempfile.mkdtemp()) / "figures.db")
    if args.db is None:
        store.ingest(list(CORPUS))
    if args.tokenizer:
        retokenize(store, args.tokenizer)
    scores, misses = score_figures(store, args.tsv)
    print(f"figures: {store.stats().figures:,}\n== {args.tsv.name} (top 3)")
    for kind, (ok, n) in scores.items():
        print(f"{kind:<12} {ok:>3}/{n:<3} {ok / n:7.1%}")
    ok, n = sum(v[0] for v in scores.values()), sum(v[1] for v in scores.values())
    print(f"{'overall':<12} {ok:>3}/{n:<3} {ok / n:7.1%}   (target {TARGET:.0%})")
    for miss in misses:
        print("MISS", *miss, sep="  ")


if __name__ == "__main__":
    main()
