"""Every name Slack knows us by: the command, the events and the action ids."""

import re

COMMAND = "/pathway"
EVENT_MENTION = "app_mention"
EVENT_LINK_SHARED = "link_shared"  # a PFOCR or PMC figure link pasted: unfurl it
EVENT_HOME_OPENED = "app_home_opened"
EVENT_UNINSTALLED = "app_uninstalled"
EVENT_TOKENS_REVOKED = "tokens_revoked"
SHORTCUT_FIND = "pathway_find_figures"  # the message shortcut's callback_id (manifest)
VIEW_SEARCH = "pathway_search_modal"  # the App Home search modal's callback_id
ACTION_HOME_SEARCH = "pathway_home_search"  # App Home's Search button
ACTION_BACK = "pathway_back"  # back to the first reading after picking an alternative
ACTION_SHOW = "pathway_show"  # "Show figure" on a compact row; numbered
ACTION_ENRICH_PAGE = "pathway_enrich_page"  # enrichment pager; numbered
ACTION_ENRICH_SHARE = "pathway_enrich_share"
ACTION_ENRICH_TABLE = "pathway_enrich_table"  # "Show all as a table"
VIEW_ENRICH = "pathway_enrich_modal"  # `/pathway enrich` alone: the form's callback_id
ENRICH_GENES = ("enrich_genes", "enrich_genes_input")  # the form's (block_id, action_id)
ENRICH_BACKGROUND = ("enrich_background", "enrich_background_input")
ENRICH_MIN_OVERLAP = ("enrich_min_overlap", "enrich_min_overlap_input")
SEARCH_INPUT = ("pathway_query", "pathway_query_input")  # the modal's (block_id, action_id)

ACTION_PREV = "pathway_prev"
ACTION_NEXT = "pathway_next"
ACTION_SHARE = "pathway_share"
ACTION_CANCEL = "pathway_cancel"
# Buttons that repeat within a message get a numbered suffix, since Slack wants action
# ids unique per block; the handler table matches them by prefix.
ACTION_CHOOSE = "pathway_choose"  # did-you-mean, ambiguity and "only <member>" buttons
ACTION_GENES = "pathway_genes"  # "Show all N genes" on a figure card


# Links we unfurl: a PFOCR figure page, and PMC's figure pages (old and new hosts).
PFOCR_LINK_RE = re.compile(
    r"^https?://pfocr\.wikipathways\.org/figures/([^/?#]+?)(?:\.html)?/?(?:[?#].*)?$"
)
PMC_LINK_RE = re.compile(
    r"^https?://(?:www\.ncbi\.nlm\.nih\.gov/pmc|pmc\.ncbi\.nlm\.nih\.gov)/articles/"
    r"(PMC\d+)/figure/([^/?#]+)/?(?:[?#].*)?$",
    re.IGNORECASE,
)
UNFURL_DOMAINS = ("pfocr.wikipathways.org", "www.ncbi.nlm.nih.gov", "pmc.ncbi.nlm.nih.gov")


def figure_link(url: str) -> tuple[str, str] | None:
    """('figid', figid) or ('pmc', 'PMCx/Fy') for a link we unfurl, else None."""
    found = PFOCR_LINK_RE.match(url)
    if found:
        return "figid", found.group(1)
    found = PMC_LINK_RE.match(url)
    if found:
        return "pmc", f"{found.group(1).upper()}/{found.group(2)}"
    return None


def numbered(action: str, number: int) -> str:
    """'pathway_choose:3'."""
    return f"{action}:{number}"


def numbered_pattern(action: str) -> re.Pattern:
    """Matches every numbered id of one action."""
    return re.compile(rf"^{re.escape(action)}:\d+$")


ACTION_DIGEST_PAGE = "pathway_digest_page"  # "See all N" and the digest pager; numbered
