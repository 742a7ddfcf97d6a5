"""Subscriptions and digests: planning, the exactly-once ledger, posting through a fake Slack."""

import json
import os
import signal
import subprocess
import sys

import pytest
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.config import Config
from bot.digest import DigestRunner
from bot.jobs import job_client
from bot.lock import LockBusy, hold
from testkit.blockkit import check_message
from testkit.fake_slack import FakeSlack
from testkit.records_kit import record, write

ALICE = "U0ALICE"


def add(store, folder, figid, genes, title=None):
    write(folder, f"{figid}.md", record(figid, title or f"Figure {figid}", genes))
    return store.ingest([folder])


def subscribe(store, channel, text, user=ALICE):
    subs, problems = store.understand_subscription(channel, text)
    assert not problems, problems
    return store.subscribe(subs, user)


@pytest.fixture
def fake():
    slack = FakeSlack()
    yield slack
    slack.close()


def runner_for(store, fake, **overrides):
    config = Config(
        db=store.path,
        bot_token="xoxb-test",
        slack_api_base_url=fake.api_url,
        digest_interval=0,
        **overrides,
    )
    return DigestRunner(store, job_client(config), config)


def figids_in(message) -> list[str]:
    return sorted(
        part.split("/figures/")[1].split(".html")[0]
        for part in json.dumps(message["blocks"]).split("<https://pfocr")[1:]
    )


@pytest.mark.parametrize(
    "text, kinds, labels, note",
    [
        ("KRAS", ["gene"], ["KRAS"], ""),
        ("NF-kB", ["family"], ["NF-κB family (5 genes)"], ""),
        ("KRAS EGFR", ["gene", "gene"], ["KRAS", "EGFR"], ""),
        ("KRSA", ["gene"], ["KRAS"], "typo corrected"),
        ("p21", ["gene"], ["CDKN1A"], "common name"),
        ("search ferroptosis", ["search"], ["search “ferroptosis”"], ""),
    ],
)
def test_subscription_terms_go_through_the_engine(store, text, kinds, labels, note):
    subs, problems = store.understand_subscription("C1", text)
    assert not problems
    assert [s.kind for s in subs] == kinds and [s.label for s in subs] == labels
    assert note in " ".join(s.note for s in subs)


def test_terms_that_name_nothing_are_explained(store):
    subs, problems = store.understand_subscription("C1", "KRAS QWZXV")
    assert [s.label for s in subs] == ["KRAS"]
    assert "“QWZXV” is not a gene or family" in problems[0]


def test_new_subscription_never_gets_the_back_catalogue(store, tmp_path):
    add(store, tmp_path, "PMC1__old", ["KRAS"])
    subscribe(store, "C1", "KRAS")
    assert [p.figures for p in store.digest_plans()] == [()]
    add(store, tmp_path, "PMC2__new", ["KRAS", "TP53"])
    add(store, tmp_path, "PMC3__other", ["TP53"])
    (plan,) = store.digest_plans()
    assert [store.plan_page(plan, 5).figures[0].figid] == ["PMC2__new"]
    assert plan.figures[0][1] == ("KRAS",)


def test_a_figure_is_posted_to_a_channel_once_and_the_watermark_moves(store, tmp_path):
    subscribe(store, "C1", "KRAS")
    add(store, tmp_path, "PMC2__new", ["KRAS"])
    (plan,) = store.digest_plans()
    digest_id = store.digest_start(plan)
    store.digest_finish(digest_id, "1.1")
    assert store.digest_plans()[0].figures == ()
    # even if the watermark were lost, the ledger keeps the figure out
    store.db.execute("UPDATE channels SET watermark = NULL")
    assert store.digest_plans()[0].figures == ()


def test_an_abandoned_post_is_planned_again(store, tmp_path):
    subscribe(store, "C1", "KRAS")
    add(store, tmp_path, "PMC2__new", ["KRAS"])
    (plan,) = store.digest_plans()
    store.digest_abandon(store.digest_start(plan))
    assert len(store.digest_plans()[0].figures) == 1


def test_figures_first_seen_after_the_cutoff_wait_for_the_next_run(store, tmp_path):
    from store import digest

    subscribe(store, "C1", "KRAS")
    add(store, tmp_path, "PMC2__a", ["KRAS"])
    cutoff = digest.cutoff(store.db)
    add(store, tmp_path, "PMC3__b", ["KRAS"])  # lands while the run is going
    (plan,) = digest.plan(store.db, until=cutoff)
    store.digest_finish(store.digest_start(plan), "1.1")
    (later,) = store.digest_plans()
    assert [store.plan_page(later, 5).figures[0].figid] == ["PMC3__b"]


def test_family_and_search_subscriptions_match_and_say_which(store, tmp_path):
    subscribe(store, "C1", "NF-kB")
    subscribe(store, "C1", "search ferroptosis")
    add(store, tmp_path, "PMC2__a", ["RELA"], title="RELA in ferroptosis")
    add(store, tmp_path, "PMC3__b", ["EGFR"], title="Ferroptosis and EGFR")
    add(store, tmp_path, "PMC4__c", ["EGFR"], title="Unrelated")
    (plan,) = store.digest_plans()
    labels = {store.plan_page(plan, 5).figures[i].figid: plan.figures[i][1] for i in range(2)}
    assert labels == {
        "PMC2__a": ("NF-κB family (5 genes)", "search “ferroptosis”"),
        "PMC3__b": ("search “ferroptosis”",),
    }


def test_runner_posts_one_message_per_channel_once(store, tmp_path, fake):
    subscribe(store, "C1", "KRAS")
    subscribe(store, "C2", "TP53")
    subscribe(store, "C3", "BRCA1")
    add(store, tmp_path, "PMC2__a", ["KRAS", "TP53"])
    add(store, tmp_path, "PMC3__b", ["KRAS"])
    report = runner_for(store, fake).run()
    assert sorted(report.posted) == [("C1", 2), ("C2", 1)] and report.quiet == ["C3"]
    c1, c2 = fake.posted("C1"), fake.posted("C2")
    assert len(c1) == 1 and figids_in(c1[0]) == ["PMC2__a", "PMC3__b"]
    assert figids_in(c2[0]) == ["PMC2__a"]
    assert c1[0]["metadata"]["event_type"] == "pathway_digest"
    check_message({"text": c1[0]["text"], "blocks": c1[0]["blocks"]})
    assert "2 new pathway figures for KRAS · " in c1[0]["text"]
    assert runner_for(store, fake).run().posted == []
    assert len(fake.posted()) == 2


def test_rate_limit_is_retried_and_refusing_channels_are_paused(store, tmp_path, fake):
    for channel in ("C1", "C2", "C3"):
        subscribe(store, channel, "KRAS")
    add(store, tmp_path, "PMC2__a", ["KRAS"])
    fake.rate_limit("chat.postMessage", retry_after=1)
    fake.fail("chat.postMessage", "channel_not_found", when=lambda d: d.get("channel") == "C2")
    report = runner_for(store, fake).run()
    assert sorted(c for c, _ in report.posted) == ["C1", "C3"]
    assert report.paused == [("C2", "channel_not_found")]
    assert len(fake.api("chat.postMessage")) == 4  # 429, C1, C2 refused, C3
    state = store.subscriptions("C2")
    assert state.paused_reason == "channel_not_found"
    add(store, tmp_path, "PMC3__b", ["KRAS"])
    assert "C2" not in [c for c, _ in runner_for(store, fake).run().posted]


def test_a_digest_whose_images_slack_cannot_fetch_goes_out_without_them(store, tmp_path, fake):
    subscribe(store, "C1", "KRAS")
    add(store, tmp_path, "PMC2__a", ["KRAS"])
    fake.fail(
        "chat.postMessage",
        "invalid_blocks",
        when=lambda d: any(b["type"] == "image" for b in d.get("blocks", [])),
    )
    report = runner_for(store, fake).run()
    assert report.posted == [("C1", 1)]
    (message,) = fake.posted("C1")
    assert figids_in(message) == ["PMC2__a"]
    assert not any(b["type"] == "image" for b in message["blocks"])


def test_more_figures_than_cards_get_a_see_all_button(store, tmp_path, fake):
    subscribe(store, "C1", "KRAS")
    for i in range(7):
        add(store, tmp_path, f"PMC{i}__f", ["KRAS"])
    runner_for(store, fake, digest_cards=3).run()
    (message,) = fake.posted("C1")
    assert len(figids_in(message)) == 3
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    labels = [button["text"]["text"] for button in buttons]
    assert labels == ["Show figure"] * 3 + ["See all 7"]
    assert not [b for b in message["blocks"] if b["type"] == "image"]  # compact: thumbnails
    page = store.digest_page(1, 3, 5)
    assert page.total == 7 and len(page.figures) == 4


def test_network_failure_is_left_for_the_next_run(store, tmp_path):
    subscribe(store, "C1", "KRAS")
    add(store, tmp_path, "PMC2__a", ["KRAS"])
    config = Config(
        db=store.path,
        bot_token="x",
        slack_api_base_url="http://127.0.0.1:9/api/",
        digest_interval=0,
    )
    client = job_client(config)
    for handler in client.retry_handlers:  # the same retries, without the real backoff
        handler.interval_calculator = FixedValueRetryIntervalCalculator(0.0)
    report = DigestRunner(store, client, config).run()
    assert report.failed and "network error" in report.failed[0][1]


@pytest.mark.parametrize("deliver", [True, False], ids=["answer-lost", "never-arrived"])
def test_a_lost_answer_is_checked_before_the_post_is_retried(store, tmp_path, fake, deliver):
    subscribe(store, "C1", "KRAS")
    add(store, tmp_path, "PMC2__a", ["KRAS"])
    fake.drop("chat.postMessage", deliver=deliver)
    report = runner_for(store, fake).run()
    assert report.posted == [("C1", 1)] and not report.failed
    assert len(fake.posted("C1")) == 1
    assert len(fake.api("chat.postMessage")) == (1 if deliver else 2)
    assert store.digest_in_doubt() == []


def test_without_history_access_a_lost_answer_is_never_posted_twice(store, tmp_path, fake):
    subscribe(store, "C1", "KRAS")
    add(store, tmp_path, "PMC2__a", ["KRAS"])
    fake.fail("conversations.history", "missing_scope")
    fake.drop("chat.postMessage", deliver=True)
    first = runner_for(store, fake).run()
    assert first.failed and len(store.digest_in_doubt()) == 1
    second = runner_for(store, fake).run()
    assert second.reconciled == [("C1", "assumed delivered")] and second.posted == []
    assert len(fake.posted("C1")) == 1 and len(fake.api("chat.postMessage")) == 1


def test_a_channel_with_an_unconfirmed_post_waits(store, tmp_path, fake):
    subscribe(store, "C1", "KRAS")
    add(store, tmp_path, "PMC2__a", ["KRAS"])
    store.digest_start(store.digest_plans()[0])  # in doubt from an earlier run
    fake.drop("conversations.history", deliver=False, times=10)  # Slack unreachable
    report = runner_for(store, fake).run()
    assert ("C1", "an earlier post is still unconfirmed") in report.failed
    assert fake.api("chat.postMessage") == []


def test_in_doubt_posts_are_checked_against_slack(store, tmp_path, fake):
    subscribe(store, "C1", "KRAS")
    subscribe(store, "C2", "KRAS")
    add(store, tmp_path, "PMC2__a", ["KRAS"])
    plans = {p.channel: p for p in store.digest_plans()}
    arrived = store.digest_start(plans["C1"])  # killed after Slack took it
    store.digest_start(plans["C2"])  # killed before Slack took it
    fake._deliver(
        {
            "channel": "C1",
            "text": "earlier run",
            "metadata": {"event_type": "pathway_digest", "event_payload": {"digest_id": arrived}},
        },
        "1800000000.1",
    )
    report = runner_for(store, fake).run()
    assert dict(report.reconciled) == {"C1": "had arrived", "C2": "had not arrived; reposting"}
    assert [c for c, _ in report.posted] == ["C2"]
    assert len(fake.posted("C1")) == 1 and len(fake.posted("C2")) == 1


def test_only_one_digest_runs_at_a_time(tmp_path):
    with (
        hold(tmp_path / "x.db", "digest"),
        pytest.raises(LockBusy, match="another digest is running"),
        hold(tmp_path / "x.db", "digest"),
    ):
        pass
    with hold(tmp_path / "x.db", "digest"):  # released
        pass


@pytest.mark.parametrize("deliver", [False, True], ids=["before-slack-took-it", "after"])
def test_killed_between_channels_then_rerun_loses_and_repeats_nothing(
    store, tmp_path, fake, deliver
):
    for channel in ("C1", "C2", "C3"):
        subscribe(store, channel, "KRAS")
    add(store, tmp_path, "PMC2__a", ["KRAS"])
    add(store, tmp_path, "PMC3__b", ["KRAS"])
    fake.hang("chat.postMessage", when=lambda d: d.get("channel") == "C2", deliver=deliver)
    env = dict(os.environ, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_BASE_URL=fake.api_url)
    command = [sys.executable, "-m", "bot", "--db", str(store.path), "digest"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert fake.wait_for(
        lambda: any(
            c.data.get("channel") == "C2" for c in fake.calls if c.name == "chat.postMessage"
        ),
        30,
    )
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert [len(fake.posted(c)) for c in ("C1", "C2", "C3")] == [1, int(deliver), 0]
    fake._hangs.clear()
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert [len(fake.posted(c)) for c in ("C1", "C2", "C3")] == [1, 1, 1]
    for channel in ("C1", "C2", "C3"):
        assert figids_in(fake.posted(channel)[0]) == ["PMC2__a", "PMC3__b"]
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert "posted 0 digests" in again.stdout and len(fake.posted()) == 3


def test_digest_cli_dry_run_posts_nothing(store, tmp_path, runner, fake):
    from bot.cli import cli

    subscribe(store, "C1", "KRAS")
    add(store, tmp_path, "PMC2__a", ["KRAS"])
    result = runner.invoke(cli, ["--db", str(store.path), "digest", "--dry-run"])
    assert result.exit_code == 0 and "C1: 1 new figure(s) for KRAS: PMC2__a" in result.output
    assert fake.calls == [] and store.digest_plans()[0].figures


def test_digest_cli_without_a_token_names_the_variable(tmp_path, runner, monkeypatch):
    from bot.cli import cli

    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    result = runner.invoke(cli, ["--db", str(tmp_path / "x.db"), "digest"])
    assert result.exit_code == 1 and "SLACK_BOT_TOKEN is not set" in result.output
