"""The pages of the requests for a decision: the request form of each type, « Demandes à traiter », a
request's page with its decisions, the withdrawal, the dossier's card, per role; bad input and stale
copies answered in words; constant queries."""

import datetime
from html import unescape
from urllib.parse import quote

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parcours.models import Demande, Etat, PeriodeVeille, StatutDemande, TransitionDemande, TransitionParcours
from plie.acces.models import AccesDossier, TypeObjet
from tests.conftest import Personas
from tests.factories import DemandeFactory, ParcoursFactory, ReferentFactory
from tests.plie.test_query_counts import count_queries

ROLES = [n for n in Personas.NAMES if n not in ("autre_prescripteur", "prescripteur_ailleurs")]
# Who opens what (the project's habit: an object one may not see is a 404, a coordination-only list a 403).
DOSSIER_OUVERT = {"coordination", "referent_a"}


def shown(response):
    return unescape(response.content.decode())


def nouvelle(parcours, type_="entree_veille"):
    return reverse("demandes:nouvelle", args=[parcours.pk, type_])


def veille_data(parcours, *, debut=None, mois=1, **extra):
    debut = debut or timezone.localdate()
    return {
        "version": parcours.modifie_le.isoformat(),
        "motif_veille": "emploi_formation",
        "debut": debut.isoformat(),
        "fin_prevue": (debut + relativedelta(months=mois)).isoformat(),
        "justification": "",
        **extra,
    }


def decision(demande, prefix, **data):
    return {f"{prefix}-version": demande.modifie_le.isoformat(), **{f"{prefix}-{k}": v for k, v in data.items()}}


# --- per role ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_the_request_form_is_for_the_referent_of_the_parcours_and_the_coordination(personas, client_for, who):
    response = client_for(getattr(personas, who)).get(nouvelle(personas.parcours))
    assert response.status_code == (200 if who in DOSSIER_OUVERT else 404)
    if response.status_code == 200:
        content = shown(response)
        assert 'type="date"' in content and 'name="version"' in content
        assert "Le référent garde un suivi régulier" in content  # the sorte's aide
        assert "La personne ne peut pas venir aux entretiens (la coordination étudiera une réorientation)" in content
        assert "cellule de suivi" in content  # Niort: a veille is decided in cellule


def test_the_request_form_asks_an_anonymous_visitor_to_log_in(personas):
    url = nouvelle(personas.parcours)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote(url)}"


@pytest.mark.parametrize("who", ROLES)
def test_the_list_is_the_coordinations(personas, client_for, who):
    DemandeFactory(parcours=personas.parcours)
    response = client_for(getattr(personas, who)).get(reverse("demandes:a_traiter"))
    assert response.status_code == (200 if who == "coordination" else 403)


def test_the_list_asks_an_anonymous_visitor_to_log_in(personas):
    assert Client().get(reverse("demandes:a_traiter")).status_code == 302


@pytest.mark.parametrize("who", ROLES)
def test_the_request_page_is_for_whom_may_read_the_parcours_sensitive_data(personas, client_for, who):
    demande = DemandeFactory(parcours=personas.parcours, justification="Justification-confidentielle")
    response = client_for(getattr(personas, who)).get(reverse("demandes:detail", args=[demande.pk]))
    assert response.status_code == (200 if who in DOSSIER_OUVERT else 404)
    content = shown(response)
    if who in DOSSIER_OUVERT:
        assert "Justification-confidentielle" in content
        assert "Entrée en étape emploi ou formation" in content  # the veille motive
        assert ("Accepter la demande" in content) is (who == "coordination")
        assert "Retirer la demande" in content  # its author (référent A) and the coordination
    else:
        assert "Justification-confidentielle" not in content
    # Every access is logged against the person's parcours, refusals too.
    [row] = AccesDossier.objects.filter(utilisateur=getattr(personas, who))
    assert (row.type_objet, row.objet_id, row.refuse) == (
        TypeObjet.PARCOURS,
        personas.parcours.pk,
        who not in DOSSIER_OUVERT,
    )


def test_the_request_page_asks_an_anonymous_visitor_to_log_in(personas):
    demande = DemandeFactory(parcours=personas.parcours)
    assert Client().get(reverse("demandes:detail", args=[demande.pk])).status_code == 302
    assert not AccesDossier.objects.exists()


@pytest.mark.parametrize("who", ROLES)
def test_only_the_coordination_decides(personas, client_for, who):
    demande = DemandeFactory(parcours=personas.parcours)
    client = client_for(getattr(personas, who))
    refus = client.post(reverse("demandes:refuser", args=[demande.pk]), decision(demande, "refuser", motif="Non"))
    accept = client.post(reverse("demandes:accepter", args=[demande.pk]), decision(demande, "accepter"))
    demande.refresh_from_db()
    if who == "coordination":
        assert refus.status_code == 302 and demande.statut == StatutDemande.REFUSEE
        # Already refused: said on the request's page.
        assert accept.status_code == 302 and accept["Location"] == reverse("demandes:detail", args=[demande.pk])
        page = shown(client.get(accept["Location"]))
        assert "Cette demande vient d'être modifiée par quelqu'un d'autre" in page
        assert "Elle est désormais « refusée »." in page and "Accepter la demande" not in page
    else:
        assert (refus.status_code, accept.status_code) == (404, 404)
        assert demande.statut == StatutDemande.DEMANDEE


def test_decisions_are_post_only(personas, client_for):
    demande = DemandeFactory(parcours=personas.parcours)
    client = client_for(personas.coordination)
    for name in ("demandes:accepter", "demandes:refuser"):
        assert client.get(reverse(name, args=[demande.pk])).status_code == 405


@pytest.mark.parametrize("who", ROLES)
def test_the_author_and_the_coordination_withdraw(personas, client_for, who):
    demande = DemandeFactory(parcours=personas.parcours)
    client = client_for(getattr(personas, who))
    url = reverse("demandes:retirer", args=[demande.pk])
    confirmation = client.get(url)
    allowed = who in DOSSIER_OUVERT
    assert confirmation.status_code == (200 if allowed else 404)
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.DEMANDEE  # a GET is only the confirmation page
    response = client.post(url, {"version": demande.modifie_le.isoformat(), "motif": ""})
    demande.refresh_from_db()
    if allowed:
        assert response.status_code == 302 and response["Location"] == reverse(
            "parcours:detail", args=[demande.parcours_id]
        )
        assert demande.statut == StatutDemande.RETIREE
    else:
        assert response.status_code == 404 and demande.statut == StatutDemande.DEMANDEE


def test_another_referent_who_follows_the_person_now_cannot_withdraw_the_former_referents_request(personas, client_for):
    """The parcours passed to référent B: B reads its requests, withdraws only their own."""
    demande = DemandeFactory(parcours=personas.parcours)  # by référent A
    personas.parcours.referent = personas.referent_b
    personas.parcours.save()
    client = client_for(personas.referent_b)
    assert client.get(reverse("demandes:detail", args=[demande.pk])).status_code == 200
    assert "Retirer la demande" not in shown(client.get(reverse("demandes:detail", args=[demande.pk])))
    response = client.post(reverse("demandes:retirer", args=[demande.pk]), {"version": demande.modifie_le.isoformat()})
    assert response.status_code == 404
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.DEMANDEE


def test_a_request_already_withdrawn_says_so_on_the_confirmation_page(personas, client_for):
    demande = DemandeFactory(parcours=personas.parcours)
    client = client_for(personas.referent_a)
    url = reverse("demandes:retirer", args=[demande.pk])
    assert client.post(url, {"version": demande.modifie_le.isoformat()}).status_code == 302
    response = client.get(url)
    assert response.status_code == 200
    assert "Cette demande est « retirée » : elle ne se retire plus." in shown(response)


# --- the whole flow -----------------------------------------------------------------------------------


def test_a_referent_asks_a_veille_in_caen_and_the_coordination_accepts_it(caen, client_for):
    coordination = Personas().coordination
    referent = ReferentFactory()
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=referent)
    client = client_for(referent)
    debut = timezone.localdate()
    response = client.post(nouvelle(parcours), veille_data(parcours, debut=debut, mois=2, justification="Formation"))
    assert response.status_code == 302 and response["Location"] == reverse("parcours:detail", args=[parcours.pk])
    assert "« Mise en veille » demandée. La coordination du PLIE décidera." in shown(client.get(response["Location"]))
    demande = Demande.objects.get()
    assert (demande.statut, demande.auteur, demande.decision_en_cellule) == (StatutDemande.DEMANDEE, referent, False)
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT  # asked, not applied

    # On the coordination's list, then its page.
    coordination_client = client_for(coordination)
    liste = shown(coordination_client.get(reverse("demandes:a_traiter")))
    assert parcours.participant.nom_complet in liste and "Mise en veille" in liste
    assert f"le {timezone.localdate():%d/%m/%Y} par {referent.get_full_name()}" in liste
    assert "À présenter en cellule de suivi" not in liste
    assert reverse("demandes:detail", args=[demande.pk]) in liste

    response = coordination_client.post(
        reverse("demandes:accepter", args=[demande.pk]), decision(demande, "accepter", motif="D'accord")
    )
    assert response.status_code == 302 and response["Location"] == reverse("parcours:detail", args=[parcours.pk])
    parcours.refresh_from_db()
    demande.refresh_from_db()
    assert parcours.etat == Etat.VEILLE
    veille = PeriodeVeille.objects.get(parcours=parcours)
    assert (veille.debut, veille.fin_prevue) == (debut, debut + relativedelta(months=2))
    assert (demande.statut, demande.decide_par, demande.motif_decision) == (
        StatutDemande.ACCEPTEE,
        coordination,
        "D'accord",
    )
    assert TransitionParcours.objects.get(transition="mettre_en_veille").demande == demande
    assert list(TransitionDemande.objects.order_by("id").values_list("transition", "auteur")) == [
        ("demander", referent.pk),
        ("accepter", coordination.pk),
    ]
    assert "Aucune demande à traiter." in shown(coordination_client.get(reverse("demandes:a_traiter")))


def test_in_niort_a_veille_is_presented_to_the_cellule_de_suivi(personas, client_for):
    client = client_for(personas.referent_a)
    response = client.post(nouvelle(personas.parcours), veille_data(personas.parcours), follow=True)
    assert "La demande sera présentée à la prochaine cellule de suivi." in shown(response)
    assert Demande.objects.get().decision_en_cellule
    liste = shown(client_for(personas.coordination).get(reverse("demandes:a_traiter")))
    assert "À présenter en cellule de suivi" in liste


def test_a_veille_beyond_caens_limit_is_refused_at_the_form_with_the_rule(caen, client_for):
    referent = ReferentFactory()
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=referent)
    response = client_for(referent).post(nouvelle(parcours), veille_data(parcours, mois=4, justification="Gardée"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["fin_prevue"]
    assert "3 mois" in errors["fin_prevue"][0]
    content = shown(response)
    assert "une veille ne peut excéder 3 mois" in content
    assert "Gardée" in content  # nothing typed lost
    assert not Demande.objects.exists()


def test_refusing_needs_a_reason(personas, client_for):
    demande = DemandeFactory(parcours=personas.parcours)
    client = client_for(personas.coordination)
    response = client.post(reverse("demandes:refuser", args=[demande.pk]), decision(demande, "refuser", motif="  "))
    assert response.status_code == 200
    assert "Indiquez la raison du refus." in shown(response)
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.DEMANDEE
    response = client.post(
        reverse("demandes:refuser", args=[demande.pk]), decision(demande, "refuser", motif="Pas maintenant")
    )
    assert response.status_code == 302 and response["Location"] == reverse("demandes:a_traiter")
    demande.refresh_from_db()
    assert (demande.statut, demande.motif_decision) == (StatutDemande.REFUSEE, "Pas maintenant")
    assert shown(client.get(reverse("demandes:detail", args=[demande.pk]))).count("Pas maintenant") >= 1


def test_a_stale_copy_is_refused_and_the_next_submit_after_reading_goes_through(personas, client_for):
    demande = DemandeFactory(parcours=personas.parcours)
    seen = decision(demande, "refuser", motif="Raison tapée")
    Demande.objects.filter(pk=demande.pk).update(modifie_le=timezone.now() + datetime.timedelta(seconds=1))
    client = client_for(personas.coordination)
    response = client.post(reverse("demandes:refuser", args=[demande.pk]), seen)
    assert response.status_code == 200
    content = shown(response)
    assert "Cette demande vient d'être modifiée par quelqu'un d'autre : rechargez la page." in content
    assert "Raison tapée" in content
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.DEMANDEE
    # The form now carries the version just read.
    form = response.context["form_refuser"]
    assert form.data["refuser-version"] == demande.modifie_le.isoformat()
    response = client.post(reverse("demandes:refuser", args=[demande.pk]), dict(form.data.items()))
    assert response.status_code == 302


def test_a_missing_or_junk_version_is_a_stale_copy(personas, client_for):
    demande = DemandeFactory(parcours=personas.parcours)
    client = client_for(personas.coordination)
    for version in ("", "n'importe-quoi", "2026-13-45T99:99"):
        response = client.post(
            reverse("demandes:accepter", args=[demande.pk]), {"accepter-version": version, "accepter-motif": ""}
        )
        assert response.status_code == 200
        assert "Cette demande vient d'être modifiée" in shown(response)
    response = client.post(nouvelle(personas.parcours), {**veille_data(personas.parcours), "version": "junk"})
    assert response.status_code == 200
    assert "Ce parcours vient d'être modifié par quelqu'un d'autre" in shown(response)
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.DEMANDEE and Demande.objects.count() == 1


def test_a_stale_parcours_is_refused_at_the_request_form(personas, client_for):
    parcours = personas.parcours
    data = veille_data(parcours)
    parcours.save()  # someone changed the parcours meanwhile
    response = client_for(personas.referent_a).post(nouvelle(parcours), data)
    assert response.status_code == 200
    assert "Ce parcours vient d'être modifié par quelqu'un d'autre : rechargez la page." in shown(response)
    assert not Demande.objects.exists()


def test_bad_input_gets_field_errors_and_no_500(personas, client_for):
    client = client_for(personas.referent_a)
    parcours = personas.parcours
    response = client.post(nouvelle(parcours), {"version": parcours.modifie_le.isoformat(), "motif_veille": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["debut"] == ["Indiquez le début de la veille."]
    assert errors["fin_prevue"] == ["Indiquez la fin prévue de la veille."]
    assert errors["motif_veille"] == ["Choisissez le motif de la veille."]
    response = client.post(nouvelle(parcours), veille_data(parcours, justification="x" * 3000))
    assert response.status_code == 200
    assert response.context["form"].errors["justification"] == ["2000 caractères au plus (vous en avez saisi 3000)."]
    for junk in ["31/02/2026", "9999-12-31", "0001-01-01", "<script>", "99999999999999999999"]:
        data = veille_data(parcours, debut=None)
        data.update(debut=junk, fin_prevue=junk, motif_veille=junk)
        response = client.post(nouvelle(parcours), data)
        assert response.status_code == 200, junk
        assert {"debut", "fin_prevue", "motif_veille"} <= set(response.context["form"].errors), junk
    assert not Demande.objects.exists()


def test_a_reorientation_proposes_another_referent_and_the_coordination_may_choose(personas, client_for):
    parcours = personas.parcours
    client = client_for(personas.referent_a)
    form = client.get(nouvelle(parcours, "reorientation")).context["form"]
    proposes = list(form.fields["referent_propose"].queryset)
    assert personas.referent_b in proposes and personas.referent_a not in proposes
    response = client.post(
        nouvelle(parcours, "reorientation"),
        {"version": parcours.modifie_le.isoformat(), "referent_propose": "", "justification": ""},
    )
    assert response.context["form"].errors["justification"] == ["Indiquez pourquoi réorienter la personne."]
    response = client.post(
        nouvelle(parcours, "reorientation"),
        {
            "version": parcours.modifie_le.isoformat(),
            "referent_propose": personas.referent_b.pk,
            "justification": "Trop loin",
        },
    )
    assert response.status_code == 302
    demande = Demande.objects.get()
    page = client_for(personas.coordination).get(reverse("demandes:detail", args=[demande.pk]))
    accept = page.context["form_accepter"]
    assert accept["referent"].value() == personas.referent_b.pk  # the proposed one, by default
    autre = ReferentFactory()
    response = client_for(personas.coordination).post(
        reverse("demandes:accepter", args=[demande.pk]), decision(demande, "accepter", referent=autre.pk)
    )
    assert response.status_code == 302
    parcours.refresh_from_db()
    assert parcours.referent == autre


def test_a_type_not_possible_now_or_unknown_is_a_404(personas, client_for):
    client = client_for(personas.referent_a)
    # In accompagnement: no veille to renew or end; an unknown type.
    for type_ in ("renouvellement_veille", "fin_veille", "n-importe-quoi"):
        assert client.get(nouvelle(personas.parcours, type_)).status_code == 404, type_
    # Already waiting: not offered again.
    DemandeFactory(parcours=personas.parcours)
    assert client.get(nouvelle(personas.parcours)).status_code == 404
    # Posted anyway: said in words.
    response = client.post(nouvelle(personas.parcours), veille_data(personas.parcours))
    assert response.status_code == 200
    assert "Une demande « Mise en veille » attend déjà une décision pour ce parcours." in shown(response)


def test_a_closed_parcours_takes_no_request(personas, client_for):
    parcours = ParcoursFactory(etat=Etat.SORTI, referent=personas.referent_a)
    for who in ("referent_a", "coordination"):
        assert client_for(getattr(personas, who)).get(nouvelle(parcours)).status_code == 404


# --- the list -----------------------------------------------------------------------------------------


def test_the_list_filters_searches_and_shows_the_oldest_first(personas, client_for):
    ancienne = DemandeFactory(parcours=personas.parcours, demandee_le=timezone.now() - datetime.timedelta(days=5))
    autre = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=personas.referent_b)
    autre.participant.nom_usage, autre.participant.prenoms = "Éléonore-Dupré", "Zoé"
    autre.participant.save()
    recente = DemandeFactory(
        parcours=autre,
        type="derogation_distance",
        motif_veille="",
        debut=None,
        justification="Loin",
        autonomie_numerique="autonome",
        decision_en_cellule=False,
    )
    DemandeFactory(
        parcours=personas.parcours,
        type="reorientation",
        motif_veille="",
        debut=None,
        justification="x",
        statut="retiree",
    )  # not waiting: not listed
    client = client_for(personas.coordination)
    url = reverse("demandes:a_traiter")

    def listed(query=None):
        return list(client.get(url, query or {}).context["page_obj"])

    assert listed() == [ancienne, recente]
    assert listed({"type": "derogation_distance"}) == [recente]
    assert listed({"q": "eleonore dupre"}) == [recente]
    assert listed({"referent": personas.referent_a.pk}) == [ancienne]
    Demande.objects.filter(pk=ancienne.pk).update(decision_en_cellule=True)
    assert listed({"decision": "cellule"}) == [ancienne]
    assert listed({"decision": "equipe"}) == [recente]
    response = client.get(url, {"type": "zzz", "referent": "zzz", "page": "zzz"})
    assert response.status_code == 200 and list(response.context["page_obj"]) == [ancienne, recente]
    assert "Aucune demande ne correspond à ce choix." in shown(client.get(url, {"q": "personne-inconnue"}))


def test_the_list_logs_the_people_it_shows(personas, client_for):
    demande = DemandeFactory(parcours=personas.parcours)
    client_for(personas.coordination).get(reverse("demandes:a_traiter"))
    [row] = AccesDossier.objects.all()
    assert (row.type_objet, row.objet_id) == (TypeObjet.PARCOURS, demande.parcours_id)


def test_the_list_runs_as_many_queries_for_thirty_rows_as_for_one(personas, client_for):
    client = client_for(personas.coordination)
    url = reverse("demandes:a_traiter")
    DemandeFactory(parcours=personas.parcours)
    client.get(url)
    small, small_response = count_queries(client, url)
    for _ in range(29):
        DemandeFactory(parcours=ParcoursFactory(etat=Etat.ACCOMPAGNEMENT))
    large, large_response = count_queries(client, url)
    assert small_response.context["page_obj"].paginator.count == 1
    assert large_response.context["page_obj"].paginator.count == 30 and len(large_response.context["page_obj"]) == 25
    assert "?page=2" in shown(large_response)
    assert len(large) == len(small), f"{len(small)} then {len(large)} queries:\n" + "\n".join(large)


# --- the dossier's card and the home page --------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_the_dossiers_card_is_for_whom_may_read_the_requests(personas, client_for, who):
    demande = DemandeFactory(parcours=personas.parcours)
    response = client_for(getattr(personas, who)).get(reverse("parcours:detail", args=[personas.parcours.pk]))
    if response.status_code != 200:
        assert who not in DOSSIER_OUVERT
        return
    content = shown(response)
    visible = who in DOSSIER_OUVERT
    assert ('id="demandes"' in content) is visible
    assert (reverse("demandes:detail", args=[demande.pk]) in content) is visible
    if visible:
        # The veille is waiting: not offered again; the others of an accompaniment are.
        assert "Demander : Mise en veille" not in content
        assert "Demander : Réorientation vers un autre référent" in content
        assert reverse("demandes:nouvelle", args=[personas.parcours.pk, "reorientation"]) in content


def test_the_dossier_queries_do_not_grow_with_the_requests(personas, client_for):
    client = client_for(personas.referent_a)
    url = reverse("parcours:detail", args=[personas.parcours.pk])
    client.get(url)
    without, _ = count_queries(client, url)
    DemandeFactory(parcours=personas.parcours)
    one, _ = count_queries(client, url)
    for type_ in ("reorientation",):
        DemandeFactory(parcours=personas.parcours, type=type_, motif_veille="", debut=None, justification="x")
    for _ in range(12):
        DemandeFactory(parcours=personas.parcours, statut="retiree")
    many, response = count_queries(client, url)
    assert len(response.context["demandes_liste"]) == 10
    # The waiting ones first: none of the types waiting is offered again.
    assert [d.statut for d in response.context["demandes_liste"][:2]] == ["demandee", "demandee"]
    assert len(one) == len(without) + 1, "\n".join(one)
    assert len(many) == len(one), "\n".join(many)


def test_the_coordinations_home_counts_the_requests_waiting(personas, client_for):
    client = client_for(personas.coordination)
    assert "Aucune demande à traiter." in shown(client.get("/"))
    DemandeFactory(parcours=personas.parcours, decision_en_cellule=True)
    DemandeFactory(parcours=ParcoursFactory(etat=Etat.ACCOMPAGNEMENT))
    DemandeFactory(parcours=ParcoursFactory(etat=Etat.ACCOMPAGNEMENT), statut="retiree")
    content = shown(client.get("/"))
    assert "Demandes à traiter : 2, dont 1 pour la cellule de suivi." in content
    assert f'href="{reverse("demandes:a_traiter")}"' in content


@pytest.mark.parametrize("junk", ["", " ", "-1", "99999999999999999999", "2026-13-45", "<script>", "x" * 3000])
def test_junk_in_the_decision_forms_is_answered_in_words(personas, client_for, junk):
    demande = DemandeFactory(
        parcours=personas.parcours, type="reorientation", motif_veille="", debut=None, justification="Trop loin"
    )
    client = client_for(personas.coordination)
    for name, prefix in [("demandes:accepter", "accepter"), ("demandes:refuser", "refuser")]:
        version = demande.modifie_le.isoformat()
        data = {f"{prefix}-version": version, f"{prefix}-motif": junk, f"{prefix}-referent": junk}
        response = client.post(reverse(name, args=[demande.pk]), data)
        # Never a 500: the form's errors, or (a short text is a reason) the refusal recorded.
        assert response.status_code in (200, 302), (name, junk[:20])
    response = client.post(reverse("demandes:retirer", args=[demande.pk]), {"version": junk, "motif": junk})
    assert response.status_code in (200, 302)
    for pk in ("0", "99999999999999999999"):
        assert client.get(f"/demandes/{pk}/").status_code == 404
        assert client.get(f"/demandes/parcours/{pk}/entree_veille/").status_code == 404


def test_a_decided_request_shows_its_decision_and_its_log(personas, client_for):
    demande = DemandeFactory(parcours=personas.parcours)
    from parcours import demandes

    demandes.refuser(personas.coordination, demande, motif="Pas maintenant")
    content = shown(client_for(personas.referent_a).get(reverse("demandes:detail", args=[demande.pk])))
    qui = personas.coordination.get_full_name()
    assert f"Refusée le {timezone.localdate():%d/%m/%Y} par {qui} : Pas maintenant" in content
    assert f"Refuser, par {personas.coordination.get_full_name()} : Pas maintenant" in content
    assert "Retirer la demande" not in content and "Accepter la demande" not in content


def test_a_person_who_cannot_come_is_signalled_to_the_coordination_with_a_link_to_the_request(personas, client_for):
    from plie.notifications.models import Notification

    data = veille_data(personas.parcours, presentiel_impossible="on")
    assert client_for(personas.referent_a).post(nouvelle(personas.parcours), data).status_code == 302
    demande = Demande.objects.get()
    assert demande.presentiel_impossible
    [notification] = Notification.objects.filter(destinataire=personas.coordination)
    assert "ne peut pas venir aux entretiens" in notification.titre
    assert notification.lien == reverse("demandes:detail", args=[demande.pk])
    page = shown(client_for(personas.coordination).get(notification.lien))
    assert "oui : la coordination étudiera une réorientation" in page
