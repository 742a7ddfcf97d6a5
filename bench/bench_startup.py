"""Start-up costs: `ask` and `stats` wall time, `serve`'s time to first answer and worker RSS.

    python -m bench.bench_startup                # on the bundled seed database
    python -m bench.bench_startup --db bench.db  # serve RSS on a big database too

Each CLI number is the median of 5 runs of a fresh process, beside the floor measured in
the same run: `python -c "import click, yaml, sqlite3"`, the least any Python CLI with our
config parser pays. `serve` is timed from launch to the first answered signed /pathway.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from store import Store, seed_record, seeds_dir
from testkit import slack_wire as wire
from testkit.fake_slack import FakeSlack
from testkit.memory import children, memory_mb
from testkit.serve_kit import bot_env, free_port, serve_command

RUNS = 5


def wall(command: list[str], env: dict) -> float:
    times = []
    for _ in range(RUNS):
        started = time.monotonic()
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append(time.monotonic() - started)
    return statistics.median(times)


def worker_rss_mb(master: int) -> list[tuple[float, float]]:
    """Each worker's (private, mapped file) resident MB (testkit/memory.py)."""
    return [memory_mb(pid) for pid in children(master)]


def first_answer(db: Path, fake: FakeSlack, env: dict) -> tuple[float, list[tuple[float, float]]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/slack/events"
    started = time.monotonic()
    process = subprocess.Popen(
        serve_command(db, port),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.monotonic() - started < 120:
            try:
                status, _ = wire.post(
                    url, wire.command_body("KRAS", fake.response_url("r")), wire.FORM, timeout=2
                )
                if status == 200:
                    elapsed = time.monotonic() - started
                    time.sleep(1.0)  # both workers up
                    return elapsed, worker_rss_mb(process.pid)
            except OSError:
                pass
            time.sleep(0.02)
        raise SystemExit("serve never answered")
    finally:
        process.terminate()
        process.wait(timeout=20)


def first_use(env: dict, records: list[str]) -> float:
    """Median wall time of `ask KRAS` on a database that does not exist yet (each run in a
    new folder, so the name index is built too): what a fresh install's first command
    costs. `records` empty: the bundled seeds; else `ingest` those first (the baseline)."""
    times = []
    for _ in range(RUNS):
        folder = Path(tempfile.mkdtemp(prefix="pathway-first-"))
        cli = [sys.executable, "-m", "bot", "--db", str(folder / "bot.db")]
        started = time.monotonic()
        if records:
            subprocess.run([*cli, "ingest", *records], env=env, capture_output=True, check=True)
        subprocess.run([*cli, "ask", "KRAS"], env=env, capture_output=True, check=True)
        times.append(time.monotonic() - started)
    return statistics.median(times)


def wheel_kb() -> float:
    """The size of the wheel `pip wheel` builds from this checkout."""
    out = Path(tempfile.mkdtemp(prefix="pathway-wheel-"))
    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(root)],
        capture_output=True,
        check=True,
    )
    (wheel,) = out.glob("*.whl")
    return wheel.stat().st_size / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="also measure serve on this (big) database")
    args = parser.parse_args()
    seed = Path(tempfile.mkdtemp(prefix="pathway-startup-")) / "seed.db"
    store = Store(seed)
    store.ensure_seeded()
    store.ask("KRAS")  # builds the name index once, as the first real ask does
    store.close()
    fake = FakeSlack()
    env = bot_env(fake)
    cli = [sys.executable, "-m", "bot", "--db", str(seed)]
    floor = wall([sys.executable, "-c", "import click, yaml, sqlite3"], env)
    ask = wall([*cli, "ask", "KRAS"], env)
    stats = wall([*cli, "stats"], env)
    helps = wall([*cli, "--help"], env)
    print(f"{'command (median of 5)':<40}{'seconds':>9}   target")
    print(f"{'floor: python -c import click,yaml,sqlite3':<40}{floor:>9.3f}")
    print(f"{'pathway-bot ask KRAS (seed database)':<40}{ask:>9.3f}   <= 0.5")
    print(f"{'pathway-bot stats':<40}{stats:>9.3f}   <= 0.4")
    print(f"{'pathway-bot --help':<40}{helps:>9.3f}")
    seeds = seeds_dir()
    starter = first_use(env, [])
    single = first_use(env, [str(seed_record())])
    count = len(list((seeds / "_figures").glob("*.md")))
    print(f"{f'first use: ask KRAS, {count} starter records':<40}{starter:>9.3f}   a few seconds")
    print(f"{'baseline: the same, one seed record':<40}{single:>9.3f}")
    print(f"{'wheel size (KB)':<40}{wheel_kb():>9.0f}")
    print(f"\n{'serve':<40}{'first answer s':>15}{'worker MB, private + file':>28}")
    targets = [("seed database", seed)] + ([(args.db.name, args.db)] if args.db else [])
    for label, db in targets:
        seconds, rss = first_answer(db, fake, env)
        shown = ", ".join(f"{private:.0f} + {mapped:.0f}" for private, mapped in sorted(rss))
        print(f"{label:<40}{seconds:>15.2f}{shown:>28}   target first answer <= 1.5 s")
    fake.close()


if __name__ == "__main__":
    main()
