"""The vendored HGNC and FamPlex lexicon: loading and symbol normalisation."""

import csv
import hashlib
import re
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

LEXICON_DIR = Path(str(resources.files("store") / "lexicon"))
HGNC_FILE = LEXICON_DIR / "hgnc_genes.tsv"
FAMPLEX_FILE = LEXICON_DIR / "famplex_families.tsv"
SYNONYMS_FILE = LEXICON_DIR / "synonyms.tsv"
RENAMED_FILE = LEXICON_DIR / "renamed.tsv"
GROUNDING_FILE = LEXICON_DIR / "grounding.tsv"
NOT_GENES_FILE = LEXICON_DIR / "not_genes.tsv"
MOUSE_FILE = LEXICON_DIR / "mouse_orthologs.tsv"
_NUMBERED_NAME = re.compile(r"^(.+?)\s+(?:\d+[A-Za-z]?|[A-Z])$")  # "talin 1" -> "talin"
PROTEIN_CODING = "protein-coding gene"
PARTIAL_NAME_MAX_GENES = 3  # a part of a name shared by more genes names none of them
_PARTIAL_MIN_CHARS = 6
HEAD_NAME_MAX_GENES = 12
# What follows a name that is about something else: 'thyroid stimulating hormone receptor'
# is not a name of the hormone, 'MHC class I polypeptide-related sequence A' not of MHC I.
_ABOUT_ANOTHER = re.compile(
    r"^(?:receptors?|binding|inhibitors?|interacting|regulators?|activators?|associated|"
    r"like|related|induced|responsive|antagonists?|agonists?|[\w-]*-(?:related|like|"
    r"associated|interacting|binding|induced))$",
    re.IGNORECASE,
)
_NUMBER_WORD = re.compile(r"^(?:\d+[A-Za-z]?|[A-Z]|[IVX]+|alpha|beta|gamma|delta)$")
# One word names a protein when it is one: 'hepcidin', 'granulin', 'agmatinase'; never an
# adjective, a metabolite or a process ('highly', 'fumarate', 'inflammation').
_PROTEIN_WORD = re.compile(r"[A-Za-z]+(?:in|ase)", re.IGNORECASE)
_PLURAL_NAME = re.compile(r"[a-z]{3}[^s]s$")
_WORD_SPLIT = re.compile(r"[\s,/]+")
# A part of a name ending in one of these words is not a name ("protein kinase C
# binding", "zinc finger"): the words that only qualify what comes next.
_DANGLING = frozenset(
    [
        "of",
        "and",
        "or",
        "the",
        "to",
        "with",
        "in",
        "by",
        "for",
        "from",
        "domain",
        "containing",
        "family",
        "member",
        "subunit",
        "type",
        "class",
        "like",
        "associated",
        "related",
        "binding",
        "dependent",
        "interacting",
        "regulatory",
        "zinc",
        "finger",
        "protein",
    ]
)


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
    full_names: dict[str, str] = field(default_factory=dict)  # symbol -> HGNC name
    # curated metabolites, ions, reporters and cell types that collide with gene names:
    # text as written ('NO', 'Mg2+', 'iPSCs') -> what it is ('nitric oxide')
    not_genes: dict[str, str] = field(default_factory=dict)
    # mouse symbol as written -> the human gene it reads as (HCOP): Trp53 -> TP53
    mouse: dict[str, str] = field(default_factory=dict)
    normal: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # UPPER symbol, renamed symbol or unambiguous previous symbol -> approved symbol;
        # ingest looks up every gene of every record here, so it must be one dict lookup.
        self.normal.update({k: v[0] for k, v in self.previous.items() if len(v) == 1})
        self.normal.update(self.renamed)
        self.normal.update(self.symbols)
        for mouse, human in self.mouse.items():  # Trp53 in a mouse figure is TP53
            self.normal.setdefault(mouse.upper(), human)

    @cached_property
    def partial_names(self) -> dict[str, tuple[str, ...]]:
        """UPPER leading words of a protein-coding gene's HGNC name that few genes share:
        'hepcidin' (hepcidin antimicrobial peptide), 'mechanistic target of rapamycin'.
        Only the name index needs them (built once per lexicon version), so ingest never
        pays for them."""
        return partial_names(_name_pairs(self), self.gene_names)

    @cached_property
    def head_names(self) -> dict[str, tuple[str, ...]]:
        """UPPER head noun shared by a few protein-coding genes' names -> those genes, a
        group ('lipoxygenase': ALOX5, ALOX12, ...; 'kindlin'), and the head noun with its
        number, one gene ('kindlin 2': FERM domain containing kindlin 2)."""
        return head_names(_name_pairs(self), self.gene_names)

    def coding(self, symbol: str) -> bool:
        """Is this a protein-coding gene (the aliases of others never beat its aliases)?"""
        return symbol not in self.locus


def _name_pairs(lexicon: Lexicon) -> list[tuple[str, str]]:
    return [(name, symbol) for symbol, name in lexicon.full_names.items()]


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def _add(index: dict[str, list[str]], key: str, symbol: str) -> None:
    bucket = index.setdefault(key.upper(), [])
    if symbol not in bucket:
        bucket.append(symbol)


LEXICON_FILES = (
    HGNC_FILE,
    FAMPLEX_FILE,
    SYNONYMS_FILE,
    RENAMED_FILE,
    GROUNDING_FILE,
    NOT_GENES_FILE,
    MOUSE_FILE,
)


def lexicon_version(paths: Sequence[Path] = LEXICON_FILES) -> str:
    """The version of the lexicon files: a hash of their bytes (milliseconds, no parsing)."""
    digest = hashlib.sha1()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


def installed_lexicon(db_path: Path) -> Path:
    """The lexicon folder a database uses: the one `pathway-bot lexicon update` installed
    beside it (`<db>.lexicon/current` names it), else the one vendored in the package."""
    pointer = lexicon_home(db_path) / "current"
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        return LEXICON_DIR
    folder = pointer.parent / name
    return folder if name and (folder / HGNC_FILE.name).is_file() else LEXICON_DIR


def lexicon_home(db_path: Path) -> Path:
    """Where updated lexicons of a database live: `<db>.lexicon/`."""
    return Path(f"{db_path}.lexicon")


def lexicon_files(folder: Path = LEXICON_DIR) -> tuple[Path, ...]:
    """The lexicon's files in `folder`, in LEXICON_FILES order."""
    return tuple(Path(folder) / path.name for path in LEXICON_FILES)


def read_lexicon(folder: Path = LEXICON_DIR) -> Lexicon:
    """Read the TSV files of `folder` into a Lexicon."""
    (
        hgnc_path,
        famplex_path,
        synonyms_path,
        renamed_path,
        grounding_path,
        not_genes_path,
        mouse_path,
    ) = lexicon_files(folder)
    symbols, entrez, symbol_entrez, locus = {}, {}, {}, {}
    gene_names: dict[str, list[str]] = {}
    previous: dict[str, list[str]] = {}
    aliases: dict[str, list[str]] = {}
    names_of_coding: list[tuple[str, str]] = []
    comma_parts: dict[str, list[str]] = {}
    with open(hgnc_path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            symbol = row["symbol"].strip()
            symbols[symbol.upper()] = symbol
            group = (row.get("locus_group") or PROTEIN_CODING).strip()
            if group != PROTEIN_CODING:
                locus[symbol] = group
            elif name := (row.get("name") or "").strip():
                names_of_coding.append((name, symbol))
                _add(gene_names, name, symbol)
                first, *others = name.split(", ")
                numbered = _NUMBERED_NAME.match(first)
                if numbered:  # 'talin 1' -> 'talin'; 'phosphoenolpyruvate carboxykinase'
                    _add(gene_names, numbered.group(1), symbol)
                for part in [first, *others] if others else ():
                    _add(comma_parts, part, symbol)  # 'coagulation factor III, tissue factor'

            if row.get("entrez_id"):
                entrez[row["entrez_id"].strip()] = symbol
                symbol_entrez[symbol] = row["entrez_id"].strip()
            for old in _split(row.get("prev_symbol") or ""):
                _add(previous, old, symbol)
            for alias in _split(row.get("alias_symbol") or ""):
                _add(aliases, alias, symbol)
    for part, owners in comma_parts.items():  # 'tissue factor' yes, 'mitochondrial' no
        if (
            len(owners) <= PARTIAL_NAME_MAX_GENES
            and len(part) >= _PARTIAL_MIN_CHARS
            and (" " in part or _PROTEIN_WORD.fullmatch(part))  # not 'nuclear'
        ):
            for symbol in owners:
                _add(gene_names, part, symbol)
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
                    if _PLURAL_NAME.search(text):  # 'RIG-I like receptors': one too
                        family_names.setdefault(text[:-1].upper(), row["target"])
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
    not_genes: dict[str, str] = {}
    if Path(not_genes_path).exists():
        with open(not_genes_path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                not_genes[row["text"].strip()] = row["what"].strip()
    mouse: dict[str, str] = {}
    if Path(mouse_path).exists():
        with open(mouse_path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                human = renamed.get(row["human_symbol"].upper(), row["human_symbol"])
                mouse[row["mouse_symbol"].strip()] = human
    return Lexicon(
        mouse=mouse,
        not_genes=not_genes,
        full_names={symbol: name for name, symbol in names_of_coding},
        symbols=symbols,
        entrez=entrez,
        symbol_entrez=symbol_entrez,
        previous={k: tuple(v) for k, v in previous.items()},
        aliases={k: tuple(v) for k, v in aliases.items()},
        families=families,
        version=lexicon_version(lexicon_files(folder)),
        synonyms={k: tuple(v) for k, v in synonyms.items()},
        locus=locus,
        renamed=renamed,
        gene_names={k: tuple(v) for k, v in gene_names.items()},
        family_names=family_names,
    )


def leading_parts(name: str) -> list[str]:
    """The leading words of an HGNC name that could name the gene on their own:
    'hepcidin antimicrobial peptide' -> 'hepcidin', 'hepcidin antimicrobial'."""
    words = name.split(", ")[0].split()
    found = [
        " ".join(words[:end])
        for end in range(1, len(words))
        if not _ABOUT_ANOTHER.match(words[end])
    ]
    return [
        part
        for part in found
        if len(part) >= _PARTIAL_MIN_CHARS
        and part.split()[-1].lower() not in _DANGLING
        and (" " in part or bool(_PROTEIN_WORD.fullmatch(part)))
    ]


def head_names(names: list[tuple[str, str]], full: Container[str]) -> dict[str, tuple[str, ...]]:
    """Head nouns of names (the last word before a number), as a group when a few genes
    share one ('lipoxygenase', 'kindlin'), and with the number as one gene ('kindlin 2')."""
    heads: dict[str, list[str]] = {}
    numbered: dict[str, list[str]] = {}
    for name, symbol in names:
        words = name.split(", ")[0].split()
        end = len(words)
        while end > 1 and (
            _NUMBER_WORD.match(words[end - 1])
            or (words[end - 1] == "type" and end < len(words))  # 15-lipoxygenase type B
        ):
            end -= 1
        head = words[end - 1].split("-")[-1] if end > 1 or len(words) > 1 else ""
        if not head or not _PROTEIN_WORD.fullmatch(head) or len(head) < _PARTIAL_MIN_CHARS:
            continue
        _add(heads, head, symbol)
        if end < len(words):
            _add(numbered, " ".join([head, *words[end:]]), symbol)
    found = {
        key: tuple(symbols)
        for key, symbols in heads.items()
        if len(symbols) <= HEAD_NAME_MAX_GENES and key not in full
    }
    found.update(
        (key, tuple(symbols))
        for key, symbols in numbered.items()
        if len(symbols) == 1
        and key not in full
        and 0 < len(heads.get(key.split()[0], [])) <= HEAD_NAME_MAX_GENES
    )
    return found


def partial_names(names: list[tuple[str, str]], full: Container[str]) -> dict[str, tuple[str, ...]]:
    """Leading parts of names (leading_parts) that are not a full name and that occur, as
    whole words anywhere in a name, in at most PARTIAL_NAME_MAX_GENES genes: 'hepcidin'
    is HAMP, while 'cancer' (cancer antigen 1, breast cancer anti-estrogen resistance 1,
    ...) names no gene."""
    found: dict[str, list[str]] = {}
    for name, symbol in names:
        for part in leading_parts(name):
            if part.upper() not in full:
                _add(found, part, symbol)
    if not found:
        return {}
    longest = max(len(key.split()) for key in found)
    anywhere: dict[str, set[str]] = {}
    for name, symbol in names:
        words = _WORD_SPLIT.split(name.upper())
        for size in range(1, longest + 1):
            for start in range(len(words) - size + 1):
                key = " ".join(words[start : start + size])
                if key in found:
                    anywhere.setdefault(key, set()).add(symbol)
    return {
        key: tuple(symbols)
        for key, symbols in found.items()
        # one word must be one gene's own ('hepcidin'), not shared ('breast', 'cancer')
        if len(anywhere.get(key, ())) <= (PARTIAL_NAME_MAX_GENES if " " in key else 1)
    }


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The vendored lexicon, read once per process."""
    return read_lexicon()
