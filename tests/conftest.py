"""Shared fixtures: the reference data beside the repo, temp databases, a CLI runner."""

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from store import Store, seed_record
from testkit.app_kit import inprocess_app
from testkit.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PATHWAY_BOT_SHARED", ROOT.parent / "shared"))
SAMPLE = SHARED / "pfocr-sample"
EVAL = SHARED / "eval" / "gene_queries.tsv"
CAPTIONS = SHARED / "eval" / "caption_mentions.tsv"
sys.path.insert(0, str(ROOT))  # testkit/ (shared with bench/) is importable from tests


def need_shared(path: Path = SAMPLE) -> Path:
    """Skip the calling test when ../shared reference data is absent (a user's clone)."""
    if not path.exists():
        pytest.skip(f"reference data not found at {path} (only CI has ../shared beside the repo)")
    return path


@pytest.fixture(scope="session", autouse=True)
def names_cache(tmp_path_factory):
    """One lexicon name index for the whole session (and the servers it starts), rather
    than one beside every temp database."""
    from store.names import CACHE_ENV

    previous = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("names-cache"))
    yield
    if previous is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = previous


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory) -> Path:
    """A database built from the bundled seed record, one per test module."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    store = Store(path)
    store.ingest([seed_record()])
    store.close()
    return path


@pytest.fixture
def sample_dir() -> Path:
    return need_shared(SAMPLE)


@pytest.fixture
def store(tmp_path) -> Store:
    """An empty store in a temp folder."""
    opened = Store(tmp_path / "test.db")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory) -> Store:
    """A store with the seed plus all 100 PFOCR sample records (read-only for tests)."""
    need_shared(SAMPLE)
    opened = Store(tmp_path_factory.mktemp("sample") / "sample.db")
    opened.ensure_seeded()
    opened.ingest([SAMPLE])
    yield opened
    opened.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server on a temp data dir and a loopback port, for the tests of
    shared state (.ci/run installs Debian's postgresql). Skips, saying why, without it."""
    from testkit.postgres_kit import available, running_postgres

    why = available()
    if why:
        pytest.skip(why)
    with running_postgres() as url:
        yield url


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The app in process on the starter corpus, beside a Slack stand-in that records every
    call: (app, fake Slack, store), one per test module, 5 figures a page."""
    store = Store(tmp_path_factory.mktemp("world") / "starter.db")
    store.ensure_seeded()
    fake = FakeSlack()
    yield inprocess_app(store, fake, page_size=5), fake, store
    fake.close()
    store.close()
