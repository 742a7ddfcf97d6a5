"""Gene resolution: passes, precedence, families, ambiguity, typos, sentences."""

import pytest

from store.lexicon import default_lexicon
from store.models import KIND_AMBIGUOUS, KIND_FAMILY, KIND_GENE, KIND_NONE
from store.names import NameIndex
from store.resolve import Resolver, greek_variants, looks_like_gene, strip_key, strip_prefix, tokens

POPULAR = {"KRAS": 900, "EGFR": 800, "BRCA1": 300, "RAC1": 400, "TP53": 1000, "EGF": 200}


@pytest.fixture(scope="module")
def resolver():
    lexicon = default_lexicon()
    names = NameIndex.open(lexicon.version, lambda: lexicon, strip_key)
    return Resolver(names, lambda symbols: {s: POPULAR.get(s, 0) for s in symbols})


@pytest.mark.parametrize(
    "query, kind, symbols",
    [
        ("KRAS", KIND_GENE, ("KRAS",)),
        ("kras", KIND_GENE, ("KRAS",)),
        ("K-Ras", KIND_GENE, ("KRAS",)),  # without hyphens
        ("k ras", KIND_GENE, ("KRAS",)),  # without spaces
        ("ＫＲＡＳ", KIND_GENE, ("KRAS",)),  # full-width letters
        ("3845", KIND_GENE, ("KRAS",)),  # Entrez id
        ("p53", KIND_GENE, ("TP53",)),  # alias
        ("Cdc2", KIND_AMBIGUOUS, ("CDK1", "POLD1")),  # previous symbol before alias
        ("FRAP1", KIND_GENE, ("MTOR",)),  # previous symbol
        ("SRC", KIND_GENE, ("SRC",)),  # symbol beats the one-gene FamPlex SRC
        ("ERK", KIND_FAMILY, ("MAPK1", "MAPK3")),  # family beats MAPK1's alias ERK
        ("AKT", KIND_FAMILY, ("AKT1", "AKT2", "AKT3")),
        ("NF-kB", KIND_FAMILY, ("NFKB1", "NFKB2", "REL", "RELA", "RELB")),
        ("NFκB", KIND_FAMILY, ("NFKB1", "NFKB2", "REL", "RELA", "RELB")),
        ("p-ERK", KIND_FAMILY, ("MAPK1", "MAPK3")),  # the prefix goes first: not PERK
        ("phospho-AKT", KIND_FAMILY, ("AKT1", "AKT2", "AKT3")),
        ("β-catenin", KIND_GENE, ("CTNNB1",)),
        ("TGF-β1", KIND_GENE, ("TGFB1",)),
        ("HIF-1alpha", KIND_GENE, ("HIF1A",)),
        ("integrin β3", KIND_GENE, ("ITGB3",)),
        # a curated lab name settles it, though HGNC 2026 also lists p21 for NSG1 and
        # TCEAL1 (and pseudogene H3P16, whose alias never competes with a protein's)
        ("p21", KIND_GENE, ("CDKN1A",)),
        ("p65", KIND_GENE, ("RELA",)),
        ("TMEM173", KIND_GENE, ("STING1",)),  # renamed since 2019: today's symbol
        ("STING", KIND_GENE, ("STING1",)),
        ("STING1", KIND_GENE, ("STING1",)),
        ("CTGF", KIND_GENE, ("CCN2",)),
        ("RIG-I", KIND_GENE, ("RIGI",)),
        ("ARNTL", KIND_GENE, ("BMAL1",)),
        # the 2019 MUM1 (same Entrez id) is today's PWWP3A; IRF4 lists MUM1 too
        ("MUM1", KIND_AMBIGUOUS, ("PWWP3A", "IRF4")),
        ("COX-2", KIND_GENE, ("PTGS2",)),
        ("TAZ", KIND_AMBIGUOUS, ("TAFAZZIN", "WWTR1")),  # TAZ was renamed TAFAZZIN
        ("", KIND_NONE, ()),
        ("99999999", KIND_NONE, ()),
    ],
)
def test_single_terms(resolver, query, kind, symbols):
    found = resolver.resolve(query)
    assert found.kind == kind
    assert set(found.symbols) == set(symbols)
    if kind == KIND_AMBIGUOUS:
        assert found.symbols[0] == symbols[0]  # the precedence winner leads


@pytest.mark.parametrize(
    "query, expected",
    [
        ("kras egfr", [("KRAS",), ("EGFR",)]),
        ("KRAS and RALB", [("KRAS",), ("RALB",)]),
        ("which figures show ITGB3 and RALB?", [("ITGB3",), ("RALB",)]),
        ("ERK1/2", [("MAPK1", "MAPK3")]),  # FamPlex grounds the string itself: family ERK
        ("CDK4/6", [("CDK4", "CDK6")]),
        ("talin", [("TLN1", "TLN2")]),  # the stem of numbered HGNC names: every candidate
        ("tumour necrosis factor", [("TNF",)]),  # full names, British spelling too
        ("IκB kinase", [("CHUK", "IKBKB", "IKBKG")]),  # a FamPlex literature string
        # chains and complexes are several terms, unless the whole is itself a name
        ("TLR2–MyD88", [("TLR2",), ("MYD88",)]),
        ("NRAS+BRAF", [("NRAS",), ("BRAF",)]),
        ("SMAD3-SMAD4", [("SMAD3",), ("SMAD4",)]),
        ("JAK2:STAT5B", [("JAK2",), ("STAT5B",)]),
        ("Wnt-β-catenin", [None, ("CTNNB1",)]),
        ("HIF-2α", [("EPAS1",)]),
        ("IL-18", [("IL18",)]),
        # microRNAs: the arm and species prefix go; a stem of several loci offers each
        ("miR-155-5p", [("MIR155",)]),
        ("hsa-miR-29b-1-3p", [("MIR29B1",)]),
        ("let-7b", [("MIRLET7B",)]),
        ("miR-7", [("MIR7-1", "MIR7-2", "MIR7-3")]),
        # modification prefixes never read into another gene: pERK is phospho-ERK, not PERK
        ("pSTAT5A", [("STAT5A",)]),
        ("pERK1/2", [("MAPK1", "MAPK3")]),
        ("pERK", [("MAPK1", "MAPK3")]),
        ("PERK", [("EIF2AK3",)]),
        # families in the plural
        ("FGFRs", [None]),
        ("caspases", [None]),
        ("PI3K/AKT", [None, ("AKT1", "AKT2", "AKT3")]),
        ("the pathway", []),
        ("figures that set the cat", []),  # English words in a sentence are not genes
    ],
)
def test_queries(resolver, query, expected):
    resolutions, _ = resolver.resolve_query(query)
    found = [r for r in resolutions if r.symbols]
    assert len(found) == len(expected)
    for resolution, symbols in zip(found, expected, strict=True):
        if symbols is not None:
            assert resolution.symbols == symbols


@pytest.mark.parametrize("bare", ["CAT", "SET", "MAX", "IMPACT"])
def test_bare_english_symbols_still_resolve(resolver, bare):
    resolutions, _ = resolver.resolve_query(bare)
    assert resolutions[0].kind == KIND_GENE and resolutions[0].symbols == (bare,)


@pytest.mark.parametrize(
    "typo, top",
    [
        ("KRSA", "KRAS"),
        ("EGRF", "EGFR"),
        ("BRAC1", "BRCA1"),
        ("TP35", "TP53"),
        ("NOTHC1", "NOTCH1"),
    ],
)
def test_typos_suggest_the_right_symbol(resolver, typo, top):
    assert resolver.suggest(typo)[0] == top


def test_a_clear_winner_is_corrected_and_says_so(resolver):
    resolutions, suggestions = resolver.resolve_query("NOTHC1")
    assert resolutions[0].symbols == ("NOTCH1",) and resolutions[0].corrected
    assert "corrected" in resolutions[0].note and suggestions[0] == "NOTCH1"


@pytest.mark.parametrize("word", ["hello", "apoptosis", "xyz123", "KRAS"])
def test_never_fuzzes_words_or_real_symbols(resolver, word):
    resolutions, suggestions = resolver.resolve_query(word)
    if word == "KRAS":
        assert resolutions[0].symbols == ("KRAS",) and not resolutions[0].corrected
    else:
        assert not any(r.symbols for r in resolutions)


def test_entrez_ids_are_never_fuzzy(resolver):
    resolutions, suggestions = resolver.resolve_query("3846")
    assert suggestions == [] and not resolutions[0].corrected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("NFκB", ["NFkappaB", "NFKB"]),
        ("HIF-1alpha", ["HIF-1A"]),
        ("alphabet", []),
        ("TNF-α", ["TNF-alpha", "TNF-A"]),
    ],
)
def test_greek_variants(text, expected):
    assert greek_variants(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("p-ERK", "ERK"),
        ("phospho-AKT", "AKT"),
        ("c-Myc", "Myc"),
        ("p38", None),
        ("PERK", None),
    ],
)
def test_prefix_strip(text, expected):
    assert strip_prefix(text) == expected


@pytest.mark.parametrize(
    "token, expected",
    [
        ("KRSA", True),
        ("Egfr", True),
        ("hello", False),
        ("x", False),
        ("3845", False),
    ],
)
def test_looks_like_gene(token, expected):
    assert looks_like_gene(token) == expected


def test_tokens_strip_edge_punctuation():
    assert tokens("which (ITGB3), RALB?") == ["which", "ITGB3", "RALB"]


# Ways biologists write genes, each a principle rather than a row: none of these inputs is
# in ../shared/eval. (query, [symbols per term], or None to check the term count only)
@pytest.mark.parametrize(
    "query, expected",
    [
        # full names and the parts of HGNC names that name a gene on their own
        ("gasdermin D", [("GSDMD",)]),
        ("interleukin 6", [("IL6",)]),
        ("haem oxygenase 1", [("HMOX1",)]),  # British spelling, and read by its initials
        ("granulin", [("GRN",)]),  # the leading word of 'granulin precursor'
        ("cathelicidin", [("CAMP",)]),
        ("coagulation factor III", [("F3",)]),  # 'coagulation factor III, tissue factor'
        ("DNA ligase III", [("LIG3",)]),  # Roman numerals are HGNC's digits
        ("kindlin 1", [("FERMT1",)]),  # the head noun and its number
        ("kindlins", [("FERMT1", "FERMT2", "FERMT3")]),
        ("mitochondrial", []),  # a qualifier after a comma names nothing
        ("breast", []),  # the first word of several names names none of them
        # initials: an alias or family, never an approved symbol by chance
        ("Focal adhesion kinase", [("PTK2",)]),
        ("NOD-like receptor", []),  # FamPlex has no NLR family: nothing, not a guess
        ("RIG-I like receptors", [("DHX58", "IFIH1", "RIGI")]),  # FamPlex, plural
        ("KRAS in non small cell lung cancer", [("KRAS",)]),  # not NHLH1's alias NSCL
        # numbered names form a group when no gene has the stem itself
        ("INSIG", [("INSIG1", "INSIG2")]),
        ("SREBPs", [("SREBF1", "SREBF2")]),
        ("NEU", [("ERBB2", "NEU1")]),  # a name of its own: never a series (NEU1-4)
        # isoforms, receptors and states
        ("SERCA1a", [("ATP2A1",)]),
        ("IRE1β", [("ERN2",)]),
        ("AT2R", [("AGTR2",)]),  # angiotensin II receptor type 2
        ("ET1R", []),  # ET1 is endothelin itself, no receptor: not read as EDN1
        ("γ-H2AX", [("H2AX",)]),
        ("E-selectin", [("SELE",)]),  # HGNC's 'selectin E', not phospho-selectin
        # slashes: shared numbers and tails, synonyms of one gene, names going on after
        ("JNK1/2/3", [("MAPK8", "MAPK9", "MAPK10")]),
        ("ROCK1/2", [("ROCK1", "ROCK2")]),
        ("S1/2P", [("MBTPS1", "MBTPS2")]),
        ("CDK2/cyclin E", [("CDK2",), ("CCNE1", "CCNE2")]),
        ("TOP1/DNA ligase III", [("TOP1",), ("LIG3",)]),
        # look-alike characters
        ("ТР53", [("TP53",)]),  # Cyrillic Т and Р
        ("IL‐6", [("IL6",)]),  # U+2010 hyphen
        ("TNF‑α", [("TNF",)]),  # U+2011 non-breaking hyphen
        ("“KRAS”", [("KRAS",)]),  # curly quotes
        ("FcɛRI-γ", [("FCER1G",)]),  # IPA open e for epsilon
        ("H2A.X", [("H2AX",)]),
        # in a sentence, numbers, single letters and Roman numerals are words
        ("TP53 protein 53", [("TP53",)]),
        ("type II interferon", [None]),
        # duplicates merge
        ("TP53 p53 Tp53", [("TP53",)]),
        ("STING TMEM173 STING1", [("STING1",)]),
    ],
)
def test_ways_of_writing_genes(resolver, query, expected):
    reading = resolver.read(query)
    found = [r for r in reading.resolutions if r.symbols]
    assert len(found) == len(expected), reading
    for resolution, symbols in zip(found, expected, strict=True):
        if symbols is not None:
            assert set(resolution.symbols) == set(symbols), resolution


def test_words_that_are_no_gene_are_kept_not_dropped(resolver):
    reading = resolver.read("KRAS in lung cancer")
    assert [r.symbols for r in reading.resolutions] == [("KRAS",)]
    assert reading.words == ("lung", "cancer")


def test_a_shared_name_offers_every_gene_most_figures_first():
    lexicon = default_lexicon()
    names = NameIndex.open(lexicon.version, lambda: lexicon, strip_key)
    counts = {"WWTR1": 40, "TAFAZZIN": 2}
    resolver = Resolver(names, lambda symbols: {s: counts.get(s, 0) for s in symbols})
    found = resolver.resolve("TAZ")
    assert found.kind == KIND_AMBIGUOUS
    assert found.symbols == ("WWTR1", "TAFAZZIN")
    assert (
        "WWTR1 (alias, 40 figures)" in found.note
        and "TAFAZZIN (previous symbol, 2 figures)" in found.note
    )
