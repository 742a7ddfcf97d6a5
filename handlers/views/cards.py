"""The figure card: title, image, caption, paper and genes of one figure."""

import re

from handlers.ids import ACTION_GENES, numbered
from store.links import doi_url, image_url, pfocr_url, pmc_url
from store.models import FigureHit
from store.wording import plural

from . import blocks as bk
from .state import encode_genes

CAPTION_CHARS = 280  # two or three lines in Slack: enough to tell figures apart
TITLE_CHARS = 200
PAPER_CHARS = 200
MAX_BOLD_GENES = 12  # matched genes listed on the card; the rest are a count
SHOWN_GENES = 8  # genes listed on a card that matched nothing (figure and search answers)


WEAK_EVIDENCE = ("synonym", "another species")  # said on the card: the match is loose


def seen_as(hit: FigureHit, symbol: str) -> str:
    """' (seen as “K-Ras”)' when the image spelled the gene differently, and ' (seen as
    “ERK”, a synonym)' when only a loose match found it."""
    words = [w for w in hit.words.get(symbol, ()) if w.upper() != symbol.upper()]
    how = hit.evidence.get(symbol)
    weak = f"only by {'a ' if how == 'synonym' else ''}{how}" if how in WEAK_EVIDENCE else ""
    if words:
        return f" (seen as “{bk.escape(', '.join(words[:3]))}”{', ' + weak if weak else ''})"
    return f" ({weak})" if weak else ""


def grouped(hit: FigureHit, symbols: tuple[str, ...], bold: bool = True) -> list[str]:
    """Genes seen through the same word share one note: '*NFKB1*, *NFKB2*, *RELA* (seen as
    “NFKB”)', not the note once per family member."""
    groups: dict[str, list[str]] = {}
    for symbol in symbols:
        groups.setdefault(seen_as(hit, symbol), []).append(
            f"*{bk.escape(symbol)}*" if bold else bk.escape(symbol)
        )
    return [", ".join(names) + note for note, names in groups.items()]


def gene_line(hit: FigureHit, limit: int = MAX_BOLD_GENES) -> str:
    """Matched genes first, in bold, then how many others the figure names."""
    shown = hit.matched[:limit]
    parts = grouped(hit, shown)
    if not parts:
        shown = hit.genes[:SHOWN_GENES]
        parts = [bk.escape(s) for s in shown]
    rest = hit.gene_count - len(shown)
    if rest > 0:
        parts.append(f"+{plural(rest, 'more gene') if parts else plural(rest, 'gene')}")
    return "Genes: " + ", ".join(parts) if parts else "No genes recognised in this figure."


NA_PART = re.compile(r"\s*\(NA\)|;\s*NA\b")  # '2023;2023(NA).': PFOCR's missing issue


def citation(hit: FigureHit) -> str:
    """'Laetitia Seguin, et al. Cell Cycle. 2014 Jul 1;13(13):2017-2018.': the record's
    reference without its '(NA)' markers, with the year only when it does not say it."""
    ref = " ".join(NA_PART.sub("", hit.reftext or "").split())
    if hit.year and str(hit.year) not in ref:
        ref = f"{ref} {hit.year}".strip()
    return ref


def snippet_text(hit: FigureHit, chars: int) -> str:
    """The matched stretch of text, escaped, its matched words in bold, clipped."""
    out, used = [], 0
    for text, marked in hit.snippet:
        piece = text[: max(chars - used, 0)]
        used += len(piece)
        if piece.strip():
            escaped = bk.escape(piece.replace("*", "∗"))
            out.append(f"*{escaped.strip()}*" if marked else escaped)
        if used >= chars:
            out.append("…")
            break
    return "".join(out)


def about_line(hit: FigureHit) -> str:
    """'Homo sapiens, Mus musculus · Scheme': what the record says it shows, if it says."""
    parts = [", ".join(hit.organisms[:3])] if hit.organisms else []
    if hit.figtype and hit.figtype != "Figure":
        parts.append(hit.figtype)
    return bk.escape(" · ".join(parts))


def paper_line(hit: FigureHit) -> str:
    """_Paper title_ · reftext · year · PMC and DOI links · organisms · figure type."""
    parts = []
    if hit.paper_title:
        parts.append(f"_{bk.safe_clip(hit.paper_title, PAPER_CHARS)}_")
    if citation(hit):
        parts.append(bk.safe_clip(citation(hit), 120))
    pmc, doi = pmc_url(hit.pmcid), doi_url(hit.doi)
    if hit.pmcid and pmc:
        parts.append(bk.link(pmc, hit.pmcid))
    if doi:
        parts.append(bk.link(doi, "DOI"))
    if about_line(hit):
        parts.append(about_line(hit))
    return " · ".join(parts)


def figure_card(
    hit: FigureHit,
    number: int,
    image_template: str,
    caption_chars: int = CAPTION_CHARS,
    genes_button: bool = True,
) -> list[dict | None]:
    """Blocks for one figure; `number` keeps the genes button's action id unique."""
    title = bk.link(pfocr_url(hit.figid), bk.clip(hit.title or hit.figid, TITLE_CHARS))
    text = f"*{title}*"
    if hit.snippet and caption_chars:  # why it matched: the words in bold
        text += "\n" + snippet_text(hit, caption_chars)
    elif hit.caption and caption_chars:
        text += "\n" + bk.safe_clip(hit.caption, caption_chars)
    url = image_url(image_template, hit.pmcid, hit.filename)
    alt = f"Pathway figure: {hit.title or hit.figid}"
    more = None
    if genes_button and hit.gene_count > len(hit.matched):
        more = bk.button(
            f"Show all {hit.gene_count} genes",
            numbered(ACTION_GENES, number),
            encode_genes(hit.figid, hit.matched),
        )
    return [
        bk.section(f"{text}\n{gene_line(hit)}", more),
        bk.image(url, alt) if url else None,
        bk.context(paper_line(hit)) if paper_line(hit) else None,
    ]


def gene_sections(hit: FigureHit, first: tuple[str, ...] = ()) -> list[str]:
    """Every gene of a figure as section texts: the asked-for ones first and bold, the
    human genes, then each other species' genes under its name, in the record's case."""
    first = tuple(s for s in first if s in hit.genes)
    human = tuple(s for s in hit.genes if s not in first and s not in hit.species)
    lines = [", ".join(grouped(hit, first) + grouped(hit, human, bold=False))]
    by_species: dict[str, list[str]] = {}
    for gene, organism in hit.species.items():
        if gene not in first:
            by_species.setdefault(organism, []).append(bk.escape(gene))
    lines += [f"_{bk.escape(org)}:_ {', '.join(genes)}" for org, genes in by_species.items()]
    chunks = []
    for line in lines:
        current = ""
        for name in line.split(", "):
            if len(current) + len(name) + 2 > bk.MAX_SECTION_TEXT:
                chunks.append(current)
                current = ""
            current = f"{current}, {name}" if current else name
        chunks.append(current)
    return [chunk for chunk in chunks if chunk]


def genes_message(hit: FigureHit, first: tuple[str, ...]) -> dict:
    """Every gene of one figure, the asked-for ones first and bold, in as few blocks as fit."""
    title = bk.link(pfocr_url(hit.figid), bk.clip(hit.title or hit.figid, TITLE_CHARS))
    blocks = [bk.section(f"*{plural(len(hit.genes), 'gene')}* in {title}")]
    blocks += [bk.section(chunk) for chunk in gene_sections(hit, first)[: bk.MAX_BLOCKS - 2]]
    text = bk.escape(
        f"{plural(len(hit.genes), 'gene')} in {hit.title or hit.figid}: " + ", ".join(hit.genes)
    )
    return bk.message(text, blocks)
