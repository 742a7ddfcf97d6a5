"""The figure store: schema, ingest, gene resolution and queries. Never imports Slack."""

from .db import Store, seeds_dir
from .errors import NotFound, QueryError, RecordError, StoreError
from .sync import SyncError

__all__ = ["Store", "seeds_dir", "StoreError", "RecordError", "NotFound", "QueryError", "SyncError"]
