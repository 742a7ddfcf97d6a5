"""Real git repositories in temp folders, for sync tests."""

import subprocess
from pathlib import Path

from testkit.records_kit import record, write

IDENTITY = [
    "-c",
    "user.name=PFOCR test",
    "-c",
    "user.email=pfocr@example.org",
    "-c",
    "init.defaultBranch=main",
    "-c",
    "commit.gpgsign=false",
]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *IDENTITY, *args], cwd=repo, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def make_repo(path: Path) -> Path:
    """An empty repository with a main branch, like PFOCR's upstream."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def commit_records(repo: Path, figids, genes=("KRAS", "EGFR"), message="add records") -> str:
    """Write one record per figid under _figures/, commit, return the new HEAD."""
    for figid in figids:
        write(repo / "_figures", f"{figid}.md", record(figid, f"Figure {figid}", genes))
    return commit_all(repo, message)


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def clone(origin: Path, target: Path) -> Path:
    git(origin.parent, "clone", "-q", str(origin), str(target))
    return target
