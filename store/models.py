"""Domain objects the store hands to the CLI and the Slack renderers."""

from dataclasses import asdict, dataclass, field
from enum import StrEnum

from .filters import Filters
from .links import DEFAULT_IMAGE_URL_TEMPLATE, image_url, pfocr_url

KIND_GENE = "gene"
KIND_FAMILY = "family"
KIND_AMBIGUOUS = "ambiguous"
KIND_NONE = "none"


class Mode(StrEnum):
    """What kind of answer a query got (a str, so JSON and comparisons read as before)."""

    GENES = "genes"  # figures for resolved genes and families
    FIGURE = "figure"  # one figure, or every figure of a paper
    SEARCH = "search"  # full-text matches
    NONE = "none"  # nothing to show; the message says why


@dataclass(frozen=True)
class Resolution:
    """What one query term was understood as."""

    input: str
    kind: str
    symbols: tuple[str, ...] = ()
    label: str = ""  # how to show it: "KRAS", "NF-κB family"
    note: str = ""  # why: "previous symbol of CDK1", "corrected from KRSA"
    corrected: bool = False  # resolved by fuzzy match, so the answer must say so
    name: str = ""  # short display name of a group: "NF-κB family", "ERK1/2"
    not_gene: str = ""  # what a curated non-gene is: "nitric oxide" for NO

    @property
    def title(self) -> str:
        """The short name to show: the group's name, else the label."""
        return self.name or self.label

    @property
    def resolved(self) -> bool:
        return self.kind in (KIND_GENE, KIND_FAMILY)


@dataclass(frozen=True)
class Reading:
    """How the resolver read a whole query."""

    resolutions: tuple[Resolution, ...]
    suggestions: tuple[str, ...] = ()  # did-you-mean symbols for typos
    words: tuple[str, ...] = ()  # words read as text, not genes: 'lung cancer'


@dataclass(frozen=True)
class FigureHit:
    """One figure in an answer, with which query genes it matched."""

    figid: str
    title: str | None
    year: int | None
    pmcid: str | None
    paper_title: str | None
    reftext: str | None
    caption: str | None
    doi: str | None
    filename: str | None
    gene_count: int
    genes: tuple[str, ...] = ()  # every gene symbol of the figure, in record order
    matched: tuple[str, ...] = ()
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # symbol -> OCR words
    # matched symbol -> how the image matched it: 'symbol', 'synonym', 'another species'
    evidence: dict[str, str] = field(default_factory=dict)
    organisms: tuple[str, ...] = ()  # the record's, when it says (many say NA)
    figtype: str | None = None  # 'Figure', 'Scheme', 'Graphical abstract', ...
    # the stretch of text a search matched, as (text, marked) pieces
    snippet: tuple[tuple[str, bool], ...] = ()
    id: int = field(default=0, repr=False)  # the database row, for the engine only
    # gene -> word seen in the image -> how it was matched (the sidecar's source)
    seen: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    # gene (as shown) -> its organism, for the genes of a species other than human
    species: dict[str, str] = field(default_factory=dict, repr=False)

    def snippet_text(self, mark: str = "**") -> str:
        """The snippet with its matched words between `mark`s, for JSON and terminals."""
        return "".join(f"{mark}{text}{mark}" if marked else text for text, marked in self.snippet)


@dataclass(frozen=True)
class Answer:
    """The engine's whole reply to one query."""

    query: str
    mode: Mode
    genes: tuple[Resolution, ...] = ()
    suggestions: tuple[str, ...] = ()
    total: int = 0
    offset: int = 0
    limit: int = 10
    figures: tuple[FigureHit, ...] = ()
    message: str = ""  # what was understood, or why nothing was found
    complete: int | None = None  # with several genes: how many figures show every one
    words: tuple[str, ...] = ()  # query words read as text, not genes: 'lung cancer'
    text_hits: int | None = None  # of the gene figures, how many mention those words
    filters: Filters | None = None  # what the figures were narrowed to
    partial: tuple[int, int] | None = None  # search: (words the best have, words asked)
    more: bool = False  # `total` is a lower bound: a common word, not counted to the end

    def count_text(self) -> str:
        """'342 figures', or '2,000+ figures' when the count stopped early."""
        if self.more:
            return f"{self.total:,}+ figures"
        return f"{self.total:,} figure{'' if self.total == 1 else 's'}"

    def text_note(self) -> str | None:
        """'3 mention “lung cancer” (shown first)': the words of a mixed query."""
        if self.text_hits is None or not self.words:
            return None
        words = " ".join(self.words)
        if not self.text_hits:
            return f"none mention “{words}”"
        verb = "mentions" if self.text_hits == 1 else "mention"
        return f"{self.text_hits:,} {verb} “{words}” (shown first)"

    def coverage(self) -> str | None:
        """'2 figures show TP53 and MDM2 · 14 show one of them', or 'No figure shows both
        TP53 and MDM2 · 6 show one of them': several genes, told honestly."""
        names = [r.title for r in self.genes if r.symbols]
        if self.complete is None or len(names) < 2:
            return None
        joined = f"{', '.join(names[:-1])} and {names[-1]}"
        some = "one of them" if len(names) == 2 else "some of them"
        rest = self.total - self.complete
        if not self.complete:
            every = "both" if len(names) == 2 else "all of"
            return (
                f"No figure shows {every} {joined} · {rest:,} show{'s' if rest == 1 else ''} {some}"
            )
        verb = "shows" if self.complete == 1 else "show"
        head = f"{self.complete:,} figure{'' if self.complete == 1 else 's'} {verb} {joined}"
        return head + (f" · {rest:,} show{'s' if rest == 1 else ''} {some}" if rest else "")

    def to_json(self, image_template: str = DEFAULT_IMAGE_URL_TEMPLATE) -> dict:
        """The machine-readable form printed by `ask --json`."""
        return {
            "query": self.query,
            "mode": self.mode,
            "genes": [
                {
                    "input": r.input,
                    "kind": r.kind,
                    "symbols": list(r.symbols),
                    "label": r.label,
                    "name": r.title,
                    "note": r.note,
                    "corrected": r.corrected,
                    **({"not_gene": r.not_gene} if r.not_gene else {}),
                }
                for r in self.genes
            ],
            "suggestions": list(self.suggestions),
            "total": self.total,
            **({"complete": self.complete} if self.complete is not None else {}),
            **({"words": list(self.words), "text_hits": self.text_hits} if self.words else {}),
            **({"filters": self.filters.to_json()} if self.filters else {}),
            **({"total_is_at_least": True} if self.more else {}),
            **(
                {"partial": {"covered": self.partial[0], "words": self.partial[1]}}
                if self.partial
                else {}
            ),
            "offset": self.offset,
            "limit": self.limit,
            "message": self.message,
            "figures": [
                {
                    "figid": f.figid,
                    "title": f.title,
                    "year": f.year,
                    "matched": list(f.matched),
                    "words": {k: list(v) for k, v in f.words.items()},
                    "url": pfocr_url(f.figid),
                    "pmcid": f.pmcid,
                    "doi": f.doi,
                    "organisms": list(f.organisms),
                    "figtype": f.figtype,
                    "caption": f.caption,
                    "image_url": image_url(image_template, f.pmcid, f.filename),
                    "snippet": f.snippet_text() or None,
                    "evidence": f.seen,
                }
                for f in self.figures
            ],
        }


@dataclass(frozen=True)
class Stats:
    """Corpus totals for `stats`."""

    figures: int
    genes: int
    links: int
    papers: int
    last_ingest: dict | None
    top_genes: tuple[tuple[str, int], ...]

    def to_json(self) -> dict:
        return asdict(self)


STARTER_FIGURES = 1_000  # a database this small, never synced, holds only the starter set


@dataclass(frozen=True)
class CorpusInfo:
    """What the bot holds and where it came from, for App Home and the small-corpus hint."""

    figures: int
    source: str | None = None  # the PFOCR repository `sync` reads
    commit: str | None = None  # its commit at the last sync
    synced: str | None = None  # UTC ISO time of the last sync
    last_ingest: str | None = None  # UTC ISO time the last ingest finished

    @property
    def starter(self) -> bool:
        """Only the bundled starter records: never synced, and small."""
        return self.synced is None and self.figures <= STARTER_FIGURES

    def to_json(self) -> dict:
        return {**asdict(self), "starter": self.starter}


@dataclass(frozen=True)
class LexiconInfo:
    """What `pathway-bot lexicon` shows: the lexicon in use, its sources and counts."""

    folder: str
    installed: bool  # updated by `lexicon update` (else the one vendored in the package)
    version: str
    counts: dict[str, int]
    sources: dict
    links_current: bool  # the figures are linked with this lexicon

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Subscription:
    """One thing a channel wants in its digest: a gene, a family or a search."""

    channel: str
    kind: str  # KIND_GENE, KIND_FAMILY or SUB_SEARCH
    key: str
    label: str
    symbols: tuple[str, ...] = ()
    search: str | None = None
    created: str = ""
    created_by: str | None = None
    note: str = ""  # how the term was understood, for the confirmation


def conversation(workspace: str | None, channel: str) -> str:
    """'T0LAB:C0LAB': the key of a channel in one workspace. Channel ids are unique only
    within a workspace, so everything a channel owns (subscriptions, digests, the ledger)
    is keyed by this. A bare 'C0LAB' is a single-workspace database's older key."""
    return f"{workspace}:{channel}" if workspace else channel


def split_conversation(key: str) -> tuple[str | None, str]:
    """('T0LAB', 'C0LAB') for 'T0LAB:C0LAB'; (None, 'C0LAB') for a bare channel."""
    workspace, sep, channel = key.rpartition(":")
    return (workspace or None, channel) if sep else (None, key)


SIGNIFICANT = 0.05  # an enrichment q below this is "enriched"
SUB_SEARCH = "search"
SUB_SIGNATURE = "signature"  # a saved gene list: new figures enriched for it (q < 0.05)


@dataclass(frozen=True)
class ChannelState:
    """A channel's subscriptions and digest state, for `/pathway subscriptions`."""

    channel: str
    subscriptions: tuple[Subscription, ...]
    last_digest: str | None = None
    paused_reason: str | None = None
    paused_at: str | None = None


@dataclass(frozen=True)
class DigestPage:
    """A page of one digest's figures, each with the subscriptions it matched."""

    digest_id: int
    channel: str
    labels: tuple[str, ...]
    total: int
    offset: int
    limit: int
    figures: tuple[FigureHit, ...]
    matched_labels: tuple[tuple[str, ...], ...]  # parallel to figures
    cutoff: str = ""
