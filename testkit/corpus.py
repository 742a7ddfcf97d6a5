"""Write a SYNTHETIC PFOCR-shaped corpus (`_figures/` + `_data/`) into a temp folder.

Every record is marked synthetic (pmcid PMC9xxxxxxx, a `synthetic: true` field and
"[SYNTHETIC]" in its caption); none of it is real data and none of it is committed.
Genes are drawn from the vendored HGNC lexicon with a Zipf-like skew, so a few genes
(TP53, AKT1, MAPK1 ...) appear in thousands of figures, as they do in PFOCR.

    python -m testkit.corpus --records 100000 [--out DIR] [--start 0]
"""

import argparse
import itertools
import random
import tempfile
from pathlib import Path

from store import Store
from store.lexicon import default_lexicon

WORDS = [
    "signaling",
    "pathway",
    "regulation",
    "kinase",
    "receptor",
    "activation",
    "inhibition",
    "cancer",
    "cell",
    "proliferation",
    "apoptosis",
    "resistance",
    "metabolism",
    "transcription",
    "inflammation",
    "immune",
    "response",
    "tumor",
    "growth",
    "factor",
    "stress",
    "autophagy",
    "differentiation",
    "migration",
    "integrin",
    "mitochondrial",
    "oxidative",
    "DNA",
    "damage",
    "repair",
    "cycle",
    "checkpoint",
    "hypoxia",
    "insulin",
]
POPULAR = [
    "TP53",
    "AKT1",
    "MAPK1",
    "MAPK3",
    "EGFR",
    "TNF",
    "KRAS",
    "MTOR",
    "PIK3CA",
    "NFKB1",
    "RELA",
    "STAT3",
    "JUN",
    "MYC",
    "CTNNB1",
    "BCL2",
    "CASP3",
    "IL6",
    "VEGFA",
    "TGFB1",
]
FLY = ["Egfr", "dl", "Dif", "Rel", "hop", "bsk", "Galphaq", "Src42A", "betaTub60D", "rb"]
ORGANISMS = ["Homo sapiens", "Mus musculus", "Rattus norvegicus", "Drosophila melanogaster"]


SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "nu",
    "pe",
    "ra",
    "si",
    "to",
    "vu",
    "ze",
    "bra",
    "cle",
    "dri",
    "fro",
    "glu",
    "pha",
    "sto",
    "tri",
    "xan",
    "cyt",
]
# A Zipfian vocabulary like real captions: the 30 biology words above are the commonest,
# then ~5,000 pseudo-words with a long tail, so a two-word search matches a realistic
# fraction of figures rather than nearly all of them.
VOCABULARY = WORDS + sorted(
    {"".join(random.Random(i).choices(SYLLABLES, k=3)) for i in range(6000)}
)
ZIPF = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(VOCABULARY))))


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(VOCABULARY, cum_weights=ZIPF, k=n)).capitalize()


def _gene(rng: random.Random, vocabulary: list[str]) -> str:
    if rng.random() < 0.05:  # the famous few: TP53 lands in roughly one figure in ten
        return POPULAR[int(rng.random() ** 1.3 * len(POPULAR))]
    rest = len(vocabulary) - len(POPULAR)  # then a Pareto tail: ~500 genes take half the draws
    return vocabulary[len(POPULAR) + (int(rng.paretovariate(1.0) * 500) - 500) % rest]


def _genes(rng: random.Random, vocabulary: list[str]) -> list[str]:
    count = min(int(rng.lognormvariate(3.4, 0.8)) + 1, 300)  # median ~30, like PFOCR
    picked = dict.fromkeys(_gene(rng, vocabulary) for _ in range(count))
    if rng.random() < 0.15:
        picked.update(dict.fromkeys(rng.sample(FLY, 3)))
    return list(picked)


def _block(text: str, indent: str) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) > 78:
            lines.append(line)
            line = ""
        line = f"{line} {word}" if line else word
    lines.append(line)
    return ("\n" + indent).join(lines)


def record_text(n: int, rng: random.Random, vocabulary: list[str]) -> tuple[str, str, str | None]:
    """(figid, markdown, genes-sidecar TSV or None) for synthetic record number n."""
    pmcid = f"PMC9{n:08d}"
    figid = f"{pmcid}__synthetic-g{n % 7 + 1}"
    genes = _genes(rng, vocabulary)
    title = _sentence(rng, rng.randint(5, 14))
    caption = (
        f"Figure {n % 7 + 1}. "
        + ". ".join(_sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(1, 8)))
        + ". [SYNTHETIC]"
    )
    keywords = "\n".join(f"  - {g}" for g in genes)
    year = rng.randint(1995, 2025)
    md = f"""---
figid: {figid}
synthetic: true
figtitle: {title}
organisms:
- {rng.choice(ORGANISMS)}
pmcid: {pmcid}
filename: synthetic-g{n % 7 + 1}.jpg
figlink: /pmc/articles/{pmcid}/figure/F1/
number: F1
caption: {_block(caption, "  ")}
papertitle: {_sentence(rng, 10)}.
reftext: Synthetic Author, et al. Synthetic J. {year};1(1):1-2.
year: '{year}'
doi: 10.0000/synthetic.{n}
journal_title: Synthetic Journal
keywords: {" | ".join(rng.sample(WORDS, 3))}
automl_pathway: {rng.random():.7f}
figtype: {"Scheme" if n % 10 == 3 else "Graphical abstract" if n % 20 == 7 else "Figure"}
schema-jsonld:
  '@context': https://schema.org/
  '@id': https://pfocr.wikipathways.org/figures/{figid}.html
  '@type': Dataset
  description: {_block(caption, "    ")}
  license: CC0
  keywords:
{keywords}
---
"""
    sidecar = None
    if rng.random() < 0.3:
        rows = [
            "organism_id\torganism_name\torganism_group\tword\tmatch\tncbigene_symbol\t"
            "ncbigene_id\tsource\tcount_direct\tcount_synonym\tcount_match"
        ]
        rows += [
            f"9606\tHomo sapiens\tPrimates\t{g.lower()}\t{g}\t{g}\t{i}\tncbigene_symbol\t1\t1\t1"
            for i, g in enumerate(genes)
        ]
        sidecar = "\n".join(rows) + "\n"
    return figid, md, sidecar


def make_corpus(records: int, out: Path | None = None, start: int = 0, seed: int = 7) -> Path:
    """Write records [start, start+records) under out (a new temp folder by default)."""
    out = Path(out or tempfile.mkdtemp(prefix="pfocr-synthetic-"))
    (out / "_figures").mkdir(parents=True, exist_ok=True)
    (out / "_data").mkdir(exist_ok=True)
    symbols = list(default_lexicon().symbols.values())
    vocabulary = POPULAR + random.Random(seed).sample(symbols, len(symbols))
    for n in range(start, start + records):
        figid, md, sidecar = record_text(n, random.Random(seed * 1_000_003 + n), vocabulary)
        (out / "_figures" / f"{figid}.md").write_text(md, encoding="utf-8")
        if sidecar:
            (out / "_data" / f"{figid}-genes.tsv").write_text(sidecar, encoding="utf-8")
    return out


def corpus_database(db: Path | None, records: int, label: str) -> Path:
    """The benches' database: `db` when given, else one ingested from a new synthetic
    corpus of `records` records in a temp folder (about a minute for 100,000)."""
    if db is not None:
        return db
    work = Path(tempfile.mkdtemp(prefix=f"pathway-{label}-"))
    print(f"building a {records:,}-record synthetic corpus in {work} ...")
    Store(work / "bench.db").ingest([make_corpus(records, work / "corpus")])
    return work / "bench.db"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    print(make_corpus(args.records, args.out, args.start))


if __name__ == "__main__":
    main()
