"""Plain-text rendering of engine answers for the terminal."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from store.links import pfocr_url
from store.models import Answer, CorpusInfo, FigureHit, LexiconInfo, Mode, Stats

from .cards import WEAK_EVIDENCE

if TYPE_CHECKING:  # numpy loads only for `enrich`, never for `ask`
    from store.enrich import Enrichment


def answer_text(answer: Answer) -> str:
    """A readable multi-line answer, as `pathway-bot ask` prints it."""
    lines = []
    for resolution in answer.genes:
        if resolution.not_gene:
            lines.append(
                f"Note: {resolution.input} is {resolution.not_gene}, not read as a gene "
                f"(`gene {resolution.input}` reads it as one)"
            )
        elif resolution.note:
            lines.append(f"Note: {resolution.input} → {resolution.label or '?'}: {resolution.note}")
    corrected = {s for r in answer.genes if r.corrected for s in r.symbols}
    others = [s for s in answer.suggestions if s not in corrected]
    if others:
        lines.append(
            ("Other spellings: " if corrected else "Did you mean: ") + ", ".join(others) + "?"
        )
    head = answer.coverage() or (
        answer.message
        if answer.mode == Mode.FIGURE  # 'PMC10025411 · 1 figure' already counts
        else f"{answer.message} · {answer.count_text()}"
    )
    if not answer.figures and answer.total and answer.offset >= answer.total:
        lines.append(
            f"{head}: --offset {answer.offset} is past the last one "
            f"(use --offset 0 to --offset {answer.total - 1})"
        )
        return "\n".join(lines)
    if not answer.figures:
        lines.append(answer.message or "Nothing found.")
        return "\n".join(lines)
    first, last = answer.offset + 1, answer.offset + len(answer.figures)
    head += f" · {answer.text_note()}" if answer.text_note() else ""
    lines.append(f"{head} (showing {first}–{last})")
    for number, hit in enumerate(answer.figures, first):
        year = f" ({hit.year})" if hit.year else ""
        lines.append(f"{number:>3}. {hit.title or hit.figid}{year}")
        shown = [
            f"{s} (only by {hit.evidence[s]})" if hit.evidence.get(s) in WEAK_EVIDENCE else s
            for s in hit.matched
        ]
        matched = f" · matched {', '.join(shown)}" if hit.matched else ""
        lines.append(f"     {hit.figid}{matched}")
        if hit.snippet:
            lines.append(f"     …{hit.snippet_text()}…".replace("……", "…"))
        about = ", ".join(hit.organisms[:3]) + (f" · {hit.figtype}" if hit.figtype else "")
        if about.strip(" ·"):
            lines.append(f"     {about.strip(' ·')}")
        seen = [
            f"{s} as '{w}'"
            for s in hit.matched
            for w in hit.words.get(s, ())
            if w.upper() != s.upper()
        ]
        if seen:
            lines.append(f"     seen in the image: {', '.join(seen[:6])}")
        lines.append(f"     {pfocr_url(hit.figid)}")
    if last < answer.total:
        lines.append(f"More: --offset {last}")
    return "\n".join(lines)


def starter_text(corpus: CorpusInfo) -> str | None:
    """The line under an answer from the starter set: how to load the real collection."""
    if not corpus.starter:
        return None
    return (
        f"(Only the {corpus.figures:,} bundled starter figures are loaded; "
        "`pathway-bot sync` loads all of PFOCR, about 80,000 figures.)"
    )


def lexicon_text(info: LexiconInfo) -> str:
    """`pathway-bot lexicon` output."""
    where = "installed by `lexicon update`" if info.installed else "vendored in the package"
    lines = [f"lexicon      {info.version} ({where})", f"folder       {info.folder}"]
    for name, source in info.sources.items():
        if isinstance(source, dict):
            source = f"{source.get('source')} (as of {source.get('as_of') or '?'})"
        lines.append(f"{name:<12} {source}")
    lines += [f"  {count:>8,}  {name}" for name, count in info.counts.items()]
    lines.append(
        "figures      linked with this lexicon"
        if info.links_current
        else "figures      linked with an older lexicon: run `pathway-bot lexicon relink`"
    )
    return "\n".join(lines)


def stats_text(stats: Stats) -> str:
    """`pathway-bot stats` output."""
    lines = [
        f"figures      {stats.figures:,}",
        f"papers       {stats.papers:,}",
        f"genes        {stats.genes:,}",
        f"links        {stats.links:,}",
    ]
    run = stats.last_ingest
    if run:
        lines.append(
            f"last ingest  {run['finished'] or run['started']}: ingested {run['ingested']}, "
            f"unchanged {run['unchanged']}, failed {run['failed']}"
        )
    else:
        lines.append("last ingest  never")
    if stats.top_genes:
        lines.append("top genes    " + ", ".join(f"{s} ({n:,})" for s, n in stats.top_genes))
    return "\n".join(lines)


def _number(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:.3g}"


def enrichment_text(enrichment: Enrichment, hits: dict[int, FigureHit], limit: int) -> str:
    """`pathway-bot enrich` output: the headline, the input as read, then the figures."""
    lines = [enrichment.headline(), *enrichment.input_lines()]
    shown = enrichment.results[:limit]
    if not shown:
        lines.append(f"No figure shares at least {enrichment.min_overlap} gene(s) with the list.")
        return "\n".join(lines)
    if enrichment.shown_as_nominal:
        lines.append("No figure is enriched at q < 0.05; the best nominal hits (p < 0.05 is not")
        lines.append("significant after testing every figure):")
    lines.append(f"{'#':>3}  {'q':>9}  {'p':>9}  {'odds':>7}  {'k/set':>8}  figure")
    for number, result in enumerate(shown, 1):
        hit = hits.get(result.figure_id)
        title = (
            f"{hit.title or hit.figid} ({hit.year})"
            if hit and hit.year
            else (hit.title or hit.figid if hit else str(result.figure_id))
        )
        lines.append(
            f"{number:>3}  {_number(result.q):>9}  {_number(result.p):>9}  "
            f"{_number(result.odds_ratio):>7}  {len(result.overlap):>3}/{result.set_size:<4}  "
            f"{title}"
        )
        if hit:
            lines.append(f"{'':>5}{hit.figid} · {pfocr_url(hit.figid)}")
        lines.append(f"{'':>5}genes: {', '.join(result.overlap)}")
    if len(enrichment.results) > limit:
        lines.append(f"{len(enrichment.results) - limit:,} more: --limit {len(enrichment.results)}")
    return "\n".join(lines)


ENRICH_TSV_COLUMNS = (
    "figid",
    "title",
    "year",
    "overlap",
    "set_size",
    "list_size",
    "universe",
    "p",
    "q",
    "odds_ratio",
    "genes",
)


def enrichment_tsv(enrichment: Enrichment, hits: dict[int, FigureHit], limit: int) -> str:
    """One row per figure, for spreadsheets and scripts; tabs and newlines in titles
    become spaces."""
    rows = ["\t".join(ENRICH_TSV_COLUMNS)]
    for result in enrichment.results[:limit]:
        hit = hits.get(result.figure_id)
        title = " ".join((hit.title or "").split()) if hit else ""
        rows.append(
            "\t".join(
                [
                    hit.figid if hit else str(result.figure_id),
                    title,
                    str(hit.year or "") if hit else "",
                    str(len(result.overlap)),
                    str(result.set_size),
                    str(enrichment.list_size),
                    str(enrichment.universe),
                    repr(result.p),
                    repr(result.q),
                    _number(result.odds_ratio),
                    ",".join(result.overlap),
                ]
            )
        )
    return "\n".join(rows)
