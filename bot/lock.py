"""A file lock in the database folder: one digest (or sync) at a time, released on exit or crash."""

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path


class JobError(Exception):
    """A job could not run at all (no source, lock held, sync failed); the message says why."""


class LockBusy(Exception):
    """Another process holds the lock; the message names it."""


class LockError(Exception):
    """The lock file cannot be made or written (a full disk, no permission)."""


@contextmanager
def hold(db: Path, name: str):
    """Hold `<db>.<name>.lock` for the block, or raise LockBusy at once."""
    path = Path(f"{db}.{name}.lock")
    try:
        handle = open(path, "a+")  # noqa: SIM115 - held open for the block; closed below
    except OSError as error:
        raise LockError(f"cannot create lock file {path}: {error.strerror}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise LockBusy(f"another {name} is running ({holder} holds {path})") from None
        try:  # who holds it, for the next one's message; the flock is what counts
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
        except OSError as error:
            raise LockError(f"cannot write lock file {path}: {error.strerror}") from None
        yield
    finally:
        handle.close()  # closing releases the lock; the kernel does it if we die
