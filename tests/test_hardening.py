"""Hardening: each test reproduces a fault from the security and fault review (issue 12)."""

import json
import os
import resource
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from slack_bolt.request import BoltRequest

from bot.app import create_app, request_client
from bot.config import Config, ConfigError, load_config
from handlers import web
from handlers.ids import ACTION_DIGEST_PAGE, ACTION_NEXT, ACTION_SHARE, numbered
from handlers.views.state import PREVIEW, DigestView, View
from store import Store
from store import ingest as ingest_module
from store.records import MAX_RECORD_BYTES, MAX_SIDECAR_BYTES
from store.sync import SyncError, check_source
from testkit import slack_wire as wire
from testkit.fake_slack import TEAM_ID, FakeSlack
from testkit.records_kit import record, write
from testkit.serve_kit import Server, free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def fake():
    slack = FakeSlack()
    yield slack
    slack.close()


@pytest.fixture(autouse=True)
def clean(fake):
    fake.reset()


@pytest.fixture(scope="module")
def server(seed_db, fake):
    running = Server(seed_db, fake)
    yield running
    log = running.stop()
    assert "Traceback" not in log, log


def run_cli(*args, env=None, timeout=60, **kwargs):
    full = dict(os.environ, **(env or {}))
    full.pop("PATHWAY_BOT_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def one_line_error(result, *fragments):
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# --- 1. unsigned requests never reach the network ---------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "x", "X-Slack-Signature": "v0=abc"},
        {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=abc"},
        {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""},
        {"X-Slack-Signature": "v0=abc"},
    ],
    ids=["word", "float", "empty", "no-timestamp"],
)
def test_a_request_failing_verification_gets_401_and_no_outbound_call(server, fake, headers):
    body = wire.command_body("KRAS", fake.response_url("evil"))
    status, _ = server.post(body, wire.FORM, sign=False, headers=headers)
    assert status == 401
    time.sleep(0.3)  # an apology, if any, would be on its way by now
    assert fake.calls == []


def test_a_signed_request_with_a_foreign_response_url_is_refused(server, fake):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(1)
    foreign = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    try:
        status, _ = server.post(wire.command_body("subscribe KRAS", foreign), wire.FORM)
        assert status == 400
        with pytest.raises(socket.timeout):
            listener.accept()  # nobody calls the foreign address
    finally:
        listener.close()
    assert fake.calls == []


def in_process(config, store, body, content_type):
    app = create_app(config, store, token_verification_enabled=False)
    timestamp = int(time.time())
    headers = {
        "content-type": [content_type],
        "x-slack-request-timestamp": [str(timestamp)],
        "x-slack-signature": [wire.signature(body, timestamp)],
    }
    return app.dispatch(BoltRequest(body=body, headers=headers))


def test_in_process_a_bad_timestamp_is_401_even_for_the_error_handler(seed_db, fake):
    config = Config(
        db=seed_db,
        bot_token="xoxb-test",
        signing_secret=wire.SECRET,
        slack_api_base_url=fake.api_url,
    )
    store = Store(seed_db)
    try:
        app = create_app(config, store, token_verification_enabled=False)
        body = wire.command_body("KRAS", fake.response_url("evil"))
        response = app.dispatch(
            BoltRequest(
                body=body,
                headers={
                    "content-type": [wire.FORM],
                    "x-slack-request-timestamp": ["x"],
                    "x-slack-signature": ["v0=abc"],
                },
            )
        )
        assert response.status == 401
        time.sleep(0.3)
        assert fake.calls == []
    finally:
        store.close()


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://hooks.slack.com/commands/T1/2/abc", True),
        ("https://hooks.slack-gov.com/actions/T1/2/abc", True),
        ("http://hooks.slack.com/commands/T1/2/abc", False),  # not TLS
        ("https://hooks.slack.com.evil.example/x", False),
        ("https://evil.example/hooks.slack.com", False),
        ("https://user@hooks.slack.com:8443/x", False),
        ("http://127.0.0.1:9/x", False),
        ("javascript:alert(1)", False),
        ("", False),
        (None, False),
        ("http://[::1", False),
    ],
)
def test_response_urls_must_be_slack_hook_hosts(url, allowed):
    assert web.response_url_allowed(url) is allowed


def test_the_api_stand_in_host_is_allowed_only_on_its_own_port():
    base = "http://127.0.0.1:4567/api/"
    assert web.response_url_allowed("http://127.0.0.1:4567/response/x", base)
    assert not web.response_url_allowed("http://127.0.0.1:4568/response/x", base)
    assert not web.response_url_allowed("https://127.0.0.1:4567/response/x", base)


def test_calls_made_while_answering_have_short_timeouts():
    client = request_client(Config(bot_token="xoxb-test"))
    assert client.timeout <= web.REQUEST_TIMEOUT <= 5
    assert web.Responder("https://hooks.slack.com/x").timeout <= 5


# --- 2. hostile files: special files, symlinks out of the tree, huge files --------------


def _limit_memory():  # a regression must fail, not take the machine down with it
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def test_special_files_symlinks_and_huge_files_are_skipped_and_the_rest_load(tmp_path):
    tree = tmp_path / "repo" / "_figures"
    write(tree, "good.md", record("PMC1__good", "good", ["KRAS"]))
    write(tree, "good2.md", record("PMC2__good", "also good", ["EGFR"]))
    outside = write(tmp_path / "secret", "config.md", record("PMC9__secret", "SECRET", ["TP53"]))
    (tree / "zero.md").symlink_to("/dev/zero")
    (tree / "leak.md").symlink_to(outside)
    os.mkfifo(tree / "fifo.md")
    write(tree, "big.md", record("PMC3__big", "big", ["MYC"]) + "x" * MAX_RECORD_BYTES)
    write(tree, "side.md", record("PMC4__side", "zero sidecar", ["MYC"]))
    (tree / "side-genes.tsv").symlink_to("/dev/zero")
    write(tree, "fat.md", record("PMC5__fat", "fat sidecar", ["MYC"]))
    write(tree, "fat-genes.tsv", "x" * (MAX_SIDECAR_BYTES + 1))
    inside = write(tree / "sub", "real.md", record("PMC6__inside", "linked inside", ["KRAS"]))
    (tree / "alias.md").symlink_to(inside)  # a symlink that stays in the tree is fine
    db = tmp_path / "bot.db"
    result = run_cli(
        "--db", str(db), "ingest", str(tmp_path / "repo"), timeout=60, preexec_fn=_limit_memory
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    reasons = {
        line.split(": ", 1)[0].rsplit("/", 1)[-1]: line
        for line in result.stderr.splitlines()
        if line.startswith("skipped ")
    }
    assert "character device" in reasons["zero.md"] or "outside" in reasons["zero.md"]
    assert "outside the folder" in reasons["leak.md"]
    assert "FIFO" in reasons["fifo.md"]
    assert "over the 5 MB limit" in reasons["big.md"]
    assert "genes sidecar" in reasons["side.md"]
    assert "genes sidecar" in reasons["fat.md"] and "20 MB" in reasons["fat.md"]
    assert "ingested 3, unchanged 0, failed 6" in result.stdout
    conn = sqlite3.connect(db)
    figids = {row[0] for row in conn.execute("SELECT figid FROM figures")}
    conn.close()
    assert figids == {"PMC1__good", "PMC2__good", "PMC6__inside"}


def test_a_fifo_given_by_name_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.md")
    result = run_cli(
        "--db", str(tmp_path / "b.db"), "ingest", str(tmp_path / "pipe.md"), timeout=30
    )
    assert result.returncode == 1 and "FIFO" in result.stderr


# --- 3. a dead parser worker -------------------------------------------------------------


def test_a_killed_parser_worker_neither_hangs_nor_loses_records(tmp_path):
    import multiprocessing
    import signal

    folder = tmp_path / "many"
    for n in range(1500):
        write(folder, f"r{n}.md", record(f"PMC{n}__f", f"figure {n}", ["KRAS", f"GENE{n}"]))
    store = Store(tmp_path / "k.db")
    killed = []

    def progress(done, total):
        if not killed:
            children = multiprocessing.active_children()
            assert children, "no worker processes"
            os.kill(children[0].pid, signal.SIGKILL)
            killed.append(children[0].pid)

    outcome = {}
    thread = threading.Thread(
        target=lambda: outcome.update(report=store.ingest([folder], workers=2, progress=progress)),
        daemon=True,
    )
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "ingest hung after a worker died"
    report = outcome["report"]
    assert killed and report.failed == 0 and report.ingested == 1500
    assert store.db.execute("SELECT count(*) FROM figures").fetchone()[0] == 1500
    store.close()


# --- 4. another connection writing while ingest flushes ---------------------------------


def test_ingest_survives_another_connection_committing_in_a_loop(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "BATCH_SIZE", 3)  # many flushes, many chances
    folder = tmp_path / "in"
    for n in range(300):
        write(folder, f"r{n}.md", record(f"PMC{n}__f", f"figure {n}", ["KRAS"]))
    store = Store(tmp_path / "w.db")
    stop = threading.Event()
    writes = []

    def hammer():
        conn = sqlite3.connect(tmp_path / "w.db", timeout=10, isolation_level=None)
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('hammer', ?)", [len(writes)])
            conn.execute("COMMIT")
            writes.append(1)
            time.sleep(0.001)  # busy, like a server answering subscriptions, not starving
        conn.close()

    thread = threading.Thread(target=hammer, daemon=True)
    thread.start()
    try:
        report = store.ingest([folder], workers=1)
    finally:
        stop.set()
        thread.join(10)
    assert report.ingested == 300 and len(writes) > 10
    store.close()


# --- 5. acks never wait on the figure database's write lock -----------------------------


def mention(event_id, text="<@U0BOT> KRAS"):
    return wire.mention_body(event_id, text), wire.JSON


@pytest.fixture
def locked(seed_db, fake):
    """(config, store, release): the seed database with its write lock held by another
    connection, as a bulk ingest's transaction holds it for seconds."""
    config = Config(
        db=seed_db,
        bot_token="xoxb-test",
        signing_secret=wire.SECRET,
        slack_api_base_url=fake.api_url,
    )
    store = Store(seed_db)
    blocker = sqlite3.connect(seed_db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")

    def release():
        if blocker.in_transaction:
            blocker.execute("ROLLBACK")

    yield config, store, release
    release()
    blocker.close()
    store.close()


def test_an_event_is_acked_and_claimed_while_an_ingest_holds_the_write_lock(locked, fake):
    config, store, _ = locked
    first = in_process(config, store, *mention("EvLocked1"))
    again = in_process(config, store, *mention("EvLocked1"))
    assert first.status == 200 and again.status == 200
    assert fake.wait_for(lambda: fake.api("chat.postMessage"))
    time.sleep(0.5)
    assert len(fake.api("chat.postMessage")) == 1  # the retry was recognised


def test_unsubscribe_is_acked_at_once_and_answered_when_the_lock_frees(locked, fake):
    config, store, release = locked
    body = wire.command_body("unsubscribe KRAS", fake.response_url("unsub"))
    response = in_process(config, store, body, wire.FORM)
    assert response.status == 200 and not response.body
    assert fake.responses("unsub") == []
    release()
    assert fake.wait_for(lambda: fake.responses("unsub"), timeout=15)
    assert "no subscription matching" in fake.responses("unsub")[0]["text"]


# --- 6. a dropped connection never posts twice ------------------------------------------


def test_a_mention_reply_whose_answer_was_lost_is_posted_once(server, fake):
    fake.drop("chat.postMessage", deliver=True)
    assert server.post(*mention("EvDrop1"))[0] == 200
    assert fake.wait_for(lambda: fake.api("conversations.replies"), timeout=10)
    time.sleep(0.5)
    assert len(fake.posted(wire.CHANNEL)) == 1
    (post,) = fake.posted(wire.CHANNEL)
    assert post["metadata"]["event_type"] == web.POST_EVENT


def test_a_mention_reply_lost_before_slack_took_it_is_sent_again(server, fake):
    fake.drop("chat.postMessage", deliver=False)
    assert server.post(*mention("EvDrop2"))[0] == 200
    assert fake.wait_for(lambda: len(fake.posted(wire.CHANNEL)) == 1, timeout=10)
    assert len(fake.api("chat.postMessage")) == 2


def test_a_share_whose_answer_was_lost_is_posted_once(server, fake):
    fake.drop("chat.postMessage", deliver=True)
    value = View("KRAS", 0, PREVIEW).encode()
    server.post(wire.action_body(ACTION_SHARE, value, fake.response_url("share")), wire.FORM)
    assert fake.wait_for(lambda: fake.api("conversations.history"), timeout=10)
    time.sleep(0.5)
    assert len(fake.posted(wire.CHANNEL)) == 1


# --- 7. Retry-After: capped in replies, fractional in digests ----------------------------


def test_long_retry_after_does_not_stall_buttons_and_the_user_is_told(server, fake):
    fake.rate_limit("chat.postMessage", retry_after=30, times=10)
    for n in range(10):
        assert server.post(*mention(f"EvSlow{n}"))[0] == 200
    value = View("KRAS", 0, PREVIEW).encode()
    started = time.monotonic()
    server.post(wire.action_body(ACTION_NEXT, value, fake.response_url("next")), wire.FORM)
    assert fake.wait_for(lambda: fake.responses("next"), timeout=8)
    assert time.monotonic() - started < 8
    assert fake.wait_for(lambda: len(fake.api("chat.postEphemeral")) == 10, timeout=10)
    assert "slow down" in fake.api("chat.postEphemeral")[0]["text"]


def subscribed_with_new_figure(tmp_path: Path, channel: str, figid: str) -> Store:
    """A store whose channel follows KRAS and has one new KRAS figure to hear about."""
    store = Store(tmp_path / "digest.db")
    subs, _ = store.understand_subscription(channel, "KRAS")
    store.subscribe(subs, "U1")
    write(tmp_path / "in", f"{figid}.md", record(figid, f"Figure {figid}", ["KRAS"]))
    store.ingest([tmp_path / "in"])
    return store


def test_a_fractional_retry_after_is_waited_out_by_the_digest(tmp_path, fake):
    from bot.digest import DigestRunner
    from bot.jobs import job_client

    store = subscribed_with_new_figure(tmp_path, "C1", "PMC1__a")
    fake.rate_limit("chat.postMessage", retry_after="1.5")
    config = Config(
        db=store.path, bot_token="xoxb-test", slack_api_base_url=fake.api_url, digest_interval=0
    )
    report = DigestRunner(store, job_client(config), config).run()
    assert [channel for channel, _ in report.posted] == ["C1"]
    first, second = [c for c in fake.calls if c.name == "chat.postMessage"]
    assert second.at - first.at >= 1.4
    store.close()


@pytest.mark.parametrize(
    "value, seconds", [("30", 30.0), ("1.5", 1.5), ("junk", 1.0), ("-3", 1.0), ("nan", 1.0)]
)
def test_retry_after_is_read_as_seconds(value, seconds):
    from slack_sdk.http_retry.response import HttpResponse

    response = HttpResponse(status_code=429, headers={"Retry-After": [value]}, data=b"")
    assert web.retry_after(response) == seconds


# --- 8. slow clients do not tie up the server -------------------------------------------


def test_slow_clients_trickling_a_body_do_not_block_slash_commands(seed_db, fake):
    running = Server(seed_db, fake, workers=1)
    slow = []
    try:
        for _ in range(3):
            conn = socket.create_connection(("127.0.0.1", running.port))
            conn.sendall(
                b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: "
                b"application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nt"
            )
            slow.append(conn)
        time.sleep(0.3)
        status, body = running.post(
            wire.command_body("KRAS", fake.response_url("c")), wire.FORM, timeout=5
        )
        assert status == 200 and json.loads(body)["response_type"] == "ephemeral"
    finally:
        for conn in slow:
            conn.close()
        running.stop()


# --- 9. one line, never a traceback -------------------------------------------------------


def test_a_file_that_is_not_a_database_gets_one_line_from_the_cli_and_serve(tmp_path, fake):
    db = tmp_path / "junk.db"
    db.write_bytes(os.urandom(40_000))
    one_line_error(run_cli("--db", str(db), "ask", "KRAS"), "junk.db")
    one_line_error(run_cli("--db", str(db), "stats"), "junk.db")
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_BASE_URL": fake.api_url,
    }
    one_line_error(
        run_cli("--db", str(db), "serve", "--port", str(free_port()), env=env), "junk.db"
    )
    one_line_error(
        run_cli("--db", str(db), "socket", env={**env, "SLACK_APP_TOKEN": "xapp-1"}), "junk.db"
    )


def test_a_damaged_database_gets_one_line(tmp_path, seed_db):
    db = tmp_path / "damaged.db"
    db.write_bytes(seed_db.read_bytes())
    with open(db, "r+b") as handle:  # garbage over the pages after the header
        handle.seek(16384)
        handle.write(os.urandom(16384 * 8))
    one_line_error(run_cli("--db", str(db), "ask", "KRAS"), "damaged.db")
    one_line_error(run_cli("--db", str(db), "ingest", str(db.parent)), "damaged.db")


def test_a_binary_config_file_gets_one_line(tmp_path):
    config = tmp_path / "bot.yaml"
    config.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xe2\x80" + os.urandom(200))
    one_line_error(run_cli("--config", str(config), "stats"), "not UTF-8")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("pfocr_checkout: {}\n", "pfocr_checkout must be text"),
        ("pfocr_source: [a, b]\n", "pfocr_source must be text"),
        ("timezone: 5\n", "timezone must be text"),
    ],
)
def test_settings_of_the_wrong_shape_get_one_line(tmp_path, text, fragment):
    config = tmp_path / "bot.yaml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=fragment):
        load_config(config, env={})
    one_line_error(
        run_cli("--config", str(config), "--db", str(tmp_path / "x.db"), "stats"), fragment
    )


def test_an_unwritable_lock_file_gets_one_line(tmp_path):
    db = tmp_path / "bot.db"
    Store(db).close()
    Path(f"{db}.digest.lock").symlink_to("/dev/full")
    one_line_error(
        run_cli("--db", str(db), "digest", env={"SLACK_BOT_TOKEN": "xoxb-t"}), "lock file"
    )


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root): " + done.stderr.decode().strip())
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_full_disk_during_ingest_gets_one_line_and_keeps_committed_work(tmp_path, tiny_disk):
    folder = tmp_path / "in"
    for n in range(400):
        write(folder, f"r{n}.md", record(f"PMC{n}__f", f"figure {n} " + "words " * 400, ["KRAS"]))
    result = run_cli("--db", str(tiny_disk / "bot.db"), "ingest", str(folder))
    one_line_error(result, "full")
    conn = sqlite3.connect(tiny_disk / "bot.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


# --- 10. duplicate figids in one run -----------------------------------------------------


def test_duplicate_figids_are_named_with_the_file_kept(tmp_path):
    folder = tmp_path / "in"
    for n in range(20):
        write(folder, f"r{n:02}.md", record(f"PMC{n}__f", f"figure {n}", ["KRAS"]))
    write(folder, "r20.md", record("PMC3__f", "a second copy", ["EGFR"]))
    result = run_cli("--db", str(tmp_path / "d.db"), "ingest", str(folder))
    assert result.returncode == 0, result.stderr
    (line,) = [x for x in result.stderr.splitlines() if "duplicate" in x]
    assert "PMC3__f" in line and line.index("r20.md") < line.index("r03.md")
    assert "kept" in line and "ignored" in line
    assert "ingested 20, unchanged 0, failed 0, duplicate figids 1" in result.stdout


# --- 11. sync sources reach git safely ---------------------------------------------------


@pytest.mark.parametrize(
    "source, fragment",
    [
        ("ext::sh -c touch% /tmp/pwned", "remote helpers"),
        ("-uupload-pack=touch /tmp/pwned", "starts with '-'"),
        ("--upload-pack=x", "starts with '-'"),
        ("fd::17", "remote helpers"),
        ("ftp://example.org/repo", "only https://"),
        ("git@github.com:wikipathways/pfocr-database.git", "ssh://"),
    ],
)
def test_unsafe_sync_sources_are_refused(source, fragment):
    with pytest.raises(SyncError, match=fragment):
        check_source(source)


@pytest.mark.parametrize(
    "source",
    [
        "https://github.com/wikipathways/pfocr-database.git",
        "ssh://git@github.com/x/y.git",
        "git://h/r",
        "file:///srv/pfocr",
        "/srv/pfocr",
        "pfocr",
    ],
)
def test_allowed_sync_sources(source):
    assert check_source(source) == source


def test_sync_refuses_ext_before_git_runs_it(tmp_path):
    target = tmp_path / "pwned"
    result = run_cli(
        "--db", str(tmp_path / "s.db"), "sync", "--source", f"ext::sh -c touch% {target}"
    )
    one_line_error(result, "remote helpers")
    assert not target.exists()


def test_git_itself_refuses_other_transports_for_an_existing_checkout(tmp_path):
    """Even where git is configured to allow ext:: (here through the environment), a
    checkout whose origin is an ext:: command never runs it: GIT_ALLOW_PROTOCOL wins."""
    from testkit.git_kit import commit_records, git, make_repo

    repo = make_repo(tmp_path / "checkout")
    commit_records(repo, ["PMC1__a"])
    target = tmp_path / "pwned"
    git(repo, "remote", "add", "origin", f"ext::sh -c touch% {target}")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(repo, "config", "branch.main.remote", "origin")
    git(repo, "config", "branch.main.merge", "refs/heads/main")
    unsafe = {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "protocol.ext.allow",
        "GIT_CONFIG_VALUE_0": "always",
    }
    result = run_cli("--db", str(tmp_path / "s.db"), "sync", "--source", str(repo), env=unsafe)
    assert not target.exists()
    one_line_error(result, "git")


# --- 12. a button value cannot page another channel's digest ---------------------------


def test_a_forged_see_all_value_cannot_page_another_channels_digest(tmp_path, fake):
    # Keyed as serve keys it: by workspace, then channel.
    store = subscribed_with_new_figure(tmp_path, f"{TEAM_ID}:C0OTHER", "PMC1__secret")
    (plan,) = [p for p in store.digest_plans() if p.figures]
    digest_id = store.digest_start(plan)
    store.digest_finish(digest_id, "1.0")
    config = Config(
        db=store.path,
        bot_token="xoxb-test",
        signing_secret=wire.SECRET,
        slack_api_base_url=fake.api_url,
    )
    value = DigestView(digest_id, 0, False).encode()
    action = numbered(ACTION_DIGEST_PAGE, 1)
    forged = in_process(
        config,
        store,
        wire.action_body(action, value, fake.response_url("forged"), channel=wire.CHANNEL),
        wire.FORM,
    )
    assert forged.status == 200
    assert fake.wait_for(lambda: fake.responses("forged"))
    (answer,) = fake.responses("forged")
    assert "PMC1__secret" not in json.dumps(answer) and "not in this channel" in answer["text"]
    honest = in_process(
        config,
        store,
        wire.action_body(action, value, fake.response_url("honest"), channel="C0OTHER"),
        wire.FORM,
    )
    assert honest.status == 200
    assert fake.wait_for(lambda: fake.responses("honest"))
    assert "PMC1__secret" in json.dumps(fake.responses("honest")[0])
    store.close()
