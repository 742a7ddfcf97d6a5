"""Running the app: gunicorn in front of bolt's WSGI adapter, or Socket Mode."""

import logging

from gunicorn.app.base import BaseApplication
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.errors import SlackApiError

from store import Store
from store.models import CorpusInfo
from store.wording import plural

from .app import create_app, request_client
from .config import SERVE_THREADS, Config, ConfigError

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def check_slack(config: Config) -> tuple[str, str]:
    """Fail at startup, with one clear line, when the token is wrong or Slack is unreachable.
    Returns the workspace's (name, id)."""
    sdk_log = logging.getLogger("slack_sdk")
    level, sdk_log.level = sdk_log.level, logging.CRITICAL  # our one line says it all
    try:
        found = request_client(config).auth_test()
        return str(found.get("team") or "?"), str(found.get("team_id") or "")
    except SlackApiError as error:
        reason = error.response.get("error")
        raise ConfigError(f"SLACK_BOT_TOKEN was rejected by Slack: {reason}") from None
    except OSError as error:
        where = config.slack_api_base_url or "slack.com"
        raise ConfigError(f"cannot reach the Slack Web API at {where}: {error}") from None
    finally:
        sdk_log.level = level


def prepare(config: Config, mode: str, *secrets: str) -> None:
    """Everything a server checks once before it starts: secrets, database, token (or the
    OAuth stores). Logs one line saying what it serves: figures, last sync, workspace and
    mode. A single-workspace database's channels are keyed by its workspace here."""
    config.require(*secrets)
    log = logging.getLogger("pathway_bot")
    store = Store(config.db, database_url=config.database_url)  # schema and seeds, up front
    try:
        store.ensure_seeded()
        relinked = store.relink_if_stale()  # a new lexicon since the figures were linked
        if relinked:
            log.info(relinked.summary())
        corpus = store.corpus_info()
        if config.oauth:
            from .installations import INSTALL_PATH, stores

            stores(config)  # creates their tables, and fails now on a bad database_url
            workspace = f"many (OAuth; install at {INSTALL_PATH})"
        else:
            name, team_id = check_slack(config)
            if team_id:
                store.adopt_workspace(team_id)
            workspace = f"{name} ({team_id or '?'})"
    finally:
        store.close()
    log.info(start_line(corpus, workspace, mode))


def start_line(corpus: CorpusInfo, workspace: str, mode: str) -> str:
    """'PathwayBot: 80,112 figures (last sync 2026-11-27T06:00 at 1a2b3c4d5e6f) · workspace
    Acme Lab (T0123) · HTTP on :3000'."""
    if corpus.synced:
        origin = f"last sync {corpus.synced[:16]} at {(corpus.commit or '?')[:12]}"
    else:
        origin = "starter set, never synced: `pathway-bot sync` loads all of PFOCR"
    figures = plural(corpus.figures, "figure")
    return f"PathwayBot: {figures} ({origin}) · workspace {workspace} · {mode}"


def wsgi_app(config: Config):
    """The WSGI callable one worker serves: Slack's endpoint plus a health check."""
    store = Store(config.db, database_url=config.database_url)
    store.warm()  # before this worker accepts its first request
    slack = SlackRequestHandler(
        create_app(config, store, token_verification_enabled=False), path=EVENTS_PATH
    )

    def application(environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application


class Gunicorn(BaseApplication):
    """gunicorn with options from code; each worker builds its own app after the fork."""

    def __init__(self, config: Config, options: dict):
        self.config, self.options = config, options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings:  # newer gunicorns know more settings
                self.cfg.set(key, value)

    def load(self):
        return wsgi_app(self.config)


def serve(
    config: Config,
    host: str,
    port: int,
    workers: int,
    access_log: bool,
    threads: int = SERVE_THREADS,
) -> None:
    """HTTP mode: Slack posts commands, events and button clicks to /slack/events.

    Workers are gunicorn's threaded ones: a client that sends its request slowly holds one
    thread, not a whole worker (a sync worker is tied up by a single slow client). Exposed
    to the internet, `serve` still belongs behind a buffering proxy (docs/reverse-proxy.md).
    """
    secrets = ("client_id", "client_secret") if config.oauth else ("bot_token",)
    prepare(config, f"HTTP on {host}:{port}", *secrets, "signing_secret")
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread" if threads > 1 else "sync",
        "threads": threads,
        # A worker whose threads are all busy stops accepting, so the next
        # connection goes to a worker that can answer it instead of queueing
        # behind a slow client. No keep-alive: an idle connection would hold a slot.
        "worker_connections": threads,
        "keepalive": 0,
        "timeout": 30,
        "graceful_timeout": 10,
        "errorlog": "-",
        "loglevel": "info",
        "accesslog": "-" if access_log else None,
        "proc_name": "pathway-bot",
        "control_socket_disable": True,
    }  # one fixed socket path would clash between bots
    Gunicorn(config, options).run()


def socket(config: Config) -> None:
    """Socket Mode: the bot dials out to Slack, so it needs no public URL."""
    prepare(config, "Socket Mode", "bot_token", "signing_secret", "app_token")
    store = Store(config.db, database_url=config.database_url)
    store.warm()
    app = create_app(config, store, token_verification_enabled=False)
    SocketModeHandler(app, config.app_token, web_client=app.client).start()
