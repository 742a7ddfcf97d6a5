"""Requests shaped and signed the way Slack sends them (v0 signing scheme)."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

from testkit.fake_slack import TEAM_ID

SECRET = "test-signing-secret"
USER = "U0ALICE"
CHANNEL = "C0LAB"


def signature(body: str, timestamp: int, secret: str = SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post(
    url: str,
    body: str,
    content_type: str,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    sign: bool = True,
    headers: dict | None = None,
    timeout: float = 10,
) -> tuple[int, str]:
    """POST like Slack does; returns (status, body text)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    all_headers = {"Content-Type": content_type, **(headers or {})}
    if sign:
        all_headers["X-Slack-Request-Timestamp"] = str(timestamp)
        all_headers["X-Slack-Signature"] = signature(body, timestamp, secret)
    request = urllib.request.Request(url, data=body.encode(), headers=all_headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def command_body(
    text: str, response_url: str, channel: str = CHANNEL, command: str = "/pathway"
) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": TEAM_ID,
            "team_domain": "lab",
            "channel_id": channel,
            "channel_name": "lab",
            "user_id": USER,
            "user_name": "alice",
            "command": command,
            "text": text,
            "api_app_id": "A0PATH",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )


def action_body(action_id: str, value: str, response_url: str, channel: str = CHANNEL) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "lab"},
        "user": {"id": USER, "name": "alice", "team_id": TEAM_ID},
        "api_app_id": "A0PATH",
        "token": "legacy",
        "trigger_id": "1.2.3",
        "container": {
            "type": "message",
            "message_ts": "1.0",
            "channel_id": channel,
            "is_ephemeral": True,
        },
        "channel": {"id": channel, "name": "lab"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": "1.1",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def mention_body(event_id: str, text: str, channel: str = CHANNEL, **event_extra) -> str:
    event = {
        "type": "app_mention",
        "user": USER,
        "text": text,
        "ts": "1700000000.000100",
        "channel": channel,
        "event_ts": "1700000000.000100",
        **event_extra,
    }
    return event_body(event_id, event)


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def bolt_request(body: str, content_type: str, secret: str = SECRET):
    """A BoltRequest signed the way Slack signs it, for driving create_app in process."""
    from slack_bolt.request import BoltRequest

    timestamp = int(time.time())
    return BoltRequest(
        body=body,
        headers={
            "content-type": [content_type],
            "x-slack-request-timestamp": [str(timestamp)],
            "x-slack-signature": [signature(body, timestamp, secret)],
        },
    )


def event_body(event_id: str, event: dict) -> str:
    """Any Events API callback, e.g. link_shared or app_home_opened."""
    return json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM_ID,
            "api_app_id": "A0PATH",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1700000000,
            "authorizations": [{"team_id": TEAM_ID, "user_id": "U0BOT", "is_bot": True}],
        }
    )


def link_shared_event(*urls: str, channel: str = CHANNEL, ts: str = "1700000000.000200") -> dict:
    return {
        "type": "link_shared",
        "channel": channel,
        "user": USER,
        "message_ts": ts,
        "event_ts": ts,
        "links": [{"domain": url.split("/")[2], "url": url} for url in urls],
    }


def home_opened_event(user: str = USER) -> dict:
    return {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}


def shortcut_body(callback_id: str, message_text: str, response_url: str) -> str:
    """A message shortcut run on someone's message."""
    payload = {
        "type": "message_action",
        "callback_id": callback_id,
        "trigger_id": "1.2.4",
        "team": {"id": TEAM_ID, "domain": "lab"},
        "user": {"id": USER, "name": "alice"},
        "channel": {"id": CHANNEL, "name": "lab"},
        "message": {"type": "message", "user": "U0BOB", "ts": "1.5", "text": message_text},
        "message_ts": "1.5",
        "response_url": response_url,
        "token": "legacy",
        "api_app_id": "A0PATH",
    }
    return urlencode({"payload": json.dumps(payload)})


def view_submission_body(callback_id: str, values: dict) -> str:
    """A modal's submission; `values` is the view state: {block_id: {action_id: {...}}}."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "lab"},
        "user": {"id": USER, "name": "alice", "team_id": TEAM_ID},
        "api_app_id": "A0PATH",
        "token": "legacy",
        "trigger_id": "1.2.5",
        "view": {
            "id": "V0SEARCH",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": "",
            "state": {"values": values},
            "hash": "h",
        },
    }
    return urlencode({"payload": json.dumps(payload)})
