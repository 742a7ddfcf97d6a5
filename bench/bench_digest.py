"""Sync + digest benchmark: 1,000 new records land in a 100k-record git repository, 200 channels.

    python -m bench.bench_digest [--records 100000] [--new 1000] [--channels 200]

Setup (not timed): a synthetic corpus committed to a local "upstream" git repository, a
clone of it synced once (cold ingest), and 200 channels subscribed to genes, families and
searches. Then 1,000 new records are committed upstream and `sync` (git pull --ff-only +
incremental ingest) and `digest` run, timed.

Slack's pacing is excluded by running the digest against the local Slack stand-in with
digest_interval = 0: posts are answered at once and the one-second pause between posts
is skipped. With real Slack, add about one second per channel posted (printed below).
Baselines, measured in the same run: a naive digest planner that runs one JOIN per
channel and subscription, and a naive sync that re-parses every record with PyYAML.
"""

import argparse
import random
import resource
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

from bot.config import Config
from bot.digest import DigestRunner
from bot.jobs import job_client
from store import Store
from store.ingest import find_record_files
from store.sync import update
from testkit.corpus import POPULAR, make_corpus
from testkit.fake_slack import FakeSlack

FAMILIES = ["NF-kB", "PI3K", "ERK1/2", "AKT", "RAS", "p38", "JNK"]
SEARCHES = ["search autophagy", "search hypoxia insulin", "search DNA damage repair"]
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]


def timed(action):
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def commit(repo: Path, message: str) -> None:
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", message], cwd=repo, check=True)


def subscribe_channels(store: Store, channels: int) -> None:
    rng = random.Random(11)
    for n in range(channels):
        terms = rng.sample(POPULAR[:12], 2) + rng.sample(POPULAR[12:], 1) + [rng.choice(FAMILIES)]
        subs, _ = store.understand_subscription(f"C{n:08d}", " ".join(terms))
        if n % 10 == 0:
            subs += store.understand_subscription(f"C{n:08d}", rng.choice(SEARCHES))[0]
        store.subscribe(subs, "U0BENCH")


def naive_digest_plan(db_path: Path) -> int:
    """One JOIN per channel and symbol over the plain link table, like a first version."""
    db = sqlite3.connect(db_path)
    found = 0
    channels = db.execute("SELECT channel, max(created) FROM subscriptions GROUP BY channel")
    for channel, since in channels.fetchall():
        figures = set()
        for (symbols,) in db.execute(
            "SELECT symbols FROM subscriptions WHERE channel = ? AND kind != 'search'", [channel]
        ).fetchall():
            for symbol in yaml.safe_load(symbols):
                figures.update(
                    r[0]
                    for r in db.execute(
                        "SELECT f.id FROM figure_genes g JOIN figures f ON f.id = g.figure_id "
                        "WHERE g.symbol = ? AND f.first_seen > ?",
                        [symbol, since],
                    )
                )
        found += len(figures)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pathway-digest-"))
    print(
        f"setting up in {work}: {args.records:,} records in git, first sync, "
        f"{args.channels} channels ..."
    )
    origin = make_corpus(args.records, work / "origin")
    subprocess.run([*GIT, "init", "-q", "-b", "main"], cwd=origin, check=True)
    commit(origin, "synthetic corpus")
    subprocess.run([*GIT, "clone", "-q", str(origin), str(work / "checkout")], check=True)
    store = Store(work / "bot.db")
    setup_sync, _ = timed(lambda: store.sync(str(work / "checkout"), work / "unused"))
    subscribe_channels(store, args.channels)
    print(f"setup: first sync {setup_sync:.1f} s\n")

    before = {p.name for p in (origin / "_figures").glob("*.md")}
    make_corpus(args.new, origin, start=args.records)
    new_names = sorted({p.name for p in (origin / "_figures").glob("*.md")} - before)
    commit(origin, f"{args.new} new records")
    shutil.copy(work / "bot.db", work / "before.db")  # for the ingest-alone measurement

    pull_s, checkout = timed(lambda: update(str(work / "checkout"), work / "unused"))
    ingest_s, report = timed(lambda: store.ingest([checkout.path]))
    fake = FakeSlack()
    config = Config(
        db=store.path, bot_token="xoxb-bench", slack_api_base_url=fake.api_url, digest_interval=0
    )
    digest_s, digest = timed(lambda: DigestRunner(store, job_client(config), config).run())
    fake.close()
    posts, figures = len(digest.posted), sum(n for _, n in digest.posted)

    new_files = [checkout.path / "_figures" / name for name in new_names]
    alone = Store(work / "before.db")
    alone_s, alone_report = timed(lambda: alone.ingest(new_files))
    alone.close()

    naive_plan_s, naive_found = timed(lambda: naive_digest_plan(work / "bot.db"))
    sample = [Path(p) for p in find_record_files([checkout.path])[:5000]]
    parse_s, _ = timed(
        lambda: [
            yaml.load(p.read_text().split("---\n")[1], Loader=yaml.CSafeLoader) for p in sample
        ]
    )
    naive_sync_s = parse_s * (args.records + args.new) / len(sample)

    total = pull_s + ingest_s + digest_s
    print(f"{'step':<44}{'seconds':>9}")
    print(f"{'git pull --ff-only':<44}{pull_s:>9.2f}")
    print(f"{'incremental ingest (checkout)':<44}{ingest_s:>9.2f}   {report.summary()}")
    print(
        f"{'digest: plan + render + post':<44}{digest_s:>9.2f}   "
        f"{posts} posts, {figures:,} figures across the digests"
    )
    print(f"{'sync + digest end to end':<44}{total:>9.2f}   target <= 30 s")
    print(f"{'ingest of the new records alone':<44}{alone_s:>9.2f}   {alone_report.summary()}")
    print("\nnaive baselines (same run)")
    print(
        f"{'digest planning, a JOIN per subscription':<44}{naive_plan_s:>9.2f}   "
        f"({naive_found:,} matches; genes and families only, no posting)"
    )
    print(
        f"{'sync re-parsing every record (PyYAML C)':<44}{naive_sync_s:>9.2f}   "
        f"(scaled from {len(sample):,} files)"
    )
    print(f"\nSlack pacing excluded: at ~1 post/s real Slack adds about {posts} s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:,.0f} MB")
    store.close()


if __name__ == "__main__":
    main()
