"""What shared state in PostgreSQL costs a `serve` worker, beside the SQLite default.

    python -m bench.bench_postgres

Starts a throwaway PostgreSQL server (testkit.postgres_kit), then measures:
- one connection: the server backend's proportional memory (PSS from /proc) and the
  worker's own RSS growth when it opens its connections (event claims, shared state);
- an event claim's latency (the write on the ack's path), PostgreSQL over loopback beside
  the default claims file (SQLite) measured in the same run;
- a subscription listing's latency, the same way.
"""

import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from store import Store, seed_record
from testkit.postgres_kit import available, running_postgres

REPEAT = 300


def pss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def backends() -> list[int]:
    """The server's client backends (not its background workers)."""
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [
        int(line.split()[0])
        for line in out.splitlines()
        if "postgres: postgres postgres 127.0.0.1" in line
    ]


def timed(action) -> tuple[float, float]:
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def main() -> None:
    why = available()
    if why:
        raise SystemExit(why)
    folder = Path(tempfile.mkdtemp(prefix="pathway-pgbench-"))
    local = Store(folder / "local.db")
    local.ingest([seed_record()])
    with running_postgres() as url:
        before = set(backends())
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        shared = Store(folder / "local.db", database_url=url)
        shared.claim_event("warm-up")  # opens the claims engine (a pool of up to 2)
        shared.subscriptions("T0:C0")  # opens the state connection
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
        mine = [pid for pid in backends() if pid not in before]
        per = [pss_kb(pid) / 1024 for pid in mine]
        print(
            f"connections per worker: {len(mine)}; server memory per connection (PSS): "
            f"{', '.join(f'{mb:.1f}' for mb in per)} MB; worker RSS growth: {grown:.1f} MB\n"
        )
        counter = iter(range(10**9))
        rows = [
            (
                "event claim",
                lambda: local.claim_event(f"L{next(counter)}"),
                lambda: shared.claim_event(f"S{next(counter)}"),
            ),
            (
                "subscription listing",
                lambda: local.subscriptions("T0:C0"),
                lambda: shared.subscriptions("T0:C0"),
            ),
        ]
        print(f"{'':<24}{'SQLite p50':>12}{'p99 ms':>9}{'Postgres p50':>15}{'p99 ms':>9}")
        for label, baseline, ours in rows:
            b50, b99 = timed(baseline)
            o50, o99 = timed(ours)
            print(f"{label:<24}{b50:>12.2f}{b99:>9.2f}{o50:>15.2f}{o99:>9.2f}")
        shared.close()
    local.close()
    print(f"\n(pid {os.getpid()}; {REPEAT} of each)")


if __name__ == "__main__":
    main()
