"""Compact rows: one figure in one short section with a thumbnail, plus "Show figure".

A preview shows its top hit as a full card and the rest as these rows, so five results
fit on about one screen with a single full-width image (tests/test_compact.py measures
it). Shared answers, digests and link unfurls are rows only.
"""

from collections.abc import Sequence

from handlers.ids import ACTION_SHOW, numbered
from store.links import image_url, pfocr_url
from store.models import FigureHit

from . import blocks as bk
from .cards import TITLE_CHARS, about_line, grouped, snippet_text

ROW_GENES = 6  # matched genes named on a row; the rest are a count
ROW_SNIPPET = 110  # characters of the matched text on a row
ROW_TITLE = 90  # one line beside the thumbnail


def row_text(hit: FigureHit) -> str:
    """'*<link|Title>*\\n2014 · Homo sapiens · *KRAS* (seen as “Ras”) +3\\n…snippet…'."""
    title = bk.link(pfocr_url(hit.figid), bk.clip(hit.title or hit.figid, ROW_TITLE))
    facts = [str(hit.year)] if hit.year else []
    if about_line(hit):
        facts.append(about_line(hit))
    genes = grouped(hit, hit.matched[:ROW_GENES])
    extra = len(hit.matched) - ROW_GENES
    if genes:
        facts.append(", ".join(genes) + (f" +{extra}" if extra > 0 else ""))
    elif hit.gene_count:
        facts.append(f"{hit.gene_count:,} gene{'' if hit.gene_count == 1 else 's'}")
    lines = [f"*{title}*", " · ".join(facts)]
    if hit.snippet:
        lines.append(snippet_text(hit, ROW_SNIPPET))
    return "\n".join(line for line in lines if line)


def show_button(hit: FigureHit, number: int) -> dict:
    """Opens the figure's full card in a modal; the value is the figid."""
    return bk.button("Show figure", numbered(ACTION_SHOW, number), hit.figid)


def compact_row(
    hit: FigureHit, number: int, image_template: str, show: bool = True
) -> list[dict | None]:
    """A section with the thumbnail beside it, and the "Show figure" button under it."""
    url = image_url(image_template, hit.pmcid, hit.filename) if image_template else None
    alt = f"Pathway figure: {bk.clip(hit.title or hit.figid, TITLE_CHARS)}"
    return [
        bk.section(row_text(hit), bk.thumbnail(url, alt)),
        bk.actions(show_button(hit, number)) if show else None,
    ]


def compact_rows(
    hits: Sequence[FigureHit],
    image_template: str,
    first_number: int = 0,
    show: bool = True,
) -> list[dict | None]:
    blocks: list[dict | None] = []
    for number, hit in enumerate(hits, first_number):
        blocks += compact_row(hit, number, image_template, show)
    return blocks
