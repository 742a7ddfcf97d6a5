"""`create_app(config, store)`: the bolt App with every command, event and action wired."""

import logging
from dataclasses import dataclass, field
from typing import Callable

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (ConnectionErrorRetryHandler,
                                                   RateLimitErrorRetryHandler)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from handlers.actions import ButtonHandler
from handlers.command import PathwayCommand
from handlers.common import Deps, apologise, report
from handlers.mention import MentionHandler
from store import Store

from .config import Config
from .ids import (ACTION_CANCEL, ACTION_CHOOSE, ACTION_DIGEST_PAGE, ACTION_GENES, ACTION_NEXT, ACTION_PREV,
                  ACTION_SHARE, COMMAND, EVENT_MENTION, numbered_pattern)

RATE_LIMIT_RETRIES = 3  # each waits out Slack's Retry-After
NETWORK_RETRIES = 2  # connection failures, after 0.5 s then 1 s
WEB_API_TIMEOUT = 10  # seconds


@dataclass(frozen=True)
class Listener:
    """One row of the registration table."""

    kind: str  # "command", "event" or "action"
    id: object  # command name, event type, action id or pattern
    ack: Callable
    lazy: list[Callable] = field(default_factory=list)  # run after the ack, in a thread


def listeners(deps: Deps) -> list[Listener]:
    """The registration table: every surface the bot answers."""
    command, mention, buttons = PathwayCommand(deps), MentionHandler(deps), ButtonHandler(deps)
    return [
        Listener("command", COMMAND, command.handle, [command.later]),
        Listener("event", EVENT_MENTION, mention.ack, [mention.reply]),
        Listener("action", ACTION_PREV, buttons.ack, [buttons.page]),
        Listener("action", ACTION_NEXT, buttons.ack, [buttons.page]),
        Listener("action", numbered_pattern(ACTION_CHOOSE), buttons.ack, [buttons.page]),
        Listener("action", ACTION_SHARE, buttons.ack, [buttons.share]),
        Listener("action", ACTION_CANCEL, buttons.ack, [buttons.cancel]),
        Listener("action", numbered_pattern(ACTION_GENES), buttons.ack, [buttons.genes]),
        Listener("action", numbered_pattern(ACTION_DIGEST_PAGE), buttons.ack,
                 [buttons.digest_page]),
    ]


def web_client(config: Config) -> WebClient:
    """A WebClient for the configured API host that waits out 429s by Retry-After."""
    options = {"base_url": config.slack_api_base_url} if config.slack_api_base_url else {}
    client = WebClient(token=config.bot_token, timeout=WEB_API_TIMEOUT, **options)
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=NETWORK_RETRIES, interval_calculator=
                                    BackoffRetryIntervalCalculator(backoff_factor=0.5)),
        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
    ]
    return client


def from_a_bot(event: dict) -> bool:
    """Bots (this one included) never start a conversation with us."""
    return bool(event.get("bot_id") or event.get("subtype") == "bot_message"
                or event.get("bot_profile"))


def once_per_event(store: Store):
    """Middleware: drop bot events and Slack's retries of an event already handled."""
    def middleware(body, next, logger):
        if body.get("type") == "event_callback":
            if from_a_bot(body.get("event") or {}):
                return BoltResponse(status=200, body="")
            event_id = body.get("event_id")
            if event_id and not store.claim_event(event_id):
                logger.info("event %s already handled; ignoring Slack's retry", event_id)
                return BoltResponse(status=200, body="")
        return next()
    return middleware


def on_error(error, body, logger):
    """Last resort for failures outside our handlers (middleware, bad payloads)."""
    error_id = report(error, logger, body)
    body = body or {}
    if body.get("response_url"):
        webhook = WebhookClient(body["response_url"])
        apologise(error_id, {"respond": lambda **message: webhook.send_dict(message), "body": body})
    return BoltResponse(status=200, body="") if body.get("command") else None


def _quiet_token_warning(record: logging.LogRecord) -> bool:
    """bolt warns that SLACK_BOT_TOKEN from the env is unused: our client carries it."""
    return "`token` will be unused" not in record.getMessage()


def create_app(config: Config, store: Store, token_verification_enabled: bool = True) -> App:
    """The bolt App for HTTP or Socket Mode; needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET."""
    config.require("bot_token", "signing_secret")
    logger = logging.getLogger("pathway_bot.bolt")
    logger.addFilter(_quiet_token_warning)
    app = App(
        client=web_client(config),
        signing_secret=config.signing_secret,
        # Listeners finish before the HTTP reply, so the slash command's preview is the
        # reply itself and bolt does not poll for the ack; slow work uses lazy listeners.
        process_before_response=True,
        token_verification_enabled=token_verification_enabled,
        logger=logger,
    )
    app.middleware(once_per_event(store))
    deps = Deps(store, config)
    for row in listeners(deps):
        register = {"command": app.command, "event": app.event, "action": app.action}[row.kind]
        register(row.id)(ack=row.ack, lazy=row.lazy)
    app.error(on_error)
    return app
