"""The suspension pages (add, edit, delete with its confirmation) per role, the form's refusals, and the
review list of long parcours and of those without étape (C §IV.1.4), time frozen."""

import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from parcours.models import Etat, Parcours, SuspensionMesure
from plie.acces.models import AccesDossier
from plie.referentiel.models import Referentiel
from tests.factories import EtapeFactory, ParcoursFactory, ParticipantFactory, SuspensionMesureFactory
from tests.plie.test_query_counts import CEILING, count_queries

PARIS = ZoneInfo("Europe/Paris")
D = datetime.date(2027, 6, 1)
ROLES = ["coordination", "referent_a", "referent_b", "prescripteur", "bureau_insertion", "operateur", "financeur"]
MAY = {"coordination", "referent_a"}


def jours(n):
    return datetime.timedelta(days=n)


@pytest.fixture
def jour(time_machine):
    time_machine.move_to(datetime.datetime.combine(D, datetime.time(9), tzinfo=PARIS), tick=False)
    return D


@pytest.fixture
def dossier(jour, personas):
    """The personas' parcours (Niort), entered 01/01/2027, its measure to 01/07/2027, with a suspension."""
    parcours = personas.parcours
    Parcours.objects.filter(pk=parcours.pk).update(
        date_prescription=D - jours(200),
        date_orientation=D - jours(190),
        date_premier_rdv=D - jours(160),
        date_entree=datetime.date(2027, 1, 1),
        date_debut_mesure=datetime.date(2027, 1, 1),
        date_fin_mesure=datetime.date(2027, 7, 1),
    )
    parcours.refresh_from_db()
    personas.suspension = SuspensionMesureFactory(
        parcours=parcours, motif="maladie", debut=datetime.date(2027, 2, 1), fin=datetime.date(2027, 2, 10)
    )
    return personas


def client_of(personas, who, client_for):
    return Client() if who == "anonymous" else client_for(getattr(personas, who))


def urls(personas):
    p, s = personas.parcours.pk, personas.suspension.pk
    return [
        f"/suspensions/parcours/{p}/ajouter/",
        f"/suspensions/parcours/{p}/{s}/modifier/",
        f"/suspensions/parcours/{p}/{s}/supprimer/",
    ]


@pytest.mark.parametrize("who", [*ROLES, "anonymous"])
def test_the_pages_exist_only_for_the_referent_and_the_coordination(dossier, client_for, who):
    client = client_of(dossier, who, client_for)
    for url in urls(dossier):
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
        elif who in MAY:
            assert response.status_code == 200, url
            assert "Maladie" in unescape(response.content.decode()) or url.endswith("ajouter/")
        else:
            assert response.status_code == 404, (who, url)
        # POSTs change nothing for the others.
        if who not in MAY:
            client.post(url, {"motif": "conges", "debut": "2027-03-01", "fin": "2027-03-02"})
    if who not in MAY:
        assert SuspensionMesure.objects.get().fin == datetime.date(2027, 2, 10)
        dossier.parcours.refresh_from_db()
        assert dossier.parcours.jours_suspendus == 0  # the factory writes the row only
    if who != "anonymous":
        rows = AccesDossier.objects.filter(utilisateur=getattr(dossier, who), objet_id=dossier.parcours.pk)
        assert rows.count() >= 3
        assert all(r.refuse for r in rows) == (who not in MAY)


@pytest.mark.parametrize("who", sorted(MAY))
def test_add_edit_delete_move_the_measure_end(dossier, client_for, who):
    client = client_for(getattr(dossier, who))
    parcours = dossier.parcours
    response = client.post(
        f"/suspensions/parcours/{parcours.pk}/ajouter/",
        {"motif": "maladie", "debut": "2027-03-01", "fin": "2027-03-31"},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/parcours/{parcours.pk}/#mesure")
    parcours.refresh_from_db()
    assert (parcours.date_fin_mesure, parcours.jours_suspendus) == (datetime.date(2027, 8, 1), 31)
    nouvelle = parcours.suspensions.get(debut=datetime.date(2027, 3, 1))

    edit = f"/suspensions/parcours/{parcours.pk}/{nouvelle.pk}/modifier/"
    form = client.get(edit).context["form"]
    response = client.post(
        edit, {"motif": "conges", "debut": "2027-03-01", "fin": "2027-03-10", "version": form.initial["version"]}
    )
    assert response.status_code == 302
    parcours.refresh_from_db()
    assert (parcours.date_fin_mesure, parcours.jours_suspendus) == (datetime.date(2027, 7, 11), 10)

    delete = f"/suspensions/parcours/{parcours.pk}/{nouvelle.pk}/supprimer/"
    confirmation = unescape(client.get(delete).content.decode())
    assert "Supprimer cette suspension ?" in confirmation and "avancées de 10 jours" in confirmation
    assert client.post(delete).status_code == 302
    parcours.refresh_from_db()
    assert (parcours.date_fin_mesure, parcours.jours_suspendus) == (datetime.date(2027, 7, 1), 0)
    assert not parcours.suspensions.filter(pk=nouvelle.pk).exists()


def test_the_form_refuses_an_overlap_and_keeps_what_was_typed(dossier, client_for):
    client = client_for(dossier.referent_a)
    url = f"/suspensions/parcours/{dossier.parcours.pk}/ajouter/"
    response = client.post(url, {"motif": "hospitalisation", "debut": "2027-02-05", "fin": "2027-02-20"})
    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert "Ces dates chevauchent la suspension du 01/02/2027 au 10/02/2027." in content
    assert response.context["form"].errors["debut"]
    assert 'value="2027-02-20"' in content
    response = client.post(url, {"motif": "conges", "debut": "2027-03-10", "fin": "2027-03-01"})
    assert "Le dernier jour ne peut précéder le premier (10/03/2027)." in unescape(response.content.decode())
    response = client.post(url, {"motif": "", "debut": "pas une date", "fin": ""})
    assert response.status_code == 200 and set(response.context["form"].errors) == {"motif", "debut", "fin"}
    assert SuspensionMesure.objects.count() == 1


def test_an_edit_made_meanwhile_is_not_overwritten(dossier, client_for, time_machine):
    client = client_for(dossier.referent_a)
    edit = f"/suspensions/parcours/{dossier.parcours.pk}/{dossier.suspension.pk}/modifier/"
    version = client.get(edit).context["form"].initial["version"]
    time_machine.move_to(datetime.datetime.combine(D, datetime.time(9, 1), tzinfo=PARIS), tick=False)
    autre = client_for(dossier.coordination)
    fresh = autre.get(edit).context["form"].initial["version"]
    autre.post(edit, {"motif": "maladie", "debut": "2027-02-01", "fin": "2027-02-12", "version": fresh})
    response = client.post(edit, {"motif": "maladie", "debut": "2027-02-01", "fin": "2027-02-05", "version": version})
    assert response.status_code == 200
    assert "Cette suspension vient d'être modifiée par quelqu'un d'autre" in unescape(response.content.decode())
    assert SuspensionMesure.objects.get().fin == datetime.date(2027, 2, 12)


def test_no_suspension_once_the_exit_is_proposed(dossier, client_for):
    Parcours.objects.filter(pk=dossier.parcours.pk).update(
        etat=Etat.SORTIE_PROPOSEE, date_sortie_prevue=datetime.date(2027, 7, 1)
    )
    for url in urls(dossier):
        assert client_for(dossier.coordination).get(url).status_code == 404


def test_the_dossier_links_to_the_pages_for_whom_may_use_them(dossier, client_for):
    url = f"/parcours/{dossier.parcours.pk}/"
    for who in ROLES:
        response = client_for(getattr(dossier, who)).get(url)
        if response.status_code != 200:
            continue
        content = response.content.decode()
        assert ("/suspensions/parcours/" in content) == (who in MAY), who


# --- the review list (Caen) -----------------------------------------------------------------------


def accompagne(referent, nom, entree, etat=Etat.ACCOMPAGNEMENT):
    return ParcoursFactory(
        etat=etat,
        referent=referent,
        start=entree - jours(14),
        date_entree=entree,
        date_premier_rdv=entree,
        date_fin_mesure=None,
        participant=ParticipantFactory(nom_usage=nom, prenoms="Test"),
    )


@pytest.fixture
def revue(jour, personas, caen):
    a, b = personas.referent_a, personas.referent_b
    rows = {
        "long": accompagne(a, "Longtemps", D - jours(25 * 31)),  # 25 months
        "inactif": accompagne(b, "Inactif", D - jours(14 * 31)),
        "recent": accompagne(a, "Récent", D - jours(90)),  # no étape, but entered 3 months ago
        "actif": accompagne(a, "Actif", D - jours(14 * 31)),
        "sorti": accompagne(a, "Sorti", D - jours(30 * 31), etat=Etat.SORTI),
    }
    # Its last étape ended 13 months ago; the other one is in an étape now.
    EtapeFactory(parcours=rows["inactif"], etat="realisee", date_debut=D - jours(14 * 31), date_fin=D - jours(13 * 31))
    EtapeFactory(parcours=rows["actif"], etat="en_cours", date_debut=D - jours(14 * 31))
    return personas, rows


def listed(client, query=""):
    response = client.get(f"/revue-des-parcours/{query}")
    assert response.status_code == 200
    return [p.participant.nom_usage for p, _ in response.context["lignes"]], unescape(response.content.decode())


def test_caen_reviews_long_parcours_and_those_without_etape(revue, client_for):
    personas, rows = revue
    client = client_for(personas.coordination)
    noms, content = listed(client)
    assert noms == ["Longtemps", "Inactif"]
    assert "Accompagné depuis 25 mois ; aucune étape ni opération depuis l'entrée le " in content
    inactif_fin = (D - jours(13 * 31)).strftime("%d/%m/%Y")
    assert f"Aucune étape ni opération depuis le {inactif_fin}" in content
    assert "Récent" not in content and "Actif" not in content
    assert listed(client, "?motif=duree")[0] == ["Longtemps"]
    assert listed(client, "?motif=sans_action")[0] == ["Longtemps", "Inactif"]
    assert listed(client, f"?referent={personas.referent_b.pk}")[0] == ["Inactif"]
    assert listed(client, "?q=longt")[0] == ["Longtemps"]
    noms, content = listed(client, "?q=personne")
    assert noms == [] and "Aucun parcours à revoir pour cette recherche." in content
    # Junk in the URL: a French message beside the field, no error page.
    assert listed(client, "?referent=abc&motif=zzz&page=x")[0] == ["Longtemps", "Inactif"]
    # Each row shown is logged as a consultation of its parcours.
    logged = set(AccesDossier.objects.filter(utilisateur=personas.coordination).values_list("objet_id", flat=True))
    assert {rows["long"].pk, rows["inactif"].pk} <= logged


def test_niort_configures_no_review(jour, personas, client_for):
    noms_response = client_for(personas.coordination).get("/revue-des-parcours/")
    content = unescape(noms_response.content.decode())
    assert "ne prévoit pas de revue des parcours" in content
    assert "plafonnée à 24 mois" in content


def test_without_a_referentiel_the_page_still_answers(jour, personas, client_for):
    Referentiel.objects.update(actif=False)
    response = client_for(personas.coordination).get("/revue-des-parcours/")
    assert response.status_code == 200
    assert "ne prévoit pas de revue" in unescape(response.content.decode())


@pytest.mark.parametrize("who", [*ROLES, "anonymous"])
def test_the_review_is_for_the_coordination_only(revue, client_for, who):
    personas, _ = revue
    response = client_of(personas, who, client_for).get("/revue-des-parcours/")
    if who == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if who == "coordination" else 403)
        nav = response.content.decode()
        assert ('href="/revue-des-parcours/"' in nav) == (who == "coordination")


def test_the_review_queries_do_not_grow(revue, client_for):
    personas, _ = revue
    client = client_for(personas.coordination)
    client.get("/revue-des-parcours/")
    small, small_response = count_queries(client, "/revue-des-parcours/")
    for i in range(30):
        parcours = accompagne(personas.referent_a if i % 2 else personas.referent_b, f"Ancien{i}", D - jours(800 + i))
        if i % 3 == 0:
            EtapeFactory(parcours=parcours, etat="realisee", date_debut=D - jours(700), date_fin=D - jours(600))
    large, large_response = count_queries(client, "/revue-des-parcours/")
    assert len(large_response.context["lignes"]) == 25 > len(small_response.context["lignes"])
    assert len(large) <= CEILING, "\n".join(large)
    assert len(large) == len(small), f"{len(small)} then {len(large)}:\n" + "\n".join(large)


@pytest.mark.parametrize("version", ["", "n'importe quoi", "2027-13-45T10:00:00+00:00"])
def test_a_missing_or_junk_version_is_refused_without_an_error_page(dossier, client_for, version):
    edit = f"/suspensions/parcours/{dossier.parcours.pk}/{dossier.suspension.pk}/modifier/"
    response = client_for(dossier.referent_a).post(
        edit, {"motif": "maladie", "debut": "2027-02-01", "fin": "2027-02-03", "version": version}
    )
    assert response.status_code == 200  # refused, what was typed kept: a save made blind could undo another's
    assert "modifiée par quelqu'un d'autre" in unescape(response.content.decode())
    assert 'value="2027-02-03"' in response.content.decode()


# --- the measures to renew (Niort): the list the coordination's home counts --------------------------


def en_mesure(referent, nom, entree, fin_mesure):
    return ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=referent,
        start=entree - jours(14),
        date_entree=entree,
        date_premier_rdv=entree,
        date_debut_mesure=entree,
        date_fin_mesure=fin_mesure,
        participant=ParticipantFactory(nom_usage=nom, prenoms="Test"),
    )


@pytest.fixture
def mesures(jour, personas):
    Parcours.objects.filter(pk=personas.parcours.pk).update(date_fin_mesure=D + jours(400))
    a, b = personas.referent_a, personas.referent_b
    return personas, {
        "echue": en_mesure(a, "Echue", D - jours(200), D - jours(5)),
        "bientot": en_mesure(b, "Bientot", D - jours(170), D + jours(10)),
        "plafond": en_mesure(a, "Plafond", D - jours(725), D + jours(100)),  # 24 months in 5 days
        "loin": en_mesure(a, "Loin", D - jours(30), D + jours(150)),
    }


def mesures_listees(client, query=""):
    response = client.get(f"/revue-des-parcours/mesures/{query}")
    assert response.status_code == 200
    return [m.parcours.participant.nom_usage for m in response.context["page_obj"]], unescape(response.content.decode())


def test_the_measures_page_lists_every_measure_to_renew_with_its_filters(mesures, client_for):
    personas, _ = mesures
    client = client_for(personas.coordination)
    noms, content = mesures_listees(client)
    assert noms == ["Echue", "Plafond", "Bientot"]
    assert "Loin" not in content
    assert mesures_listees(client, "?quoi=echues")[0] == ["Echue"]
    assert mesures_listees(client, "?quoi=fins")[0] == ["Echue", "Bientot"]
    assert mesures_listees(client, "?quoi=limites")[0] == ["Plafond"]
    assert mesures_listees(client, f"?referent={personas.referent_b.pk}")[0] == ["Bientot"]
    assert mesures_listees(client, "?q=plaf")[0] == ["Plafond"]
    noms, content = mesures_listees(client, "?q=personne")
    assert noms == [] and "Aucune mesure à renouveler pour cette recherche." in content
    assert mesures_listees(client, "?quoi=zzz&referent=x&page=-3")[0] == ["Echue", "Plafond", "Bientot"]
    home = unescape(client.get("/").content.decode())
    assert "Mesures échues sans demande de renouvellement : 1" in home
    assert 'href="/revue-des-parcours/mesures/"' in home


def test_caen_has_no_measure_to_renew(jour, personas, caen, client_for):
    response = client_for(personas.coordination).get("/revue-des-parcours/mesures/")
    assert "ne découpe pas l'accompagnement en mesures" in unescape(response.content.decode())


@pytest.mark.parametrize("who", [*ROLES, "anonymous"])
def test_the_measures_page_is_for_the_coordination_only(mesures, client_for, who):
    personas, _ = mesures
    response = client_of(personas, who, client_for).get("/revue-des-parcours/mesures/")
    if who == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if who == "coordination" else 403)


def test_the_measures_page_queries_do_not_grow(mesures, client_for):
    personas, _ = mesures
    client = client_for(personas.coordination)
    client.get("/revue-des-parcours/mesures/")
    small, small_response = count_queries(client, "/revue-des-parcours/mesures/")
    for i in range(30):
        en_mesure(personas.referent_a, f"Autre{i}", D - jours(180 + i), D - jours(i % 7) + jours(i % 3 * 10))
    large, large_response = count_queries(client, "/revue-des-parcours/mesures/")
    assert len(large_response.context["page_obj"]) == 25 > len(small_response.context["page_obj"])
    assert len(large) <= CEILING, "\n".join(large)
    assert len(large) == len(small), f"{len(small)} then {len(large)}:\n" + "\n".join(large)
