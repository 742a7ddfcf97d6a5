"""Checks every rendered message against slack_sdk's Block Kit models and our limits."""

import json
import re

from slack_sdk.models.blocks import Block

from handlers.views import blocks as bk

RAW_SPECIAL = re.compile(r"<[!@#]")  # a mention or broadcast that is not ours to send


def walk_text(value):
    """Every text object in a block tree."""
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text"):
            yield value
        for child in value.values():
            yield from walk_text(child)
    elif isinstance(value, list):
        for child in value:
            yield from walk_text(child)


def check_message(
    message: dict,
    allowed_mentions: tuple[str, ...] = (),
    max_blocks: int = bk.MAX_BLOCKS,
    max_chars: int = bk.MAX_MESSAGE_CHARS,
) -> None:
    """Raise AssertionError unless Slack would accept the message and it is safe."""
    assert isinstance(message.get("text"), str) and message["text"].strip(), "no text fallback"
    blocks = message.get("blocks", [])
    assert 0 < len(blocks) <= max_blocks
    parsed = Block.parse_all(blocks)
    assert all(p is not None for p in parsed), "unknown block type"
    for block in parsed:
        block.validate_json()
    assert [p.to_dict() for p in parsed] == blocks, "blocks do not round-trip"
    assert bk.size(message) <= max_chars
    assert len(message["text"]) <= bk.MAX_FALLBACK_TEXT
    for block in blocks:
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= bk.MAX_SECTION_TEXT
            assert len(block.get("fields", [])) <= bk.MAX_FIELDS
            assert all(len(f["text"]) <= bk.MAX_FIELD_TEXT for f in block.get("fields", []))
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert len(block["text"]["text"]) <= bk.MAX_HEADER_TEXT
        for image in (block, block.get("accessory") or {}):
            if image.get("type") == "image":
                assert len(image["image_url"]) <= bk.MAX_IMAGE_URL
                assert len(image["alt_text"]) <= bk.MAX_ALT_TEXT
        for element in block.get("elements", []) + [block.get("accessory") or {}]:
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= bk.MAX_BUTTON_TEXT
                assert len(element["value"]) <= bk.MAX_BUTTON_VALUE
    action_ids = [
        e["action_id"]
        for b in blocks
        for e in b.get("elements", []) + [b.get("accessory") or {}]
        if "action_id" in e
    ]
    assert len(action_ids) == len(set(action_ids)), "duplicate action ids"
    texts = [message["text"]] + [t["text"] for t in walk_text(blocks)]
    for text in texts:
        for allowed in allowed_mentions:
            text = text.replace(allowed, "")
        assert not RAW_SPECIAL.search(text), f"unescaped mention in {text!r}"
    json.dumps(message)


def block_texts(message: dict, block_type: str | None = None) -> list[str]:
    """The text of every block (of one type, if given): section text and fields, header
    text, context elements. Assertions read these instead of a str() of the whole dict."""
    found = []
    for block in message.get("blocks", []):
        if block_type and block["type"] != block_type:
            continue
        found += [
            t["text"] for t in walk_text(block) if block["type"] != "actions"
        ]  # button labels are not message text
    return found


def has_text(message: dict, needle: str, block_type: str | None = None) -> bool:
    """Whether some block's own text (of that type) contains needle."""
    return any(needle in text for text in block_texts(message, block_type))


def check_view(view: dict, allowed_mentions: tuple[str, ...] = ()) -> None:
    """Raise AssertionError unless Slack would accept the modal or Home tab view: slack_sdk's
    View model, and the view limits (100 blocks, a 24-character title, 3,000 characters
    of private_metadata)."""
    from slack_sdk.models.views import View

    assert view["type"] in ("modal", "home")
    blocks = view.get("blocks", [])
    assert 0 < len(blocks) <= bk.MAX_VIEW_BLOCKS
    parsed = View(**view)
    parsed.validate_json()
    if view["type"] == "modal":
        assert len(view["title"]["text"]) <= bk.MAX_VIEW_TITLE
        for key in ("submit", "close"):
            if key in view:
                assert len(view[key]["text"]) <= bk.MAX_VIEW_TITLE
    assert len(view.get("private_metadata", "")) <= bk.MAX_PRIVATE_METADATA
    check_message(
        {"text": "view", "blocks": blocks},
        allowed_mentions,
        max_blocks=bk.MAX_VIEW_BLOCKS,
        max_chars=bk.MAX_VIEW_CHARS,
    )


# A rough height model of Slack's desktop client at 900 px wide, for the preview budget:
# text wraps at ~95 characters a line of ~22 px; a full-width image block is ~420 px; a
# section with an accessory thumbnail (Slack draws it about 88 px square) is at least that
# tall; buttons ~44 px.
LINE_CHARS, LINE_PX, IMAGE_PX, THUMB_PX, ACTIONS_PX, DIVIDER_PX, PAD_PX = (
    95,
    22,
    420,
    88,
    44,
    17,
    8,
)


LINK_RE = re.compile(r"<[^|>]*\|([^>]*)>")  # a mrkdwn link shows only its label


def _lines(text: str) -> int:
    shown = LINK_RE.sub(r"\1", text).replace("*", "")
    return sum(max(1, -(-len(part) // LINE_CHARS)) for part in shown.split("\n"))


def estimated_height(message: dict) -> int:
    """Pixels the message takes on a 900 px-wide screen, by the model above."""
    height = 0
    for block in message["blocks"]:
        kind = block["type"]
        if kind == "image":
            height += IMAGE_PX
        elif kind == "divider":
            height += DIVIDER_PX
        elif kind == "actions":
            height += ACTIONS_PX
        elif kind in ("section", "header", "context"):
            texts = [t["text"] for t in walk_text(block) if t is not block.get("accessory")]
            text_px = sum(_lines(t) for t in texts if t) * LINE_PX
            if (block.get("accessory") or {}).get("type") == "image":
                text_px = max(text_px, THUMB_PX)
            height += text_px
        height += PAD_PX
    return height
