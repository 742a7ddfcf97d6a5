"""The batch jobs behind `sync`, `digest` and `schedule`, each under its file lock."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.web import web_client
from store import Store, SyncError

from . import lock
from .config import Config, ConfigError
from .digest import DigestReport, DigestRunner
from .lock import JobError
from .schedule import parse_time, run_forever

LAST_RUN_KEY = "schedule_last_run"


def job_client(config: Config):
    """The WebClient of batch jobs: long timeouts, Retry-After waited out."""
    return web_client(config.bot_token, config.slack_api_base_url)


def sync(config: Config, store: Store, source: str | None, echo, **ingest_options) -> int:
    """Fast-forward the PFOCR checkout and ingest it; returns how many records failed."""
    source = source or config.pfocr_source
    if not source:
        raise JobError("no PFOCR source: set pfocr_source in the config file or pass --source")
    try:
        with lock.hold(config.db, "sync"):
            checkout, report = store.sync(source, config.checkout, **ingest_options)
    except (SyncError, lock.LockBusy, lock.LockError) as error:
        raise JobError(str(error)) from None
    if checkout.cloned:
        echo(f"cloned {source} into {checkout.path} at {checkout.after[:10]}")
    elif checkout.changed:
        echo(f"{checkout.path}: {(checkout.before or '')[:10]}..{checkout.after[:10]}")
    else:
        echo(f"{checkout.path}: already up to date at {checkout.after[:10]}")
    echo(report.summary())
    started = time.monotonic()
    library = store.library()  # built once here, so serve workers load it in milliseconds
    echo(
        f"enrichment library: {library.sets:,} figure gene sets, {library.universe:,} genes "
        f"({time.monotonic() - started:.1f} s)"
    )
    return report.failed


def digest(
    config: Config, store: Store, echo, channel: str | None = None, dry_run: bool = False
) -> DigestReport | None:
    """Post (or with dry_run, list) every due digest; None for a dry run."""
    if dry_run:
        plans = store.digest_plans(channel)
        if not plans:
            where = f"channel {channel}" if channel else "any channel"
            echo(
                "No digest is due: no channel subscribes to anything yet. "
                "`/pathway subscribe KRAS` in a Slack channel adds a subscription."
                if not store.all_subscriptions(1)
                else f"No digest is due in {where}: no new figures match, or it is paused."
            )
        for plan in plans:
            figids = [hit.figid for hit in store.plan_page(plan, 10).figures]
            more = f" (+{len(plan.figures) - len(figids)} more)" if len(plan.figures) > 10 else ""
            echo(
                f"{plan.channel}: {len(plan.figures)} new figure(s) for "
                f"{', '.join(plan.labels)}: {', '.join(figids) or '-'}{more}"
            )
        return None
    clients = None
    try:
        if config.oauth:  # every installation posts with its own (refreshed) token
            from .installations import stores, workspace_clients

            clients = workspace_clients(config, stores(config)[0])
        else:
            config.require("bot_token")
    except ConfigError as error:
        raise JobError(str(error)) from None
    try:
        with lock.hold(config.db, "digest"), store.digest_run() as ours:
            if not ours:  # another machine's clock is posting the digests
                raise lock.LockBusy("another digest run (on another machine) is posting now")
            runner = DigestRunner(store, job_client(config), config, clients=clients)
            report = runner.run(channel)
    except (lock.LockBusy, lock.LockError) as error:
        raise JobError(str(error)) from None
    for channel_, count in report.posted:
        echo(f"{channel_}: posted {count} figure(s)")
    for channel_, outcome in report.reconciled:
        echo(f"{channel_}: an interrupted post {outcome}")
    for channel_, reason in report.paused:
        echo(f"{channel_}: paused, Slack said {reason}")
    for channel_, reason in report.failed:
        echo(f"{channel_}: not posted, will retry next run: {reason}")
    echo(report.summary())
    return report


def schedule(config: Config, store: Store, echo) -> None:
    """Run sync (when a source is configured) then digest daily at the configured time."""
    config.require("bot_token")

    def job():
        if config.pfocr_source:
            try:
                sync(config, store, None, echo)
            except JobError as error:  # digest what we have; the log says why sync failed
                echo(f"sync failed: {error}")
        try:
            digest(config, store, echo)
        except JobError as error:
            echo(f"digest skipped: {error}")

    def last_run():
        stamp = store.get_meta(LAST_RUN_KEY)
        return datetime.fromisoformat(stamp) if stamp else None

    echo(f"daily sync and digest at {config.digest_time} ({config.timezone})")
    run_forever(
        job,
        last_run,
        lambda t: store.set_meta(LAST_RUN_KEY, t.isoformat()),
        parse_time(config.digest_time),
        ZoneInfo(config.timezone),
    )
