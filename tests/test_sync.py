"""`sync` against real git repositories made in temp folders."""

import pytest

from bot.cli import cli
from store import SyncError
from testkit.git_kit import clone, commit_all, commit_records, git, make_repo
from testkit.records_kit import record, write


def figure_count(store) -> int:
    return store.stats().figures


def runs(store) -> int:
    return store.db.execute("SELECT count(*) FROM ingest_runs").fetchone()[0]


@pytest.fixture
def origin(tmp_path):
    repo = make_repo(tmp_path / "origin")
    write(repo / "site", "index.html", "<html>the PFOCR website, which sync never needs</html>")
    commit_records(repo, ["PMC1__a", "PMC1__b"])
    return repo


def test_first_sync_of_a_url_clones_then_pulls_only_what_is_new(store, origin, tmp_path):
    url = f"file://{origin}"
    checkout, report = store.sync(url, tmp_path / "clone")
    assert checkout.cloned and report.ingested == 2 and figure_count(store) == 2
    assert sorted(p.name for p in (tmp_path / "clone").iterdir() if p.name != ".git") == [
        "_figures"
    ]  # sparse: the site/ folder is not checked out
    first_seen = dict(store.db.execute("SELECT figid, first_seen FROM figures").fetchall())
    commit_records(origin, ["PMC2__c"], message="new paper")
    checkout, report = store.sync(url, tmp_path / "clone")
    assert checkout.changed and not checkout.cloned
    assert (report.ingested, report.unchanged) == (1, 2)
    after = dict(store.db.execute("SELECT figid, first_seen FROM figures").fetchall())
    assert {k: after[k] for k in first_seen} == first_seen  # unchanged records untouched
    assert after["PMC2__c"] > max(first_seen.values())
    checkout, report = store.sync(url, tmp_path / "clone")
    assert not checkout.changed and report.ingested == 0


def test_a_local_checkout_is_fast_forwarded(store, origin, tmp_path):
    checkout_dir = clone(origin, tmp_path / "checkout")
    store.sync(str(checkout_dir), tmp_path / "unused")
    commit_records(origin, ["PMC3__d"])
    checkout, report = store.sync(str(checkout_dir), tmp_path / "unused")
    assert report.ingested == 1 and figure_count(store) == 3


def test_a_dirty_checkout_stops_before_the_database_is_touched(store, origin, tmp_path):
    checkout_dir = clone(origin, tmp_path / "checkout")
    write(checkout_dir / "_figures", "PMC1__a.md", record("PMC1__a", "edited by hand"))
    with pytest.raises(SyncError, match="uncommitted changes"):
        store.sync(str(checkout_dir), tmp_path / "unused")
    assert figure_count(store) == 0 and runs(store) == 0


def test_diverged_history_is_refused(store, origin, tmp_path):
    checkout_dir = clone(origin, tmp_path / "checkout")
    commit_records(checkout_dir, ["PMC9__local"], message="local work")
    commit_records(origin, ["PMC8__upstream"], message="upstream work")
    with pytest.raises(SyncError, match="diverged"):
        store.sync(str(checkout_dir), tmp_path / "unused")
    assert runs(store) == 0


def test_an_unreachable_remote_is_a_clear_error(store, origin, tmp_path):
    checkout_dir = clone(origin, tmp_path / "checkout")
    git(checkout_dir, "remote", "set-url", "origin", str(tmp_path / "gone"))
    with pytest.raises(SyncError, match="cannot update"):
        store.sync(str(checkout_dir), tmp_path / "unused")
    with pytest.raises(SyncError, match="git clone failed"):
        store.sync(f"file://{tmp_path / 'nowhere'}", tmp_path / "clone")
    assert not (tmp_path / "clone").exists() and runs(store) == 0


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda tmp: tmp / "missing", "does not exist"),
        (lambda tmp: (tmp / "plain").mkdir() or tmp / "plain", "not a git checkout"),
        (
            lambda tmp: (
                make_repo(tmp / "lonely")
                and commit_records(tmp / "lonely", ["PMC1__x"])
                and tmp / "lonely"
            ),
            "no upstream branch",
        ),
    ],
)
def test_bad_local_sources(store, tmp_path, setup, message):
    with pytest.raises(SyncError, match=message):
        store.sync(str(setup(tmp_path)), tmp_path / "clone")


def test_a_clone_folder_of_another_repository_is_refused(store, origin, tmp_path):
    store.sync(f"file://{origin}", tmp_path / "clone")
    other = make_repo(tmp_path / "other")
    commit_records(other, ["PMC5__e"])
    with pytest.raises(SyncError, match="is a checkout of"):
        store.sync(f"file://{other}", tmp_path / "clone")


def test_sync_cli_reports_and_fails_clearly(runner, origin, tmp_path):
    db = tmp_path / "cli.db"
    result = runner.invoke(cli, ["--db", str(db), "sync"])
    assert result.exit_code == 1 and "no PFOCR source" in result.output
    result = runner.invoke(cli, ["--db", str(db), "sync", "--source", f"file://{origin}"])
    assert result.exit_code == 0, result.output
    assert "cloned" in result.output and "ingested 2, unchanged 0, failed 0" in result.output
    write(origin / "_figures", "PMC7__bad.md", "no front matter here")
    commit_all(origin, "a broken record")
    result = runner.invoke(cli, ["--db", str(db), "sync", "--source", f"file://{origin}"])
    assert result.exit_code == 1 and "failed 1" in result.output
