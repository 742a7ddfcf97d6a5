"""The `/pathway` grammar: one table of sub-commands, read by the parser, the dispatcher,
`/pathway help` and the README (a test checks that the README's table matches).

A new sub-command is one row here, one method on `handlers.command.PathwayCommand` (named
by `handler`), one view function and, if it needs data, one store function.
"""

import re
from dataclasses import dataclass

HELP_WORDS = frozenset({"", "help", "-h", "--help", "?", "usage"})
# A mention made only of these (and punctuation) asks about the bot, not about figures:
# "hi! can you help?", "hello, what can you do?". Genes are never all-lowercase here.
SMALL_TALK = frozenset(
    {
        "a",
        "about",
        "afternoon",
        "again",
        "an",
        "and",
        "anyone",
        "anything",
        "are",
        "bot",
        "can",
        "cheers",
        "could",
        "do",
        "does",
        "evening",
        "for",
        "good",
        "greetings",
        "hello",
        "help",
        "helping",
        "here",
        "hey",
        "hi",
        "hiya",
        "how",
        "i",
        "is",
        "it",
        "me",
        "morning",
        "ok",
        "okay",
        "or",
        "pathwaybot",
        "please",
        "pls",
        "so",
        "someone",
        "something",
        "thank",
        "thanks",
        "that",
        "the",
        "there",
        "this",
        "to",
        "u",
        "us",
        "usage",
        "use",
        "we",
        "what",
        "who",
        "will",
        "with",
        "work",
        "works",
        "would",
        "yo",
        "you",
    }
)
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def is_small_talk(text: str) -> bool:
    """Whether a mention holds no query at all: only greetings and questions about us."""
    words = WORD_RE.findall(text)
    return all(word.lower() in SMALL_TALK for word in words)


@dataclass(frozen=True)
class SubCommand:
    """One row of the table."""

    verb: str  # the first word; "" for a plain query
    usage: str  # what follows /pathway, as shown in help: "subscribe <genes or topic>"
    summary: str  # one line: what it does
    example: str  # a real example, without /pathway
    handler: str  # the PathwayCommand method that answers it
    args: bool = True  # takes the rest of the line; False: only when typed alone
    after_ack: bool = False  # writes or posts: acked at once, answered through response_url
    whole: bool = False  # the verb is part of the query the engine reads (figure, search)


SUBCOMMANDS = (
    SubCommand(
        "",
        "<genes or a family>",
        "figures that mention them, the most genes first",
        "KRAS EGFR",
        "ask",
    ),
    SubCommand(
        "figure",
        "figure <PMCID or figure id>",
        "one figure, or every figure of a paper",
        "figure PMC4111689",
        "ask",
        whole=True,
    ),
    SubCommand(
        "search",
        "search <words>",
        "full text of titles, captions and papers",
        "search integrin resistance",
        "ask",
        whole=True,
    ),
    SubCommand(
        "enrich",
        "enrich <gene list>",
        "figures a gene list is enriched in (Fisher, BH); alone: a form",
        "enrich TP53 MDM2 CDKN1A BAX BBC3 PMAIP1",
        "enrich",
        after_ack=True,
    ),
    SubCommand(
        "subscribe",
        "subscribe <genes, family, search topic or signature NAME genes>",
        "a daily digest of new figures in this channel (a signature: enriched ones)",
        "subscribe KRAS NF-kB",
        "subscribe",
        after_ack=True,
    ),
    SubCommand(
        "unsubscribe",
        "unsubscribe <term or all>",
        "stop following a subscription",
        "unsubscribe KRAS",
        "unsubscribe",
        after_ack=True,
    ),
    SubCommand(
        "subscriptions",
        "subscriptions",
        "what this channel follows, active or paused",
        "subscriptions",
        "subscriptions",
        args=False,
    ),
    SubCommand(
        "digest", "digest", "preview the next digest, privately", "digest", "digest", args=False
    ),
    SubCommand("stats", "stats", "what the database holds", "stats", "stats", args=False),
    SubCommand("help", "help", "all of this", "help", "help", args=False),
)
QUERY_EXAMPLES = (  # the ways a plain query can be written, for help and empty answers
    ("KRAS", "figures that mention a gene"),
    ("KRAS EGFR", "several genes: figures with the most of them first"),
    ("NF-kB", "a family: figures with any member"),
    ("KRAS organism:mouse since:2020", "filters, on any query: organism:human, since:2020"),
    ("search lactate bacteria year:2015-2019", "also year:2015-2019, type:scheme"),
)
FILTERS_HELP = (
    "Filters work on every query: `organism:human` (or mouse, rat, zebrafish, fly, "
    "yeast, or a species in quotes), `since:2020`, `year:2015-2019`, `type:figure`, "
    '`type:scheme`, `type:"graphical abstract"`. Many records name no organism: an '
    "organism filter leaves those out, and the answer says how many."
)
_BY_VERB = {row.verb: row for row in SUBCOMMANDS if row.verb}


def parse(text: str) -> tuple[SubCommand, str]:
    """(sub-command, the text it reads). A verb that takes no arguments counts only when
    typed alone ("stats KRAS" is a query); `figure` and `search` keep their verb, since
    the engine reads it."""
    text = " ".join((text or "").split())
    first, _, rest = text.partition(" ")
    verb = first.lower()
    if verb in HELP_WORDS and not rest:
        return _BY_VERB["help"], ""
    row = _BY_VERB.get(verb)
    if row is None or (not row.args and rest) or row.verb == "help":
        return SUBCOMMANDS[0], text
    return row, (text if row.whole else rest)


def markdown_table(rows: tuple[SubCommand, ...] = SUBCOMMANDS) -> str:
    """The README's table of sub-commands (a test checks the README holds exactly this)."""
    lines = ["| you type | what you get | example |", "| --- | --- | --- |"]
    lines += [
        f"| `/pathway {row.usage}` | {row.summary} | `/pathway {row.example}` |" for row in rows
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # python -m handlers.grammar > paste into the README
    print(markdown_table())
