"""A local HTTP server that plays Slack's Web API and response_url receiver.

It records every call, answers like Slack, and can be told to answer 429 with
Retry-After or a Slack error such as channel_not_found.
"""

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from testkit.waiting import wait_until

BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
TEAM_ID = "T0LAB"


@dataclass
class Call:
    """One request the bot made: a Web API method or a response_url post."""

    kind: str  # "api" or "response"
    name: str  # method name, or the response_url's last path part
    data: dict
    headers: dict
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    """Start with `FakeSlack()`, point SLACK_API_BASE_URL at `.api_url`, `.close()` at the end."""

    def __init__(self):
        self.calls: list[Call] = []
        self._scripts: dict[str, list] = {}
        self._rules: list = []
        self._hangs: list = []
        self._drops: list = []
        self.released = threading.Event()
        self.history: dict[str, list[dict]] = {}  # channel -> messages Slack "has"
        self.socket_url: str | None = None  # what apps.connections.open hands out
        # OAuth: code -> the workspace oauth.v2.access installs (team_id, name, bot token)
        self.installs: dict[str, tuple[str, str, str]] = {}
        self.rotations = itertools.count(1)
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.api_url = self.url + "/api/"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def response_url(self, name: str) -> str:
        return f"{self.url}/response/{name}"

    # --- scripting -------------------------------------------------------------------
    def rate_limit(self, method: str, retry_after: float | str = 1, times: int = 1) -> None:
        """The next `times` calls of `method` get 429 with Retry-After."""
        with self._lock:
            self._scripts.setdefault(method, []).extend(
                [(429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"})]
                * times
            )

    def fail(self, method: str, error: str, when=lambda data: True) -> None:
        """Every call of `method` whose data satisfies `when` gets Slack error `error`."""
        with self._lock:
            self._rules.append((method, when, error))

    def hang(self, method: str, when=lambda data: True, deliver: bool = False) -> None:
        """Calls of `method` matching `when` never get an answer (until close), as when the
        bot is killed mid-request; with deliver=True Slack has posted the message anyway."""
        with self._lock:
            self._hangs.append((method, when, deliver))

    def drop(
        self, method: str, when=lambda data: True, deliver: bool = True, times: int = 1
    ) -> None:
        """The next `times` matching calls lose their answer: the connection closes without
        a response, after Slack posted the message when `deliver` is True."""
        with self._lock:
            self._drops.extend([(method, when, deliver)] * times)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._scripts.clear()
            self._rules.clear()
            self._hangs.clear()
            self._drops.clear()
            self.history.clear()

    # --- reading ---------------------------------------------------------------------
    def api(self, method: str) -> list[dict]:
        return [c.data for c in list(self.calls) if c.kind == "api" and c.name == method]

    def responses(self, name: str | None = None) -> list[dict]:
        return [
            c.data
            for c in list(self.calls)
            if c.kind == "response" and (name is None or c.name == name)
        ]

    def wait_for(self, predicate, timeout: float = 10.0) -> bool:
        return wait_until(predicate, timeout)

    def posted(self, channel: str | None = None) -> list[dict]:
        """Messages Slack accepted, in order (what people in the channel would see)."""
        return [m for c, messages in self.history.items() if channel in (None, c) for m in messages]

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    # --- answering -------------------------------------------------------------------
    def _answer(self, method: str, data: dict) -> tuple[int, dict, dict]:
        with self._lock:
            hang = next((h for h in self._hangs if h[0] == method and h[1](data)), None)
        if hang:
            if hang[2]:
                self._deliver(data, f"{1_800_000_000 + next(self._ts)}.000100")
            self.released.wait()
            return 503, {}, {"ok": False, "error": "fake_slack_closed"}
        with self._lock:
            script = self._scripts.get(method)
            if script:
                return script.pop(0)
            for name, when, error in self._rules:
                if name == method and when(data):
                    return 200, {}, {"ok": False, "error": error}
            ts = f"{1_800_000_000 + next(self._ts)}.000100"
        if method == "oauth.v2.access":
            return 200, {}, self._oauth_access(data)
        if method == "auth.test":
            return (
                200,
                {},
                {
                    "ok": True,
                    "url": "https://lab.example.slack.com/",
                    "team": "Lab",
                    "user": "pathwaybot",
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID,
                },
            )
        if method == "chat.postMessage":
            self._deliver(data, ts)
            return (
                200,
                {},
                {
                    "ok": True,
                    "channel": data.get("channel"),
                    "ts": ts,
                    "message": {"text": data.get("text"), "ts": ts},
                },
            )
        if method == "conversations.history":
            oldest = float(data.get("oldest") or 0)
            messages = [
                m for m in self.history.get(data.get("channel"), []) if float(m["ts"]) >= oldest
            ]
            return 200, {}, {"ok": True, "messages": list(reversed(messages)), "has_more": False}
        if method == "conversations.replies":
            thread = data.get("ts")
            messages = [
                m
                for m in self.history.get(data.get("channel"), [])
                if thread in (m["ts"], m.get("thread_ts"))
            ]
            return 200, {}, {"ok": True, "messages": messages, "has_more": False}
        if method == "apps.connections.open":
            if not self.socket_url:
                return 200, {}, {"ok": False, "error": "not_allowed_token_type"}
            return 200, {}, {"ok": True, "url": self.socket_url}
        if method == "chat.postEphemeral":
            return 200, {}, {"ok": True, "message_ts": ts}
        return 200, {}, {"ok": True}

    def _oauth_access(self, data: dict) -> dict:
        """An install (grant by code) or a token rotation (grant by refresh token)."""
        if data.get("grant_type") == "refresh_token":
            team = str(data.get("refresh_token", "")).split("-")[-1]
            n = next(self.rotations)
            return {
                "ok": True,
                "access_token": f"xoxe.xoxb-{team}-rotated{n}",
                "refresh_token": f"xoxe-1-{team}",
                "expires_in": 43200,
                "token_type": "bot",
                "team": {"id": team},
            }
        install = self.installs.get(str(data.get("code")))
        if install is None:
            return {"ok": False, "error": "invalid_code"}
        team_id, name, token = install
        return {
            "ok": True,
            "app_id": "A0PATH",
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": f"U0BOT{team_id}",
            "team": {"id": team_id, "name": name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": f"U0ADMIN{team_id}"},
        }

    def _dropped(self, method: str, data: dict) -> bool:
        with self._lock:
            drop = next((d for d in self._drops if d[0] == method and d[1](data)), None)
            if drop:
                self._drops.remove(drop)
                ts = f"{1_800_000_000 + next(self._ts)}.000100"
        if drop and drop[2]:
            self._deliver(data, ts)
        return drop is not None

    def _deliver(self, data: dict, ts: str) -> None:
        metadata = data.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        message = {
            "ts": ts,
            "text": data.get("text"),
            "blocks": data.get("blocks"),
            "thread_ts": data.get("thread_ts"),
            "metadata": metadata,
        }
        with self._lock:
            self.history.setdefault(data.get("channel"), []).append(message)

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                self.do_POST()

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                path, _, query = self.path.partition("?")
                if "json" in (self.headers.get("Content-Type") or ""):
                    data = json.loads(raw or "{}")
                else:
                    data = dict(parse_qsl(raw))
                data.update(parse_qsl(query))
                kind, _, name = path.strip("/").partition("/")
                kind = "api" if kind == "api" else "response"
                fake.calls.append(Call(kind, name, data, dict(self.headers)))
                if kind == "api" and fake._dropped(name, data):
                    self.close_connection = True
                    return
                if kind == "api":
                    status, headers, body = fake._answer(name, data)
                    payload = json.dumps(body).encode()
                    content_type = "application/json; charset=utf-8"
                else:
                    status, headers, payload, content_type = 200, {}, b"ok", "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

        return Handler
