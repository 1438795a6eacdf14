"""The journal of a parcours: every kind of event in words, its filter (links, and htmx in place),
the journal page per role, the notes only for whom may read them, and constant queries."""

import datetime
from html import unescape
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours import demandes
from parcours.cer import rediger
from parcours.diagnostic import diagnostic_en_cours
from parcours.freins import Frein
from parcours.journal import DERNIERS, Genre
from parcours.models import Etape, Etat
from plie.referentiel.models import CriterePublic, Referentiel
from tests.factories import (
    AtelierFactory,
    ContactFactory,
    EntretienFactory,
    ParcoursFactory,
    PresenceAtelierFactory,
    SeanceAtelierFactory,
    SuspensionMesureFactory,
    TentativeContactFactory,
)
from tests.plie.test_query_counts import CEILING, count_queries

NOTE_DECISION = "Motif-confidentiel-du-renouvellement"
SUJET = "Objet-confidentiel-de-l-entretien"
NOTE_RDV = "Note-confidentielle-de-l-entretien"
PARTENAIRE = "Partenaire-confidentiel-du-contact"
NOTE_CONTACT = "Commentaire-confidentiel-du-contact"
NOTE_ETAPE = "Motif-confidentiel-de-l-abandon"
NOTE_DEMANDE = "Justification-confidentielle-de-la-demande"
NOTE_REFUS = "Raison-confidentielle-du-refus"
NOTES = [NOTE_DECISION, SUJET, NOTE_RDV, PARTENAIRE, NOTE_CONTACT, NOTE_ETAPE, NOTE_DEMANDE, NOTE_REFUS]

# One line per kind, as the référent reads it.
LIGNES = {
    Genre.DECISIONS: "Renouveler la mesure",
    Genre.ENTRETIENS: "Entretien individuel du",
    Genre.CONTACTS: "Échange avec un partenaire au sujet de la personne",
    Genre.ETAPES: "Étape « Formation qualifiante » modifiée",
    Genre.DIAGNOSTIC: "Frein « Mobilité » : aucun → fort",
    Genre.CONTRAT: "Contrat d'entrée : en cours de rédaction",
    Genre.ATELIERS: "Atelier « Préparer un entretien d'embauche » du",
    Genre.DEMANDES: "Demande « Mise en veille » refusée",
    Genre.MESURE: "Suspension de la mesure du",
}


@pytest.fixture
def historique(named):
    """Référent A's parcours (an RSA beneficiary, RUP) with an event of every kind, notes included."""
    parcours, referent = named.parcours, named.referent_a
    parcours.participant.criteres.add(CriterePublic.objects.get(code=CriterePublic.BRSA))
    parcours.rup = True
    parcours.save()
    today = timezone.localdate()
    parcours.renouveler(referent, motif=NOTE_DECISION, referentiel=Referentiel.objects.active())
    EntretienFactory(parcours=parcours, honore=True, sujet=SUJET, notes=NOTE_RDV)
    ContactFactory(parcours=parcours, canal="partenaire", partenaire=PARTENAIRE, commentaire=NOTE_CONTACT)
    etape = Etape.planifier(referent, parcours, type="formation_qualifiante", date_debut=today)
    etape.commencer(referent, today)
    etape.modifier(referent, type="formation_qualifiante", date_debut=today, commentaire="Précision")
    Etape.planifier(referent, parcours, type="immersion", date_debut=today).abandonner(referent, today, NOTE_ETAPE)
    diagnostic = diagnostic_en_cours(parcours, referent)
    frein = diagnostic.freins.get(theme=Frein.MOBILITE)
    frein.niveau, frein._history_user = "fort", referent
    frein.save()
    rediger(
        parcours,
        referent,
        objectifs="Objectifs",
        actions_prevues="Première étape",
        engagements_participant="Venir",
        engagements_referent="Recevoir",
        date_debut=today,
        duree_mois=6,
    )
    atelier = AtelierFactory(
        theme="Préparer un entretien d'embauche",
        animateur=referent,
        premiere_date=today - datetime.timedelta(days=3),
    )
    PresenceAtelierFactory(parcours=parcours, seance=SeanceAtelierFactory(atelier=atelier, tenue=True))
    # A veille asked then refused; a suspension of the measure for illness (health data).
    parcours.refresh_from_db()
    demande = demandes.demander(
        referent,
        parcours,
        "entree_veille",
        referentiel=Referentiel.objects.active(),
        motif_veille="emploi_formation",
        debut=today,
        fin_prevue=today + datetime.timedelta(days=30),
        justification=NOTE_DEMANDE,
    )
    demandes.refuser(named.coordination, demande, motif=NOTE_REFUS)
    SuspensionMesureFactory(parcours=parcours, motif="maladie")
    return named


def journal_page(client, parcours, query="", status=200):
    response = client.get(f"/parcours/{parcours.pk}/journal/{query}")
    assert response.status_code == status
    return response


def shown(response):
    return unescape(response.content.decode())


def section(response):
    """The journal's section of a page (the dossier shows contacts and appointments in other cards too)."""
    content = shown(response)
    start = content.index('id="journal"')
    return content[start : content.index("</section>", start)]


# --- what it tells --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["referent_a", "coordination"])
def test_the_referent_and_the_coordination_read_every_kind_with_its_notes(historique, client_for, who):
    client = client_for(getattr(historique, who))
    for url in (f"/parcours/{historique.parcours.pk}/", f"/parcours/{historique.parcours.pk}/journal/"):
        content = shown(client.get(url))
        for genre, line in LIGNES.items():
            assert line in content, (url, genre)
        for note in NOTES:
            assert note in content, (url, note)
    # The state reached, and who did it.
    assert "Étape « PMSMP, immersion » : abandonnée" in content
    assert "Étape « Formation qualifiante » : en cours" in content
    assert f"par {historique.referent_a.get_full_name()}" in content
    assert "Historique du parcours" not in content


@pytest.mark.parametrize("who", ["prescripteur", "bureau_insertion"])
def test_others_read_the_decisions_entretiens_and_contacts_without_their_notes(historique, client_for, who):
    client = client_for(getattr(historique, who))
    for url in (f"/parcours/{historique.parcours.pk}/", f"/parcours/{historique.parcours.pk}/journal/"):
        content = shown(client.get(url))
        for genre in (Genre.DECISIONS, Genre.ENTRETIENS, Genre.CONTACTS):
            assert LIGNES[genre] in content, (url, genre)
        # The étapes, the diagnostic and the ateliers attended are the référent's and the coordination's only.
        assert LIGNES[Genre.ATELIERS] not in content
        assert LIGNES[Genre.ETAPES] not in content
        assert LIGNES[Genre.DIAGNOSTIC] not in content
        assert "Frein « " not in content
        # The requests quote free text about the person: not theirs. The suspension, without its motive.
        assert "Demande « " not in content
        assert "(motif réservé au référent et à la coordination)" in content and "(maladie)" not in content
        assert [n for n in NOTES if n in content] == [], url
    # The contract: the bureau insertion signs it when the référent is RUP; the prescripteur never reads it.
    assert (LIGNES[Genre.CONTRAT] in content) is (who == "bureau_insertion")


def test_a_kind_not_readable_is_not_offered_in_the_filter(historique, client_for):
    response = journal_page(client_for(historique.prescripteur), historique.parcours)
    assert list(response.context["journal_genres"]) == [
        Genre.DECISIONS,
        Genre.ENTRETIENS,
        Genre.CONTACTS,
        Genre.MESURE,
    ]
    assert "?journal=diagnostic" not in shown(response)
    # Asked for anyway: the whole journal the prescripteur may read, nothing of the diagnostic.
    response = journal_page(client_for(historique.prescripteur), historique.parcours, "?journal=diagnostic")
    assert response.context["journal_genre"] is None
    assert {e.genre for e in response.context["page_obj"]} == {
        Genre.DECISIONS,
        Genre.ENTRETIENS,
        Genre.CONTACTS,
        Genre.MESURE,
    }


@pytest.mark.parametrize("who", ["referent_a", "coordination"])
def test_the_requests_and_the_suspensions_in_words(historique, client_for, who):
    content = section(client_for(getattr(historique, who)).get(f"/parcours/{historique.parcours.pk}/"))
    referent, coordination = historique.referent_a.get_full_name(), historique.coordination.get_full_name()
    assert "Demande « Mise en veille »</strong>" in content and f"par {referent}" in content
    assert "Demande « Mise en veille » refusée" in content and f"par {coordination}" in content
    assert NOTE_DEMANDE in content and NOTE_REFUS in content
    suspension = historique.parcours.suspensions.get()
    assert f"Suspension de la mesure du {suspension.debut:%d/%m/%Y} au {suspension.fin:%d/%m/%Y} (maladie)" in content
    # Refusing the request logged no parcours decision; accepting one would (the « Décisions » kind).
    assert "Mettre en veille" not in content


# --- the filter -----------------------------------------------------------------------------------


@pytest.mark.parametrize("genre", list(Genre))
def test_the_filter_keeps_one_kind_on_the_dossier_and_the_journal_page(historique, client_for, genre):
    client = client_for(historique.referent_a)
    parcours = historique.parcours
    dossier = client.get(f"/parcours/{parcours.pk}/?journal={genre.value}")
    page = journal_page(client, parcours, f"?journal={genre.value}")
    lus = [(dossier.context["journal"], section(dossier)), (list(page.context["page_obj"]), section(page))]
    for rows, content in lus:
        assert rows and {e.genre for e in rows} == {genre}
        assert LIGNES[genre] in content
        assert [line for g, line in LIGNES.items() if g != genre and line in content] == []
    # The kind chosen is marked, and the pages' links keep it.
    assert f'aria-current="page" href="/parcours/{parcours.pk}/?journal={genre.value}#journal"' in shown(dossier)


def test_an_unknown_kind_shows_the_whole_journal(historique, client_for):
    response = journal_page(client_for(historique.referent_a), historique.parcours, "?journal=n-importe-quoi")
    assert response.context["journal_genre"] is None
    assert {e.genre for e in response.context["page_obj"]} == set(Genre)


def test_the_filter_links_work_without_javascript_and_swap_in_place_with_htmx(historique, client_for):
    client = client_for(historique.referent_a)
    pk = historique.parcours.pk
    content = shown(client.get(f"/parcours/{pk}/"))
    link = (
        f'href="/parcours/{pk}/?journal=entretiens#journal" hx-get="/parcours/{pk}/?journal=entretiens" '
        'hx-target="#journal" hx-swap="outerHTML" hx-push-url="true"'
    )
    assert link in content
    assert "hx-on" not in content

    for url in (f"/parcours/{pk}/?journal=entretiens", f"/parcours/{pk}/journal/?journal=entretiens"):
        response = client.get(url, headers={"HX-Request": "true", "HX-Target": "journal"})
        assert response.status_code == 200
        fragment = shown(response)
        assert "<html" not in fragment and 'id="journal"' in fragment
        assert LIGNES[Genre.ENTRETIENS] in fragment and LIGNES[Genre.DECISIONS] not in fragment
        assert "HX-Request" in response["Vary"]
        # Going back in the browser asks for the whole page again.
        restore = client.get(
            url, headers={"HX-Request": "true", "HX-Target": "journal", "HX-History-Restore-Request": "true"}
        )
        assert "<html" in shown(restore)


# --- the journal page, per role -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordination", 200),
        ("referent_a", 200),
        ("referent_b", 404),
        ("prescripteur", 200),
        ("autre_prescripteur", 404),
        ("bureau_insertion", 200),
        ("operateur", 404),
        ("financeur", 404),
    ],
)
def test_the_journal_page_is_for_whom_may_open_the_parcours(historique, client_for, who, status):
    journal_page(client_for(getattr(historique, who)), historique.parcours, status=status)


def test_the_journal_page_asks_an_anonymous_visitor_to_log_in(historique, client):
    url = f"/parcours/{historique.parcours.pk}/journal/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote(url)}"


def test_the_bureau_insertion_does_not_read_the_contract_when_the_referent_is_not_rup(historique, client_for):
    historique.parcours.rup = False
    historique.parcours.save()
    response = journal_page(client_for(historique.bureau_insertion), historique.parcours)
    assert Genre.CONTRAT not in response.context["journal_genres"]
    assert LIGNES[Genre.CONTRAT] not in shown(response)


# --- bounded: the dossier shows the latest, the page the rest ------------------------------------------


def test_the_dossier_shows_the_latest_and_links_to_the_whole_journal(named, client_for):
    parcours = named.parcours
    for i in range(DERNIERS + 5):
        ContactFactory(parcours=parcours, date=timezone.now() - datetime.timedelta(hours=i))
    client = client_for(named.referent_a)
    response = client.get(f"/parcours/{parcours.pk}/")
    assert len(response.context["journal"]) == DERNIERS and response.context["journal_suite"]
    assert f'href="/parcours/{parcours.pk}/journal/">Tout le journal</a>' in shown(response)
    filtered = client.get(f"/parcours/{parcours.pk}/?journal=contacts")
    assert f'href="/parcours/{parcours.pk}/journal/?journal=contacts">Tout le journal</a>' in shown(filtered)

    page1 = journal_page(client, parcours, "?journal=contacts")
    assert page1.context["page_obj"].paginator.count == DERNIERS + 5
    assert len(page1.context["page_obj"]) == 50
    assert "?journal=contacts&page=2" in shown(page1)  # the pager keeps the filter
    page2 = journal_page(client, parcours, "?journal=contacts&page=2")
    assert len(page2.context["page_obj"]) == 5
    dates = [e.date for e in [*page1.context["page_obj"], *page2.context["page_obj"]]]
    assert dates == sorted(dates, reverse=True)


def test_an_empty_journal_says_so(named, client_for):
    response = journal_page(client_for(named.referent_a), named.parcours, "?journal=contrat")
    assert "Rien de ce type dans le journal de ce parcours." in shown(response)


def test_the_journal_page_queries_do_not_grow_with_the_history(named, client_for):
    parcours = named.parcours
    client = client_for(named.referent_a)
    url = f"/parcours/{parcours.pk}/journal/"

    def grow(n):
        for i in range(n):
            debut = timezone.now() - datetime.timedelta(days=i + 1)
            EntretienFactory(parcours=parcours, honore=True, debut=debut)
            TentativeContactFactory(parcours=parcours, date=debut)

    grow(10)
    client.get(url)
    small, _ = count_queries(client, url)
    grow(290)
    large, response = count_queries(client, url)
    assert response.context["page_obj"].paginator.count >= 600
    assert len(large) <= CEILING, "\n".join(large)
    assert len(large) == len(small), f"{len(small)} then {len(large)} queries:\n" + "\n".join(large)


def test_the_query_compiled_once_reads_each_parcours_its_own_rows(named, client_for):
    """The union is compiled once per kinds and reading of notes (parcours.journal._gabarit): two dossiers
    read in turn, by the same reader, each show their own history and only theirs."""
    a = named.parcours
    b = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=named.referent_b)
    ContactFactory(parcours=a, commentaire="Commentaire-de-A", date=timezone.now() - datetime.timedelta(hours=1))
    ContactFactory(parcours=b, commentaire="Commentaire-de-B", date=timezone.now() - datetime.timedelta(hours=2))
    client = client_for(named.coordination)
    for ours, theirs in [(a, "Commentaire-de-B"), (b, "Commentaire-de-A"), (a, "Commentaire-de-B")]:
        mine = "Commentaire-de-A" if ours == a else "Commentaire-de-B"
        for url in (f"/parcours/{ours.pk}/", f"/parcours/{ours.pk}/journal/"):
            content = shown(client.get(url))
            assert mine in content and theirs not in content, url
