"""Compact answers and the dead ends around them, over the bundled starter corpus (no
../shared needed): the preview budget, rows, the way back, next steps, gene lines."""

import pytest

from handlers.ids import ACTION_BACK, ACTION_CHOOSE, ACTION_SHOW
from handlers.views import render
from handlers.views.cards import citation, gene_line, genes_message
from handlers.views.render_digest import digest_message
from handlers.views.state import PREVIEW, SHARED, THREAD, View, decode_view
from store import Store
from store.links import DEFAULT_IMAGE_URL_TEMPLATE
from store.models import DigestPage, FigureHit
from store.wording import plural
from testkit.blockkit import block_texts, check_message, estimated_height, has_text

T = DEFAULT_IMAGE_URL_TEMPLATE
PREVIEW_PX = 1_450  # the guide: 5 results in "about 1,400 px" at 900 px wide
FLY_FIGURE = "PMC100003__mb2410470011"  # fly Galphaq, Src42A, Src64B beside human CSK


@pytest.fixture(scope="module")
def starter(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("starter") / "starter.db")
    store.ensure_seeded()
    yield store
    store.close()


def images(message: dict) -> int:
    return sum(block["type"] == "image" for block in message["blocks"])


def buttons(message: dict, prefix: str = "") -> list[dict]:
    return [
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith(prefix)
    ]


def hit(**extra) -> FigureHit:
    fields = dict(
        figid="PMC1__f1.jpg",
        title="A pathway",
        year=2020,
        pmcid="PMC1",
        paper_title="A paper",
        reftext="Doe J, et al. J Biol. 2020;3(1):1-2.",
        caption="A caption.",
        doi=None,
        filename="f1.jpg",
        gene_count=3,
        genes=("NFKB1", "NFKB2", "RELA"),
        matched=("NFKB1", "NFKB2", "RELA"),
    )
    fields.update(extra)
    return FigureHit(**fields)


@pytest.mark.parametrize(
    "query", ["KRAS", "TP53", "NF-kB", "KRAS EGFR", "search signaling", "MAPK1 since:2010"]
)
def test_a_preview_of_five_fits_one_screen_with_one_image(starter, query):
    answer = starter.ask(query, limit=5)
    assert len(answer.figures) == 5, query
    message = render.answer_message(answer, View(query), T, corpus=starter.corpus_info())
    check_message(message)
    assert images(message) == 1  # the top hit's; the others are thumbnails
    assert estimated_height(message) <= PREVIEW_PX, estimated_height(message)
    # every other figure is a compact row with a thumbnail and a Show figure button
    assert len(buttons(message, ACTION_SHOW)) == 4
    rows = [b for b in message["blocks"] if (b.get("accessory") or {}).get("type") == "image"]
    assert len(rows) == 4
    # the pager, Share and Cancel come right after the rows
    assert [e["text"]["text"] for e in buttons(message)][-3:] == [
        "Next ▶",
        "Share to channel",
        "Cancel",
    ]


def test_the_old_full_cards_would_not_have_fit(starter):
    """The budget above fails on five full cards (the previous layout): it measures."""
    from handlers.views.cards import figure_card
    from testkit.blockkit import estimated_height as height

    answer = starter.ask("KRAS", limit=5)
    blocks = [b for h in answer.figures for b in figure_card(h, 0, T) if b]
    assert height({"blocks": blocks}) > PREVIEW_PX


def test_ten_results_fit_as_compact_rows(starter):
    answer = starter.ask("KRAS", limit=10)
    message = render.answer_message(answer, View("KRAS"), T)
    check_message(message)
    shown = [t for t in block_texts(message) if "pfocr.wikipathways.org/figures/" in t]
    assert len(shown) == 10 and images(message) == 1


def test_shared_answers_are_rows_only_and_credited(starter):
    answer = starter.ask("KRAS", limit=5)
    message = render.answer_message(answer, View("KRAS", 0, SHARED), T, "U0ALICE")
    check_message(message, allowed_mentions=("<@U0ALICE>",))
    assert images(message) == 0
    assert has_text(message, "Shared by <@U0ALICE>", "context")
    assert not buttons(message, "pathway_share") and not buttons(message, "pathway_cancel")


def test_digests_are_compact(starter):
    figures = tuple(starter.ask("KRAS", limit=5).figures)
    page = DigestPage(1, "C1", ("KRAS",), 12, 0, 5, figures, (("KRAS",),) * 5, "2026-11-24")
    message = digest_message(page, T, "UTC")
    check_message(message)
    assert images(message) == 0 and estimated_height(message) <= PREVIEW_PX


def test_picking_an_alternative_keeps_a_way_back(starter):
    first = render.answer_message(starter.ask("KRSA"), View("KRSA"), T)
    choice = next(b for b in buttons(first, ACTION_CHOOSE) if b["text"]["text"] == "ARSA")
    picked = decode_view(choice["value"])
    assert picked.query == "ARSA" and picked.back == "KRSA"
    second = render.answer_message(starter.ask(picked.query), picked, T)
    check_message(second)
    (back,) = buttons(second, ACTION_BACK)
    assert "KRSA" in back["text"]["text"] and decode_view(back["value"]) == View("KRSA")
    # Paging the alternative keeps the way back too.
    assert picked.at(5).back == "KRSA"


@pytest.mark.parametrize(
    "query, offered",
    [
        ("KRAS organism:worm", "Without the filters"),  # no worm figure shows KRAS
        ('KRAS type:"graphical abstract"', "Without the filters"),
        ("ZNF804B", "Search the text for “ZNF804B”"),  # a real gene no figure shows
        ("xyzzy plover", "/pathway help"),  # nothing matched at all: the usage
        ("search qqqxv zzkqw", "/pathway help"),
    ],
)
def test_an_empty_answer_always_offers_a_next_step(starter, query, offered):
    answer = starter.ask(query, limit=5)
    assert not answer.figures
    message = render.answer_message(answer, View(query, 0, THREAD), T)
    check_message(message)
    labels = [e["text"]["text"] for e in buttons(message)]
    assert offered in labels or has_text(message, offered), (labels, block_texts(message))


def test_without_the_filters_runs_the_query_without_them(starter):
    answer = starter.ask("KRAS organism:worm")
    message = render.answer_message(answer, View(answer.query), T)
    button = next(b for b in buttons(message) if b["text"]["text"] == "Without the filters")
    assert decode_view(button["value"]).query == "KRAS"
    assert starter.ask(decode_view(button["value"]).query).total > 0


def test_family_members_seen_as_one_word_share_one_note():
    seen = hit(words={"NFKB1": ("NFKB",), "NFKB2": ("NFKB",), "RELA": ("p65",)})
    line = gene_line(seen)
    assert line == "Genes: *NFKB1*, *NFKB2* (seen as “NFKB”), *RELA* (seen as “p65”)"
    assert line.count("NFKB”") == 1


@pytest.mark.parametrize(
    "reftext, year, expected",
    [
        (
            "Yang Liu, et al. Evid Based Complement Alternat Med. 2023;2023(NA).",
            2023,
            "Yang Liu, et al. Evid Based Complement Alternat Med. 2023;2023.",
        ),
        (
            "Laetitia Seguin, et al. Cell Cycle. 2014 Jul 1;13(13):2017-2018.",
            2014,
            "Laetitia Seguin, et al. Cell Cycle. 2014 Jul 1;13(13):2017-2018.",
        ),
        (
            "Jiwei Liu, et al. Research (Wash D C). 2024 Apr 25;7(NA).",
            2024,
            "Jiwei Liu, et al. Research (Wash D C). 2024 Apr 25;7.",
        ),
        ("Doe J. J Biol.", 2001, "Doe J. J Biol. 2001"),
        (None, 2001, "2001"),
        (None, None, ""),
    ],
)
def test_citations_say_the_year_once_and_never_na(reftext, year, expected):
    assert citation(hit(reftext=reftext, year=year)) == expected


def test_a_paper_line_has_its_year_once(starter):
    (figure,) = [h for h in starter.ask("figure PMC10232107").figures][:1]
    message = render.answer_message(starter.ask("figure PMC10232107"), View("x"), T)
    papers = [t for t in block_texts(message, "context") if "Evid Based" in t]
    # '2023;2023.' is the journal's year and volume; the year is not added a third time
    assert papers and "(NA)" not in papers[0] and f" · {figure.year} · " not in papers[0]


def test_other_species_keep_their_case_and_say_their_organism(starter):
    figure = starter.figure(FLY_FIGURE)
    assert "Galphaq" in figure.genes and "GALPHAQ" not in figure.genes
    assert figure.species["Galphaq"] == "Drosophila melanogaster"
    message = genes_message(figure, ())
    check_message(message)
    text = " ".join(block_texts(message))
    assert "_Drosophila melanogaster:_ Galphaq" in text and "Src42A" in text
    assert "GALPHAQ" not in text and "SRC42A" not in text


@pytest.mark.parametrize(
    "count, word, expected",
    [
        (1, "recent match", "1 recent match"),
        (20, "recent match", "20 recent matches"),
        (2, "figure", "2 figures"),
        (3, "box", "3 boxes"),
        (1_204, "gene", "1,204 genes"),
    ],
)
def test_plural(count, word, expected):
    assert plural(count, word) == expected


def test_a_starter_database_says_how_to_load_the_real_collection(starter):
    corpus = starter.corpus_info()
    assert corpus.starter and corpus.figures == 244
    message = render.answer_message(starter.ask("KRAS", limit=5), View("KRAS"), T, corpus=corpus)
    assert "`pathway-bot sync`" in block_texts(message, "context")[-1]
    synced = type(corpus)(figures=80_000, source="x", commit="abc", synced="2026-11-27T00:00")
    quiet = render.answer_message(starter.ask("KRAS", limit=5), View("KRAS"), T, corpus=synced)
    assert not has_text(quiet, "pathway-bot sync")


@pytest.mark.parametrize("surface", [PREVIEW, THREAD, SHARED])
def test_rows_escape_record_text(surface):
    hostile = hit(title="<!channel> & <@U1>", snippet=(("<!here>", True),), matched=("KRAS",))
    from store.models import KIND_GENE, Answer, Mode, Resolution

    answer = Answer(
        "KRAS",
        Mode.GENES,
        (Resolution("KRAS", KIND_GENE, ("KRAS",), label="KRAS"),),
        total=2,
        limit=5,
        figures=(hostile, hostile),
        message="KRAS",
    )
    message = render.answer_message(answer, View("KRAS", 0, surface), T)
    check_message(message)
