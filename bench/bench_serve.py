"""Serve benchmark: `pathway-bot serve` on loopback under signed /pathway load, beside naive bolt.

    python -m bench.bench_serve --db PATH     # a database ingested from testkit.corpus
    python -m bench.bench_serve               # builds the 100,000-record corpus first (~1 min)

A second process sends signed slash commands at a fixed rate (open loop: each request
has a scheduled send time and its latency counts from then, so a stalled server cannot
hide its queue). The baseline, run in the same session, is the naive deployment: the same
handler on bolt's built-in development server with bolt's defaults
(process_before_response=False, so bolt polls for the ack in 10 ms sleeps).
"""

import argparse
import json
import multiprocessing
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from store import Store
from testkit import slack_wire as wire
from testkit.corpus import corpus_database
from testkit.fake_slack import FakeSlack
from testkit.memory import children, memory_mb
from testkit.serve_kit import bot_env, free_port

QUERIES = [
    "TP53",
    "KRAS",
    "EGFR",
    "AKT1 MTOR",
    "NF-kB",
    "PI3K",
    "ERK1/2",
    "KRSA",
    "which figures show ITGB3 and RALB?",
    "search integrin resistance",
    "MAPK1",
    "help",
]


def rss_mb(pid: int) -> tuple[float, float]:
    """(private, mapped file) resident MB of a process and its children (gunicorn's master
    and workers; testkit/memory.py says why two numbers)."""
    sizes = [memory_mb(p) for p in (pid, *children(pid))]
    return sum(private for private, _ in sizes), sum(mapped for _, mapped in sizes)


# The Slack stand-in's response_url: serve refuses any other (a request whose
# response_url is not Slack's is not from Slack). Set in main().
RESPONSE_URL = ["http://127.0.0.1:9/r"]


def start(command: list[str], env: dict, url: str) -> tuple[subprocess.Popen, float]:
    began = time.monotonic()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while time.monotonic() - began < 60:
        try:
            status, _ = wire.post(
                url, wire.command_body("help", RESPONSE_URL[0]), wire.FORM, timeout=1
            )
            if status == 200:
                return process, time.monotonic() - began
        except OSError:
            pass
        time.sleep(0.05)
    process.kill()
    raise SystemExit(f"server did not start: {' '.join(command)}")


def load(url: str, rate: int, seconds: float, out) -> None:
    """The client process: open-loop signed POSTs; puts (latencies, errors, elapsed) on `out`."""
    total = int(rate * seconds)
    latencies, errors = [], []
    lock = threading.Lock()
    began = time.monotonic() + 0.2

    def one(i: int) -> None:
        scheduled = began + i / rate
        delay = scheduled - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        body = wire.command_body(QUERIES[i % len(QUERIES)], RESPONSE_URL[0])
        try:
            status, text = wire.post(url, body, wire.FORM, timeout=10)
            ok = status == 200 and '"blocks"' in text
        except OSError as error:
            ok, status = False, repr(error)
        with lock:
            latencies.append((time.monotonic() - scheduled) * 1000)
            if not ok:
                errors.append(status)

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(one, range(total)))
    out.put((latencies, errors, time.monotonic() - began))


def drive(url: str, rate: int, seconds: float) -> dict:
    queue = multiprocessing.Queue()
    client = multiprocessing.Process(target=load, args=(url, rate, seconds, queue))
    client.start()
    latencies, errors, elapsed = queue.get()
    client.join()
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "rps": len(ordered) / elapsed,
        "p50": statistics.median(ordered),
        "p99": ordered[int(len(ordered) * 0.99) - 1],
        "errors": len(errors),
    }


def naive_server(db: str, port: int) -> None:
    """The baseline: one handler, bolt's defaults, bolt's development server."""
    from slack_bolt import App

    from bot.app import request_client as web_client
    from bot.config import load_config
    from handlers.views.render import answer_message
    from handlers.views.state import View

    config = load_config(db=db)
    store = Store(config.db)
    app = App(client=web_client(config), signing_secret=config.signing_secret)

    @app.command("/pathway")
    def pathway(ack, command):
        answer = store.ask(command["text"], limit=config.page_size)
        ack(
            response_type="ephemeral",
            **answer_message(answer, View(command["text"]), config.image_url_template),
        )

    app.start(port=port, path="/slack/events")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rate", type=int, default=200, help="requests per second")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--naive-seconds", type=float, default=10)
    parser.add_argument("--naive-server", nargs=2, metavar=("DB", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_server:
        return naive_server(args.naive_server[0], int(args.naive_server[1]))
    args.db = corpus_database(args.db, args.records, "serve")
    figures = Store(args.db).stats().figures
    fake = FakeSlack()
    RESPONSE_URL[0] = fake.response_url("r")
    env = bot_env(fake)
    print(
        f"database: {figures:,} figures; load: {args.rate} signed /pathway requests/s, "
        f"{len(QUERIES)} queries in rotation\n"
    )
    rows = []
    for label, command, seconds in (
        (
            "pathway-bot serve (gunicorn, 2 workers)",
            [
                sys.executable,
                "-m",
                "bot",
                "--db",
                str(args.db),
                "serve",
                "--host",
                "127.0.0.1",
                "--workers",
                "2",
            ],
            args.seconds,
        ),
        (
            "naive: bolt dev server, defaults",
            [sys.executable, "-m", "bench.bench_serve", "--naive-server", str(args.db)],
            args.naive_seconds,
        ),
    ):
        port = free_port()
        command = command + (["--port", str(port)] if "serve" in command else [str(port)])
        url = f"http://127.0.0.1:{port}/slack/events"
        process, startup = start(command, env, url)
        try:
            result = drive(url, args.rate, seconds)
            result.update(label=label, seconds=seconds, startup=startup, rss=rss_mb(process.pid))
        finally:
            process.terminate()
            process.wait(timeout=20)
        rows.append(result)
    fake.close()
    print(
        f"{'server':<42}{'secs':>5}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'start s':>9}{'private MB':>11}{'file MB':>9}"
    )
    for r in rows:
        print(
            f"{r['label']:<42}{r['seconds']:>5.0f}{r['rps']:>8.1f}{r['p50']:>9.2f}"
            f"{r['p99']:>9.2f}{r['errors']:>8}{r['startup']:>9.2f}"
            f"{r['rss'][0]:>11.0f}{r['rss'][1]:>9.0f}"
        )
    print("\ntarget: >= 200 req/s sustained for 30 s, p99 <= 50 ms, zero errors")
    print(json.dumps(rows[0]))


if __name__ == "__main__":
    main()
