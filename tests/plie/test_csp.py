"""Strict Content-Security-Policy: no inline code in any template we render, and the headers on every response."""

import json
import re
from pathlib import Path

import crispy_bootstrap5
import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
# Our templates, and the third-party ones we render inside our pages (crispy-forms' Bootstrap 5
# fields). The admin has its own templates: the Chromium sweep checks the pages it shows.
TEMPLATE_DIRS = [ROOT / "templates", Path(crispy_bootstrap5.__file__).parent / "templates"]

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
REFUSED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb"]

SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<code>.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
DATA_SCRIPT = re.compile(r"""\btype\s*=\s*["']?application/(ld\+)?json""", re.IGNORECASE)
INLINE = [
    (re.compile(r"<style\b", re.IGNORECASE), "élément <style> en ligne"),
    (re.compile(r"""[\s"']style\s*=""", re.IGNORECASE), "attribut style="),
    (re.compile(r"""[\s"']on[a-z]+\s*=""", re.IGNORECASE), "gestionnaire on…="),
    (re.compile(r"\bhx-on", re.IGNORECASE), "attribut hx-on"),
    (re.compile(r"javascript:", re.IGNORECASE), "adresse javascript:"),
]


COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)


def line_of(text, index):
    return text.count("\n", 0, index) + 1


def inline_code(text):
    """(line, what) for each piece of inline code the strict policy would block."""
    # Template comments are not rendered; blanked out, keeping the line numbers.
    text = COMMENT.sub(lambda match: "\n" * match.group().count("\n"), text)
    found = []
    for match in SCRIPT.finditer(text):
        if match.group("code").strip() and not DATA_SCRIPT.search(match.group("attrs")):
            found.append((line_of(text, match.start()), "<script> avec du code en ligne"))
    for pattern, what in INLINE:
        found.extend((line_of(text, match.start()), what) for match in pattern.finditer(text))
    return sorted(found)


def templates():
    files = [path for folder in TEMPLATE_DIRS for path in sorted(folder.rglob("*.html"))]
    assert len(files) > 80, f"only {len(files)} templates found: is a folder missing?"
    return files


@pytest.mark.parametrize(
    ("snippet", "what"),
    [
        ("<p>x</p>\n<script>alert(1)</script>", "<script> avec du code en ligne"),
        ('<script type="text/javascript">\n  go();\n</script>', "<script> avec du code en ligne"),
        ('<div class="a" style="width: 5%">', "attribut style="),
        ("<style>p { color: red }</style>", "élément <style> en ligne"),
        ('<button onclick="go()">', "gestionnaire on…="),
        ("<body onload='go()'>", "gestionnaire on…="),
        ('<form hx-on::after-request="go()">', "attribut hx-on"),
        ('<a href="javascript:go()">', "adresse javascript:"),
    ],
)
def test_scanner_finds_each_kind_of_inline_code(snippet, what):
    assert what in [found for _, found in inline_code(snippet)]


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/js/session.js"></script>',
        '<script id="data" type="application/json">{"a": 1}</script>',
        '<form method="post" action="/x/" data-option="1">',
        "<p>Les sessions sont limitées</p>",
        "{# no hx-on, no <style> here #}",
    ],
)
def test_scanner_accepts_what_the_policy_allows(snippet):
    assert inline_code(snippet) == []


def test_no_template_holds_inline_code():
    problems = [f"{path}:{line} : {what}" for path in templates() for line, what in inline_code(path.read_text())]
    assert not problems, "Code en ligne interdit par la CSP :\n" + "\n".join(problems)


def test_static_javascript_uses_no_eval():
    """Our scripts must run under script-src 'self' without 'unsafe-eval'."""
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        text = path.read_text()
        for pattern in (r"\beval\(", r"new Function\(", r"setTimeout\(\s*[\"']", r"setInterval\(\s*[\"']"):
            assert not re.search(pattern, text), f"{path.name}: {pattern}"


def policy_of(response):
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']}: no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_security_headers(response):
    path = response.request["PATH_INFO"]
    assert policy_of(response) == EXPECTED_POLICY, path
    features = dict(
        item.strip().split("=", 1) for item in response.headers.get("Permissions-Policy", "").split(",") if item
    )
    for feature in REFUSED_FEATURES:
        assert features.get(feature) == "()", f"{path}: {feature} not refused ({features})"
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", path


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/compte/connexion/", 200),
        ("/", 302),
        ("/page-qui-n-existe-pas/", 404),
        ("/healthz/", 200),
        ("/static/css/plie.css", 200),
        ("/static/js/session.js", 200),
        ("/admin/login/", 200),
    ],
)
def test_anonymous_responses_carry_the_security_headers(url, status):
    response = Client().get(url)
    assert response.status_code == status
    assert_security_headers(response)


@pytest.mark.parametrize(
    "who", ["coordination", "referent_a", "prescripteur", "bureau_insertion", "operateur", "financeur"]
)
def test_every_role_gets_the_security_headers(personas, client_for, who):
    client = client_for(getattr(personas, who))
    responses = [client.get("/"), client.get("/notifications/"), client.get(f"/parcours/{personas.parcours.pk}/")]
    responses.append(client.post("/compte/session/maintenir/"))
    # The parcours answers 200 or 404 depending on the role: the headers are the same.
    assert [response.status_code for response in responses[:2]] == [200, 200]
    assert responses[-1].status_code == 204
    for response in responses:
        assert_security_headers(response)


def test_error_responses_carry_the_security_headers(personas, client_for):
    client = client_for(personas.prescripteur)
    not_found = client.get("/parcours/999999/")
    assert not_found.status_code == 404
    refused = client.get("/referentiel/")
    assert refused.status_code == 403
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(personas.referent_a)
    csrf_refused = csrf_client.post("/notifications/tout-lu/")
    assert csrf_refused.status_code == 403
    for response in (not_found, refused, csrf_refused):
        assert_security_headers(response)


def test_htmx_is_configured_for_the_strict_policy(personas, client_for):
    """htmx may neither evaluate code nor inject its indicator <style>: the policy would block both."""
    html = client_for(personas.coordination).get("/").content.decode()
    meta = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", html)
    assert meta, "base.html must configure htmx"
    assert json.loads(meta.group(1)) == {"allowEval": False, "includeIndicatorStyles": False}


def comments_spanning_lines(text: str) -> list[int]:
    """Lines where a ``{# … #}`` comment does not close on its line: Django prints such a « comment » as text."""
    return [
        number
        for number, line in enumerate(text.splitlines(), 1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]


def test_the_comment_scanner_finds_a_comment_over_two_lines():
    assert comments_spanning_lines("<ol>{# one line #}\n{# two\nlines #}</ol>") == [2]


def test_no_template_comment_spans_two_lines():
    problems = [f"{path}:{line}" for path in templates() for line in comments_spanning_lines(path.read_text())]
    assert not problems, "Commentaire {# #} sur plusieurs lignes (affiché tel quel) :\n" + "\n".join(problems)
