"""Talking to Slack's Web API and response_urls safely.

- `web_client`: a WebClient that waits out 429s (a float Retry-After too, and never longer
  than a cap) and retries dropped connections, except for chat.postMessage.
- `post_once` / `post_message`: chat.postMessage tagged with a metadata key; when the answer
  is lost, Slack's history says whether to send it again. `post_message` also falls back
  to no images when Slack cannot fetch one.
- `response_url_allowed` and `Responder`: replies go only to Slack's own hook hosts (or the
  configured API stand-in), with a short timeout.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

LOG = logging.getLogger("pathway_bot")

RATE_LIMIT_RETRIES = 3  # each waits out Slack's Retry-After
NETWORK_RETRIES = 2  # connection failures, after 0.5 s then 1 s
WEB_API_TIMEOUT = 10  # seconds, for batch jobs
REQUEST_TIMEOUT = 5  # seconds, for calls made while answering a Slack request
REQUEST_MAX_RETRY_AFTER = 10.0  # a reply waits out at most this long a 429, then apologises
JOB_MAX_RETRY_AFTER = 300.0  # a digest run waits out longer ones
# Where Slack's response_urls point: commercial Slack and GovSlack.
SLACK_HOOK_HOSTS = frozenset({"hooks.slack.com", "hooks.slack-gov.com"})
POST_EVENT = "pathway_post"  # message metadata that lets us find a post we are unsure of
LOOKBACK = 120  # seconds of history searched for a post whose answer was lost

# Slack errors meaning the bot itself cannot post in a conversation (the one set).
CANNOT_POST = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "account_inactive"}
)


def retry_after(response: HttpResponse) -> float:
    """Seconds Slack asked us to wait: Retry-After may be '30' or '1.5'; junk counts as 1."""
    for name, values in response.headers.items():
        if name.lower() == "retry-after":
            value = values[0] if isinstance(values, list) and values else values
            try:
                seconds = float(value)  # type: ignore[arg-type]  # a str, or junk
            except (TypeError, ValueError):
                return 1.0
            return seconds if seconds == seconds and seconds >= 0 else 1.0  # NaN, negative
    return 1.0


class CappedRateLimitHandler(RateLimitErrorRetryHandler):
    """slack_sdk's 429 retry, reading a fractional Retry-After and never waiting past a cap:
    a longer wait is not retried, so the caller can tell the user at once."""

    def __init__(
        self,
        max_retry_count: int = RATE_LIMIT_RETRIES,
        max_wait: float = REQUEST_MAX_RETRY_AFTER,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait, self.sleep = max_wait, sleep

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return (
            response is not None
            and response.status_code == 429
            and retry_after(response) <= self.max_wait
        )

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:  # pragma: no cover - only called after _can_retry said yes
            raise error  # type: ignore[misc]
        state.next_attempt_requested = True
        self.sleep(retry_after(response) + random.random() * 0.2)
        state.increment_current_attempt()


def _method(request: HttpRequest) -> str:
    return urlsplit(request.url).path.rstrip("/").rsplit("/", 1)[-1]


class PostGuard(ConnectionErrorRetryHandler):
    """slack_sdk's connection-error retry, except for chat.postMessage, which is not
    idempotent: a lost answer does not mean a lost post. `post_once` settles those by
    looking for the post before sending it again."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _method(request) == "chat.postMessage":
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def find_post(
    client: WebClient, channel: str, thread_ts: str | None, match: Callable[[dict], bool]
) -> str | None:
    """The ts of the recent message in a channel (or thread) whose metadata `match`es;
    raises SlackApiError or OSError when Slack cannot be asked."""
    if thread_ts:
        response = client.conversations_replies(
            channel=channel, ts=thread_ts, limit=200, include_all_metadata=True
        )
    else:
        response = client.conversations_history(
            channel=channel,
            limit=200,
            oldest=str(time.time() - LOOKBACK),
            include_all_metadata=True,
        )
    messages: list[dict] = response.get("messages", [])
    for message in messages:
        if match(message.get("metadata") or {}):
            return message.get("ts")
    return None


def web_client(
    token: str | None,
    base_url: str | None = None,
    *,
    timeout: float = WEB_API_TIMEOUT,
    max_retry_after: float = JOB_MAX_RETRY_AFTER,
) -> WebClient:
    """A WebClient for the configured API host: 429s waited out up to `max_retry_after`,
    dropped connections retried except for posts (see PostGuard and post_once)."""
    options: dict[str, Any] = {"base_url": base_url} if base_url else {}
    client = WebClient(token=token, timeout=int(timeout), **options)
    client.retry_handlers = [
        PostGuard(
            max_retry_count=NETWORK_RETRIES,
            interval_calculator=BackoffRetryIntervalCalculator(backoff_factor=0.5),
        ),
        CappedRateLimitHandler(max_wait=max_retry_after),
    ]
    return client


def tagged() -> dict:
    """Message metadata with a fresh key, so a post whose answer was lost can be found."""
    return {"event_type": POST_EVENT, "event_payload": {"key": uuid.uuid4().hex}}


def _by_key(metadata: dict) -> Callable[[dict], bool]:
    key = (metadata.get("event_payload") or {}).get("key")
    return lambda m: (
        m.get("event_type") == metadata.get("event_type")
        and (m.get("event_payload") or {}).get("key") == key
    )


def post_once(
    client: WebClient, message: dict, lookup: Callable[[], str | None] | None = None, **where: Any
) -> Any:
    """chat.postMessage that never posts twice when a connection drops mid-call.

    The post carries metadata (a fresh key unless `where` has some). If the answer is
    lost, `lookup()` (by default: the channel's or thread's history, searched for that
    metadata) says whether Slack has it: found, its ts is returned as the answer; missing,
    it is sent once more; unknown (lookup raised), the network error stands.
    """
    where.setdefault("metadata", tagged())
    try:
        return client.chat_postMessage(**where, **message)
    except OSError as error:
        channel, metadata = where["channel"], where["metadata"]
        find = lookup or (
            lambda: find_post(client, channel, where.get("thread_ts"), _by_key(metadata))
        )
        try:
            ts = find()
        except Exception as lookup_error:
            LOG.warning(
                "a post to %s may not have arrived, and Slack cannot say (%s)",
                channel,
                lookup_error,
            )
            raise error from None
        if ts:
            LOG.info("the answer to a post in %s was lost, but the post arrived (%s)", channel, ts)
            return {"ok": True, "channel": channel, "ts": ts}
        LOG.info("a post to %s was lost before Slack took it; sending it again", channel)
        return client.chat_postMessage(**where, **message)


def post_message(
    client: WebClient,
    build: Callable[[bool], dict],
    lookup: Callable[[], str | None] | None = None,
    **where: Any,
) -> Any:
    """Post build(images=True); if Slack refuses because an image failed to download
    (invalid_blocks, and nothing was posted), post build(images=False): links still work.
    Either way through post_once, so a dropped connection never posts twice."""
    try:
        return post_once(client, build(True), lookup, **where)
    except SlackApiError as error:
        if error.response.get("error") != "invalid_blocks":
            raise
        LOG.warning(
            "Slack refused the blocks for %s (%s); posting without images",
            where.get("channel"),
            error.response.get("errors"),
        )
        return post_once(client, build(False), lookup, **where)


def slack_error(error: BaseException) -> str | None:
    """Slack's error code for a SlackApiError ('ratelimited', 'not_in_channel', ...)."""
    if isinstance(error, SlackApiError):
        return error.response.get("error") if error.response is not None else None
    return None


def response_url_allowed(url: str | None, api_base_url: str | None = None) -> bool:
    """Only Slack's hook hosts over HTTPS, or the host of a configured API stand-in."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return False
    if parts.scheme == "https" and host in SLACK_HOOK_HOSTS and port in (None, 443):
        return True
    if api_base_url:
        base = urlsplit(api_base_url)
        return (parts.scheme, host, port) == (base.scheme, base.hostname, base.port)
    return False


class Responder:
    """bolt's respond(), with a short timeout: replies to a response_url we checked."""

    def __init__(self, response_url: str, timeout: float = REQUEST_TIMEOUT):
        self.response_url, self.timeout = response_url, timeout

    def __call__(self, text: str = "", blocks: list | None = None, **fields: Any) -> Any:
        message = {"text": text, **({"blocks": blocks} if blocks is not None else {}), **fields}
        message = {k: v for k, v in message.items() if v is not None}
        return WebhookClient(self.response_url, timeout=int(max(1, self.timeout))).send_dict(
            message
        )
