"""The one check of every upload (plie/fichiers.py): each refusal in French, the checked type returned."""

import re

import pytest
from django import forms
from django.core.exceptions import ValidationError

from plie import fichiers
from tests.fichiers_exemples import HTML, PDF, image, upload


def refus(name, content):
    with pytest.raises(ValidationError) as caught:
        fichiers.verifier_fichier(upload(name, content))
    [message] = caught.value.messages
    return caught.value.code, message


@pytest.mark.parametrize(
    ("name", "content", "type_attendu", "extension"),
    [
        ("facture.pdf", PDF, "application/pdf", ".pdf"),
        ("Ticket de caisse.PNG", image("PNG"), "image/png", ".png"),
        ("photo.jpg", image("JPEG"), "image/jpeg", ".jpg"),
        ("photo.jpeg", image("JPEG"), "image/jpeg", ".jpeg"),
        ("releve.12.03.2026.pdf", PDF, "application/pdf", ".pdf"),  # dots in a name are no double extension
    ],
)
def test_a_pdf_or_an_image_is_accepted_with_its_checked_type(name, content, type_attendu, extension):
    # What the browser claims is never read.
    verifie = fichiers.verifier_fichier(upload(name, content, content_type="text/html"))
    assert (verifie.type, verifie.extension, verifie.nom) == (type_attendu, extension, name)
    assert verifie.fichier.read() == content  # rewound after sniffing


def test_an_empty_file_is_refused():
    assert refus("facture.pdf", b"") == ("vide", "Ce fichier est vide (0 octet) : choisissez le bon fichier.")


def test_the_limit_is_accepted_and_one_byte_over_is_refused():
    exact = PDF + b"0" * (fichiers.TAILLE_MAX - len(PDF))
    assert fichiers.verifier_fichier(upload("facture.pdf", exact)).type == "application/pdf"
    code, message = refus("facture.pdf", exact + b"0")
    assert code == "taille"
    assert "au-delà de la taille maximale de 5 Mo (5\u202f242\u202f880 octets)" in message
    assert "(5\u202f242\u202f881 octets)" in message


def test_an_html_file_named_pdf_is_refused_by_its_content():
    code, message = refus("facture.pdf", HTML)
    assert code == "contenu"
    assert message.startswith("Le contenu de ce fichier n'est pas un PDF, malgré son extension « .pdf »")


@pytest.mark.parametrize("name", ["facture.pdf.exe", "photo.php.jpg", "facture.html.pdf", "scan.PDF.js"])
def test_a_double_extension_is_refused(name):
    code, message = refus(name, PDF)
    assert code == "double_extension"
    assert message.startswith("Le nom du fichier porte une double extension (« .")


@pytest.mark.parametrize(("name", "extension"), [("facture.exe", ".exe"), ("page.html", ".html"), ("x.svg", ".svg")])
def test_another_extension_is_refused(name, extension):
    code, message = refus(name, PDF)
    assert code == "extension"
    assert message.startswith(f"Les fichiers « {extension} » ne sont pas acceptés : seuls les PDF, PNG et JPEG")


def test_a_name_without_extension_is_refused():
    assert refus("facture", PDF)[0] == "extension"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("photo.jpg", image("PNG"), "contenu"),  # a PNG is not the JPEG its name says
        ("facture.png", PDF, "contenu"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image"),  # the signature, then nothing valid
        ("photo.jpg", b"\xff\xd8\xff" + b"junk" * 10, "image"),
    ],
)
def test_content_must_be_what_the_extension_says_and_an_image_must_be_readable(name, content, code):
    assert refus(name, content)[0] == code


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\moi\\Documents\\facture.pdf", "facture.pdf"),
        ('fac"ture<script>.pdf', "facturescript.pdf"),
        ("   .pdf", "pdf"),
    ],
)
def test_the_name_shown_keeps_no_path_and_the_stored_name_nothing_typed(sent, shown):
    assert fichiers.nom_affiche(sent) == shown
    verifie = fichiers.FichierVerifie(fichier=None, type="application/pdf", extension=".pdf", nom=shown)
    stored = verifie.nom_stocke()
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", stored)


def test_a_long_name_is_cut_and_keeps_its_extension():
    shown = fichiers.nom_affiche("a" * 300 + ".pdf")
    assert len(shown) == fichiers.NOM_MAX and shown.endswith("….pdf")


class Formulaire(forms.Form):
    fichier = fichiers.FichierVerifieField(label="Justificatif", required=False)


def test_the_form_field_shows_the_limit_and_gives_the_checked_file():
    form = Formulaire()
    assert form.fields["fichier"].help_text == "PDF, PNG ou JPEG, 5 Mo au plus."
    assert 'accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"' in str(form["fichier"])
    form = Formulaire(data={}, files={"fichier": upload("facture.pdf", PDF)})
    assert form.is_valid()
    assert form.cleaned_data["fichier"].type == "application/pdf"
    form = Formulaire(data={}, files={"fichier": upload("facture.pdf", b"")})
    assert not form.is_valid()
    assert form.errors["fichier"] == ["Ce fichier est vide (0 octet) : choisissez le bon fichier."]
    assert Formulaire(data={}).is_valid()  # optional: no file, None
