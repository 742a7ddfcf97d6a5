"""`@PathwayBot <question>` in a channel: a threaded reply everyone can see."""

import logging
import re

from slack_sdk import WebClient

from handlers.views import render
from handlers.views.state import THREAD, View

from .common import Listening, guarded
from .enrich import EnrichHandler
from .grammar import is_small_talk

MENTION_RE = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def question(text: str) -> str:
    """The text without @-mentions (ours included): 'which figures show ITGB3 and RALB?'."""
    return " ".join(MENTION_RE.sub(" ", text or "").split())


class MentionHandler(Listening):
    """Replies in the thread of the message that mentioned the bot."""

    @guarded
    def reply(self, event: dict, client: WebClient, logger: logging.Logger) -> None:
        text = question(event.get("text", ""))
        where = {"channel": event["channel"], "thread_ts": event.get("thread_ts") or event["ts"]}
        verb, _, rest = text.partition(" ")
        if is_small_talk(text):  # "hi! can you help?": how to ask, not "Nothing found"
            client.chat_postMessage(**where, **render.short_help_message())
        elif verb.lower() == "enrich" and rest.strip():
            EnrichHandler(self.deps).thread(rest, client, where)
        else:
            self.deps.post(client, View(text, 0, THREAD), **where)
