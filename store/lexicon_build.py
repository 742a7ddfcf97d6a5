"""Deriving the lexicon's files (store/lexicon/*.tsv) from HGNC's, FamPlex's and HCOP's
published files: shared by `scripts/build_lexicon.py` (vendoring) and
`pathway-bot lexicon update` (refreshing an installed bot).

A derivation always starts from the lexicon in use (`previous`), so nothing that resolved
before stops resolving: a symbol HGNC has since renamed reads as its successor (same
Entrez id), one withdrawn without a successor is kept, and families FamPlex no longer has
under their old names (NFKB, WNT, Frizzled) stay. Our own curated files (synonyms,
non-genes) and the mouse orthologs are carried over unless new ones are given.
"""

from __future__ import annotations

import csv
import gzip
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import LexiconError

GENE_COLUMNS = ("symbol", "name", "locus_group", "alias_symbol", "prev_symbol", "entrez_id")
HGNC_REQUIRED = (*GENE_COLUMNS, "uniprot_ids")
FAMPLEX_FILES = ("relations.csv", "grounding_map.csv")
CARRIED_OVER = ("synonyms.tsv", "not_genes.tsv", "SOURCES.md")
# A download smaller than this is not HGNC's complete set (44,997 approved genes in 2026)
HGNC_MIN_GENES = 40_000
FAMPLEX_MIN_RELATIONS = 1_000
FAMPLEX_MIN_GROUNDINGS = 1_000
# Genes any lexicon must have: a truncated or foreign file fails here, not in a query
HGNC_SENTINELS = ("TP53", "KRAS", "EGFR", "AKT1", "MAPK1", "STING1")


@dataclass(frozen=True)
class Sources:
    """The published files one derivation reads."""

    hgnc: Path  # HGNC complete set, .txt/.tsv or .gz
    famplex: Path  # a folder with relations.csv and grounding_map.csv
    previous: Path  # the lexicon folder in use (or the 2019 tables, for the first build)
    hcop: Path | None = None  # mouse_symbol, human_symbol, sources (HCOP); else carried


def read_tsv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle, delimiter="\t"))
    except (OSError, UnicodeDecodeError, EOFError, csv.Error) as error:
        raise LexiconError(f"{path.name} is not a readable tab-separated file ({error})") from None


def split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def validate_hgnc(rows: list[dict[str, str]], name: str = "HGNC file") -> list[dict[str, str]]:
    """HGNC's complete set, or a LexiconError saying what is wrong with it."""
    if not rows:
        raise LexiconError(f"{name} has no rows")
    missing = [column for column in HGNC_REQUIRED if column not in rows[0]]
    if missing:
        raise LexiconError(f"{name} lacks HGNC's column(s) {', '.join(missing)}")
    approved = [row for row in rows if row.get("status", "Approved") == "Approved"]
    if len(approved) < HGNC_MIN_GENES:
        raise LexiconError(
            f"{name} has {len(approved):,} approved genes, fewer than the {HGNC_MIN_GENES:,} "
            "of HGNC's complete set: a partial download?"
        )
    symbols = {row["symbol"] for row in approved}
    absent = [symbol for symbol in HGNC_SENTINELS if symbol not in symbols]
    if absent:
        raise LexiconError(f"{name} has no {', '.join(absent)}: not HGNC's human gene set")
    return approved


def validate_famplex(folder: Path) -> None:
    """FamPlex's relations and grounding map, or a LexiconError."""
    for file, minimum, width in (
        ("relations.csv", FAMPLEX_MIN_RELATIONS, 5),
        ("grounding_map.csv", FAMPLEX_MIN_GROUNDINGS, 3),
    ):
        path = folder / file
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                rows = [row for row in csv.reader(handle) if row]
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise LexiconError(f"FamPlex {file} is not readable ({error})") from None
        if len(rows) < minimum or any(len(row) < width for row in rows):
            raise LexiconError(
                f"FamPlex {file} has {len(rows):,} rows (at least {minimum:,} of {width} "
                "columns expected): a partial download?"
            )


def derive(sources: Sources, out: Path) -> dict[str, int]:
    """Write the lexicon's files into `out` (which must exist) and return their counts."""
    current = validate_hgnc(read_tsv(sources.hgnc), sources.hgnc.name)
    validate_famplex(sources.famplex)
    old = read_tsv(sources.previous / "hgnc_genes.tsv")
    old_renamed = (
        read_tsv(sources.previous / "renamed.tsv")
        if (sources.previous / "renamed.tsv").exists()
        else []
    )
    by_symbol = {row["symbol"].upper(): row for row in current}
    by_entrez = {row["entrez_id"]: row for row in current if row["entrez_id"]}
    prev_owners: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in current:
        for prev in split(row["prev_symbol"]):
            prev_owners[prev.upper()].append(row)

    # Symbols in use that are no longer approved: their successor shares the Entrez id.
    renamed, withdrawn = [], []
    earlier = [
        {
            "symbol": r["old_symbol"],
            "entrez_id": r["entrez_id"],
            "alias_symbol": "",
            "prev_symbol": "",
        }
        for r in old_renamed
    ]
    for row in [*old, *earlier]:
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
        listed = split(successor["prev_symbol"])
        if symbol not in listed:  # HGNC lists most renames; keep the rest findable too
            successor["prev_symbol"] = "|".join([*listed, symbol])
    renamed = sorted(set(renamed))
    withdrawn = list({row["symbol"]: row for row in withdrawn}.values())

    genes = [{c: row.get(c, "") for c in GENE_COLUMNS} for row in current]
    genes += [
        {
            "symbol": row["symbol"],
            "name": "",
            "locus_group": "withdrawn",
            "alias_symbol": row.get("alias_symbol", ""),
            "prev_symbol": row.get("prev_symbol", ""),
            "entrez_id": row.get("entrez_id", ""),
        }
        for row in withdrawn
    ]
    write_tsv(out / "hgnc_genes.tsv", GENE_COLUMNS, genes)
    write_tsv(
        out / "renamed.tsv",
        ("old_symbol", "symbol", "entrez_id"),
        [dict(zip(("old_symbol", "symbol", "entrez_id"), r, strict=True)) for r in renamed],
    )

    families = famplex_families(sources.famplex / "relations.csv")
    today = {old_symbol.upper(): new for old_symbol, new, _ in renamed}
    for row in read_tsv(sources.previous / "famplex_families.tsv"):
        if row["family"] not in families:  # legacy families FamPlex no longer has
            families[row["family"]] = {today.get(m.upper(), m) for m in split(row["members"])}
    by_uniprot = {acc: row["symbol"] for row in current for acc in split(row["uniprot_ids"])}
    grounded = grounding(
        sources.famplex / "grounding_map.csv",
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
    if sources.hcop is not None:
        orthologs = mouse_orthologs(read_tsv(sources.hcop), by_symbol, today)
    else:
        orthologs = [
            {**row, "human_symbol": today.get(row["human_symbol"].upper(), row["human_symbol"])}
            for row in read_tsv(sources.previous / "mouse_orthologs.tsv")
        ]
    write_tsv(out / "mouse_orthologs.tsv", ("mouse_symbol", "human_symbol", "sources"), orthologs)
    for name in CARRIED_OVER:
        if (sources.previous / name).exists() and not (out / name).exists():
            shutil.copyfile(sources.previous / name, out / name)
    return {
        "genes": len(genes),
        "withdrawn kept": len(withdrawn),
        "renamed": len(renamed),
        "families": len(families),
        "grounded strings": len(grounded),
        "mouse orthologs": len(orthologs),
    }


def mouse_orthologs(
    rows: Iterable[dict[str, str]], by_symbol: dict, renamed: dict[str, str]
) -> list[dict[str, str]]:
    """One human reading per mouse symbol: the human gene of the same symbol when HCOP
    pairs them (Cxcl1 is CXCL1, though CXCL2 has more support), else the best-supported
    ortholog (Trp53 -> TP53, 12 of HCOP's resources), never a tie."""
    pairs: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in rows:
        human = renamed.get(row["human_symbol"].upper(), row["human_symbol"])
        if human.upper() in by_symbol:
            pairs[row["mouse_symbol"]].append((int(row["sources"] or 0), human))
    chosen = []
    for mouse, candidates in sorted(pairs.items()):
        same = [(n, h) for n, h in candidates if h.upper() == mouse.upper()]
        ranked = sorted(same or candidates, reverse=True)
        if len(ranked) > 1 and ranked[0][0] == ranked[1][0] and not same:
            continue  # a tie: no best-supported ortholog to read it as
        support, human = ranked[0]
        chosen.append({"mouse_symbol": mouse, "human_symbol": human, "sources": str(support)})
    return chosen


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
        for row in csv.reader(handle):
            if len(row) < 5:
                continue
            ns, name, _relation, parent_ns, parent = row[:5]
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
        writer = csv.DictWriter(
            handle, columns, delimiter="\t", lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
    temp.replace(path)
