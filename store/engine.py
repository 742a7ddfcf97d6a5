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
from .filters import Filters, split_filters
from .models import KIND_AMBIGUOUS, KIND_NONE, Answer, Mode, Reading, Resolution
from .names import NameIndex
from .postings import Keep, Postings
from .resolve import Resolver
from .schema import Database
from .search import Vocabulary, search, snippets, text_coverage
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

    def ask(
        self, text: str, limit: int = 10, offset: int = 0, filters: Filters | None = None
    ) -> Answer:
        """Answer one query; `limit` and `offset` page through the figures. Filters typed
        in the query (`organism:mouse since:2020`) join those given."""
        if limit < 1 or offset < 0:
            raise QueryError("limit must be at least 1 and offset at least 0")
        query, typed = split_filters(" ".join(text.replace("\x00", " ").split())[:MAX_QUERY])
        filters = (filters or Filters()).merged(typed)
        if not query:
            ask = (
                "Add a gene or words to the filters. " if filters else "Ask for a gene or a topic. "
            )
            return Answer(text, Mode.NONE, limit=limit, offset=offset, message=ask + HINT)
        answer = self._answer(query, limit, offset, text, filters)
        if not filters:
            return answer
        answer = replace(answer, filters=filters)
        if answer.total:
            return answer
        unfiltered = self._answer(query, 1, 0, text, Filters()).total
        if not unfiltered:
            return answer
        silent = self.postings.unknown(filters)
        left_out = f" ({silent:,} figures say nothing about it and are left out)" if silent else ""
        return replace(
            answer,
            message=f"No figure matches {filters.describe()}: "
            f"{plural(unfiltered, 'figure')} match{'es' if unfiltered == 1 else ''} "
            f"without it{left_out}.",
        )

    def _answer(
        self, query: str, limit: int, offset: int, original: str, filters: Filters
    ) -> Answer:
        command = FIGURE_CMD_RE.match(query)
        if command or FIGID_RE.match(query) or PMCID_RE.match(query):
            ident = command.group(1) if command else query
            return self.figure(ident, limit, offset, original, filters)
        command = SEARCH_CMD_RE.match(query)
        if command or '"' in query:
            text = command.group(1) if command else query
            return self.search(text, limit, offset, original, filters=filters)
        command = GENE_CMD_RE.match(query)
        if command:
            return self.genes(command.group(1), limit, offset, original, filters, as_gene=True)
        return self.genes(query, limit, offset, original, filters)

    def genes(
        self,
        query: str,
        limit: int,
        offset: int,
        original: str,
        filters: Filters | None = None,
        as_gene: bool = False,
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
                return self._not_genes(reading, limit, offset, original, filters)
            fallback = self.search(query, limit, offset, original, tuple(resolutions), filters)
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
        keep = self.postings.keep(filters or Filters())
        words: tuple[str, ...] = ()
        expression, text_hits = "", None
        if reading.words:
            total, complete, ranked, words, expression, text_hits = self._by_words(
                reading, groups, limit, offset, keep
            )
        elif len(groups) == 1 and len(groups[0]) == 1:  # one gene: links in evidence order
            symbol = groups[0][0]
            if keep is None:  # a range read of the index
                total = queries.gene_figure_counts(self.db, groups[0])[symbol]
                ranked = queries.top_figure_ids_for_symbol(self.db, symbol, limit, offset)
            else:
                total, ranked = self.postings.single(symbol, limit, offset, keep)
            complete = total
        else:
            total, complete, ranked = self.postings.rank(groups, limit, offset, keep)
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
            figures=self._hits(ranked, expression),
            message=message,
            complete=complete if len(groups) > 1 else None,
            words=words,
            text_hits=text_hits,
        )

    def _by_words(
        self,
        reading: Reading,
        groups: list[tuple[str, ...]],
        limit: int,
        offset: int,
        keep: Keep | None,
    ) -> tuple[int, int, list[tuple[int, tuple[str, ...]]], tuple[str, ...], str, int]:
        """'KRAS in lung cancer': the KRAS figures, those whose text matches more of
        'lung cancer' first: (total, complete, page, words, snippet expression, figures
        with every word). No word is dropped: the answer says how each was used."""
        total, complete, ranked = self.postings.rank(groups, TEXT_RERANK_MAX, 0, keep)
        words = self._search_words(reading)
        coverage, terms, expression = text_coverage(self.db, self.vocabulary, words)
        ordered = sorted(ranked, key=lambda hit: -coverage.get(hit[0], 0))  # stable
        every = sum(1 for hit in ranked if terms and coverage.get(hit[0], 0) == terms)
        page = ordered[offset : offset + limit]
        return total, complete, page, tuple(words), expression, every

    @staticmethod
    def _search_words(reading: Reading) -> list[str]:
        """The words to match in figure text: a short non-gene by what it is (NO is
        'nitric oxide', which FTS would otherwise read as the word 'no')."""
        what = {r.input: r.not_gene for r in reading.resolutions if r.not_gene}
        return [
            what[word] if len(word) <= SHORT_NOT_GENE and word in what else word
            for word in reading.words
        ]

    def _not_genes(
        self, reading: Reading, limit: int, offset: int, original: str, filters: Filters | None
    ) -> Answer:
        """'NO', 'Mg2+ ATP': no gene, but what they are, searched for in figure text."""
        text = " ".join(self._search_words(reading))
        found = self.search(text, limit, offset, original, reading.resolutions, filters)
        named = ", ".join(f"“{r.input}” ({r.not_gene})" for r in reading.resolutions if r.not_gene)
        inputs = " ".join(r.input for r in reading.resolutions if r.not_gene)
        note = f"{named}: not read as a gene. For a gene of that name, ask `gene {inputs}`."
        return replace(found, message=f"{note} {found.message}")

    def figure(
        self, ident: str, limit: int, offset: int, original: str, filters: Filters | None = None
    ) -> Answer:
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
        keep = self.postings.keep_ids(filters or Filters())
        ids = [i for i in ids if keep(i)] if keep else ids
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
        filters: Filters | None = None,
    ) -> Answer:
        """Full-text search: every word first, then most words; says which typos it
        corrected, and when no figure has every word."""
        keep = self.postings.keep_ids(filters or Filters())
        found = search(self.db, self.vocabulary, text, limit, offset, keep)
        fixed = "".join(
            f" (searched “{new}” for “{old}”)" for old, new in found.corrections.items()
        )
        partial = bool(found.total) and found.covered < found.terms
        if not found.total:
            message = f"No figure title or caption mentions “{text}”{fixed}. {HINT}"
        elif partial:
            message = (
                f"Search “{text}”{fixed}: no figure has all {found.terms} words; "
                f"these have {found.covered}"
            )
        else:
            message = f"Search “{text}”{fixed}"
        return Answer(
            original,
            Mode.SEARCH if found.total else Mode.NONE,
            resolutions,
            total=found.total,
            offset=offset,
            limit=limit,
            figures=self._hits(found.page, found.expression),
            message=message,
            partial=(found.covered, found.terms) if partial else None,
            more=found.more,
        )

    def _hits(self, page: list[tuple[int, tuple[str, ...]]], expression: str) -> tuple:
        """The page's figures, each with the stretch of text that matched, if any."""
        hits = queries.load_hits(self.db, page)
        marked = snippets(self.db, expression, [figure_id for figure_id, _ in page])
        if not marked:
            return tuple(hits)
        return tuple(replace(hit, snippet=marked.get(hit.id, ())) for hit in hits)

    @staticmethod
    def _names(resolutions: Iterable[Resolution]) -> str:
        return " or ".join(r.label for r in resolutions if r.symbols and r.kind != KIND_NONE)
