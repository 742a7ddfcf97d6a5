"""Block Kit primitives that respect Slack's limits and escape every piece of text."""

import json
import re
from collections.abc import Iterable
from urllib.parse import quote

# Slack's documented limits (api.slack.com/reference/block-kit).
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_IMAGE_URL = 3000
MAX_ALT_TEXT = 2000
# Modals and App Home (api.slack.com/reference/surfaces/views).
MAX_VIEW_BLOCKS = 100
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_UNFURLS_BLOCKS = 50  # per unfurled link, as for a message
MAX_VIEW_CHARS = 100_000  # our own budget for one view (every gene of a 3,000-gene figure)
# Our own budget: Slack rejects messages far below its 40k text limit once blocks
# are counted, and long messages are unreadable on phones anyway.
MAX_MESSAGE_CHARS = 12_000
MAX_FALLBACK_TEXT = 3000

CHANNEL_ID_RE = re.compile(r"^[CGD][A-Z0-9]{2,20}$")  # only these become <#C…> links

ELLIPSIS = "…"
URL_SAFE = ":/?#[]@!$&'()*+,;=%~._-"  # everything but <, > and |, which would end a link


def escape(text: object) -> str:
    """Slack's three control characters, so record or user text can never @-mention anyone."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Cut at a word boundary with an ellipsis when longer than `limit` characters."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + ELLIPSIS


def safe_clip(text: str, limit: int) -> str:
    """Escape, then clip to `limit` without leaving half an entity such as '&am'."""
    escaped = escape(clip(text, limit))
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + ELLIPSIS


def link(url: str, label: str) -> str:
    """A mrkdwn link; the URL can never close the <...> early."""
    return f"<{quote(url, safe=URL_SAFE)}|{escape(label)}>"


def plain(text: str, limit: int) -> dict:
    return {"type": "plain_text", "text": safe_clip(text, limit) or " ", "emoji": True}


def mrkdwn(text: str) -> dict:
    """Already-escaped mrkdwn; callers build it from escape() and link()."""
    return {"type": "mrkdwn", "text": text[:MAX_SECTION_TEXT]}


def header(text: str) -> dict:
    return {"type": "header", "text": plain(text, MAX_HEADER_TEXT)}


def section(text: str, accessory: dict | None = None) -> dict:
    block = {"type": "section", "text": mrkdwn(text)}
    if accessory:
        block["accessory"] = accessory
    return block


def fields(pairs: list[tuple[str, str]]) -> dict:
    """A two-column section of '*label*\\nvalue' fields."""
    return {
        "type": "section",
        "fields": [mrkdwn(f"*{escape(k)}*\n{v}"[:MAX_FIELD_TEXT]) for k, v in pairs[:MAX_FIELDS]],
    }


def context(*texts: str) -> dict:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts if t][:MAX_CONTEXT_ELEMENTS]}


def divider() -> dict:
    return {"type": "divider"}


def image(url: str, alt: str) -> dict | None:
    if len(url) > MAX_IMAGE_URL:
        return None
    return {"type": "image", "image_url": url, "alt_text": clip(alt, MAX_ALT_TEXT)}


def thumbnail(url: str | None, alt: str) -> dict | None:
    """A section accessory image: a thumbnail beside the text, not a full-width image."""
    if not url or len(url) > MAX_IMAGE_URL:
        return None
    return {"type": "image", "image_url": url, "alt_text": clip(alt, MAX_ALT_TEXT)}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    if len(value) > MAX_BUTTON_VALUE:
        raise ValueError(f"button value of {len(value)} characters exceeds Slack's limit")
    element = {
        "type": "button",
        "text": plain(text, MAX_BUTTON_TEXT),
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: dict | None) -> dict | None:
    kept = [e for e in elements if e]
    return {"type": "actions", "elements": kept[:MAX_ACTIONS_ELEMENTS]} if kept else None


def message(text: str, blocks: Iterable[dict | None], **extra: object) -> dict:
    """A complete message: the plain-text fallback plus the non-empty blocks."""
    kept = [b for b in blocks if b]
    if len(kept) > MAX_BLOCKS:
        raise ValueError(f"{len(kept)} blocks exceed Slack's {MAX_BLOCKS}")
    if len(text) > MAX_FALLBACK_TEXT:
        text = text[: MAX_FALLBACK_TEXT - 1] + ELLIPSIS
    return {"text": text or " ", "blocks": kept, **extra}


def view(
    kind: str,
    title: str,
    blocks: Iterable[dict | None],
    callback_id: str | None = None,
    submit: str | None = None,
    private_metadata: str = "",
) -> dict:
    """A modal or Home tab view within Slack's view limits (blocks, title, metadata)."""
    kept = [b for b in blocks if b]
    if len(kept) > MAX_VIEW_BLOCKS:
        raise ValueError(f"{len(kept)} blocks exceed a view's {MAX_VIEW_BLOCKS}")
    if len(private_metadata) > MAX_PRIVATE_METADATA:
        raise ValueError("private_metadata exceeds Slack's 3,000 characters")
    built: dict = {"type": kind, "blocks": kept}
    if kind == "modal":
        built["title"] = plain(title, MAX_VIEW_TITLE)
        built["close"] = plain("Close", MAX_VIEW_TITLE)
        if submit:
            built["submit"] = plain(submit, MAX_VIEW_TITLE)
    if callback_id:
        built["callback_id"] = callback_id
    if private_metadata:
        built["private_metadata"] = private_metadata
    if size(built) > MAX_VIEW_CHARS:
        raise ValueError(f"a view of {size(built):,} characters exceeds our {MAX_VIEW_CHARS:,}")
    return built


def text_input(
    block_id: str, action_id: str, label: str, placeholder: str, initial: str = ""
) -> dict:
    """A one-line plain-text input block."""
    element: dict = {
        "type": "plain_text_input",
        "action_id": action_id,
        "placeholder": plain(placeholder, 150),
    }
    if initial:
        element["initial_value"] = initial[:3000]
    return {"type": "input", "block_id": block_id, "label": plain(label, 2000), "element": element}


def size(message_: dict) -> int:
    """Characters the message takes on the wire, for the 12k budget."""
    return len(json.dumps(message_, ensure_ascii=False))
