"""The per-figure ranking key stored at ingest, so queries read figures already in order."""

import math

DEFAULT_SCORE = 0.5  # legacy or unscored records sit mid-way
MAX_GENES = 300  # about the most genes one PFOCR figure lists


def focus(score: float | None, gene_count: int, year: int | None) -> float:
    """Lower ranks first: confident pathway figures that are about few genes, newer ones first.

    `automl_pathway`/`pathway_score` is PFOCR's confidence that the image is a pathway
    diagram at all, so it leads. A figure naming 8 genes is about them, one naming 300
    mentions each in passing, so gene count costs up to 0.25. Recency only breaks ties
    (a decade is worth 0.01), because a classic 2005 figure is still the right answer.
    """
    quality = DEFAULT_SCORE if score is None else min(max(score, 0.0), 1.0)
    breadth = 0.25 * math.log1p(min(gene_count, MAX_GENES)) / math.log1p(MAX_GENES)
    recency = ((year or 2000) - 2000) / 1000
    return round(-quality + breadth - recency, 6)


# How a gene was matched in the image, as the `-genes.tsv` sidecar's `source` (or a legacy
# record's genes[].source) says: an official symbol is the strongest evidence, a family
# expansion weaker, a loose synonym weakest. A link's ranking key is its figure's plus
# this, so for one gene the figures that show its symbol come first.
SOURCE_PENALTY = {
    "ncbigene_symbol": 0.0,
    "hgnc_symbol": 0.0,
    "bioentities_symbol": 0.03,
    "famplex_relations": 0.03,
    "hgnc_prev_symbol": 0.03,
    "ncbigene_synonym": 0.06,
    "hgnc_alias_symbol": 0.06,
}
UNKNOWN_SOURCE = 0.02  # no sidecar says how (most keyword-only records): in between
OTHER_SOURCE = 0.06  # a source this table does not know (MESH, ...): as loose as a synonym
# Matched only through another species than the paper's (a fly gene 'bond' read off a
# chemistry scheme about human cells): ranked below every direct match.
FOREIGN_ORGANISM = 0.1
STRENGTH = {0.0: "symbol", 0.03: "family or old symbol", 0.06: "synonym"}


def evidence_penalty(source: str | None, organism: str | None, organisms: tuple[str, ...]) -> float:
    """The ranking cost of one evidence row (lower is stronger)."""
    cost = SOURCE_PENALTY.get(source, OTHER_SOURCE) if source else UNKNOWN_SOURCE
    if organism and organisms and organism not in organisms:
        cost += FOREIGN_ORGANISM
    return cost


def link_focus(
    focus: float,
    symbols: tuple[str, ...],
    evidence: list[list],
    organisms: tuple[str, ...],
) -> list[float]:
    """Each symbol's ranking key in this figure: the figure's, plus its best evidence's
    cost. `evidence` rows are [symbol, source_symbol, word, source, organism, gene_id]."""
    best: dict[str, float] = {}
    for row in evidence:
        cost = evidence_penalty(row[3], row[4], organisms)
        if cost < best.get(row[0], math.inf):
            best[row[0]] = cost
    return [round(focus + best.get(symbol, UNKNOWN_SOURCE), 6) for symbol in symbols]


def strength(cost: float) -> str:
    """'symbol', 'family or old symbol' or 'synonym', for a cost from evidence_penalty."""
    if cost >= FOREIGN_ORGANISM:
        return "another species"
    return STRENGTH.get(round(cost, 2), "unknown")
