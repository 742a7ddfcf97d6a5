"""Published-lexicon files for `lexicon update` tests, made from the vendored lexicon (so
no test needs ../shared or the network), and a local HTTP server to download them from.

    hgnc_complete_set(folder, rename={"ITGB3": "ITGB3X"})  # HGNC's columns and layout
    famplex_folder(folder)                                  # relations.csv, grounding_map.csv
    with http_server(folder) as base: ...                   # http://127.0.0.1:<port>/
"""

from __future__ import annotations

import csv
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store.lexicon import FAMPLEX_FILE, GROUNDING_FILE, HGNC_FILE

HGNC_HEADER = (
    "hgnc_id",
    "symbol",
    "name",
    "locus_group",
    "status",
    "alias_symbol",
    "prev_symbol",
    "entrez_id",
    "uniprot_ids",
)


def hgnc_complete_set(
    folder: Path,
    rename: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
    name: str = "hgnc_complete_set.txt",
) -> Path:
    """HGNC's complete set as HGNC publishes it, from the vendored genes; `rename` gives
    some genes a new symbol (the old one becomes a previous symbol, the Entrez id stays),
    `drop` leaves columns out (a file that is not what it claims)."""
    rename = rename or {}
    path = folder / name
    folder.mkdir(parents=True, exist_ok=True)
    columns = [c for c in HGNC_HEADER if c not in drop]
    with (
        open(HGNC_FILE, encoding="utf-8", newline="") as source,
        open(path, "w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.DictWriter(out, columns, delimiter="\t", extrasaction="ignore")
        writer.writeheader()
        for number, row in enumerate(csv.DictReader(source, delimiter="\t"), 1):
            if row["locus_group"] == "withdrawn":
                continue
            if row["symbol"] in rename:
                old = row["symbol"]
                row["symbol"] = rename[old]
                row["prev_symbol"] = "|".join(filter(None, [row["prev_symbol"], old]))
            writer.writerow(
                {**row, "hgnc_id": f"HGNC:{number}", "status": "Approved", "uniprot_ids": ""}
            )
    return path


def famplex_folder(folder: Path) -> Path:
    """FamPlex's relations.csv and grounding_map.csv, as FamPlex lays them out."""
    folder.mkdir(parents=True, exist_ok=True)
    with (
        open(FAMPLEX_FILE, encoding="utf-8", newline="") as source,
        open(folder / "relations.csv", "w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out)
        for row in csv.DictReader(source, delimiter="\t"):
            for member in row["members"].split("|"):
                writer.writerow(["HGNC", member, "isa", "FPLX", row["family"]])
    with (
        open(GROUNDING_FILE, encoding="utf-8", newline="") as source,
        open(folder / "grounding_map.csv", "w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out)
        for row in csv.DictReader(source, delimiter="\t"):
            namespace = "FPLX" if row["kind"] == "family" else "HGNC"
            writer.writerow([row["text"], namespace, row["target"], "", "", "", ""])
    return folder


class _Handler(http.server.SimpleHTTPRequestHandler):
    truncate: set[str] = set()  # paths whose body stops half way (Content-Length says more)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        name = self.path.lstrip("/")
        if name in self.truncate:
            body = (Path(self.directory) / name).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def http_server(folder: Path, truncate: tuple[str, ...] = ()) -> Iterator[str]:
    """Serve `folder` on a loopback port; yields the base URL (ending in '/')."""
    handler = type("Handler", (_Handler,), {"truncate": set(truncate)})

    def make(*args: object, **kwargs: object) -> _Handler:
        return handler(*args, directory=str(folder), **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
