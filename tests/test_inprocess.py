"""In process: create_app over the bundled seed database, driven by signed BoltRequests,
with the Web API stand-in. Needs nothing beside the repository (no ../shared)."""

import json

import pytest

from handlers.ids import ACTION_NEXT
from handlers.views.state import PREVIEW, View
from store import Store, seed_record
from testkit import slack_wire as wire
from testkit.app_kit import inprocess_app
from testkit.blockkit import check_message
from testkit.fake_slack import FakeSlack
from testkit.records_kit import record, write


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("records")
    for n in range(6):
        write(folder, f"r{n}.md", record(f"PMC8{n}__f1", f"KRAS figure {n}", ["KRAS", "EGFR"]))
    store = Store(tmp_path_factory.mktemp("inproc") / "seed.db")
    store.ingest([seed_record()])
    store.ingest([folder])
    fake = FakeSlack()
    yield inprocess_app(store, fake, page_size=3), fake
    fake.close()
    store.close()


@pytest.fixture(autouse=True)
def clean(world):
    world[1].reset()


def test_slash_command_answers_in_the_ack(world):
    app, fake = world
    response = app.dispatch(
        wire.bolt_request(wire.command_body("KRAS", fake.response_url("c")), wire.FORM)
    )
    assert response.status == 200
    message = json.loads(response.body)
    check_message(message)
    assert message["response_type"] == "ephemeral"
    assert message["blocks"][0]["text"]["text"].startswith("KRAS · 7 figures")
    actions = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[-1]["elements"]] == [
        "pathway_next",
        "pathway_share",
        "pathway_cancel",
    ]


def test_next_button_replaces_the_preview_through_the_response_url(world):
    app, fake = world
    value = View("KRAS", 0, PREVIEW).at(3).encode()
    body = wire.action_body(ACTION_NEXT, value, fake.response_url("next"))
    assert app.dispatch(wire.bolt_request(body, wire.FORM)).status == 200
    assert fake.wait_for(lambda: fake.responses("next"))
    (page,) = fake.responses("next")
    check_message(page)
    assert page["replace_original"] is True
    pager = [b for b in page["blocks"] if b["type"] == "context"][-1]
    count, hint = (element["text"] for element in pager["elements"])
    assert count == "Figures 4–6 of 7"
    assert "`pathway-bot sync`" in hint  # a starter-sized database says how to grow


def test_mention_is_answered_once_in_its_thread(world):
    app, fake = world
    body = wire.mention_body("EvInProc1", "<@U0BOT> which figures show KRAS and EGFR?")
    assert app.dispatch(wire.bolt_request(body, wire.JSON)).status == 200
    assert app.dispatch(wire.bolt_request(body, wire.JSON)).status == 200  # Slack's retry
    assert fake.wait_for(lambda: fake.api("chat.postMessage"))
    fake.wait_for(lambda: len(fake.api("chat.postMessage")) > 1, timeout=0.5)
    (post,) = fake.api("chat.postMessage")
    check_message(post)
    assert post["thread_ts"] == "1700000000.000100" and post["channel"] == wire.CHANNEL
    assert post["text"].startswith("7 figures show KRAS and EGFR")


def test_an_unsigned_request_is_refused_in_process_too(world):
    app, fake = world
    request = wire.bolt_request(
        wire.command_body("KRAS", fake.response_url("c")), wire.FORM, secret="not-the-secret"
    )
    assert app.dispatch(request).status == 401
    assert fake.calls == []
