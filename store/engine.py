"""Answers queries: exact, case-insensitive symbol lookup."""

from . import queries
from .lexicon import Lexicon
from .models import KIND_GENE, KIND_NONE, MODE_GENES, MODE_NONE, Answer, Resolution


class Engine:
    """Turns query text into an Answer."""

    def __init__(self, db, lexicon: Lexicon):
        self.db = db
        self.lexicon = lexicon

    def resolve(self, token: str) -> Resolution:
        """An approved symbol (any case) or a symbol some figure mentions, else nothing."""
        key = token.upper()
        symbol = self.lexicon.symbols.get(key)
        if symbol is None and queries.gene_figure_counts(self.db, [key])[key]:
            symbol = key
        if symbol is None:
            return Resolution(token, KIND_NONE)
        return Resolution(token, KIND_GENE, (symbol,), label=symbol)

    def ask(self, text: str, limit: int = 10, offset: int = 0) -> Answer:
        resolutions = tuple(self.resolve(token) for token in text.split())
        groups = [r.symbols for r in resolutions if r.symbols]
        if not groups:
            return Answer(text, MODE_NONE, resolutions, limit=limit, offset=offset,
                          message=f"No gene symbol found in “{text}”.")
        symbols = tuple(dict.fromkeys(s for group in groups for s in group))
        ranked = queries.ranked_figure_ids(self.db, groups, limit, offset)
        return Answer(text, MODE_GENES, resolutions, total=queries.count_figures(self.db, symbols),
                      offset=offset, limit=limit, figures=tuple(queries.load_hits(self.db, ranked)),
                      message=" + ".join(r.label for r in resolutions if r.resolved))
