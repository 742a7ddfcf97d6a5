"""Rebuild the vendored lexicon (store/lexicon/*.tsv) from its published sources.

    python scripts/build_lexicon.py ../shared/lexicon

Reads, from the given folder (see store/lexicon/SOURCES.md for versions and licences):
  hgnc_complete_set_2026-06-20.tsv.gz  HGNC's complete set (today's nomenclature)
  famplex-0.0.5/relations.csv          FamPlex: HGNC genes and FPLX families
  hgnc_genes.tsv, famplex_families.tsv the 2019 tables the project vendored before

and writes:
  store/lexicon/hgnc_genes.tsv         symbol, name, locus_group, alias_symbol, prev_symbol,
                                       entrez_id (today's approved genes, plus the few 2019
                                       symbols HGNC has since withdrawn, so nothing that
                                       resolved before stops resolving)
  store/lexicon/renamed.tsv            old_symbol, symbol, entrez_id: every 2019 symbol that
                                       is no longer approved, with its successor (same
                                       Entrez id); "formerly TMEM173" comes from here
  store/lexicon/grounding.tsv          text, kind, target: FamPlex's grounding map (strings
                                       seen in the literature, "IκB kinase", "focal adhesion
                                       kinase") grounded to a family or an HGNC gene (UniProt
                                       accessions mapped through HGNC's uniprot_ids)
  store/lexicon/famplex_families.tsv   family, members: FamPlex 0.0.5 families flattened to
                                       today's HGNC symbols, plus the 2019 legacy families
                                       (NFKB, WNT, Frizzled, ...) with their members renamed
"""

from __future__ import annotations

import csv
import gzip
import sys
from collections import defaultdict
from pathlib import Path

HGNC_2026 = "hgnc_complete_set_2026-06-20.tsv.gz"
OUT = Path(__file__).resolve().parent.parent / "store" / "lexicon"
GENE_COLUMNS = ("symbol", "name", "locus_group", "alias_symbol", "prev_symbol", "entrez_id")


def read_tsv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def build(source: Path, out: Path = OUT) -> dict[str, int]:
    current = read_tsv(source / HGNC_2026)
    old = read_tsv(source / "hgnc_genes.tsv")
    by_symbol = {row["symbol"].upper(): row for row in current}
    by_entrez = {row["entrez_id"]: row for row in current if row["entrez_id"]}
    prev_owners: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in current:
        for prev in split(row["prev_symbol"]):
            prev_owners[prev.upper()].append(row)

    # 2019 symbols that are no longer approved: their successor shares the Entrez id.
    renamed, withdrawn = [], []
    for row in old:
        symbol = row["symbol"]
        if symbol.upper() in by_symbol:
            continue
        successor = by_entrez.get(row["entrez_id"]) if row["entrez_id"] else None
        owners = prev_owners.get(symbol.upper(), [])
        if successor is None and len(owners) == 1:  # no Entrez id to match: HGNC's word
            successor = owners[0]
        if successor is None:
            withdrawn.append(row)
            continue
        renamed.append((symbol, successor["symbol"], row["entrez_id"]))
        prev = split(successor["prev_symbol"])
        if symbol not in prev:  # HGNC lists most renames; keep the rest findable too
            successor["prev_symbol"] = "|".join([*prev, symbol])

    genes = [{c: row.get(c, "") for c in GENE_COLUMNS} for row in current]
    genes += [
        {
            "symbol": row["symbol"],
            "name": "",
            "locus_group": "withdrawn",
            "alias_symbol": row["alias_symbol"],
            "prev_symbol": row["prev_symbol"],
            "entrez_id": row["entrez_id"],
        }
        for row in withdrawn
    ]
    write_tsv(out / "hgnc_genes.tsv", GENE_COLUMNS, genes)
    write_tsv(
        out / "renamed.tsv",
        ("old_symbol", "symbol", "entrez_id"),
        [dict(zip(("old_symbol", "symbol", "entrez_id"), r, strict=True)) for r in sorted(renamed)],
    )

    families = famplex_families(source / "famplex-0.0.5" / "relations.csv")
    today = {old_symbol.upper(): new for old_symbol, new, _ in renamed}
    for row in read_tsv(source / "famplex_families.tsv"):
        if row["family"] not in families:  # 2019 legacy families FamPlex no longer has
            families[row["family"]] = {today.get(m.upper(), m) for m in split(row["members"])}
    by_uniprot = {acc: row["symbol"] for row in current for acc in split(row["uniprot_ids"])}
    grounded = grounding(
        source / "famplex-0.0.5" / "grounding_map.csv",
        by_symbol,
        by_uniprot,
        {name for name, members in families.items() if members},
    )
    write_tsv(out / "grounding.tsv", ("text", "kind", "target"), grounded)
    write_tsv(
        out / "famplex_families.tsv",
        ("family", "members"),
        [
            {"family": name, "members": "|".join(sorted(members))}
            for name, members in sorted(families.items())
            if members
        ],
    )
    return {
        "genes": len(genes),
        "withdrawn kept": len(withdrawn),
        "renamed": len(renamed),
        "families": len(families),
        "grounded strings": len(grounded),
    }


def grounding(
    path: Path, by_symbol: dict, by_uniprot: dict[str, str], families: set[str]
) -> list[dict[str, str]]:
    """FamPlex's literature strings that name a family or one HGNC gene."""
    rows, seen = [], set()
    with open(path, encoding="utf-8", newline="") as handle:
        for text, *pairs in csv.reader(handle):
            text = text.strip()
            found = None
            for db, ident in zip(pairs[0::2], pairs[1::2], strict=False):
                if db == "FPLX" and ident in families:
                    found = ("family", ident)
                elif db == "HGNC" and ident.upper() in by_symbol:
                    found = ("gene", by_symbol[ident.upper()]["symbol"])
                elif db == "UP" and ident in by_uniprot:
                    found = ("gene", by_uniprot[ident])
                if found:
                    break
            if found and text and text.upper() not in seen:
                seen.add(text.upper())
                rows.append({"text": text, "kind": found[0], "target": found[1]})
    return rows


def famplex_families(relations: Path) -> dict[str, set[str]]:
    """Each FPLX family or complex with every HGNC gene under it (isa/partof, transitively)."""
    children: dict[str, set[tuple[str, str]]] = defaultdict(set)
    with open(relations, encoding="utf-8", newline="") as handle:
        for ns, name, _relation, parent_ns, parent in csv.reader(handle):
            if parent_ns == "FPLX" and ns in ("HGNC", "FPLX"):
                children[parent].add((ns, name))

    def members(family: str, seen: frozenset[str] = frozenset()) -> set[str]:
        found: set[str] = set()
        for ns, name in children.get(family, ()):
            if ns == "HGNC":
                found.add(name)
            elif name not in seen:
                found |= members(name, seen | {family})
        return found

    return {family: members(family) for family in children}


def write_tsv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    temp = path.with_suffix(".tmp")
    with open(temp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    temp.replace(path)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(build(Path(sys.argv[1])))
