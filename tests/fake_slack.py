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
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.api_url = self.url + "/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def response_url(self, name: str) -> str:
        return f"{self.url}/response/{name}"

    # --- scripting -------------------------------------------------------------------
    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of `method` get 429 with Retry-After."""
        with self._lock:
            self._scripts.setdefault(method, []).extend(
                [(429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"})]
                * times)

    def fail(self, method: str, error: str, when=lambda data: True) -> None:
        """Every call of `method` whose data satisfies `when` gets Slack error `error`."""
        with self._lock:
            self._rules.append((method, when, error))

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._scripts.clear()
            self._rules.clear()

    # --- reading ---------------------------------------------------------------------
    def api(self, method: str) -> list[dict]:
        return [c.data for c in list(self.calls) if c.kind == "api" and c.name == method]

    def responses(self, name: str | None = None) -> list[dict]:
        return [c.data for c in list(self.calls)
                if c.kind == "response" and (name is None or c.name == name)]

    def wait_for(self, predicate, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return predicate()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- answering -------------------------------------------------------------------
    def _answer(self, method: str, data: dict) -> tuple[int, dict, dict]:
        with self._lock:
            script = self._scripts.get(method)
            if script:
                return script.pop(0)
            for name, when, error in self._rules:
                if name == method and when(data):
                    return 200, {}, {"ok": False, "error": error}
            ts = f"{1_800_000_000 + next(self._ts)}.000100"
        if method == "auth.test":
            return 200, {}, {"ok": True, "url": "https://lab.example.slack.com/", "team": "Lab",
                             "user": "pathwaybot", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                             "bot_id": BOT_ID}
        if method == "chat.postMessage":
            return 200, {}, {"ok": True, "channel": data.get("channel"), "ts": ts,
                             "message": {"text": data.get("text"), "ts": ts}}
        if method == "chat.postEphemeral":
            return 200, {}, {"ok": True, "message_ts": ts}
        return 200, {}, {"ok": True}

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    data = json.loads(raw or "{}")
                else:
                    data = dict(parse_qsl(raw))
                kind, _, name = self.path.strip("/").partition("/")
                kind = "api" if kind == "api" else "response"
                fake.calls.append(Call(kind, name, data, dict(self.headers)))
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
