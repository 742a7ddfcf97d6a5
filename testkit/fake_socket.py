"""A local stand-in for Slack's Socket Mode endpoint.

FakeSlack answers `apps.connections.open` with this server's ws:// URL; the bot's
SocketModeClient connects here. The stand-in says hello, sends envelopes (slash command,
events, interactive payloads, disconnect) and records the acks the bot sends back.
"""

import itertools
import json
import threading

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from testkit.waiting import wait_until


class FakeSocket:
    def __init__(self):
        self.acks: dict[str, dict] = {}
        self.connections = 0
        self._current = None
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.server = serve(self._handle, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handle(self, connection):
        with self._lock:
            self.connections += 1
            self._current = connection
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "connection_info": {"app_id": "A0PATH"},
                    "debug_info": {"host": "fake"},
                }
            )
        )
        try:
            for raw in connection:
                message = json.loads(raw)
                if message.get("envelope_id"):
                    with self._lock:
                        self.acks[message["envelope_id"]] = message
        except ConnectionClosed:
            pass

    def wait_connected(self, count: int = 1, timeout: float = 30) -> bool:
        return wait_until(lambda: self.connections >= count and self._current is not None, timeout)

    def send(self, kind: str, payload: dict, **extra) -> str:
        """Send one envelope on the live connection; returns its envelope_id."""
        envelope_id = f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind in ("slash_commands", "interactive"),
            **extra,
        }
        self._current.send(json.dumps(envelope))
        return envelope_id

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does every few hours."""
        self._current.send(
            json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}})
        )

    def ack(self, envelope_id: str, timeout: float = 10) -> dict | None:
        wait_until(lambda: envelope_id in self.acks, timeout)
        return self.acks.get(envelope_id)

    def close(self) -> None:
        self.server.shutdown()
