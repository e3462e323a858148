"""PDF of a published version (WeasyPrint), styled by the same notice CSS and its print rules."""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalStatic(URLFetcher):
        """Serves /static/... from disk and refuses everything else: a PDF never fetches from the network."""

        def fetch(self, url, headers=None):
            marker = "/static/"
            if marker in url:
                relative = url.split(marker, 1)[1].split("?", 1)[0]
                path = (STATIC / relative).resolve()
                if STATIC in path.parents and path.is_file():
                    return URLFetcherResponse(
                        url, body=path.read_bytes(), headers={"Content-Type": "text/css"}
                    )
            raise ValueError(f"not fetched: {url}")

    return LocalStatic()


# PDF/UA-1: a tagged PDF (headings, lists, tables and links in a structure tree, the document's
# language and title) that screen readers can read, not only print.
PDF_VARIANT = "pdf/ua-1"


def pdf_of(html: str, base_url: str = "http://seloste.local/") -> bytes:
    """The PDF of a rendered notice page, tagged for accessibility; its links are resolved against
    base_url (BASE_URL) and stay clickable."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url, url_fetcher=_fetcher()).write_pdf(pdf_variant=PDF_VARIANT)
