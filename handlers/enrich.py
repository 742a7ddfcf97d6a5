"""`/pathway enrich`: a gene list tested against every figure, its form, pager, Share and
table. The slash command is acked at once and answered through its response_url (a
3,000-gene list takes a few hundred milliseconds); the list is saved under a key that
the buttons carry."""

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from handlers.views import render
from handlers.views.enrich import enrich_message, enrich_modal, table_message
from handlers.views.state import PREVIEW, SHARED, THREAD, EnrichView, decode_enrich
from store.errors import EnrichError

from .common import EPHEMERAL, Listening, guarded, share
from .ids import ENRICH_BACKGROUND, ENRICH_GENES, ENRICH_MIN_OVERLAP
from .web import post_message

GONE = "That gene list is no longer stored. Run `/pathway enrich` again."


class EnrichHandler(Listening):
    """Every enrichment surface; the answer is recomputed from the stored list each time
    (milliseconds), so pages and shares always match the current figures."""

    def answer(self, view: EnrichView, shared_by: str | None = None, images: bool = True) -> dict:
        saved = self.deps.store.gene_list(view.key)
        if saved is None:
            return render.notice_message(GONE)
        genes, background, min_overlap = saved
        result = self.deps.store.enrich(genes, background, min_overlap)
        size = self.deps.config.page_size
        page = result.results[view.offset : view.offset + size]
        hits = {hit.id: hit for hit in self.deps.store.figures_by_id(r.figure_id for r in page)}
        template = self.deps.config.image_url_template if images else ""
        return enrich_message(result, hits, view, size, template, shared_by)

    def start(
        self, text: str, surface: str, background: str | None = None, overlap: int = 1
    ) -> EnrichView:
        """Check the list (EnrichError says what is wrong), save it, and render page one."""
        self.deps.store.enrich(text, background, overlap)  # raises before anything is saved
        key = self.deps.store.save_gene_list(text, background, overlap)
        return EnrichView(key, 0, surface)

    # -- the slash command ------------------------------------------------------------

    def command(self, command: dict, client: WebClient, respond: Callable[..., Any]) -> None:
        """`/pathway enrich GENES` answers privately; alone, it opens the form."""
        if not command["text"].strip():
            client.views_open(
                trigger_id=command["trigger_id"], view=enrich_modal(command.get("channel_id", ""))
            )
            return
        view = self.start(command["text"], PREVIEW)
        respond(**self.answer(view), **EPHEMERAL)

    def thread(self, text: str, client: WebClient, where: dict) -> None:
        """`@PathwayBot enrich GENES`: the answer in the mention's thread."""
        view = self.start(text, THREAD)
        post_message(client, lambda images: self.answer(view, None, images), **where)

    # -- buttons ----------------------------------------------------------------------

    @guarded
    def page(self, action: dict, respond: Callable[..., Any], logger: logging.Logger) -> None:
        respond(replace_original=True, **self.answer(decode_enrich(action["value"])))

    @guarded
    def table(self, action: dict, respond: Callable[..., Any], logger: logging.Logger) -> None:
        view = decode_enrich(action["value"])
        saved = self.deps.store.gene_list(view.key)
        if saved is None:
            return respond(replace_original=False, **render.notice_message(GONE), **EPHEMERAL)
        result = self.deps.store.enrich(*saved)
        figids = self.deps.store.figids_by_id(r.figure_id for r in result.results)
        respond(replace_original=False, **table_message(result, figids), **EPHEMERAL)

    @guarded
    def share(
        self,
        action: dict,
        respond: Callable[..., Any],
        client: WebClient,
        body: dict,
        logger: logging.Logger,
    ) -> None:
        view = decode_enrich(action["value"])
        shared, user = EnrichView(view.key, view.offset, SHARED), body["user"]["id"]
        share(
            client,
            respond,
            lambda images: self.answer(shared, user, images),
            body["channel"]["id"],
        )

    # -- the form ---------------------------------------------------------------------

    @guarded
    def submit(
        self,
        ack: Callable[..., Any],
        view: dict,
        body: dict,
        client: WebClient,
        logger: logging.Logger,
    ) -> None:
        """Check the form: errors show on their field. A good list closes it, and the
        answer arrives privately in the channel the command came from."""
        values = (view.get("state") or {}).get("values") or {}

        def value(ids: tuple[str, str]) -> str:
            return str(((values.get(ids[0]) or {}).get(ids[1]) or {}).get("value") or "").strip()

        genes, background, overlap_text = (
            value(ENRICH_GENES),
            value(ENRICH_BACKGROUND),
            value(ENRICH_MIN_OVERLAP),
        )
        errors = {}
        overlap = 1
        if overlap_text:
            if overlap_text.isdigit() and 1 <= int(overlap_text) <= 1000:
                overlap = int(overlap_text)
            else:
                errors[ENRICH_MIN_OVERLAP[0]] = "A whole number from 1 to 1,000."
        if not genes:
            errors[ENRICH_GENES[0]] = "Paste at least one gene symbol."
        if not errors:
            try:
                self.deps.store.enrich(genes, background or None, overlap)
            except EnrichError as error:
                field = ENRICH_BACKGROUND if "background" in str(error) else ENRICH_GENES
                errors[field[0]] = str(error)[:150]
        if errors:
            return ack(response_action="errors", errors=errors)
        ack()
        channel, user = str(view.get("private_metadata") or ""), body["user"]["id"]
        self.deps.posting.submit(
            self._post_private, genes, background or None, overlap, channel, user, client
        )

    def _post_private(
        self,
        genes: str,
        background: str | None,
        overlap: int,
        channel: str,
        user: str,
        client: WebClient,
    ) -> None:
        try:
            view = self.start(genes, PREVIEW, background, overlap)
            message = self.answer(view)
            if channel:
                client.chat_postEphemeral(channel=channel, user=user, **message)
            else:
                client.chat_postMessage(channel=user, **message)  # the app's DM
        except Exception as error:  # nobody waits on this thread: the log is the edge
            from .common import report

            report(error)
