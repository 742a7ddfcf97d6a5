"""The real `pathway-bot serve` in a subprocess, for end-to-end tests and benchmarks."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

from testkit import slack_wire as wire
from testkit.fake_slack import FakeSlack


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_env(fake: FakeSlack, **extra: str) -> dict[str, str]:
    """The environment a bot subprocess runs in: this machine's, plus test secrets and the
    Slack stand-in's API address, without any PATHWAY_BOT_CONFIG the caller may have."""
    env = dict(
        os.environ,
        SLACK_SIGNING_SECRET=wire.SECRET,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_API_BASE_URL=fake.api_url,
        **extra,
    )
    env.pop("PATHWAY_BOT_CONFIG", None)
    return env


def serve_command(db, port: int, *extra: str) -> list[str]:
    """`pathway-bot serve` on a loopback port, as a subprocess argument list."""
    return [
        sys.executable,
        "-m",
        "bot",
        "--db",
        str(db),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *extra,
    ]


class Server:
    """`pathway-bot serve` on a loopback port, talking to a FakeSlack."""

    def __init__(
        self,
        db,
        fake: FakeSlack,
        workers: int = 1,
        extra: tuple[str, ...] = (),
        env: dict[str, str | None] | None = None,
    ):
        self.port, self.fake = free_port(), fake
        self.url = f"http://127.0.0.1:{self.port}"
        environment = bot_env(fake)
        for name, value in (env or {}).items():  # None removes a variable
            if value is None:
                environment.pop(name, None)
            else:
                environment[name] = value
        self.process = subprocess.Popen(
            serve_command(db, self.port, "--workers", str(workers), *extra),
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.stop()}")

    def post(self, body: str, content_type: str, **kwargs):
        return wire.post(self.url + "/slack/events", body, content_type, **kwargs)

    def stop(self) -> str:
        self.process.terminate()
        try:
            _, stderr = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, stderr = self.process.communicate()
        return stderr
