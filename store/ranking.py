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
