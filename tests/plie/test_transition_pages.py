"""Views and templates find a transition's page, form and service in its machine's one mapping
(``parcours.transitions``, ``prescriptions.transitions``): none compares transition names by hand."""

import pathlib
import re

from parcours.workflow import TRANSITIONS as PARCOURS
from prescriptions.workflow import TRANSITIONS as PRESCRIPTIONS

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ["parcours", "prescriptions"]
NAMES = sorted({*PARCOURS, *PRESCRIPTIONS})
LITERAL = "|".join(NAMES)
PATTERNS = [
    # ``if name == …``, ``{% if action == "refus" %}``, ``t.name in (…)``
    re.compile(r"(?<![\w.])(name|action)\s*(==|!=)"),
    re.compile(r"\b(t|transition|page)\.name\s*(==|!=|in\b)"),
    # a transition's name compared or looked for by hand: ``== "refuser"``, ``"envoyer" in request.POST``
    re.compile(rf"(==|!=)\s*[\"']({LITERAL})[\"']"),
    re.compile(rf"[\"']({LITERAL})[\"']\s*(==|!=|in\b)"),
]


def _sources():
    for app in APPS:
        yield from (ROOT / app / "views").rglob("*.py")
        yield from (ROOT / "templates" / app).rglob("*.html")


def test_the_scan_reads_the_views_and_templates_of_both_machines():
    scanned = {path.relative_to(ROOT).as_posix() for path in _sources()}
    assert {"parcours/views/detail.py", "prescriptions/views/coordination.py"} <= scanned
    assert {"templates/parcours/detail.html", "templates/prescriptions/decision.html"} <= scanned


def test_the_patterns_catch_what_they_forbid():
    offending = [
        'if name == "accueillir":',
        '{% if action == "refus" %}',
        "if transition.name in {'refuser', 'annuler'}:",
        'sending = "envoyer" in request.POST',
        "{% if t.name == 'orienter' %}",
    ]
    for line in offending:
        assert any(p.search(line) for p in PATTERNS), line
    allowed = ["{% if field.name == 'motifs' %}", "page = PAGES[name]", "ENVOI.name in request.POST"]
    for line in allowed:
        assert not any(p.search(line) for p in PATTERNS), line


def test_no_view_or_template_compares_transition_names_by_hand():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if any(p.search(line) for p in PATTERNS)
    ]
    assert not offenders, offenders
