"""Installations for OAuth distribution: slack_sdk's installation and state stores, and
each workspace's client for the digest job (with its rotating token refreshed). No bolt:
the digest and clock processes use this."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator

from handlers.web import web_client

from .config import Config, ConfigError

# The bot scopes the manifest asks for (tests/test_oauth.py checks they are the same).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "app_mentions:read",
    "channels:history",
    "groups:history",
    "links:read",
    "links:write",
)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600


def installations_path(db: Path) -> Path:
    """Where the default (SQLite) installation and state stores live."""
    return db.with_name(f"{db.name}.installations.sqlite")


def stores(config: Config) -> tuple[InstallationStore, OAuthStateStore]:
    """slack_sdk's installation and state stores: SQLAlchemy when database_url is set."""
    client_id = config.client_id or ""
    if config.database_url:
        try:
            import sqlalchemy
            from slack_sdk.oauth.installation_store.sqlalchemy import (
                SQLAlchemyInstallationStore,
            )
            from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
        except ImportError:
            raise ConfigError(
                "database_url needs SQLAlchemy and a driver: pip install 'pathway-bot[postgres]'"
            ) from None
        try:
            engine = sqlalchemy.create_engine(config.database_url, pool_pre_ping=True)
            installations = SQLAlchemyInstallationStore(client_id=client_id, engine=engine)
            state = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine)
            installations.metadata.create_all(engine)
            state.metadata.create_all(engine)
        except Exception as error:  # a bad URL, a refused connection, a missing driver
            detail = " ".join(str(error).split())[:200]
            raise ConfigError(f"cannot use database_url: {detail}") from None
        return installations, state
    from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
    from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore

    path = str(installations_path(config.db))
    sqlite_installations = SQLite3InstallationStore(database=path, client_id=client_id)
    sqlite_state = SQLite3OAuthStateStore(database=path, expiration_seconds=STATE_SECONDS)
    sqlite_installations.init()
    sqlite_state.init()
    return sqlite_installations, sqlite_state


def workspace_clients(
    config: Config, installations: InstallationStore
) -> Callable[[str | None], WebClient | None]:
    """For the digest job: a workspace's client, with its token refreshed first when it
    rotates and expires within `token_rotation_expiration_minutes` (bolt refreshes only
    when a request arrives, and a digest has none). None when it is not installed."""
    rotator = TokenRotator(
        client_id=config.client_id or "",
        client_secret=config.client_secret or "",
        client=web_client(None, config.slack_api_base_url),
    )

    def client_for(workspace: str | None) -> WebClient | None:
        installation: Any = installations.find_installation(enterprise_id=None, team_id=workspace)
        if installation is None and workspace:  # an org-wide install is keyed by enterprise
            installation = installations.find_installation(
                enterprise_id=workspace, team_id=None, is_enterprise_install=True
            )
        if installation is None or not installation.bot_token:
            return None
        if installation.bot_refresh_token:
            refreshed = rotator.perform_token_rotation(
                installation=installation,
                minutes_before_expiration=config.token_rotation_expiration_minutes,
            )
            if refreshed is not None:
                # The stores return the newest row; a rotation copies the install time,
                # so date it now (the SQLAlchemy store keeps it; SQLite stamps its own).
                refreshed.installed_at = time.time()
                installations.save(refreshed)
                installation = refreshed
        return web_client(installation.bot_token, config.slack_api_base_url)

    return client_for
