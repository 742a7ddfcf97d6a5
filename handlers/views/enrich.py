"""Enrichment answers, the table, and the `/pathway enrich` form. Pure functions."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from handlers.ids import (
    ACTION_CANCEL,
    ACTION_ENRICH_PAGE,
    ACTION_ENRICH_SHARE,
    ACTION_ENRICH_TABLE,
    COMMAND,
    ENRICH_BACKGROUND,
    ENRICH_GENES,
    ENRICH_MIN_OVERLAP,
    VIEW_ENRICH,
    numbered,
)
from store.links import image_url, pfocr_url
from store.models import SIGNIFICANT, FigureHit

from . import blocks as bk
from .cards import TITLE_CHARS, about_line
from .render import USER_ID_RE, pager
from .state import PREVIEW, SHARED, EnrichView

if TYPE_CHECKING:  # numpy loads with the first list, not with every worker
    from store.enrich import EnrichedFigure, Enrichment

OVERLAP_SHOWN = 40  # overlap genes named on a row; the rest are a count
TABLE_ROWS = 500  # rows "Show all as a table" prints; the CLI's --tsv has them all


def number(value: float) -> str:
    """'3.2e-05', '0.012', '∞'."""
    if math.isinf(value):
        return "∞"
    return f"{value:.2g}" if value < 0.01 else f"{value:.3f}".rstrip("0").rstrip(".")


def row_text(
    rank: int,
    result: EnrichedFigure,
    hit: FigureHit | None,
    nominal: bool,
    genes_shown: int = OVERLAP_SHOWN,
) -> str:
    """'*3. <link|Title>* · 2014 · Homo sapiens\\noverlap *4* of 68 · q = 0.0013 · odds
    ratio 42\\n*BAX*, *BBC3*, …'."""
    title = bk.clip((hit.title or hit.figid) if hit else str(result.figure_id), TITLE_CHARS)
    link = bk.link(pfocr_url(hit.figid), title) if hit else bk.escape(title)
    facts = [f"*{rank}. {link}*"]
    if hit and hit.year:
        facts.append(str(hit.year))
    if hit and about_line(hit):
        facts.append(about_line(hit))
    shown = (
        f"p = {number(result.p)} (q = {number(result.q)})" if nominal else f"q = {number(result.q)}"
    )
    stats = (
        f"overlap *{len(result.overlap)}* of {result.set_size} · {shown} · "
        f"odds ratio {number(result.odds_ratio)}"
    )
    genes = ", ".join(f"*{bk.escape(g)}*" for g in result.overlap[:genes_shown])
    if len(result.overlap) > genes_shown:
        genes += f" +{len(result.overlap) - genes_shown}"
    return f"{' · '.join(facts)}\n{stats}\n{genes}"


def enrich_message(
    enrichment: Enrichment,
    hits: Mapping[int, FigureHit],
    view: EnrichView,
    page_size: int,
    image_template: str,
    shared_by: str | None = None,
) -> dict:
    """A page of the answer: the headline, the list as read, the figures by q (the top
    one with its image), then the pager, Share, "Show all as a table" and Cancel. Long
    pages shrink to Slack's budget: fewer genes named per row, then fewer rows."""
    page = tuple(enrichment.results[view.offset : view.offset + page_size])
    for count in range(len(page), 0, -1):
        for genes_shown in (OVERLAP_SHOWN, 12):
            message = _enrich_page(
                enrichment,
                hits,
                view,
                page[:count],
                page_size,
                image_template,
                shared_by,
                genes_shown,
            )
            if bk.size(message) <= bk.MAX_MESSAGE_CHARS:
                return message
    return _enrich_page(enrichment, hits, view, (), page_size, image_template, shared_by, 0)


def _enrich_page(
    enrichment: Enrichment,
    hits: Mapping[int, FigureHit],
    view: EnrichView,
    shown: tuple[EnrichedFigure, ...],
    page_size: int,
    image_template: str,
    shared_by: str | None,
    genes_shown: int,
) -> dict:
    nominal = enrichment.shown_as_nominal
    blocks: list[dict | None] = [bk.header(enrichment.headline())]
    notes = [
        bk.safe_clip(line, 600) for line in enrichment.input_lines()[: bk.MAX_CONTEXT_ELEMENTS]
    ]
    blocks.append(bk.context(*notes))
    if view.surface == SHARED and shared_by and USER_ID_RE.match(shared_by):
        blocks.append(bk.context(f"Shared by <@{shared_by}> · `{COMMAND} enrich`"))
    if not enrichment.results:
        blocks.append(
            bk.section(f"No figure shares at least {enrichment.min_overlap} gene(s) with the list.")
        )
    elif nominal:
        blocks.append(
            bk.section(
                f"*No figure is enriched at q < {SIGNIFICANT}.* The best nominal hits follow "
                "(p < 0.05 alone is not significant once every figure is tested)."
            )
        )
    for rank, result in enumerate(shown, view.offset + 1):
        hit = hits.get(result.figure_id)
        blocks.append(bk.section(row_text(rank, result, hit, nominal, genes_shown)))
        if rank == 1 and hit and image_template:  # the image, for the top hit only
            url = image_url(image_template, hit.pmcid, hit.filename)
            if url:
                blocks.append(bk.image(url, f"Pathway figure: {hit.title or hit.figid}"))
    extra = []
    if view.surface != SHARED and enrichment.results:
        extra.append(bk.button("Show all as a table", ACTION_ENRICH_TABLE, view.encode()))
    if view.surface == PREVIEW:
        extra = [
            bk.button("Share to channel", ACTION_ENRICH_SHARE, view.encode(), style="primary"),
            *extra,
            bk.button("Cancel", ACTION_CANCEL, view.encode()),
        ]
    if shown:
        previous = None if view.surface == SHARED else view.at(view.offset - page_size)
        following = None if view.surface == SHARED else view.at(view.offset + len(shown))
        blocks += pager(
            view.offset,
            len(shown),
            len(enrichment.results),
            (numbered(ACTION_ENRICH_PAGE, 0), previous.encode()) if previous else None,
            (numbered(ACTION_ENRICH_PAGE, 1), following.encode()) if following else None,
            extra,
        )
    else:
        blocks.append(bk.actions(*extra))
    lines = [enrichment.headline()] + [
        f"{rank}. {(hits[r.figure_id].title if r.figure_id in hits else r.figure_id)} "
        f"(q = {number(r.q)}, {len(r.overlap)} genes)"
        for rank, r in enumerate(shown, view.offset + 1)
    ]
    return bk.message(bk.escape("\n".join(lines)), blocks)


def table_message(enrichment: Enrichment, figids: Mapping[int, str]) -> dict:
    """Every figure with overlap as a TSV code block (copy it into a spreadsheet)."""
    header = "figid\toverlap\tset_size\tp\tq\todds_ratio\tgenes"
    rows = [
        "\t".join(
            [
                figids.get(r.figure_id, str(r.figure_id)),
                str(len(r.overlap)),
                str(r.set_size),
                f"{r.p:.3g}",
                f"{r.q:.3g}",
                number(r.odds_ratio).replace("∞", "inf"),
                ",".join(r.overlap),
            ]
        )
        for r in enrichment.results[:TABLE_ROWS]
    ]
    chunks, current = [], header
    for row in rows:
        if len(current) + len(row) + 8 > bk.MAX_SECTION_TEXT:
            chunks.append(current)
            current = row
        else:
            current = f"{current}\n{row}"
    chunks.append(current)
    budget = bk.MAX_BLOCKS - 2
    blocks = [bk.section(f"```{bk.escape(chunk)}```") for chunk in chunks[:budget]]
    printed = sum(chunk.count("\n") + 1 for chunk in chunks[:budget]) - 1
    note = f"{printed:,} of {len(enrichment.results):,} figures with overlap"
    if printed < len(enrichment.results):
        note += "; `pathway-bot enrich --tsv` prints them all"
    message = bk.message(note, [bk.context(note), *blocks])
    while bk.size(message) > bk.MAX_MESSAGE_CHARS and len(message["blocks"]) > 2:
        message["blocks"].pop()
    return message


def enrich_modal(channel: str, values: Mapping[str, str] | None = None) -> dict:
    """`/pathway enrich` alone: the list, an optional background, the minimum overlap."""
    values = values or {}

    def field(ids: tuple[str, str], label: str, placeholder: str, optional: bool) -> dict:
        element: dict = {
            "type": "plain_text_input",
            "action_id": ids[1],
            "multiline": ids != ENRICH_MIN_OVERLAP,
            "placeholder": bk.plain(placeholder, 150),
        }
        if values.get(ids[0]):
            element["initial_value"] = values[ids[0]][:3000]
        return {
            "type": "input",
            "block_id": ids[0],
            "label": bk.plain(label, 2000),
            "element": element,
            "optional": optional,
        }

    return bk.view(
        "modal",
        "Gene-set enrichment",
        [
            bk.section(
                "Paste a gene list (symbols, one per line or separated by commas). Each "
                "pathway figure is a gene set; the answer ranks them by Fisher's exact test "
                "with Benjamini–Hochberg q over every figure."
            ),
            field(ENRICH_GENES, "Gene list", "TP53\nMDM2\nCDKN1A", optional=False),
            field(
                ENRICH_BACKGROUND,
                "Background (optional)",
                "Every gene your experiment measured; by default, every human gene in a figure",
                optional=True,
            ),
            field(ENRICH_MIN_OVERLAP, "Minimum overlap", "1", optional=True),
        ],
        callback_id=VIEW_ENRICH,
        submit="Test",
        private_metadata=channel,
    )
