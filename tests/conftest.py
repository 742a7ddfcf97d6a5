"""Shared fixtures: the reference data beside the repo, temp databases, a CLI runner."""

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from store import Store, seed_record

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


def _postgres_bin(name: str) -> str | None:
    import glob
    import shutil

    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    """A real PostgreSQL server on a temp data dir and a loopback port, for the tests of
    shared state (.ci/run installs Debian's postgresql). Skips, saying why, without it."""
    import socket
    import subprocess

    initdb, pg_ctl = _postgres_bin("initdb"), _postgres_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install postgresql")
    try:
        import psycopg  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError:
        pytest.skip("pip install -e '.[postgres]' for the PostgreSQL tests")
    import shutil
    import tempfile

    # Not under pytest's temp root: that is private to root, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="pathway-pg-"))
    data = folder / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        subprocess.run(["chown", "-R", "postgres", str(folder)], check=True)
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(
        [*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder}"
    subprocess.run(
        [
            *as_user,
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(folder / "log"),
            "-o",
            options,
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "fast", "stop"], capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)
