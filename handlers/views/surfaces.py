"""Views for the surfaces beyond messages: the figure modal, the search modal, App Home
and link unfurls. Pure functions, within Slack's view limits (blocks.view checks them)."""

from collections.abc import Sequence

from handlers.ids import ACTION_HOME_SEARCH, COMMAND, SEARCH_INPUT, VIEW_SEARCH
from store.models import Answer, ChannelState, CorpusInfo, FigureHit, split_conversation
from store.wording import plural

from . import blocks as bk
from .cards import figure_card, gene_sections
from .compact import compact_rows
from .render import headline, understood
from .render_digest import local

MODAL_CAPTION = 2_000  # a modal has room for the whole caption of most figures
HOME_NEWEST = 5
HOME_CHANNELS = 20
MODAL_RESULTS = 10


def figure_modal(hit: FigureHit, image_template: str) -> dict:
    """A figure's full card and every gene, in a modal ("Show figure")."""
    blocks = figure_card(hit, 0, image_template, MODAL_CAPTION, genes_button=False)
    sections = gene_sections(hit, hit.matched)
    if sections:
        blocks += [bk.divider(), bk.section(f"*{plural(len(hit.genes), 'gene')}*")]
        room = bk.MAX_VIEW_CHARS // 2  # the card, and a margin for the JSON around the text
        for text in sections[: bk.MAX_VIEW_BLOCKS - len(blocks)]:
            room -= len(text)
            if room < 0:
                break
            blocks.append(bk.section(text))
    return bk.view("modal", "Pathway figure", blocks)


def missing_figure_modal() -> dict:
    return bk.view(
        "modal", "Pathway figure", [bk.section("That figure is no longer in PathwayBot's index.")]
    )


def search_modal(query: str = "", answer: Answer | None = None, image_template: str = "") -> dict:
    """App Home's search: a text input, and once submitted, the answer under it."""
    blocks: list[dict | None] = [
        bk.text_input(
            *SEARCH_INPUT,
            "Genes, a family or words",
            "KRAS EGFR · NF-kB · search integrin resistance",
            query,
        )
    ]
    if answer is not None:
        blocks.append(bk.header(headline(answer)))
        notes = understood(answer)
        if notes:
            blocks.append(bk.context(*notes))
        if not answer.figures:
            blocks.append(bk.section(bk.escape(answer.message or "Nothing found.")))
        blocks += compact_rows(answer.figures[:MODAL_RESULTS], image_template, show=False)
        if answer.total > len(answer.figures[:MODAL_RESULTS]):
            blocks.append(
                bk.context(
                    f"Showing {len(answer.figures[:MODAL_RESULTS])} of {answer.count_text()}. "
                    f"`{COMMAND} {bk.escape(query)}` in a channel pages through them all."
                )
            )
    return bk.view(
        "modal",
        "Search figures",
        blocks,
        callback_id=VIEW_SEARCH,
        submit="Search",
        private_metadata=query[:500],
    )


def _status(state: ChannelState, zone: str) -> str:
    if state.paused_reason:
        return f"paused since {local(state.paused_at, zone)}: `{bk.escape(state.paused_reason)}`"
    return f"active · last digest {local(state.last_digest, zone)}"


def home_view(
    corpus: CorpusInfo,
    channels: Sequence[ChannelState],
    newest: Sequence[FigureHit],
    image_template: str,
    zone: str,
) -> dict:
    """App Home: what the bot holds, this workspace's subscriptions, the newest figures,
    and a Search button."""
    source = (
        f"PFOCR from {bk.escape(corpus.source)} at `{bk.escape((corpus.commit or '')[:12])}`"
        if corpus.source
        else "the starter figures bundled with PathwayBot (`pathway-bot sync` loads all of PFOCR)"
    )
    synced = f"last sync {local(corpus.synced, zone)}" if corpus.synced else "never synced"
    blocks: list[dict | None] = [
        bk.header("PathwayBot: pathway figures by gene"),
        bk.section(
            f"*{corpus.figures:,} figures* from {source} · {synced}",
            bk.button("Search", ACTION_HOME_SEARCH, "home", style="primary"),
        ),
        bk.context(
            f"Try `{COMMAND} KRAS`, `{COMMAND} NF-kB organism:human` or mention "
            "@PathwayBot in a thread."
        ),
        bk.divider(),
        bk.header("Subscriptions"),
    ]
    if channels:
        lines = [
            f"• <#{split_conversation(state.channel)[1]}>: "
            + ", ".join(f"*{bk.escape(s.label)}*" for s in state.subscriptions[:10])
            + (f" +{len(state.subscriptions) - 10}" if len(state.subscriptions) > 10 else "")
            + f" ({_status(state, zone)})"
            for state in channels[:HOME_CHANNELS]
            if bk.CHANNEL_ID_RE.match(split_conversation(state.channel)[1])
        ]
        blocks.append(bk.section("\n".join(lines)[: bk.MAX_SECTION_TEXT] or "None yet."))
    else:
        blocks.append(
            bk.section(
                f"No channel subscribes yet. `{COMMAND} subscribe KRAS` in a channel posts "
                "a daily digest of new figures there."
            )
        )
    blocks += [bk.divider(), bk.header("Newest figures")]
    blocks += compact_rows(newest[:HOME_NEWEST], image_template)
    return bk.view("home", "PathwayBot", blocks)


def unfurl(hit: FigureHit, image_template: str) -> dict:
    """The compact card a pasted figure link unfurls to."""
    return {"blocks": [b for b in compact_rows([hit], image_template) if b]}
