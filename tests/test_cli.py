"""The command line: every command's help, ask on a fresh install, stats, config errors."""

import json

import pytest
from click.testing import CliRunner

from bot.cli import cli
from store import SEED_FIGID
from testkit.records_kit import record, write

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", [[], *[[name] for name in COMMANDS]])
def test_every_command_has_help_with_an_example(runner, command):
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_ask_builds_the_database_from_seeds_on_first_use(runner, tmp_path):
    db = tmp_path / "fresh.db"
    result = runner.invoke(cli, ["--db", str(db), "ask", "KRAS"])
    assert result.exit_code == 0, result.output
    assert "Targeting the Achilles" in result.output
    assert db.exists()


def test_ask_json_has_the_documented_keys(runner, tmp_path):
    result = runner.invoke(cli, ["--db", str(tmp_path / "a.db"), "ask", "--json", "kras", "RALB"])
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"query", "genes", "suggestions", "total", "figures"} <= set(answer)
    assert answer["genes"][0] == {
        **answer["genes"][0],
        "input": "kras",
        "kind": "gene",
        "symbols": ["KRAS"],
    }
    assert answer["total"] >= 1 and answer["complete"] >= 1
    assert {"figid", "title", "year", "matched"} <= set(answer["figures"][0])
    assert answer["figures"][0]["matched"] == ["KRAS", "RALB"]
    assert answer["figures"][0]["figid"] == SEED_FIGID  # the seed shows both


def test_ingest_exits_nonzero_and_names_bad_files(runner, tmp_path):
    write(tmp_path / "in", "good.md", record())
    write(tmp_path / "in", "bad.md", "---\nfigid: [x\n---\n")
    result = runner.invoke(cli, ["--db", str(tmp_path / "c.db"), "ingest", str(tmp_path / "in")])
    assert result.exit_code == 1
    assert "bad.md" in result.stderr and "broken YAML" in result.stderr
    assert result.stdout.strip().endswith("ingested 1, unchanged 0, failed 1")


def test_stats_reports_totals_and_top_genes(runner, tmp_path):
    db = str(tmp_path / "s.db")
    write(tmp_path / "in", "a.md", record("PMC1__a", genes=["KRAS", "EGFR"]))
    write(tmp_path / "in", "b.md", record("PMC2__b", genes=["KRAS"]))
    runner.invoke(cli, ["--db", db, "ingest", str(tmp_path / "in")])
    result = runner.invoke(cli, ["--db", db, "stats", "--json"])
    stats = json.loads(result.stdout)
    assert (stats["figures"], stats["links"]) == (2, 3)
    assert stats["top_genes"][0] == ["KRAS", 2]
    assert stats["last_ingest"]["ingested"] == 2
    assert "KRAS (2)" in runner.invoke(cli, ["--db", db, "stats"]).stdout


def test_db_comes_from_config_file_then_env_then_flag(runner, tmp_path, monkeypatch):
    config = write(tmp_path, "bot.yaml", f"db: {tmp_path / 'from-config.db'}\n")
    runner.invoke(cli, ["--config", str(config), "ask", "KRAS"])
    assert (tmp_path / "from-config.db").exists()
    monkeypatch.setenv("PATHWAY_BOT_DB", str(tmp_path / "from-env.db"))
    runner.invoke(cli, ["--config", str(config), "ask", "KRAS"])
    assert (tmp_path / "from-env.db").exists()


@pytest.mark.parametrize(
    "yaml_text, message",
    [
        ("bot_token: xoxb-secret\n", "SLACK_BOT_TOKEN"),
        ("colour: blue\n", "unknown setting 'colour'"),
        ("image_url_template: 'https://x/{nope}'\n", "image_url_template"),
        ("[1, 2]\n", "mapping"),
        ("a: [\n", "not valid YAML"),
    ],
)
def test_bad_config_gives_one_clear_error(runner, tmp_path, yaml_text, message):
    config = write(tmp_path, "bad.yaml", yaml_text)
    result = runner.invoke(cli, ["--config", str(config), "stats"])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_python_dash_m_bot_runs_the_same_cli():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, check=True
    )
    assert "pathway-bot" in result.stdout and "ask" in result.stdout


def test_every_package_is_listed_for_the_wheel():
    """pyproject lists packages explicitly: a new subpackage (handlers/views was one) must
    be listed too, or a non-editable install lacks it."""
    import tomllib

    from tests.conftest import ROOT

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        str(init.parent.relative_to(ROOT)).replace("/", ".")
        for top in ("bot", "handlers", "store", "seeds")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found == listed


@pytest.fixture(scope="module")
def starter_db(tmp_path_factory):
    """A database built from the bundled starter records, the way a first `ask` builds it."""
    db = tmp_path_factory.mktemp("starter") / "starter.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "ask", "KRAS"])
    assert result.exit_code == 0, result.output
    return db


def test_a_figure_answer_counts_once(runner, starter_db):
    result = runner.invoke(cli, ["--db", str(starter_db), "ask", "figure", "PMC10025411"])
    head = result.stdout.splitlines()[0]
    assert head == "PMC10025411 · 1 figure (showing 1–1)"


def test_an_offset_past_the_end_says_how_many_there_are(runner, starter_db):
    result = runner.invoke(cli, ["--db", str(starter_db), "ask", "--offset", "500", "KRAS"])
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert first.startswith("KRAS · 27 figures: --offset 500 is past the last one")


def test_answers_from_the_starter_set_say_how_to_load_pfocr(runner, starter_db):
    result = runner.invoke(cli, ["--db", str(starter_db), "ask", "KRAS"])
    assert result.stdout.splitlines()[-1].startswith("(Only the 244 bundled starter figures")
    assert "pathway-bot sync" in result.stdout.splitlines()[-1]
    as_json = runner.invoke(cli, ["--db", str(starter_db), "ask", "--json", "KRAS"])
    json.loads(as_json.stdout)  # --json stays one JSON document


def test_a_dry_run_digest_with_no_subscriptions_says_so(runner, starter_db):
    result = runner.invoke(cli, ["--db", str(starter_db), "digest", "--dry-run"])
    assert result.exit_code == 0
    assert "no channel subscribes to anything yet" in result.stdout
