"""What a button remembers: the query, the page and where the message lives."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from store.engine import MAX_QUERY

PREVIEW = "preview"  # ephemeral, only the asker sees it: pager, Share, Cancel
THREAD = "thread"  # a mention's threaded reply: pager only
SHARED = "shared"  # posted in the channel for everyone: no buttons that change it
SURFACES = (PREVIEW, THREAD, SHARED)


def _json(data: dict) -> str:
    """JSON with & < > as \\u escapes: nothing in a payload reads like a Slack mention."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


T = TypeVar("T")


class BadState(ValueError):
    """A button value we did not write (stale app version or tampering)."""


@dataclass(frozen=True)
class View:
    """One page of one query on one surface."""

    query: str
    offset: int = 0
    surface: str = PREVIEW
    back: str = ""  # the query first asked, after picking one of its alternatives

    def encode(self) -> str:
        """Compact JSON; queries are capped by the engine, so two fit Slack's 2000."""
        data = {"q": self.query[:MAX_QUERY], "o": self.offset, "s": self.surface}
        return _json({**data, "b": self.back[:MAX_QUERY]} if self.back else data)

    def at(self, offset: int) -> "View":
        return View(self.query, max(offset, 0), self.surface, self.back)


def _read(
    value: str, build: Callable[[Any], T], valid: Callable[[T], bool] = lambda result: True
) -> T:
    """build(parsed JSON), or BadState for anything we did not write."""
    try:
        result = build(json.loads(value))
    except (TypeError, ValueError, KeyError) as error:
        raise BadState(f"unreadable button value: {error}") from None
    if not valid(result):
        raise BadState(f"unexpected button value {value!r}")
    return result


def decode_view(value: str) -> View:
    """The View a pager or choice button carries."""
    return _read(
        value,
        lambda d: View(str(d["q"]), int(d["o"]), str(d["s"]), str(d.get("b", ""))),
        lambda v: v.surface in SURFACES and v.offset >= 0,
    )


@dataclass(frozen=True)
class EnrichView:
    """One page of an enrichment answer; the list itself is stored under `key`."""

    key: str
    offset: int = 0
    surface: str = PREVIEW

    def encode(self) -> str:
        return _json({"e": self.key, "o": self.offset, "s": self.surface})

    def at(self, offset: int) -> "EnrichView":
        return EnrichView(self.key, max(offset, 0), self.surface)


def decode_enrich(value: str) -> EnrichView:
    return _read(
        value,
        lambda d: EnrichView(str(d["e"])[:40], int(d["o"]), str(d["s"])),
        lambda v: v.surface in SURFACES and v.offset >= 0,
    )


def encode_genes(figid: str, matched: tuple[str, ...]) -> str:
    """What 'Show all genes' needs: the figure and which genes to put first."""
    return _json({"f": figid, "m": list(matched[:50])})


def decode_genes(value: str) -> tuple[str, tuple[str, ...]]:
    return _read(value, lambda d: (str(d["f"]), tuple(str(s) for s in d["m"])))


@dataclass(frozen=True)
class DigestView:
    """A page of a posted digest; `replace` is False for the first click in the channel."""

    digest_id: int
    offset: int
    replace: bool

    def encode(self) -> str:
        return _json({"d": self.digest_id, "o": self.offset, "r": int(self.replace)})


def decode_digest(value: str) -> DigestView:
    return _read(
        value, lambda d: DigestView(int(d["d"]), int(d["o"]), bool(d["r"])), lambda v: v.offset >= 0
    )
