"""Slow clients against `serve`: what a few connections trickling a body do to real requests.

    python -m bench.bench_slowloris

For each worker model, `pathway-bot serve` (2 workers, the default) runs on loopback over
the seed database. N clients open a request declaring a 100 kB body and send one byte a
second; meanwhile a signed `/pathway KRAS` is sent every 200 ms for 10 s with a 5 s
timeout. The naive baseline, in the same run, is gunicorn's sync workers (`--threads 1`),
the model `serve` used before; the fix is its threaded workers (the default `--threads 16`).
Behind a buffering proxy (docs/reverse-proxy.md) neither sees a slow client at all.
"""

import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

from store import Store
from testkit import slack_wire as wire
from testkit.fake_slack import FakeSlack
from testkit.serve_kit import Server

SECONDS, INTERVAL, TIMEOUT = 10.0, 0.2, 5.0


def trickle(port: int, stop: threading.Event) -> None:
    try:
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(
                b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: "
                b"application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
            )
            while not stop.wait(1.0):
                conn.sendall(b"t")
    except OSError:
        return


def measure(server: Server, fake: FakeSlack, slow_clients: int) -> dict:
    stop = threading.Event()
    slow = [
        threading.Thread(target=trickle, args=(server.port, stop), daemon=True)
        for _ in range(slow_clients)
    ]
    for thread in slow:
        thread.start()
    time.sleep(0.5)
    latencies, failures = [], 0
    end = time.monotonic() + SECONDS
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            status, _ = server.post(
                wire.command_body("KRAS", fake.response_url("b")), wire.FORM, timeout=TIMEOUT
            )
            if status != 200:
                failures += 1
        except OSError:
            failures += 1
        latencies.append((time.monotonic() - started) * 1000)
        time.sleep(INTERVAL)
    stop.set()
    ordered = sorted(latencies)
    return {
        "n": len(ordered),
        "failed": failures,
        "p50": statistics.median(ordered),
        "max": ordered[-1],
    }


def main() -> None:
    db = Path(tempfile.mkdtemp(prefix="pathway-loris-")) / "seed.db"
    Store(db).ensure_seeded()
    fake = FakeSlack()
    print(
        f"/pathway KRAS every {INTERVAL * 1000:.0f} ms for {SECONDS:.0f} s, {TIMEOUT:.0f} s "
        "timeout, while N clients trickle a body at 1 byte/s; serve --workers 2\n"
    )
    print(
        f"{'workers':<34}{'slow clients':>13}{'requests':>10}{'failed':>8}{'p50 ms':>9}"
        f"{'max ms':>9}"
    )
    for label, extra in (
        ("naive: sync (--threads 1)", ("--threads", "1")),
        ("gthread (--threads 16, default)", ()),
    ):
        for slow_clients in (0, 2, 16, 32):
            server = Server(db, fake, workers=2, extra=extra)
            try:
                r = measure(server, fake, slow_clients)
            finally:
                server.stop()
            print(
                f"{label:<34}{slow_clients:>13}{r['n']:>10}{r['failed']:>8}{r['p50']:>9.1f}"
                f"{r['max']:>9.1f}"
            )
    fake.close()


if __name__ == "__main__":
    main()
