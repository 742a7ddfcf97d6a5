"""Pure renderers for subscriptions and digests."""

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.ids import ACTION_DIGEST_PAGE, COMMAND, numbered
from store.models import ChannelState, DigestPage, Subscription
from store.wording import plural

from . import blocks as bk
from .compact import compact_row
from .render import USER_ID_RE, fallback, fit, pager
from .state import DigestView

INVITE = "/invite @PathwayBot"


def local(stamp: str | None, zone: str, with_time: bool = True) -> str:
    """'24 Nov 2026 08:00' in the configured zone, from a stored UTC ISO stamp."""
    if not stamp:
        return "never"
    moment = datetime.fromisoformat(stamp).astimezone(ZoneInfo(zone))
    return moment.strftime("%-d %b %Y %H:%M" if with_time else "%-d %b %Y")


def _matched_labels(page: DigestPage) -> list[str]:
    found = {label for labels in page.matched_labels for label in labels}
    return [label for label in page.labels if label in found] or list(page.labels)


def _cards(page: DigestPage, image_template: str, caption: int, count: int) -> list[dict | None]:
    """Compact rows (a thumbnail each, no full-size image), each with what it matched.
    `caption` is unused: rows carry no caption (fit() may still drop rows)."""
    blocks: list[dict | None] = []
    pairs = list(zip(page.figures, page.matched_labels, strict=True))[:count]
    for number, (hit, labels) in enumerate(pairs):
        blocks += compact_row(hit, number, image_template)
        blocks.append(
            bk.context("Matched " + ", ".join(f"*{bk.escape(label)}*" for label in labels))
        )
    return blocks


def digest_message(page: DigestPage, image_template: str, zone: str) -> dict:
    """The daily post: a header, the first cards, and "See all N" for the rest."""
    if not page.total:  # only sent when digest_post_empty is set
        text = (
            f"No new pathway figures for {', '.join(bk.escape(label) for label in page.labels)} "
            f"· {local(page.cutoff, zone, with_time=False)}"
        )
        return bk.message(text, [bk.section(text)])
    title = (
        f"{plural(page.total, 'new pathway figure')} for "
        f"{', '.join(_matched_labels(page))} · {local(page.cutoff, zone, with_time=False)}"
    )

    def build(caption: int, shown: int) -> dict:
        blocks = [bk.header(title), *_cards(page, image_template, caption, shown)]
        if page.total > shown:
            see_all = bk.button(
                f"See all {page.total:,}",
                numbered(ACTION_DIGEST_PAGE, 0),
                DigestView(page.digest_id, shown, replace=False).encode(),
            )
            blocks += pager(0, shown, page.total, None, None, [see_all])
        blocks.append(
            bk.context(
                f"Daily digest of this channel's subscriptions · `{COMMAND} "
                "subscriptions` to change them"
            )
        )
        return bk.message(fallback(title, page.offset, page.figures), blocks)

    return fit(build, len(page.figures))


def digest_page_message(
    page: DigestPage, image_template: str, zone: str, title: str | None = None
) -> dict:
    """A page of a digest (or of a preview), privately, with its own pager."""
    title = title or (
        f"Digest of {local(page.cutoff, zone, with_time=False)} · {plural(page.total, 'figure')}"
    )

    def build(caption: int, shown: int) -> dict:
        blocks = [bk.header(title), *_cards(page, image_template, caption, shown)]
        if page.digest_id and page.total:
            earlier = DigestView(page.digest_id, max(page.offset - page.limit, 0), replace=True)
            later = DigestView(page.digest_id, page.offset + shown, replace=True)
            blocks += pager(
                page.offset,
                shown,
                page.total,
                (numbered(ACTION_DIGEST_PAGE, 1), earlier.encode()),
                (numbered(ACTION_DIGEST_PAGE, 2), later.encode()),
            )
        if not page.figures:
            blocks.append(bk.section("No figures match this channel's subscriptions yet."))
        return bk.message(fallback(title, page.offset, page.figures), blocks)

    return fit(build, len(page.figures))


def _names(subs: list[Subscription] | tuple[Subscription, ...]) -> str:
    return ", ".join(f"*{bk.escape(s.label)}*" for s in subs)


def subscribed_message(user: str | None, subs: list[Subscription], when: str, zone: str) -> dict:
    """Posted in the channel: who subscribed it to what, exactly as understood."""
    who = f"<@{user}>" if USER_ID_RE.match(user or "") else "Someone"
    text = f":bell: {who} subscribed this channel to {_names(subs)}."
    notes = [bk.escape(s.note) for s in subs if s.note]
    blocks = [bk.section(text)]
    if notes:
        blocks.append(bk.context(*notes))
    blocks.append(
        bk.context(
            f"New figures arrive in one digest a day at {bk.escape(when)} ({bk.escape(zone)}), "
            f"only when there are some. `{COMMAND} subscriptions` lists them; "
            f"`{COMMAND} unsubscribe <term>` stops one."
        )
    )
    return bk.message(text, blocks)


def notes_message(lines: list[str]) -> dict:
    """An ephemeral list of things to tell the user; each line is escaped here."""
    text = "\n".join(bk.escape(line) for line in lines)
    return bk.message(text, [bk.section(text[: bk.MAX_SECTION_TEXT])])


def invite_message(terms: str) -> dict:
    text = (
        f"I'm not a member of this channel, so I couldn't deliver digests here. Invite me "
        f"with `{INVITE}`, then run `{COMMAND} subscribe {bk.escape(terms)}` again."
    )
    return bk.message(text, [bk.section(text)])


def subscriptions_message(state: ChannelState, zone: str) -> dict:
    """This channel's subscriptions, whether digests are flowing, and the last one."""
    if not state.subscriptions:
        text = (
            f"This channel has no subscriptions. Try `{COMMAND} subscribe KRAS`, "
            f"`{COMMAND} subscribe NF-kB` or `{COMMAND} subscribe search ferroptosis`."
        )
        return bk.message(text, [bk.section(text)])
    if state.paused_reason:
        status = (
            f":double_vertical_bar: *Paused* since {local(state.paused_at, zone)}: Slack "
            f"said `{bk.escape(state.paused_reason)}`. Invite me with `{INVITE}` and run "
            f"`{COMMAND} subscribe <term>` again to resume."
        )
    else:
        status = f":large_green_circle: *Active* · last digest: {local(state.last_digest, zone)}"
    lines = []
    for sub in state.subscriptions:
        by = f" by <@{sub.created_by}>" if USER_ID_RE.match(sub.created_by or "") else ""
        lines.append(f"• *{bk.escape(sub.label)}*, since {local(sub.created, zone, False)}{by}")
    title = f"{plural(len(state.subscriptions), 'subscription')} in this channel"
    body = "\n".join(lines)
    return bk.message(
        bk.escape(title),
        [bk.header(title), bk.section(status), bk.section(body[: bk.MAX_SECTION_TEXT])],
    )
