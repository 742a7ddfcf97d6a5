"""`/pathway <query>`: the preview is computed inside the ack, so it is Slack's first reply.

Every query is answered in milliseconds (bench/bench_serve.py), far inside Slack's 3 s.
`subscribe` and `unsubscribe` write (and `subscribe` posts), so they are acked first and
finished in `later`, where waiting for the database's write lock delays no ack.
"""

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from handlers.views import render
from handlers.views.state import PREVIEW, View

from .common import EPHEMERAL, Deps, guarded
from .enrich import EnrichHandler
from .grammar import SUBCOMMANDS, parse
from .subscriptions import Subscriptions


class PathwayCommand:
    """Answers `/pathway`: one method per row of handlers.grammar.SUBCOMMANDS."""

    def __init__(self, deps: Deps):
        self.deps = deps
        self.subscriptions_ = Subscriptions(deps)
        self.enrichment = EnrichHandler(deps)

    @guarded
    def handle(self, ack: Callable[..., Any], command: dict, logger: logging.Logger) -> None:
        row, text = parse(command.get("text", ""))
        if row.after_ack:
            return ack()  # it writes (and may post): answered in `later`, off the ack path
        ack(**getattr(self, row.handler)({**command, "text": text}), **EPHEMERAL)

    @guarded
    def later(
        self, command: dict, client: WebClient, respond: Callable[..., Any], logger: logging.Logger
    ) -> None:
        """After the ack: the sub-commands that write subscriptions or call the Web API.
        A write may wait for a bulk ingest's transaction; an ack must never."""
        row, text = parse(command.get("text", ""))
        if row.after_ack:
            getattr(self, row.handler)({**command, "text": text}, client, respond)

    # -- one method per sub-command ---------------------------------------------------------

    def ask(self, command: dict) -> dict:
        return self.deps.page(View(command["text"], 0, PREVIEW))

    def help(self, command: dict) -> dict:
        return render.help_message(SUBCOMMANDS)

    def stats(self, command: dict) -> dict:
        return render.stats_message(self.deps.store.stats())

    def subscriptions(self, command: dict) -> dict:
        return self.subscriptions_.listing(command)

    def digest(self, command: dict) -> dict:
        return self.subscriptions_.preview(command)

    def enrich(self, command: dict, client: WebClient, respond: Callable[..., Any]) -> None:
        self.enrichment.command(command, client, respond)

    def subscribe(self, command: dict, client: WebClient, respond: Callable[..., Any]) -> None:
        self.subscriptions_.subscribe(command, client, respond)

    def unsubscribe(self, command: dict, client: WebClient, respond: Callable[..., Any]) -> None:
        respond(**self.subscriptions_.unsubscribe(command), **EPHEMERAL)
