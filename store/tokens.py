"""FTS5's own tokenizer as a function: the index terms a piece of text becomes.

Search plans its work from the index's own term counts (fts5vocab), which are kept by
stem: 'signaling' and 'signalling' are both 'signal', 'autophagy' is 'autophagi'. To look
a query word up there, and to tell two spellings that index as one apart from two that
do not, the word goes through the very tokenizer the index uses, in a one-row in-memory
FTS5 table, instead of a stemmer written or installed to imitate it.
"""

import sqlite3
import threading
from functools import lru_cache

TOKENIZE = "porter unicode61 remove_diacritics 2"  # figures_fts's tokenizer (store/schema.py)

_lock = threading.Lock()
_probes: dict[str, sqlite3.Connection] = {}  # tokenizer -> its one-row table


def _probe(tokenize: str) -> sqlite3.Connection:
    if tokenize not in _probes:
        conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        quoted = tokenize.replace("'", "''")
        conn.execute(f"CREATE VIRTUAL TABLE probe USING fts5(text, tokenize='{quoted}')")
        conn.execute("CREATE VIRTUAL TABLE probe_terms USING fts5vocab(probe, 'instance')")
        _probes[tokenize] = conn
    return _probes[tokenize]


@lru_cache(maxsize=65_536)
def index_terms(text: str, tokenize: str = TOKENIZE) -> tuple[str, ...]:
    """The index terms of text, in order: 'Growth factors' -> ('growth', 'factor')."""
    with _lock:
        conn = _probe(tokenize)
        conn.execute("INSERT INTO probe (rowid, text) VALUES (1, ?)", [text])
        try:
            rows = conn.execute("SELECT term FROM probe_terms ORDER BY offset").fetchall()
        finally:
            conn.execute("DELETE FROM probe")
    return tuple(term for (term,) in rows)
