"""The clock process: sync then digest once a day at a local time, catching up once."""

import logging
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

LOG = logging.getLogger("pathway_bot.schedule")
TICK = 30  # seconds between looks at the clock: cheap, and quick to notice a stop


def parse_time(text: str) -> clock_time:
    hours, minutes = text.split(":")
    return clock_time(int(hours), int(minutes))


def next_run(now: datetime, last_run: datetime | None, at: clock_time, zone: ZoneInfo) -> datetime:
    """When the job is next due. A slot that passed without a run is due now, however many
    passed: after downtime the job runs once, not once per missed day."""
    local_now = now.astimezone(zone)
    slot = datetime.combine(local_now.date(), at, tzinfo=zone)
    if slot > local_now:
        slot = datetime.combine(local_now.date() - timedelta(days=1), at, tzinfo=zone)
    if last_run is None or last_run < slot:
        return now
    return datetime.combine(slot.date() + timedelta(days=1), at, tzinfo=zone)


def run_forever(
    job,
    last_run,
    mark_run,
    at: clock_time,
    zone: ZoneInfo,
    now=lambda: datetime.now(UTC),
    sleep=time.sleep,
    stop=lambda: False,
):
    """Call job() whenever due; `last_run()`/`mark_run(t)` persist the last run time."""
    while not stop():
        current = now()
        due = next_run(current, last_run(), at, zone)
        if due > current:
            sleep(min((due - current).total_seconds(), TICK))
            continue
        LOG.info("running the daily sync and digest")
        try:
            job()
        except Exception:  # one bad day must not stop the clock
            LOG.exception("the daily job failed; next attempt at the next slot")
        mark_run(current)
