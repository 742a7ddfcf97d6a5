"""Shared state in a real PostgreSQL server (started by the `postgres_url` fixture): two
`serve` replicas, each with its own copy of the figure index, answer a retried event once,
and OAuth installations made through one are used by the other."""

import json
import shutil

import pytest

from store import Store, seed_record
from testkit import slack_wire as wire
from testkit.fake_slack import FakeSlack
from testkit.serve_kit import Server
from tests.test_oauth import OAUTH_ENV, TEAMS, bearer, install, mention


@pytest.fixture
def fake():
    slack = FakeSlack()
    slack.installs.update(TEAMS)
    yield slack
    slack.close()


@pytest.fixture
def replicas(tmp_path):
    """Two copies of one figure index, as `sync` builds them per machine."""
    first = tmp_path / "a" / "bot.db"
    first.parent.mkdir()
    store = Store(first)
    store.ingest([seed_record()])
    store.close()
    second = tmp_path / "b" / "bot.db"
    second.parent.mkdir()
    shutil.copy(first, second)
    return first, second


def answer_twice(fake, replicas, env, event_id: str) -> int:
    """The same event (Slack's retry) to each replica; how many replies were posted."""
    servers = [Server(db, fake, env=env) for db in replicas]
    try:
        for server in servers:
            status, _ = server.post(wire.mention_body(event_id, "<@U0BOT> KRAS"), wire.JSON)
            assert status == 200
        assert fake.wait_for(lambda: fake.posted(wire.CHANNEL))
        fake.wait_for(lambda: len(fake.posted(wire.CHANNEL)) > 1, timeout=2)
        return len(fake.posted(wire.CHANNEL))
    finally:
        for server in servers:
            assert "Traceback" not in server.stop()


def test_two_replicas_answer_a_retried_event_exactly_once(fake, replicas, postgres_url):
    assert answer_twice(fake, replicas, {"DATABASE_URL": postgres_url}, "EvPgRetry1") == 1


def test_without_shared_claims_each_replica_would_answer(fake, replicas):
    """The baseline the test above is measured against: claims kept per machine."""
    assert answer_twice(fake, replicas, {}, "EvPgRetry2") == 2


def test_an_install_through_one_replica_is_used_by_the_other(fake, replicas, postgres_url):
    env = {**OAUTH_ENV, "DATABASE_URL": postgres_url}
    first = Server(replicas[0], fake, env=env)
    second = Server(replicas[1], fake, env=env)
    try:
        assert "installed in Lab Two" in install(first, "code-two")
        fake.reset()
        status, _ = second.post(mention("EvPgInstall1", "T0TWO", "<@U0BOT> KRAS"), wire.JSON)
        assert status == 200
        assert fake.wait_for(lambda: fake.api("chat.postMessage"))
        call = next(c for c in fake.calls if c.name == "chat.postMessage")
        assert bearer(call) == "Bearer xoxb-two"
        assert json.dumps(call.data)
    finally:
        for server in (first, second):
            assert "Traceback" not in server.stop()


def race_digests(fake, replicas, tmp_path, env: dict) -> int:
    """Subscribe a channel, land a new figure in both replicas, then start two `digest`
    processes at once (two clock processes on two machines). How many posts arrived."""
    import subprocess
    import sys

    from testkit.records_kit import record, write
    from testkit.serve_kit import bot_env

    url = env.get("DATABASE_URL")
    for db in replicas:
        store = Store(db, database_url=url)
        if db == replicas[0]:
            subs, _ = store.understand_subscription(f"{wire.TEAM_ID}:C0RACE", "KRAS")
            store.subscribe(subs, "U1")
        if not url:  # no shared state: each machine has its own subscriptions
            subs, _ = store.understand_subscription(f"{wire.TEAM_ID}:C0RACE", "KRAS")
            store.subscribe(subs, "U1")
        store.close()
    folder = tmp_path / "new"
    write(folder, "new.md", record("PMC77__race", "A new KRAS figure", ["KRAS"]))
    for db in replicas:
        store = Store(db, database_url=url)
        store.ingest([folder])
        store.close()
    environment = {**bot_env(fake), **env}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "--db", str(db), "digest"],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for db in replicas
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=60)
        assert "Traceback" not in stderr, stderr
    return len(fake.posted("C0RACE"))


def test_two_clocks_racing_post_each_digest_exactly_once(fake, replicas, tmp_path, postgres_url):
    assert race_digests(fake, replicas, tmp_path, {"DATABASE_URL": postgres_url}) == 1
    # and the ledger, shared, keeps the next run of either machine from posting it again
    again = race_digests(fake, replicas, tmp_path, {"DATABASE_URL": postgres_url})
    assert again == 1


def test_without_shared_state_two_machines_would_both_post(fake, replicas, tmp_path):
    """The baseline: each machine's own ledger and lock, so each posts its digest."""
    assert race_digests(fake, replicas, tmp_path, {}) == 2
