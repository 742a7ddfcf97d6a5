"""Every kind of message, validated by slack_sdk's Block Kit models and our own limits."""

import pytest

from handlers.views import blocks as bk
from handlers.views import render
from handlers.views.cards import gene_line, genes_message
from handlers.views.render_digest import (
    digest_message,
    digest_page_message,
    invite_message,
    notes_message,
    subscribed_message,
    subscriptions_message,
)
from handlers.views.state import PREVIEW, SHARED, THREAD, View, decode_view
from store.links import DEFAULT_IMAGE_URL_TEMPLATE
from store.models import (
    KIND_GENE,
    Answer,
    ChannelState,
    DigestPage,
    FigureHit,
    Mode,
    Resolution,
    Stats,
    Subscription,
)
from testkit.blockkit import block_texts, check_message, has_text

T = DEFAULT_IMAGE_URL_TEMPLATE
QUERIES = {
    "hits": "KRAS",
    "two genes": "KRAS EGFR",
    "family": "NF-kB",
    "ambiguous": "CDC2",
    "typo": "KRSA",
    "figure": "figure PMC4111689",
    "paper": "PMC4111689",
    "search": "search integrin resistance",
    "none": "xyzzy plover",
    "hostile": "<!channel> <@U123> & <https://evil.example|click>",
    "hostile search": 'search "<!here>" NEAR(* -',
    "genes and words": "KRAS in <!channel> cancer",
    "not a gene": "NO",
    "mouse": "Trp53",
    "shared name": "p62",
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from store import Store, seed_record

    store = Store(tmp_path_factory.mktemp("render") / "seed.db")
    store.ingest([seed_record()])
    yield store
    store.close()


def hit(
    figid="PMC1__f1.jpg",
    genes=("KRAS",),
    matched=("KRAS",),
    caption="A caption.",
    title="A pathway",
    **extra,
) -> FigureHit:
    fields = dict(
        figid=figid,
        title=title,
        year=2020,
        pmcid="PMC1",
        paper_title="A paper",
        reftext="Doe J, et al. J Biol. 2020",
        caption=caption,
        doi="10.1/x",
        filename="f1.jpg",
        gene_count=len(genes),
        genes=tuple(genes),
        matched=tuple(matched),
        words={},
    )
    fields.update(extra)
    return FigureHit(**fields)


def gene_answer(hits, total=None, query="KRAS") -> Answer:
    resolution = Resolution(query, KIND_GENE, ("KRAS",), label="KRAS")
    return Answer(
        query,
        Mode.GENES,
        (resolution,),
        total=total or len(hits),
        limit=5,
        figures=tuple(hits),
        message="KRAS",
    )


@pytest.mark.parametrize("surface", [PREVIEW, THREAD, SHARED])
@pytest.mark.parametrize("kind", sorted(QUERIES))
def test_every_answer_kind_is_valid_block_kit(seeded, kind, surface):
    answer = seeded.ask(QUERIES[kind], limit=5)
    message = render.answer_message(answer, View(answer.query, 0, surface), T, "U0ALICE")
    check_message(message, allowed_mentions=("<@U0ALICE>",) if surface == SHARED else ())
    assert message["blocks"][0]["type"] == "header"


def test_headline_says_what_was_understood(seeded):
    assert render.headline(seeded.ask("KRAS")) == "KRAS · 1 figure"
    assert render.headline(seeded.ask("NF-kB")) == "NF-κB family (5 genes) · 1 figure"
    assert render.headline(seeded.ask("KRAS EGFR")) == "1 figure shows KRAS and EGFR"


def test_typo_and_ambiguity_offer_buttons_that_run_the_other_lookup(seeded):
    typo = render.answer_message(seeded.ask("KRSA"), View("KRSA"), T)
    assert has_text(typo, "looks like a typo: showing *KRAS*", "context")
    ambiguous = render.answer_message(seeded.ask("CDC2"), View("CDC2"), T)
    values = [
        decode_view(e["value"]).query
        for b in ambiguous["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("pathway_choose")
    ]
    assert values[0] == "POLD1"  # the other reading, then what to try: no figure shows CDK1
    assert values[1:] == ["search CDC2"]
    family = render.answer_message(seeded.ask("NF-kB"), View("NF-kB"), T)
    labels = [
        e["text"]["text"] for b in family["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert {"only NFKB1", "only RELA"} <= set(labels)


def test_pager_buttons_depend_on_position_and_surface():
    page = [hit(figid=f"PMC1__f{i}.jpg") for i in range(5)]
    first = render.answer_message(gene_answer(page, total=12), View("KRAS"), T)
    buttons = [
        e["action_id"] for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == [*(f"pathway_show:{n}" for n in range(1, 5)), "pathway_next"] + [
        "pathway_share",
        "pathway_cancel",
    ]
    assert block_texts(first, "context")[-1] == "Figures 1–5 of 12"
    later = Answer(
        "KRAS",
        Mode.GENES,
        gene_answer(page).genes,
        total=12,
        offset=10,
        limit=5,
        figures=tuple(page[:2]),
    )
    thread = render.answer_message(later, View("KRAS", 10, THREAD), T)
    buttons = [
        e["action_id"] for b in thread["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["pathway_show:1", "pathway_prev"]
    assert decode_view(thread["blocks"][-1]["elements"][0]["value"]) == View("KRAS", 5, THREAD)


def test_long_captions_are_cut_at_a_word_boundary():
    caption = "word " * 2000
    message = render.answer_message(gene_answer([hit(caption=caption)] * 5), View("KRAS"), T)
    check_message(message)
    section = message["blocks"][1]["text"]["text"]
    caption = section.split("\n")[1]
    assert caption.endswith("word…") and len(section) < 600


def test_huge_records_still_fit_by_shrinking_captions_then_cards():
    big = hit(
        title="T" * 5000,
        caption="c " * 5000,
        paper_title="P" * 5000,
        genes=[f"G{i}" for i in range(300)],
        matched=[f"G{i}" for i in range(40)],
        reftext="R" * 5000,
    )
    message = render.answer_message(gene_answer([big] * 5, total=50), View("KRAS"), T)
    check_message(message)
    assert block_texts(message, "context")[-1].startswith("Figures 1–")


def test_three_hundred_gene_figure_lists_every_gene_when_asked():
    genes = [f"GENE{i}" for i in range(300)]
    figure = hit(genes=genes, matched=("GENE7",), words={"GENE7": ("Gene-7",)})
    assert gene_line(figure).startswith("Genes: *GENE7* (seen as “Gene-7”), +299 more genes")
    message = genes_message(figure, ("GENE7",))
    check_message(message)
    listed = " ".join(b["text"]["text"] for b in message["blocks"][1:])
    assert listed.startswith("*GENE7*") and all(g in listed for g in genes)


def test_record_text_is_escaped_everywhere():
    evil = hit(
        title="<!channel> T&C",
        caption="<@U999> <!here>",
        paper_title="<#C1>",
        reftext="a > b",
        words={"KRAS": ("<!everyone>",)},
    )
    message = render.answer_message(gene_answer([evil]), View("<!channel>"), T)
    check_message(message)
    assert has_text(message, "&lt;!channel&gt; T&amp;C", "section")


@pytest.mark.parametrize(
    "message",
    [
        render.help_message(),
        render.stats_message(
            Stats(
                100_000,
                20_000,
                4_000_000,
                60_000,
                {
                    "started": "2026-11-24T01:00:00Z",
                    "finished": None,
                    "ingested": 12,
                    "unchanged": 3,
                    "failed": 1,
                },
                tuple((f"G{i}", 1000 - i) for i in range(100)),
            )
        ),
        render.stats_message(Stats(0, 0, 0, 0, None, ())),
        render.error_message("abc12345"),
        render.notice_message("<!channel> nothing here"),
    ],
    ids=["help", "stats", "empty stats", "error", "notice"],
)
def test_fixed_messages_are_valid(message):
    check_message(message)


SUBS = (
    Subscription(
        "C1",
        "gene",
        "KRAS",
        "KRAS",
        ("KRAS",),
        created="2026-11-20T08:00:00Z",
        created_by="U0ALICE",
        note="“KRSA” read as KRAS (typo corrected)",
    ),
    Subscription(
        "C1",
        "search",
        "x",
        "search “<!channel>”",
        search="<!channel>",
        created="2026-11-21T08:00:00Z",
    ),
)


def digest_page(total, shown, offset=0, digest_id=7):
    hits = tuple(
        hit(
            figid=f"PMC{i}__f",
            caption="word " * 500,
            genes=[f"G{j}" for j in range(300)],
            matched=("G1",),
        )
        for i in range(shown)
    )
    return DigestPage(
        digest_id,
        "C1",
        ("KRAS", "search “<!channel>”"),
        total,
        offset,
        5,
        hits,
        tuple(("KRAS",) for _ in hits),
        "2026-11-24T08:00:00Z",
    )


@pytest.mark.parametrize(
    "message",
    [
        digest_message(digest_page(7, 5), T, "Europe/London"),
        digest_message(digest_page(1, 1), T, "UTC"),
        digest_message(digest_page(0, 0), T, "UTC"),
        digest_page_message(digest_page(7, 2, offset=5), T, "UTC"),
        digest_page_message(digest_page(0, 0, digest_id=0), T, "UTC", "Nothing new"),
        subscribed_message("U0ALICE", list(SUBS), "08:00", "Europe/London"),
        subscriptions_message(ChannelState("C1", SUBS, "2026-11-24T08:00:00Z"), "UTC"),
        subscriptions_message(
            ChannelState("C1", SUBS, None, "channel_not_found", "2026-11-24T08:00:00Z"), "UTC"
        ),
        subscriptions_message(ChannelState("C1", ()), "UTC"),
        invite_message("KRAS <!here>"),
        notes_message(["“<!channel>” is not a gene", "second line"]),
    ],
    ids=[
        "digest",
        "digest one",
        "digest empty",
        "digest page",
        "preview empty",
        "subscribed",
        "subscriptions",
        "paused",
        "no subscriptions",
        "invite",
        "notes",
    ],
)
def test_digest_and_subscription_messages_are_valid(message):
    check_message(message, allowed_mentions=("<@U0ALICE>",))


def test_digest_header_and_see_all():
    message = digest_message(digest_page(7, 5), T, "Europe/London")
    assert message["blocks"][0]["text"]["text"] == "7 new pathway figures for KRAS · 24 Nov 2026"
    see_all = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert see_all[-1]["text"]["text"] == "See all 7"


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("short", 10, "short"),
        ("hello wonderful world", 16, "hello wonderful…"),
        ("a " * 10, 5, "a a…"),
        ("x" * 20, 10, "xxxxxxxxx…"),
    ],
)
def test_clip(text, limit, expected):
    assert bk.clip(text, limit) == expected
    assert len(bk.clip(text, limit)) <= limit


@pytest.mark.parametrize("text", ["<<<<<<<<<<", "&&&&&&&&", "a<b&c>d" * 5])
def test_safe_clip_never_splits_an_entity(text):
    clipped = bk.safe_clip(text, 9)
    assert len(clipped) <= 9
    assert "<" not in clipped and not clipped.rstrip("…").endswith(("&", "&l", "&lt", "&a", "&am"))


def test_links_cannot_be_broken_by_urls_or_labels():
    assert bk.link("https://x.org/a|b>c", "<b>") == "<https://x.org/a%7Cb%3Ec|&lt;b&gt;>"


def test_button_values_round_trip_within_slack_limits():
    view = View("é" * 2000, 15, THREAD)
    encoded = view.encode()
    assert len(encoded) <= bk.MAX_BUTTON_VALUE
    assert decode_view(encoded) == View("é" * 500, 15, THREAD)


@pytest.mark.parametrize(
    "names, total, complete, expected",
    [
        (("TP53", "MDM2"), 16, 2, "2 figures show TP53 and MDM2 · 14 show one of them"),
        (("TP53", "MDM2"), 6, 0, "No figure shows both TP53 and MDM2 · 6 show one of them"),
        (("TP53", "MDM2"), 3, 3, "3 figures show TP53 and MDM2"),
        (("ITGB3", "RALB"), 1, 0, "No figure shows both ITGB3 and RALB · 1 shows one of them"),
        (("A", "B", "C"), 9, 1, "1 figure shows A, B and C · 8 show some of them"),
        (("A", "B", "C"), 4, 0, "No figure shows all of A, B and C · 4 show some of them"),
    ],
)
def test_several_genes_are_told_honestly(names, total, complete, expected):
    genes = tuple(Resolution(n, KIND_GENE, (n,), label=n) for n in names)
    answer = Answer(" ".join(names), Mode.GENES, genes, total=total, complete=complete)
    assert answer.coverage() == expected
    assert render.headline(answer) == expected


def test_words_of_a_mixed_query_are_in_the_header_and_explained(seeded):
    answer = seeded.ask("KRAS in lung cancer")
    message = render.answer_message(answer, View(answer.query, 0, PREVIEW), T)
    check_message(message)
    header = message["blocks"][0]["text"]["text"]
    assert header.startswith("KRAS · ") and "“lung cancer”" in header
    assert has_text(message, "not read as genes")


def test_a_non_gene_says_so_and_how_to_ask_for_the_gene(seeded):
    answer = seeded.ask("Mg2+")
    message = render.answer_message(answer, View(answer.query, 0, PREVIEW), T)
    check_message(message)
    assert has_text(message, "magnesium ion: not read as a gene")
    assert has_text(message, "`gene Mg2+`")


def test_a_card_says_when_only_a_synonym_matched():
    weak = hit(matched=("MAPK1",), genes=("MAPK1",), words={"MAPK1": ("ERK",)})
    weak = FigureHit(**{**weak.__dict__, "evidence": {"MAPK1": "synonym"}})
    assert "(seen as “ERK”, only by a synonym)" in gene_line(weak)
    fly = FigureHit(**{**weak.__dict__, "words": {}, "evidence": {"MAPK1": "another species"}})
    assert "*MAPK1* (only by another species)" in gene_line(fly)
