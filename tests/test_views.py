"""Every modal, Home tab and unfurl view, built from hostile records: valid for slack_sdk's
View model, within the view limits, escaped. A new view function fails the last test
until it is added here."""

import inspect

import pytest

from handlers.views import surfaces
from handlers.views.render import short_help_message
from store.models import KIND_GENE, Answer, ChannelState, CorpusInfo, FigureHit, Mode, Resolution
from store.models import Subscription as Sub
from testkit.blockkit import check_message, check_view

T = "https://europepmc.org/articles/{pmcid}/bin/{filename}"
HOSTILE = "<!channel> & <@U1> <https://evil.example|click>"


def figure(n: int = 0, genes: int = 3000) -> FigureHit:
    symbols = tuple(f"G{i}<!here>" for i in range(genes))
    return FigureHit(
        figid=f"PMC{n}__f.jpg",
        title=HOSTILE * 30,
        year=2020,
        pmcid=f"PMC{n}",
        paper_title=HOSTILE * 30,
        reftext=HOSTILE,
        caption=HOSTILE * 300,
        doi="10.1/<x>",
        filename="f.jpg",
        gene_count=len(symbols),
        genes=symbols,
        matched=symbols[:40],
        words={s: (HOSTILE,) for s in symbols[:40]},
        organisms=(HOSTILE,),
        species={s: HOSTILE for s in symbols[100:200]},
    )


def answer(count: int = 10) -> Answer:
    return Answer(
        HOSTILE,
        Mode.GENES,
        (Resolution(HOSTILE, KIND_GENE, ("KRAS",), label="KRAS"),),
        total=500,
        limit=count,
        figures=tuple(figure(n, 50) for n in range(count)),
        message=HOSTILE,
    )


STATES = [
    ChannelState(f"C0{n}", tuple(Sub(f"C0{n}", "gene", "K", HOSTILE) for _ in range(30)))
    for n in range(40)
] + [ChannelState("C0PAUSED", (Sub("C0PAUSED", "gene", "K", "KRAS"),), None, HOSTILE, "2026")]
CORPUS = CorpusInfo(80_000, HOSTILE, "<!here>" * 20, "2026-11-27T06:00:00+00:00")

VIEWS = {
    "figure_modal": lambda: surfaces.figure_modal(figure(), T),
    "missing_figure_modal": surfaces.missing_figure_modal,
    "search_modal": lambda: surfaces.search_modal(HOSTILE * 100, answer(), T),
    "home_view": lambda: surfaces.home_view(
        CORPUS, STATES, [figure(n) for n in range(9)], T, "UTC"
    ),
}
CHANNELS = tuple(f"<#{state.channel}>" for state in STATES)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_every_view_is_valid_and_escaped(name):
    check_view(VIEWS[name](), allowed_mentions=CHANNELS)


def test_an_empty_search_modal_is_valid():
    check_view(surfaces.search_modal())


def test_unfurls_and_short_help_are_valid_messages():
    check_message({"text": "unfurl", **surfaces.unfurl(figure(), T)})
    check_message(short_help_message())


def test_every_surface_view_function_is_tested_here():
    public = {
        name
        for name, value in inspect.getmembers(surfaces, inspect.isfunction)
        if value.__module__ == surfaces.__name__ and not name.startswith("_")
    }
    assert public <= set(VIEWS) | {"unfurl"}, public - set(VIEWS)


def hostile_enrichment(count: int = 30, nominal: bool = False):
    from store.enrich import EnrichedFigure, Enrichment, ListReport

    report = ListReport(
        recognised=(HOSTILE,) * 20,
        mapped=((HOSTILE, "TP53", HOSTILE),) * 20,
        unrecognised=((HOSTILE, HOSTILE),) * 20,
        left_out=((HOSTILE, HOSTILE),) * 20,
        duplicates=(HOSTILE,) * 20,
        excel=(("7-Sep", "SEPTIN7"),),
        genes=tuple(f"G{i}<!here>" for i in range(60)),
    )
    results = tuple(
        EnrichedFigure(
            n,
            tuple(f"G{i}<!here>" for i in range(60)),
            300,
            1e-300,
            0.5 if nominal else 1e-290,
            float("inf"),
            -300.0,
        )
        for n in range(count)
    )
    return Enrichment(
        report, 13402, HOSTILE, 60, (HOSTILE,) * 30, 80000, results, 0 if nominal else count, 1
    )


@pytest.mark.parametrize("nominal", [False, True])
def test_enrichment_messages_are_valid_and_escaped(nominal):
    from handlers.views.enrich import enrich_message, table_message
    from handlers.views.state import SHARED, EnrichView

    enrichment = hostile_enrichment(nominal=nominal)
    hits = {n: figure(n, 50) for n in range(30)}
    for surface in ("preview", "thread", SHARED):
        message = enrich_message(enrichment, hits, EnrichView("k", 0, surface), 10, T, "U0ALICE")
        check_message(message, allowed_mentions=("<@U0ALICE>",))
        assert sum(b["type"] == "image" for b in message["blocks"]) <= 1
    check_message(table_message(enrichment, {n: HOSTILE for n in range(30)}))


def test_the_enrich_form_is_a_valid_view():
    from handlers.views.enrich import enrich_modal

    check_view(enrich_modal("C0LAB", {"enrich_genes": HOSTILE * 200}))
