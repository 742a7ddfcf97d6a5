"""Pure functions from engine answers to Slack messages: {"text", "blocks"}."""

import re
from collections.abc import Callable, Sequence

from handlers.grammar import FILTERS_HELP, QUERY_EXAMPLES, SUBCOMMANDS, SubCommand
from handlers.ids import (
    ACTION_BACK,
    ACTION_CANCEL,
    ACTION_CHOOSE,
    ACTION_NEXT,
    ACTION_PREV,
    ACTION_SHARE,
    COMMAND,
    numbered,
)
from store.errors import QueryError
from store.filters import split_filters
from store.models import (
    KIND_AMBIGUOUS,
    KIND_FAMILY,
    Answer,
    CorpusInfo,
    FigureHit,
    Mode,
    Resolution,
    Stats,
)

from . import blocks as bk
from .cards import figure_card
from .compact import compact_rows
from .state import PREVIEW, SHARED, View

MAX_CHOICES = 10  # did-you-mean, ambiguity and "only <member>" buttons per message
PREVIEW_CAPTION = 160  # the top card's caption: two lines, enough to tell figures apart
CAPTION_STEPS = (PREVIEW_CAPTION, 100, 0)  # how it shrinks when a page runs over budget
USER_ID_RE = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def group_name(resolution: Resolution) -> str:
    """'KRAS', or 'NF-κB family (5 genes)'."""
    if resolution.kind == KIND_FAMILY:
        return f"{resolution.title} ({len(resolution.symbols)} genes)"
    return resolution.title


def headline(answer: Answer) -> str:
    """What was understood and how much was found, e.g. 'KRAS · 342 figures'."""
    count = answer.count_text()
    if answer.mode == Mode.GENES:
        head = answer.coverage() or (
            f"{' + '.join(group_name(r) for r in answer.genes if r.symbols)} · {count}"
        )
        note = answer.text_note()  # 'KRAS · 26 figures · 3 mention “lung cancer” (shown first)'
        head = f"{head} · {note}" if note else head
        return f"{head} · {answer.filters.describe()}" if answer.filters else head
    if answer.mode == Mode.SEARCH and answer.filters:
        return f"Search results · {count} · {answer.filters.describe()}"
    if answer.mode == Mode.SEARCH:  # the query itself goes in mrkdwn, never in plain text
        return f"Search results · {count}"
    if answer.mode == Mode.FIGURE:
        return answer.message
    return "Did you mean…?" if answer.suggestions else "Nothing found"


def understood(answer: Answer) -> list[str]:
    """One escaped mrkdwn line per term that needs explaining."""
    lines = []
    for r in answer.genes:
        term, shown = bk.escape(r.input), bk.escape(r.title)
        if r.corrected:
            lines.append(f"“{term}” looks like a typo: showing *{shown}*.")
        elif r.kind == KIND_AMBIGUOUS:
            lines.append(
                f"“{term}”: {bk.escape(r.note)}. Showing *{shown}*; pick another below instead."
            )
        elif r.kind == KIND_FAMILY:
            lines.append(
                f"*{shown}*: {', '.join(bk.escape(s) for s in r.symbols[:20])}"
                f"{', …' if len(r.symbols) > 20 else ''}. Any member counts."
            )
        elif r.note and r.symbols and r.input.upper() != r.title.upper():
            lines.append(f"“{term}” → *{shown}* ({bk.escape(r.note)}).")
        elif r.not_gene:
            lines.append(
                f"“{term}” is {bk.escape(r.not_gene)}: not read as a gene "
                f"(`gene {term}` reads it as one)."
            )
    if answer.words:
        words = bk.escape(" ".join(answer.words))
        lines.append(f"“{words}”: not read as genes; figures whose text mentions them come first.")
    if answer.mode == Mode.SEARCH:
        lines.append(bk.escape(answer.message))
    return lines


def choices(answer: Answer) -> list[str]:
    """Queries worth a button: other spellings, other candidates, single family members."""
    picked = {s for r in answer.genes if r.symbols for s in r.symbols[:1]}
    options = [s for s in answer.suggestions if s not in picked]
    for r in answer.genes:
        if r.kind == KIND_AMBIGUOUS:
            options += r.symbols[1:]
    for r in answer.genes:
        if r.kind == KIND_FAMILY:
            options += [f"only {s}" for s in r.symbols]
    return list(dict.fromkeys(options))[:MAX_CHOICES]


def next_steps(answer: Answer) -> list[tuple[str, str]]:
    """(label, query) worth a button when an answer shows no figure: without the filters,
    the same words as a text search, or the usage. An empty answer never offers nothing."""
    if answer.figures:
        return []
    steps = []
    try:
        rest, typed = split_filters(answer.query)
    except QueryError:
        rest, typed = answer.query, None
    if (answer.filters or typed) and rest:
        steps.append(("Without the filters", rest))
    if answer.mode == Mode.GENES and rest:  # NONE already searched the text, and found none
        steps.append((f"Search the text for “{bk.clip(rest, 40)}”", f"search {rest}"))
    return steps


def choice_buttons(answer: Answer, view: View) -> dict | None:
    """Did-you-mean and other readings, what to try after an empty answer, and the way
    back to the first reading after one of them was picked."""
    surface, buttons = view.surface, []
    for number, option in enumerate(choices(answer)):
        query = option.removeprefix("only ")
        back = view.back or answer.query
        buttons.append(
            bk.button(
                option, numbered(ACTION_CHOOSE, number), View(query, 0, surface, back).encode()
            )
        )
    for number, (label, query) in enumerate(next_steps(answer), len(buttons)):
        buttons.append(
            bk.button(label, numbered(ACTION_CHOOSE, number), View(query, 0, surface).encode())
        )
    if view.back:
        label = f"◀ Back to “{bk.clip(view.back, 40)}”"
        buttons.append(bk.button(label, ACTION_BACK, View(view.back, 0, surface).encode()))
    return bk.actions(*buttons)


Button = tuple[str, str]  # (action id, value)


def pager(
    offset: int,
    shown: int,
    total: int,
    prev: Button | None,
    next_: Button | None,
    extra: Sequence[dict] = (),
    note: str | None = None,
) -> list[dict | None]:
    """'Figures 1–5 of 342' (and a note beside it), then ◀ Prev / Next ▶ (each only when
    there is a page there) and any extra buttons. Every pager in the app, answers and
    digests alike, is this one."""
    buttons = [
        bk.button("◀ Prev", *prev) if prev and offset > 0 else None,
        bk.button("Next ▶", *next_) if next_ and offset + shown < total else None,
        *extra,
    ]
    count = f"Figures {offset + 1}–{offset + shown} of {total:,}"
    return [bk.context(count, note or ""), bk.actions(*buttons)]


def answer_pager(
    answer: Answer, view: View, shown: int, note: str | None = None
) -> list[dict | None]:
    """The pager of a query's answer, plus Share and Cancel on a preview."""
    if view.surface == SHARED:
        return pager(answer.offset, shown, answer.total, None, None, note=note)
    extra = []
    if view.surface == PREVIEW:
        extra = [
            bk.button("Share to channel", ACTION_SHARE, view.encode(), style="primary"),
            bk.button("Cancel", ACTION_CANCEL, view.encode()),
        ]
    return pager(
        answer.offset,
        shown,
        answer.total,
        (ACTION_PREV, view.at(answer.offset - answer.limit).encode()),
        (ACTION_NEXT, view.at(answer.offset + answer.limit).encode()),
        extra,
        note,
    )


def fallback(title: str, offset: int, hits: Sequence[FigureHit]) -> str:
    """The plain-text version of a page of figures, for notifications and screen readers."""
    lines = [title] + [
        f"{offset + n}. {hit.title or hit.figid}" + (f" ({hit.year})" if hit.year else "")
        for n, hit in enumerate(hits, 1)
    ]
    return bk.escape("\n".join(lines))


STARTER_HINT = (
    "From the {figures:,} bundled starter figures: `pathway-bot sync` loads all of PFOCR (~80,000)"
)


def starter_hint(corpus: CorpusInfo | None) -> str | None:
    """One line on loading the real collection, while only the starter set is loaded."""
    return STARTER_HINT.format(figures=corpus.figures) if corpus and corpus.starter else None


def answer_message(
    answer: Answer,
    view: View,
    image_template: str,
    shared_by: str | None = None,
    corpus: CorpusInfo | None = None,
) -> dict:
    """The whole reply to a query on one surface, shrunk to fit Slack's budget: the top
    figure as a full card and the rest as compact rows (a shared answer: rows only)."""
    title = headline(answer)
    top: list[dict | None] = [bk.header(title)]
    notes = understood(answer)
    if answer.mode == Mode.NONE or (not answer.figures and answer.message):
        top.append(bk.section(bk.escape(answer.message)))  # 'No figure matches organism:…'
    if not answer.figures and not choices(answer) and not next_steps(answer):
        top.append(bk.section(examples_text()))  # nothing to click: the usage, not a shrug
    if notes:
        top.append(bk.context(*notes))
    if view.surface == SHARED and shared_by and USER_ID_RE.match(shared_by):
        top.append(bk.context(f"Shared by <@{shared_by}> · {COMMAND} {bk.escape(answer.query)}"))
    if view.surface != SHARED:
        top.append(choice_buttons(answer, view))
    top = [b for b in top if b]  # the budget below counts real blocks
    hint = starter_hint(corpus)

    def build(caption: int, count: int) -> dict:
        shown = answer.figures[:count]
        cards: list[dict | None] = []
        if view.surface != SHARED and shown:
            cards += figure_card(shown[0], 0, image_template, caption) + [bk.divider()]
            shown = shown[1:]
        cards += compact_rows(shown, image_template, len(answer.figures[:count]) - len(shown))
        bottom = answer_pager(answer, view, count, hint) if count else []
        if hint and not count:
            bottom.append(bk.context(hint))
        return bk.message(fallback(title, answer.offset, answer.figures), top + cards + bottom)

    return fit(build, len(answer.figures))


def fit(build: Callable[[int, int], dict], count: int) -> dict:
    """The richest build(caption_chars, cards) within Slack's budget: shorter captions first,
    then fewer cards."""
    for shown in range(count, -1, -1):
        for caption in CAPTION_STEPS:
            try:
                message = build(caption, shown)
            except ValueError:  # too many blocks
                continue
            if bk.size(message) <= bk.MAX_MESSAGE_CHARS:
                return message
    raise ValueError("even an empty page exceeds Slack's message budget")


def examples_text(subcommands: Sequence[SubCommand] = SUBCOMMANDS) -> str:
    """The usage lines shared by help and by answers that found nothing: the ways to
    write a query, then every sub-command with an example."""
    lines = [f"`{COMMAND} {example}`  {what}" for example, what in QUERY_EXAMPLES]
    lines += [
        f"`{COMMAND} {bk.escape(row.example)}`  {bk.escape(row.summary)}"
        for row in subcommands
        if row.verb
    ]
    return "\n".join(lines)


def help_message(subcommands: Sequence[SubCommand] = SUBCOMMANDS) -> dict:
    """Usage, with examples, from the sub-command table."""
    blocks = [
        bk.header("PathwayBot: published pathway figures by gene"),
        bk.section(examples_text(subcommands)),
        bk.section(FILTERS_HELP),
        bk.section(
            "Mention *@PathwayBot* in a channel with a question, e.g. "
            "“which figures show ITGB3 and RALB?”, and it answers in a thread."
        ),
        bk.context(
            "Figures and genes: Pathway Figure OCR (pfocr.wikipathways.org). "
            "Gene names: HGNC and FamPlex."
        ),
    ]
    return bk.message(f"PathwayBot help: try {COMMAND} KRAS", blocks)


def short_help_message() -> dict:
    """What a mention with no question gets: three ways to ask, in a few lines."""
    text = (
        "Hi! Ask me for published pathway figures by gene: "
        "*@PathwayBot which figures show ITGB3 and RALB?*, *@PathwayBot NF-kB*, "
        f"or *@PathwayBot search integrin resistance*. `{COMMAND} help` lists everything."
    )
    return bk.message(
        bk.escape("Ask me for pathway figures by gene, e.g. ITGB3 and RALB."), [bk.section(text)]
    )


def stats_message(stats: Stats) -> dict:
    """What the database holds."""
    run = stats.last_ingest
    last = (
        (
            f"{(run['finished'] or run['started'])[:16].replace('T', ' ')} UTC: "
            f"{run['ingested']:,} new or changed, {run['failed']:,} failed"
        )
        if run
        else "never"
    )
    blocks = [
        bk.header("PathwayBot database"),
        bk.fields(
            [
                ("Figures", f"{stats.figures:,}"),
                ("Papers", f"{stats.papers:,}"),
                ("Genes", f"{stats.genes:,}"),
                ("Figure–gene links", f"{stats.links:,}"),
                ("Last update", bk.escape(last)),
            ]
        ),
    ]
    if stats.top_genes:
        blocks.append(
            bk.section(
                "*Most pictured genes:* "
                + ", ".join(f"{bk.escape(s)} ({n:,})" for s, n in stats.top_genes)
            )
        )
    return bk.message(f"PathwayBot: {stats.figures:,} figures, {stats.genes:,} genes", blocks)


def notice_message(text: str) -> dict:
    """A one-line reply; `text` is escaped here."""
    return bk.message(bk.escape(text), [bk.section(bk.escape(text))])


def error_message(error_id: str) -> dict:
    """The apology a user sees when something broke; the log has the traceback."""
    text = (
        f":warning: Sorry, something went wrong on our side (error id `{error_id}`). "
        "Please try again; if it keeps happening, give this id to whoever runs PathwayBot."
    )
    return bk.message(text, [bk.section(text)])
