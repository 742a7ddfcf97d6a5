"""The lookup engine: query text -> Answer. Shared by `ask`, `/pathway`, mentions, digests.

A query is, in order of precedence:
  `figure <figid|pmcid>` or a bare figid/PMCID  -> that figure, or every figure of the paper;
  `search <text>`, or any text with a "quoted phrase" -> full-text search;
  anything else -> genes and families (store.resolve), falling back to search when the
  text names no gene and suggests no spelling.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from . import queries
from .errors import QueryError
from .models import KIND_AMBIGUOUS, KIND_NONE, Answer, Mode, Reading, Resolution
from .names import NameIndex
from .postings import Postings
from .resolve import Resolver
from .schema import Database
from .search import Vocabulary, search, text_matches
from .wording import plural

MAX_QUERY = 500  # characters; Slack allows more, no gene list needs it
FIGID_RE = re.compile(r"^PMC\d+__\S+$", re.IGNORECASE)
PMCID_RE = re.compile(r"^PMC\d+$", re.IGNORECASE)
FIGURE_CMD_RE = re.compile(r"^(?:figure|fig)\s+(\S+)\s*$", re.IGNORECASE)
SEARCH_CMD_RE = re.compile(r"^search\s+(.+)$", re.IGNORECASE | re.DOTALL)
GENE_CMD_RE = re.compile(r"^gene\s+(.+)$", re.IGNORECASE | re.DOTALL)
TEXT_RERANK_MAX = 20_000  # gene figures re-ordered by the words of a mixed query
SHORT_NOT_GENE = 2  # 'NO', 'K+': searched by what they are, not as written (no, k)
HINT = (
    "Try a gene (KRAS), several genes (KRAS EGFR), a family (NF-kB), "
    "`figure PMC4111689` or `search integrin resistance`."
)


class Engine:
    """Turns query text into an Answer."""

    def __init__(self, db: Database, names: NameIndex | Callable[[], NameIndex]):
        self.db = db
        self.resolver = Resolver(names, lambda symbols: queries.gene_figure_counts(db, symbols))
        self.vocabulary = Vocabulary(db)
        self.postings = Postings(db)

    def warm(self) -> None:
        """Load the caches the first queries would otherwise pay for (a server calls this)."""
        self.resolver.names  # noqa: B018 - opens (or builds) the name index now
        self.vocabulary.warm()
        self.postings.warm()

    def ask(self, text: str, limit: int = 10, offset: int = 0) -> Answer:
        """Answer one query; `limit` and `offset` page through the figures."""
        if limit < 1 or offset < 0:
            raise QueryError("limit must be at least 1 and offset at least 0")
        query = " ".join(text.split())[:MAX_QUERY]
        if not query:
            return Answer(
                text,
                Mode.NONE,
                limit=limit,
                offset=offset,
                message=f"Ask for a gene or a topic. {HINT}",
            )
        command = FIGURE_CMD_RE.match(query)
        if command or FIGID_RE.match(query) or PMCID_RE.match(query):
            return self.figure(command.group(1) if command else query, limit, offset, text)
        command = SEARCH_CMD_RE.match(query)
        if command or '"' in query:
            return self.search(command.group(1) if command else query, limit, offset, text)
        command = GENE_CMD_RE.match(query)
        if command:
            return self.genes(command.group(1), limit, offset, text, as_gene=True)
        return self.genes(query, limit, offset, text)

    def genes(
        self, query: str, limit: int, offset: int, original: str, as_gene: bool = False
    ) -> Answer:
        """Figures mentioning the genes and families named in the query; its other words
        rank the figures whose text mentions them first."""
        reading = self.resolver.read(query, as_gene=as_gene)
        resolutions, suggestions = list(reading.resolutions), list(reading.suggestions)
        groups = [
            r.symbols[:1] if r.kind == KIND_AMBIGUOUS else r.symbols
            for r in resolutions
            if r.symbols
        ]
        if not groups:
            if suggestions:
                return Answer(
                    original,
                    Mode.NONE,
                    tuple(resolutions),
                    tuple(suggestions),
                    limit=limit,
                    offset=offset,
                    message=f"No gene called “{query}”. Did you mean {', '.join(suggestions[:3])}?",
                )
            not_genes = [r for r in resolutions if r.not_gene]
            if not_genes:
                return self._not_genes(reading, limit, offset, original)
            fallback = self.search(query, limit, offset, original, tuple(resolutions))
            if fallback.total:
                return fallback
            return Answer(
                original,
                Mode.NONE,
                tuple(resolutions),
                limit=limit,
                offset=offset,
                message=f"No gene, figure or text matched “{query}”. {HINT}",
            )
        if reading.words:
            return self._genes_and_words(reading, groups, limit, offset, original)
        if len(groups) == 1 and len(groups[0]) == 1:  # one gene: a range read of the index
            total = queries.gene_figure_counts(self.db, groups[0])[groups[0][0]]
            ranked = queries.top_figure_ids_for_symbol(self.db, groups[0][0], limit, offset)
            complete = total
        else:
            total, complete, ranked = self.postings.rank(groups, limit, offset)
        label = " + ".join(r.label for r in resolutions if r.symbols)
        message = label if total else f"{label}: no figures mention {self._names(resolutions)} yet."
        return Answer(
            original,
            Mode.GENES,
            tuple(resolutions),
            tuple(suggestions),
            total=total,
            offset=offset,
            limit=limit,
            figures=tuple(queries.load_hits(self.db, ranked)),
            message=message,
            complete=complete if len(groups) > 1 else None,
        )

    def _genes_and_words(
        self,
        reading: Reading,
        groups: list[tuple[str, ...]],
        limit: int,
        offset: int,
        original: str,
    ) -> Answer:
        """'KRAS in lung cancer': the KRAS figures, those whose text says 'lung cancer'
        first. No word is dropped: the answer says how each was used."""
        total, complete, ranked = self.postings.rank(groups, TEXT_RERANK_MAX, 0)
        words = self._search_words(reading)
        mentioning = text_matches(self.db, words) if words else frozenset()
        first = [hit for hit in ranked if hit[0] in mentioning]
        ordered = first + [hit for hit in ranked if hit[0] not in mentioning]
        page = ordered[offset : offset + limit]
        resolutions = reading.resolutions
        label = " + ".join(r.label for r in resolutions if r.symbols)
        return Answer(
            original,
            Mode.GENES,
            resolutions,
            reading.suggestions,
            total=total,
            offset=offset,
            limit=limit,
            figures=tuple(queries.load_hits(self.db, page)),
            message=label
            if total
            else f"{label}: no figures mention {self._names(resolutions)} yet.",
            complete=complete if len(groups) > 1 else None,
            words=tuple(words),
            text_hits=len(first),
        )

    @staticmethod
    def _search_words(reading: Reading) -> list[str]:
        """The words to match in figure text: a short non-gene by what it is (NO is
        'nitric oxide', which FTS would otherwise read as the word 'no')."""
        what = {r.input: r.not_gene for r in reading.resolutions if r.not_gene}
        return [
            what[word] if len(word) <= SHORT_NOT_GENE and word in what else word
            for word in reading.words
        ]

    def _not_genes(self, reading: Reading, limit: int, offset: int, original: str) -> Answer:
        """'NO', 'Mg2+ ATP': no gene, but what they are, searched for in figure text."""
        text = " ".join(self._search_words(reading))
        found = self.search(text, limit, offset, original, reading.resolutions)
        named = ", ".join(f"“{r.input}” ({r.not_gene})" for r in reading.resolutions if r.not_gene)
        inputs = " ".join(r.input for r in reading.resolutions if r.not_gene)
        note = f"{named}: not read as a gene. For a gene of that name, ask `gene {inputs}`."
        return replace(found, message=f"{note} {found.message}")

    def figure(self, ident: str, limit: int, offset: int, original: str) -> Answer:
        """One figure by figid, or all figures of a paper by PMCID."""
        ident = ident.strip().removesuffix(".md")
        if ident[:3].upper() == "PMC":  # people type pmc4111689; the rest of a figid is exact
            ident = "PMC" + ident[3:]
        ids = queries.figure_ids_by_figid(self.db, ident) or queries.figure_ids_by_pmcid(
            self.db, ident
        )
        if not ids:
            return Answer(
                original,
                Mode.NONE,
                limit=limit,
                offset=offset,
                message=f"No figure or paper “{ident}” in this database "
                f"({queries.figure_count(self.db):,} figures).",
            )
        page = [(figure_id, ()) for figure_id in ids[offset : offset + limit]]
        kind = "paper" if PMCID_RE.match(ident) else "figure"
        label = f"{ident.upper()} · {plural(len(ids), 'figure')}" if kind == "paper" else ident
        return Answer(
            original,
            Mode.FIGURE,
            total=len(ids),
            offset=offset,
            limit=limit,
            figures=tuple(queries.load_hits(self.db, page)),
            message=label,
        )

    def search(
        self,
        text: str,
        limit: int,
        offset: int,
        original: str,
        resolutions: tuple[Resolution, ...] = (),
    ) -> Answer:
        """Full-text search; says which typos it corrected."""
        total, page, corrections = search(self.db, self.vocabulary, text, limit, offset)
        fixed = "".join(f" (searched “{new}” for “{old}”)" for old, new in corrections.items())
        message = (
            f"Search “{text}”{fixed}"
            if total
            else f"No figure title or caption mentions “{text}”{fixed}. {HINT}"
        )
        return Answer(
            original,
            Mode.SEARCH if total else Mode.NONE,
            resolutions,
            total=total,
            offset=offset,
            limit=limit,
            figures=tuple(queries.load_hits(self.db, page)),
            message=message,
        )

    @staticmethod
    def _names(resolutions: Iterable[Resolution]) -> str:
        return " or ".join(r.label for r in resolutions if r.symbols and r.kind != KIND_NONE)
