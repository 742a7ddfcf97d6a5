"""Timestamps as the database stores them."""

from datetime import UTC, datetime


def utc_now() -> str:
    """An ISO-8601 UTC timestamp with microseconds; sorts as text."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
