"""`/pathway <query>`: the preview is computed inside the ack, so it is Slack's first reply.

Every query is answered in milliseconds (bench/bench_serve.py), far inside Slack's 3 s.
`subscribe` and `unsubscribe` write (and `subscribe` posts), so they are acked first and
finished in `later`, where waiting for the database's write lock delays no ack.
"""

from bot import render
from bot.state import PREVIEW, View

from .common import EPHEMERAL, Deps, guarded
from .subscriptions import Subscriptions

HELP_WORDS = {"", "help", "-h", "--help", "?", "usage"}
BARE_VERBS = {"stats", "subscriptions", "digest"}  # only when typed alone
ARG_VERBS = {"subscribe", "unsubscribe"}  # take the rest of the line
WRITE_VERBS = {"subscribe", "unsubscribe"}  # answered after the ack


def parse(text: str) -> tuple[str, str]:
    """(verb, rest) for the sub-commands the engine does not answer itself; else ('ask', text)."""
    text = " ".join((text or "").split())
    first, _, rest = text.partition(" ")
    verb = first.lower()
    if verb in HELP_WORDS and not rest:
        return "help", ""
    if verb in BARE_VERBS and not rest:
        return verb, ""
    if verb in ARG_VERBS:
        return verb, rest
    return "ask", text


class PathwayCommand:
    """Answers `/pathway`: previews, help, stats and the subscription sub-commands."""

    def __init__(self, deps: Deps):
        self.deps = deps
        self.subscriptions = Subscriptions(deps)

    @guarded
    def handle(self, ack, command, logger):
        verb, rest = parse(command.get("text", ""))
        command = {**command, "text": rest}
        if verb in WRITE_VERBS:
            return ack()  # they write (and post), so they finish in `later`, off the ack path
        if verb == "help":
            message = render.help_message()
        elif verb == "stats":
            message = render.stats_message(self.deps.store.stats())
        elif verb == "subscriptions":
            message = self.subscriptions.listing(command)
        elif verb == "digest":
            message = self.subscriptions.preview(command)
        else:
            message = self.deps.page(View(rest, 0, PREVIEW))
        ack(**message, **EPHEMERAL)

    @guarded
    def later(self, command, client, respond, logger):
        """After the ack: the sub-commands that write subscriptions or call the Web API.
        A write may wait for a bulk ingest's transaction; an ack must never."""
        verb, rest = parse(command.get("text", ""))
        if verb == "subscribe":
            self.subscriptions.subscribe({**command, "text": rest}, client, respond)
        elif verb == "unsubscribe":
            respond(**self.subscriptions.unsubscribe({**command, "text": rest}), **EPHEMERAL)
