"""Ingest: round trip, idempotence, changes, broken files, and a kill in the middle."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from store import Store
from store.ingest import BULK_THRESHOLD
from store.schema import search_terms_current
from testkit.corpus import make_corpus
from testkit.records_kit import record, write


def snapshot(store: Store) -> dict:
    """Every row that describes the corpus (not the ledger's timestamps)."""
    query = store.db.execute
    return {
        "figures": query(
            "SELECT figid, title, genes, focus, first_seen FROM figures ORDER BY figid"
        ).fetchall(),
        "links": query("SELECT * FROM figure_genes ORDER BY 1, 2, 3").fetchall(),
        "evidence": query("SELECT * FROM gene_evidence ORDER BY 1, 2, 3, 4").fetchall(),
        "counts": query("SELECT * FROM gene_counts WHERE figures > 0 ORDER BY 1").fetchall(),
    }


def assert_consistent(db_path, counted: bool = True) -> None:
    """Counts, links and the full-text index agree with the figures table; with `counted`,
    so do the terms search plans with (a killed ingest leaves them to be counted by
    readers until the next ingest does)."""
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # rank 1: also check the index against the figures table it was built from
    conn.execute("INSERT INTO figures_fts (figures_fts, rank) VALUES ('integrity-check', 1)")
    stale = conn.execute(
        "SELECT count(*) FROM (SELECT symbol, count(*) AS n FROM figure_genes GROUP BY symbol) "
        "AS real LEFT JOIN gene_counts USING (symbol) WHERE gene_counts.figures IS NOT real.n"
    ).fetchone()[0]
    assert stale == 0
    orphans = conn.execute(
        "SELECT count(*) FROM figure_genes WHERE figure_id NOT IN (SELECT id FROM figures)"
    ).fetchone()[0]
    assert orphans == 0
    ledger, figures = conn.execute(
        "SELECT (SELECT count(DISTINCT figid) FROM ingest_files), (SELECT count(*) FROM figures)"
    ).fetchone()
    assert ledger == figures
    if counted:  # as of these figures, and fts5vocab's own counts
        assert search_terms_current(conn)
        terms = conn.execute("SELECT term, docs FROM search_terms ORDER BY term").fetchall()
        vocab = conn.execute("SELECT term, doc FROM figures_fts_vocab ORDER BY term").fetchall()
        assert terms == vocab
    conn.close()


def test_round_trip_ingest_then_ask(store, tmp_path):
    write(tmp_path / "in", "PMC1__f1.md", record("PMC1__f1", "Ras signalling", ["KRAS", "Egfr"]))
    write(tmp_path / "in", "PMC2__f1.md", record("PMC2__f1", "EGFR only", ["EGFR"]))
    report = store.ingest([tmp_path / "in"])
    assert report.summary() == "ingested 2, unchanged 0, failed 0"
    answer = store.ask("kras egfr")
    assert answer.total == 2
    assert answer.figures[0].figid == "PMC1__f1"  # covers both genes, so it ranks first
    assert answer.figures[0].matched == ("KRAS", "EGFR")
    assert store.ask("egfr").total == 2


def test_second_run_changes_nothing(sample_dir, tmp_path):
    store = Store(tmp_path / "idem.db")
    first = store.ingest([sample_dir])
    before = snapshot(store)
    second = store.ingest([sample_dir])
    assert (first.ingested, first.failed) == (100, 0)
    assert (second.ingested, second.unchanged, second.failed) == (0, 100, 0)
    assert snapshot(store) == before
    assert_consistent(store.path)


def test_changed_file_replaces_its_rows(store, tmp_path):
    path = write(tmp_path, "PMC1__f1.md", record(genes=["KRAS", "EGFR"]))
    store.ingest([path])
    first_seen = store.db.execute("SELECT first_seen FROM figures").fetchone()[0]
    write(tmp_path, "PMC1__f1.md", record(title="Renamed", genes=["TP53"]))
    assert store.ingest([path]).ingested == 1
    assert store.ask("KRAS").total == 0 and store.ask("TP53").total == 1
    title, seen = store.db.execute("SELECT title, first_seen FROM figures").fetchone()
    assert title == "Renamed" and seen == first_seen  # still the same figure, first seen then
    assert_consistent(store.path)


def test_sidecar_change_counts_as_a_change(store, tmp_path):
    path = write(tmp_path / "_figures", "PMC1__f1.md", record(genes=["PRKACA"]))
    store.ingest([tmp_path])
    write(
        tmp_path / "_data",
        "PMC1__f1-genes.tsv",
        "organism_id\torganism_name\tword\tncbigene_symbol\tncbigene_id\tsource\n"
        "9606\tHomo sapiens\tPKA\tPRKACA\t5566\tfamplex_relations\n",
    )
    assert store.ingest([path]).ingested == 1
    assert store.ask("PRKACA").figures[0].words == {"PRKACA": ("PKA",)}


def test_broken_files_are_named_and_good_ones_still_land(store, tmp_path):
    folder = tmp_path / "mixed"
    write(folder, "good1.md", record("PMC1__good1"))
    write(folder, "good2.md", record("PMC2__good2"))
    write(folder, "yaml.md", "---\nfigid: [oops\n---\n")
    write(folder, "nofront.md", "just text\n")
    write(folder, "noid.md", "---\ncaption: x\n---\n")
    write(folder, "types.md", "---\nfigid: F9\nyear: soon\n---\n")
    write(folder, "latin1.md", "---\nfigid: F8\ncaption: caf\xe9\n---\n".encode("latin-1"))
    failures = []
    report = store.ingest([folder], on_failure=lambda path, why: failures.append((path, why)))
    assert (report.ingested, report.failed) == (2, 5)
    reasons = {os.path.basename(path): why for path, why in failures}
    assert "broken YAML" in reasons["yaml.md"]
    assert "no front matter" in reasons["nofront.md"]
    assert "missing 'figid'" in reasons["noid.md"]
    assert "year" in reasons["types.md"]
    assert "not UTF-8" in reasons["latin1.md"]
    # A failed file is retried next run rather than marked as seen.
    assert store.ingest([folder]).summary() == "ingested 0, unchanged 2, failed 5"


def test_a_file_that_turns_bad_keeps_its_old_figure(store, tmp_path):
    path = write(tmp_path, "PMC1__f1.md", record())
    store.ingest([path])
    write(tmp_path, "PMC1__f1.md", "---\nfigid: [broken\n---\n")
    assert store.ingest([path]).failed == 1
    assert store.ask("KRAS").total == 1  # bad input loses no data


def test_pfocr_checkout_reads_only_figures(store, tmp_path):
    write(tmp_path, "README.md", "# PFOCR site\n")
    write(tmp_path / "_figures", "PMC1__f1.md", record())
    write(tmp_path / ".git", "x.md", "not a record")
    assert store.ingest([tmp_path]).summary() == "ingested 1, unchanged 0, failed 0"


def test_kill_mid_ingest_leaves_a_consistent_database(tmp_path):
    RECORDS = BULK_THRESHOLD + 500  # just big enough for the bulk index path
    corpus = make_corpus(RECORDS, tmp_path / "corpus")
    db_path = tmp_path / "killed.db"
    command = [sys.executable, "-m", "bot", "--db", str(db_path), "ingest", str(corpus)]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 120
    landed = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        try:
            conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)
            landed = conn.execute("SELECT count(*) FROM figures").fetchone()[0]
            conn.close()
        except sqlite3.OperationalError:
            continue
        if landed:
            break
    assert process.poll() is None, "ingest finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert 0 < landed < RECORDS
    assert_consistent(db_path, counted=False)  # as the kill left it, before any repair
    store = Store(db_path)
    partial = store.db.execute("SELECT count(*) FROM figures").fetchone()[0]
    report = store.ingest([corpus])
    assert report.failed == 0 and report.unchanged == partial
    assert report.ingested + report.unchanged == RECORDS
    assert_consistent(db_path)
    hits = store.db.execute("SELECT count(*) FROM figures_fts WHERE figures_fts MATCH 'synthetic'")
    assert hits.fetchone()[0] == RECORDS


def test_renames_and_repeated_figids_within_one_batch_stay_consistent(store, tmp_path):
    folder = tmp_path / "in"
    write(folder, "a.md", record("PMC1__a", "first", ["KRAS"]))
    write(folder, "b.md", record("PMC1__b", "second", ["EGFR"]))
    store.ingest([folder])
    # One run: a.md now holds another figid (a rename), c.md and d.md are new, and
    # e.md repeats d.md's figid, so one batch inserts a figure and then updates it.
    write(folder, "a.md", record("PMC1__renamed", "renamed", ["KRAS", "TP53"]))
    write(folder, "c.md", record("PMC2__c", "new", ["TP53"]))
    write(folder, "d.md", record("PMC3__d", "new twice", ["MYC"]))
    write(folder, "e.md", record("PMC3__d", "new twice, second file", ["MYC", "MAX"]))
    store.ingest([folder])
    figids = [row[0] for row in store.db.execute("SELECT figid FROM figures ORDER BY figid")]
    assert figids == ["PMC1__b", "PMC1__renamed", "PMC2__c", "PMC3__d"]
    ids = [row[0] for row in store.db.execute("SELECT id FROM figures")]
    assert len(ids) == len(set(ids))
    assert store.ask("MAX").total == 1 and store.ask("KRAS").figures[0].figid == "PMC1__renamed"
    assert_consistent(store.path)


def downgrade_to_schema_1(path) -> None:
    """Rewrite a database into the schema-1 layout, as killed mid bulk ingest by that version."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE old_evidence (
            figure_id INTEGER NOT NULL REFERENCES figures(id), seq INTEGER NOT NULL,
            symbol TEXT NOT NULL, source_symbol TEXT NOT NULL, word TEXT, source TEXT,
            organism TEXT, gene_id TEXT, PRIMARY KEY (figure_id, seq)) WITHOUT ROWID;
        INSERT INTO old_evidence SELECT * FROM gene_evidence;
        DROP VIEW gene_evidence;
        ALTER TABLE figures DROP COLUMN evidence;
        ALTER TABLE old_evidence RENAME TO gene_evidence;
        UPDATE meta SET value = '1' WHERE key = 'schema_version';
        DROP TRIGGER figures_ai;
        INSERT INTO figures_fts (figures_fts) VALUES ('delete-all');
        INSERT INTO meta VALUES ('fts_stale', '1');
    """)
    conn.close()


def test_a_schema_1_database_is_migrated_in_place(tmp_path):
    folder, path = tmp_path / "pfocr", tmp_path / "old.db"
    write(folder / "_figures", "PMC1__f1.md", record("PMC1__f1", genes=["PRKACA", "KRAS"]))
    write(
        folder / "_data",
        "PMC1__f1-genes.tsv",
        "organism_id\torganism_name\tword\tncbigene_symbol\tncbigene_id\tsource\n"
        "9606\tHomo sapiens\tPKA\tPRKACA\t5566\tfamplex_relations\n"
        "9606\tHomo sapiens\tK-Ras\tKRAS\t3845\tsynonym\n",
    )
    write(folder / "_figures", "PMC2__f2.md", record("PMC2__f2", genes=["KRAS"]))
    store = Store(path)
    store.ingest([folder])
    before = snapshot(store)
    assert len(before["evidence"]) == 2
    store.close()
    downgrade_to_schema_1(path)

    store = Store(path)
    assert snapshot(store) == before
    assert store.ask("PRKACA").figures[0].words == {"PRKACA": ("PKA",), "KRAS": ("K-Ras",)}
    kinds = dict(
        store.db.execute(
            "SELECT name, type FROM sqlite_master WHERE name IN ('gene_evidence', 'figures_ai')"
        ).fetchall()
    )
    assert kinds == {"gene_evidence": "view", "figures_ai": "trigger"}
    assert store.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
        "3",
    )
    assert store.ask("search caption").total == 2  # the stale index was rebuilt
    assert_consistent(path)
    assert store.ingest([folder]).unchanged == 2  # and the ledger still knows every file


def test_old_copies_of_the_lexicon_are_dropped_and_nothing_else(tmp_path):
    """Databases used to carry lexicon_* tables; the names now live in the name-index file."""
    path = tmp_path / "old.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE lexicon_symbols (symbol TEXT PRIMARY KEY, entrez_id TEXT)")
    conn.execute("CREATE TABLE lexicon_aliases (alias TEXT, symbol TEXT)")
    conn.commit()
    conn.close()
    store = Store(path)
    tables = {row[0] for row in store.db.execute("SELECT name FROM sqlite_master")}
    assert not {t for t in tables if t.startswith("lexicon_")}
    assert {"figures", "figure_genes", "subscriptions", "digests"} <= tables
    store.close()


SIDECAR = "organism_id\torganism_name\tword\tncbigene_symbol\tncbigene_id\tsource\n"


def test_sidecar_entrez_ids_link_old_symbols_to_todays_gene(store, tmp_path):
    """A record of its day names a gene by a symbol since retired; its sidecar's Entrez id
    (which never changes) says which gene today's symbol is."""
    write(tmp_path / "_figures", "PMC1__f1.md", record(genes=["STINGOLD", "NOTAGENE"]))
    write(
        tmp_path / "_data",
        "PMC1__f1-genes.tsv",
        SIDECAR + "9606\tHomo sapiens\tSTING\tSTINGOLD\t340061\tncbigene_symbol\n",
    )
    store.ingest([tmp_path])
    genes = json.loads(store.db.execute("SELECT genes FROM figures").fetchone()[0])
    assert genes == [["STINGOLD", "STING1"], ["NOTAGENE", None]]  # as written, and today's
    assert [f.figid for f in store.ask("STING").figures] == ["PMC1__f1"]
    evidence = store.db.execute("SELECT symbol, source_symbol FROM gene_evidence").fetchall()
    assert evidence == [("STING1", "STINGOLD")]


def test_a_gene_matched_by_its_symbol_ranks_above_a_synonym_or_another_species(store, tmp_path):
    rows = {
        "PMC1__synonym": "9606\tHomo sapiens\tERK\tMAPK1\t5594\tncbigene_synonym\n",
        "PMC2__symbol": "9606\tHomo sapiens\tMAPK1\tMAPK1\t5594\tncbigene_symbol\n",
        "PMC3__fly": "7227\tDrosophila melanogaster\trl\tMAPK1\t5594\tncbigene_symbol\n",
    }
    for figid, row in rows.items():
        write(tmp_path / "_figures", f"{figid}.md", record(figid, figid, ["MAPK1"]))
        write(tmp_path / "_data", f"{figid}-genes.tsv", SIDECAR + row)
    store.ingest([tmp_path])
    answer = store.ask("MAPK1")
    assert [f.figid for f in answer.figures] == ["PMC2__symbol", "PMC1__synonym", "PMC3__fly"]
    assert [f.evidence.get("MAPK1") for f in answer.figures] == [
        "symbol",
        "synonym",
        "another species",
    ]
    assert_consistent(store.path)
    # Re-reading a changed figure removes exactly its old links, whatever their keys.
    write(tmp_path / "_data", "PMC3__fly-genes.tsv", SIDECAR + rows["PMC2__symbol"])
    store.ingest([tmp_path])
    assert_consistent(store.path)
    assert store.ask("MAPK1").total == 3


def test_figures_linked_with_another_lexicon_are_relinked_first(store, tmp_path, sample_dir):
    store.ingest([sample_dir])
    before = snapshot(store)
    with store.db.conn:  # as an older version would have left it: other links, other version
        store.db.execute("UPDATE meta SET value = 'old-1' WHERE key = 'links_version'")
        store.db.execute("UPDATE figure_genes SET focus = focus + 1")
    assert store.links_stale()
    report = store.relink_if_stale()
    assert report is not None and report.figures == len(before["figures"])
    assert snapshot(store) == before and not store.links_stale()
    assert store.relink_if_stale() is None
    assert_consistent(store.path)


def test_a_schema_2_database_gains_figure_types_by_one_reread(tmp_path):
    folder, path = tmp_path / "pfocr", tmp_path / "old.db"
    text = record("PMC1__f1").replace("automl_pathway", "figtype: Scheme\nautoml_pathway")
    write(folder / "_figures", "PMC1__f1.md", text)
    store = Store(path)
    store.ingest([folder])
    first_seen = store.db.execute("SELECT first_seen FROM figures").fetchone()[0]
    store.close()
    conn = sqlite3.connect(path)  # as schema 2 wrote it: no figtype column, nor an index of it
    conn.execute("DROP INDEX figures_rank")
    conn.execute("CREATE INDEX figures_focus ON figures(focus, id)")
    conn.execute("ALTER TABLE figures DROP COLUMN figtype")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()

    store = Store(path)
    report = store.ingest([folder])
    assert (report.ingested, report.unchanged) == (1, 0)  # read once more, to fill it
    assert store.db.execute("SELECT figtype, first_seen FROM figures").fetchone() == (
        "Scheme",
        first_seen,  # the same figure, first seen then: no digest repeats it
    )
    assert store.ingest([folder]).unchanged == 1
    indexes = {row[0] for row in store.db.execute("SELECT name FROM sqlite_master")}
    assert "figures_rank" in indexes and "figures_focus" not in indexes
    assert_consistent(path)


def test_a_database_counted_by_an_older_version_is_searched_and_counted_at_the_next_ingest(
    store, tmp_path
):
    write(tmp_path / "in", "PMC1__f1.md", record("PMC1__f1", "Autophagy in neurons", ["KRAS"]))
    store.ingest([tmp_path / "in"])
    with store.db.conn:  # as a database of the previous version: no count of its terms
        store.db.execute("DELETE FROM search_terms")
        store.db.execute("DELETE FROM meta WHERE key = 'search_terms_version'")
    reopened = Store(store.path)
    assert [f.figid for f in reopened.ask("search autophagi").figures] == ["PMC1__f1"]
    assert reopened.ask("search autophgy").figures  # corrected, from the terms it counted
    assert reopened.ingest([tmp_path / "in"]).unchanged == 1
    assert_consistent(store.path)  # counted now, though nothing changed
    reopened.close()
