"""Ateliers collectifs, the pages: who sees what (every persona), the forms with bad input, the access
log, the queries as participants grow, and where the ateliers show elsewhere (dossier, home, rhythm page,
navigation).

Time is frozen on Tuesday 10 March 2026, 10:00 in Paris.
"""

import datetime
import re
import zoneinfo
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours import ateliers
from parcours.models import Atelier, Etat, InscriptionAtelier, Periodicite, PresenceAtelier, StatutSeance
from plie.acces.models import AccesDossier
from tests.factories import (
    AtelierFactory,
    InscriptionAtelierFactory,
    ParcoursFactory,
    PresenceAtelierFactory,
    ReferentFactory,
    SeanceAtelierFactory,
)
from tests.plie.test_query_counts import CEILING, count_queries

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)
NAME = "VAUTRIN-LACOMBE Ysaline"
OUTSIDERS = ["prescripteur", "bureau_insertion", "operateur", "financeur"]


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


def shown(response):
    return unescape(response.content.decode())


@pytest.fixture
def atelier(named):
    """Référent A's weekly atelier since Friday 6 March (4 sessions), the named parcours invited."""
    atelier = ateliers.creer_serie(
        named.referent_a,
        theme="Préparer un entretien d'embauche",
        animateur=named.referent_a,
        capacite=8,
        premiere_date=datetime.date(2026, 3, 6),
        heure_debut=datetime.time(9, 30),
        heure_fin=datetime.time(12, 0),
        periodicite=Periodicite.HEBDOMADAIRE,
        nombre_seances=4,
        lieu_precision="Salle collective",
    )
    ateliers.inviter(atelier, named.referent_a, [named.parcours])
    return atelier


def premiere(atelier):
    return atelier.seances.get(numero=1)


def version(client, url):
    return re.search(r'name="version" value="([^"]+)"', client.get(url).content.decode()).group(1)


# --- who sees what -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("coordination", 200), ("referent_a", 200), ("referent_b", 200)])
def test_the_list_for_the_referents_and_the_coordination(atelier, client_for, who, status):
    response = client_for(getattr(atelier_personas(atelier), who)).get(reverse("ateliers:list"))
    assert response.status_code == status
    visible = atelier.theme in shown(response)
    assert visible is (who != "referent_b")  # a colleague sees only the ateliers they run
    if who == "referent_b":
        assert "Aucun atelier pour l'instant" in shown(response)


def atelier_personas(atelier):
    return atelier._personas


@pytest.fixture(autouse=True)
def _personas_on_atelier(request):
    if "atelier" in request.fixturenames:
        request.getfixturevalue("atelier")._personas = request.getfixturevalue("named")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_others_get_a_403_on_the_list_and_a_404_on_every_atelier_page(atelier, client_for, who):
    client = client_for(getattr(atelier._personas, who))
    assert client.get(reverse("ateliers:list")).status_code == 403
    assert client.get(reverse("ateliers:creer")).status_code == 403
    seance = premiere(atelier)
    for url in (
        reverse("ateliers:detail", args=[atelier.pk]),
        reverse("ateliers:inviter", args=[atelier.pk]),
        reverse("ateliers:seance", args=[seance.pk]),
        reverse("ateliers:seance_modifier", args=[seance.pk]),
        reverse("ateliers:seance_annuler", args=[seance.pk]),
        reverse("ateliers:seance_clore", args=[seance.pk]),
    ):
        assert client.get(url).status_code == 404, url
    inscription = atelier.inscriptions.get()
    assert client.post(reverse("ateliers:desinviter", args=[inscription.pk])).status_code == 404
    assert InscriptionAtelier.objects.filter(pk=inscription.pk).exists()
    # The refusals are logged, with who asked.
    assert AccesDossier.objects.filter(utilisateur=getattr(atelier._personas, who), refuse=True).count() == 7


@pytest.mark.parametrize(("who", "status"), [("coordination", 200), ("referent_a", 200), ("referent_b", 404)])
def test_the_atelier_page_names_its_participants_and_logs_them(atelier, client_for, who, status):
    user = getattr(atelier._personas, who)
    response = client_for(user).get(reverse("ateliers:detail", args=[atelier.pk]))
    assert response.status_code == status
    rows = AccesDossier.objects.filter(utilisateur=user)
    if status == 200:
        content = shown(response)
        assert NAME in content and "Séances" in content and "7 restantes" in content
        assert [(r.objet_id, r.refuse) for r in rows] == [(atelier._personas.parcours.pk, False)]
    else:
        assert [r.refuse for r in rows] == [True]


def object_urls(atelier):
    seance = premiere(atelier)
    return [
        reverse("ateliers:detail", args=[atelier.pk]),
        reverse("ateliers:inviter", args=[atelier.pk]),
        reverse("ateliers:seance", args=[seance.pk]),
        reverse("ateliers:seance_modifier", args=[seance.pk]),
        reverse("ateliers:seance_annuler", args=[seance.pk]),
        reverse("ateliers:seance_clore", args=[seance.pk]),
    ]


@pytest.mark.parametrize(("who", "status"), [("coordination", 200), ("referent_a", 200), ("referent_b", 404)])
def test_every_atelier_page_for_the_animateur_the_coordination_and_a_colleague(atelier, client_for, who, status):
    client = client_for(getattr(atelier._personas, who))
    for url in object_urls(atelier):
        assert client.get(url).status_code == status, url
    assert client.get(reverse("ateliers:creer")).status_code == 200


def test_a_forged_invitation_of_a_huge_id_is_refused_in_french(atelier, client_for):
    url = reverse("ateliers:inviter", args=[atelier.pk])
    response = client_for(atelier._personas.referent_a).post(url, {"parcours": ["9" * 30, "x"]})
    assert response.status_code == 200 and "Choisissez au moins une personne" in shown(response)


def test_the_co_animateur_of_another_operateur_sees_and_runs_it(atelier, client_for):
    binome = ReferentFactory()
    Atelier.objects.filter(pk=atelier.pk).update(co_animateur=binome)
    client = client_for(binome)
    assert client.get(reverse("ateliers:detail", args=[atelier.pk])).status_code == 200
    assert client.get(reverse("ateliers:seance", args=[premiere(atelier).pk])).status_code == 200
    assert "Préparer un entretien" in shown(client.get(reverse("ateliers:list")))


def test_the_navigation_offers_ateliers_to_the_referents_and_the_coordination(named, client_for):
    for who in ("coordination", "referent_a"):
        assert 'href="/ateliers/"' in shown(client_for(getattr(named, who)).get("/"))
    for who in OUTSIDERS:
        assert 'href="/ateliers/"' not in shown(client_for(getattr(named, who)).get("/"))


# --- the list ---------------------------------------------------------------------------------------


def test_the_list_filters_and_pages(named, client_for):
    passe = AtelierFactory(
        theme="Mobilité et permis", animateur=named.referent_a, premiere_date=datetime.date(2026, 2, 2)
    )
    SeanceAtelierFactory(atelier=passe, tenue=True)
    a_venir = AtelierFactory(theme="Informatique", animateur=named.referent_b, premiere_date=datetime.date(2026, 3, 20))
    SeanceAtelierFactory(atelier=a_venir)
    client = client_for(named.coordination)
    url = reverse("ateliers:list")
    assert {a.theme for a in client.get(url, {"quand": "a_venir"}).context["page_obj"]} == {"Informatique"}
    assert {a.theme for a in client.get(url, {"quand": "passes"}).context["page_obj"]} == {"Mobilité et permis"}
    assert {a.theme for a in client.get(url, {"animateur": named.referent_b.pk}).context["page_obj"]} == {
        "Informatique"
    }
    assert {a.theme for a in client.get(url, {"q": "mobil"}).context["page_obj"]} == {"Mobilité et permis"}
    response = client.get(url, {"q": "rien de tel"})
    assert "Aucun atelier ne correspond à cette recherche" in shown(response)
    # Junk in the URL: a French error beside the filter, the rest still works.
    response = client.get(url, {"quand": "hier", "q": "info"})
    assert response.status_code == 200 and "Sélectionnez un choix valide" in shown(response)
    for i in range(30):
        AtelierFactory(theme=f"Série {i}", animateur=named.referent_a)
    response = client.get(url, {"page": 2})
    assert response.context["page_obj"].number == 2 and len(response.context["page_obj"]) == 7


# --- the series form ------------------------------------------------------------------------------------


def serie_data(named, **values):
    return {
        "theme": "Atelier CV",
        "animateur": named.referent_a.pk,
        "co_animateur": "",
        "lieu": "",
        "lieu_precision": "Salle 2",
        "capacite": "10",
        "premiere_date": "2026-03-13",
        "heure_debut": "9h30",
        "heure_fin": "12:00",
        "periodicite": "hebdomadaire",
        "nombre_seances": "8",
        **values,
    }


def test_a_referent_creates_a_weekly_series(named, client_for):
    response = client_for(named.referent_a).post(reverse("ateliers:creer"), serie_data(named))
    atelier = Atelier.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ateliers:detail", args=[atelier.pk])
    assert atelier.seances.count() == 8 and atelier.cree_par == named.referent_a


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"heure_fin": "09:00"}, "heure_fin", "L'heure de fin suit l'heure de début."),
        ({"co_animateur": "self"}, "co_animateur", "Le co-animateur est un autre référent que l'animateur."),
        ({"capacite": "80"}, "capacite", "inférieure ou égale à 50"),
        ({"lieu_precision": ""}, "lieu", "Indiquez le lieu"),
        ({"premiere_date": "13/13/2026"}, "premiere_date", "Saisissez une date valide."),
        ({"animateur": "b"}, "animateur", "Vous animez les ateliers que vous créez"),
    ],
)
def test_a_bad_series_shows_the_french_error_next_to_its_field_and_keeps_the_input(
    named, client_for, values, field, message
):
    if values.get("co_animateur") == "self":
        values = {"co_animateur": named.referent_a.pk}
    if values.get("animateur") == "b":
        values = {"animateur": named.referent_b.pk}
    response = client_for(named.referent_a).post(reverse("ateliers:creer"), serie_data(named, **values))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assert 'value="Atelier CV"' in response.content.decode()  # nothing typed lost
    assert not Atelier.objects.exists()


# --- inviting ---------------------------------------------------------------------------------------------


def test_the_invite_page_lists_the_portfolio_and_invites_without_javascript(atelier, client_for):
    named = atelier._personas
    mien = ParcoursFactory(etat=Etat.ACCUEIL, referent=named.referent_a)
    d_un_autre = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=named.referent_b)
    client = client_for(named.referent_a)
    url = reverse("ateliers:inviter", args=[atelier.pk])
    response = client.get(url)
    assert list(response.context["page_obj"]) == [mien]  # the invited one and the colleague's left out
    assert AccesDossier.objects.filter(objet_id=mien.pk, utilisateur=named.referent_a).exists()
    # The colleague's, forged into the form: refused in French, nothing saved.
    response = client.post(url, {"parcours": [mien.pk, d_un_autre.pk]})
    assert response.status_code == 200 and "suivies par les animateurs" in shown(response)
    assert atelier.inscriptions.count() == 1
    assert client.post(url, {"parcours": [mien.pk]}).status_code == 302
    assert atelier.inscriptions.count() == 2
    # htmx: the list alone, filtered.
    response = client.get(url, {"q": "zzz"}, headers={"HX-Request": "true"})
    assert response.templates[0].name == "ateliers/_invitables.html"


def test_the_capacity_shows_in_french_with_the_choices_kept(named, client_for):
    atelier = AtelierFactory(animateur=named.referent_a, capacite=1)
    a, b = (ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=named.referent_a) for _ in range(2))
    response = client_for(named.referent_a).post(
        reverse("ateliers:inviter", args=[atelier.pk]), {"parcours": [a.pk, b.pk]}
    )
    assert "L'atelier a 1 places et 0 personnes invitées" in shown(response)
    assert f'value="{a.pk}" id="parcours-{a.pk}" checked' in response.content.decode()
    assert not atelier.inscriptions.exists()


def test_uninviting(atelier, client_for):
    named = atelier._personas
    inscription = atelier.inscriptions.get()
    assert client_for(named.referent_b).post(reverse("ateliers:desinviter", args=[inscription.pk])).status_code == 404
    response = client_for(named.referent_a).post(reverse("ateliers:desinviter", args=[inscription.pk]), follow=True)
    assert "Invitation de VAUTRIN-LACOMBE Ysaline retirée." in shown(response)
    assert not atelier.inscriptions.exists()


# --- a session --------------------------------------------------------------------------------------------


def test_the_attendance_form_records_everyone_with_the_session_length_by_default(atelier, client_for):
    named = atelier._personas
    seance = premiere(atelier)
    client = client_for(named.referent_a)
    url = reverse("ateliers:seance", args=[seance.pk])
    response = client.get(url)
    assert NAME in shown(response) and 'value="150"' in response.content.decode()
    pk = named.parcours.pk
    data = {"version": version(client, url), f"statut_{pk}": "present", f"duree_{pk}": "150", "contenu": "CV"}
    assert client.post(url, data).status_code == 302
    presence = PresenceAtelier.objects.get()
    assert (presence.statut, presence.duree_minutes, presence.saisi_par) == ("present", 150, named.referent_a)
    seance.refresh_from_db()
    assert (seance.statut, seance.contenu) == (StatutSeance.TENUE, "CV")


def test_bad_attendance_shows_next_to_the_line_and_keeps_the_input(atelier, client_for):
    named = atelier._personas
    seance = premiere(atelier)
    client = client_for(named.referent_a)
    url = reverse("ateliers:seance", args=[seance.pk])
    pk = named.parcours.pk
    response = client.post(
        url, {"version": version(client, url), f"statut_{pk}": "present", f"duree_{pk}": "200", "contenu": "Gardé"}
    )
    assert response.status_code == 200
    assert "comprise entre 1 et 150 minutes" in " ".join(response.context["form"].errors[f"duree_{pk}"])
    assert "Gardé" in shown(response)
    response = client.post(url, {"version": version(client, url), "contenu": "Gardé"})
    assert response.context["form"].errors[f"statut_{pk}"]
    assert not PresenceAtelier.objects.exists()


def test_a_stale_attendance_sheet_is_refused(atelier, client_for):
    named = atelier._personas
    seance = premiere(atelier)
    client = client_for(named.referent_a)
    url = reverse("ateliers:seance", args=[seance.pk])
    ancienne = version(client, url)
    pk = named.parcours.pk
    assert client.post(url, {"version": ancienne, f"statut_{pk}": "present", f"duree_{pk}": "150"}).status_code == 302
    response = client.post(url, {"version": ancienne, f"statut_{pk}": "absent_injustifie", f"duree_{pk}": ""})
    assert "rechargez la page" in shown(response)
    assert PresenceAtelier.objects.get().statut == "present"


def test_locking_the_emargement_asks_for_confirmation_then_refuses_changes(atelier, client_for):
    named = atelier._personas
    seance = premiere(atelier)
    PresenceAtelierFactory(seance=seance, parcours=named.parcours)
    type(seance).objects.filter(pk=seance.pk).update(statut=StatutSeance.TENUE)
    client = client_for(named.referent_a)
    clore = reverse("ateliers:seance_clore", args=[seance.pk])
    assert "ne peuvent plus changer" in shown(client.get(clore))
    seance.refresh_from_db()
    assert client.post(clore, {"version": version(client, clore)}).status_code == 302
    seance.refresh_from_db()
    assert seance.emargement_clos
    url = reverse("ateliers:seance", args=[seance.pk])
    response = client.get(url)
    assert "Émargement clos le" in shown(response) and 'name="contenu"' not in response.content.decode()
    pk = named.parcours.pk
    response = client.post(url, {"version": seance.modifie_le.isoformat(), f"statut_{pk}": "absent_justifie"})
    assert "L'émargement de cette séance est clos" in shown(response)
    assert PresenceAtelier.objects.get().statut == "present"


def test_a_colleague_cannot_post_attendance(atelier, client_for):
    named = atelier._personas
    url = reverse("ateliers:seance", args=[premiere(atelier).pk])
    assert client_for(named.referent_b).post(url, {}).status_code == 404
    assert not PresenceAtelier.objects.exists()


def test_moving_and_cancelling_a_session(atelier, client_for):
    named = atelier._personas
    seance = atelier.seances.get(numero=3)
    client = client_for(named.coordination)
    url = reverse("ateliers:seance_modifier", args=[seance.pk])
    data = {"version": version(client, url), "date": "2026-03-24", "heure_debut": "14:00", "heure_fin": "13:00"}
    response = client.post(url, {**data, "lieu_precision": "Médiathèque"})
    assert "L'heure de fin suit l'heure de début." in response.context["form"].errors["heure_fin"]
    assert 'value="Médiathèque"' in response.content.decode()
    response = client.post(url, {**data, "heure_fin": "16:00", "lieu_precision": "Médiathèque"})
    assert response.status_code == 302
    seance.refresh_from_db()
    assert timezone.localtime(seance.debut) == datetime.datetime(2026, 3, 24, 14, 0, tzinfo=PARIS)
    annuler = reverse("ateliers:seance_annuler", args=[seance.pk])
    assert "Annuler la séance 3 du 24/03/2026 à 14:00 ?" in shown(client.get(annuler))
    response = client.post(annuler, {"version": version(client, annuler), "motif": ""})
    assert response.context["form"].errors["motif"]
    response = client.post(annuler, {"version": version(client, annuler), "motif": "Salle indisponible"})
    assert response.status_code == 302
    seance.refresh_from_db()
    assert (seance.statut, seance.motif_annulation) == (StatutSeance.ANNULEE, "Salle indisponible")
    assert "ne s'annule plus" in shown(client.get(annuler))


# --- queries ---------------------------------------------------------------------------------------------


def grow(atelier, n, seance):
    referent = atelier.animateur
    while atelier.inscriptions.count() < n:
        parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=referent)
        InscriptionAtelierFactory(atelier=atelier, parcours=parcours)
        PresenceAtelierFactory(seance=seance, parcours=parcours)


@pytest.mark.parametrize("page", ["ateliers:detail", "ateliers:seance", "ateliers:inviter"])
def test_the_atelier_and_session_pages_run_as_many_queries_with_4_as_with_40(named, client_for, page):
    atelier = AtelierFactory(animateur=named.referent_a, capacite=50, premiere_date=datetime.date(2026, 3, 6))
    seance = SeanceAtelierFactory(atelier=atelier, tenue=True)
    for numero in range(2, 5):
        SeanceAtelierFactory(atelier=atelier, numero=100 + numero)
    client = client_for(named.referent_a)
    url = reverse(page, args=[seance.pk if page == "ateliers:seance" else atelier.pk])
    grow(atelier, 4, seance)
    ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=named.referent_a)  # someone to invite
    client.get(url)
    small, _ = count_queries(client, url)
    grow(atelier, 40, seance)
    for _ in range(30):
        ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=named.referent_a)
    large, response = count_queries(client, url)
    assert len(large) == len(small), "\n".join(large)
    assert len(large) <= CEILING
    if page != "ateliers:inviter":
        assert response.content.decode().count("VAUTRIN") == 0  # the named one is not invited here
        assert len(response.context["inscriptions"]) == 40


# --- elsewhere -------------------------------------------------------------------------------------------


def test_the_dossier_shows_the_ateliers_card_and_gives_the_attendance_list(atelier, client_for):
    named = atelier._personas
    PresenceAtelierFactory(seance=premiere(atelier), parcours=named.parcours, duree_minutes=120)
    response = client_for(named.referent_a).get(f"/parcours/{named.parcours.pk}/")
    content = shown(response)
    assert "Préparer un entretien d'embauche" in content and "prochaine séance le 13/03/2026 à 09:30" in content
    assert "06/03/2026 — Préparer un entretien d'embauche : présent, 120 min" in content
    [presence] = response.context["presences_atelier"]
    assert presence.seance.atelier.theme == atelier.theme


def test_the_dossier_without_ateliers_says_so(named, client_for):
    response = client_for(named.referent_a).get(f"/parcours/{named.parcours.pk}/")
    assert "Invité(e) à aucun atelier collectif." in shown(response)
    assert response.context["presences_atelier"] == []


def test_the_dossier_reads_the_ateliers_in_one_query_whatever_their_number(atelier, client_for):
    named = atelier._personas
    client = client_for(named.referent_a)
    url = f"/parcours/{named.parcours.pk}/"
    PresenceAtelierFactory(seance=premiere(atelier), parcours=named.parcours)
    client.get(url)
    small, _ = count_queries(client, url)
    for i in range(10):
        autre = AtelierFactory(
            animateur=named.referent_a, premiere_date=datetime.date(2026, 2, 1) + datetime.timedelta(days=i)
        )
        InscriptionAtelierFactory(atelier=autre, parcours=named.parcours)
        PresenceAtelierFactory(seance=SeanceAtelierFactory(atelier=autre, tenue=True), parcours=named.parcours)
    large, response = count_queries(client, url)
    assert len(response.context["presences_atelier"]) == 11
    assert len(large) <= CEILING, "\n".join(large)
    assert len(large) == len(small), "\n".join(large)


def test_the_referents_home_shows_their_atelier_frequency(named, client_for):
    client = client_for(named.referent_a)
    content = shown(client.get("/"))
    assert "aucun atelier tenu, <strong>à programmer</strong>" in content
    SeanceAtelierFactory(
        atelier=AtelierFactory(animateur=named.referent_a, premiere_date=datetime.date(2026, 3, 2)), tenue=True
    )
    content = shown(client.get("/"))
    assert "dernier atelier le 02/03/2026" in content and "à programmer" not in content


def test_the_rhythm_page_gives_the_coordination_each_referents_last_atelier(named, client_for):
    SeanceAtelierFactory(
        atelier=AtelierFactory(animateur=named.referent_b, premiere_date=datetime.date(2026, 1, 9)), tenue=True
    )
    content = shown(client_for(named.coordination).get("/respect-du-rythme/"))
    assert "Dernier atelier collectif" in content and "09/01/2026" in content and "plus de 30 jours" in content
    # The opérateur, for its own référents (no participant named); the financeur, not at all.
    autre = ReferentFactory()  # of another opérateur
    SeanceAtelierFactory(atelier=AtelierFactory(animateur=autre, premiere_date=datetime.date(2026, 3, 3)), tenue=True)
    response = client_for(named.operateur).get("/respect-du-rythme/")
    frequences = {ligne.referent.pk: ligne.frequence_ateliers for ligne in response.context["page_obj"]}
    assert frequences[named.referent_b.pk].dernier == datetime.date(2026, 1, 9)
    assert autre.pk not in frequences
    assert "Dernier atelier collectif" not in shown(client_for(named.financeur).get("/respect-du-rythme/"))


def test_the_coordination_home_lists_the_referents_with_an_atelier_to_program(named, client_for):
    SeanceAtelierFactory(
        atelier=AtelierFactory(animateur=named.referent_a, premiere_date=datetime.date(2026, 3, 2)), tenue=True
    )
    response = client_for(named.coordination).get("/")
    en_retard = {r.pk for r, _f in response.context["ateliers_a_programmer"]}
    assert named.referent_b.pk in en_retard and named.referent_a.pk not in en_retard
    assert "Ateliers collectifs à programmer" in shown(response)


@pytest.mark.parametrize(
    ("who", "sees"),
    [("referent_a", True), ("coordination", True), ("prescripteur", False)],
)
def test_the_ateliers_card_shows_to_whom_may_read_the_persons_actions(atelier, client_for, who, sees):
    """The themes attended tell what the person works on: on the card, in the journal and on the frise,
    for the parcours's référent and the coordination; the prescripteur and the bureau insertion read none."""
    named = atelier._personas
    PresenceAtelierFactory(seance=premiere(atelier), parcours=named.parcours, duree_minutes=120)
    response = client_for(getattr(named, who)).get(f"/parcours/{named.parcours.pk}/")
    assert response.status_code == 200
    content = shown(response)
    assert ('id="titre-ateliers"' in response.content.decode()) is sees
    assert ("Préparer un entretien d'embauche" in content) is sees


def test_the_coordination_home_names_ten_referents_with_an_atelier_to_program_and_counts_the_others(named, client_for):
    for _ in range(11):
        ReferentFactory(structure=named.referent_a.structure)
    response = client_for(named.coordination).get("/")
    retard = response.context["ateliers_a_programmer"]
    assert len(retard) == 13  # référents A and B, and the 11
    content = shown(response)
    section = content[content.index("Ateliers collectifs à programmer") :]
    section = section[: section.index("Respect du rythme")]
    assert sum(r.get_full_name() in section for r, _f in retard) == 10
    assert " et 3 autres." in section
