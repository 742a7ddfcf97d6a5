"""OAuth distribution: one running app installed into many workspaces.

slack_sdk's own stores keep the installations and the OAuth state (bot/installations.py):
SQLite beside the bot's database by default, or any SQLAlchemy database (`database_url`,
Postgres for several replicas). Bolt runs the install page and the redirect; these are
its settings and the pages people see.
"""

from html import escape

from slack_bolt import BoltResponse
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from .config import Config
from .installations import BOT_SCOPES, INSTALL_PATH, REDIRECT_PATH

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>PathwayBot</title><style>body{{font-family:system-ui,sans-serif;max-width:36em;
margin:4em auto;padding:0 1em;line-height:1.5}}</style></head><body>{body}</body></html>"""


def success(args: SuccessArgs) -> BoltResponse:
    team = escape(args.installation.team_name or args.installation.team_id or "your workspace")
    body = (
        f"<h1>PathwayBot is installed in {team}</h1><p>Try <code>/pathway KRAS</code> in any "
        "channel, or invite <code>@PathwayBot</code> to a channel and ask it which figures "
        "show ITGB3 and RALB. You can close this page.</p>"
    )
    return BoltResponse(
        status=200, body=PAGE.format(body=body), headers={"Content-Type": "text/html"}
    )


def failure(args: FailureArgs) -> BoltResponse:
    reason = escape(args.reason or "unknown")
    body = (
        "<h1>PathwayBot was not installed</h1><p>Slack did not complete the installation "
        f"(<code>{reason}</code>). Nothing was changed. Start again from the "
        f'<a href="{INSTALL_PATH}">Add to Slack</a> page; if it keeps failing, send this '
        "reason to whoever runs PathwayBot.</p>"
    )
    return BoltResponse(
        status=args.suggested_status_code,
        body=PAGE.format(body=body),
        headers={"Content-Type": "text/html"},
    )


def oauth_settings(
    config: Config, installations: InstallationStore, state: OAuthStateStore
) -> OAuthSettings:
    return OAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installations,
        state_store=state,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=config.token_rotation_expiration_minutes,
        callback_options=CallbackOptions(success=success, failure=failure),
    )
