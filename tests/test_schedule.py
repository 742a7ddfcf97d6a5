"""The clock: when the daily job is due, catching up once, across DST."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import next_run, run_forever

LONDON = ZoneInfo("Europe/London")
AT = time(8, 0)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "now, last, due",
    [
        # never ran: catch up now
        ("2026-11-24 09:00", None, "2026-11-24 09:00"),
        # ran at today's slot: tomorrow's slot is next
        ("2026-11-24 09:00", "2026-11-24 08:00", "2026-11-25 08:00"),
        # before today's slot, ran yesterday: today's slot
        ("2026-11-24 07:00", "2026-11-23 08:00", "2026-11-24 08:00"),
        # down for three days: one catch-up run now, not three
        ("2026-11-24 12:00", "2026-11-21 08:00", "2026-11-24 12:00"),
        # down over yesterday's slot, back before today's: catch up now
        ("2026-11-24 07:00", "2026-11-22 08:00", "2026-11-24 07:00"),
        # London summer time: 08:00 local is 07:00 UTC
        ("2026-07-01 06:59", "2026-06-30 07:00", "2026-07-01 07:00"),
        # the night the clocks go back keeps 08:00 local
        ("2026-10-25 00:30", "2026-10-24 07:00", "2026-10-25 08:00"),
    ],
)
def test_next_run(now, last, due):
    result = next_run(utc(now), utc(last) if last else None, AT, LONDON)
    assert result == utc(due)


def test_the_loop_runs_the_job_once_per_day_after_downtime():
    clock = [utc("2026-11-24 12:00")]  # last run three days ago
    state = {"last": utc("2026-11-21 08:00"), "runs": []}

    def sleep(seconds):
        clock[0] += timedelta(seconds=seconds)

    def job():
        state["runs"].append(clock[0])

    def mark(moment):
        state["last"] = moment

    run_forever(
        job,
        lambda: state["last"],
        mark,
        AT,
        LONDON,
        now=lambda: clock[0],
        sleep=sleep,
        stop=lambda: clock[0] > utc("2026-11-26 09:00"),
    )
    assert state["runs"] == [
        utc("2026-11-24 12:00"),
        utc("2026-11-25 08:00"),
        utc("2026-11-26 08:00"),
    ]


def test_a_failing_job_does_not_stop_the_clock():
    clock, runs = [utc("2026-11-24 08:00")], []

    def job():
        runs.append(clock[0])
        raise RuntimeError("Slack is down")

    last = [None]
    run_forever(
        job,
        lambda: last[0],
        lambda t: last.__setitem__(0, t),
        AT,
        LONDON,
        now=lambda: clock[0],
        sleep=lambda s: clock.__setitem__(0, clock[0] + timedelta(seconds=s)),
        stop=lambda: clock[0] > utc("2026-11-25 09:00"),
    )
    assert len(runs) == 2
