"""OAuth distribution through the real `serve`: "Add to Slack" for two workspaces, each
answered with its own token, per-workspace subscriptions and digests (the same channel id
in both), uninstalling one, token rotation in the digest job, and the single-workspace
database adopting its workspace at first start."""

import json
import re
import sqlite3
import urllib.error
import urllib.request

import pytest
import yaml

from bot.config import Config
from bot.installations import BOT_SCOPES, installations_path, stores, workspace_clients
from bot.jobs import digest
from store import Store, seed_record
from testkit import slack_wire as wire
from testkit.fake_slack import FakeSlack
from testkit.records_kit import record, write
from testkit.serve_kit import Server
from tests.conftest import ROOT

OAUTH_ENV = {
    "SLACK_BOT_TOKEN": None,
    "SLACK_CLIENT_ID": "111.222",
    "SLACK_CLIENT_SECRET": "client-secret",
}
TEAMS = {"code-one": ("T0ONE", "Lab One", "xoxb-one"), "code-two": ("T0TWO", "Lab Two", "xoxb-two")}


def get(url: str, cookie: str = "") -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            return response.status, response.read().decode(), headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), {k.lower(): v for k, v in error.headers.items()}


def install(server: Server, code: str) -> str:
    """The whole dance: the install page hands out a state (and its cookie); Slack sends
    the browser back with a code; bolt trades it at oauth.v2.access. The success page."""
    status, page, headers = get(server.url + "/slack/install")
    assert status == 200 and "slack.com/oauth/v2/authorize" in page
    state = re.search(r"state=([\w-]+)", page).group(1)
    scopes = re.search(r"scope=([^&\"]+)", page).group(1).replace("&amp;", "")
    assert "client_id=111.222" in page and tuple(scopes.split(",")) == BOT_SCOPES
    cookie = headers["set-cookie"].split(";")[0]
    status, page, _ = get(f"{server.url}/slack/oauth_redirect?code={code}&state={state}", cookie)
    assert status == 200, page
    return page


def command(team: str, text: str, response_url: str) -> str:
    body = wire.command_body(text, response_url)
    return body.replace(f"team_id={wire.TEAM_ID}", f"team_id={team}")


def mention(event_id: str, team: str, text: str, channel: str = "C0SAME") -> str:
    body = json.loads(wire.mention_body(event_id, text, channel=channel))
    body["team_id"] = team
    body["authorizations"] = [{"team_id": team, "user_id": f"U0BOT{team}", "is_bot": True}]
    return json.dumps(body)


def event(event_id: str, team: str, payload: dict) -> str:
    body = json.loads(wire.event_body(event_id, payload))
    body["team_id"] = team
    body["authorizations"] = [{"team_id": team, "user_id": f"U0BOT{team}", "is_bot": True}]
    return json.dumps(body)


def bearer(call) -> str:
    return next(v for k, v in call.headers.items() if k.lower() == "authorization")


@pytest.fixture(scope="module")
def fake():
    slack = FakeSlack()
    slack.installs.update(TEAMS)
    yield slack
    slack.close()


@pytest.fixture(scope="module")
def oauth_server(tmp_path_factory, fake):
    db = tmp_path_factory.mktemp("oauth") / "bot.db"
    store = Store(db)
    store.ingest([seed_record()])
    store.close()
    server = Server(db, fake, env=OAUTH_ENV)
    yield server, db
    log = server.stop()
    assert "Traceback" not in log, log


def test_the_manifest_asks_for_the_scopes_the_install_link_asks_for():
    manifest = yaml.safe_load((ROOT / "manifest.yaml").read_text())
    assert tuple(manifest["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")


def test_two_workspaces_install_and_each_is_answered_with_its_own_token(oauth_server, fake):
    server, db = oauth_server
    assert "installed in Lab One" in install(server, "code-one")
    assert "installed in Lab Two" in install(server, "code-two")
    fake.reset()
    for n, team in enumerate(("T0ONE", "T0TWO")):
        status, _ = server.post(mention(f"EvOauth{n}", team, "<@U0BOT> KRAS"), wire.JSON)
        assert status == 200
    assert fake.wait_for(lambda: len(fake.api("chat.postMessage")) == 2)
    tokens = sorted(bearer(c) for c in fake.calls if c.name == "chat.postMessage")
    assert tokens == ["Bearer xoxb-one", "Bearer xoxb-two"]
    # A slash command from either is answered (in its ack), and subscriptions are theirs.
    for team in ("T0ONE", "T0TWO"):
        status, body = server.post(command(team, "KRAS", fake.response_url("c")), wire.FORM)
        assert status == 200 and json.loads(body)["blocks"][0]["text"]["text"].startswith("KRAS")


def test_a_bad_code_gets_a_friendly_failure_page(oauth_server):
    server, _ = oauth_server
    status, page, headers = get(server.url + "/slack/install")
    state = re.search(r"state=([\w-]+)", page).group(1)
    cookie = headers["set-cookie"].split(";")[0]
    status, page, _ = get(f"{server.url}/slack/oauth_redirect?code=nope&state={state}", cookie)
    assert status >= 400 and "was not installed" in page and "Traceback" not in page
    status, page, _ = get(f"{server.url}/slack/oauth_redirect?code=code-one&state=forged")
    assert status >= 400 and "was not installed" in page


def test_subscriptions_and_digests_stay_in_their_workspace(oauth_server, fake, tmp_path):
    server, db = oauth_server
    install(server, "code-one")
    install(server, "code-two")
    store = Store(db)
    for team, gene in (("T0ONE", "KRAS"), ("T0TWO", "EGFR")):  # the same channel id
        subs, _ = store.understand_subscription(f"{team}:C0SAME", gene)
        store.subscribe(subs, "U1")
    write(tmp_path, "new.md", record("PMC99__new", "New KRAS and EGFR figure", ["KRAS", "EGFR"]))
    store.ingest([tmp_path])
    fake.reset()
    config = Config(
        db=db,
        client_id="111.222",
        client_secret="client-secret",
        slack_api_base_url=fake.api_url,
        digest_interval=0,
    )
    report = digest(config, store, lambda line: None)
    assert sorted(channel for channel, _ in report.posted) == ["T0ONE:C0SAME", "T0TWO:C0SAME"]
    posts = [c for c in fake.calls if c.name == "chat.postMessage"]
    by_token = {bearer(c): c.data for c in posts}
    assert set(by_token) == {"Bearer xoxb-one", "Bearer xoxb-two"}
    one = json.dumps(by_token["Bearer xoxb-one"])
    assert "for KRAS" in one and "for EGFR" not in one
    assert all(c.data["channel"] == "C0SAME" for c in posts)
    store.close()


def test_uninstalling_one_workspace_leaves_the_other_alone(oauth_server, fake):
    server, db = oauth_server
    install(server, "code-one")
    install(server, "code-two")
    store = Store(db)
    subs, _ = store.understand_subscription("T0ONE:C0GONE", "TP53")
    store.subscribe(subs, "U1")
    status, _ = server.post(event("EvUninstall1", "T0ONE", {"type": "app_uninstalled"}), wire.JSON)
    assert status == 200
    installations, _ = stores(Config(db=db, client_id="111.222", client_secret="s"))

    def gone() -> bool:
        return installations.find_installation(enterprise_id=None, team_id="T0ONE") is None

    assert fake.wait_for(gone)
    assert installations.find_installation(enterprise_id=None, team_id="T0TWO") is not None
    assert fake.wait_for(lambda: store.subscriptions("T0ONE:C0GONE").paused_reason)
    state = store.subscriptions("T0ONE:C0GONE")
    assert state.paused_reason == "app_uninstalled" and state.subscriptions  # kept
    fake.reset()
    server.post(mention("EvAfter2", "T0TWO", "<@U0BOT> EGFR"), wire.JSON)
    assert fake.wait_for(lambda: fake.api("chat.postMessage"))
    assert bearer(next(c for c in fake.calls if c.name == "chat.postMessage")) == "Bearer xoxb-two"
    store.close()


def test_the_digest_job_refreshes_a_rotating_token_before_posting(tmp_path, fake):
    from slack_sdk.oauth.installation_store import Installation

    config = Config(
        db=tmp_path / "rot.db",
        client_id="111.222",
        client_secret="client-secret",
        slack_api_base_url=fake.api_url,
    )
    installations, _ = stores(config)
    installations.save(
        Installation(
            app_id="A0PATH",
            team_id="T0ROT",
            user_id="U1",
            bot_token="xoxe.xoxb-T0ROT-old",
            bot_id="B1",
            bot_user_id="U0BOT",
            bot_scopes=["commands", "chat:write"],
            bot_refresh_token="xoxe-1-T0ROT",
            bot_token_expires_in=60,  # expires within the rotation window
        )
    )
    # Installed an hour ago: SQLite's store stamps rows to the second, and a rotation in
    # the same second as the install would tie with it.
    with sqlite3.connect(installations_path(config.db)) as db:
        db.execute("UPDATE slack_installations SET installed_at = datetime('now', '-1 hour')")
        db.execute("UPDATE slack_bots SET installed_at = datetime('now', '-1 hour')")
    client = workspace_clients(config, installations)("T0ROT")
    assert client.token.startswith("xoxe.xoxb-T0ROT-rotated")
    saved = installations.find_installation(enterprise_id=None, team_id="T0ROT")
    assert saved.bot_token == client.token  # stored for the next run
    assert workspace_clients(config, installations)("T0NOPE") is None
    assert installations_path(config.db).exists()


def test_a_single_workspace_database_adopts_its_workspace_at_first_start(tmp_path, fake):
    db = tmp_path / "old.db"
    store = Store(db)
    store.ingest([seed_record()])
    subs, _ = store.understand_subscription("C0OLD", "KRAS")  # as an older version keyed it
    store.subscribe(subs, "U1")
    store.close()
    Server(db, fake).stop()
    store = Store(db)
    assert store.subscriptions(f"{wire.TEAM_ID}:C0OLD").subscriptions
    assert not store.subscriptions("C0OLD").subscriptions
    assert store.adopt_workspace(wire.TEAM_ID) == 0  # idempotent
    store.close()


def test_a_command_that_posts_uses_its_workspaces_token(oauth_server, fake):
    server, db = oauth_server
    install(server, "code-one")
    install(server, "code-two")
    fake.reset()
    for team in ("T0ONE", "T0TWO"):
        body = command(team, "subscribe KRAS", fake.response_url(f"sub-{team}"))
        assert server.post(body, wire.FORM)[0] == 200
    assert fake.wait_for(lambda: len(fake.api("chat.postMessage")) == 2)
    tokens = sorted(bearer(c) for c in fake.calls if c.name == "chat.postMessage")
    assert tokens == ["Bearer xoxb-one", "Bearer xoxb-two"]
    store = Store(db)
    assert store.subscriptions(f"T0ONE:{wire.CHANNEL}").subscriptions
    assert store.subscriptions(f"T0TWO:{wire.CHANNEL}").subscriptions
    store.close()


def test_revoked_tokens_remove_the_bot_and_pause_only_that_workspace(oauth_server, fake):
    server, db = oauth_server
    install(server, "code-one")
    install(server, "code-two")
    store = Store(db)
    for team in ("T0ONE", "T0TWO"):
        subs, _ = store.understand_subscription(f"{team}:C0REV", "EGFR")
        store.subscribe(subs, "U1")
    revoked = {"type": "tokens_revoked", "tokens": {"bot": ["U0BOTT0TWO"], "oauth": []}}
    assert server.post(event("EvRevoke1", "T0TWO", revoked), wire.JSON)[0] == 200
    assert fake.wait_for(lambda: store.subscriptions("T0TWO:C0REV").paused_reason)
    assert store.subscriptions("T0TWO:C0REV").paused_reason == "tokens_revoked"
    assert not store.subscriptions("T0ONE:C0REV").paused_reason
    installations, _ = stores(Config(db=db, client_id="111.222", client_secret="s"))
    assert installations.find_installation(enterprise_id=None, team_id="T0TWO") is None
    assert installations.find_installation(enterprise_id=None, team_id="T0ONE").bot_token
    store.close()


def test_one_workspaces_dead_token_does_not_stop_the_others_digest(oauth_server, fake, tmp_path):
    server, db = oauth_server
    install(server, "code-one")
    install(server, "code-two")
    store = Store(db)
    for key in ("T0ONE:C0DEAD", "T0TWO:C0LIVE"):
        subs, _ = store.understand_subscription(key, "ALB")
        store.subscribe(subs, "U1")
    write(tmp_path, "alb.md", record("PMC98__alb", "A new ALB figure", ["ALB", "INS"]))
    store.ingest([tmp_path])
    fake.reset()
    # Workspace one's token is dead: Slack refuses its post. Two's must still go out.
    fake.fail("chat.postMessage", "invalid_auth", when=lambda data: data.get("channel") == "C0DEAD")
    config = Config(
        db=db,
        client_id="111.222",
        client_secret="client-secret",
        slack_api_base_url=fake.api_url,
        digest_interval=0,
    )
    report = digest(config, store, lambda line: None, channel=None)
    assert "T0ONE:C0DEAD" in {channel for channel, _ in report.failed}  # said, retried later
    assert "T0TWO:C0LIVE" in {channel for channel, _ in report.posted}
    (posted,) = [
        c for c in fake.calls if c.name == "chat.postMessage" and c.data["channel"] == "C0LIVE"
    ]
    assert bearer(posted) == "Bearer xoxb-two"
    store.close()
