"""Ack times while a bulk ingest writes: does any Slack request wait on the ingest's lock?

    python -m bench.bench_acks                 # 20,000 synthetic records (~1 min)
    python -m bench.bench_acks --records 50000

`pathway-bot serve` runs on loopback over a seeded database. A client sends a signed
mention event (the path that claims the event id) and a signed `/pathway` command every
50 ms, first with the database idle, then while `pathway-bot ingest` loads the corpus
into the same database. The naive baseline, measured in the same run, is the old claim:
the same one-row INSERT into the figure database, with its 10 s busy timeout, timed
while the same ingest runs.
"""

import argparse
import contextlib
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from store import Store
from testkit import slack_wire as wire
from testkit.corpus import make_corpus
from testkit.fake_slack import FakeSlack
from testkit.serve_kit import Server

SLACK_ACK_BUDGET_MS = 3000
INTERVAL = 0.05


def summary(label: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return (
        f"{label:<46}{len(ordered):>7}{statistics.median(ordered):>9.1f}{p99:>9.1f}"
        f"{ordered[-1]:>9.1f}"
    )


def probe(
    server: Server, fake: FakeSlack, stop: threading.Event, acks: list, kinds: list, prefix: str
) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        body = wire.mention_body(f"Ev{prefix}{n}", "<@U0BOT> KRAS")
        started = time.monotonic()
        status, _ = server.post(body, wire.JSON, timeout=30)
        acks.append((time.monotonic() - started) * 1000)
        kinds.append(status)
        started = time.monotonic()
        status, _ = server.post(
            wire.command_body("KRAS", fake.response_url("b")), wire.FORM, timeout=30
        )
        acks.append((time.monotonic() - started) * 1000)
        kinds.append(status)
        time.sleep(INTERVAL)


def naive_claims(db: Path, stop: threading.Event, waits: list) -> None:
    """The old ack path: claim the event in the figure database itself."""
    conn = sqlite3.connect(db, timeout=10, isolation_level=None)
    conn.execute("CREATE TABLE IF NOT EXISTS bench_claims (id TEXT PRIMARY KEY)")
    n = 0
    while not stop.is_set():
        n += 1
        started = time.monotonic()
        # "database is locked" after 10 s would be an ack Slack never got
        with contextlib.suppress(sqlite3.OperationalError):
            conn.execute("INSERT OR IGNORE INTO bench_claims VALUES (?)", [f"e{n}"])
        waits.append((time.monotonic() - started) * 1000)
        time.sleep(INTERVAL)
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pathway-acks-"))
    corpus = make_corpus(args.records, work / "corpus")
    db = work / "bot.db"
    Store(db).ensure_seeded()
    fake = FakeSlack()
    server = Server(db, fake, workers=2)
    try:
        idle, idle_status = [], []
        stop = threading.Event()
        thread = threading.Thread(
            target=probe, args=(server, fake, stop, idle, idle_status, "idle")
        )
        thread.start()
        time.sleep(5)
        stop.set()
        thread.join()

        busy, busy_status, naive = [], [], []
        stop = threading.Event()
        threads = [
            threading.Thread(target=probe, args=(server, fake, stop, busy, busy_status, "busy")),
            threading.Thread(target=naive_claims, args=(db, stop, naive)),
        ]
        began = time.monotonic()
        ingest = subprocess.Popen(
            [sys.executable, "-m", "bot", "--db", str(db), "ingest", str(corpus)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for thread in threads:
            thread.start()
        out, _ = ingest.communicate()
        ingest_s = time.monotonic() - began
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
        fake.close()
    print(
        f"ingest of {args.records:,} synthetic records into the served database: "
        f"{ingest_s:.1f} s ({out.strip()})\n"
    )
    print(f"{'ack round trip (ms)':<46}{'n':>7}{'p50':>9}{'p99':>9}{'max':>9}")
    print(summary("serve, idle database", idle))
    print(summary("serve, during the ingest", busy))
    print(summary("naive: claim in the figure db, during ingest", naive))
    late = sum(1 for ms in busy if ms > SLACK_ACK_BUDGET_MS)
    bad = sum(1 for status in busy_status if status != 200)
    print(f"\nacks over Slack's 3 s during the ingest: {late}; non-200 answers: {bad}")
    print(f"naive claims over 3 s: {sum(1 for ms in naive if ms > SLACK_ACK_BUDGET_MS)}")


if __name__ == "__main__":
    main()
