"""The one PDF pipeline: every document the platform prints (the contract, the émargement sheets) goes
through :func:`rendre_pdf`, or :func:`document` and :func:`fusionner` for a batch.

- One stylesheet, ``static/css/pdf.css``, with the fonts shipped in ``static/fonts/`` (DejaVu Sans,
  declared by ``@font-face`` on the local files: the PDF looks the same on a fresh machine, whatever
  fonts it has installed).
- The stylesheet is parsed, and its fonts loaded, once per process (per thread, WeasyPrint's objects
  not being shared across threads): a sheet then costs its own layout only.
- Nothing leaves the server while a PDF is drawn: :class:`FichiersLocaux` serves ``data:`` URIs and
  the files under ``static/``, and refuses everything else. Images (signatures) and SVG (the frise)
  are written inline by the templates, as ``data:`` URIs or markup (:func:`data_uri`).
- Every document gets the PLIE's and the funders' mentions from one place (:data:`MENTIONS_FINANCEURS`).
"""

import base64
import logging
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

# WeasyPrint logs each of its seven steps at INFO: seven lines per sheet would flood the worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

STATIC_DIR = Path(settings.BASE_DIR) / "static"
STYLESHEET = STATIC_DIR / "css" / "pdf.css"

# The funders' mentions printed on every document (FSE+ publicity rules: the Union's support is stated
# on every document given to a participant). One place for their words.
MENTIONS_FINANCEURS = (
    "Action cofinancée par l'Union européenne (Fonds social européen plus, FSE+)",
    "avec le soutien du Département et des collectivités partenaires du PLIE",
)

# Measured (benchmarks/run.py, plie/pdf.py's OPTIONS): compressing the streams costs little and
# halves the file; full fonts instead of subsets skip the subsetting but make each sheet ~700 kB.
# optimize_images stays off: signatures are small PNGs already, re-encoding them costs time.
OPTIONS = {"presentational_hints": False, "optimize_images": False, "uncompressed_pdf": False, "full_fonts": False}


class RessourceRefusee(ValueError):
    """A document asked for something other than a local file or a data: URI."""


class FichiersLocaux(URLFetcher):
    """The fetcher of every document: ``data:`` URIs and files under ``static/``, nothing else (no
    network, no file elsewhere on the disk)."""

    def __init__(self, racine=STATIC_DIR):
        super().__init__(allowed_protocols={"data", "file"})
        self.racine = Path(racine).resolve()

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.is_relative_to(self.racine) and path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})
        raise RessourceRefusee(f"Ressource refusée dans un document (fichiers locaux seulement) : {url[:200]}")


class _Outils(threading.local):
    """The font configuration, the fetcher and the parsed stylesheet, built at first use."""

    font_config = None
    fetcher = None
    css = None


_outils = _Outils()


def outils():
    """(font configuration, fetcher, stylesheet), built once per process (and thread)."""
    if _outils.css is None:
        font_config = FontConfiguration()
        fetcher = FichiersLocaux()
        _outils.css = CSS(filename=str(STYLESHEET), font_config=font_config, url_fetcher=fetcher)
        _outils.font_config, _outils.fetcher = font_config, fetcher
    return _outils.font_config, _outils.fetcher, _outils.css


def oublier_outils():
    """Forget the cached stylesheet (tests that change it; a process picks it up again at first use)."""
    _outils.css = _outils.font_config = _outils.fetcher = None


def data_uri(contenu: bytes, mime="image/png") -> str:
    """An image written inline in the document (a signature's PNG, say)."""
    return f"data:{mime};base64,{base64.b64encode(bytes(contenu)).decode('ascii')}"


def contexte(context):
    return {"mentions_financeurs": MENTIONS_FINANCEURS, **context}


def rendre_html(template, context, request=None) -> str:
    return render_to_string(template, contexte(context), request=request)


def document(template, context, request=None):
    """The laid-out document (WeasyPrint's ``Document``): a batch joins several into one PDF."""
    return document_html(rendre_html(template, context, request))


def document_html(source: str):
    font_config, fetcher, css = outils()
    return HTML(string=source, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher).render(
        stylesheets=[css], font_config=font_config, **OPTIONS
    )


def ecrire(doc) -> bytes:
    return doc.write_pdf(**OPTIONS)


def rendre_pdf(template, context, request=None) -> bytes:
    """The PDF of one document."""
    return ecrire(document(template, context, request))


def fusionner(documents) -> bytes:
    """One PDF of several documents, each keeping its own page numbers (« page 1 / 2 » per sheet);
    the fonts are embedded once for the whole file."""
    documents = list(documents)
    pages = [page for doc in documents for page in doc.pages]
    return ecrire(documents[0].copy(pages))


def reponse_pdf(contenu: bytes, nom_fichier: str, *, telecharger=False) -> HttpResponse:
    """The HTTP answer: shown in the browser (inline) or saved (attachment); never cached by a proxy."""
    response = HttpResponse(contenu, content_type="application/pdf")
    disposition = "attachment" if telecharger else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{nom_fichier}"'
    response["Cache-Control"] = "private, no-store"
    return response
