"""Every name Slack knows us by: the command, the events and the action ids."""

import re

COMMAND = "/pathway"
EVENT_MENTION = "app_mention"

ACTION_PREV = "pathway_prev"
ACTION_NEXT = "pathway_next"
ACTION_SHARE = "pathway_share"
ACTION_CANCEL = "pathway_cancel"
# Buttons that repeat within a message get a numbered suffix, since Slack wants action
# ids unique per block; the handler table matches them by prefix.
ACTION_CHOOSE = "pathway_choose"  # did-you-mean, ambiguity and "only <member>" buttons
ACTION_GENES = "pathway_genes"  # "Show all N genes" on a figure card


def numbered(action: str, number: int) -> str:
    """'pathway_choose:3'."""
    return f"{action}:{number}"


def numbered_pattern(action: str) -> re.Pattern:
    """Matches every numbered id of one action."""
    return re.compile(rf"^{re.escape(action)}:\d+$")


ACTION_DIGEST_PAGE = "pathway_digest_page"  # "See all N" and the digest pager; numbered
