"""`create_app(config, store)`: the bolt App with every command, event and action wired."""

import logging

from slack_bolt import App, BoltResponse
from slack_bolt.middleware.request_verification import RequestVerification
from slack_sdk import WebClient

from handlers import web
from handlers.common import Deps, apologise, report
from handlers.table import listeners
from store import Store

from .config import Config

VERIFIED = "pathway_verified"  # context key: set only once Slack's signature checked out
LOG = logging.getLogger("pathway_bot")


def request_client(config: Config) -> WebClient:
    """The WebClient replies use: short timeouts, and 429 waits capped (then an apology)."""
    return web.web_client(
        config.bot_token,
        config.slack_api_base_url,
        timeout=web.REQUEST_TIMEOUT,
        max_retry_after=web.REQUEST_MAX_RETRY_AFTER,
    )


class Verification(RequestVerification):
    """bolt's signature check, except that *any* failure is a 401 and nothing else runs.

    bolt's own check raises on a timestamp that is not a number, and its error handler then
    sees the unverified body. Ours marks the context verified, and checks the response_url
    Slack gave: only Slack's hook hosts (or the configured API stand-in) get replies.
    """

    def __init__(self, signing_secret: str, api_base_url: str | None):
        super().__init__(signing_secret)
        self.api_base_url = api_base_url

    def process(self, *, req, resp, next):
        if req.mode != "socket_mode":  # the socket itself is authenticated by the app token
            try:
                timestamp = req.headers.get("x-slack-request-timestamp", [""])[0]
                signature = req.headers.get("x-slack-signature", [""])[0]
                valid = self.verifier.is_valid(req.raw_body, timestamp, signature)
            except Exception:  # non-numeric timestamp, odd encodings: not from Slack
                valid = False
            if not valid:
                return BoltResponse(status=401, body={"error": "invalid request"})
        url = req.context.response_url
        if url and not web.response_url_allowed(url, self.api_base_url):
            LOG.warning("refused a request whose response_url is not Slack's: %.80s", url)
            return BoltResponse(status=400, body={"error": "unexpected response_url"})
        if url:
            req.context["respond"] = web.Responder(url)
        req.context[VERIFIED] = True
        return next()


def from_a_bot(event: dict) -> bool:
    """Bots (this one included) never start a conversation with us."""
    return bool(
        event.get("bot_id") or event.get("subtype") == "bot_message" or event.get("bot_profile")
    )


def once_per_event(store: Store):
    """Middleware: drop bot events and Slack's retries of an event already handled."""

    def middleware(body, next, logger):
        if body.get("type") == "event_callback":
            if from_a_bot(body.get("event") or {}):
                return BoltResponse(status=200, body="")
            event_id = body.get("event_id")
            workspace = body.get("team_id") or body.get("enterprise_id") or ""
            if event_id and not store.claim_event(f"{workspace}:{event_id}"):
                logger.info("event %s already handled; ignoring Slack's retry", event_id)
                return BoltResponse(status=200, body="")
        return next()

    return middleware


def on_error(error, body, logger, context):
    """Last resort for failures outside our handlers (middleware, bad payloads). Only a
    verified request is answered, and only through its checked response_url."""
    error_id = report(error, logger, body)
    if not context.get(VERIFIED):
        return BoltResponse(status=401, body="")
    respond = context.get("respond")
    if isinstance(respond, web.Responder):
        apologise(error_id, {"respond": respond, "body": body})
    return BoltResponse(status=200, body="") if (body or {}).get("command") else None


def _quiet_token_warning(record: logging.LogRecord) -> bool:
    """bolt warns that SLACK_BOT_TOKEN from the env is unused: our client carries it."""
    return "`token` will be unused" not in record.getMessage()


def create_app(config: Config, store: Store, token_verification_enabled: bool = True) -> App:
    """The bolt App for HTTP or Socket Mode: one workspace with SLACK_BOT_TOKEN, or many
    through OAuth with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (and no bot token)."""
    installations = None
    extra: dict = {}
    if config.oauth:
        from . import oauth
        from .installations import stores

        config.require("client_id", "client_secret", "signing_secret")
        installations, state = stores(config)
        extra["oauth_settings"] = oauth.oauth_settings(config, installations, state)
    else:
        config.require("bot_token", "signing_secret")
        extra["token_verification_enabled"] = token_verification_enabled
    logger = logging.getLogger("pathway_bot.bolt")
    logger.addFilter(_quiet_token_warning)
    signing_secret = config.signing_secret or ""  # require() above: never empty here
    app = App(
        client=request_client(config),
        signing_secret=signing_secret,
        request_verification_enabled=False,  # Verification below, before anything else
        before_authorize=Verification(signing_secret, config.slack_api_base_url),
        # Listeners finish before the HTTP reply, so the slash command's preview is the
        # reply itself and bolt does not poll for the ack; slow work uses lazy listeners.
        process_before_response=True,
        logger=logger,
        **extra,
    )
    app.middleware(once_per_event(store))
    deps = Deps(store, config, installations=installations)
    for row in listeners(deps):
        register = {
            "command": app.command,
            "event": app.event,
            "action": app.action,
            "shortcut": app.shortcut,
            "view": app.view,
        }[row.kind]
        register(row.id)(ack=row.ack, lazy=row.lazy)
    app.error(on_error)
    return app
