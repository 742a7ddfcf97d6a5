"""Posting digests: one message per channel, each figure at most once, bad channels paused."""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError

from handlers.views.render_digest import digest_message
from handlers.web import CANNOT_POST, post_message
from store import Store
from store.models import split_conversation
from store.wording import plural

from .config import Config

LOG = logging.getLogger("pathway_bot.digest")
# Slack errors that mean this channel cannot take posts until someone acts.
PAUSE_ERRORS = CANNOT_POST  # the one set: Slack takes no posts here until someone acts
METADATA_EVENT = "pathway_digest"  # tags our posts so an in-doubt one can be found again


class NotInstalled(Exception):
    """OAuth mode: no installation (so no token) for a channel's workspace."""


NOT_INSTALLED = "app_not_installed"  # the pause reason shown in /pathway subscriptions


@dataclass
class DigestReport:
    """What one run did, channel by channel."""

    posted: list[tuple[str, int]] = field(default_factory=list)  # (channel, figures)
    quiet: list[str] = field(default_factory=list)  # nothing new
    paused: list[tuple[str, str]] = field(default_factory=list)  # (channel, Slack error)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (channel, why) retried next run
    reconciled: list[tuple[str, str]] = field(default_factory=list)  # (channel, outcome)

    def summary(self) -> str:
        figures = sum(n for _, n in self.posted)
        parts = [
            f"posted {plural(len(self.posted), 'digest')} ({plural(figures, 'figure')})",
            f"{len(self.quiet)} with nothing new",
            f"paused {len(self.paused)}",
            f"failed {len(self.failed)}",
        ]
        return ", ".join(parts)


def _now() -> str:
    return datetime.now().astimezone().isoformat()


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


class DigestRunner:
    """Plans, posts and records digests; `client` is a slack_sdk WebClient."""

    def __init__(self, store: Store, client, config: Config, sleep=time.sleep, clients=None):
        self.store, self.client, self.config, self.sleep = store, client, config, sleep
        self.clients = clients  # OAuth mode: workspace -> its WebClient, or None
        self._last_post = 0.0

    def _where(self, key: str):
        """(the client with this workspace's token, the bare channel id) for a key."""
        workspace, channel = split_conversation(key)
        if self.clients is None:
            return self.client, channel
        client = self.clients(workspace)
        if client is None:
            raise NotInstalled(f"workspace {workspace} has no installation")
        return client, channel

    def run(self, channel: str | None = None) -> DigestReport:
        """Settle posts a killed run left in doubt, then post every channel's digest."""
        report = DigestReport()
        self.reconcile(report)
        unsettled = {channel_ for _, channel_, _ in self.store.digest_in_doubt()}
        for plan in self.store.digest_plans(channel):
            if plan.channel in unsettled:  # posting again could repeat what may have arrived
                report.failed.append((plan.channel, "an earlier post is still unconfirmed"))
                continue
            if not plan.figures:
                self.store.digest_nothing_new(plan.channel, plan.cutoff)
                report.quiet.append(plan.channel)
                if not (self.config.digest_post_empty and self._first_today(plan.channel)):
                    continue
            try:
                self._post(plan, report)
            except NotInstalled:  # uninstalled without our hearing of it: keep, but pause
                self.store.pause_channel(plan.channel, NOT_INSTALLED)
                report.paused.append((plan.channel, NOT_INSTALLED))
        return report

    def _post(self, plan, report: DigestReport) -> None:
        self._where(plan.channel)  # NotInstalled before anything is recorded
        digest_id = self.store.digest_start(plan)  # intent first: a kill leaves it in doubt
        page = self.store.digest_page(digest_id, 0, self.config.digest_cards)
        self._pace()
        metadata = {"event_type": METADATA_EVENT, "event_payload": {"digest_id": digest_id}}
        config = self.config
        try:
            client, conversation = self._where(plan.channel)
            response = post_message(
                client,
                lambda images: digest_message(
                    page, config.image_url_template if images else "", config.timezone
                ),
                lookup=lambda: self._find_post(plan.channel, digest_id, _now()),
                channel=conversation,
                unfurl_links=False,
                unfurl_media=False,
                metadata=metadata,
            )
        except SlackApiError as error:
            reason = error.response.get("error") or str(error)
            self.store.digest_abandon(digest_id)  # Slack refused it: nothing was posted
            if reason in PAUSE_ERRORS:
                self.store.pause_channel(plan.channel, reason)
                report.paused.append((plan.channel, reason))
                LOG.warning("paused digests to %s: Slack said %s", plan.channel, reason)
            else:
                report.failed.append((plan.channel, f"Slack said {reason}"))
            return
        except OSError as error:  # retried with backoff already, or it may have arrived
            ts = self._settle(plan.channel, digest_id)
            if ts:
                self.store.digest_finish(digest_id, ts)
                report.posted.append((plan.channel, len(plan.figures)))
            else:
                report.failed.append((plan.channel, f"network error: {error}"))
                LOG.warning("digest %s to %s is in doubt: %s", digest_id, plan.channel, error)
            return
        self.store.digest_finish(digest_id, response.get("ts"))
        if plan.figures:
            report.posted.append((plan.channel, len(plan.figures)))

    def _first_today(self, channel: str) -> bool:
        """No digest (not even an empty one) went to this channel yet today."""
        last = self.store.subscriptions(channel).last_digest
        today = datetime.now(ZoneInfo(self.config.timezone)).date()
        return (
            not last
            or datetime.fromisoformat(last).astimezone(ZoneInfo(self.config.timezone)).date()
            < today
        )

    def _pace(self) -> None:
        """About one post per second: Slack's chat.postMessage allowance per channel."""
        wait = self._last_post + self.config.digest_interval - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last_post = time.monotonic()

    def reconcile(self, report: DigestReport) -> None:
        """For each post a killed run left in doubt, ask Slack whether it arrived."""
        for digest_id, channel, started in self.store.digest_in_doubt():
            try:
                ts = self._find_post(channel, digest_id, started)
            except SlackApiError as error:
                reason = error.response.get("error")
                if reason in PAUSE_ERRORS:
                    self.store.digest_abandon(digest_id)
                    self.store.pause_channel(channel, reason)
                    report.paused.append((channel, reason))
                    continue
                # Cannot look (e.g. missing_scope): count it as delivered, because a
                # repeat post is worse than a missed one for a daily digest.
                LOG.warning(
                    "cannot check digest %s in %s (%s); assuming it arrived",
                    digest_id,
                    channel,
                    reason,
                )
                self.store.digest_finish(digest_id, None)
                report.reconciled.append((channel, "assumed delivered"))
                continue
            except OSError as error:
                report.failed.append((channel, f"network error while checking: {error}"))
                continue
            if ts:
                self.store.digest_finish(digest_id, ts)
                report.reconciled.append((channel, "had arrived"))
            else:
                self.store.digest_abandon(digest_id)
                report.reconciled.append((channel, "had not arrived; reposting"))

    def _settle(self, channel: str, digest_id: int) -> str | None:
        """The ts of a just-attempted post if Slack has it; None if not, or if unknown."""
        try:
            return self._find_post(channel, digest_id, _now())
        except (SlackApiError, OSError):
            return None

    def _find_post(self, channel: str, digest_id: int, started: str) -> str | None:
        """The ts of our digest message in the channel's recent history, if Slack has it."""
        client, conversation = self._where(channel)
        response = client.conversations_history(
            channel=conversation,
            oldest=str(_epoch(started) - 60),
            limit=200,
            include_all_metadata=True,
        )
        for message in response.get("messages", []):
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and (metadata.get("event_payload") or {}).get("digest_id") == digest_id
            ):
                return message.get("ts")
        return None
