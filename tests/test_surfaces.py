"""Show figure, link unfurls, App Home and its search modal, the message shortcut, and the
mention that asks nothing: in process, create_app over the starter corpus, driven by
signed BoltRequests, with the Web API stand-in recording every call."""

import json

import pytest

from bot.config import Config
from handlers.ids import (
    ACTION_HOME_SEARCH,
    ACTION_SHARE,
    ACTION_SHOW,
    SEARCH_INPUT,
    SHORTCUT_FIND,
    VIEW_SEARCH,
    numbered,
)
from handlers.surfaces import HOME_REPUBLISH_SECONDS, AppHome
from store import SEED_FIGID
from testkit import slack_wire as wire
from testkit.blockkit import block_texts, check_message, check_view
from testkit.fake_slack import TEAM_ID

PFOCR = "https://pfocr.wikipathways.org/figures/"
SEED_PMC_LINKS = (
    "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4111689/figure/F1/",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC4111689/figure/F1/",
)


@pytest.fixture(autouse=True)
def clean(world):
    world[1].reset()


def dispatch(app, body: str, content_type: str):
    response = app.dispatch(wire.bolt_request(body, content_type))
    assert response.status == 200, response.body
    return response


def view_of(call: dict) -> dict:
    view = call["view"]
    return json.loads(view) if isinstance(view, str) else view


EVENT_IDS = iter(range(10_000))


def events() -> str:
    """A new event id each time, so the once-per-event guard never drops a test's event."""
    return f"EvSurf{next(EVENT_IDS)}"


def test_show_figure_opens_the_full_card_in_a_modal(world):
    app, fake, _ = world
    body = wire.action_body(numbered(ACTION_SHOW, 2), SEED_FIGID, fake.response_url("show"))
    dispatch(app, body, wire.FORM)
    assert fake.wait_for(lambda: fake.api("views.open"))
    (call,) = fake.api("views.open")
    assert call["trigger_id"] == "1.2.3"
    view = view_of(call)
    check_view(view)
    assert sum(b["type"] == "image" for b in view["blocks"]) == 1
    text = " ".join(block_texts({"blocks": view["blocks"]}))
    assert "Integrin β3 drives EGFR TKI resistance" in text  # the caption, in full
    assert "RALB" in text and "betaTub60D" in text  # every gene, fly ones as written
    assert not fake.responses("show")  # the preview it came from is left as it was


def test_show_figure_of_a_figure_that_is_gone_says_so(world):
    app, fake, _ = world
    body = wire.action_body(numbered(ACTION_SHOW, 0), "PMC1__gone", fake.response_url("gone"))
    dispatch(app, body, wire.FORM)
    assert fake.wait_for(lambda: fake.api("views.open"))
    view = view_of(fake.api("views.open")[0])
    check_view(view)
    assert "no longer" in " ".join(block_texts({"blocks": view["blocks"]}))


def test_figure_links_in_one_message_unfurl_in_one_call(world):
    app, fake, _ = world
    links = (PFOCR + SEED_FIGID + ".html", *SEED_PMC_LINKS, PFOCR + "PMC1__unknown.html")
    dispatch(app, wire.event_body(events(), wire.link_shared_event(*links)), wire.JSON)
    assert fake.wait_for(lambda: fake.api("chat.unfurl"))
    (call,) = fake.api("chat.unfurl")
    unfurls = json.loads(call["unfurls"]) if isinstance(call["unfurls"], str) else call["unfurls"]
    assert set(unfurls) == set(links[:3])  # the unknown figure is left alone
    assert call["channel"] == wire.CHANNEL and call["ts"] == "1700000000.000200"
    for card in unfurls.values():
        check_message({"text": "unfurl", **card})
        assert not [b for b in card["blocks"] if b["type"] == "image"]  # a thumbnail
        assert "Targeting the Achilles" in card["blocks"][0]["text"]["text"]


def test_links_to_unknown_figures_get_no_unfurl_call(world):
    app, fake, _ = world
    links = (PFOCR + "PMC1__nope.html", "https://pmc.ncbi.nlm.nih.gov/articles/PMC1/figure/F9/")
    dispatch(app, wire.event_body(events(), wire.link_shared_event(*links)), wire.JSON)
    dispatch(app, wire.mention_body(events(), "<@U0BOT> KRAS"), wire.JSON)  # a later event
    assert fake.wait_for(lambda: fake.posted(wire.CHANNEL))
    assert not fake.api("chat.unfurl")


def test_app_home_shows_the_corpus_subscriptions_and_newest_figures(world):
    app, fake, store = world
    store.subscribe(store.understand_subscription(f"{TEAM_ID}:C0LAB", "KRAS")[0], "U0ALICE")
    store.subscribe(store.understand_subscription("T0ELSE:C0ELSE", "EGFR")[0], "U0BOB")
    dispatch(app, wire.event_body(events(), wire.home_opened_event("U0HOME1")), wire.JSON)
    assert fake.wait_for(lambda: fake.api("views.publish"))
    (call,) = fake.api("views.publish")
    assert call["user_id"] == "U0HOME1"
    view = view_of(call)
    check_view(view, allowed_mentions=("<#C0LAB>",))
    text = " ".join(block_texts({"blocks": view["blocks"]}))
    assert "244 figures" in text and "starter" in text
    assert "<#C0LAB>" in text and "*KRAS*" in text and "active" in text
    assert "C0ELSE" not in text and "EGFR" not in text  # another workspace's channel
    assert text.count(PFOCR) >= 5  # the newest figures, as compact rows
    search = [e for b in view["blocks"] for e in [b.get("accessory") or {}] if e.get("action_id")]
    assert search and search[0]["action_id"] == ACTION_HOME_SEARCH


def test_app_home_is_not_republished_within_a_minute_unless_it_changed(world):
    _, _, store = world

    class Client:
        def __init__(self):
            self.published = []

        def views_publish(self, **kwargs):
            self.published.append(kwargs)

    now = [1000.0]
    home = AppHome(deps_of(world), clock=lambda: now[0])
    client = Client()
    event = wire.home_opened_event("U0RATE")
    home.opened(event=event, client=client, logger=None)
    home.opened(event=event, client=client, logger=None)
    assert len(client.published) == 1  # unchanged, 0 s later
    home.opened(event={**event, "user": "U0OTHER"}, client=client, logger=None)
    assert len(client.published) == 2  # another user
    store.subscribe(store.understand_subscription("C0NEW", "EGFR")[0], "U0ALICE")
    home.opened(event=event, client=client, logger=None)
    assert len(client.published) == 3  # it changed
    now[0] += HOME_REPUBLISH_SECONDS + 1
    home.opened(event=event, client=client, logger=None)
    assert len(client.published) == 4  # a minute later


def deps_of(world):
    from handlers.common import Deps

    _, fake, store = world
    return Deps(store, Config(db=store.path, slack_api_base_url=fake.api_url))


def test_home_search_opens_a_modal_and_answers_inside_it(world):
    app, fake, _ = world
    body = wire.action_body(ACTION_HOME_SEARCH, "home", fake.response_url("home"))
    dispatch(app, body, wire.FORM)
    assert fake.wait_for(lambda: fake.api("views.open"))
    opened = view_of(fake.api("views.open")[0])
    check_view(opened)
    assert opened["callback_id"] == VIEW_SEARCH
    block, action = SEARCH_INPUT
    values = {block: {action: {"type": "plain_text_input", "value": "KRAS EGFR"}}}
    response = dispatch(app, wire.view_submission_body(VIEW_SEARCH, values), wire.FORM)
    answer = json.loads(response.body)
    assert answer["response_action"] == "update"
    check_view(answer["view"])
    text = " ".join(block_texts({"blocks": answer["view"]["blocks"]}))
    assert "show KRAS and EGFR" in text and PFOCR in text


def test_an_empty_search_submission_is_an_error_on_the_field(world):
    app, _, _ = world
    block, action = SEARCH_INPUT
    values = {block: {action: {"type": "plain_text_input", "value": "   "}}}
    answer = json.loads(
        dispatch(app, wire.view_submission_body(VIEW_SEARCH, values), wire.FORM).body
    )
    assert answer["response_action"] == "errors" and block in answer["errors"]


def test_the_message_shortcut_answers_privately_with_share(world):
    app, fake, _ = world
    text = "our screen hit ITGB3, RALB and KRAS, anyone seen a figure?"
    body = wire.shortcut_body(SHORTCUT_FIND, text, fake.response_url("shortcut"))
    response = dispatch(app, body, wire.FORM)
    assert response.body in ("", None)  # acked at once, empty
    assert fake.wait_for(lambda: fake.responses("shortcut"))
    (reply,) = fake.responses("shortcut")
    check_message(reply)
    assert reply["response_type"] == "ephemeral"
    assert "ITGB3, RALB and KRAS" in reply["blocks"][0]["text"]["text"]  # the genes, not "screen"
    labels = [
        e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert ACTION_SHARE in labels
    assert not fake.posted()  # nothing in the channel until someone shares it


def test_the_shortcut_on_a_message_without_genes_says_so(world):
    app, fake, _ = world
    body = wire.shortcut_body(SHORTCUT_FIND, "lunch at noon?", fake.response_url("none"))
    dispatch(app, body, wire.FORM)
    assert fake.wait_for(lambda: fake.responses("none"))
    (reply,) = fake.responses("none")
    assert "no gene names" in reply["text"]


@pytest.mark.parametrize("text", ["<@U0BOT> hi! can you help?", "<@U0BOT>", "hello <@U0BOT> ?"])
def test_a_mention_that_asks_nothing_gets_short_help(world, text):
    app, fake, _ = world
    dispatch(app, wire.mention_body(events(), text), wire.JSON)
    assert fake.wait_for(lambda: fake.posted(wire.CHANNEL))
    (reply,) = fake.posted(wire.CHANNEL)
    check_message(reply)
    said = " ".join(block_texts(reply))
    assert "which figures show ITGB3 and RALB" in said and "Nothing found" not in said
    assert len(reply["blocks"]) <= 2  # short


def test_a_mention_with_a_question_is_still_answered(world):
    app, fake, _ = world
    dispatch(app, wire.mention_body(events(), "<@U0BOT> hi, can you show KRAS?"), wire.JSON)
    assert fake.wait_for(lambda: fake.posted(wire.CHANNEL))
    (reply,) = fake.posted(wire.CHANNEL)
    assert reply["blocks"][0]["text"]["text"].startswith("KRAS · ")
