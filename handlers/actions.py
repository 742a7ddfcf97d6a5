"""Buttons: paging, choices, Share, Cancel and "Show all genes".

Each is acked at once and finished in a background thread (bolt's lazy listeners),
because Web API calls may wait out a 429 Retry-After longer than Slack's 3 s.
"""

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from handlers.views import render
from handlers.views.cards import genes_message
from handlers.views.render_digest import digest_page_message
from handlers.views.state import SHARED, View, decode_digest, decode_genes, decode_view
from store import NotFound

from .common import EPHEMERAL, Listening, guarded, share, where


class ButtonHandler(Listening):
    """Every block action; the action's value carries all the state it needs."""

    @guarded
    def page(
        self, action: dict, respond: Callable[..., Any], body: dict, logger: logging.Logger
    ) -> None:
        """Prev, Next and the choice buttons: redraw the message in place."""
        view = decode_view(action["value"])
        respond(replace_original=True, **self.deps.page(view))

    @guarded
    def share(
        self,
        action: dict,
        respond: Callable[..., Any],
        client: WebClient,
        body: dict,
        logger: logging.Logger,
    ) -> None:
        """Post the current page for everyone, credited to the user, and drop the preview."""
        view = decode_view(action["value"])
        shared, user = View(view.query, view.offset, SHARED), body["user"]["id"]
        share(
            client,
            respond,
            lambda images: self.deps.page(shared, user, images),
            body["channel"]["id"],
        )

    @guarded
    def cancel(self, respond: Callable[..., Any], logger: logging.Logger, body: dict) -> None:
        respond(delete_original=True)

    @guarded
    def genes(
        self, action: dict, respond: Callable[..., Any], body: dict, logger: logging.Logger
    ) -> None:
        """Every gene of one figure, as a new ephemeral message."""
        figid, matched = decode_genes(action["value"])
        try:
            message = genes_message(self.deps.store.figure(figid), matched)
        except NotFound as error:
            message = render.notice_message(str(error))
        respond(replace_original=False, **message, **EPHEMERAL)

    @guarded
    def digest_page(
        self, action: dict, respond: Callable[..., Any], body: dict, logger: logging.Logger
    ) -> None:
        """ "See all N" on a digest (a private copy), then paging within that copy."""
        config = self.deps.config
        view = decode_digest(action["value"])
        # The value is the client's to forge; the channel is the one Slack signed for.
        channel = (
            (body.get("channel") or {}).get("id")
            or (body.get("container") or {}).get("channel_id")
            or ""
        )
        page = self.deps.store.digest_page(
            view.digest_id, view.offset, config.page_size, channel=where(body, channel)
        )
        if page is None:
            return respond(
                replace_original=False,
                **EPHEMERAL,
                **render.notice_message("That digest is not in this channel's history any more."),
            )
        message = digest_page_message(page, config.image_url_template, config.timezone)
        respond(replace_original=view.replace, **message, **EPHEMERAL)
