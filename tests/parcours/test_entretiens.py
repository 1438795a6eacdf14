"""Entretiens: plan one, close it (held, excused, missed, cancelled) with the next one in the same
form, who may, the machine's rules, bad input, concurrent changes and the parcours page's queries.

Time is frozen on Tuesday 10 March 2026, 10:00 in Paris, and ticks from there (each save gets its
own ``modifie_le``, as in real life).
"""

import datetime
import re
import zoneinfo
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours import entretiens
from parcours.models import (
    Etat,
    Modalite,
    ObjetRendezVous,
    RendezVous,
    RendezVousError,
    StatutRendezVous,
    TransitionRendezVous,
)
from plie.acces.models import AccesDossier, Action
from tests.factories import CommuneFactory, EntretienFactory, LieuFactory, ParcoursFactory, RendezVousFactory
from tests.html import field_block, field_value
from tests.plie.test_query_counts import count_queries

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)
NAME = "VAUTRIN-LACOMBE Ysaline"
OTHERS = ["referent_b", "prescripteur", "bureau_insertion", "operateur", "financeur"]
S = StatutRendezVous


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


@pytest.fixture
def lieu(named):
    lieu = LieuFactory(nom="Maison de l'emploi", adresse="8 rue Brisson", commune=CommuneFactory(nom="Chauray"))
    named.referent_a.referent_profile.lieux.add(lieu)
    return lieu


@pytest.fixture
def passe(named):
    """An entretien of the personas' parcours, yesterday at 14:00, still planned: to be closed."""
    return EntretienFactory(parcours=named.parcours, debut=NOW - datetime.timedelta(hours=20))


def plan_url(parcours):
    return reverse("parcours:entretien_planifier", args=[parcours.pk])


def close_url(rdv):
    return reverse("parcours:entretien_clore", args=[rdv.parcours_id, rdv.pk])


def list_url(parcours):
    return reverse("parcours:entretiens", args=[parcours.pk])


def snapshot(client, rdv):
    """The signed snapshot the close form carries (plie.conflits)."""
    response = client.get(close_url(rdv))
    assert response.status_code == 200
    content = response.content.decode()
    return re.search(r'name="instantane" value="([^"]+)"', content).group(1)


def close_data(client, rdv, **values):
    return {"instantane": snapshot(client, rdv), "statut": S.HONORE, "duree_reelle_minutes": "45", **values}


# --- who may ------------------------------------------------------------------------------------

PAGES = {
    "planifier": lambda named, rdv: plan_url(named.parcours),
    "clore": lambda named, rdv: close_url(rdv),
    "liste": lambda named, rdv: list_url(named.parcours),
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
@pytest.mark.parametrize("who", ["referent_a", "coordination"])
def test_pages_open_to_the_referent_and_the_coordination(named, passe, client_for, who, page):
    response = client_for(getattr(named, who)).get(page(named, passe))
    assert response.status_code == 200
    assert NAME in unescape(response.content.decode())


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
@pytest.mark.parametrize("who", OTHERS)
def test_pages_are_404_to_everyone_else_get_and_post(named, passe, lieu, client_for, who, page):
    client = client_for(getattr(named, who))
    url = page(named, passe)
    assert client.get(url).status_code == 404
    data = {"date": "2026-03-12", "heure": "10:00", "modalite": "telephone", "statut": "honore"}
    assert client.post(url, {**data, "duree_reelle_minutes": "30"}).status_code == 404
    passe.refresh_from_db()
    assert passe.statut == S.PREVU
    assert RendezVous.objects.count() == 1
    assert AccesDossier.objects.filter(utilisateur=getattr(named, who), refuse=True).count() == 2


def test_the_prescripteur_sees_the_appointments_without_the_actions(named, passe, client_for):
    """So that the 404s above test the permission check, not only the visibility."""
    content = client_for(named.prescripteur).get(f"/parcours/{named.parcours.pk}/").content.decode()
    assert "Entretiens et contacts" in content
    assert f"{passe.debut_local:%d/%m/%Y}" in content
    assert plan_url(named.parcours) not in content
    assert close_url(passe) not in content


def test_a_rendez_vous_of_another_parcours_is_404(named, client_for):
    other = EntretienFactory(parcours=ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=named.referent_a))
    url = reverse("parcours:entretien_clore", args=[named.parcours.pk, other.pk])
    assert client_for(named.referent_a).get(url).status_code == 404


@pytest.mark.parametrize(
    ("etat", "status"),
    [(Etat.ORIENTE, 404), (Etat.ACCUEIL, 200), (Etat.VEILLE, 200), (Etat.SORTIE_PROPOSEE, 200), (Etat.SORTI, 404)],
)
def test_planning_follows_the_state_of_the_parcours(named, client_for, etat, status):
    parcours = ParcoursFactory(etat=etat, referent=named.referent_a)
    assert client_for(named.referent_a).get(plan_url(parcours)).status_code == status


# --- the journey ----------------------------------------------------------------------------------


def test_plan_then_close_held_with_the_next_appointment(named, lieu, client_for, time_machine):
    client = client_for(named.referent_a)
    response = client.post(
        plan_url(named.parcours),
        {"date": "2026-03-12", "heure": "14:30", "modalite": "presentiel", "lieu": lieu.pk, "duree_minutes": "60"},
    )
    assert response.status_code == 302
    rdv = RendezVous.objects.get()
    assert (rdv.objet, rdv.statut, rdv.lieu, rdv.cree_par) == (
        ObjetRendezVous.ENTRETIEN,
        S.PREVU,
        lieu,
        named.referent_a,
    )
    assert rdv.debut_local == datetime.datetime(2026, 3, 12, 14, 30, tzinfo=PARIS)
    [log] = rdv.transitions.all()
    assert (log.transition, log.statut_avant, log.statut_apres, log.auteur) == (
        "planifier",
        "",
        S.PREVU,
        named.referent_a,
    )
    page = unescape(client.get(f"/parcours/{named.parcours.pk}/").content.decode())
    assert "12/03/2026 à 14:30" in page

    time_machine.move_to(datetime.datetime(2026, 3, 12, 15, 45, tzinfo=PARIS))
    client = client_for(named.referent_a)  # two days later: a new session
    data = close_data(
        client,
        rdv,
        sujet="Point sur la recherche d'emploi",
        notes="Inquiète pour la garde de ses enfants",
        prochain_date="2026-03-26",
        prochain_heure="9h30",
        prochain_modalite="visio",
    )
    response = client.post(close_url(rdv), data)
    assert response.status_code == 302, response.content.decode()
    rdv.refresh_from_db()
    assert (rdv.statut, rdv.duree_reelle_minutes, rdv.sujet, rdv.cloture_par) == (
        S.HONORE,
        45,
        "Point sur la recherche d'emploi",
        named.referent_a,
    )
    assert rdv.cloture_le >= rdv.debut
    assert list(rdv.transitions.values_list("transition", flat=True)) == ["honorer", "planifier"]
    prochain = RendezVous.objects.exclude(pk=rdv.pk).get()
    assert (prochain.statut, prochain.modalite, prochain.lieu) == (S.PREVU, Modalite.VISIO, None)
    assert prochain.debut_local == datetime.datetime(2026, 3, 26, 9, 30, tzinfo=PARIS)
    assert prochain.duree_minutes == 60  # the same planned length as the one just held
    page = unescape(client.get(f"/parcours/{named.parcours.pk}/").content.decode())
    assert "Inquiète pour la garde de ses enfants" in page
    assert "Honoré, 45 min" in page


@pytest.mark.parametrize(
    ("statut", "transition"), [(S.EXCUSE, "excuser"), (S.ANNULE, "annuler"), (S.ABSENT, "noter_absence")]
)
def test_other_issues_need_no_length(named, passe, client_for, statut, transition):
    client = client_for(named.referent_a)
    response = client.post(close_url(passe), close_data(client, passe, statut=statut, duree_reelle_minutes=""))
    assert response.status_code == 302, response.context["form"].errors
    passe.refresh_from_db()
    assert (passe.statut, passe.duree_reelle_minutes) == (statut, None)
    assert passe.transitions.first().transition == transition


def test_the_first_appointment_is_closed_the_same_way_and_the_parcours_moves_on(named, client_for):
    parcours = ParcoursFactory(etat=Etat.ACCUEIL, referent=named.referent_a)
    premier = RendezVousFactory(parcours=parcours, debut=NOW - datetime.timedelta(days=1))
    client = client_for(named.referent_a)
    assert client.post(close_url(premier), close_data(client, premier, duree_reelle_minutes="70")).status_code == 302
    premier.refresh_from_db()
    assert (premier.objet, premier.statut, premier.duree_reelle_minutes) == (ObjetRendezVous.PREMIER_RDV, S.HONORE, 70)
    page = client.get(f"/parcours/{parcours.pk}/").content.decode()
    assert reverse("parcours:transition", args=[parcours.pk, "demarrer_accompagnement"]) in page


def test_the_first_appointment_is_planned_through_the_machine(named, client_for, lieu):
    parcours = ParcoursFactory(etat=Etat.ORIENTE, referent=named.referent_a)
    client = client_for(named.referent_a)
    data = {"date": "2026-03-13", "heure": "10:00", "modalite": "presentiel", "lieu": lieu.pk}
    assert client.post(reverse("parcours:premier_rdv", args=[parcours.pk]), data).status_code == 302
    rdv = parcours.rendez_vous.get()
    assert list(rdv.transitions.values_list("transition", "auteur")) == [("planifier", named.referent_a.pk)]


# --- the machine --------------------------------------------------------------------------------


def test_a_closed_appointment_takes_no_other_issue(named, passe):
    passe.honorer(named.referent_a, 30)
    for name, args in [("noter_absence", ()), ("excuser", ()), ("annuler", ()), ("honorer", (30,))]:
        with pytest.raises(RendezVousError, match="impossible : le rendez-vous est « Honoré »"):
            getattr(passe, name)(named.referent_a, *args)
    passe.refresh_from_db()
    assert passe.statut == S.HONORE


def test_a_stale_copy_is_refused(named, passe):
    copy = RendezVous.objects.get(pk=passe.pk)
    copy.parcours = named.parcours
    passe.noter_absence(named.referent_a)
    with pytest.raises(RendezVousError, match="vient d'être modifié par quelqu'un d'autre"):
        copy.honorer(named.referent_a, 45)
    passe.refresh_from_db()
    assert (passe.statut, passe.duree_reelle_minutes) == (S.ABSENT, None)


def test_the_close_form_shows_what_someone_else_did_meanwhile(named, passe, client_for):
    client = client_for(named.referent_a)
    data = close_data(client, passe, notes="Mes notes à moi")
    passe.noter_absence(named.coordination)
    response = client.post(close_url(passe), data)
    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert "Quelqu'un d'autre a modifié cette fiche" in content
    assert "Prévu → Absence non justifiée" in content
    assert "Mes notes à moi" in content  # nothing typed is lost
    passe.refresh_from_db()
    assert passe.statut == S.ABSENT


# --- bad input ----------------------------------------------------------------------------------


def test_held_in_the_future_is_refused_next_to_the_issue_values_kept(named, client_for):
    demain = EntretienFactory(parcours=named.parcours, debut=NOW + datetime.timedelta(days=1))
    client = client_for(named.referent_a)
    response = client.post(close_url(demain), close_data(client, demain, notes="Notes tapées", sujet="Projet"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "ne peut être noté tenu avant d&#x27;avoir eu lieu" in field_block(content, "statut")
    assert field_value(field_block(content, "notes"), "notes") == "Notes tapées"
    assert field_value(field_block(content, "sujet"), "sujet") == "Projet"
    assert field_value(field_block(content, "duree_reelle_minutes"), "duree_reelle_minutes") == "45"
    demain.refresh_from_db()
    assert demain.statut == S.PREVU
    assert demain.transitions.count() == 0  # the factory's row has no log; none was added


def test_an_absence_in_the_future_is_refused(named):
    demain = EntretienFactory(parcours=named.parcours, debut=NOW + datetime.timedelta(days=1))
    with pytest.raises(RendezVousError, match="se note après son heure"):
        demain.noter_absence(named.referent_a)


@pytest.mark.parametrize("duree", ["-5", "0", "1500"])
def test_a_length_out_of_bounds_is_refused_next_to_it(named, passe, client_for, duree):
    client = client_for(named.referent_a)
    response = client.post(close_url(passe), close_data(client, passe, duree_reelle_minutes=duree, notes="Gardé"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "La durée réelle est comprise entre 1 et 480 minutes" in field_block(content, "duree_reelle_minutes")
    assert field_value(field_block(content, "duree_reelle_minutes"), "duree_reelle_minutes") == duree
    assert field_value(field_block(content, "notes"), "notes") == "Gardé"
    passe.refresh_from_db()
    assert passe.statut == S.PREVU


def test_held_without_a_length_is_refused(named, passe, client_for):
    client = client_for(named.referent_a)
    response = client.post(close_url(passe), close_data(client, passe, duree_reelle_minutes=""))
    assert "Indiquez la durée réelle" in field_block(response.content.decode(), "duree_reelle_minutes")


def test_nothing_held_after_the_exit(named, client_for):
    sorti = ParcoursFactory(etat=Etat.SORTI, referent=named.referent_a, start=NOW.date() - datetime.timedelta(days=300))
    apres = EntretienFactory(
        parcours=sorti,
        debut=timezone.make_aware(
            datetime.datetime.combine(sorti.date_sortie + datetime.timedelta(days=2), datetime.time(9))
        ),
    )
    client = client_for(named.referent_a)
    response = client.post(close_url(apres), close_data(client, apres))
    assert response.status_code == 200
    message = f"ne peut suivre la fin du parcours, le {sorti.date_sortie:%d/%m/%Y}"
    assert message in field_block(unescape(response.content.decode()), "statut")
    apres.refresh_from_db()
    assert apres.statut == S.PREVU
    # Cancelling it stays possible: it did not happen.
    apres.annuler(named.referent_a)


def test_nothing_planned_before_the_orientation(named, client_for):
    client = client_for(named.referent_a)
    avant = named.parcours.date_orientation - datetime.timedelta(days=1)
    response = client.post(
        plan_url(named.parcours), {"date": avant.isoformat(), "heure": "10:00", "modalite": "telephone"}
    )
    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert f"ne peut précéder l'orientation du {named.parcours.date_orientation:%d/%m/%Y}" in field_block(
        content, "date"
    )
    assert field_value(field_block(content, "date"), "date") == avant.isoformat()
    assert not RendezVous.objects.exists()


def test_a_wrong_next_appointment_keeps_the_closing_unsaved(named, passe, client_for):
    client = client_for(named.referent_a)
    data = close_data(client, passe, prochain_date="2026-03-20", prochain_heure="10:00", prochain_modalite="presentiel")
    response = client.post(close_url(passe), data)
    assert response.status_code == 200
    assert "Indiquez le lieu du rendez-vous" in field_block(unescape(response.content.decode()), "prochain_lieu")
    passe.refresh_from_db()
    assert passe.statut == S.PREVU
    assert RendezVous.objects.count() == 1


def test_a_next_date_without_a_time_is_refused(named, passe, client_for):
    client = client_for(named.referent_a)
    response = client.post(close_url(passe), close_data(client, passe, prochain_date="2026-03-20"))
    assert "Indiquez l&#x27;heure du prochain rendez-vous" in field_block(response.content.decode(), "prochain_heure")


def test_the_service_refuses_a_parcours_without_entretiens(named):
    parcours = ParcoursFactory(etat=Etat.ORIENTE, referent=named.referent_a)
    with pytest.raises(RendezVousError, match="une fois le premier rendez-vous fixé"):
        entretiens.planifier_entretien(parcours, named.referent_a, NOW, modalite=Modalite.TELEPHONE)


# --- the access log and the page's queries ----------------------------------------------------------


def test_the_close_page_logs_the_access(named, passe, client_for):
    client_for(named.coordination).get(close_url(passe))
    [row] = AccesDossier.objects.all()
    assert (row.objet_id, row.action, row.refuse) == (named.parcours.pk, Action.CONSULTATION, False)


def _entretiens(parcours, n, statuts=(S.HONORE, S.HONORE, S.ABSENT, S.EXCUSE)):
    """``n`` entretiens, one a week back from last week, with these issues in turn; and a planned one."""
    rows = []
    for i in range(n):
        debut = NOW - datetime.timedelta(days=7 * (i + 1))
        statut = statuts[i % len(statuts)]
        rows.append(
            RendezVous(
                parcours=parcours,
                objet=ObjetRendezVous.ENTRETIEN,
                debut=debut,
                modalite=Modalite.TELEPHONE,
                statut=statut,
                duree_reelle_minutes=50 if statut == S.HONORE else None,
                cloture_le=debut + datetime.timedelta(hours=1),
                notes="Notes",
            )
        )
    RendezVous.objects.bulk_create(rows)
    EntretienFactory(parcours=parcours, debut=NOW + datetime.timedelta(days=3))


@pytest.mark.parametrize("absence", [False, True], ids=["held-last", "absence-to-follow"])
@pytest.mark.parametrize("who", ["referent_a", "coordination"])
def test_parcours_page_query_count_does_not_grow_with_its_entretiens(named, client_for, who, absence):
    client = client_for(getattr(named, who))
    url = f"/parcours/{named.parcours.pk}/"
    statuts = (S.ABSENT, S.ABSENT, S.HONORE, S.EXCUSE) if absence else (S.HONORE, S.ABSENT, S.EXCUSE)
    _entretiens(named.parcours, 10, statuts)
    client.get(url)
    small, small_response = count_queries(client, url)
    _entretiens(named.parcours, 290, statuts)
    large, large_response = count_queries(client, url)
    assert RendezVous.objects.count() == 302
    small_card, large_card = small_response.context["suivi_entretiens"], large_response.context["suivi_entretiens"]
    # The ten most recent: the planned ones (one, then two) and the latest closed ones.
    assert (len(small_card.prevus), len(small_card.derniers), small_card.plus) == (1, 9, True)
    assert (len(large_card.prevus), len(large_card.derniers), large_card.plus) == (2, 8, True)
    assert (large_response.context["suivi_entretiens"].suivi is not None) is absence
    assert large_response.context["suivi_entretiens"].signalement.a_signaler is absence
    assert len(large) == len(small), "\n".join(large)


def test_the_list_shows_every_appointment_a_page_at_a_time(named, client_for):
    _entretiens(named.parcours, 30)
    content = client_for(named.referent_a).get(list_url(named.parcours)).content.decode()
    assert "31 rendez-vous" in content


def test_each_log_row_says_its_transition(named, passe):
    passe.excuser(named.referent_a, notes="Malade")
    row = TransitionRendezVous.objects.get()
    assert (row.transition, row.statut_avant, row.statut_apres) == ("excuser", S.PREVU, S.EXCUSE)


def test_a_closed_appointment_shows_its_issue_and_no_form(named, passe, client_for):
    passe.honorer(named.referent_a, 40)
    content = client_for(named.referent_a).get(close_url(passe)).content.decode()
    assert "Ce rendez-vous est déjà clos : honoré, 40 minutes." in content
    assert '<form method="post"' not in content.split("<main")[1]


def test_planning_on_a_day_the_referent_is_away_warns_without_refusing(named, lieu, client_for):
    from parcours.models import AbsenceReferent

    AbsenceReferent.objects.create(
        referent=named.referent_a,
        nature="formation",
        debut=datetime.date(2026, 3, 11),
        fin=datetime.date(2026, 3, 13),
    )
    client = client_for(named.referent_a)
    data = {"date": "2026-03-12", "heure": "14:30", "modalite": "presentiel", "lieu": lieu.pk, "duree_minutes": "60"}
    response = client.post(plan_url(named.parcours), data, follow=True)
    content = unescape(response.content.decode())
    assert RendezVous.objects.filter(parcours=named.parcours).count() == 1
    assert "le 12/03/2026, le référent est absent (formation du 11/03/2026 au 13/03/2026)" in content

    data["date"] = "2026-03-16"
    content = unescape(client.post(plan_url(named.parcours), data, follow=True).content.decode())
    assert RendezVous.objects.filter(parcours=named.parcours).count() == 2
    assert "le référent est absent" not in content
