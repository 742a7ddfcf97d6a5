"""`sync`: bring a git checkout of the PFOCR records up to date before ingesting it."""

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .errors import StoreError

GIT_TIMEOUT = 600  # seconds; a first clone of PFOCR is a few hundred MB
SPARSE_PATHS = ("_figures", "_data")  # all the bot reads of the PFOCR repository


class SyncError(StoreError):
    """The checkout could not be brought up to date; the database was not touched."""


@dataclass(frozen=True)
class Checkout:
    """Where the records are, and which commits a sync moved between."""

    path: Path
    before: str | None
    after: str
    cloned: bool = False

    @property
    def changed(self) -> bool:
        return self.before != self.after


ALLOWED_SCHEMES = ("https", "ssh", "git", "file")
# git itself refuses every other transport (ext::, fd::, remote helpers) in what we run.
GIT_ALLOW_PROTOCOL = ":".join(ALLOWED_SCHEMES)


def is_url(source: str) -> bool:
    """'https://…', 'ssh://…', 'git://…' and 'file:///…' are remotes; anything else a path."""
    return "://" in source


def display_source(source: str) -> str:
    """The source as it may be shown to users: a URL without any user name or token."""
    if not is_url(source):
        return source
    parts = urlsplit(source)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check_source(source: str) -> str:
    """The source, if it is an allowed URL or a plain path; else SyncError saying why.

    A source is user text that reaches git's command line: one starting with '-' would be
    read as an option, and 'ext::' or another remote helper would run a command.
    """
    if not source or not source.strip():
        raise SyncError("the PFOCR source is empty; give a repository URL or a checkout folder")
    if source.startswith("-"):
        raise SyncError(
            f"refusing source {source!r}: it starts with '-' and git would read it as an option"
        )
    if "::" in source:
        raise SyncError(
            f"refusing source {source!r}: git remote helpers such as ext:: are "
            f"not allowed; use {', '.join(s + '://' for s in ALLOWED_SCHEMES)} "
            "or a folder"
        )
    if "://" in source:
        scheme = source.split("://", 1)[0].lower()
        if scheme not in ALLOWED_SCHEMES:
            raise SyncError(
                f"refusing source {source!r}: only "
                f"{', '.join(s + '://' for s in ALLOWED_SCHEMES)} URLs or a folder"
            )
    elif re.match(r"^[\w.-]+@[\w.-]+:", source):
        raise SyncError(
            f"write {source!r} as ssh://{source.replace(':', '/', 1)} "
            "(scp-style addresses are not accepted)"
        )
    return source


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git without ever prompting for credentials; SyncError with git's own words."""
    env = dict(
        os.environ,
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS="true",
        LC_ALL="C",
        GIT_ALLOW_PROTOCOL=GIT_ALLOW_PROTOCOL,
    )
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=GIT_TIMEOUT
        )
    except FileNotFoundError:
        raise SyncError("git is not installed; sync needs it to fetch PFOCR") from None
    except subprocess.TimeoutExpired:
        raise SyncError(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from None
    if done.returncode:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or [done.stdout]
        raise SyncError(f"git {args[0]} failed: {' / '.join(lines[-2:]).strip()}")
    return done.stdout.strip()


def _clone(url: str, target: Path) -> None:
    """Shallow, blob-filtered, sparse clone; into a temp folder first so a kill leaves nothing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".clone-", dir=target.parent))
    try:
        git(
            "clone",
            "--quiet",
            "--depth",
            "1",
            "--filter=blob:none",
            "--sparse",
            "--",
            url,
            str(staging / "repo"),
        )
        git("sparse-checkout", "set", *SPARSE_PATHS, cwd=staging / "repo")
        (staging / "repo").rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check_clean(path: Path) -> None:
    dirty = git("status", "--porcelain", cwd=path)
    if dirty:
        first = dirty.splitlines()[0].strip()
        raise SyncError(
            f"{path} has uncommitted changes ({first}, …): commit, stash or "
            "discard them, then sync again"
        )


def _pull(path: Path) -> None:
    try:
        git("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", cwd=path)
    except SyncError:
        raise SyncError(
            f"{path} has no upstream branch to pull from; set one with "
            "`git branch --set-upstream-to`, or load it with `pathway-bot ingest`"
        ) from None
    try:
        git("pull", "--quiet", "--ff-only", cwd=path)
    except SyncError as error:
        text = str(error)
        if "fast-forward" in text or "diverg" in text:
            raise SyncError(
                f"{path} has diverged from its upstream, so it cannot be "
                f"fast-forwarded; reset it to the upstream branch ({text})"
            ) from None
        raise SyncError(f"cannot update {path} from its upstream: {text}") from None


def update(source: str, clone_into: Path) -> Checkout:
    """Clone a URL on first use, or fast-forward an existing checkout; nothing else."""
    check_source(source)
    if is_url(source):
        path = clone_into
        if not (path / ".git").exists():
            if path.exists() and any(path.iterdir()):
                raise SyncError(
                    f"{path} exists and is not a git checkout; pick another pfocr_checkout folder"
                )
            if path.exists():
                path.rmdir()
            _clone(source, path)
            return Checkout(path, None, git("rev-parse", "HEAD", cwd=path), cloned=True)
        origin = git("remote", "get-url", "origin", cwd=path)
        if origin.rstrip("/") != source.rstrip("/"):
            raise SyncError(f"{path} is a checkout of {origin}, not {source}")
    else:
        path = Path(source).expanduser()
        if not path.is_dir():
            raise SyncError(f"{path} does not exist; give a PFOCR git checkout or a repository URL")
        try:
            git("rev-parse", "--is-inside-work-tree", cwd=path)
        except SyncError:
            raise SyncError(
                f"{path} is not a git checkout; use `pathway-bot ingest` for plain folders"
            ) from None
    _check_clean(path)
    before = git("rev-parse", "HEAD", cwd=path)
    _pull(path)
    return Checkout(path, before, git("rev-parse", "HEAD", cwd=path))
