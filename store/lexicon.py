"""The vendored HGNC and FamPlex lexicon: loading and symbol normalisation."""

import csv
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

LEXICON_DIR = Path(str(resources.files("store") / "lexicon"))
HGNC_FILE = LEXICON_DIR / "hgnc_genes.tsv"
FAMPLEX_FILE = LEXICON_DIR / "famplex_families.tsv"
SYNONYMS_FILE = LEXICON_DIR / "synonyms.tsv"
RENAMED_FILE = LEXICON_DIR / "renamed.tsv"
GROUNDING_FILE = LEXICON_DIR / "grounding.tsv"
_NUMBERED_NAME = re.compile(r"^(.+?)\s+(?:\d+[A-Za-z]?|[A-Z])$")  # "talin 1" -> "talin"
PROTEIN_CODING = "protein-coding gene"


@dataclass(frozen=True)
class Lexicon:
    """HGNC symbols, aliases, previous symbols and Entrez ids, plus FamPlex families."""

    symbols: dict[str, str]  # UPPER symbol -> symbol
    entrez: dict[str, str]  # Entrez id -> symbol
    symbol_entrez: dict[str, str]  # symbol -> Entrez id
    previous: dict[str, tuple[str, ...]]  # UPPER previous symbol -> current symbols
    aliases: dict[str, tuple[str, ...]]  # UPPER alias -> symbols
    families: dict[str, tuple[str, tuple[str, ...]]]  # UPPER family -> (name, members)
    version: str
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # curated, UPPER
    # symbol -> HGNC locus group, for the genes that are not protein-coding
    locus: dict[str, str] = field(default_factory=dict)
    # UPPER symbol of 2019 -> today's symbol, matched by Entrez id (store/lexicon/renamed.tsv)
    renamed: dict[str, str] = field(default_factory=dict)
    # UPPER full name -> symbols: HGNC's names of protein-coding genes ("talin 1"), the
    # shared stem of numbered names ("talin" -> TLN1, TLN2), and FamPlex's literature
    # strings that ground to one gene
    gene_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # UPPER literature string -> FamPlex family id ("IκB kinase" -> IKK_complex)
    family_names: dict[str, str] = field(default_factory=dict)
    normal: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # UPPER symbol, renamed symbol or unambiguous previous symbol -> approved symbol;
        # ingest looks up every gene of every record here, so it must be one dict lookup.
        self.normal.update({k: v[0] for k, v in self.previous.items() if len(v) == 1})
        self.normal.update(self.renamed)
        self.normal.update(self.symbols)

    def coding(self, symbol: str) -> bool:
        """Is this a protein-coding gene (the aliases of others never beat its aliases)?"""
        return symbol not in self.locus


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def _add(index: dict[str, list[str]], key: str, symbol: str) -> None:
    bucket = index.setdefault(key.upper(), [])
    if symbol not in bucket:
        bucket.append(symbol)


LEXICON_FILES = (HGNC_FILE, FAMPLEX_FILE, SYNONYMS_FILE, RENAMED_FILE, GROUNDING_FILE)


def lexicon_version(paths: Sequence[Path] = LEXICON_FILES) -> str:
    """The version of the lexicon files: a hash of their bytes (milliseconds, no parsing)."""
    digest = hashlib.sha1()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


def read_lexicon(
    hgnc_path: Path = HGNC_FILE,
    famplex_path: Path = FAMPLEX_FILE,
    synonyms_path: Path = SYNONYMS_FILE,
    renamed_path: Path = RENAMED_FILE,
    grounding_path: Path = GROUNDING_FILE,
) -> Lexicon:
    """Read the TSV files into a Lexicon."""
    symbols, entrez, symbol_entrez, locus = {}, {}, {}, {}
    gene_names: dict[str, list[str]] = {}
    previous: dict[str, list[str]] = {}
    aliases: dict[str, list[str]] = {}
    with open(hgnc_path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            symbol = row["symbol"].strip()
            symbols[symbol.upper()] = symbol
            group = (row.get("locus_group") or PROTEIN_CODING).strip()
            if group != PROTEIN_CODING:
                locus[symbol] = group
            elif name := (row.get("name") or "").strip():
                _add(gene_names, name, symbol)
                numbered = _NUMBERED_NAME.match(name)
                if numbered:
                    _add(gene_names, numbered.group(1), symbol)
            if row.get("entrez_id"):
                entrez[row["entrez_id"].strip()] = symbol
                symbol_entrez[symbol] = row["entrez_id"].strip()
            for old in _split(row.get("prev_symbol") or ""):
                _add(previous, old, symbol)
            for alias in _split(row.get("alias_symbol") or ""):
                _add(aliases, alias, symbol)
    families = {}
    with open(famplex_path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            name = row["family"].strip()
            families[name.upper()] = (name, tuple(sorted(_split(row["members"]))))
    synonyms: dict[str, list[str]] = {}
    with open(synonyms_path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            for symbol in _split(row["symbols"]):
                _add(synonyms, row["name"].strip(), symbol)
    family_names: dict[str, str] = {}
    if Path(grounding_path).exists():
        with open(grounding_path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                text = row["text"].strip()
                if row["kind"] == "family" and row["target"].upper() in families:
                    family_names.setdefault(text.upper(), row["target"])
                elif row["kind"] == "gene":
                    _add(gene_names, text, row["target"])
    renamed: dict[str, str] = {}
    if Path(renamed_path).exists():
        with open(renamed_path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                old, new = row["old_symbol"].strip().upper(), row["symbol"].strip()
                renamed[old] = new
                # The successor (same Entrez id) is the first reading of an old symbol
                # that HGNC lists as the previous symbol of several genes (MUM1, QARS).
                owners = previous.get(old, [])
                if new in owners:
                    owners.remove(new)
                previous[old] = [new, *owners]
    return Lexicon(
        symbols=symbols,
        entrez=entrez,
        symbol_entrez=symbol_entrez,
        previous={k: tuple(v) for k, v in previous.items()},
        aliases={k: tuple(v) for k, v in aliases.items()},
        families=families,
        version=lexicon_version(
            (hgnc_path, famplex_path, synonyms_path, renamed_path, grounding_path)
        ),
        synonyms={k: tuple(v) for k, v in synonyms.items()},
        locus=locus,
        renamed=renamed,
        gene_names={k: tuple(v) for k, v in gene_names.items()},
        family_names=family_names,
    )


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The vendored lexicon, read once per process."""
    return read_lexicon()
