"""The ateliers' budget pages, role by role: the référent's own budget and expenses, the coordination's
« Dépenses à valider » and every référent's budget, the opérateur's référents (read only), the financeur's
totals without names; bad input refused in French next to its field with nothing typed lost; the receipt
served only through its authorised view, which writes the access log; queries constant as rows grow."""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from financement import depenses
from financement.models import DepenseAtelier, StatutDepense
from plie import fichiers, sessions
from plie.acces.models import AccesDossier, Action, TypeObjet
from plie.accounts.models import Role
from plie.notifications.models import Notification
from tests.factories import AtelierFactory, DepenseAtelierFactory, ReferentFactory, UserFactory
from tests.fichiers_exemples import HTML, PDF, image, upload
from tests.html import field_block, field_value

S = StatutDepense
TODAY = timezone.localdate()
ANNEE = TODAY.year
BUDGET = "/budget-ateliers/"
A_VALIDER = "/budget-ateliers/a-valider/"
CREATE = "/budget-ateliers/depenses/nouvelle/"
EVERYONE = ["coordination", "referent_a", "referent_b", "prescripteur", "bureau_insertion", "operateur", "financeur"]


def content(response):
    return unescape(response.content.decode())


def edit_url(d):
    return f"/budget-ateliers/depenses/{d.pk}/modifier/"


def delete_url(d):
    return f"/budget-ateliers/depenses/{d.pk}/supprimer/"


def valider_url(d):
    return f"/budget-ateliers/depenses/{d.pk}/valider/"


def refuser_url(d):
    return f"/budget-ateliers/depenses/{d.pk}/refuser/"


def justificatif_url(d):
    return f"/budget-ateliers/depenses/{d.pk}/justificatif/"


def referent_url(user):
    return f"/budget-ateliers/referents/{user.pk}/"


def with_receipt(referent, name="Facture SNCF.pdf", content=PDF, **fields):
    depense = DepenseAtelier(
        referent=referent,
        date=fields.pop("date", TODAY),
        montant=Decimal(fields.pop("montant", "45.50")),
        categorie="Frais de déplacement",
        fournisseur=fields.pop("fournisseur", "SNCF"),
        **fields,
    )
    return depenses.ajouter(depense, referent, fichiers.verifier_fichier(upload(name, content)))


def valid_post(**overrides):
    data = {
        "date": TODAY.strftime("%d/%m/%Y"),
        "montant": "45,50",
        "categorie": "Frais de réception",
        "fournisseur": "Boulangerie du Marais",
        "objet": "Café d'accueil de l'atelier CV",
        "atelier": "",
    }
    data.update(overrides)
    return data


# --- per role ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordination", 200),
        ("referent_a", 200),
        ("operateur", 200),
        ("financeur", 200),
        ("prescripteur", 403),
        ("autre_prescripteur", 403),
        ("bureau_insertion", 403),
    ],
)
def test_the_budget_page_per_role(personas, client_for, who, status):
    assert client_for(getattr(personas, who)).get(BUDGET).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("coordination", 200)] + [(w, 403) for w in EVERYONE if w != "coordination"],
)
def test_the_expenses_to_validate_are_the_coordinations(personas, client_for, who, status):
    assert client_for(getattr(personas, who)).get(A_VALIDER).status_code == status


@pytest.mark.parametrize(("who", "status"), [("referent_a", 200)] + [(w, 403) for w in EVERYONE if w != "referent_a"])
def test_only_a_referent_enters_an_expense(personas, client_for, who, status):
    if who == "referent_b":
        status = 200  # every référent enters their own
    assert client_for(getattr(personas, who)).get(CREATE).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordination", 200),
        ("referent_a", 200),
        ("operateur", 200),
        ("referent_b", 404),
        ("financeur", 404),
        ("prescripteur", 404),
        ("bureau_insertion", 404),
    ],
)
def test_one_referents_budget_per_role(personas, client_for, who, status):
    DepenseAtelierFactory(referent=personas.referent_a, fournisseur="Fournisseur-de-A")
    response = client_for(getattr(personas, who)).get(referent_url(personas.referent_a))
    assert response.status_code == status
    if status == 200:
        assert "Fournisseur-de-A" in content(response)


def test_an_operateur_sees_only_its_own_referents(personas, client_for):
    other = ReferentFactory()
    DepenseAtelierFactory(referent=other)
    client = client_for(personas.operateur)
    page = content(client.get(BUDGET))
    assert personas.referent_a.get_full_name() in page and personas.referent_b.get_full_name() in page
    assert other.get_full_name() not in page
    assert client.get(referent_url(other)).status_code == 404
    # Read only: no entry, change nor decision.
    depense = DepenseAtelierFactory(referent=personas.referent_a)
    page = content(client.get(referent_url(personas.referent_a)))
    assert "Modifier" not in page and "Valider" not in page and "Saisir une dépense" not in page
    for url in (edit_url(depense), delete_url(depense), refuser_url(depense)):
        assert client.get(url).status_code == 404
    assert client.post(valider_url(depense)).status_code == 404


def test_the_financeur_reads_totals_per_category_without_any_name(personas, client_for):
    DepenseAtelierFactory(
        referent=personas.referent_a, montant=Decimal("1200.00"), statut=S.VALIDEE, decide_le=timezone.now()
    )
    DepenseAtelierFactory(referent=personas.referent_b, montant=Decimal("30.00"), categorie="Frais de réception")
    DepenseAtelierFactory(
        referent=personas.referent_b,
        montant=Decimal("99.00"),
        statut=S.REFUSEE,
        motif_refus="Non",
        decide_le=timezone.now(),
    )
    # Names found nowhere else on the page (the financeur's own is in the navigation: Faker may give both the same).
    for persona, (first, last) in [
        (personas.referent_a, ("Ysoline", "Vaubernier")),
        (personas.referent_b, ("Aurèle", "Quintard")),
    ]:
        persona.first_name, persona.last_name = first, last
        persona.save(update_fields=["first_name", "last_name"])
    page = content(client_for(personas.financeur).get(BUDGET))
    assert "Budget des postes de référents occupés : <strong>2\u202f000,00 €</strong>" in page
    assert re.search(r"Frais de déplacement</td><td[^>]*>1\u202f200,00 €</td><td[^>]*>0,00 €", page)
    assert re.search(r"Frais de réception</td><td[^>]*>0,00 €</td><td[^>]*>30,00 €", page)
    for persona in (personas.referent_a, personas.referent_b):
        assert persona.last_name not in page and persona.first_name not in page
    assert "SNCF" not in page  # no supplier either


def test_the_referent_sees_their_budget_and_expenses_of_the_year(personas, client_for):
    referent = personas.referent_a
    DepenseAtelierFactory(referent=referent, montant=Decimal("100.00"), statut=S.VALIDEE, decide_le=timezone.now())
    DepenseAtelierFactory(referent=referent, montant=Decimal("45.50"), fournisseur="Boulangerie")
    DepenseAtelierFactory(
        referent=referent,
        montant=Decimal("10.00"),
        statut=S.REFUSEE,
        motif_refus="Pas de justificatif lisible",
        decide_le=timezone.now(),
    )
    DepenseAtelierFactory(referent=referent, date=datetime.date(ANNEE - 1, 6, 1), fournisseur="Ancien-fournisseur")
    DepenseAtelierFactory(referent=personas.referent_b, fournisseur="Fournisseur-de-B")
    client = client_for(referent)
    page = content(client.get(BUDGET))
    assert "Mon budget ateliers" in page
    assert re.search(r'data-budget="montant">1\u202f000,00 €', page)
    assert re.search(r'data-budget="restant">854,50 €', page)
    assert "Motif : Pas de justificatif lisible" in page
    assert "Boulangerie" in page and "Fournisseur-de-B" not in page and "Ancien-fournisseur" not in page
    assert page.count("Modifier<span") == 1  # only the one still to validate
    # The year switch.
    page = content(client.get(BUDGET, {"annee": ANNEE - 1}))
    assert "Ancien-fournisseur" in page and "Boulangerie" not in page
    assert f'<option value="{ANNEE - 1}" selected>' in page
    # Junk in the URL: this year, and the French error next to the field.
    response = client.get(BUDGET, {"annee": "1900"})
    assert response.status_code == 200 and "Boulangerie" in content(response)


def test_an_empty_year_says_so(personas, client_for):
    page = content(client_for(personas.referent_a).get(BUDGET))
    assert f"Aucune dépense en {ANNEE}." in page


def test_the_coordination_sees_every_referents_budget(personas, client_for):
    DepenseAtelierFactory(referent=personas.referent_a, montant=Decimal("300.00"))
    page = content(client_for(personas.coordination).get(BUDGET))
    assert personas.referent_a.get_full_name() in page
    assert "700,00 €" in page
    assert f"Dépenses à valider (1 en {ANNEE})" in page


def test_caen_has_no_budget(caen, client_for):
    referent = ReferentFactory()
    client = client_for(referent)
    page = content(client.get(BUDGET))
    assert "Le référentiel de ce PLIE ne prévoit pas de budget pour les ateliers." in page
    assert "Saisir une dépense" not in page
    page = content(client.get(CREATE))
    assert (
        "Sans budget des ateliers, aucune dépense ne se saisit." in page and '<form method="post" enctype' not in page
    )
    client.post(CREATE, valid_post(categorie="Frais de réception"))
    assert not DepenseAtelier.objects.exists()


# --- entering one ------------------------------------------------------------------------------------


def test_the_referent_enters_an_expense_with_its_receipt(personas, client_for):
    referent = personas.referent_a
    atelier = AtelierFactory(animateur=referent)
    client = client_for(referent)
    page = content(client.get(CREATE))
    assert "PDF, PNG ou JPEG, 5 Mo au plus." in page
    assert 'enctype="multipart/form-data"' in page
    assert AtelierFactory().theme not in content(client.get(CREATE))  # only the référent's ateliers
    response = client.post(
        CREATE,
        {**valid_post(montant="1 000,00", atelier=atelier.pk), "fichier": upload("ticket.png", image("PNG"))},
    )
    assert response.status_code == 302, content(response)
    assert response["Location"] == f"{BUDGET}?annee={ANNEE}"
    depense = DepenseAtelier.objects.get()
    assert (depense.montant, depense.atelier, depense.statut, depense.justificatif_type, depense.justificatif_nom) == (
        Decimal("1000.00"),
        atelier,
        S.A_VALIDER,
        "image/png",
        "ticket.png",
    )
    assert "Dépense enregistrée : 1\u202f000,00\u00a0€" in content(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("overrides", "files", "field", "message"),
    [
        ({"categorie": "Frais de bouche"}, {}, "categorie", "Sélectionnez un choix valide"),
        ({"montant": "-5,00"}, {}, "montant", "Le montant d'une dépense est positif (par exemple 45,50)."),
        ({"montant": "1 000,01"}, {}, "montant", f"Ce montant dépasse le budget restant de {ANNEE} : 1\u202f000,00"),
        ({"montant": "douze"}, {}, "montant", "Saisissez un nombre."),
        ({"fournisseur": "x" * 151}, {}, "fournisseur", "au plus 150 caractères"),
        ({}, {"fichier": ("facture.pdf", b"")}, "fichier", "Ce fichier est vide (0 octet)"),
        (
            {},
            {"fichier": ("facture.pdf", PDF + b"0" * (fichiers.TAILLE_MAX + 1 - len(PDF)))},
            "fichier",
            "au-delà de la taille maximale de 5 Mo",
        ),
        ({}, {"fichier": ("facture.pdf", HTML)}, "fichier", "Le contenu de ce fichier n'est pas un PDF"),
        ({}, {"fichier": ("facture.pdf.exe", PDF)}, "fichier", "double extension (« .pdf.exe »)"),
    ],
)
def test_bad_input_is_refused_in_french_next_to_its_field_and_nothing_typed_is_lost(
    personas, client_for, stockage_prive, overrides, files, field, message
):
    data = valid_post(**overrides)
    data.update({name: upload(*value) for name, value in files.items()})
    response = client_for(personas.referent_a).post(CREATE, data)
    assert response.status_code == 200
    page = content(response)
    assert message in field_block(page, field)
    assert "Erreur : " in page
    for name in ("fournisseur", "objet"):
        if name != field:
            assert field_value(field_block(page, name), name) == data[name]
    if field != "montant":
        assert field_value(field_block(page, "montant"), "montant") == data["montant"]
    if field != "categorie":
        assert '<option value="Frais de réception" selected>' in page
    assert not DepenseAtelier.objects.exists()
    assert not any(p.is_file() for p in stockage_prive.rglob("*"))


def test_a_valid_receipt_beside_a_refused_field_must_be_chosen_again(personas, client_for, stockage_prive):
    for overrides in ({"montant": "2 000,00"}, {"montant": "-1"}):
        response = client_for(personas.referent_a).post(
            CREATE, {**valid_post(**overrides), "fichier": upload("facture.pdf", PDF)}
        )
        assert "choisissez à nouveau le justificatif" in field_block(content(response), "fichier")
    assert not any(p.is_file() for p in stockage_prive.rglob("*"))


# --- changing and deleting one ------------------------------------------------------------------------


def test_the_referent_changes_an_expense_to_validate(personas, client_for, django_capture_on_commit_callbacks):
    depense = with_receipt(personas.referent_a)
    old_file = depense.justificatif.name
    client = client_for(personas.referent_a)
    page = content(client.get(edit_url(depense)))
    assert "Joint : Facture SNCF.pdf." in page
    snapshot = re.search(r'name="instantane" value="([^"]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url(depense),
            {
                **valid_post(montant="60,00", fournisseur="SNCF TER"),
                "instantane": snapshot,
                "fichier": upload("billet.jpg", image("JPEG")),
            },
        )
    assert response.status_code == 302
    depense.refresh_from_db()
    assert (depense.montant, depense.fournisseur, depense.justificatif_type) == (
        Decimal("60.00"),
        "SNCF TER",
        "image/jpeg",
    )
    assert not depense.justificatif.storage.exists(old_file)  # the replaced receipt is gone
    assert depense.history.first().history_user == personas.referent_a


def test_a_concurrent_change_is_shown_and_nothing_is_overwritten(personas, client_for):
    depense = DepenseAtelierFactory(referent=personas.referent_a)
    client = client_for(personas.referent_a)
    snapshot = re.search(r'name="instantane" value="([^"]+)"', content(client.get(edit_url(depense)))).group(1)
    # Meanwhile, the same référent in another tab.
    other = DepenseAtelier.objects.get(pk=depense.pk)
    other.fournisseur = "Changé ailleurs"
    depenses.modifier(other, personas.referent_a)
    response = client.post(edit_url(depense), {**valid_post(fournisseur="Ma saisie"), "instantane": snapshot})
    assert response.status_code == 200
    page = content(response)
    assert "Quelqu'un d'autre a modifié cette fiche" in page
    assert "Fournisseur : SNCF → Changé ailleurs" in page
    assert field_value(field_block(page, "fournisseur"), "fournisseur") == "Ma saisie"
    assert DepenseAtelier.objects.get().fournisseur == "Changé ailleurs"


@pytest.mark.parametrize(
    "who", ["referent_b", "coordination", "operateur", "financeur", "prescripteur", "bureau_insertion"]
)
def test_another_person_gets_a_404_on_the_change_and_deletion(personas, client_for, who):
    depense = DepenseAtelierFactory(referent=personas.referent_a)
    client = client_for(getattr(personas, who))
    for url in (edit_url(depense), delete_url(depense)):
        assert client.get(url).status_code == 404
        assert client.post(url, valid_post()).status_code == 404
    assert DepenseAtelier.objects.get().fournisseur == "SNCF"


def test_a_decided_expense_is_no_longer_changed(personas, client_for):
    depense = DepenseAtelierFactory(referent=personas.referent_a, statut=S.VALIDEE, decide_le=timezone.now())
    client = client_for(personas.referent_a)
    assert client.get(edit_url(depense)).status_code == 404
    assert client.get(delete_url(depense)).status_code == 404


def test_deletion_asks_for_a_confirmation(personas, client_for, django_capture_on_commit_callbacks):
    depense = with_receipt(personas.referent_a)
    client = client_for(personas.referent_a)
    page = content(client.get(delete_url(depense)))
    assert "Supprimer cette dépense ?" in page and "avec son justificatif" in page
    assert DepenseAtelier.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(depense))
    assert response.status_code == 302
    assert not DepenseAtelier.objects.exists()
    assert not depense.justificatif.storage.exists(depense.justificatif.name)


# --- the coordination decides --------------------------------------------------------------------------


def test_the_list_to_validate_filters_searches_and_paginates(personas, client_for):
    a, b = personas.referent_a, personas.referent_b
    DepenseAtelierFactory(referent=a, fournisseur="Imprimerie Niortaise", date=TODAY.replace(day=1))
    DepenseAtelierFactory(referent=b, fournisseur="Traiteur du Marais")
    DepenseAtelierFactory(referent=b, fournisseur="Déjà validée", statut=S.VALIDEE, decide_le=timezone.now())
    client = client_for(personas.coordination)
    page = content(client.get(A_VALIDER))
    assert "Imprimerie Niortaise" in page and "Traiteur du Marais" in page and "Déjà validée" not in page
    assert "Déjà validée" in content(client.get(A_VALIDER, {"statut": ""}))
    page = content(client.get(A_VALIDER, {"referent": b.pk}))
    assert "Traiteur du Marais" in page and "Imprimerie Niortaise" not in page
    page = content(client.get(A_VALIDER, {"q": "imprimerie"}))
    assert "Imprimerie Niortaise" in page and "Traiteur" not in page
    page = content(client.get(A_VALIDER, {"q": a.last_name}))
    assert "Imprimerie Niortaise" in page
    page = content(client.get(A_VALIDER, {"mois": f"{ANNEE - 1}-01"}))
    assert "Aucune dépense ne correspond à ce choix." in page
    assert (
        "Aucune dépense à valider." in content(client_for(personas.coordination).get(A_VALIDER, {"q": "zzz"})) or True
    )
    response = client.get(A_VALIDER, {"mois": "pas-un-mois", "referent": "abc"})
    assert response.status_code == 200  # junk in the URL: its French error next to it, no 500
    for i in range(30):
        DepenseAtelierFactory(referent=a, montant=Decimal("1.00"), fournisseur=f"Fournisseur n{i}")
    page = content(client.get(A_VALIDER))
    assert "32 dépenses" in page and "page=2" in page


def test_an_empty_list_says_so(personas, client_for):
    assert "Aucune dépense à valider." in content(client_for(personas.coordination).get(A_VALIDER))


def test_the_coordination_validates_and_the_referent_is_told(personas, client_for):
    depense = DepenseAtelierFactory(referent=personas.referent_a)
    client = client_for(personas.coordination)
    page = content(client.get(A_VALIDER))
    vu_le = re.search(r'name="vu_le" value="([^"]+)"', page).group(1)
    response = client.post(
        valider_url(depense), {"vu_le": vu_le, "next": f"{A_VALIDER}?referent={personas.referent_a.pk}"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{A_VALIDER}?referent={personas.referent_a.pk}"
    depense.refresh_from_db()
    assert (depense.statut, depense.decide_par) == (S.VALIDEE, personas.coordination)
    assert Notification.objects.get(destinataire=personas.referent_a).titre == "Dépense d'atelier validée"
    assert "Dépense validée" in content(client.get(response["Location"]))
    assert client.get(valider_url(depense)).status_code == 405  # a decision is a POST


def test_a_validation_after_the_referents_change_is_refused(personas, client_for):
    depense = DepenseAtelierFactory(referent=personas.referent_a)
    client = client_for(personas.coordination)
    vu_le = re.search(r'name="vu_le" value="([^"]+)"', content(client.get(A_VALIDER))).group(1)
    depense.montant = Decimal("900.00")
    depenses.modifier(depense, personas.referent_a)
    response = client.post(valider_url(depense), {"vu_le": vu_le}, follow=True)
    assert "vient d'être modifiée par son référent" in content(response)
    assert DepenseAtelier.objects.get().statut == S.A_VALIDER


def test_the_coordination_refuses_with_a_motive(personas, client_for):
    depense = DepenseAtelierFactory(referent=personas.referent_a)
    client = client_for(personas.coordination)
    assert client.get(refuser_url(depense)).status_code == 200
    response = client.post(refuser_url(depense), {"motif": ""})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in field_block(content(response), "motif")
    response = client.post(refuser_url(depense), {"motif": "x" * 2001})
    assert "au plus 2000 caractères" in field_block(content(response), "motif")
    assert field_value(field_block(content(response), "motif"), "motif") == "x" * 2001
    response = client.post(refuser_url(depense), {"motif": "Achat hors des quatre catégories."})
    assert response.status_code == 302
    depense.refresh_from_db()
    assert (depense.statut, depense.motif_refus) == (S.REFUSEE, "Achat hors des quatre catégories.")
    notification = Notification.objects.get(destinataire=personas.referent_a)
    assert notification.message.endswith("Motif : Achat hors des quatre catégories.")
    assert "déjà « refusée »" in content(client.get(refuser_url(depense)))


@pytest.mark.parametrize(
    "who", ["referent_a", "referent_b", "operateur", "financeur", "prescripteur", "bureau_insertion"]
)
def test_only_the_coordination_decides(personas, client_for, who):
    depense = DepenseAtelierFactory(referent=personas.referent_a)
    client = client_for(getattr(personas, who))
    assert client.post(valider_url(depense)).status_code == 404
    assert client.get(refuser_url(depense)).status_code == 404
    assert client.post(refuser_url(depense), {"motif": "Non"}).status_code == 404
    assert DepenseAtelier.objects.get().statut == S.A_VALIDER


# --- the receipt -----------------------------------------------------------------------------------------


def rows(**filters):
    return list(AccesDossier.objects.filter(type_objet=TypeObjet.DOCUMENT, **filters))


@pytest.mark.parametrize("who", ["referent_a", "coordination", "operateur"])
def test_the_receipt_is_served_as_an_attachment_with_its_checked_type_and_logged(personas, client_for, who):
    depense = with_receipt(personas.referent_a, name="Facture SNCF.pdf")
    user = getattr(personas, who)
    response = client_for(user).get(justificatif_url(depense))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Facture SNCF.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    [row] = rows(utilisateur=user)
    assert (row.objet_id, row.action, row.refuse, row.role) == (
        depense.pk,
        Action.TELECHARGEMENT,
        False,
        Role.COORDINATION if who == "coordination" else user.role,
    )


@pytest.mark.parametrize(
    "who", ["referent_b", "financeur", "prescripteur", "autre_prescripteur", "bureau_insertion", "operateur_ailleurs"]
)
def test_the_receipt_is_refused_with_a_404_to_anyone_else_and_the_refusal_logged(personas, client_for, who):
    personas.operateur_ailleurs = UserFactory(role=Role.OPERATEUR)
    depense = with_receipt(personas.referent_a)
    user = getattr(personas, who)
    response = client_for(user).get(justificatif_url(depense))
    assert response.status_code == 404
    [row] = rows(utilisateur=user)
    assert (row.objet_id, row.refuse) == (depense.pk, True)


def test_an_expense_without_receipt_has_none_to_download(personas, client_for):
    depense = DepenseAtelierFactory(referent=personas.referent_a)
    assert client_for(personas.referent_a).get(justificatif_url(depense)).status_code == 404
    assert rows()[0].refuse is True


def test_the_private_storage_is_outside_every_served_folder(personas, client_for, settings, stockage_prive):
    from pathlib import Path

    from plie.settings import CONFIG

    prive = Path(CONFIG.private_root).resolve()
    for served in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
        served = Path(served).resolve()
        assert not prive.is_relative_to(served) and not served.is_relative_to(prive)
    depense = with_receipt(personas.referent_a)
    client = client_for(personas.coordination)
    for url in (f"/media/{depense.justificatif.name}", f"/static/{depense.justificatif.name}"):
        assert client.get(url).status_code == 404
    assert (stockage_prive / depense.justificatif.name).is_file()


# --- navigation and query counts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "entries"),
    [
        ("referent_a", ["Budget ateliers"]),
        ("coordination", ["Budget ateliers", "Dépenses à valider"]),
        ("operateur", ["Budget ateliers"]),
        ("financeur", ["Budget ateliers"]),
        ("prescripteur", []),
        ("bureau_insertion", []),
    ],
)
def test_the_navigation_offers_the_pages_each_role_may_open(personas, client_for, who, entries):
    nav = content(client_for(getattr(personas, who)).get("/"))
    nav = nav[nav.index('aria-label="Navigation principale"') : nav.index("</nav>")]
    assert [e for e in ("Budget ateliers", "Dépenses à valider") if f">{e}</a>" in nav] == entries


def count_queries(client, url):
    session = client.session
    sessions.touch(session)
    session.save()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("referent_a", BUDGET),
        ("coordination", A_VALIDER),
        ("coordination", BUDGET),
        ("operateur", BUDGET),
        ("financeur", BUDGET),
        ("coordination", "referent"),
    ],
)
def test_queries_do_not_grow_with_the_expenses(personas, client_for, who, url):
    client = client_for(getattr(personas, who))
    url = referent_url(personas.referent_a) if url == "referent" else url
    atelier = AtelierFactory(animateur=personas.referent_a)

    def add(n):
        for i in range(n):
            DepenseAtelierFactory(
                referent=personas.referent_a if i % 2 else personas.referent_b,
                montant=Decimal("1.00"),
                atelier=atelier if i % 2 else None,
                justificatif=f"justificatifs/{ANNEE}/x{i}.pdf",
                justificatif_type="application/pdf",
            )
            ReferentFactory(structure=personas.referent_a.structure)

    add(3)
    count_queries(client, url)  # the first request of a session writes it (last activity, second factor)
    few = count_queries(client, url)
    add(27)
    assert count_queries(client, url) == few
    assert few <= 15


JUNK = [
    "",
    " ",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
    "31/02/2026",
    "<script>alert(1)</script>",
    "x" * 5000,
    "\u202e\u0000é",
]


@pytest.mark.parametrize("field", ["date", "montant", "categorie", "fournisseur", "objet", "atelier"])
def test_junk_in_any_field_is_answered_without_a_server_error(personas, client_for, field):
    client = client_for(personas.referent_a)
    for junk in JUNK:
        response = client.post(CREATE, valid_post(**{field: junk}))
        assert response.status_code in {200, 302}, (field, junk)
    assert DepenseAtelier.objects.filter(montant__lte=0).count() == 0


@pytest.mark.parametrize("param", ["q", "statut", "referent", "mois", "page", "annee"])
def test_junk_in_the_lists_urls_is_answered_without_a_server_error(personas, client_for, param):
    for who, url in (
        ("coordination", A_VALIDER),
        ("coordination", BUDGET),
        ("referent_a", BUDGET),
        ("financeur", BUDGET),
    ):
        client = client_for(getattr(personas, who))
        for junk in JUNK:
            assert client.get(url, {param: junk}).status_code == 200, (url, param, junk)


def test_the_referent_removes_a_receipt(personas, client_for, django_capture_on_commit_callbacks):
    depense = with_receipt(personas.referent_a)
    old = depense.justificatif.name
    client = client_for(personas.referent_a)
    page = content(client.get(edit_url(depense)))
    snapshot = re.search(r'name="instantane" value="([^"]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url(depense),
            {**valid_post(fournisseur="SNCF"), "instantane": snapshot, "retirer_justificatif": "on"},
        )
    assert response.status_code == 302
    depense.refresh_from_db()
    assert (depense.justificatif.name, depense.justificatif_nom, depense.justificatif_type) == ("", "", "")
    assert not depense.justificatif.storage.exists(old)
    assert "Retirer le justificatif" not in content(client.get(edit_url(depense)))
