"""Surfaces beyond the slash command: "Show figure" modals, link unfurls, App Home with
its search modal, and the "Find pathway figures" message shortcut.

Every listener acks at once; whatever calls the Web API (views.open, views.publish,
chat.unfurl, response_url) runs after the ack, since a 429 may make it wait.
"""

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from handlers.views import render, surfaces
from handlers.views.state import PREVIEW, View

from .common import EPHEMERAL, LOG, Deps, Listening, guarded, workspace_of
from .ids import SEARCH_INPUT, figure_link

HOME_REPUBLISH_SECONDS = 60.0  # views.publish is rate-limited: an unchanged Home waits this long
NO_GENES = (
    "I found no gene names in that message. Genes are read as written in prose: "
    "ITGB3, RalB, NF-κB, TP53."
)


class FigureModal(Listening):
    """ "Show figure" on a compact row: the figure's full card, in a modal."""

    @guarded
    def show(
        self, action: dict, body: dict, client: WebClient, logger: logging.Logger, **_: Any
    ) -> None:
        hit = self.deps.store.find_figure(str(action.get("value", ""))[:200])
        view = (
            surfaces.figure_modal(hit, self.deps.config.image_url_template)
            if hit
            else surfaces.missing_figure_modal()
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)


class Unfurls(Listening):
    """`link_shared`: a pasted PFOCR or PMC figure link becomes the figure's compact card.
    Unknown figures are left alone; every link of one message goes in one chat.unfurl."""

    # Listening.ack acks at once: a slow ack makes Slack send the event again, and unfurl twice.

    @guarded
    def unfurl(self, event: dict, client: WebClient, logger: logging.Logger) -> None:
        template, unfurls = self.deps.config.image_url_template, {}
        for link in (event.get("links") or [])[:10]:
            url = str(link.get("url", ""))
            found = figure_link(url)
            if found is None:
                continue
            kind, ident = found
            store = self.deps.store
            hit = (
                store.find_figure(ident)
                if kind == "figid"
                else store.figure_by_link(*ident.split("/", 1))
            )
            if hit is not None:
                unfurls[url] = surfaces.unfurl(hit, template)
        if not unfurls:
            return
        where = (
            {"unfurl_id": event["unfurl_id"], "source": event["source"]}
            if event.get("unfurl_id") and event.get("source")
            else {"channel": event["channel"], "ts": event["message_ts"]}
        )
        client.chat_unfurl(unfurls=unfurls, **where)


class AppHome(Listening):
    """The Home tab, and its search modal."""

    def __init__(self, deps: Deps, clock: Callable[[], float] = time.monotonic):
        super().__init__(deps)
        self.clock = clock
        self._published: dict[str, tuple[float, str]] = {}  # user -> (when, view hash)
        self._lock = threading.Lock()

    def home(self, workspace: str | None = None) -> dict:
        store, config = self.deps.store, self.deps.config
        return surfaces.home_view(
            store.corpus_info(),
            store.all_subscriptions(workspace=workspace),
            store.newest(surfaces.HOME_NEWEST),
            config.image_url_template,
            config.timezone,
        )

    def due(self, user: str, view: dict) -> bool:
        """Publish when the view changed, or a minute after the last publish."""
        digest = hashlib.sha1(json.dumps(view, sort_keys=True).encode()).hexdigest()
        now = self.clock()
        with self._lock:
            last = self._published.get(user)
            if last and last[1] == digest and now - last[0] < HOME_REPUBLISH_SECONDS:
                return False
            self._published[user] = (now, digest)
            return True

    @guarded
    def opened(
        self, event: dict, client: WebClient, logger: logging.Logger, body: dict | None = None
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        workspace = workspace_of(body or {})
        user, view = event["user"], self.home(workspace)
        if self.due(f"{workspace}:{user}", view):  # App Home state, per workspace
            client.views_publish(user_id=user, view=view)

    @guarded
    def open_search(self, body: dict, client: WebClient, logger: logging.Logger, **_: Any) -> None:
        client.views_open(trigger_id=body["trigger_id"], view=surfaces.search_modal())

    @guarded
    def submit(self, ack: Callable[..., Any], view: dict, logger: logging.Logger) -> None:
        """The modal's answer replaces it in place (`response_action: update`)."""
        block, action = SEARCH_INPUT
        values = (view.get("state") or {}).get("values") or {}
        query = " ".join(str((values.get(block) or {}).get(action, {}).get("value") or "").split())
        if not query:
            return ack(response_action="errors", errors={block: "Type a gene or some words."})
        answer = self.deps.store.ask(query, limit=surfaces.MODAL_RESULTS)
        ack(
            response_action="update",
            view=surfaces.search_modal(query, answer, self.deps.config.image_url_template),
        )


class FindShortcut(Listening):
    """The "Find pathway figures" message shortcut: the genes a message names, answered
    privately with the multi-gene preview (which has Share)."""

    @guarded
    def find(
        self, shortcut: dict, respond: Callable[..., Any], logger: logging.Logger, **_: Any
    ) -> None:
        text = str((shortcut.get("message") or {}).get("text") or "")
        genes = self.deps.store.genes_in(text)
        if not genes:
            return respond(**render.notice_message(NO_GENES), **EPHEMERAL)
        preview = self.deps.page(View(" ".join(dict.fromkeys(genes)), 0, PREVIEW))
        respond(replace_original=False, **preview, **EPHEMERAL)


UNINSTALLED = "app_uninstalled"  # the pause reasons /pathway subscriptions shows
REVOKED = "tokens_revoked"


class Uninstalls(Listening):
    """`app_uninstalled` and `tokens_revoked`: the workspace's installation is deleted
    (OAuth mode) and its channels' digests paused with the reason. Their subscriptions
    are kept: reinstalling and running `/pathway subscribe` in a channel resumes it."""

    @guarded
    def uninstalled(self, event: dict, body: dict, logger: logging.Logger) -> None:
        self._forget(body, bot=True, reason=UNINSTALLED)

    @guarded
    def revoked(self, event: dict, body: dict, logger: logging.Logger) -> None:
        tokens = event.get("tokens") or {}
        if tokens.get("bot"):
            self._forget(body, bot=True, reason=REVOKED)
        for user in tokens.get("oauth") or []:
            self._forget(body, bot=False, reason=REVOKED, user=user)

    def _forget(self, body: dict, bot: bool, reason: str, user: str | None = None) -> None:
        team = body.get("team_id")
        enterprise = body.get("enterprise_id")
        store = self.deps.installations
        if store is not None:
            if user:
                store.delete_installation(enterprise_id=enterprise, team_id=team, user_id=user)
            else:  # the bot's token is the only one we use: the install is gone with it
                store.delete_all(enterprise_id=enterprise, team_id=team)
        workspace = team or enterprise
        if bot and workspace:
            paused = self.deps.store.pause_workspace(str(workspace), reason)
            LOG.warning("workspace %s: %s; paused %d channel(s)", workspace, reason, paused)
