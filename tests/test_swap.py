"""Swapping a new figure index under a running `serve`, as a replica's sync does: build
the new file beside the old one, then atomically replace the symlink `serve` was given.
Requests keep flowing through the swap; none fails, and answers come from the new file."""

import json
import os
import threading
import time

from store import Store, seed_record
from testkit import slack_wire as wire
from testkit.fake_slack import FakeSlack
from testkit.records_kit import record, write
from testkit.serve_kit import Server


def build(path, extra_folder=None):
    store = Store(path)
    store.ingest([seed_record()])
    if extra_folder is not None:
        store.ingest([extra_folder])
    store.close()


def test_a_swap_under_load_loses_no_request(tmp_path):
    first, second = tmp_path / "index-1.db", tmp_path / "index-2.db"
    build(first)
    extra = tmp_path / "new"
    write(extra, "new.md", record("PMC55__swapped", "Swapped-in KRAS figure", ["KRAS", "EGFR"]))
    build(second, extra)
    served = tmp_path / "bot.db"
    os.symlink(first.name, served)
    fake = FakeSlack()
    server = Server(served, fake, workers=2)
    results: list[tuple[int, str]] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            body = wire.command_body("KRAS", fake.response_url("load"))
            results.append(server.post(body, wire.FORM))
            time.sleep(0.02)

    senders = [threading.Thread(target=load) for _ in range(2)]
    try:
        for sender in senders:
            sender.start()
        time.sleep(0.8)
        before = len(results)
        staged = tmp_path / "bot.db.next"
        os.symlink(second.name, staged)
        os.replace(staged, served)  # the atomic step
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:  # until both workers answer from the new file
            status, body = server.post(wire.command_body("KRAS", fake.response_url("x")), wire.FORM)
            if status == 200 and "2 figures" in body:
                break
            time.sleep(0.1)
        time.sleep(0.8)
    finally:
        stop.set()
        for sender in senders:
            sender.join()
        log = server.stop()
        fake.close()
    assert "Traceback" not in log and "figure index swapped" in log
    assert before > 10 and len(results) > before + 10  # load before and after the swap
    assert all(status == 200 for status, _ in results), [s for s, _ in results if s != 200]
    headers = [json.loads(body)["blocks"][0]["text"]["text"] for _, body in results]
    assert headers[0] == "KRAS · 1 figure" and headers[-1] == "KRAS · 2 figures"
    assert set(headers) == {"KRAS · 1 figure", "KRAS · 2 figures"}
