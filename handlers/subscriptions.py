"""`/pathway subscribe | unsubscribe | subscriptions | digest`: a channel's daily digest."""

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.views import render
from handlers.views.render_digest import (
    digest_page_message,
    invite_message,
    notes_message,
    subscribed_message,
    subscriptions_message,
)
from store import Store
from store.wording import plural

from .common import EPHEMERAL, Deps, where
from .web import CANNOT_POST  # the bot cannot post here: say how to invite it now

USAGE = (
    "Usage: `/pathway subscribe KRAS`, `/pathway subscribe NF-kB EGFR` or "
    "`/pathway subscribe search ferroptosis`."
)


class Subscriptions:
    """The subscription sub-commands; each takes the slash command payload."""

    def __init__(self, deps: Deps):
        self.deps = deps

    @property
    def store(self) -> Store:
        return self.deps.store

    def subscribe(self, command: dict, client: WebClient, respond: Callable[..., Any]) -> None:
        """Confirm in the channel (which proves the bot can post there), then save."""
        channel, user, text = command["channel_id"], command.get("user_id"), command["text"]
        if not text:
            return respond(**render.notice_message(USAGE), **EPHEMERAL)
        key = where(command, channel)  # everything a channel owns is keyed by workspace
        subs, problems = self.store.understand_subscription(key, text)
        state = self.store.subscriptions(key)
        have = {(s.kind, s.key) for s in state.subscriptions}
        # A paused channel re-confirms everything: a successful post is what resumes it.
        new = subs if state.paused_reason else [s for s in subs if (s.kind, s.key) not in have]
        notes = list(problems)
        already = [s.label for s in subs if s not in new and (s.kind, s.key) in have]
        if already:
            notes.insert(0, f"This channel already follows {', '.join(already)}.")
        if new:
            try:
                client.chat_postMessage(
                    channel=channel,
                    **subscribed_message(
                        user, new, self.deps.config.digest_time, self.deps.config.timezone
                    ),
                )
            except SlackApiError as error:
                if error.response.get("error") not in CANNOT_POST:
                    raise
                return respond(**invite_message(text), **EPHEMERAL)
            self.store.subscribe(new, user)
        if notes:
            respond(**notes_message(notes), **EPHEMERAL)

    def unsubscribe(self, command: dict) -> dict:
        text = command["text"]
        if not text:
            return render.notice_message(
                "Usage: `/pathway unsubscribe KRAS` or `/pathway unsubscribe all`."
            )
        removed = self.store.unsubscribe(where(command, command["channel_id"]), text)
        if not removed:
            return notes_message(
                [
                    f"This channel has no subscription matching “{text}”. "
                    "`/pathway subscriptions` lists them."
                ]
            )
        return notes_message([f"Unsubscribed this channel from {', '.join(removed)}."])

    def listing(self, command: dict) -> dict:
        return subscriptions_message(
            self.store.subscriptions(where(command, command["channel_id"])),
            self.deps.config.timezone,
        )

    def preview(self, command: dict) -> dict:
        """What the next digest would hold right now, or the latest matches if nothing is new."""
        config, channel = self.deps.config, where(command, command["channel_id"])
        plans = [p for p in self.store.digest_plans(channel) if p.figures]
        if plans:
            page = self.store.plan_page(plans[0], config.digest_cards)
            title = f"Next digest: {plural(page.total, 'new figure')} so far"
        else:
            recent = self.store.digest_recent(channel)
            if recent is None:
                return self.listing(command)
            page = self.store.plan_page(recent, config.digest_cards)
            since = (
                "Nothing new since the last digest"
                if self.store.subscriptions(channel).last_digest
                else "No digest has been posted here yet"
            )
            title = f"{since} · {plural(page.total, 'recent match')}"
        return digest_page_message(page, config.image_url_template, config.timezone, title)
