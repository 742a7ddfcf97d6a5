"""The `pathway-bot` command line."""

import json
import logging
import os
import sqlite3
import sys
import tempfile
import traceback
import uuid
from pathlib import Path

import click

from handlers.views.text import (
    answer_text,
    enrichment_text,
    enrichment_tsv,
    lexicon_text,
    starter_text,
    stats_text,
)
from store import Store, StoreError

from .config import SERVE_THREADS, ConfigError, load_config
from .lock import JobError, LockBusy, LockError

PROGRESS_MIN_FILES = 500  # smaller runs finish before a bar is worth drawing


class Context:
    """What every command gets: the config, and the store opened on first use."""

    def __init__(self, config):
        self.config = config
        self._store = None

    def store(self) -> Store:
        if self._store is None:
            try:
                self._store = Store(self.config.db, database_url=self.config.database_url)
            except Exception as error:  # sqlite3 errors name no file; say which one
                raise click.ClickException(
                    f"cannot open database {self.config.db}: {error}"
                ) from None
        return self._store


def configure_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


ERROR_LOG = Path(tempfile.gettempdir()) / "pathway-bot-errors.log"


def _log_traceback(error: BaseException) -> str:
    """Append the traceback to ERROR_LOG under a short id; return the id."""
    error_id = uuid.uuid4().hex[:8]
    text = "".join(traceback.format_exception(error))
    logging.getLogger("pathway_bot").debug("error %s\n%s", error_id, text)
    try:
        with open(ERROR_LOG, "a", encoding="utf-8") as log:
            log.write(f"--- error {error_id}\n{text}")
    except OSError:
        pass
    return error_id


def one_line(error: BaseException, db: Path | None) -> str:
    """What the user is told, in one line, for an error no command handled itself."""
    if isinstance(error, (ConfigError, StoreError, JobError, LockBusy, LockError)):
        return str(error)
    if isinstance(error, sqlite3.DatabaseError):
        detail = " ".join(str(error).split())
        if "disk is full" in detail or "disk I/O" in detail:
            return (
                f"cannot write database {db}: {detail}; free some space and run the "
                "command again (committed work is kept)"
            )
        return (
            f"database {db} cannot be used: {detail}. Is it a PathwayBot database? "
            "Move it aside and run the command again to rebuild it"
        )
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename else ""
        return f"{error.strerror}{where}"
    error_id = _log_traceback(error)
    return f"unexpected error {error_id} ({type(error).__name__}); details are in {ERROR_LOG}"


class Edge(click.Group):
    """The click group that turns any error into one line on stderr, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (
            click.exceptions.Exit,
            click.ClickException,
            click.Abort,
            SystemExit,
            KeyboardInterrupt,
        ):
            raise
        except Exception as error:
            config = getattr(ctx.obj, "config", None)
            raise click.ClickException(one_line(error, getattr(config, "db", None))) from None


@click.group(cls=Edge, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PATHWAY_BOT_DB",
    help="SQLite database file. [default: ./pathway-bot.db]",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PATHWAY_BOT_CONFIG",
    help="YAML settings file (no secrets in it).",
)
@click.version_option(package_name="pathway-bot")
@click.pass_context
def cli(ctx, db, config_file):
    """PathwayBot: find published pathway figures (PFOCR) by gene.

    \b
    Example:
        pathway-bot ask KRAS EGFR
    """
    try:
        ctx.obj = Context(load_config(config_file, db=db))
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Parser processes. [default: one per core]",
)
@click.pass_obj
def ingest(obj, paths, workers):
    """Ingest PFOCR record files or folders (searched recursively for *.md).

    Unchanged files are skipped, changed ones replace their old rows, and bad files
    are named on stderr. Exits 1 when any file failed.

    \b
    Example:
        pathway-bot ingest ~/pfocr/_figures
    """
    options, close = _ingest_feedback()
    try:
        report = obj.store().ingest(paths, workers=workers, **options)
    finally:
        close()
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--top",
    type=click.IntRange(1, 100),
    default=10,
    show_default=True,
    help="How many top genes to list.",
)
@click.pass_obj
def stats(obj, as_json, top):
    """Figures, genes, links, the last ingest and the top genes.

    \b
    Example:
        pathway-bot stats --top 20
    """
    result = obj.store().stats(top)
    click.echo(json.dumps(result.to_json(), indent=2) if as_json else stats_text(result))


@cli.command()
@click.argument("text", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per answer.")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option(
    "--batch",
    type=click.File("r", encoding="utf-8"),
    help="Answer one query per line of FILE ('-' for stdin).",
)
@click.option("--organism", help="Only figures of this organism: human, mouse, 'Danio rerio'.")
@click.option("--since", metavar="YEAR", help="Only figures from this year on.")
@click.option("--year", metavar="YEAR[-YEAR]", help="Only figures of this year or range.")
@click.option("--type", "figtype", metavar="TYPE", help="Only this figure type: figure, scheme.")
@click.pass_obj
def ask(obj, text, as_json, limit, offset, batch, organism, since, year, figtype):
    """Ask what `/pathway` would answer: genes, families, figure ids or search text.

    Builds the database from the bundled seed records on first use.

    \b
    Examples:
        pathway-bot ask KRAS
        pathway-bot ask --json "figures with ITGB3 and RALB?"
        printf 'KRAS\\nNF-kB\\n' | pathway-bot ask --json --batch -
        pathway-bot ask --organism mouse --since 2020 KRAS
        pathway-bot ask "search lactate metabolism organism:human"
    """
    if not text and batch is None:
        raise click.UsageError("give a query, e.g. `pathway-bot ask KRAS`, or --batch FILE")
    from store.filters import from_options

    flags = from_options(organism, since, year, figtype)
    store = obj.store()
    if store.ensure_seeded() is not None:
        click.echo(f"Built {obj.config.db} from the bundled seed records.", err=True)
    queries = [line.strip() for line in batch if line.strip()] if batch else [" ".join(text)]
    for query in queries:
        try:
            answer = store.ask(query, limit=limit, offset=offset, filters=flags)
        except StoreError as error:
            raise click.ClickException(str(error)) from None
        if as_json:
            click.echo(
                json.dumps(answer.to_json(obj.config.image_url_template), ensure_ascii=False)
            )
        else:
            click.echo(answer_text(answer))
    hint = None if as_json else starter_text(store.corpus_info())
    if hint:
        click.echo(hint)


@cli.command()
@click.option("--host", default="0.0.0.0", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    envvar="PORT",
    default=3000,
    show_default=True,
    help="Port (env PORT, as Heroku sets it).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="gunicorn worker processes; one per core suits this CPU-light app.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=SERVE_THREADS,
    show_default=True,
    help="Requests each worker serves at once; 1 runs gunicorn's sync workers.",
)
@click.option("--access-log", is_flag=True, help="Log every request to stderr.")
@click.pass_obj
def serve(obj, host, port, workers, threads, access_log):
    """Serve Slack over HTTP at /slack/events (gunicorn), plus /healthz.

    Needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN. Point the slash command, event
    subscriptions and interactivity URLs of your Slack app at https://HOST/slack/events.

    \b
    Example:
        pathway-bot serve --port 3000
    """
    from . import server  # gunicorn and bolt: only the commands that serve import them

    configure_logging()
    try:
        server.serve(obj.config, host, port, workers, access_log, threads)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@cli.command()
@click.pass_obj
def socket(obj):
    """Connect to Slack in Socket Mode: no public URL needed.

    Needs SLACK_APP_TOKEN (xapp-..., with connections:write) as well as
    SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.

    \b
    Example:
        pathway-bot socket
    """
    from . import server

    configure_logging()
    try:
        server.socket(obj.config)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _ingest_feedback():
    """on_failure and progress callbacks that print like `ingest` does."""
    bar = None

    def progress(done, total):
        nonlocal bar
        if bar is None and total >= PROGRESS_MIN_FILES and sys.stderr.isatty():
            bar = click.progressbar(length=total, label="ingesting", file=sys.stderr)
            bar.__enter__()
        if bar is not None:
            bar.update(1)

    def failed(path, reason):
        click.echo(f"skipped {path}: {reason}", err=True)

    def duplicate(figid, kept, ignored):
        click.echo(f"duplicate figid {figid}: kept {kept}, ignored {ignored}", err=True)

    def close():
        if bar is not None:
            bar.__exit__(None, None, None)

    return {"progress": progress, "on_failure": failed, "on_duplicate": duplicate}, close


@cli.command()
@click.option(
    "--source",
    metavar="PATH|URL",
    help="A PFOCR git checkout, or a repository URL to clone. [default: pfocr_source "
    "from the config]",
)
@click.pass_obj
def sync(obj, source):
    """Pull new PFOCR records (git pull --ff-only), then ingest what changed.

    A URL is cloned (shallow, sparse: _figures and _data only) into pfocr_checkout on
    first use. A dirty, diverged or unreachable checkout stops with a clear error before
    the database is touched. Exits 1 when records failed to parse.

    \b
    Example:
        pathway-bot sync --source https://github.com/wikipathways/pfocr-database.git
    """
    options, close = _ingest_feedback()
    from . import jobs

    try:
        failed = jobs.sync(obj.config, obj.store(), source, click.echo, **options)
    except JobError as error:
        raise click.ClickException(str(error)) from None
    finally:
        close()
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("genes", type=click.File("r", encoding="utf-8-sig"))
@click.option(
    "--background",
    type=click.File("r", encoding="utf-8-sig"),
    help="Genes to use as the universe instead of every gene in PFOCR's figures.",
)
@click.option("--min-overlap", type=click.IntRange(1), default=1, show_default=True)
@click.option("--limit", type=click.IntRange(1, 100_000), default=20, show_default=True)
@click.option("--exact-only", is_flag=True, help="Only genes matched by their official symbol.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--tsv", "as_tsv", is_flag=True, help="Print a tab-separated table.")
@click.pass_obj
def enrich(obj, genes, background, min_overlap, limit, exact_only, as_json, as_tsv):
    """Which pathway figures a gene list is enriched in (one-sided Fisher exact test,
    Benjamini-Hochberg q over every figure gene set; README: Enrichment).

    GENES is a file of gene names (or - for stdin), separated by spaces, commas,
    semicolons, tabs or newlines, as pasted from a spreadsheet column.

    \b
    Examples:
        pathway-bot enrich hits.txt
        printf 'TP53 MDM2 CDKN1A BAX BBC3' | pathway-bot enrich -
        pathway-bot enrich --background expressed.txt --min-overlap 3 --tsv hits.txt
    """
    if as_json and as_tsv:
        raise click.UsageError("choose one of --json and --tsv")
    store = obj.store()
    if store.ensure_seeded() is not None:
        click.echo(f"Built {obj.config.db} from the bundled seed records.", err=True)
    result = store.enrich(
        genes.read(),
        background.read() if background else None,
        min_overlap=min_overlap,
        exact_only=exact_only,
    )
    hits = {hit.id: hit for hit in store.figures_by_id(r.figure_id for r in result.results[:limit])}
    if as_json:
        click.echo(json.dumps(result.to_json(hits, limit), ensure_ascii=False))
    elif as_tsv:
        click.echo(enrichment_tsv(result, hits, limit))
    else:
        click.echo(enrichment_text(result, hits, limit))


@cli.command("export-gmt")
@click.option("--min-genes", type=click.IntRange(1), default=3, show_default=True)
@click.option("--exact-only", is_flag=True, help="Only genes matched by their official symbol.")
@click.option("--organism", help="Only figures of this organism, e.g. human (the record's own).")
@click.option("-o", "--output", type=click.File("w"), default="-", help="File to write (stdout).")
@click.pass_obj
def export_gmt(obj, min_genes, exact_only, organism, output):
    """Write the figure gene sets as a GMT file, so anyone can check `enrich` in Enrichr
    or GSEApy: one line per figure, its figid, its title and its human genes.

    \b
    Examples:
        pathway-bot export-gmt > pfocr.gmt
        pathway-bot export-gmt --exact-only --organism human -o pfocr-human-exact.gmt
    """
    from store.filters import from_options

    store = obj.store()
    store.ensure_seeded()
    written = 0
    for figid, title, genes in store.gene_sets(min_genes, exact_only, from_options(organism)):
        output.write("\t".join([figid, " ".join(title.split()), *genes]) + "\n")
        written += 1
    click.echo(f"{written:,} gene sets written", err=True)


@cli.command()
@click.option("--dry-run", is_flag=True, help="List what each channel would get; post nothing.")
@click.option("--channel", metavar="ID", help="Only this channel (e.g. C0123456789).")
@click.pass_obj
def digest(obj, dry_run, channel):
    """Post each subscribed channel one message with its new figures, exactly once.

    Needs SLACK_BOT_TOKEN. Channels Slack refuses (channel_not_found, is_archived, ...)
    are paused; network failures are retried, then left for the next run and exit 1.

    \b
    Example:
        pathway-bot sync && pathway-bot digest
    """
    from . import jobs

    try:
        report = jobs.digest(obj.config, obj.store(), click.echo, channel, dry_run)
    except JobError as error:
        raise click.ClickException(str(error)) from None
    if report is not None and report.failed:
        sys.exit(1)


@cli.command()
@click.pass_obj
def schedule(obj):
    """Run sync and digest every day at digest_time in timezone (a clock process).

    After downtime it catches up once. Only one digest runs at a time (a file lock beside
    the database), so cron jobs and a clock process can share a database.

    \b
    Example:
        pathway-bot --config pathway-bot.yaml schedule
    """
    from . import jobs

    configure_logging()
    try:
        jobs.schedule(obj.config, obj.store(), click.echo)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        click.echo("stopped")


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def lexicon(ctx, as_json):
    """Show the gene lexicon in use: versions, sources and counts.

    \b
    Examples:
        pathway-bot lexicon
        pathway-bot lexicon update
        pathway-bot lexicon update --hgnc hgnc_complete_set.txt --famplex famplex/
    """
    if ctx.invoked_subcommand is not None:
        return
    info = ctx.obj.store().lexicon_info()
    if as_json:
        click.echo(json.dumps(info.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(lexicon_text(info))


@lexicon.command("update")
@click.option(
    "--hgnc",
    default=None,
    metavar="URL|FILE",
    help="HGNC's complete set (hgnc_complete_set.txt, or .gz). [default: HGNC's download URL]",
)
@click.option(
    "--famplex",
    default=None,
    metavar="URL|DIR",
    help="Where FamPlex's relations.csv and grounding_map.csv are. [default: FamPlex on GitHub]",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 3600),
    default=60,
    show_default=True,
    help="Seconds without data before a download fails.",
)
@click.pass_obj
def lexicon_update(obj, hgnc, famplex, timeout):
    """Refresh the lexicon from HGNC's and FamPlex's published files.

    Downloads (or reads) the files, checks them, derives the lexicon beside the database
    and swaps it in atomically, then re-links the figures without re-reading any record.
    A failed or partial download leaves everything as it was.

    \b
    Example:
        pathway-bot lexicon update
    """
    from store.lexicon_update import FAMPLEX_URL, HGNC_URL

    store = obj.store()
    result, relinked = store.update_lexicon(hgnc or HGNC_URL, famplex or FAMPLEX_URL, timeout)
    if result.unchanged:
        click.echo(f"lexicon {result.version} is already the one in use")
    else:
        click.echo(f"lexicon {result.previous} -> {result.version} ({result.folder})")
    click.echo(", ".join(f"{name} {count:,}" for name, count in result.counts.items()))
    if relinked:
        click.echo(relinked.summary())


@lexicon.command("relink")
@click.pass_obj
def lexicon_relink(obj):
    """Re-link the figures to the lexicon in use (ingest, sync and serve do it too).

    \b
    Example:
        pathway-bot lexicon relink
    """
    report = obj.store().relink_if_stale()
    click.echo(report.summary() if report else "the figures are linked with the lexicon in use")
