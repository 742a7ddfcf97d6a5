"""Handlers with fake ack/respond/client: what each surface sends back."""

import logging

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.config import Config
from handlers.actions import ButtonHandler
from handlers.command import PathwayCommand
from handlers.common import Deps
from handlers.grammar import parse
from handlers.ids import ACTION_GENES, ACTION_SHARE, numbered
from handlers.mention import MentionHandler, question
from handlers.views.state import PREVIEW, THREAD, View
from testkit.blockkit import block_texts, check_message, has_text


class Recorder:
    """Stands in for ack, respond or say: remembers every call's keyword arguments."""

    def __init__(self):
        self.calls = []

    def __call__(self, *args, **kwargs):
        self.calls.append(kwargs)

    @property
    def last(self):
        return self.calls[-1]


class FakeClient:
    """A WebClient stand-in: records posts, optionally fails them with a Slack error."""

    def __init__(self, error=None, when=lambda kwargs: True):
        self.error, self.when, self.posts, self.ephemeral = error, when, [], []

    def _fail(self, method):
        response = SlackResponse(
            client=None,
            http_verb="POST",
            api_url=method,
            req_args={},
            data={"ok": False, "error": self.error},
            headers={},
            status_code=200,
        )
        raise SlackApiError(self.error, response)

    def chat_postMessage(self, **kwargs):
        if self.error and self.when(kwargs):
            self._fail("chat.postMessage")
        self.posts.append(kwargs)

    def chat_postEphemeral(self, **kwargs):
        self.ephemeral.append(kwargs)


@pytest.fixture(scope="module")
def deps(tmp_path_factory):
    from store import Store, seed_record

    store = Store(tmp_path_factory.mktemp("handlers") / "seed.db")
    store.ingest([seed_record()])
    yield Deps(store, Config(page_size=3))
    store.close()


LOG = logging.getLogger("test")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ("help", "")),
        ("help", ("help", "")),
        ("  HELP ", ("help", "")),
        ("stats", ("stats", "")),
        ("KRAS", ("ask", "KRAS")),
        ("help me find KRAS", ("ask", "help me find KRAS")),
        ("stats KRAS", ("ask", "stats KRAS")),
        ("figure  PMC4111689", ("ask", "figure PMC4111689")),
        ("search integrin", ("ask", "search integrin")),
        ("stats", ("stats", "")),
        ("HELP KRAS", ("ask", "HELP KRAS")),
        ("subscribe KRAS  EGFR", ("subscribe", "KRAS EGFR")),
        ("Subscribe", ("subscribe", "")),
        ("unsubscribe all", ("unsubscribe", "all")),
        ("subscriptions", ("subscriptions", "")),
        ("subscriptions KRAS", ("ask", "subscriptions KRAS")),
        ("digest", ("digest", "")),
        ("digest KRAS", ("ask", "digest KRAS")),
    ],
)
def test_parse(text, expected):
    row, rest = parse(text)
    assert (row.handler, rest) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<@U0BOT> KRAS", "KRAS"),
        (
            "<@U0BOT|pathwaybot> which figures show ITGB3 and RALB?",
            "which figures show ITGB3 and RALB?",
        ),
        ("hey <@U0BOT>   NF-kB  please", "hey NF-kB please"),
        ("<@U0BOT>", ""),
    ],
)
def test_question_strips_mentions(text, expected):
    assert question(text) == expected


@pytest.mark.parametrize(
    "text, block_type, needle",
    [
        ("KRAS", "header", "KRAS · 1 figure"),
        ("", "section", "/pathway KRAS"),
        ("stats", "header", "PathwayBot database"),
        ("qwzx plover", "section", "/pathway help"),
        ("KRAS since:abc", "section", "“since:abc”: a year is four digits"),
        ("KRAS organism:martian", "section", "unknown organism"),
        ("KRAS since:1990", "header", "KRAS · 1 figure · since:1990"),
        ("KRAS organism:zebrafish", "section", "No figure matches organism:zebrafish"),
    ],
)
def test_command_acks_with_an_ephemeral_message(deps, text, block_type, needle):
    ack = Recorder()
    PathwayCommand(deps).handle(ack=ack, command={"text": text}, logger=LOG)
    assert len(ack.calls) == 1 and ack.last["response_type"] == "ephemeral"
    check_message(ack.last)
    assert has_text(ack.last, needle, block_type), block_texts(ack.last, block_type)


def test_a_crash_becomes_an_apology_with_an_error_id_in_the_log(deps, caplog, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(deps.store, "ask", broken)
    ack = Recorder()
    with caplog.at_level(logging.ERROR):
        PathwayCommand(deps).handle(ack=ack, command={"text": "KRAS"}, logger=LOG)
    text = ack.last["text"]
    error_id = text.split("error id `")[1].split("`")[0]
    assert "disk on fire" not in text and "Traceback" not in text
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


def test_mention_replies_in_the_thread(deps):
    client = FakeClient()
    MentionHandler(deps).reply(
        event={"text": "<@U0BOT> which figures show ITGB3 and RALB?", "channel": "C1", "ts": "5.5"},
        client=client,
        logger=LOG,
    )
    (post,) = client.posts
    assert post["channel"] == "C1" and post["thread_ts"] == "5.5"
    assert "No figure shows both ITGB3 and RALB · 1 shows one of them" in post["text"]
    check_message(post)


def test_mention_inside_a_thread_stays_in_that_thread(deps):
    client = FakeClient()
    MentionHandler(deps).reply(
        event={"text": "<@U0BOT> KRAS", "channel": "C1", "ts": "7.7", "thread_ts": "6.6"},
        client=client,
        logger=LOG,
    )
    assert client.posts[0]["thread_ts"] == "6.6"


def test_images_slack_cannot_fetch_are_dropped_rather_than_the_reply(deps):
    client = FakeClient(
        error="invalid_blocks", when=lambda kw: any(b["type"] == "image" for b in kw["blocks"])
    )
    MentionHandler(deps).reply(
        event={"text": "<@U0BOT> KRAS", "channel": "C1", "ts": "1.1"}, client=client, logger=LOG
    )
    (post,) = client.posts
    assert "KRAS" in post["text"] and not any(b["type"] == "image" for b in post["blocks"])


def test_failed_mention_tells_the_user_privately(deps):
    client = FakeClient(error="msg_too_long")
    MentionHandler(deps).reply(
        event={"text": "<@U0BOT> KRAS", "channel": "C1", "ts": "1.1", "user": "U7"},
        client=client,
        logger=LOG,
    )
    assert client.ephemeral[0]["user"] == "U7" and "error id" in client.ephemeral[0]["text"]


def test_page_replaces_the_original(deps):
    respond = Recorder()
    ButtonHandler(deps).page(
        action={"value": View("KRAS EGFR", 0, THREAD).encode()},
        respond=respond,
        body={},
        logger=LOG,
    )
    assert respond.last["replace_original"] is True
    check_message(respond.last)


def test_a_stale_button_gets_a_clear_notice(deps):
    respond = Recorder()
    ButtonHandler(deps).page(action={"value": "not json"}, respond=respond, body={}, logger=LOG)
    assert "older PathwayBot message" in respond.last["text"]
    assert respond.last["replace_original"] is False


def test_share_posts_in_channel_credited_then_deletes_the_preview(deps):
    respond, client = Recorder(), FakeClient()
    body = {"user": {"id": "U0ALICE"}, "channel": {"id": "C1"}}
    ButtonHandler(deps).share(
        action={"action_id": ACTION_SHARE, "value": View("KRAS", 0, PREVIEW).encode()},
        respond=respond,
        client=client,
        body=body,
        logger=LOG,
    )
    (post,) = client.posts
    assert post["channel"] == "C1" and has_text(post, "Shared by <@U0ALICE>", "context")
    assert not any(
        e.get("action_id") == ACTION_SHARE for b in post["blocks"] for e in b.get("elements", [])
    )
    assert respond.calls == [{"delete_original": True}]


def test_share_where_the_bot_is_not_a_member_goes_through_the_response_url(deps):
    respond, client = Recorder(), FakeClient(error="not_in_channel")
    body = {"user": {"id": "U0ALICE"}, "channel": {"id": "D1"}}
    ButtonHandler(deps).share(
        action={"value": View("KRAS", 0, PREVIEW).encode()},
        respond=respond,
        client=client,
        body=body,
        logger=LOG,
    )
    assert respond.calls[0]["response_type"] == "in_channel"
    assert respond.calls[1] == {"delete_original": True}


def test_show_all_genes(deps):
    respond = Recorder()
    from handlers.views.state import encode_genes

    ButtonHandler(deps).genes(
        action={
            "action_id": numbered(ACTION_GENES, 0),
            "value": encode_genes("PMC4111689__cc-13-2017-g1", ("RALB",)),
        },
        respond=respond,
        body={},
        logger=LOG,
    )
    message = respond.last
    check_message(message)
    assert message["blocks"][1]["text"]["text"].startswith("*RALB*")
    assert message["response_type"] == "ephemeral" and message["replace_original"] is False


def test_show_genes_of_a_figure_that_is_gone(deps):
    respond = Recorder()
    from handlers.views.state import encode_genes

    ButtonHandler(deps).genes(
        action={"value": encode_genes("PMC1__gone.jpg", ())}, respond=respond, body={}, logger=LOG
    )
    assert "no figure PMC1__gone.jpg" in respond.last["text"]


def test_cancel_deletes_the_preview(deps):
    respond = Recorder()
    ButtonHandler(deps).cancel(respond=respond, logger=LOG, body={})
    assert respond.calls == [{"delete_original": True}]


def test_readme_lists_exactly_the_subcommand_table():
    from handlers.grammar import markdown_table
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- subcommands")
    body = readme[readme.index("\n", start) + 1 : readme.index("<!-- /subcommands -->")]
    assert body.strip() == markdown_table()


def test_help_lists_every_subcommand_with_its_example():
    from handlers.grammar import SUBCOMMANDS
    from handlers.views.render import help_message

    text = help_message()["blocks"][1]["text"]["text"]
    for row in SUBCOMMANDS:
        if row.verb:
            assert f"`/pathway {row.example}`" in text
