"""`pathway-bot lexicon` and `lexicon update`: local files and a local HTTP server stand in
for HGNC and FamPlex; a real database is re-linked, and its digests stay quiet."""

import json

import pytest
from click.testing import CliRunner

from bot.cli import cli
from store import Store
from store.errors import LexiconError
from store.lexicon import lexicon_home
from testkit.lexicon_kit import famplex_folder, hgnc_complete_set, http_server
from testkit.records_kit import record, write

CHANNEL = "C0LEXICON"


@pytest.fixture
def published(tmp_path):
    """HGNC's and FamPlex's files as they would be published after ITGB3 became ITGB3X."""
    folder = tmp_path / "published"
    hgnc_complete_set(folder, rename={"ITGB3": "ITGB3X"})
    famplex_folder(folder / "famplex")
    return folder


def _digest_done(store):
    for plan in store.digest_plans(CHANNEL):
        store.digest_finish(store.digest_start(plan), "1.0")


def test_update_over_http_renames_relinks_and_announces_nothing_old(tmp_path, published):
    db = tmp_path / "bot.db"
    store = Store(db)
    subs, _ = store.understand_subscription(CHANNEL, "ITGB3")
    store.subscribe(subs, "U1")
    write(tmp_path / "old", "PMC1__a.md", record("PMC1__a", "Integrins", ["ITGB3", "RALB"]))
    store.ingest([tmp_path / "old"])
    assert [f for p in store.digest_plans(CHANNEL) for f in p.figures]  # new once
    _digest_done(store)
    before = store.lexicon_info()

    with http_server(published) as base:
        result, relinked = store.update_lexicon(
            base + "hgnc_complete_set.txt", base + "famplex/", timeout=10
        )

    assert result.previous == before.version != result.version
    assert relinked is not None and relinked.changed == 1 and relinked.subscriptions == 1
    info = store.lexicon_info()
    assert info.installed and info.version == result.version and info.links_current
    assert info.sources["hgnc"]["source"].startswith("http://127.0.0.1")
    for query in ("ITGB3X", "ITGB3"):  # old and new names find the same figure
        answer = store.ask(query)
        assert [f.figid for f in answer.figures] == ["PMC1__a"]
        assert answer.genes[0].label == "ITGB3X (formerly ITGB3)"
    # The channel follows ITGB3X now, and re-linking announced no old figure as new.
    assert [s.symbols for s in store.subscriptions(CHANNEL).subscriptions] == [("ITGB3X",)]
    assert [f for p in store.digest_plans(CHANNEL) for f in p.figures] == []
    write(tmp_path / "new", "PMC2__b.md", record("PMC2__b", "Newer", ["ITGB3X"]))
    store.ingest([tmp_path / "new"])
    assert [len(p.figures) for p in store.digest_plans(CHANNEL)] == [1]
    store.close()

    reopened = Store(db)  # another process sees the installed lexicon, and stays linked
    assert reopened.lexicon_version == result.version and not reopened.links_stale()
    reopened.close()


def test_a_partial_download_changes_nothing(tmp_path, published):
    store = Store(tmp_path / "bot.db")
    before = store.lexicon_info()
    with (
        http_server(published, truncate=("hgnc_complete_set.txt",)) as base,
        pytest.raises(LexiconError, match="download stopped after"),
    ):
        store.update_lexicon(base + "hgnc_complete_set.txt", base + "famplex/", timeout=10)
    assert store.lexicon_info() == before
    home = lexicon_home(store.path)
    assert not (home / "current").exists() and list(home.iterdir()) == []  # no staging left


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda f: hgnc_complete_set(f, drop=("entrez_id",)), "lacks HGNC's column(s) entrez_id"),
        (lambda f: _head(hgnc_complete_set(f), 500), "fewer than the 40,000"),
        (lambda f: _write(f / "x.txt", "not\tHGNC\n1\t2\n"), "lacks HGNC's column"),
        (lambda f: f / "missing.txt", "no such file"),
    ],
)
def test_a_file_that_is_not_hgncs_complete_set_is_refused_in_one_line(
    tmp_path, published, make, message
):
    db = tmp_path / "bot.db"
    hgnc = make(tmp_path / "bad")
    result = CliRunner().invoke(
        cli,
        [
            "--db",
            str(db),
            "lexicon",
            "update",
            "--hgnc",
            str(hgnc),
            "--famplex",
            str(published / "famplex"),
        ],
    )
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (lexicon_home(db) / "current").exists()


def test_an_unreachable_source_is_a_clear_error(tmp_path, published):
    store = Store(tmp_path / "bot.db")
    with pytest.raises(LexiconError, match="download failed"):
        store.update_lexicon("http://127.0.0.1:9/hgnc.txt", str(published / "famplex"), 5)
    with http_server(published) as base, pytest.raises(LexiconError, match="HTTP 404"):
        store.update_lexicon(base + "hgnc_complete_set.txt", base + "nowhere/", timeout=10)


def test_lexicon_shows_versions_sources_and_counts(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(tmp_path / "a.db"), "lexicon"])
    assert result.exit_code == 0, result.output
    assert "vendored in the package" in result.output
    assert "approved genes" in result.output and "mouse orthologs" in result.output
    data = json.loads(
        runner.invoke(cli, ["--db", str(tmp_path / "a.db"), "lexicon", "--json"]).output
    )
    assert data["counts"]["approved genes"] == 44_997
    assert data["sources"]["hgnc"]["as_of"] == "2026-06-20"


def _head(path, lines):
    text = path.read_text(encoding="utf-8").splitlines()[:lines]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
