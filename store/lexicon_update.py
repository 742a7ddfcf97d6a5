"""`pathway-bot lexicon update`: refresh an installed bot's lexicon from HGNC's and
FamPlex's published files, validated, and swapped in atomically.

The new lexicon is derived (store/lexicon_build.py) into a staging folder beside the
database, checked, moved to `<db>.lexicon/<version>/`, and only then named current by
replacing the one-line file `<db>.lexicon/current`. A failed, partial or invalid download
raises LexiconError before that rename: the lexicon in use is never touched. Re-linking
the figures is the caller's next step (Store.relink_if_stale).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .clock import utc_now
from .errors import LexiconError
from .lexicon import (
    Lexicon,
    installed_lexicon,
    lexicon_files,
    lexicon_home,
    lexicon_version,
    read_lexicon,
)
from .lexicon_build import FAMPLEX_FILES, Sources, derive

HGNC_URL = "https://storage.googleapis.com/public-download-files/hgnc/tsv/tsv/hgnc_complete_set.txt"
FAMPLEX_URL = "https://raw.githubusercontent.com/sorgerlab/famplex/master/"
TIMEOUT = 60.0  # seconds without a byte before a download counts as failed
CHUNK = 1 << 16
SOURCES_FILE = "sources.json"


@dataclass(frozen=True)
class UpdateResult:
    version: str
    previous: str
    folder: Path
    counts: dict[str, int]
    unchanged: bool  # the sources derive exactly the lexicon already in use
    lexicon: Lexicon  # the one now installed, parsed


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def fetch(source: str, target: Path, timeout: float = TIMEOUT) -> dict[str, str | int]:
    """Copy a URL or a local file to `target`; what was fetched, for sources.json."""
    digest = hashlib.sha256()
    size = 0
    if is_url(source):
        try:
            with urllib.request.urlopen(source, timeout=timeout) as response:  # noqa: S310
                expected = response.headers.get("Content-Length")
                modified = response.headers.get("Last-Modified") or ""
                with open(target, "wb") as out:
                    while chunk := response.read(CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
        except urllib.error.HTTPError as error:
            raise LexiconError(f"{source}: HTTP {error.code} {error.reason}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise LexiconError(f"{source}: download failed ({reason})") from None
        if expected and expected.isdigit() and int(expected) != size:
            raise LexiconError(
                f"{source}: download stopped after {size:,} of {int(expected):,} bytes"
            )
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise LexiconError(f"{source}: no such file")
        modified = utc_now()
        with open(path, "rb") as handle, open(target, "wb") as out:
            while chunk := handle.read(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
    if not size:
        raise LexiconError(f"{source}: empty")
    return {"source": source, "sha256": digest.hexdigest(), "bytes": size, "as_of": modified}


def _famplex_source(famplex: str, name: str) -> str:
    if is_url(famplex):
        return famplex.rstrip("/") + "/" + name
    return str(Path(famplex).expanduser() / name)


def update(
    db_path: Path,
    hgnc: str = HGNC_URL,
    famplex: str = FAMPLEX_URL,
    timeout: float = TIMEOUT,
    in_use: Lexicon | None = None,
) -> UpdateResult:
    """Derive a lexicon from `hgnc` and `famplex` (URLs or local paths) and make it the one
    the database at `db_path` uses. Raises LexiconError, leaving everything as it was."""
    current = installed_lexicon(db_path)
    previous = lexicon_version(lexicon_files(current))
    home = lexicon_home(db_path)
    home.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=home))
    try:
        downloads = staging / "downloads"
        famplex_dir = downloads / "famplex"
        famplex_dir.mkdir(parents=True)
        suffix = ".gz" if hgnc.endswith(".gz") else ".txt"
        fetched = {"hgnc": fetch(hgnc, downloads / f"hgnc_complete_set{suffix}", timeout)}
        for name in FAMPLEX_FILES:
            fetched[f"famplex {name}"] = fetch(
                _famplex_source(famplex, name), famplex_dir / name, timeout
            )
        out = staging / "lexicon"
        out.mkdir()
        counts = derive(
            Sources(downloads / f"hgnc_complete_set{suffix}", famplex_dir, current), out
        )
        carried = {k: v for k, v in describe(current).items() if k == "hcop"}
        (out / SOURCES_FILE).write_text(
            json.dumps({"retrieved": utc_now(), **fetched, **carried}, indent=2) + "\n",
            encoding="utf-8",
        )
        lexicon = _still_resolves(in_use or read_lexicon(current), out)
        version = lexicon_version(lexicon_files(out))
        folder = home / version
        if not folder.exists():
            os.rename(out, folder)
        pointer = home / "current.tmp"
        pointer.write_text(version + "\n", encoding="utf-8")
        os.replace(pointer, home / "current")
        _forget_old(home, keep={version, current.name})
        return UpdateResult(version, previous, folder, counts, version == previous, lexicon)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _still_resolves(old: Lexicon, after: Path) -> Lexicon:
    """The new lexicon, if every symbol the one in use reads still reads as a gene: the
    same one or, for a renamed gene, its successor."""
    new = read_lexicon(after)
    lost = sorted(key for key in old.symbols if key not in new.normal)
    if lost:
        raise LexiconError(
            f"the new lexicon would lose {len(lost):,} symbol(s) in use "
            f"({', '.join(lost[:5])}{', ...' if len(lost) > 5 else ''}): not installed"
        )
    return new


def _forget_old(home: Path, keep: set[str]) -> None:
    """Keep the lexicon now current and the one before it (to go back by hand)."""
    for child in home.iterdir():
        if child.is_dir() and not child.name.startswith(".") and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


def describe(folder: Path) -> dict[str, object]:
    """Where a lexicon came from (its sources.json): each source, and as of when."""
    try:
        return json.loads((folder / SOURCES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
