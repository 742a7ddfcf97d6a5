"""Parse PFOCR `_figures/*.md` records (both front-matter generations) and their sidecars."""

import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

import yaml

from .errors import RecordError
from .lexicon import Lexicon

# libyaml's loader is several times faster; BaseLoader keeps every scalar a string,
# so 'On' stays 'On' and '2014' stays text.
_Loader: type[yaml.BaseLoader] | type[yaml.CBaseLoader] = getattr(
    yaml, "CBaseLoader", yaml.BaseLoader
)

NA_MARKERS = frozenset({"", ".na.character", "NA", "null", "~"})
GENERATION_CURRENT = "current"
GENERATION_LEGACY = "legacy"


class Evidence(NamedTuple):
    """How one gene was found in the image: the OCR word and the matching source."""

    symbol: str  # gene symbol as the source gives it (organism-specific)
    word: str | None
    source: str | None
    organism: str | None = None
    gene_id: str | None = None


class Gene(NamedTuple):  # NamedTuple, not dataclass: ingest makes millions of these
    """A gene as written in the record plus its HGNC symbol when the lexicon knows it."""

    written: str
    symbol: str | None

    @property
    def key(self) -> str:
        """The lookup key: the HGNC symbol, else the written form upper-cased."""
        return self.symbol or self.written.upper()


@dataclass(frozen=True)
class Record:
    """One figure and its genes, as read from a record file."""

    figid: str
    generation: str
    pmcid: str | None = None
    title: str | None = None
    caption: str | None = None
    paper_title: str | None = None
    reftext: str | None = None
    year: int | None = None
    doi: str | None = None
    journal: str | None = None
    filename: str | None = None
    figlink: str | None = None
    number: str | None = None
    score: float | None = None
    organisms: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    figtype: str | None = None  # PFOCR's 'Figure', 'Scheme', 'Graphical abstract', ...
    genes: tuple[Gene, ...] = ()
    evidence: tuple[Evidence, ...] = field(default=(), repr=False)


def split_front_matter(text: str) -> str:
    """Return the YAML between the opening and closing `---` lines."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise RecordError("no front matter: the file must start with a '---' line")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index])
    raise RecordError("front matter is not closed by a '---' line")


# The `schema-jsonld` block repeats the caption and holds the gene list: half of a record's
# YAML nodes. It is cut out before YAML sees the rest, and its keyword list is read
# directly when every item is a plain one-line scalar; anything else goes through YAML.
_JSONLD_BLOCK = re.compile(r"^schema-jsonld:[ \t]*\n((?:[ \t][^\n]*\n|[ \t]*\n)*)", re.M)
_KEYWORD_LIST = re.compile(r"^  keywords:[ \t]*\n((?:  - [^\n]*\n)*)", re.M)
_PLAIN_ITEMS = re.compile(r"(?:  - [A-Za-z0-9_.(](?:[^:#\t\n]*[^:#\t\n ])?\n)*")
_BLOCK_KEY = re.compile(r"  [^ \-#][^\n]*:(?: |\n)")


def _line_start(text: str, prefix: str) -> int:
    """Where the first line starting with `prefix` begins; len(text) if none does."""
    if text.startswith(prefix):
        return 0
    at = text.find("\n" + prefix)
    return at + 1 if at >= 0 else len(text)


def _plain_keywords(block: str) -> list[str] | None:
    """The keyword list of a schema-jsonld block, or None when it needs a real YAML parse."""
    if block.count("keywords") != 1:
        return None if "keywords" in block else []
    match = _KEYWORD_LIST.match(block, _line_start(block, "  keywords:"))
    if match is None or _PLAIN_ITEMS.fullmatch(match.group(1)) is None:
        return None
    after = match.end()
    if after < len(block) and not _BLOCK_KEY.match(block, after):
        return None
    items = [line[4:] for line in match.group(1).split("\n") if line]
    return items or None


_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*):(?: +(.*))?$")
_PLAIN_START = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`]")


def _is_plain_line(text: str) -> bool:
    # A '#' opening a continuation line starts a comment, as ' #' does anywhere.
    return (
        bool(text)
        and ": " not in text
        and " #" not in text
        and "\t" not in text
        and text[-1] != ":"
        and text[0] != "#"
    )


def _plain(lines: list[str]) -> str | None:
    """A plain (unquoted) scalar folded the way YAML does, or None if it isn't simple."""
    if not _PLAIN_START.match(lines[0]):
        return None
    parts = [line.strip() for line in lines]
    if not all(map(_is_plain_line, parts)):
        return None
    return " ".join(parts)


def _single_quoted(lines: list[str]) -> str | None:
    """A '...' scalar ('' escapes a quote) folded the way YAML does, or None if unusual."""
    raw = "\n".join(lines).rstrip()
    inner = raw[1:-1]
    if len(raw) < 2 or raw[-1] != "'" or "'" in inner.replace("''", ""):
        return None
    parts = inner.split("\n")
    if len(parts) > 1:  # folding trims whitespace around line breaks, nowhere else
        parts = [parts[0].rstrip(), *(p.strip() for p in parts[1:-1]), parts[-1].lstrip()]
        if not all(parts):
            return None
    return " ".join(parts).replace("''", "'")


# One top-level entry: `key: first line`, its indented continuation lines, then any
# `- item` lines. Entries must tile the text exactly, or YAML reads it instead.
_ENTRY = re.compile(r"([A-Za-z_][\w-]*):(?: +([^\n]*))?\n((?: [^\n]*\n)*)((?:- [^\n]*\n)*)")


def _flat_front_matter(text: str) -> dict | None:
    """The flat shape PFOCR writes (scalars and plain lists), read without YAML; else None."""
    data, position, size, match_at = {}, 0, len(text), _ENTRY.match
    while position < size:
        match = match_at(text, position)
        if match is None:
            return None
        key, first, more, items = match.groups()
        first = (first or "").rstrip()
        if key in data:
            return None
        value: object
        if items:
            if first or more:
                return None
            value = [_plain([line[2:]]) for line in items[:-1].split("\n")]
            if None in value:
                return None
        elif not first:
            if more:
                return None  # a nested mapping or indented list: leave it to YAML
            value = ""
        else:
            block = [first, *more[:-1].split("\n")] if more else [first]
            if first == "[]" and not more:
                value = []
            elif first[0] == "'":
                value = _single_quoted(block)
            else:
                value = _plain(block)
            if value is None:
                return None
        data[key] = value
        position = match.end()
    return data


def load_front_matter(front_matter: str) -> dict:
    """YAML front matter as a dict of strings, lists and dicts (everything a string)."""
    if not front_matter.endswith("\n"):
        front_matter += "\n"
    # Only the first `schema-jsonld:` line is tried; anything unusual goes to YAML anyway.
    match = _JSONLD_BLOCK.match(front_matter, _line_start(front_matter, "schema-jsonld:"))
    # A `- item` right after the block would be its value (YAML allows that unindented).
    if match and not front_matter.startswith("-", match.end()):
        keywords = _plain_keywords(match.group(1))
        if keywords is not None:
            rest = front_matter[: match.start()] + front_matter[match.end() :]
            data = _flat_front_matter(rest)
            if data is None:
                try:
                    data = yaml.load(rest, Loader=_Loader)
                except yaml.YAMLError:  # the cut fell inside a quoted scalar: read it whole
                    data = None
            if isinstance(data, dict) and "schema-jsonld" not in data:
                data["schema-jsonld"] = {"keywords": keywords}
                return data
    return yaml.load(front_matter, Loader=_Loader)


def na(value: Any) -> Any:
    """A scalar with PFOCR's NA markers mapped to None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return None if value in NA_MARKERS else value
    raise RecordError(f"expected text, got a {type(value).__name__}")


def _text(data: dict, key: str) -> str | None:
    try:
        return na(data.get(key))
    except RecordError as error:
        raise RecordError(f"field '{key}': {error}") from None


def _text_list(value: object, key: str) -> tuple[str, ...]:
    """A list of strings with NA entries dropped and duplicates removed, order kept."""
    if value is None or isinstance(value, str):
        items = [value]
    elif isinstance(value, list):
        items = value
    else:
        raise RecordError(f"field '{key}' must be a list or text, got a {type(value).__name__}")
    try:  # every item is text: the common case, done without a Python-level loop
        kept = dict.fromkeys(map(str.strip, items))  # type: ignore[arg-type]  # None: TypeError
    except TypeError:
        if not all(item is None or isinstance(item, str) for item in items):
            raise RecordError(f"field '{key}' must hold plain text items") from None
        kept = dict.fromkeys(item.strip() for item in items if item is not None)
    for marker in NA_MARKERS:
        kept.pop(marker, None)
    return tuple(kept)


def _year(value: object) -> int | None:
    text = na(value) if not isinstance(value, (list, dict)) else value
    if text is None:
        return None
    if isinstance(text, str) and text.isdigit() and len(text) == 4:
        return int(text)
    raise RecordError(f"field 'year' must be a four-digit year, got {text!r}")


def _score(data: dict) -> float | None:
    for key in ("automl_pathway", "pathway_score"):
        value = data.get(key)
        if isinstance(value, (list, dict)):
            raise RecordError(f"field '{key}' must be a number")
        value = na(value)
        if value is not None:
            try:
                return float(value)
            except ValueError:
                raise RecordError(f"field '{key}' must be a number, got {value!r}") from None
    return None


def _keywords(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        value = "|".join(str(v) for v in value if isinstance(v, str))
    text = na(value) if not isinstance(value, dict) else None
    if not text:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in text.split("|") if na(p.strip())))


def _legacy_genes(value: object) -> tuple[list[str], list[Evidence]]:
    if value is None or value == "":
        return [], []
    if not isinstance(value, list):
        raise RecordError("field 'genes' must be a list")
    written, evidence = [], []
    for item in value:
        if not isinstance(item, dict):
            raise RecordError("field 'genes' must be a list of mappings")
        symbol = na(item.get("hgnc_symbol")) or na(item.get("symbol"))
        if symbol is None:
            continue
        written.append(symbol)
        evidence.append(
            Evidence(
                symbol,
                na(item.get("word")),
                na(item.get("source")),
                "Homo sapiens",
                na(item.get("entrez")),
            )
        )
    return written, evidence


def _words(value: object) -> set[str]:
    if not isinstance(value, list):
        return set()
    return {w for item in value if isinstance(item, dict) and (w := na(item.get("word")))}


def read_gene_sidecar(text: str) -> tuple[Evidence, ...]:
    """Rows of a PFOCR `-genes.tsv` sidecar; 'NA' is a real symbol here, not a missing value."""
    # PFOCR writes these without quoting, so a quote in an OCR word is just a character.
    lines = text.split("\n")
    if "\r" in text:
        lines = [line.rstrip("\r") for line in lines]
    header = lines[0].split("\t")
    if "ncbigene_symbol" not in header:
        raise RecordError("genes sidecar has no 'ncbigene_symbol' column")
    # Rows are padded and get one empty cell appended, which absent columns (-1) read.
    columns = [
        header.index(c) if c in header else -1
        for c in ("ncbigene_symbol", "word", "source", "organism_name", "ncbigene_id")
    ]
    pick, top = itemgetter(*columns), max(columns)
    padding = [""] * (top + 1)
    evidence = []
    for line in lines[1:]:
        row = line.split("\t")
        if len(row) <= top:
            row += padding
        row.append("")
        symbol, word, source, organism, gene_id = pick(row)
        if symbol := symbol.strip():
            evidence.append(
                Evidence(symbol, word or None, source or None, organism or None, gene_id or None)
            )
    return tuple(dict.fromkeys(evidence))


def read_chemical_sidecar(text: str) -> set[str]:
    """The OCR words a `-chemicals.tsv` sidecar identified as chemicals."""
    lines = text.split("\n")
    header = lines[0].rstrip("\r").split("\t")
    if "word" not in header:
        raise RecordError("chemicals sidecar has no 'word' column")
    column = header.index("word")
    return {
        row[column].strip()
        for line in lines[1:]
        if len(row := line.rstrip("\r").split("\t")) > column and row[column].strip()
    }


def link_genes(
    written: list[str], evidence: Sequence[Evidence], lexicon: Lexicon
) -> tuple[Gene, ...]:
    """Each gene as written, with today's approved symbol: by the sidecar's Entrez id for
    that symbol when it has one (renames never change it), else by symbol, previous
    symbol or mouse symbol. This runs for every gene of every record: dict look-ups only."""
    hgnc = lexicon.normal.get
    ids = {e.symbol.upper(): e.gene_id for e in evidence if e.gene_id}
    if not ids:
        return tuple(map(Gene, written, map(hgnc, map(str.upper, written))))
    entrez = lexicon.entrez.get
    return tuple(
        Gene(w, entrez(ids.get(upper, "")) or hgnc(upper))
        for w, upper in zip(written, map(str.upper, written), strict=True)
    )


def evidence_symbol(symbol: str, gene_id: str | None, lexicon: Lexicon) -> str:
    """The look-up symbol of one evidence row: by Entrez id, else by symbol."""
    upper = symbol.upper()
    return (gene_id and lexicon.entrez.get(gene_id)) or lexicon.normal.get(upper) or upper


def parse_record(
    text: str, lexicon: Lexicon, gene_tsv: str | None = None, chemical_tsv: str | None = None
) -> Record:
    """Parse one record's text (plus optional sidecar texts) into a Record."""
    try:
        data = load_front_matter(split_front_matter(text))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise RecordError(f"broken YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise RecordError("front matter is not a mapping of fields")
    figid = _text(data, "figid")
    if not figid:
        raise RecordError("missing 'figid'")
    legacy = "genes" in data or "pathway_score" in data
    jsonld = data.get("schema-jsonld")
    jsonld = jsonld if isinstance(jsonld, dict) else {}
    evidence: list[Evidence] = []
    if legacy:
        written, evidence = _legacy_genes(data.get("genes"))
        chemicals = _words(data.get("chemicals"))
    else:
        written = list(_text_list(jsonld.get("keywords"), "schema-jsonld.keywords"))
        chemicals = read_chemical_sidecar(chemical_tsv) if chemical_tsv else set()
    if gene_tsv:
        evidence = list(read_gene_sidecar(gene_tsv))
    unique = (
        [w for w in dict.fromkeys(written) if w not in chemicals]
        if chemicals
        else list(dict.fromkeys(written))
    )
    genes = link_genes(unique, evidence, lexicon)
    return Record(
        figid=figid,
        generation=GENERATION_LEGACY if legacy else GENERATION_CURRENT,
        pmcid=_text(data, "pmcid"),
        title=_text(data, "figtitle"),
        caption=_text(data, "caption"),
        paper_title=_text(data, "papertitle"),
        reftext=_text(data, "reftext"),
        year=_year(data.get("year")),
        doi=_text(data, "doi"),
        journal=_text(data, "journal_title"),
        filename=_text(data, "filename"),
        figlink=_text(data, "figlink"),
        number=_text(data, "number"),
        score=_score(data),
        organisms=_text_list(data.get("organisms"), "organisms"),
        keywords=_keywords(data.get("keywords")),
        figtype=_text(data, "figtype"),
        genes=genes,
        evidence=tuple(evidence),
    )


def sidecar_paths(record_path: str, kind: str = "genes") -> list[str]:
    """Where a record's `-genes.tsv` (or `-chemicals.tsv`) sidecar may live, first hit wins."""
    folder, name = os.path.split(record_path)
    name = f"{name[:-3] if name.endswith('.md') else name}-{kind}.tsv"
    return [os.path.join(folder, name), os.path.join(os.path.dirname(folder), "_data", name)]


MB = 1024 * 1024
MAX_RECORD_BYTES = 5 * MB  # PFOCR's largest records are ~100 KB
MAX_SIDECAR_BYTES = 20 * MB
_SPECIAL = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def inside(path: str, tree: str | None) -> bool:
    """Does `path`, with every symlink followed, stay inside the folder `tree`?"""
    if tree is None:
        return True
    real = os.path.realpath(path)
    return real == tree or real.startswith(tree.rstrip(os.sep) + os.sep)


def read_regular(path: str, limit: int, tree: str | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes inside `tree`; else RecordError.

    Opened non-blocking, so a FIFO cannot hang us, and checked with fstat on the open file,
    so /dev/zero (or a symlink to it) is refused before a byte is read.
    """
    if not os.path.lexists(path):
        raise FileNotFoundError(path)
    if not inside(path, tree):
        raise RecordError(
            f"is a symlink to {os.path.realpath(path)}, outside the folder being ingested; skipped"
        )
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _SPECIAL if test(info.st_mode)), "not a file")
            raise RecordError(f"is {kind}, not a regular file; skipped")
        if info.st_size > limit:
            raise RecordError(
                f"is {info.st_size / MB:.1f} MB, over the {limit // MB} MB limit; skipped"
            )
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while we read it
        raise RecordError(f"is over the {limit // MB} MB limit; skipped")
    return data


def read_sidecar(
    record_path: str | os.PathLike,
    kind: str = "genes",
    listing: Callable[[str], frozenset[str]] | None = None,
    tree: str | None = None,
) -> bytes | None:
    """The raw bytes of a record's sidecar, or None when it has none.

    `listing(folder)` may return the set of names in a folder, so a big ingest
    checks a cached directory listing instead of failing to open two files per record.
    A sidecar that is not a regular file, leaves `tree` or is too big raises RecordError.
    """
    for candidate in sidecar_paths(str(record_path), kind):
        folder, name = os.path.split(candidate)
        if listing is not None and name not in listing(folder):
            continue
        try:
            return read_regular(candidate, MAX_SIDECAR_BYTES, tree)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except RecordError as error:
            raise RecordError(f"its {kind} sidecar {name} {error}") from None
    return None
