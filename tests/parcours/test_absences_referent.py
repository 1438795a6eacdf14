"""The référent's own absences: entered by the référent (or the coordination), changed with a check for a
concurrent change, deleted after a confirmation; refused input answered in French, next to its field."""

import datetime
import re
from html import unescape

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from parcours.models import AbsenceReferent, NatureAbsence
from tests.html import field_block, field_value
from tests.snapshots import instantane

LUNDI = datetime.date(2026, 3, 2)
CREATE = "/agenda/absences/nouvelle/"
LIST = "/agenda/absences/"
OTHER_ROLES = ["prescripteur", "autre_prescripteur", "bureau_insertion", "operateur", "financeur"]


def absence(referent, debut=LUNDI, jours=5, nature=NatureAbsence.CONGE, **fields):
    return AbsenceReferent.objects.create(
        referent=referent, debut=debut, fin=debut + datetime.timedelta(days=jours - 1), nature=nature, **fields
    )


def edit_url(a):
    return f"/agenda/absences/{a.pk}/"


def delete_url(a):
    return f"/agenda/absences/{a.pk}/supprimer/"


def content(response):
    return unescape(response.content.decode())


# --- entering one -----------------------------------------------------------------------------------


def test_the_referent_enters_their_own_absence(personas, client_for):
    client = client_for(personas.referent_a)
    assert client.get(CREATE).status_code == 200
    response = client.post(
        CREATE, {"debut": "02/03/2026", "fin": "2026-03-06", "nature": "formation", "commentaire": "Formation PLIE"}
    )
    saved = AbsenceReferent.objects.get()
    assert (saved.referent, saved.debut, saved.fin, saved.nature, saved.commentaire, saved.cree_par) == (
        personas.referent_a,
        LUNDI,
        datetime.date(2026, 3, 6),
        NatureAbsence.FORMATION,
        "Formation PLIE",
        personas.referent_a,
    )
    assert response.status_code == 302
    assert response["Location"] == f"/agenda/?referent={personas.referent_a.pk}&jour=2026-03-02&vue=semaine"
    assert saved.history.get().history_user == personas.referent_a
    followed = client.get(response["Location"])
    assert "Absence enregistrée : formation du 02/03/2026 au 06/03/2026." in content(followed)


def test_the_coordination_enters_one_for_any_referent(personas, client_for):
    client = client_for(personas.coordination)
    page = content(client.get(CREATE, {"referent": personas.referent_b.pk}))
    assert f'<option value="{personas.referent_b.pk}" selected>' in page
    response = client.post(
        CREATE, {"referent": personas.referent_b.pk, "debut": "09/03/2026", "fin": "09/03/2026", "nature": "maladie"}
    )
    assert response.status_code == 302
    saved = AbsenceReferent.objects.get()
    assert (saved.referent, saved.cree_par, saved.libelle) == (
        personas.referent_b,
        personas.coordination,
        "Maladie le 09/03/2026",
    )


def test_the_coordination_must_choose_a_referent(personas, client_for):
    response = client_for(personas.coordination).post(
        CREATE, {"debut": "09/03/2026", "fin": "09/03/2026", "nature": "conge"}
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in field_block(content(response), "referent")
    # Anyone else than a référent is not offered, whatever is posted.
    response = client_for(personas.coordination).post(
        CREATE, {"referent": personas.prescripteur.pk, "debut": "09/03/2026", "fin": "09/03/2026", "nature": "conge"}
    )
    assert "Sélectionnez un choix valide" in field_block(content(response), "referent")
    assert not AbsenceReferent.objects.exists()


def test_a_referent_cannot_enter_an_absence_for_a_colleague(personas, client_for):
    client = client_for(personas.referent_a)
    assert client.get(CREATE, {"referent": personas.referent_b.pk}).status_code == 404
    response = client.post(
        f"{CREATE}?referent={personas.referent_b.pk}", {"debut": "02/03/2026", "fin": "02/03/2026", "nature": "conge"}
    )
    assert response.status_code == 404
    # A « referent » field posted by hand is not read: the absence is the référent's own.
    client.post(
        CREATE, {"referent": personas.referent_b.pk, "debut": "02/03/2026", "fin": "02/03/2026", "nature": "conge"}
    )
    assert AbsenceReferent.objects.get().referent == personas.referent_a


# --- refused input ------------------------------------------------------------------------------------


def test_an_end_before_the_start_is_refused_in_french_next_to_the_field_and_nothing_is_lost(personas, client_for):
    response = client_for(personas.referent_a).post(
        # What a browser's date picker sends.
        CREATE,
        {"debut": "2026-03-06", "fin": "2026-03-02", "nature": "conge", "commentaire": "Vacances d'hiver"},
    )
    assert response.status_code == 200
    page = content(response)
    fin = field_block(page, "fin")
    assert "Le dernier jour d'absence ne peut précéder le premier, le 06/03/2026." in fin
    assert 'aria-invalid="true"' in fin or "is-invalid" in fin
    assert field_value(field_block(page, "debut"), "debut") == "2026-03-06"
    assert field_value(fin, "fin") == "2026-03-02"
    assert field_value(field_block(page, "commentaire"), "commentaire") == "Vacances d'hiver"
    assert re.search(r'<option value="conge" selected>', page)
    assert "Erreur : " in page  # the title says so
    assert not AbsenceReferent.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"debut": "", "fin": "", "nature": ""}, "debut", "Ce champ est obligatoire."),
        ({"debut": "31/02/2026", "fin": "02/03/2026", "nature": "conge"}, "debut", "Saisissez une date valide."),
        ({"debut": "02/03/2026", "fin": "02/03/2026", "nature": "vacances"}, "nature", "Sélectionnez un choix valide"),
        (
            {"debut": "02/03/2026", "fin": "02/03/2026", "nature": "conge", "commentaire": "x" * 201},
            "commentaire",
            "au plus 200 caractères",
        ),
    ],
)
def test_bad_input_is_answered_in_french_next_to_its_field(personas, client_for, data, field, message):
    response = client_for(personas.referent_a).post(CREATE, data)
    assert response.status_code == 200
    assert message in field_block(content(response), field)
    assert not AbsenceReferent.objects.exists()


def test_an_overlapping_absence_is_refused(personas, client_for):
    existing = absence(personas.referent_a)
    client = client_for(personas.referent_a)
    response = client.post(CREATE, {"debut": "05/03/2026", "fin": "10/03/2026", "nature": "maladie"})
    assert "Une absence est déjà saisie sur ces jours (congé du 02/03/2026 au 06/03/2026)" in field_block(
        content(response), "debut"
    )
    assert list(AbsenceReferent.objects.all()) == [existing]
    # A colleague's absence on the same days is theirs.
    absence(personas.referent_b)
    response = client.post(CREATE, {"debut": "09/03/2026", "fin": "10/03/2026", "nature": "maladie"})
    assert response.status_code == 302


def test_the_database_refuses_an_end_before_the_start(personas):
    row = absence(personas.referent_a)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        AbsenceReferent.objects.filter(pk=row.pk).update(fin=LUNDI - datetime.timedelta(days=1))
    assert "absence_referent_fin_after_debut" in str(caught.value)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        AbsenceReferent.objects.filter(pk=row.pk).update(nature="sabbatique")
    assert "absence_referent_nature_known" in str(caught.value)


# --- changing and deleting one ------------------------------------------------------------------------


def test_the_referent_changes_their_absence(personas, client_for):
    row = absence(personas.referent_a)
    client = client_for(personas.referent_a)
    data = {**instantane(client, edit_url(row)), "debut": "02/03/2026", "fin": "04/03/2026", "nature": "conge"}
    response = client.post(edit_url(row), data)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.fin == datetime.date(2026, 3, 4)  # its own days are no overlap


def test_a_concurrent_change_is_detected_and_nothing_typed_is_lost(personas, client_for):
    row = absence(personas.referent_a)
    referent, coordination = client_for(personas.referent_a), client_for(personas.coordination)
    seen = instantane(referent, edit_url(row))
    coordination.post(
        edit_url(row),
        {**instantane(coordination, edit_url(row)), "debut": "02/03/2026", "fin": "13/03/2026", "nature": "conge"},
    )
    response = referent.post(
        edit_url(row),
        {**seen, "debut": "2026-03-02", "fin": "2026-03-03", "nature": "formation", "commentaire": "Stage"},
    )
    assert response.status_code == 200
    page = content(response)
    assert "Quelqu'un d'autre a modifié cette fiche" in page
    assert "Dernier jour d'absence : 06/03/2026 → 13/03/2026" in page
    assert field_value(field_block(page, "fin"), "fin") == "2026-03-03"
    assert field_value(field_block(page, "commentaire"), "commentaire") == "Stage"
    row.refresh_from_db()
    assert (row.fin, row.nature) == (datetime.date(2026, 3, 13), NatureAbsence.CONGE)
    # Submitted again after reading, it saves.
    response = referent.post(
        edit_url(row),
        {
            "instantane": response.context["form"]["instantane"].value(),
            "debut": "02/03/2026",
            "fin": "03/03/2026",
            "nature": "formation",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.fin, row.nature) == (datetime.date(2026, 3, 3), NatureAbsence.FORMATION)


def test_deleting_asks_for_a_confirmation(personas, client_for):
    row = absence(personas.referent_a, commentaire="Vacances")
    client = client_for(personas.referent_a)
    page = content(client.get(delete_url(row)))
    assert "Supprimer cette absence ?" in page and "Congé du 02/03/2026 au 06/03/2026 (Vacances)" in page
    assert AbsenceReferent.objects.exists()
    response = client.post(delete_url(row))
    assert response.status_code == 302
    assert not AbsenceReferent.objects.exists()
    assert row.history.filter(history_type="-").get().history_user == personas.referent_a


@pytest.mark.parametrize(("who", "status"), [("referent_a", 200), ("coordination", 200), ("referent_b", 404)])
def test_who_may_change_or_delete_an_absence(personas, client_for, who, status):
    row = absence(personas.referent_a)
    client = client_for(getattr(personas, who))
    assert client.get(edit_url(row)).status_code == status
    assert client.get(delete_url(row)).status_code == status
    if status == 404:
        assert client.post(delete_url(row)).status_code == 404
        assert AbsenceReferent.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("who", OTHER_ROLES)
def test_the_other_roles_are_refused_every_absence_page(personas, client_for, who):
    row = absence(personas.referent_a)
    client = client_for(getattr(personas, who))
    for url in [CREATE, LIST, edit_url(row), delete_url(row)]:
        assert client.get(url).status_code == 403, url
    assert client.post(delete_url(row)).status_code == 403
    assert AbsenceReferent.objects.filter(pk=row.pk).exists()


def test_anonymous_is_sent_to_login(personas):
    row = absence(personas.referent_a)
    for url in [CREATE, LIST, edit_url(row), delete_url(row)]:
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/compte/connexion/"), url


def test_an_unknown_absence_is_a_404(personas, client_for):
    client = client_for(personas.coordination)
    assert client.get("/agenda/absences/999999/").status_code == 404
    assert client.get("/agenda/absences/99999999999999999999/").status_code == 404


# --- the list -------------------------------------------------------------------------------------------


def test_the_list_of_absences(personas, client_for):
    mine = absence(personas.referent_a, commentaire="Vacances")
    theirs = absence(personas.referent_b, debut=LUNDI + datetime.timedelta(days=14), nature=NatureAbsence.MALADIE)
    referent = client_for(personas.referent_a)
    response = referent.get(LIST)
    assert list(response.context["page_obj"]) == [mine]
    assert "Mes absences" in content(response)
    assert referent.get(LIST, {"referent": personas.referent_b.pk}).status_code == 404
    coordination = client_for(personas.coordination)
    assert list(coordination.get(LIST).context["page_obj"]) == [theirs, mine]
    filtered = coordination.get(LIST, {"referent": personas.referent_b.pk})
    assert list(filtered.context["page_obj"]) == [theirs]
    assert f"Absences de {personas.referent_b.get_full_name()}" in content(filtered)
    assert list(client_for(personas.referent_b).get(LIST).context["page_obj"]) == [theirs]


def test_an_empty_list_says_so(personas, client_for):
    assert "Aucune absence saisie." in content(client_for(personas.referent_a).get(LIST))
