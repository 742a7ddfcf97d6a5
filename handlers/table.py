"""The registration table: every Slack surface the bot answers, and who answers it.

`bot.app.create_app` registers each row with bolt. A new surface is one row here plus
its listener module; nothing else changes.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .actions import ButtonHandler
from .command import PathwayCommand
from .common import Deps
from .enrich import EnrichHandler
from .ids import (
    ACTION_BACK,
    ACTION_CANCEL,
    ACTION_CHOOSE,
    ACTION_DIGEST_PAGE,
    ACTION_ENRICH_PAGE,
    ACTION_ENRICH_SHARE,
    ACTION_ENRICH_TABLE,
    ACTION_GENES,
    ACTION_HOME_SEARCH,
    ACTION_NEXT,
    ACTION_PREV,
    ACTION_SHARE,
    ACTION_SHOW,
    COMMAND,
    EVENT_HOME_OPENED,
    EVENT_LINK_SHARED,
    EVENT_MENTION,
    EVENT_TOKENS_REVOKED,
    EVENT_UNINSTALLED,
    SHORTCUT_FIND,
    VIEW_ENRICH,
    VIEW_SEARCH,
    numbered_pattern,
)
from .mention import MentionHandler
from .surfaces import AppHome, FigureModal, FindShortcut, Unfurls, Uninstalls


@dataclass(frozen=True)
class Listener:
    """One row of the registration table."""

    kind: str  # "command", "event", "action", "shortcut" or "view"
    id: str | re.Pattern[str]  # command name, event type, action id or pattern
    ack: Callable
    lazy: list[Callable] = field(default_factory=list)  # run after the ack, in a thread


def listeners(deps: Deps) -> list[Listener]:
    """The registration table. Listeners that post through the Web API (and so may wait
    out a 429) run on the posting pool; the rest on bolt's lazy-listener threads."""
    command, mention, buttons = PathwayCommand(deps), MentionHandler(deps), ButtonHandler(deps)
    modal, unfurls, home, shortcut = (
        FigureModal(deps),
        Unfurls(deps),
        AppHome(deps),
        FindShortcut(deps),
    )
    enrich = EnrichHandler(deps)
    gone = Uninstalls(deps)
    return [
        Listener("command", COMMAND, command.handle, [deps.offload(command.later)]),
        Listener("event", EVENT_MENTION, mention.ack, [deps.offload(mention.reply)]),
        Listener("action", ACTION_PREV, buttons.ack, [buttons.page]),
        Listener("action", ACTION_NEXT, buttons.ack, [buttons.page]),
        Listener("action", numbered_pattern(ACTION_CHOOSE), buttons.ack, [buttons.page]),
        Listener("action", ACTION_SHARE, buttons.ack, [deps.offload(buttons.share)]),
        Listener("action", ACTION_CANCEL, buttons.ack, [buttons.cancel]),
        Listener("action", numbered_pattern(ACTION_GENES), buttons.ack, [buttons.genes]),
        Listener(
            "action", numbered_pattern(ACTION_DIGEST_PAGE), buttons.ack, [buttons.digest_page]
        ),
        Listener("action", ACTION_BACK, buttons.ack, [buttons.page]),
        Listener("action", numbered_pattern(ACTION_SHOW), modal.ack, [deps.offload(modal.show)]),
        Listener("event", EVENT_LINK_SHARED, unfurls.ack, [deps.offload(unfurls.unfurl)]),
        Listener("event", EVENT_HOME_OPENED, home.ack, [deps.offload(home.opened)]),
        Listener("event", EVENT_UNINSTALLED, gone.ack, [gone.uninstalled]),
        Listener("event", EVENT_TOKENS_REVOKED, gone.ack, [gone.revoked]),
        Listener("action", ACTION_HOME_SEARCH, home.ack, [deps.offload(home.open_search)]),
        Listener("view", VIEW_SEARCH, home.submit),
        Listener("shortcut", SHORTCUT_FIND, shortcut.ack, [deps.offload(shortcut.find)]),
        Listener("action", numbered_pattern(ACTION_ENRICH_PAGE), enrich.ack, [enrich.page]),
        Listener("action", ACTION_ENRICH_TABLE, enrich.ack, [enrich.table]),
        Listener("action", ACTION_ENRICH_SHARE, enrich.ack, [deps.offload(enrich.share)]),
        Listener("view", VIEW_ENRICH, enrich.submit),
    ]
