"""Gene, family and typo resolution over the lexicon's name index (store/names.py)."""

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace

from rapidfuzz.distance import OSA

from .models import KIND_AMBIGUOUS, KIND_FAMILY, KIND_GENE, KIND_NONE, Reading, Resolution
from .names import (
    RANK_ALIAS,
    RANK_CURATED,
    RANK_FAMILY,
    RANK_MOUSE,
    RANK_NAME,
    RANK_OTHER_ALIAS,
    RANK_PARTIAL,
    RANK_PREVIOUS,
    RANK_SYMBOL,
    Entry,
    NameIndex,
    fuzzy_depth,
)

# Within a pass, the first class with a hit wins: ERK/PI3K/AKT/JNK are families though
# each is also a gene's alias; CDC2 is CDK1's previous symbol before it is POLD1's alias;
# curated lab names beat old aliases.
RANK_NOTES = {
    RANK_SYMBOL: "approved symbol",
    RANK_FAMILY: "FamPlex family",
    RANK_PREVIOUS: "previous symbol",
    RANK_CURATED: "common name",
    RANK_NAME: "name",
    RANK_ALIAS: "alias",
    RANK_OTHER_ALIAS: "alias",
    RANK_MOUSE: "mouse symbol",
    RANK_PARTIAL: "part of the name",
}

GREEK = {  # letter -> (spelled-out name, the letter HGNC uses in symbols: TGFB1, PRKCQ, IFNW1)
    "α": ("alpha", "A"),
    "β": ("beta", "B"),
    "γ": ("gamma", "G"),
    "δ": ("delta", "D"),
    "ε": ("epsilon", "E"),
    "ζ": ("zeta", "Z"),
    "η": ("eta", "H"),
    "θ": ("theta", "Q"),
    "ι": ("iota", "I"),
    "κ": ("kappa", "K"),
    "λ": ("lambda", "L"),
    "μ": ("mu", "M"),
    "ν": ("nu", "N"),
    "ξ": ("xi", "X"),
    "π": ("pi", "P"),
    "ρ": ("rho", "R"),
    "σ": ("sigma", "S"),
    "τ": ("tau", "T"),
    "υ": ("upsilon", "U"),
    "φ": ("phi", "F"),
    "χ": ("chi", "C"),
    "ψ": ("psi", "Y"),
    "ω": ("omega", "W"),
}
_SPELLED = {name: letter for letter, (name, _) in GREEK.items()}
# A spelled-out name counts only as a whole word or a lower-case run in camel case:
# 'HIF-1alpha' and 'NFkappaB' match, 'alphabet' and 'betaine' do not.
_SPELLED_RE = re.compile(
    r"(?<![a-z])(" + "|".join(sorted(_SPELLED, key=len, reverse=True)) + r")(?![a-z])",
    re.IGNORECASE,
)
_GREEK_RE = re.compile("[" + "".join(GREEK) + "]")
_PREFIX_RE = re.compile(r"^(?:phospho-?|p-|c-)(?=\w)", re.IGNORECASE)
_PHOSPHO_P_RE = re.compile(r"^p(?=[A-Z][A-Z0-9])")  # pSTAT3, pERK: lower-case p, then a name
_MIRNA_RE = re.compile(  # hsa-miR-148a-3p, miR-29b-1-5p, let-7a, miR-7
    r"^(?:[a-z]{3}-)?(mir|let)-?(\d+[a-z]?|\d*[a-z]?)(?:-(\d+))?(?:-[35]p)?$", re.IGNORECASE
)
_MIRBASE_STYLE_RE = re.compile(r"^(?:[a-z]{3}-)?(?:miR|let)-")  # miRBase's own spelling
# Pass 2 keeps letters (Greek too) and digits only: 'Ca2+/calmodulin-dependent' and
# FamPlex's 'Ca(2+)-calmodulin-dependent' meet, as do 'H2A.X' and H2AX, 'CD4+' and CD4.
_STRIP_RE = re.compile(r"[\W_]+")
_INTEGRIN_RE = re.compile(r"^integrin[\s-]*(alpha|beta)[\s-]*([0-9a-z]{1,4})$", re.IGNORECASE)
# ERK1/2, CDK4/6, S1/2P (S1P and S2P): a stem, numbers joined by '/', a shared tail
_SLASH_DIGITS_RE = re.compile(r"^(.*?[A-Za-z-])(\d+[A-Za-z]?)((?:/\d+[A-Za-z]?)+)([A-Z]{0,2})$")
_PLURAL_RE = re.compile(r"^(.{2,}[^sS'])s$")  # 'TLRs' -> 'TLR'; never 'Ras' -> 'Ra' (below)
_CHAIN_RE = re.compile(r"\s*[–—:+]\s*|(?<=[A-Za-z0-9α-ω])-(?=[A-Za-zα-ω])")
_TOKEN_EDGES = "?!.,;:()[]{}\"'“”‘’«»"
_GENE_LIKE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,11}$")
_ROMAN_RE = re.compile(r"(?<=\s)(VIII|VII|VI|IV|IX|V|III|II|I)(?=$|[\s,])")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9}
_FIRST_ISOFORM_RE = re.compile(r"^(.*[A-Za-z0-9])[-\s]?(?:α|alpha)$")  # IRE1α is IRE1
_ISOFORM_LETTER_RE = re.compile(r"^(.*[A-Z].*\d)(?:[a-z]|S|U)$")  # SERCA2a, XBP1S: SERCA2, XBP1
_LETTER_FIRST_RE = re.compile(r"^([A-Z0-9]{1,2})-([a-z]{4,})$")  # P-selectin: 'selectin P'
_RECEPTOR_RE = re.compile(r"^(.*[A-Za-z0-9])-?R(\d+[A-Z]?)?$")  # AT1R, 5-HTR2A
_STATE_GREEK_RE = re.compile(r"^[αβγδ]-?(?=[A-Z])")  # γH2AX: the phosphorylated form
_LONG_ACRONYM = 5
_MOUSE_CASE_RE = re.compile(r"^[A-Z][a-z0-9-]+$")  # Pten, Mapk1, Cdkn1a
_ONE_WORD_RE = re.compile(r"^[^\s/]+$")
_ACRONYM_WORD_RE = re.compile(r"[A-Za-z0-9α-ω]+")
_ACRONYM_RANKS = (RANK_FAMILY, RANK_PREVIOUS, RANK_CURATED, RANK_ALIAS)
SERIES_MAX = 12  # 'Insig' is INSIG1 and INSIG2; a stem with more loci names no group

FAMILY_DISPLAY = {  # FamPlex ids -> the names biologists write
    "NFKB": "NF-κB",
    "NFkappaB": "NF-κB",
    "p38": "p38 MAPK",
    "TGFB": "TGF-β",
    "IKK_family": "IKK",
    "PKA": "PKA",
    "PKC": "PKC",
    "HIF_alpha": "HIF-α",
    "SMAD2_3": "SMAD2/3",
    "mTORC1": "mTORC1",
    "mTORC2": "mTORC2",
    "AP1": "AP-1",
    "IFN": "IFN",
    "ERK": "ERK",
    "JNK": "JNK",
}

# Words that carry no gene in a sentence ("which figures show ITGB3 and RALB?"), plus
# common English words that happen to be symbols or aliases, and greetings that open a
# chat message ("hi, can you show KRAS?": HI is an alias of ABCC8). A bare `CAT` or `SET`
# is still a gene: these only apply to lower-case tokens inside a longer query.
FILLER = frozenset(
    [
        "cheers",
        "hello",
        "hey",
        "hi",
        "thank",
        "thanks",
        "a",
        "about",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "each",
        "figure",
        "figures",
        "find",
        "for",
        "from",
        "genes",
        "gene",
        "get",
        "give",
        "has",
        "have",
        "how",
        "i",
        "in",
        "include",
        "includes",
        "including",
        "involve",
        "involved",
        "involving",
        "is",
        "it",
        "list",
        "look",
        "me",
        "mention",
        "mentions",
        "mentioning",
        "my",
        "of",
        "on",
        "or",
        "pathway",
        "pathways",
        "please",
        "show",
        "showing",
        "shows",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "these",
        "this",
        "those",
        "to",
        "what",
        "where",
        "which",
        "who",
        "with",
        "without",
        "containing",
        "contain",
        "contains",
        "diagram",
        "diagrams",
        "image",
        "images",
        "map",
        "maps",
        "network",
        "networks",
        "paper",
        "papers",
        "picture",
        "pictures",
        "set",
        "cat",
        "max",
        "can",
        "impact",
        "was",
        "not",
        "rest",
        "act",
        "ace",
        "age",
        "aim",
        "air",
        "arm",
        "art",
        "bad",
        "bag",
        "ban",
        "bat",
        "bed",
        "big",
        "bit",
        "box",
        "boy",
        "bus",
        "cap",
        "car",
        "cop",
        "cry",
        "cut",
        "day",
        "did",
        "dog",
        "ear",
        "end",
        "eye",
        "fat",
        "few",
        "fit",
        "fly",
        "fur",
        "gap",
        "gas",
        "got",
        "gun",
        "hat",
        "hid",
        "him",
        "hip",
        "hit",
        "hot",
        "its",
        "job",
        "key",
        "kid",
        "lab",
        "lag",
        "law",
        "lay",
        "leg",
        "let",
        "lie",
        "lot",
        "low",
        "man",
        "map",
        "may",
        "men",
        "met",
        "mix",
        "mob",
        "mud",
        "net",
        "new",
        "nor",
        "now",
        "odd",
        "off",
        "oil",
        "old",
        "one",
        "our",
        "out",
        "own",
        "pad",
        "pan",
        "pay",
        "pen",
        "per",
        "pet",
        "pig",
        "pin",
        "pit",
        "pop",
        "pot",
        "put",
        "ran",
        "raw",
        "red",
        "rib",
        "rid",
        "rim",
        "rip",
        "rod",
        "row",
        "run",
        "sad",
        "saw",
        "say",
        "sea",
        "see",
        "sex",
        "she",
        "shy",
        "sin",
        "sir",
        "sit",
        "six",
        "ski",
        "sky",
        "son",
        "spy",
        "sun",
        "tag",
        "tan",
        "tap",
        "tax",
        "tea",
        "ten",
        "tie",
        "tip",
        "toe",
        "ton",
        "too",
        "top",
        "toy",
        "try",
        "two",
        "use",
        "van",
        "via",
        "war",
        "way",
        "web",
        "wet",
        "who",
        "why",
        "win",
        "yes",
        "yet",
        "you",
        "zip",
    ]
)


# Letters and marks that look like the ones gene names use, but are other code points:
# IPA's open e (FcɛRI), Cyrillic letters in Latin words, hyphens, minus signs, primes and
# curly quotes. NFKC already folds superscripts, full-width letters and ligatures.
LOOK_ALIKES = str.maketrans(
    {
        "ɛ": "ε",
        "ϵ": "ε",
        "ɑ": "α",
        "ß": "β",
        "µ": "μ",
        "ϰ": "κ",
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "Х": "X",
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "х": "x",
        "у": "y",
        "і": "i",
        "ј": "j",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u00ad": "",
        "\u200b": "",
        "\u2032": "'",
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
    }
)


def fold(text: str) -> str:
    """NFKC-normalise (superscripts, full-width letters), map look-alikes, and trim."""
    return unicodedata.normalize("NFKC", text).translate(LOOK_ALIKES).strip()


def strip_key(text: str) -> str:
    """The pass-2 key: upper case without spaces, hyphens or underscores."""
    return _STRIP_RE.sub("", text).upper()


def greek_variants(text: str) -> list[str]:
    """Greek letters and spelled-out names, rewritten both ways: NFκB -> NFkappaB, NFKB."""
    if not _GREEK_RE.search(text) and not _SPELLED_RE.search(text):
        return []
    spelled = _GREEK_RE.sub(lambda m: GREEK[m.group(0)][0], text)
    spelled = _SPELLED_RE.sub(lambda m: m.group(0).lower(), spelled)
    letters = _GREEK_RE.sub(lambda m: GREEK[m.group(0)][1], text)
    letters = _SPELLED_RE.sub(lambda m: GREEK[_SPELLED[m.group(0).lower()]][1], letters)
    return list(dict.fromkeys(v for v in (spelled, letters) if v != text))


_BRITISH = (
    (re.compile(r"(?<=[a-z])our\b"), "or"),  # tumour, colour, behaviour
    (re.compile(r"(?<=[hm])ae(?=[a-z])"), "e"),  # haem-, haemato-, leukaemia
    (re.compile(r"\boestr"), "estr"),
)  # oestrogen, oestradiol


def american(text: str) -> str:
    """HGNC spells names the American way: 'tumour necrosis factor' -> 'tumor ...'."""
    for pattern, replacement in _BRITISH:
        text = pattern.sub(replacement, text)
    return text


def strip_prefix(text: str) -> str | None:
    """'p-ERK' -> 'ERK', 'phospho-AKT' -> 'AKT', 'c-Myc' -> 'Myc' (before hyphens go)."""
    stripped = _PREFIX_RE.sub("", text)
    return stripped if stripped != text else None


def family_label(name: str, members: tuple[str, ...]) -> str:
    """'NF-κB family (NFKB1, NFKB2, REL, RELA, RELB)'."""
    shown = ", ".join(members[:8]) + (f", +{len(members) - 8} more" if len(members) > 8 else "")
    return f"{family_name(name)} ({shown})"


def family_name(name: str) -> str:
    """'NF-κB family' for FamPlex's NFKB."""
    return f"{FAMILY_DISPLAY.get(name, name.replace('_', ' '))} family"


def looks_like_gene(token: str) -> bool:
    """Worth a fuzzy guess: short, starts with a letter, and has a capital or a digit."""
    return bool(_GENE_LIKE_RE.match(token)) and (
        token != token.lower() or any(c.isdigit() for c in token)
    )


NAME_RANKS = frozenset((RANK_SYMBOL, RANK_FAMILY, RANK_CURATED, RANK_NAME))
WORD_RANKS = frozenset((RANK_SYMBOL, RANK_FAMILY, RANK_CURATED, RANK_NAME, RANK_PARTIAL))
NAME_LINKS = frozenset(["of"])  # the one small word inside names: 'mechanistic target of'
WINDOW_WORDS = 6  # the longest name read from a sentence: 'receptor activator of NF-κB ligand'


def _is_filler(word: str) -> bool:
    return word.lower() in FILLER and not word.isupper()


def integrin_symbol(text: str) -> str | None:
    """HGNC's pattern for integrin names: 'integrin β3' -> ITGB3, 'integrin alpha V' ->
    ITGAV."""
    integrin = _INTEGRIN_RE.match(_GREEK_RE.sub(lambda m: GREEK[m.group(0)][0], text))
    if not integrin:
        return None
    letter = "A" if integrin.group(1).lower() == "alpha" else "B"
    return f"ITG{letter}{integrin.group(2).upper()}"


def _initials(words: list[str]) -> list[str]:
    """Ways to abbreviate a name: 'mTOR complex 1' -> MTORC1 (a word with inner capitals
    or digits stays whole), 'NOD-like receptor' -> NLR (initials only), 'RIG-I-like
    receptor' -> RLR (a Roman numeral dropped)."""
    whole, initials, plain = [], [], []
    for word in words:
        spelled = _SPELLED.get(word.lower())
        letter = GREEK[spelled][1] if spelled else GREEK.get(word[0], ("", word[0]))[1].upper()
        whole.append(
            word.upper()
            if not spelled and (word[1:] != word[1:].lower() or word.isdigit())
            else letter
        )
        initials.append(word if word.isdigit() else letter)
        if word.upper() not in _ROMAN:
            plain.append(word if word.isdigit() else letter)
    return list(dict.fromkeys("".join(p) for p in (whole, initials, plain)))


def merge(resolutions: list[Resolution]) -> tuple[Resolution, ...]:
    """One entry per gene or family: 'TP53 p53 Tp53' is TP53 once."""
    seen: set[tuple[str, ...]] = set()
    kept = []
    for r in resolutions:
        key = r.symbols[:1] if r.kind in (KIND_GENE, KIND_AMBIGUOUS) else r.symbols
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(r)
    return tuple(kept)


def same_gene(text: str, pieces: list[Resolution]) -> list[Resolution] | None:
    """'Etk/Bmx': two names of one gene (Etk also names EPHA3, Bmx only BMX) are that gene."""
    genes = [r for r in pieces if r.kind == KIND_GENE]
    if len(pieces) != 2 or len(genes) != 1:
        return None
    other = pieces[0] if pieces[1] is genes[0] else pieces[1]
    if other.kind != KIND_AMBIGUOUS or genes[0].symbols[0] not in other.symbols:
        return None
    symbol = genes[0].symbols[0]
    return [
        replace(genes[0], input=text, note=f"{other.input} and {genes[0].input} both name {symbol}")
    ]


def tokens(text: str) -> list[str]:
    """Split a sentence into candidate terms, dropping edge punctuation."""
    return [t for t in (raw.strip(_TOKEN_EDGES) for raw in re.split(r"[\s,;]+", text)) if t]


class Resolver:
    """Turns query terms into genes or families, with did-you-mean for typos."""

    def __init__(
        self,
        names: NameIndex | Callable[[], NameIndex],
        popularity: Callable[[list[str]], dict[str, int]],
    ):
        self._names = names  # the index, or a function that opens it on first use
        self.popularity = popularity  # symbol -> how many figures mention it

    @property
    def names(self) -> NameIndex:
        """The lexicon's name index, opened on first use."""
        if callable(self._names) and not isinstance(self._names, NameIndex):
            self._names = self._names()
        return self._names

    # -- one term -------------------------------------------------------------------------

    def _lookup(self, variants: list[str], stripped: bool) -> list[Entry]:
        hits: list[Entry] = []
        for variant in variants:
            hits += self.names.exact(variant.upper())
            if stripped:
                hits += self.names.stripped(strip_key(variant))
        return hits

    def _passes(self, text: str) -> Iterator[tuple[list[str], bool]]:
        """Yield (spellings, also without spaces/hyphens?) per pass, in order."""
        phospho = _PHOSPHO_P_RE.sub("", text)
        if phospho != text:  # 0. 'pERK' is phospho-ERK, not the gene PERK
            yield [phospho, *greek_variants(phospho)], True
        yield [text], False  # 1. exact, ignoring case
        swapped = _LETTER_FIRST_RE.match(text)
        if swapped:  # 'P-selectin' is HGNC's 'selectin P' (SELP), before p- reads as phospho
            yield [f"{swapped.group(2)} {swapped.group(1)}"], True
        bare = strip_prefix(text)
        if bare:  # p-ERK is ERK, not PERK: the prefix goes before the hyphens do
            yield [bare, *greek_variants(bare)], True
        yield [text], True  # 2. without spaces and hyphens
        greek = greek_variants(text)
        if greek:  # 3. Greek letters, both spelled out and as HGNC's letter
            yield greek, True
        spelled = american(text)
        if spelled != text:  # 4. British spelling of a full name
            yield [spelled, *greek_variants(spelled)], True
        singular = _PLURAL_RE.match(spelled)
        if singular:  # 5. a plural: TLRs, MMPs, integrins, AMPA receptors, PPARs
            yield [singular.group(1)], True
        integrin = integrin_symbol(text)
        if integrin:  # 6. protein-name pattern: integrin β3 -> ITGB3
            yield [integrin], False
        arabic = _ROMAN_RE.sub(lambda m: str(_ROMAN[m.group(1)]), text)
        if arabic != text:  # 7. 'DNA ligase IV' is HGNC's 'DNA ligase 4'
            yield [arabic], True

    def _variants(self, text: str) -> Iterator[tuple[str, str]]:
        """Last-resort readings, each with the note that says how it was read: the first
        isoform without its α (IRE1α), an isoform letter (SERCA2a), a receptor's R
        (AT1R, 5-HTR2A), a state prefix (γH2AX)."""
        isoform = _FIRST_ISOFORM_RE.match(text)
        if isoform:
            yield isoform.group(1), f"{text} read as {isoform.group(1)}"
        receptor = _RECEPTOR_RE.match(text)
        if receptor and len(receptor.group(1)) >= 2:
            yield receptor.group(1) + (receptor.group(2) or ""), "receptor"
        letter = _ISOFORM_LETTER_RE.match(text)
        if letter:
            yield letter.group(1), f"isoform of {letter.group(1)}"
        state = _STATE_GREEK_RE.match(text)
        if state:
            yield text[state.end() :], f"{text} read as {text[state.end() :]}"

    def resolve(
        self, term: str, ranks: frozenset[int] | None = None, as_gene: bool = False
    ) -> Resolution:
        """Resolve one term without fuzzy matching (digits are Entrez ids). With `ranks`,
        only names of those ranks count, and none of the looser readings after them. A
        curated non-gene (NO, ATP, Mg2+, iPSCs) is none, unless `as_gene`."""
        text = fold(term)
        if not text:
            return Resolution(term, KIND_NONE)
        what = None if as_gene else self.names.not_gene(text)
        if what:
            return Resolution(term, KIND_NONE, note=f"not read as a gene: {what}", not_gene=what)
        if text.isdigit():
            symbol = self.names.entrez(text)
            if symbol is None:
                return Resolution(term, KIND_NONE, note=f"no gene has Entrez id {text}")
            return Resolution(term, KIND_GENE, (symbol,), label=symbol, note=f"Entrez {text}")
        if _MIRBASE_STYLE_RE.match(text):  # 'miR-7' is the microRNA, not LILRB1's alias MIR7
            found = self._microrna(text)
            if found:
                return found
        for variants, stripped in self._passes(text):
            hits = self._lookup(variants, stripped)
            if hits and not stripped:  # MEF-2: MEF2 the family beats MYEF2's alias MEF-2
                hits += self._lookup(variants, True)
            if ranks is not None:
                hits = [e for e in hits if e.rank in ranks]
            if hits:
                return self._series(term, text, hits) or self._as_human(
                    text, self._choose(term, hits)
                )
        if ranks is not None:
            return Resolution(term, KIND_NONE)
        singular = _PLURAL_RE.match(text)
        found = (
            self._microrna(text)
            or self._series(term, text, [])
            or (self._series(term, singular.group(1), []) if singular else None)  # SREBPs
        )
        if found:
            return found
        for variant, how in self._variants(text) if _ONE_WORD_RE.match(text) else ():
            hits = [e for e in self._lookup([variant], True) if e.rank < RANK_PARTIAL]
            if hits and (how != "receptor" or self._is_receptor(hits)):
                chosen = self._choose(term, hits)
                return replace(chosen, note=how if how != "receptor" else chosen.note)
        return self._acronym(term, text) or Resolution(term, KIND_NONE)

    def _shares_word(self, words: list[str], symbols: tuple[str, ...]) -> bool:
        """Does one of the genes' HGNC names have one of these words (4 letters or more)?
        'focal adhesion kinase' and PTK2, protein tyrosine kinase 2, share 'kinase'."""
        wanted = {w.upper() for w in words if len(w) >= 4}
        return any(
            wanted & set(_ACRONYM_WORD_RE.findall(name)) for name in self.names.gene_name(symbols)
        )

    def _as_human(self, text: str, found: Resolution) -> Resolution:
        """'Pten read as human PTEN': a mouse symbol written the mouse way says so."""
        if (
            found.kind != KIND_GENE
            or text == found.symbols[0]
            or not _MOUSE_CASE_RE.match(text)
            or self.names.mouse(text) != found.symbols[0]
        ):
            return found
        return replace(found, note=f"mouse {text} read as human {found.symbols[0]}")

    def _is_receptor(self, hits: list[Entry]) -> bool:
        """AT1R is AGTR1 because AT1 names angiotensin II receptor type 1."""
        return any("RECEPTOR" in name for e in hits for name in self.names.gene_name(e.symbols))

    def _series(self, term: str, text: str, hits: list[Entry]) -> Resolution | None:
        """'Insig', 'SREBP', 'IP3R', 'EAAT': no gene has the name, while numbered symbols or
        aliases (INSIG1, INSIG2; SREBP1, SREBP2) name a group. Where any gene has the name,
        even as an old symbol or an alias (NEU of NEU1 and ERBB2; TLX of NR2E1), it stays
        that gene's, whatever is numbered after it."""
        aliased = {s for e in hits for s in e.symbols}
        if hits and (min(e.rank for e in hits) < RANK_ALIAS or len(aliased) != 1):
            return None
        stem = strip_key(text)
        if len(stem) < 2 or not stem[-1].isalpha():
            return None
        series = self.names.series(stem)
        symbols_series = [e for e in series if e.rank == RANK_SYMBOL]
        if len(symbols_series) >= 2:  # HK1-3, and GCK's HK4; not KCNA4's alias HK2
            numbers = {e.name for e in symbols_series}
            series = symbols_series + [
                e for e in series if e.rank != RANK_SYMBOL and strip_key(e.name) not in numbers
            ]
        owners: dict[str, set[str]] = {}
        for e in series:
            owners.setdefault(strip_key(e.name), set()).update(e.symbols)
        if any(len(genes) > 1 for genes in owners.values()):
            return None  # TSH1 names THNSL1 and TSHZ1: no series there
        genes = tuple(dict.fromkeys(s for e in series for s in e.symbols))
        if hits and not aliased <= set(genes):  # Epac: its gene is EPAC1 of EPAC1, EPAC2
            return None
        if len(genes) < 2 or len(genes) > SERIES_MAX:
            return None
        names = ", ".join(dict.fromkeys(e.name for e in series))
        return Resolution(
            term,
            KIND_FAMILY,
            genes,
            label=f"{term} ({', '.join(genes)})",
            name=term,
            note=f"numbered names {names}",
        )

    def _acronym(self, term: str, text: str) -> Resolution | None:
        """'Focal Adhesion Kinase' is FAK, 'nuclear factor kappa B' NFKB, 'mTOR complex 1'
        mTORC1: a name of three or more letters made of the words' initials (a word with
        capitals or digits inside, like mTOR or S6, counts whole), when it is an alias,
        a previous symbol or a family; never an approved symbol (MTR is not 'mechanistic
        target of rapamycin')."""
        words = [w for w in _ACRONYM_WORD_RE.findall(text) if w.lower() not in FILLER]
        if len(text.split()) < 2 or len(words) < 2 or (len(words) < 3 and text == text.lower()):
            return None
        for initials in _initials(words):
            if len(initials) < 3:
                continue
            # a gene's name must share a word with the phrase, unless the initials are
            # long enough not to collide by chance ('neuronal Wiscott-Aldrich syndrome
            # protein', NWASP): 'non small cell lung cancer' is not NHLH1's alias NSCL,
            # 'Smad ubiquitination regulatory' not ABCC8's SUR
            hits = [
                e
                for e in self._lookup([initials], True)
                if e.rank in _ACRONYM_RANKS
                and (
                    e.rank == RANK_FAMILY
                    or len(initials) >= _LONG_ACRONYM
                    or self._shares_word(words, e.symbols)
                )
            ]
            if hits:
                chosen = self._choose(term, hits)
                note = f"read as {initials}" + (f"; {chosen.note}" if chosen.note else "")
                return replace(chosen, note=note)
        return None

    def _microrna(self, text: str) -> Resolution | None:
        """'miR-148a-3p' is MIR148A, 'let-7a' MIRLET7A1-3, 'miR-7' MIR7-1, -2 and -3: the
        arm (-3p, -5p) and species prefix go, and a stem naming several loci offers each."""
        match = _MIRNA_RE.match(text)
        if not match or not (match.group(2) or match.group(3)):
            return None
        stem = ("MIR" if match.group(1).lower() == "mir" else "MIRLET") + match.group(2).upper()
        exact = stem + (match.group(3) or "")
        for key in (exact, f"{stem}-{match.group(3)}" if match.group(3) else None):
            if key and self.names.exact(key):
                return self._choose(text, self.names.exact(key))
        loci = self.names.loci(stem)
        if not loci:
            return None
        if len(loci) == 1:
            return Resolution(text, KIND_GENE, (loci[0],), label=loci[0], note="microRNA")
        return Resolution(
            text,
            KIND_AMBIGUOUS,
            tuple(loci),
            label=loci[0],
            note=f"microRNA of {len(loci)} loci: {', '.join(loci[:4])}",
        )

    def _choose(self, term: str, hits: list[Entry]) -> Resolution:
        best = min(entry.rank for entry in hits)
        if best < RANK_OTHER_ALIAS:  # a pseudogene's alias is no rival to a real reading
            hits = [entry for entry in hits if entry.rank < RANK_OTHER_ALIAS]
        top = [entry for entry in hits if entry.rank == best]
        if top[0].family and len(top[0].symbols) > 1:
            name, members = top[0].family or top[0].name, top[0].symbols
            return Resolution(
                term,
                KIND_FAMILY,
                members,
                label=family_label(name, members),
                note=f"FamPlex family {name}",
                name=family_name(name),
            )
        # A one-member FamPlex entry (BCATENIN = CTNNB1) is just that gene.
        genes = list(
            dict.fromkeys(
                s
                for entry in sorted(hits, key=lambda e: e.rank)
                if entry.rank != RANK_FAMILY or len(entry.symbols) == 1
                for s in entry.symbols
            )
        )
        primary = genes[0]
        if primary.upper() == fold(term).upper():
            note = ""
        elif best in (RANK_SYMBOL, RANK_FAMILY):
            note = f"read as {primary}"
        elif best == RANK_MOUSE:
            note = f"mouse {fold(term)} read as human {primary}"
        else:
            note = f"{RANK_NOTES[best]} of {primary}"
        label = self._with_former_name(primary)
        if len(genes) == 1:
            return Resolution(term, KIND_GENE, (primary,), label=label, note=note)
        others = ", ".join(genes[1:4])
        if best == RANK_CURATED and len({s for e in top for s in e.symbols}) == 1:
            # A curated lab name (with its source) settles what HGNC's aliases share:
            # p65 is RELA, though HGNC lists p65 for GORASP1 and SYT1 too. Said, not hidden.
            return Resolution(
                term,
                KIND_GENE,
                (primary,),
                label=label,
                note=f"{note}; HGNC also lists it for {others}",
            )
        # A name several genes share: every one is offered, the most-shown first.
        counts = self.popularity(genes)
        genes = sorted(genes, key=lambda symbol: -counts.get(symbol, 0))
        how = {s: min(e.rank for e in hits if s in e.symbols) for s in genes}
        said = [
            f"{s} ({RANK_NOTES[how[s]]}, {counts.get(s, 0):,} figure"
            f"{'' if counts.get(s, 0) == 1 else 's'})"
            for s in genes[:4]
        ]
        return Resolution(
            term,
            KIND_AMBIGUOUS,
            tuple(genes),
            label=genes[0],
            note=f"{len(genes)} genes have this name: {', '.join(said)}"
            + (f", +{len(genes) - 4} more" if len(genes) > 4 else ""),
        )

    def _with_former_name(self, symbol: str) -> str:
        """'STING1 (formerly TMEM173)': records and papers of their day use the old name."""
        former = self.names.formerly(symbol)
        return f"{symbol} (formerly {', '.join(former)})" if former else symbol

    def suggest(self, term: str, limit: int = 5) -> list[str]:
        """Approved symbols within 1 edit (2 for long terms), most-mentioned first."""
        key = strip_key(fold(term))
        if not key or key.isdigit():
            return []
        candidates = self._near(key, fuzzy_depth(key))
        if not candidates:
            return []
        counts = self.popularity(candidates)
        ranked = sorted(candidates, key=lambda s: (*self._closeness(key, s), -counts.get(s, 0), s))
        return ranked[:limit]

    def _near(self, word: str, max_distance: int) -> list[str]:
        """Approved symbols within max_distance OSA edits of word (upper case): the
        deletion index proposes, rapidfuzz's OSA distance (a swap is one edit) decides."""
        return sorted(
            c
            for c in self.names.candidates(word, max_distance)
            if c.upper() != word and OSA.distance(word, c.upper()) <= max_distance
        )

    @staticmethod
    def _closeness(key: str, symbol: str) -> tuple[int, int]:
        """(edits, 0 if the same letters): a swapped pair keeps every letter, so KRSA->KRAS
        is stronger evidence than a substitution (ARSA) or a deletion (KRS)."""
        return OSA.distance(key, symbol.upper()), int(sorted(key) != sorted(symbol.upper()))

    # -- a whole query --------------------------------------------------------------------

    def resolve_query(self, text: str) -> tuple[list[Resolution], list[str]]:
        """All terms of a free-text query, plus did-you-mean suggestions for typos."""
        reading = self.read(text)
        return list(reading.resolutions), list(reading.suggestions)

    def read(self, text: str, as_gene: bool = False) -> Reading:
        """A free-text query: its genes and families (several words may name one: 'focal
        adhesion kinase', 'KRAS in lung cancer'), did-you-mean suggestions, and the words
        that are no gene (NO, ATP, 'lung cancer'), kept for a text match. `as_gene` reads
        the curated non-genes as genes too (`gene NO`)."""
        reading = self._read(fold(text).strip(_TOKEN_EDGES + " "))
        if not as_gene or not any(r.not_gene for r in reading.resolutions):
            return reading
        resolutions, suggestions = [], list(reading.suggestions)
        for r in reading.resolutions:
            found = self.resolve(r.input, as_gene=True) if r.not_gene else r
            if found.kind == KIND_NONE and r.not_gene and looks_like_gene(r.input):
                suggestions += self.suggest(r.input)
            resolutions.append(found)
        words = tuple(w for w in reading.words if w not in {r.input for r in reading.resolutions})
        return Reading(merge(resolutions), tuple(dict.fromkeys(suggestions)), words)

    def _read(self, text: str) -> Reading:
        several = len(text.split()) > 1
        if not text or (several and not self.names.any_stripped(self._phrase_keys(text))):
            whole = Resolution(text, KIND_NONE)  # no reading of the whole is a name
        else:
            whole = self.resolve(text)
        if whole.resolved or whole.kind == KIND_AMBIGUOUS or (whole.note and text.isdigit()):
            return Reading((whole,))
        if whole.not_gene:
            return Reading((whole,), words=(text,))
        parts = tokens(text)
        if len(parts) == 1 and "/" not in parts[0]:
            found, guesses = self._with_fuzzy(parts[0], bare=True)
            return Reading(tuple(found), tuple(guesses))
        sentence = len(parts) > 1
        resolutions: list[Resolution] = []
        suggestions: list[str] = []
        words: list[str] = []
        start = 0
        while start < len(parts):
            window = self._window(parts, start) if sentence else None
            if window:
                resolutions.append(window[0])
                start = window[1]
                continue
            part = parts[start]
            start += 1
            if sentence and part.lower() in FILLER and not part.isupper():
                continue
            head, _, last = part.rpartition("/")
            tail = self._window([last, *parts[start:]], 0) if head and last else None
            if tail and tail[1] > 1:  # 'XRCC4/DNA ligase IV': the name goes on after '/'
                resolutions += self._slash(head) + [tail[0]]
                start += tail[1] - 1
                continue
            found, guesses, word = self._term(part, sentence)
            resolutions += found
            suggestions += guesses
            words += [word] if word else [r.input for r in found if r.not_gene]
        return Reading(merge(resolutions), tuple(dict.fromkeys(suggestions)), tuple(words))

    def _window(self, parts: list[str], start: int) -> tuple[Resolution, int] | None:
        """The longest run of words from `start` that names a gene or family as a whole:
        'focal adhesion kinase', 'tumour necrosis factor', 'DNA ligase IV'. Lower-case
        words name one by a name, a family or their initials, not an alias or the start of
        a name ('small cell' is no SMAGP, small cell adhesion glycoprotein)."""
        if _is_filler(parts[start]):
            return None
        # 'TP53 and MDM2' is two genes: a name runs on through 'of', no other small word
        stop = next(
            (
                i
                for i in range(start + 1, len(parts))
                if _is_filler(parts[i]) and parts[i].lower() not in NAME_LINKS
            ),
            len(parts),
        )
        for end in range(min(stop, start + WINDOW_WORDS), start + 1, -1):
            if _is_filler(parts[end - 1]) or any("/" in p for p in parts[start:end]):
                continue
            phrase = " ".join(parts[start:end])
            if not self.names.any_stripped(self._phrase_keys(phrase)):
                continue  # one look-up rules out every reading of this run of words
            if phrase == phrase.lower():
                found = self.resolve(phrase, WORD_RANKS if end - start > 2 else NAME_RANKS)
                found = found if found.resolved else self._acronym(phrase, phrase) or found
            else:
                found = self.resolve(phrase)
            if found.resolved or found.kind == KIND_AMBIGUOUS:
                return found, end
        return None

    @staticmethod
    def _phrase_keys(phrase: str) -> list[str]:
        """Every key a run of words could match under (its spellings, its initials)."""
        spellings = [phrase, *greek_variants(phrase), american(phrase)]
        singular = _PLURAL_RE.match(phrase)
        spellings += [singular.group(1)] if singular else []
        spellings.append(_ROMAN_RE.sub(lambda m: str(_ROMAN[m.group(1)]), phrase))
        spellings += [integrin_symbol(phrase) or ""]
        words = [w for w in _ACRONYM_WORD_RE.findall(phrase) if w.lower() not in FILLER]
        spellings += _initials(words) if words else []
        return sorted({strip_key(s) for s in spellings} - {""})

    def _term(self, part: str, in_sentence: bool) -> tuple[list[Resolution], list[str], str | None]:
        """One word's genes, suggestions, and the word itself if it is text, not a gene."""
        if "/" in part:
            return self._slash(part), [], None
        if in_sentence and (part.isdigit() or len(part) == 1 or part in _ROMAN):
            return [], [], part  # '53', 'B' and 'II' in a sentence are words, not genes
        if in_sentence and part.isalpha() and part == part.lower() and len(part) > 3:
            # a lower-case word in a sentence is a gene only by a name, never an alias:
            # 'insulin', 'integrins', 'interferon' are; 'lung' and 'cancer' are words
            named = self.resolve(part, WORD_RANKS)
            return ([named], [], None) if named.resolved else ([], [], part)
        if in_sentence and part == part.lower():  # 'type-1' is no typo of TIPE1
            plain = self.resolve(part)
            return ([plain], [], None) if plain.kind != KIND_NONE else ([], [], part)
        found, guesses = self._with_fuzzy(part, bare=not in_sentence)
        return found, guesses, None

    def _chain(self, part: str) -> list[Resolution] | None:
        """'TLR4-MyD88', 'MEK–ERK', 'p52:RelB', 'KRAS+BRAF', 'PTEN-PI3K/AKT': several terms,
        when the whole is no name and every piece is one (HIF-1α stays one term)."""
        pieces = [p for p in _CHAIN_RE.split(part) if p]
        if len(pieces) < 2:
            return None
        found: list[Resolution] = []
        start = 0
        while start < len(pieces):  # the longest run of pieces that names something
            for end in range(len(pieces), start, -1):
                if start == 0 and end == len(pieces):
                    continue  # the whole is what did not resolve
                name = "-".join(pieces[start:end])
                resolved = self._slash(name) if "/" in name else [self.resolve(name)]
                if resolved and all(r.resolved or r.kind == KIND_AMBIGUOUS for r in resolved):
                    found += resolved
                    start = end
                    break
            else:
                return None
        return found

    def _with_fuzzy(self, part: str, bare: bool) -> tuple[list[Resolution], list[str]]:
        found = self.resolve(part)
        if found.kind == KIND_NONE and not found.note:
            chain = self._chain(part)
            if chain:
                return chain, []
        if found.kind != KIND_NONE or found.note or not looks_like_gene(part):
            return [found], []
        suggestions = self.suggest(part)
        if not suggestions:
            return [found], []
        winner = self._clear_winner(part, suggestions)
        if winner:
            return [
                Resolution(
                    part, KIND_GENE, (winner,), label=winner, corrected=True, note="typo corrected"
                )
            ], suggestions
        return [found], suggestions

    def _clear_winner(self, part: str, suggestions: list[str]) -> str | None:
        """Auto-correct only when one candidate is the only one, or dominates by 10x."""
        key = strip_key(part)
        top = suggestions[0]
        rivals = [
            s for s in suggestions[1:] if self._closeness(key, s) <= self._closeness(key, top)
        ]
        if not rivals:
            return top
        counts = self.popularity([top, *rivals])
        best_rival = max(counts.get(s, 0) for s in rivals)
        return top if counts.get(top, 0) >= max(10 * best_rival, 10) else None

    def _slash(self, part: str) -> list[Resolution]:
        """'ERK1/2' and 'CDK4/6' are one group of two genes; 'PI3K/AKT' is two terms."""
        match = _SLASH_DIGITS_RE.match(part)
        if match:
            stem, first, rest, tail = match.groups()
            numbers = [first, *rest.strip("/").split("/")]
            if not tail and numbers[-1][-1].isupper() and all(n.isdigit() for n in numbers[:-1]):
                numbers[-1], tail = numbers[-1][:-1], numbers[-1][-1]  # S1/2P: S1P and S2P
            names = [stem + n + tail for n in numbers]
            found = [self.resolve(name) for name in names]
            # TSC1 is a symbol, though CCL26 has it as an alias: the numbered name reads as it
            found = [
                replace(r, kind=KIND_GENE, symbols=r.symbols[:1])
                if r.kind == KIND_AMBIGUOUS and r.symbols[0].upper() == n.upper()
                else r
                for n, r in zip(names, found, strict=True)
            ]
            if all(r.resolved for r in found):
                symbols = tuple(dict.fromkeys(s for r in found for s in r.symbols))
                return [
                    Resolution(
                        part,
                        KIND_FAMILY,
                        symbols,
                        label=f"{part} ({', '.join(symbols)})",
                        name=part,
                        note=" + ".join(
                            f"{n}={'/'.join(r.symbols)}" for n, r in zip(names, found, strict=True)
                        ),
                    )
                ]
        pieces = [
            r for piece in part.split("/") if piece for r in self._with_fuzzy(piece, bare=False)[0]
        ]
        return same_gene(part, pieces) or pieces
