"""The figure store: schema, ingest, gene resolution and queries. Never imports Slack."""

from .db import SEED_FIGID, Store, seed_record, seeds_dir
from .errors import NotFound, QueryError, RecordError, StoreError
from .sync import SyncError

__all__ = [
    "Store",
    "SEED_FIGID",
    "seed_record",
    "seeds_dir",
    "StoreError",
    "RecordError",
    "NotFound",
    "QueryError",
    "SyncError",
]
