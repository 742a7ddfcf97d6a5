"""Derived links for a figure: PFOCR page, PMC article, DOI and image URL."""

from urllib.parse import quote

PFOCR_FIGURE_URL = "https://pfocr.wikipathways.org/figures/{figid}.html"
PMC_ARTICLE_URL = "https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/"
DOI_URL = "https://doi.org/{doi}"
# Figure images. NCBI's 2024 PMC site stopped serving the old
# www.ncbi.nlm.nih.gov/pmc/articles/{pmcid}/bin/{filename} addresses, and its new image URLs
# carry content hashes no record has. Europe PMC still serves every PMC article's figure
# files under /articles/{pmcid}/bin/{filename}, which is the pattern PFOCR's own tools moved
# to. `image_url_template` in the config overrides it; Slack failing to fetch an image
# falls back to a message without images (handlers/web.py).
DEFAULT_IMAGE_URL_TEMPLATE = "https://europepmc.org/articles/{pmcid}/bin/{filename}"


def pfocr_url(figid: str) -> str:
    """The figure's page on the PFOCR site."""
    return PFOCR_FIGURE_URL.format(figid=quote(figid, safe="._-"))


def pmc_url(pmcid: str | None) -> str | None:
    """The paper's PubMed Central page, or None without a pmcid."""
    return PMC_ARTICLE_URL.format(pmcid=quote(pmcid, safe="")) if pmcid else None


def doi_url(doi: str | None) -> str | None:
    """A doi.org resolver link, or None without a DOI."""
    return DOI_URL.format(doi=quote(doi, safe="/:;()._-")) if doi else None


def image_url(template: str, pmcid: str | None, filename: str | None) -> str | None:
    """The figure image URL from the configured template, or None when a part is missing."""
    if not pmcid or not filename:
        return None
    return template.format(pmcid=quote(pmcid, safe=""), filename=quote(filename, safe="._-"))
