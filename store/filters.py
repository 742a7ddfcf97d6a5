"""Filters typed inside a query (`organism:mouse since:2020 type:scheme`) or given as CLI
flags: parsed here, applied by the engine to every kind of answer.

    organism:human | organism:mouse | organism:"Danio rerio"   the record's `organisms`
    since:2020 | year:2015-2019 | year:2021                    the paper's year
    type:figure | type:scheme | type:"graphical abstract"      PFOCR's `figtype`

A record that names no organism (many say NA) or no year is left out by a filter on it;
the answer says how many such figures there are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import QueryError

ORGANISMS = {  # what people type -> the species name PFOCR records use
    "human": "Homo sapiens",
    "humans": "Homo sapiens",
    "homo sapiens": "Homo sapiens",
    "mouse": "Mus musculus",
    "mice": "Mus musculus",
    "murine": "Mus musculus",
    "mus musculus": "Mus musculus",
    "rat": "Rattus norvegicus",
    "rattus norvegicus": "Rattus norvegicus",
    "zebrafish": "Danio rerio",
    "danio rerio": "Danio rerio",
    "fly": "Drosophila melanogaster",
    "drosophila": "Drosophila melanogaster",
    "drosophila melanogaster": "Drosophila melanogaster",
    "worm": "Caenorhabditis elegans",
    "c. elegans": "Caenorhabditis elegans",
    "caenorhabditis elegans": "Caenorhabditis elegans",
    "yeast": "Saccharomyces cerevisiae",
    "saccharomyces cerevisiae": "Saccharomyces cerevisiae",
    "arabidopsis": "Arabidopsis thaliana",
    "arabidopsis thaliana": "Arabidopsis thaliana",
    "e. coli": "Escherichia coli",
    "escherichia coli": "Escherichia coli",
}
FIGURE_TYPES = {  # PFOCR's figtype values, lower case -> as written
    "figure": "Figure",
    "scheme": "Scheme",
    "graphical abstract": "Graphical abstract",
    "supplemental figure": "Supplemental figure",
    "supplementary figure": "Supplemental figure",
}
FIRST_YEAR, LAST_YEAR = 1900, 2100
_FILTER_RE = re.compile(
    r'(?<!\S)(organism|species|since|year|type):(?:"([^"]*)"|(\S*))', re.IGNORECASE
)
_YEAR_RANGE_RE = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")


@dataclass(frozen=True)
class Filters:
    """What a query is narrowed to; empty means no narrowing."""

    organisms: tuple[str, ...] = ()  # species names; a figure with any of them passes
    year_min: int | None = None
    year_max: int | None = None
    types: tuple[str, ...] = ()  # figtype values
    said: tuple[str, ...] = field(default=(), compare=False)  # as typed, for messages

    def __bool__(self) -> bool:
        return bool(self.organisms or self.types or self.year_min or self.year_max)

    def describe(self) -> str:
        """'organism:mouse since:2020', as the user typed them."""
        return " ".join(self.said)

    def to_json(self) -> dict:
        return {
            "organisms": list(self.organisms),
            "year_min": self.year_min,
            "year_max": self.year_max,
            "types": list(self.types),
        }

    def merged(self, other: Filters) -> Filters:
        """These and `other` together (CLI flags plus filters typed in the query)."""
        return Filters(
            organisms=tuple(dict.fromkeys(self.organisms + other.organisms)),
            year_min=max(filter(None, (self.year_min, other.year_min)), default=None),
            year_max=min(filter(None, (self.year_max, other.year_max)), default=None),
            types=tuple(dict.fromkeys(self.types + other.types)),
            said=self.said + other.said,
        )


def split_filters(text: str) -> tuple[str, Filters]:
    """The query without its filters, and the filters. Raises QueryError on a bad value."""
    filters = Filters()
    for match in _FILTER_RE.finditer(text):
        name, value = match.group(1).lower(), (match.group(2) or match.group(3) or "").strip()
        filters = filters.merged(parse_filter(name, value, match.group(0)))
    rest = " ".join(_FILTER_RE.sub(" ", text).split())
    return rest, filters


def parse_filter(name: str, value: str, said: str | None = None) -> Filters:
    """One filter, `name:value`; QueryError with a one-line reason when the value is bad."""
    said = said or f"{name}:{value}"
    if not value:
        raise QueryError(f"“{said}” needs a value, e.g. {_EXAMPLES[_CANONICAL[name]]}")
    name = _CANONICAL[name]
    if name == "organism":
        species = ORGANISMS.get(value.lower())
        if species is None and re.fullmatch(r"[A-Z][a-z]+ [a-z]+", value):
            species = value  # a species name written out: 'Xenopus laevis'
        if species is None:
            known = ", ".join(sorted({k for k in ORGANISMS if " " not in k})[:8])
            raise QueryError(
                f"“{said}”: unknown organism; try {known}, or a species name in quotes"
            )
        return Filters(organisms=(species,), said=(said,))
    if name == "type":
        figtype = FIGURE_TYPES.get(value.lower())
        if figtype is None:
            raise QueryError(
                f"“{said}”: unknown figure type; try {', '.join(sorted(FIGURE_TYPES)[:4])}"
            )
        return Filters(types=(figtype,), said=(said,))
    low, high = _years(value, said)
    if name == "since":
        if high != low:
            raise QueryError(f"“{said}”: since takes one year, e.g. since:2020")
        return Filters(year_min=low, said=(said,))
    return Filters(year_min=low, year_max=high, said=(said,))


def _years(value: str, said: str) -> tuple[int, int]:
    match = _YEAR_RANGE_RE.match(value)
    if match:
        low, high = int(match.group(1)), int(match.group(2))
    elif value.isdigit() and len(value) == 4:
        low = high = int(value)
    else:
        raise QueryError(f"“{said}”: a year is four digits, e.g. since:2020 or year:2015-2019")
    if not FIRST_YEAR <= low <= high <= LAST_YEAR:
        raise QueryError(f"“{said}”: years run from {FIRST_YEAR} to {LAST_YEAR}, low to high")
    return low, high


def from_options(
    organism: str | None = None,
    since: str | None = None,
    year: str | None = None,
    figtype: str | None = None,
) -> Filters:
    """The CLI's --organism, --since, --year and --type flags, checked like typed ones."""
    filters = Filters()
    for name, value in (
        ("organism", organism),
        ("since", since),
        ("year", year),
        ("type", figtype),
    ):
        if value is not None:
            filters = filters.merged(parse_filter(name, value.strip()))
    return filters


_CANONICAL = {
    "organism": "organism",
    "species": "organism",
    "since": "since",
    "year": "year",
    "type": "type",
}
_EXAMPLES = {
    "organism": "organism:mouse",
    "since": "since:2020",
    "year": "year:2015-2019",
    "type": "type:scheme",
}
