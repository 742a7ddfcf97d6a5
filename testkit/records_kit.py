"""Builders for small record files used across tests."""

from pathlib import Path

GOOD = """---
figid: {figid}
figtitle: {title}
pmcid: {pmcid}
filename: f1.jpg
caption: A caption about KRAS and EGFR.
papertitle: A paper.
reftext: Someone, et al. J. 2020.
year: '2020'
organisms:
- Homo sapiens
keywords: a | b
automl_pathway: 0.9
schema-jsonld:
  '@type': Dataset
  keywords:
{genes}
---
"""


def record(figid: str = "PMC1__f1", title: str = "A figure", genes=("KRAS", "EGFR")) -> str:
    """A minimal current-generation record."""
    return GOOD.format(
        figid=figid,
        title=title,
        pmcid=figid.split("__")[0],
        genes="\n".join(f"  - {g}" for g in genes),
    )


def write(folder: Path, name: str, text: str | bytes) -> Path:
    """Write one file (text as UTF-8, or raw bytes) and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
