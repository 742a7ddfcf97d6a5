"""End to end: the real `pathway-bot serve` in a subprocess, signed requests, a fake Slack."""

import json
import os
import subprocess
import sys
import time

import pytest
import yaml

from handlers.common import Deps
from handlers.ids import ACTION_NEXT, ACTION_SHARE, ACTION_SHOW, SHORTCUT_FIND, UNFURL_DOMAINS
from handlers.table import listeners
from handlers.views.state import PREVIEW, View
from store import Store, seed_record
from testkit import slack_wire as wire
from testkit.blockkit import check_message, check_view
from testkit.fake_slack import BOT_ID, FakeSlack
from testkit.records_kit import record, write
from testkit.serve_kit import Server, free_port
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def fake():
    slack = FakeSlack()
    yield slack
    slack.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, fake):
    """The seed record plus eight small KRAS figures: enough to page, no ../shared needed."""
    folder = tmp_path_factory.mktemp("records")
    for n in range(8):
        write(folder, f"r{n}.md", record(f"PMC9{n}__f1", f"KRAS figure {n}", ["KRAS", "ITGB3"]))
    db = tmp_path_factory.mktemp("serve") / "small.db"
    store = Store(db)
    store.ingest([seed_record()])
    store.ingest([folder])
    store.close()
    running = Server(db, fake)
    yield running
    log = running.stop()
    assert "Traceback" not in log, log


@pytest.fixture(autouse=True)
def clean(fake):
    fake.reset()


def test_signed_slash_command_returns_an_ephemeral_preview_in_time(server, fake):
    started = time.monotonic()
    status, body = server.post(wire.command_body("KRAS", fake.response_url("c")), wire.FORM)
    elapsed = time.monotonic() - started
    assert status == 200 and elapsed < 3
    message = json.loads(body)
    assert message["response_type"] == "ephemeral"
    check_message(message)
    assert message["blocks"][0]["text"]["text"].startswith("KRAS · ")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sign": False},
        {"secret": "wrong-secret"},
        {"timestamp": int(time.time()) - 6 * 60},
    ],
    ids=["missing", "wrong", "stale"],
)
def test_bad_signatures_get_401(server, fake, kwargs):
    status, _ = server.post(wire.command_body("KRAS", fake.response_url("c")), wire.FORM, **kwargs)
    assert status == 401


def test_url_verification_returns_the_challenge(server):
    body = json.dumps({"type": "url_verification", "token": "t", "challenge": "ch4ll3nge"})
    status, text = server.post(body, wire.JSON)
    assert status == 200 and "ch4ll3nge" in text


def test_mention_gets_one_threaded_reply_and_retries_get_none(server, fake):
    body = wire.mention_body("EvMention1", "<@U0BOT> which figures show ITGB3 and KRAS?")
    assert server.post(body, wire.JSON)[0] == 200
    assert fake.wait_for(lambda: fake.api("chat.postMessage"))
    retry = server.post(
        body, wire.JSON, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry[0] == 200
    time.sleep(0.5)  # a second reply, if any, would have been posted by now
    (post,) = fake.api("chat.postMessage")
    assert post["thread_ts"] == "1700000000.000100" and post["channel"] == wire.CHANNEL
    assert post["text"].startswith("8 figures show ITGB3 and KRAS")
    check_message(post)


def test_events_from_bots_are_ignored(server, fake):
    body = wire.mention_body("EvBot1", "<@U0BOT> KRAS", bot_id="B0OTHER")
    own = wire.mention_body("EvBot2", "<@U0BOT> KRAS", bot_id=BOT_ID, user="U0BOT")
    assert server.post(body, wire.JSON)[0] == 200 and server.post(own, wire.JSON)[0] == 200
    time.sleep(0.5)
    assert fake.api("chat.postMessage") == []


def test_next_page_replaces_the_original_through_the_response_url(server, fake):
    value = View("KRAS", 3, PREVIEW).encode()
    status, _ = server.post(
        wire.action_body(ACTION_NEXT, value, fake.response_url("p2")), wire.FORM
    )
    assert status == 200
    assert fake.wait_for(lambda: fake.responses("p2"))
    (page,) = fake.responses("p2")
    assert page["replace_original"] is True
    assert "Figures 4–" in json.dumps(page, ensure_ascii=False)
    check_message(page)


def test_share_posts_in_channel_and_removes_the_preview(server, fake):
    value = View("KRAS", 0, PREVIEW).encode()
    server.post(wire.action_body(ACTION_SHARE, value, fake.response_url("share")), wire.FORM)
    assert fake.wait_for(lambda: fake.responses("share"))
    (post,) = fake.api("chat.postMessage")
    assert post["channel"] == wire.CHANNEL and "<@U0ALICE>" in json.dumps(post)
    (deleted,) = fake.responses("share")
    assert deleted["delete_original"] is True


def test_user_text_cannot_ping_anyone(server, fake):
    status, body = server.post(
        wire.command_body("<!channel> <@U123> KRAS", fake.response_url("c")), wire.FORM
    )
    assert status == 200
    assert "<!channel>" not in body and "<@U123>" not in body
    assert "&lt;!channel&gt;" in body or "&lt;@U123&gt;" in body or "KRAS" in body
    check_message(json.loads(body))


def test_rate_limited_post_is_retried_after_retry_after(server, fake):
    fake.rate_limit("chat.postMessage", retry_after=1)
    server.post(wire.mention_body("EvRate1", "<@U0BOT> KRAS"), wire.JSON)
    assert fake.wait_for(lambda: len(fake.api("chat.postMessage")) == 2, timeout=15)
    first, second = [c for c in fake.calls if c.name == "chat.postMessage"]
    assert second.at - first.at >= 0.9
    assert second.data["thread_ts"] == "1700000000.000100"


@pytest.mark.parametrize(
    "command, env, message",
    [
        (
            "serve",
            {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": None},
            "SLACK_SIGNING_SECRET is not set",
        ),
        (
            "serve",
            {"SLACK_BOT_TOKEN": None, "SLACK_SIGNING_SECRET": "s"},
            "SLACK_BOT_TOKEN is not set",
        ),
        (
            "serve",
            {"SLACK_BOT_TOKEN": "xoxb-bad", "SLACK_SIGNING_SECRET": "s", "REJECT": "1"},
            "SLACK_BOT_TOKEN was rejected by Slack: invalid_auth",
        ),
        (
            "serve",
            {
                "SLACK_BOT_TOKEN": "x",
                "SLACK_SIGNING_SECRET": "s",
                "SLACK_API_BASE_URL": "ftp://nowhere",
            },
            "SLACK_API_BASE_URL must be an http",
        ),
        (
            "socket",
            {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": None},
            "SLACK_APP_TOKEN is not set",
        ),
    ],
    ids=["no-secret", "no-token", "rejected-token", "bad-api-url", "socket-no-app-token"],
)
def test_bad_configuration_stops_startup_with_one_clear_line(tmp_path, fake, command, env, message):
    full = dict(os.environ, SLACK_API_BASE_URL=fake.api_url)
    if env.pop("REJECT", None):
        fake.fail("auth.test", "invalid_auth")
    for name, value in env.items():
        if value is None:
            full.pop(name, None)
        else:
            full[name] = value
    extra = ["--port", str(free_port())] if command == "serve" else []
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(tmp_path / "x.db"), command, *extra],
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_manifest_declares_what_the_bot_uses():
    manifest = yaml.safe_load((ROOT / "manifest.yaml").read_text())
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/pathway" and command["usage_hint"]
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "app_mentions:read"} <= scopes
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert "socket_mode_enabled" in manifest["settings"]
    # Every event and shortcut in the registration table is declared, and nothing else.
    table = listeners(Deps(store=None, config=None, posting=None))  # type: ignore[arg-type]
    events = {row.id for row in table if row.kind == "event"}
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == events
    shortcuts = {row.id for row in table if row.kind == "shortcut"}
    assert {s["callback_id"] for s in manifest["features"]["shortcuts"]} == shortcuts
    assert {"links:read", "links:write"} <= scopes  # link_shared and chat.unfurl
    assert set(manifest["features"]["unfurl_domains"]) == set(UNFURL_DOMAINS)
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_procfile_runs_serve_on_port_and_socket():
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()
    )
    assert "serve" in lines["web"] and "$PORT" in lines["web"]
    assert lines["worker"].strip() == "pathway-bot socket"


def test_serve_logs_what_it_serves_on_start(tmp_path, fake):
    db = tmp_path / "log.db"
    store = Store(db)
    store.ingest([seed_record()])
    store.close()
    log = Server(db, fake).stop()
    (line,) = [line for line in log.splitlines() if "PathwayBot: " in line]
    assert "PathwayBot: 1 figure (starter set, never synced" in line
    assert "workspace Lab (T0LAB)" in line and "HTTP on 127.0.0.1:" in line


def test_link_unfurls_home_show_and_shortcut_through_the_real_server(server, fake):
    """The new surfaces, end to end: each acks at once and calls the right Web API method."""
    link = "https://pmc.ncbi.nlm.nih.gov/articles/PMC4111689/figure/F1/"
    unfurl = wire.event_body("EvServeUnfurl", wire.link_shared_event(link))
    assert server.post(unfurl, wire.JSON)[0] == 200
    home = wire.event_body("EvServeHome", wire.home_opened_event())
    assert server.post(home, wire.JSON)[0] == 200
    show = wire.action_body(f"{ACTION_SHOW}:1", "PMC4111689__cc-13-2017-g1", fake.response_url("s"))
    assert server.post(show, wire.FORM)[0] == 200
    shortcut = wire.shortcut_body(SHORTCUT_FIND, "ITGB3 and KRAS?", fake.response_url("sc"))
    assert server.post(shortcut, wire.FORM)[0] == 200
    assert fake.wait_for(
        lambda: (
            fake.api("chat.unfurl")
            and fake.api("views.publish")
            and fake.api("views.open")
            and fake.responses("sc")
        )
    )

    def parsed(value):
        return json.loads(value) if isinstance(value, str) else value

    assert list(parsed(fake.api("chat.unfurl")[0]["unfurls"])) == [link]
    check_view(parsed(fake.api("views.publish")[0]["view"]))
    check_view(parsed(fake.api("views.open")[0]["view"]))
    check_message(fake.responses("sc")[0])
