"""The spellings one search word may have in a caption, for an FTS5 OR group.

FTS5's porter tokenizer (on unicode61, diacritics removed) already meets plurals and most
suffixes (receptor/receptors, signaling/signalling). What it cannot meet is listed here,
as a few rules and a small curated table, each checked by tests/test_search.py:

- British and American spelling: tumour/tumor, haematopoietic/hematopoietic,
  foetal/fetal, oestrogen/estrogen, metabolised/metabolized (porter stems the -ise form
  to 'metabolis' but the -ize form to 'metabol', as it does 'metabolism'), analyse/analyze;
- words written joined or split: coculture/co-culture, upregulation/up-regulation;
- Greek letters as letters, names or HGNC's letter: IL-1β, IL-1beta, IL1B; HIF-1α.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .resolve import GREEK as RESOLVER_GREEK

# The Greek letters gene and protein names end in (IL-1β, HIF-1α, PKCζ): as letter, name and
# HGNC's Latin letter, from the resolver's table. Not τ, π or ρ: 'tau' is a protein.
GREEK = {
    letter: (name, code.lower())
    for letter, (name, code) in RESOLVER_GREEK.items()
    if letter in "αβγδεκλμθζ"
}
_BY_NAME = {name: letter for letter, (name, _) in GREEK.items()}
_NAME_RE = re.compile(r"(?<![a-z])(" + "|".join(sorted(_BY_NAME, key=len, reverse=True)) + ")$")
# A gene-style word ending in HGNC's letter for a Greek one: il1b, hif1a, tgfb1 is not
_HGNC_GREEK_RE = re.compile(r"^([a-z]+)-?(\d+)([abgdek])$")

# Curated pairs (British, American) whose difference no rule below covers safely.
PAIRS = (
    ("tumour", "tumor"),
    ("behaviour", "behavior"),
    ("colour", "color"),
    ("favour", "favor"),
    ("flavour", "flavor"),
    ("humour", "humor"),
    ("labour", "labor"),
    ("odour", "odor"),
    ("vapour", "vapor"),
    ("neighbour", "neighbor"),
    ("centre", "center"),
    ("fibre", "fiber"),
    ("litre", "liter"),
    ("metre", "meter"),
    ("analogue", "analog"),
    ("catalogue", "catalog"),
    ("defence", "defense"),
    ("licence", "license"),
    ("grey", "gray"),
    ("mould", "mold"),
    ("aluminium", "aluminum"),
    ("sulphate", "sulfate"),
    ("sulphur", "sulfur"),
    ("programme", "program"),
    ("ageing", "aging"),
)
_PAIR = {**dict(PAIRS), **{american: british for british, american in PAIRS}}
# Greek-derived digraphs British spelling keeps: (British start, American start)
DIGRAPHS = (
    ("haem", "hem"),
    ("anaem", "anem"),
    ("leukaem", "leukem"),
    ("ischaem", "ischem"),
    ("hypoxaem", "hypoxem"),
    ("septicaem", "septicem"),
    ("glycaem", "glycem"),
    ("hyperglycaem", "hyperglycem"),
    ("hypoglycaem", "hypoglycem"),
    ("oestr", "estr"),
    ("oesoph", "esoph"),
    ("oedem", "edem"),
    ("foet", "fet"),
    ("paed", "ped"),
    ("orthopaed", "orthoped"),
    ("gynaec", "gynec"),
    ("caec", "cec"),
    ("coeliac", "celiac"),
    ("diarrhoe", "diarrhe"),
    ("apnoe", "apne"),
    ("dyspnoe", "dyspne"),
    ("amoeb", "ameb"),
    ("manoeuv", "maneuv"),
)
# Prefixes written joined or hyphenated (co-culture, up-regulation, non-coding)
PREFIXES = ("co", "up", "down", "pre", "post", "non", "anti", "multi", "self", "cross", "over")
_MAX = 12  # spellings of one word at the most (each is an FTS5 term look-up)


@lru_cache(maxsize=4096)
def spellings(word: str) -> tuple[str, ...]:
    """The word and the other ways it may be written, each as an FTS5 string (a string
    with a space is a phrase: 'co culture', 'il 1β')."""
    word = word.lower()
    forms = [word, *_british_american(word)]
    forms += [g for form in list(forms) for g in _greek(form)]
    found: list[str] = []
    for form in forms:
        found += _joined_split(form)
    return tuple(dict.fromkeys(found))[:_MAX]


def _british_american(word: str) -> list[str]:
    found = []
    for stem, other in _PAIR.items():
        if word.startswith(stem):
            found.append(other + word[len(stem) :])
    for british, american in DIGRAPHS:
        if word.startswith(british):
            found.append(american + word[len(british) :])
        elif word.startswith(american) and not word.startswith(british):
            found.append(british + word[len(american) :])
    ize = re.sub(r"is(e|ed|es|ing|ation|ations|er|ers)$", r"iz\1", word)
    ise = re.sub(r"iz(e|ed|es|ing|ation|ations|er|ers)$", r"is\1", word)
    yze = re.sub(r"ys(e|ed|es|ing)$", r"yz\1", word)
    yse = re.sub(r"yz(e|ed|es|ing)$", r"ys\1", word)
    found += [w for w in (ize, ise, yze, yse) if w != word and len(w) > 5]
    doubled = re.sub(r"([aeiou])ll(ing|ed|er)$", r"\1l\2", word)  # signalling, labelled
    single = re.sub(r"([aeiou])l(ing|ed|er)$", r"\1ll\2", word)
    found += [w for w in (doubled, single) if w != word]
    return found


def _greek(word: str) -> list[str]:
    """IL-1β, IL-1beta and IL1B meet; HIF-1α and HIF-1alpha."""
    found = []
    if any(letter in word for letter in GREEK):
        spelled = word
        latin = word
        for letter, (name, code) in GREEK.items():
            spelled = spelled.replace(letter, name)
            latin = latin.replace(letter, code)
        found += [spelled, latin]
    named = _NAME_RE.search(word)
    if named:
        letter = _BY_NAME[named.group(1)]
        found += [word[: named.start()] + letter, word[: named.start()] + GREEK[letter][1]]
    coded = _HGNC_GREEK_RE.match(word)
    if coded:
        prefix, number, latin_letter = coded.groups()
        for letter, (name, code) in GREEK.items():
            if code == latin_letter:
                found += [f"{prefix}-{number}{letter}", f"{prefix}-{number}{name}"]
    return found


def _joined_split(word: str) -> list[str]:
    """'co-culture' is the phrase 'co culture' and the word 'coculture'; 'coculture'
    is also the phrase."""
    if "-" in word:
        parts = [p for p in word.split("-") if p]
        return [" ".join(parts), "".join(parts)]
    for prefix in PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 4 and rest[0].isalpha():
            return [word, f"{prefix} {rest}"]
    return [word]
