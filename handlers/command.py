"""`/pathway <query>`: the preview is computed inside the ack, so it is Slack's first reply.

Every query is answered in milliseconds (bench/bench_serve.py), far inside Slack's 3 s,
so nothing here needs a background thread; slow Web API calls live in handlers/actions.
"""

from bot import render
from bot.state import PREVIEW, View

from .common import EPHEMERAL, Deps, guarded

HELP_WORDS = {"", "help", "-h", "--help", "?", "usage"}


def parse(text: str) -> tuple[str, str]:
    """('help'|'stats'|'ask', rest): sub-commands the engine does not answer itself."""
    text = " ".join((text or "").split())
    first, _, rest = text.partition(" ")
    if first.lower() in HELP_WORDS and not rest:
        return "help", ""
    if first.lower() == "stats" and not rest:
        return "stats", ""
    return "ask", text


class PathwayCommand:
    """Answers `/pathway` with an ephemeral preview, help or stats."""

    def __init__(self, deps: Deps):
        self.deps = deps

    @guarded
    def handle(self, ack, command, logger):
        verb, query = parse(command.get("text", ""))
        if verb == "help":
            message = render.help_message()
        elif verb == "stats":
            message = render.stats_message(self.deps.store.stats())
        else:
            message = self.deps.page(View(query, 0, PREVIEW))
        ack(**message, **EPHEMERAL)
