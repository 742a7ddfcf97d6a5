"""`/pathway enrich` in Slack (in process, signed requests, the Web API stand-in), its form,
the CLI, bad input, and signature subscriptions through the digest."""

import html
import json

import pytest

from bot.cli import cli
from handlers.ids import (
    ACTION_ENRICH_PAGE,
    ACTION_ENRICH_SHARE,
    ACTION_ENRICH_TABLE,
    ENRICH_BACKGROUND,
    ENRICH_GENES,
    ENRICH_MIN_OVERLAP,
    VIEW_ENRICH,
    numbered,
)
from handlers.views.state import decode_enrich
from store import Store
from store.enrich import EnrichError
from testkit import slack_wire as wire
from testkit.blockkit import block_texts, check_message, check_view
from testkit.records_kit import record, write

P53 = "TP53 MDM2 CDKN1A BAX BBC3 PMAIP1 FAS GADD45A SESN1 RRM2B"


@pytest.fixture(autouse=True)
def clean(world):
    world[1].reset()


def command(app, fake, text, name="e"):
    response = app.dispatch(
        wire.bolt_request(wire.command_body(text, fake.response_url(name)), wire.FORM)
    )
    assert response.status == 200
    return response


def buttons(message, prefix=""):
    return [
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith(prefix)
    ]


def test_a_gene_list_is_acked_at_once_and_answered_privately(world):
    app, fake, _ = world
    response = command(app, fake, f"enrich {P53}")
    assert not response.body  # the ack is empty; the answer follows
    assert fake.wait_for(lambda: fake.responses("e"))
    (answer,) = fake.responses("e")
    check_message(answer)
    assert answer["response_type"] == "ephemeral"
    header = html.unescape(answer["blocks"][0]["text"]["text"])
    assert header.startswith("10 genes → 10 recognised · ") and "at q < 0.05" in header
    assert "universe 3,432 genes" in header
    assert sum(b["type"] == "image" for b in answer["blocks"]) <= 1
    labels = [b["text"]["text"] for b in buttons(answer)]
    assert {"Share to channel", "Show all as a table", "Cancel", "Next ▶"} <= set(labels)
    first = next(b for b in answer["blocks"] if b["type"] == "section")["text"]["text"]
    assert first.startswith("*1. <https://pfocr.wikipathways.org/figures/")
    assert "q = " in first and "odds ratio" in first and "*TP53*" in first


def test_pages_tables_and_shares_reuse_the_saved_list(world):
    app, fake, _ = world
    command(app, fake, f"enrich {P53}")
    assert fake.wait_for(lambda: fake.responses("e"))
    (answer,) = fake.responses("e")
    following = next(b for b in buttons(answer) if b["text"]["text"] == "Next ▶")
    assert len(following["value"]) < 200  # the key, never the list
    body = wire.action_body(following["action_id"], following["value"], fake.response_url("n"))
    app.dispatch(wire.bolt_request(body, wire.FORM))
    assert fake.wait_for(lambda: fake.responses("n"))
    page = fake.responses("n")[0]
    check_message(page)
    assert page["replace_original"] is True
    assert next(b for b in page["blocks"] if b["type"] == "section")["text"]["text"].startswith(
        "*6. "
    )
    table = next(b for b in buttons(answer) if b["action_id"] == ACTION_ENRICH_TABLE)
    app.dispatch(
        wire.bolt_request(
            wire.action_body(ACTION_ENRICH_TABLE, table["value"], fake.response_url("t")),
            wire.FORM,
        )
    )
    assert fake.wait_for(lambda: fake.responses("t"))
    tsv = fake.responses("t")[0]
    check_message(tsv)
    assert "```figid\toverlap\tset_size\tp\tq\todds_ratio\tgenes" in " ".join(block_texts(tsv))
    share = next(b for b in buttons(answer) if b["action_id"] == ACTION_ENRICH_SHARE)
    app.dispatch(
        wire.bolt_request(
            wire.action_body(ACTION_ENRICH_SHARE, share["value"], fake.response_url("s")),
            wire.FORM,
        )
    )
    assert fake.wait_for(lambda: fake.posted(wire.CHANNEL))
    (posted,) = fake.posted(wire.CHANNEL)
    check_message(posted, allowed_mentions=("<@U0ALICE>",))
    assert "Shared by <@U0ALICE>" in " ".join(block_texts(posted))
    assert not buttons(posted, ACTION_ENRICH_SHARE)


def test_enrich_alone_opens_the_form(world):
    app, fake, _ = world
    command(app, fake, "enrich")
    assert fake.wait_for(lambda: fake.api("views.open"))
    call = fake.api("views.open")[0]
    view = json.loads(call["view"]) if isinstance(call["view"], str) else call["view"]
    check_view(view)
    assert view["callback_id"] == VIEW_ENRICH and view["private_metadata"] == wire.CHANNEL
    assert call["trigger_id"] == "1.2.3"


def form(genes="", background="", overlap=""):
    def field(ids, value):
        return {ids[0]: {ids[1]: {"type": "plain_text_input", "value": value or None}}}

    return {
        **field(ENRICH_GENES, genes),
        **field(ENRICH_BACKGROUND, background),
        **field(ENRICH_MIN_OVERLAP, overlap),
    }


def submit(app, values, channel=wire.CHANNEL):
    body = json.loads(
        __import__("urllib.parse").parse.parse_qs(wire.view_submission_body(VIEW_ENRICH, values))[
            "payload"
        ][0]
    )
    body["view"]["private_metadata"] = channel
    from urllib.parse import urlencode

    response = app.dispatch(wire.bolt_request(urlencode({"payload": json.dumps(body)}), wire.FORM))
    assert response.status == 200
    return json.loads(response.body) if response.body else {}


@pytest.mark.parametrize(
    "values, field, says",
    [
        (form(), ENRICH_GENES[0], "Paste at least one gene"),
        (form("qqq zzz hello"), ENRICH_GENES[0], "none of the names could be read"),
        (form("TP53 MDM2", overlap="abc"), ENRICH_MIN_OVERLAP[0], "whole number"),
        (form("TP53 MDM2", overlap="0"), ENRICH_MIN_OVERLAP[0], "whole number"),
        (form("TP53 MDM2", background="qqq"), ENRICH_BACKGROUND[0], "background"),
        (form("TP53 MDM2", background="KRAS EGFR ALB"), ENRICH_BACKGROUND[0], "none of the list"),
        (form("😀 <!channel> \x00 " * 50), ENRICH_GENES[0], "none of the names"),
    ],
)
def test_a_bad_form_shows_errors_on_its_fields(world, values, field, says):
    app, fake, _ = world
    answer = submit(app, values)
    assert answer["response_action"] == "errors"
    assert says in answer["errors"][field]
    assert not fake.api("chat.postEphemeral")


def test_a_good_form_closes_and_answers_in_the_channel(world):
    app, fake, _ = world
    assert submit(app, form(P53.replace(" ", "\n"), overlap="2")) == {}
    assert fake.wait_for(lambda: fake.api("chat.postEphemeral"))
    call = fake.api("chat.postEphemeral")[0]
    assert call["channel"] == wire.CHANNEL and call["user"] == wire.USER
    blocks = json.loads(call["blocks"]) if isinstance(call["blocks"], str) else call["blocks"]
    check_message({"text": call["text"], "blocks": blocks})


def test_a_mention_enriches_in_its_thread(world):
    app, fake, _ = world
    body = wire.mention_body("EvEnrich1", f"<@U0BOT> enrich {P53}")
    app.dispatch(wire.bolt_request(body, wire.JSON))
    assert fake.wait_for(lambda: fake.posted(wire.CHANNEL))
    (reply,) = fake.posted(wire.CHANNEL)
    check_message(reply)
    assert reply["thread_ts"] == "1700000000.000100"
    assert reply["blocks"][0]["text"]["text"].startswith("10 genes → 10 recognised")


@pytest.mark.parametrize(
    "text, says",
    [
        ("enrich qqq zzz", "none of the names could be read as a human gene"),
        ("enrich " + " ".join(f"G{i}" for i in range(20_000))[:3900], "names is more than"),
        ("enrich NF-kB", "none of the names could be read"),
    ],
)
def test_lists_that_cannot_be_tested_get_one_line(world, text, says):
    app, fake, _ = world
    if "names is more than" in says:  # a slash command holds 4,000 characters: use the store
        with pytest.raises(EnrichError, match=says):
            world[2].enrich(" ".join(f"G{i}" for i in range(20_000)))
        return
    command(app, fake, text)
    assert fake.wait_for(lambda: fake.responses("e"))
    (reply,) = fake.responses("e")
    assert says in reply["text"] and len(reply["blocks"]) == 1


def test_excel_dates_are_recognised_and_said(world):
    store = world[2]
    result = store.enrich("TP53 MDM2 7-Sep 1-Mar CDKN1A")
    assert ("7-Sep", "SEPTIN7") in result.report.excel
    assert ("1-Mar", "MARCHF1") in result.report.excel
    assert any("Excel had turned these genes into dates" in line for line in result.input_lines())


def test_a_list_with_no_significant_figure_shows_nominal_hits_labelled(world):
    app, fake, store = world
    result = store.enrich("KRAS ALB")
    assert result.significant == 0 and result.results
    command(app, fake, "enrich KRAS ALB")
    assert fake.wait_for(lambda: fake.responses("e"))
    (reply,) = fake.responses("e")
    text = " ".join(block_texts(reply))
    assert "No figure is enriched at q < 0.05" in text and "p = " in text
    assert "no figure at q < 0.05" in html.unescape(reply["blocks"][0]["text"]["text"])


def test_the_cli_prints_tsv_and_json_and_gmt(tmp_path, world):
    from click.testing import CliRunner

    db = str(world[2].path)
    runner = CliRunner()
    genes = tmp_path / "genes.txt"
    genes.write_text(P53.replace(" ", "\n"))
    tsv = runner.invoke(cli, ["--db", db, "enrich", "--tsv", "--limit", "3", str(genes)])
    assert tsv.exit_code == 0, tsv.output
    rows = tsv.stdout.strip().splitlines()
    assert rows[0].startswith("figid\ttitle\tyear\toverlap") and len(rows) == 4
    as_json = json.loads(runner.invoke(cli, ["--db", db, "enrich", "--json", str(genes)]).stdout)
    assert as_json["universe"]["size"] == 3432 and as_json["figures"][0]["q"] < 0.05
    gmt = runner.invoke(cli, ["--db", db, "export-gmt", "--organism", "human"])
    lines = gmt.stdout.strip().splitlines()
    assert lines and all(len(line.split("\t")) >= 2 + 3 for line in lines)
    exact = runner.invoke(cli, ["--db", db, "export-gmt", "--exact-only"]).stdout.splitlines()
    assert 0 < len(exact) <= len(runner.invoke(cli, ["--db", db, "export-gmt"]).stdout.splitlines())
    empty = runner.invoke(cli, ["--db", db, "enrich", "-"], input="")
    assert empty.exit_code == 1 and "the list is empty" in empty.output


def test_a_signature_subscription_gets_new_enriched_figures_in_the_digest(tmp_path):
    store = Store(tmp_path / "sig.db")
    folder = tmp_path / "records"
    others = ["KRAS", "EGFR", "ALB", "INS", "GCG", "MYC", "JUN", "FOS", "SRC", "ABL1", "CDK1"]
    for n in range(40):  # a library to test against, none of it about the signature
        genes = [others[(n + i) % len(others)] for i in range(4)]
        write(folder, f"old{n}.md", record(f"PMC7{n}__f1", f"Old figure {n}", genes))
    store.ingest([folder])
    subs, problems = store.understand_subscription("C1", f"signature p53 {P53}")
    assert not problems and subs[0].label == "signature p53 (10 genes)"
    store.subscribe(subs, "U0ALICE")
    assert store.subscriptions("C1").subscriptions[0].symbols[:2] == ("TP53", "MDM2")
    write(folder, "new1.md", record("PMC91__f1", "p53 targets", ["TP53", "MDM2", "BAX", "FAS"]))
    write(folder, "new2.md", record("PMC92__f1", "Unrelated", ["KRAS", "EGFR", "ALB", "TP53"]))
    store.ingest([folder])
    (plan,) = store.digest_plans("C1")
    titles = [hit.title for hit in store.plan_page(plan, 10).figures]
    assert titles == ["p53 targets"]  # enriched; the one-gene overlap is not
    assert store.unsubscribe("C1", "signature p53") == ["signature p53 (10 genes)"]
    assert not store.subscriptions("C1").subscriptions


@pytest.mark.parametrize(
    "text, says",
    [
        ("signature", "not a gene"),
        ("signature p53 TP53", "needs at least 3 recognised genes"),
        ("signature <!here> TP53 MDM2 BAX", "cannot name a signature"),
    ],
)
def test_bad_signatures_say_why(world, text, says):
    subs, problems = world[2].understand_subscription("C1", text)
    assert not subs and says in problems[0]


def test_decode_enrich_refuses_what_we_did_not_write():
    from handlers.views.state import BadState, EnrichView

    view = EnrichView("abc", 5)
    assert decode_enrich(view.encode()) == view
    with pytest.raises(BadState):
        decode_enrich('{"e": "k", "o": -1, "s": "preview"}')
    assert numbered(ACTION_ENRICH_PAGE, 1) == "pathway_enrich_page:1"
