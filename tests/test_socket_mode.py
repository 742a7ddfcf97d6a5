"""End to end in Socket Mode: the real `pathway-bot socket` against local stand-ins for
Slack's Web API (apps.connections.open and the rest) and its websocket endpoint."""

import json
import subprocess
import sys
import time
from urllib.parse import parse_qsl

import pytest

from handlers.ids import ACTION_NEXT
from handlers.views.state import PREVIEW, View
from testkit import slack_wire as wire
from testkit.blockkit import check_message
from testkit.fake_slack import FakeSlack
from testkit.serve_kit import bot_env

pytest.importorskip(
    "websockets", reason="the Socket Mode stand-in needs websockets (pip install -e '.[test]')"
)
from testkit.fake_socket import FakeSocket  # noqa: E402


@pytest.fixture(scope="module")
def world(seed_db):
    db = seed_db
    fake, socket = FakeSlack(), FakeSocket()
    fake.socket_url = socket.url
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", str(db), "socket"],
        env=bot_env(fake, SLACK_APP_TOKEN="xapp-test"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert socket.wait_connected(1, timeout=60), "the bot never connected"
        yield fake, socket
    finally:
        process.terminate()
        try:
            _, log = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            _, log = process.communicate()
        socket.close()
        fake.close()
    assert "Traceback" not in log, log


def slash_payload(text: str, fake: FakeSlack, name: str) -> dict:
    return dict(parse_qsl(wire.command_body(text, fake.response_url(name))))


def test_slash_command_is_answered_in_the_ack(world):
    fake, socket = world
    envelope = socket.send("slash_commands", slash_payload("KRAS", fake, "s1"))
    ack = socket.ack(envelope)
    assert ack is not None, "no ack"
    message = ack["payload"]
    assert message["response_type"] == "ephemeral"
    assert message["blocks"][0]["text"]["text"].startswith("KRAS · ")
    check_message(message)


def test_a_redelivered_mention_is_answered_once(world):
    fake, socket = world
    fake.reset()
    event = json.loads(wire.mention_body("EvSocket1", "<@U0BOT> KRAS"))
    first = socket.send("events_api", event, retry_attempt=0, retry_reason="")
    again = socket.send("events_api", event, retry_attempt=1, retry_reason="timeout")
    assert socket.ack(first) is not None and socket.ack(again) is not None
    assert fake.wait_for(lambda: fake.api("chat.postMessage"))
    time.sleep(0.5)
    (post,) = fake.api("chat.postMessage")
    assert post["thread_ts"] == "1700000000.000100" and post["text"].startswith("KRAS")


def test_a_button_click_pages_through_the_response_url(world):
    fake, socket = world
    fake.reset()
    body = dict(
        parse_qsl(
            wire.action_body(ACTION_NEXT, View("KRAS", 0, PREVIEW).encode(), fake.response_url("p"))
        )
    )
    envelope = socket.send("interactive", json.loads(body["payload"]))
    assert socket.ack(envelope) is not None
    assert fake.wait_for(lambda: fake.responses("p"))
    (page,) = fake.responses("p")
    assert page["replace_original"] is True
    check_message(page)


def test_a_disconnect_envelope_is_survived(world):
    fake, socket = world
    before = socket.connections
    opened = len(fake.api("apps.connections.open"))
    socket.disconnect()
    assert socket.wait_connected(before + 1, timeout=30), "the bot did not reconnect"
    time.sleep(0.5)
    envelope = socket.send("slash_commands", slash_payload("EGFR", fake, "s2"))
    ack = socket.ack(envelope)
    assert ack is not None and ack["payload"]["blocks"][0]["text"]["text"].startswith("EGFR")
    assert len(fake.api("apps.connections.open")) == opened + 1  # a fresh URL was asked for
