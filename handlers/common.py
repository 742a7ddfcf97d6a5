"""What every handler shares: the store and config, paging, and the error guard."""

import functools
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.views import render
from handlers.views.state import BadState, View
from handlers.web import CANNOT_POST, post_message, slack_error
from store import QueryError, Store
from store.models import conversation

LOG = logging.getLogger("pathway_bot")
EPHEMERAL = {"response_type": "ephemeral"}
STALE = "That button belongs to an older PathwayBot message. Run /pathway again."
SLOW_DOWN = (
    "Slack asked PathwayBot to slow down, so this answer was not posted. Try again in a minute."
)
# Replies that call chat.postMessage may wait out a 429; they run here, so the lazy-listener
# threads that page, cancel and show genes (response_url only) are never stuck behind them.
POSTING_THREADS = 8


def posting_pool() -> Executor:
    return ThreadPoolExecutor(max_workers=POSTING_THREADS, thread_name_prefix="pathway-post")


class Settings(Protocol):
    """What handlers read of the configuration (bot.config.Config provides it)."""

    @property
    def page_size(self) -> int: ...
    @property
    def image_url_template(self) -> str: ...
    @property
    def digest_time(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def digest_cards(self) -> int: ...


@dataclass(frozen=True)
class Deps:
    """The store and settings a handler needs, passed in once by create_app."""

    store: Store
    config: Settings
    posting: Executor = field(default_factory=posting_pool)
    installations: Any = None  # OAuth mode: slack_sdk's installation store

    def offload(self, listener: Callable[..., Any]) -> Callable[..., None]:
        """A lazy listener that hands `listener` to the posting pool and returns at once."""

        @functools.wraps(listener)
        def hand_off(**kwargs: Any) -> None:
            self.posting.submit(listener, **kwargs)

        return hand_off

    def page(self, view: View, shared_by: str | None = None, images: bool = True) -> dict:
        """Ask the engine for one page of a query and render it for the view's surface."""
        answer = self.store.ask(view.query, limit=self.config.page_size, offset=view.offset)
        template = self.config.image_url_template if images else ""
        return render.answer_message(
            answer, view, template, shared_by, corpus=self.store.corpus_info()
        )

    def post(
        self, client: WebClient, view: View, shared_by: str | None = None, **where: Any
    ) -> Any:
        """chat.postMessage of a page, without images if Slack cannot fetch one."""
        return post_message(client, lambda images: self.page(view, shared_by, images), **where)


class Listening:
    """What every listener class shares: the dependencies, and an ack that says nothing
    (the answer follows in a lazy listener)."""

    def __init__(self, deps: Deps):
        self.deps = deps

    def ack(self, ack: Callable[..., Any]) -> None:
        ack()


def share(
    client: WebClient,
    respond: Callable[..., Any],
    render: Callable[[bool], dict],
    channel: str,
) -> None:
    """Post a message for everyone in the channel (render(images) builds it, without
    images if Slack cannot fetch one), then drop the private preview. Where the bot cannot
    post (DMs, channels it was never invited to), Slack posts it for us through respond."""
    try:
        post_message(client, render, channel=channel)
    except SlackApiError as error:
        if error.response.get("error") not in CANNOT_POST:
            raise
        respond(response_type="in_channel", replace_original=False, **render(True))
    respond(delete_original=True)


def workspace_of(payload: dict) -> str | None:
    """The workspace a request came from: `team_id` (commands, events) or `team.id`
    (buttons, modals); an org-wide install's enterprise when no team is given."""
    team = (
        payload.get("team_id")
        or (payload.get("team") or {}).get("id")
        or (payload.get("user") or {}).get("team_id")
    )
    return team or payload.get("enterprise_id") or (payload.get("enterprise") or {}).get("id")


def where(payload: dict, channel: str) -> str:
    """The key of a channel in the request's workspace: 'T0LAB:C0LAB'."""
    return conversation(workspace_of(payload), channel)


def report(
    error: BaseException, logger: logging.Logger | None = None, body: dict | None = None
) -> str:
    """Log the traceback under a short error id that the user is shown instead."""
    error_id = uuid.uuid4().hex[:8]
    kind = (body or {}).get("type") or (body or {}).get("command") or "request"
    (logger or LOG).error("error %s while handling %s", error_id, kind, exc_info=error)
    return error_id


def apologise(error_id: str, kwargs: dict) -> None:
    """Tell the user, by whichever channel this request offers, that it failed."""
    tell(render.error_message(error_id), kwargs)


def tell(message: dict, kwargs: dict) -> None:
    """Reply privately by whichever channel the request offers: ack, response_url or DM."""
    message = {**message, **EPHEMERAL}
    event = kwargs.get("event") or {}
    try:
        if kwargs.get("ack") is not None:
            kwargs["ack"](**message)
        elif kwargs.get("respond") is not None:  # bolt gives one only with a response_url
            kwargs["respond"](replace_original=False, **message)
        elif kwargs.get("client") is not None and event.get("channel") and event.get("user"):
            kwargs["client"].chat_postEphemeral(
                channel=event["channel"],
                user=event["user"],
                text=message["text"],
                blocks=message["blocks"],
            )
    except Exception as error:  # the reply itself failed: the log is all we have
        LOG.error("could not deliver %r to the user", message["text"][:80], exc_info=error)


def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """Catch anything a handler raises: the log gets the traceback, the user an error id.
    A button value we cannot read gets a plain "run it again" instead."""

    @functools.wraps(method)
    def wrapper(self: Any, **kwargs: Any) -> Any:
        try:
            return method(self, **kwargs)
        except BadState:
            tell(render.notice_message(STALE), kwargs)
        except QueryError as error:  # a query we can say what is wrong with: since:abc
            tell(render.notice_message(str(error)), kwargs)
        except Exception as error:
            if slack_error(error) == "ratelimited":  # longer than a reply may wait
                LOG.warning("Slack rate-limited %s; told the user", method.__name__)
                return tell(render.notice_message(SLOW_DOWN), kwargs)
            apologise(report(error, kwargs.get("logger"), kwargs.get("body")), kwargs)

    return wrapper
