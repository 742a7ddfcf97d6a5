"""Named errors raised by the store; the CLI and Slack layers turn them into messages."""


class StoreError(Exception):
    """Base class for every error the store raises on purpose."""


class RecordError(StoreError):
    """A figure record could not be parsed; the message says why."""


class NotFound(StoreError):
    """A figure or paper id is not in the database."""


class QueryError(StoreError):
    """A query could not be understood or answered."""


class EnrichError(QueryError):
    """A gene list (or background) that cannot be tested; the message says why in one line."""


class LexiconError(StoreError):
    """A lexicon file or download is missing, partial or not what it claims to be."""
