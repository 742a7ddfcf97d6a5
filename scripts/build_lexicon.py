"""Rebuild the vendored lexicon (store/lexicon/*.tsv) from its published sources.

    python scripts/build_lexicon.py ../shared/lexicon

Reads, from the given folder (see store/lexicon/SOURCES.md for versions and licences):
  hgnc_complete_set_2026-06-20.tsv.gz  HGNC's complete set (today's nomenclature)
  famplex-0.0.5/relations.csv,         FamPlex: HGNC genes and FPLX families, and the
  famplex-0.0.5/grounding_map.csv      strings seen in the literature for them
  hcop_mouse_human_2024-01.tsv         HGNC's HCOP mouse -> human orthologs
  hgnc_genes.tsv, famplex_families.tsv the 2019 tables the project vendored before

and writes (store/lexicon_build.derive does the work; `pathway-bot lexicon update` uses
the same code to refresh an installed bot from HGNC's and FamPlex's current files):
  hgnc_genes.tsv         symbol, name, locus_group, alias_symbol, prev_symbol, entrez_id:
                         today's approved genes, plus the few 2019 symbols HGNC has since
                         withdrawn, so nothing that resolved before stops resolving
  renamed.tsv            old_symbol, symbol, entrez_id: every 2019 symbol no longer
                         approved, with its successor (same Entrez id): "formerly TMEM173"
  grounding.tsv          text, kind, target: FamPlex's grounding map ("IκB kinase")
                         grounded to a family or an HGNC gene (UniProt through HGNC)
  famplex_families.tsv   family, members: FamPlex 0.0.5 flattened to today's symbols, plus
                         the 2019 legacy families (NFKB, WNT, Frizzled, ...)
  mouse_orthologs.tsv    mouse_symbol, human_symbol, sources: one human reading per mouse
                         symbol (the same symbol, else HCOP's best-supported ortholog)
synonyms.tsv and not_genes.tsv are our own curated tables and are not rebuilt.
"""

import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store.lexicon_build import Sources, derive  # noqa: E402

HGNC_2026 = "hgnc_complete_set_2026-06-20.tsv.gz"
FAMPLEX = "famplex-0.0.5"
HCOP = "hcop_mouse_human_2024-01.tsv"
OUT = ROOT / "store" / "lexicon"


def main(source: Path) -> None:
    with tempfile.TemporaryDirectory() as temp:
        counts = derive(
            Sources(source / HGNC_2026, source / FAMPLEX, source, source / HCOP), Path(temp)
        )
        for path in Path(temp).glob("*.tsv"):
            path.replace(OUT / path.name)
    hgnc = json.loads((source / HGNC_2026.replace(".tsv.gz", ".json")).read_text())
    sources = {
        "hgnc": {
            "source": hgnc["source_url"],
            "as_of": hgnc["downloaded_date"],
            "sha256": hashlib.sha256((source / HGNC_2026).read_bytes()).hexdigest(),
        },
        "famplex": {"source": "https://github.com/sorgerlab/famplex", "as_of": "0.0.5 (2024-07)"},
        "hcop": {"source": "HGNC HCOP mouse-human orthologs", "as_of": "2024-01"},
    }
    (OUT / "sources.json").write_text(json.dumps(sources, indent=2) + "\n", encoding="utf-8")
    print(counts)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
