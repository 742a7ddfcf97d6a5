"""Gene, family and typo resolution over the lexicon's name index (store/names.py)."""

import re
import unicodedata
from collections.abc import Callable, Iterator

from rapidfuzz.distance import OSA

from .models import KIND_AMBIGUOUS, KIND_FAMILY, KIND_GENE, KIND_NONE, Resolution
from .names import (
    RANK_ALIAS,
    RANK_CURATED,
    RANK_FAMILY,
    RANK_NAME,
    RANK_OTHER_ALIAS,
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
_STRIP_RE = re.compile(r"[\s\-_‐‑‒–—]+")
_INTEGRIN_RE = re.compile(r"^integrin[\s-]*(alpha|beta)[\s-]*([0-9a-z]{1,4})$", re.IGNORECASE)
_SLASH_DIGITS_RE = re.compile(r"^(.*?[A-Za-z-])(\d+[A-Za-z]?)((?:/\d+[A-Za-z]?)+)$")
_PLURAL_RE = re.compile(r"^(.{2,}[^sS'])s$")  # 'TLRs' -> 'TLR'; never 'Ras' -> 'Ra' (below)
_CHAIN_RE = re.compile(r"\s*[–—:+]\s*|(?<=[A-Za-z0-9α-ω])-(?=[A-Za-zα-ω])")
_TOKEN_EDGES = "?!.,;:()[]{}\"'“”‘’«»"
_GENE_LIKE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,11}$")

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
# common English words that happen to be symbols or aliases. A bare `CAT` or `SET` is
# still a gene: these only apply to lower-case tokens inside a longer query.
FILLER = frozenset(
    [
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


def fold(text: str) -> str:
    """NFKC-normalise (full-width letters, look-alike hyphens) and trim."""
    return unicodedata.normalize("NFKC", text).strip()


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
        integrin = _INTEGRIN_RE.match(_GREEK_RE.sub(lambda m: GREEK[m.group(0)][0], text))
        if integrin:  # 6. protein-name pattern: integrin β3 -> ITGB3
            letter = "A" if integrin.group(1).lower() == "alpha" else "B"
            yield [f"ITG{letter}{integrin.group(2).upper()}"], False

    def resolve(self, term: str) -> Resolution:
        """Resolve one term without fuzzy matching (digits are Entrez ids)."""
        text = fold(term)
        if not text:
            return Resolution(term, KIND_NONE)
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
            if hits:
                return self._choose(term, hits)
        return self._microrna(text) or Resolution(term, KIND_NONE)

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
        return Resolution(
            term,
            KIND_AMBIGUOUS,
            tuple(genes),
            label=primary,
            note=(note + "; " if note else "") + f"also names {others}",
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
        text = fold(text).strip(_TOKEN_EDGES + " ")
        whole = self.resolve(text) if text else Resolution(text, KIND_NONE)
        if whole.resolved or whole.kind == KIND_AMBIGUOUS or (whole.note and text.isdigit()):
            return [whole], []
        parts = tokens(text)
        if len(parts) == 1 and "/" not in parts[0]:
            return self._with_fuzzy(parts[0], bare=True)
        sentence = len(parts) > 1
        resolutions: list[Resolution] = []
        suggestions: list[str] = []
        for part in parts:
            if sentence and part.lower() in FILLER and not part.isupper():
                continue
            found, guesses = self._term(part, sentence)
            resolutions += found
            suggestions += guesses
        return resolutions, list(dict.fromkeys(suggestions))

    def _term(self, part: str, in_sentence: bool) -> tuple[list[Resolution], list[str]]:
        if "/" in part:
            return self._slash(part), []
        if in_sentence and part.isalpha() and part == part.lower() and len(part) > 3:
            found = self.resolve(part)  # lower-case words in a sentence: only exact symbols
            exact = found.kind == KIND_GENE and found.symbols[0].upper() == part.upper()
            return ([found], []) if exact else ([], [])
        return self._with_fuzzy(part, bare=not in_sentence)

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
            stem, first, rest = match.groups()
            names = [stem + first] + [stem + n for n in rest.strip("/").split("/")]
            found = [self.resolve(name) for name in names]
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
        return [
            r for piece in part.split("/") if piece for r in self._with_fuzzy(piece, bare=False)[0]
        ]
