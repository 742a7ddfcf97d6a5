"""Enrichment statistics against scipy (a test-only dependency), the list reader, and the
whole test over small libraries whose answer is known."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import fisher_exact, hypergeom

from store.enrich import (
    EnrichError,
    benjamini_hochberg,
    enrich,
    excel_gene,
    hypergeom_log_sf,
    library_from_pairs,
    read_list,
    split_names,
)
from store.models import Resolution

# (a, set size K, list size n, universe N)
CASES = [
    (0, 10, 20, 1000),  # a = 0: p = 1
    (1, 10, 20, 1000),
    (3, 10, 20, 1000),
    (10, 10, 20, 1000),  # a = set size
    (20, 25, 20, 1000),  # a = list size
    (5, 300, 500, 13000),
    (12, 300, 500, 13000),
    (40, 300, 500, 13000),
    (1, 1, 1, 2),
    (3, 3, 3, 10),
    (3, 5, 8, 10),  # a at the lowest value the table allows: p = 1
    (5, 5, 10, 10),  # list = universe: X is the set size, always
    (150, 200, 300, 20000),  # p in the 1e-300 region
    (180, 200, 300, 20000),
    (250, 300, 3000, 20000),
    (60, 300, 3000, 20000),  # below the mode: p near 1
    (45, 300, 3000, 20000),
    (2, 40, 3000, 13402),
]


def scipy_p(a, K, n, N):
    """scipy's one-sided Fisher p from the 2x2 table, and the hypergeometric tail."""
    table = [[a, n - a], [K - a, N - n - K + a]]
    return fisher_exact(table, alternative="greater")[1], hypergeom.sf(a - 1, N, K, n)


@pytest.mark.parametrize("a, K, n, N", CASES)
def test_p_values_equal_scipy(a, K, n, N):
    ours = math.exp(hypergeom_log_sf(np.array([a]), np.array([K]), n, N)[0])
    fisher, tail = scipy_p(a, K, n, N)
    assert ours == pytest.approx(fisher, rel=1e-9, abs=0)
    assert ours == pytest.approx(tail, rel=1e-9, abs=0)


def test_tiny_p_values_are_exact_in_log_space():
    log_p = hypergeom_log_sf(np.array([190]), np.array([200]), 300, 20000)[0]
    assert log_p / math.log(10) < -300
    assert log_p == pytest.approx(hypergeom.logsf(189, 20000, 200, 300), rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_p_values_equal_scipy_on_any_table(data):
    N = data.draw(st.integers(2, 30000))
    K = data.draw(st.integers(1, min(N, 2000)))
    n = data.draw(st.integers(1, min(N, 3000)))
    low, high = max(0, n + K - N), min(K, n)
    a = data.draw(st.integers(low, high))
    ours = math.exp(hypergeom_log_sf(np.array([a]), np.array([K]), n, N)[0])
    expected = hypergeom.sf(a - 1, N, K, n)
    assert ours == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_vectorised_equals_one_at_a_time():
    a = np.array([c[0] for c in CASES[5:8]])
    K = np.array([c[1] for c in CASES[5:8]])
    together = hypergeom_log_sf(a, K, 500, 13000)
    alone = [hypergeom_log_sf(a[i : i + 1], K[i : i + 1], 500, 13000)[0] for i in range(3)]
    assert together.tolist() == pytest.approx(alone, rel=1e-12)


def test_benjamini_hochberg_by_hand():
    # m = 5. Sorted p: .001 .008 .039 .041 .9; p*m/rank: .005 .02 .065 .05125 .9;
    # the running minimum from the top: .005 .02 .05125 .05125 .9.
    p = np.array([0.039, 0.001, 0.9, 0.041, 0.008])
    assert benjamini_hochberg(p).tolist() == pytest.approx([0.05125, 0.005, 0.9, 0.05125, 0.02])
    assert benjamini_hochberg(np.array([0.5, 0.9])).max() <= 1.0


@pytest.mark.parametrize(
    "text, names",
    [
        ("TP53 MDM2", ["TP53", "MDM2"]),
        ("TP53,MDM2;CDKN1A\tBAX\nBBC3\r\n", ["TP53", "MDM2", "CDKN1A", "BAX", "BBC3"]),
        ('"TP53", "MDM2"', ["TP53", "MDM2"]),
        ("  ", []),
    ],
)
def test_lists_split_on_spreadsheet_separators(text, names):
    assert split_names(text) == names


@pytest.mark.parametrize(
    "typed, old",
    [
        ("7-Sep", "SEPT7"),
        ("Sep-7", "SEPT7"),
        ("1-Mar", "MARCH1"),
        ("11-Mar", "MARCH11"),
        ("1-Dec", "DEC1"),
        ("TP53", None),
        ("7-Jan", None),
        ("2-Sept", "SEPT2"),
    ],
)
def test_excel_dates_are_read_back_as_genes(typed, old):
    assert excel_gene(typed) == old


APPROVED = {"TP53", "MDM2", "CDKN1A", "BAX", "SEPTIN7", "MARCHF1", "KRAS", "ERBB2"}


def resolve(name):
    table = {
        "P53": Resolution("p53", "gene", ("TP53",), label="TP53", note="alias of TP53"),
        "HER2": Resolution("HER2", "gene", ("ERBB2",), label="ERBB2", note="alias of ERBB2"),
        "SEPT7": Resolution("SEPT7", "gene", ("SEPTIN7",), label="SEPTIN7", note="previous"),
        "MARCH1": Resolution("MARCH1", "gene", ("MARCHF1",), label="MARCHF1", note="previous"),
        "KRSA": Resolution("KRSA", "gene", ("KRAS",), label="KRAS", corrected=True),
        "NF-KB": Resolution("NF-kB", "family", ("NFKB1", "RELA"), label="NF-κB"),
        "CDC2": Resolution("CDC2", "ambiguous", ("CDK1", "POLD1"), label="CDK1"),
    }
    return table.get(name.upper())


def read(text):
    return read_list(
        split_names(text), lambda n: n.upper() if n.upper() in APPROVED else None, resolve
    )


def test_every_name_is_accounted_for():
    report = read("TP53 p53 mdm2 HER2 7-Sep 1-Mar KRSA NF-kB CDC2 hello TP53")
    assert report.genes == ("TP53", "MDM2", "ERBB2", "SEPTIN7", "MARCHF1")
    assert report.recognised == ("TP53", "mdm2")
    assert ("HER2", "ERBB2", "alias of ERBB2") in report.mapped
    assert report.excel == (("7-Sep", "SEPTIN7"), ("1-Mar", "MARCHF1"))
    assert report.unrecognised == (("KRSA", "KRAS"), ("hello", ""))  # no typo is guessed into it
    assert [name for name, _ in report.left_out] == ["NF-kB", "CDC2"]
    assert report.duplicates == ("p53", "TP53")
    assert report.typed == 11


def test_twenty_thousand_names_are_refused_in_one_line():
    with pytest.raises(EnrichError, match="20,000 names is more than"):
        read(" ".join(f"G{i}" for i in range(20_000)))


def library(sets: dict[int, list[str]], extra: int = 0):
    genes = {g for s in sets.values() for g in s} | {f"U{i}" for i in range(extra)}
    pairs = [(f, g) for f, s in sets.items() for g in s] + [(999, f"U{i}") for i in range(extra)]
    return library_from_pairs(pairs, frozenset(genes))


def test_the_whole_test_on_a_small_library_equals_scipy():
    sets = {1: ["A", "B", "C", "D"], 2: ["A", "E", "F"], 3: ["G", "H", "I"], 4: ["A", "B"]}
    lib = library(sets, extra=91)  # universe: 9 figure genes + 91 more = 100 genes
    assert lib.universe == 100 and lib.sets == 4  # figure 4 has 2 genes: not a set
    result = enrich(lib, read_list(["A", "B", "C", "E"], lambda n: n, lambda n: None))
    by_figure = {r.figure_id: r for r in result.results}
    assert set(by_figure) == {1, 2}  # figure 3 shares nothing, but still counts as a test
    assert result.tests == 5 - 1  # the 91-gene helper figure is a set too
    p1 = fisher_exact([[3, 1], [1, 95]], alternative="greater")[1]
    p2 = fisher_exact([[2, 2], [1, 95]], alternative="greater")[1]
    assert by_figure[1].p == pytest.approx(p1, rel=1e-9)
    assert by_figure[2].p == pytest.approx(p2, rel=1e-9)
    assert by_figure[1].overlap == ("A", "B", "C") and by_figure[1].set_size == 4
    assert by_figure[1].odds_ratio == pytest.approx(3 * 95 / (1 * 1))
    # BH over all four sets, the two with no overlap at p = 1 included
    q = benjamini_hochberg(np.array([p1, p2, 1.0, 1.0]))
    assert by_figure[1].q == pytest.approx(q[0]) and by_figure[2].q == pytest.approx(q[1])


def test_a_background_replaces_the_universe_and_intersects_everything():
    sets = {1: ["A", "B", "C", "D"], 2: ["A", "E", "F"]}
    lib = library(sets, extra=50)
    background = read_list(
        ["A", "B", "C", "E", "X1", "X2", "X3", "X4"], lambda n: n, lambda n: None
    )
    result = enrich(
        lib, read_list(["A", "B", "Z"], lambda n: n, lambda n: None), background=background
    )
    assert result.universe == 8 and result.list_size == 2 and result.outside == ("Z",)
    first = next(r for r in result.results if r.figure_id == 1)
    assert first.set_size == 3  # D is not in the background
    assert first.p == pytest.approx(fisher_exact([[2, 0], [1, 5]], alternative="greater")[1])


@pytest.mark.parametrize(
    "names, background, message",
    [
        ([], None, "the list is empty"),
        (["hello", "qqq"], None, "none of the names could be read as a human gene"),
        (["Z"], None, "none of the list's genes is in"),
        (["A", "B"], ["A", "B"], "as large as its universe"),
        (["A"], ["X1"], "none of the list's genes is in"),
    ],
)
def test_lists_that_cannot_be_tested_say_why(names, background, message):
    lib = library({1: ["A", "B", "C"]})

    def approved(name):
        return name if name in {"A", "B", "C", "Z", "X1"} else None

    back = read_list(background, approved, lambda n: None) if background is not None else None
    with pytest.raises(EnrichError, match=message):
        enrich(lib, read_list(names, approved, lambda n: None), background=back)
