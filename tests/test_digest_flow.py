"""The whole daily loop with real parts: a git repo of PFOCR sample records, `sync`,
subscriptions through signed slash commands to the real server, then `digest`."""

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from store import Store
from testkit import slack_wire as wire
from testkit.blockkit import check_message
from testkit.fake_slack import FakeSlack
from testkit.git_kit import commit_all, make_repo
from testkit.serve_kit import Server
from tests.conftest import SAMPLE, need_shared

LAB, PRIVATE = "C0LAB", "C0PRIV"


def copy_records(names: list[str], repo: Path) -> None:
    """Copy sample records and their sidecars into a PFOCR-shaped repository."""
    for name in names:
        figid = name.removesuffix(".md")
        (repo / "_figures").mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE / "_figures" / name, repo / "_figures" / name)
        for sidecar in (SAMPLE / "_data").glob(f"{figid}-*.tsv"):
            (repo / "_data").mkdir(exist_ok=True)
            shutil.copy(sidecar, repo / "_data" / sidecar.name)


def cli(db: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Sample records split in two commits, the symbol to follow, and who should get what."""
    need_shared(SAMPLE)
    tmp = tmp_path_factory.mktemp("flow")
    names = sorted(p.name for p in (SAMPLE / "_figures").glob("*.md"))
    first, second = names[: len(names) // 2], names[len(names) // 2 :]
    reference = Store(tmp / "reference.db")
    reference.ingest([SAMPLE])
    genes = {
        figid: {s for _, s in json.loads(g) if s}
        for figid, g in reference.db.execute("SELECT figid, genes FROM figures")
    }
    reference.close()
    second_ids = {n.removesuffix(".md") for n in second}
    counts = Counter(s for figid in second_ids for s in genes.get(figid, ()))
    symbol = max(counts, key=lambda s: (counts[s], s))  # the commonest gene of the new batch
    expected = sorted(f for f in second_ids if symbol in genes.get(f, ()))
    return {"tmp": tmp, "first": first, "second": second, "symbol": symbol, "expected": expected}


def slash(server, fake, text, channel=LAB, name="r"):
    status, body = server.post(wire.command_body(text, fake.response_url(name), channel), wire.FORM)
    assert status == 200
    return json.loads(body) if body else None


def test_sync_subscribe_sync_digest_posts_exactly_the_new_matching_figures(world):
    tmp, symbol, expected = world["tmp"], world["symbol"], world["expected"]
    origin = make_repo(tmp / "origin")
    copy_records(world["first"], origin)
    commit_all(origin, "first half of the sample")
    db = tmp / "bot.db"
    fake = FakeSlack()
    env = dict(
        os.environ,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=wire.SECRET,
        SLACK_API_BASE_URL=fake.api_url,
        PATHWAY_BOT_CONFIG="",
    )
    try:
        synced = cli(db, env, "sync", "--source", f"file://{origin}")
        assert synced.returncode == 0, synced.stderr
        assert f"ingested {len(world['first'])}, unchanged 0, failed 0" in synced.stdout
        server = Server(db, fake)
        try:
            assert slash(server, fake, f"subscribe {symbol}") is None  # answered in-channel
            assert fake.wait_for(lambda: fake.posted(LAB))
            (confirmation,) = fake.posted(LAB)
            assert f"subscribed this channel to *{symbol}*" in confirmation["text"]

            # The confirmation is posted first (it proves the bot may post), then saved.
            assert fake.wait_for(lambda: symbol in json.dumps(slash(server, fake, "subscriptions")))
            listing = slash(server, fake, "subscriptions")
            check_message(listing, allowed_mentions=(f"<@{wire.USER}>",))
            assert symbol in json.dumps(listing) and "Active" in json.dumps(listing)

            fake.fail(
                "chat.postMessage", "channel_not_found", when=lambda d: d.get("channel") == PRIVATE
            )
            slash(server, fake, f"subscribe {symbol}", channel=PRIVATE, name="priv")
            assert fake.wait_for(lambda: fake.responses("priv"))
            assert "/invite @PathwayBot" in fake.responses("priv")[0]["text"]

            copy_records(world["second"], origin)
            commit_all(origin, "second half: new papers")
            synced = cli(db, env, "sync", "--source", f"file://{origin}")
            assert f"unchanged {len(world['first'])}, failed 0" in synced.stdout, synced.stderr

            preview = slash(server, fake, "digest")
            check_message(preview)
            assert f"{len(expected)} new figure" in preview["blocks"][0]["text"]["text"]

            digest = cli(db, env, "digest")
            assert digest.returncode == 0, digest.stderr
            posts = fake.posted(LAB)[1:]
            assert len(posts) == 1 and fake.posted(PRIVATE) == []
            assert posts[0]["text"].startswith(f"{len(expected)} new pathway figure")
            check_message({"text": posts[0]["text"], "blocks": posts[0]["blocks"]})
            store = Store(db)
            (row,) = store.db.execute("SELECT figures FROM digests").fetchall()
            posted_ids = [i for i, _, _ in json.loads(row[0])]
            figids = sorted(
                store.db.execute(
                    f"SELECT figid FROM figures WHERE id IN ({','.join('?' * len(posted_ids))})",
                    posted_ids,
                ).fetchall()
            )
            assert [f for (f,) in figids] == expected
            store.close()

            assert "posted 0 digests" in cli(db, env, "digest").stdout
            assert len(fake.posted(LAB)) == 2

            assert slash(server, fake, f"unsubscribe {symbol}", name="unsub") is None  # acked
            assert fake.wait_for(lambda: fake.responses("unsub"))
            (removed,) = fake.responses("unsub")
            assert f"Unsubscribed this channel from {symbol}" in removed["text"]
            assert "no subscriptions" in slash(server, fake, "subscriptions")["text"]
        finally:
            log = server.stop()
            assert "Traceback" not in log, log
    finally:
        fake.close()
