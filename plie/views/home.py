"""One home page per role, each useful on its own."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from parcours import absences, alertes, ateliers, horloge, rythme
from parcours.accueil import nouvelles_orientations
from parcours.charges import charge_referents
from parcours.models import Demande, Etat, Parcours, RendezVous, SeanceAtelier, StatutRendezVous, StatutSeance
from plie import aggregates, permissions
from plie.accounts.models import ReferentProfile, Role
from plie.listes import paginer
from plie.normalisation import normaliser
from plie.referentiel.models import Referentiel
from prescriptions.models import Avis, Organisme, Prescription, ValidationPrescription
from prescriptions.views.prescripteur import mes_prescriptions

NOUVELLES_AFFICHEES = 25  # new orientations listed on the référent's home, oldest first
CHARGES_AFFICHEES = 12  # référents listed on the coordination's home, the most loaded first
MESURES_AFFICHEES = 20  # measures to renew listed on the coordination's home, most urgent first


def home(request):
    user = request.user
    if user.has_role(Role.COORDINATION):
        return _home_coordination(request)
    if user.has_role(Role.REFERENT):
        return _home_referent(request)
    if user.has_role(Role.PRESCRIPTEUR):
        return mes_prescriptions(request)
    if user.has_role(Role.BUREAU_INSERTION):
        return _home_bureau_insertion(request)
    if user.has_role(Role.OPERATEUR):
        return _home_operateur(request)
    if permissions.can_view_aggregates(user):
        return _home_financeur(request)
    raise PermissionDenied


def _counts_context(secret=False):
    """Parcours per state; under statistical secrecy for whom may not see people."""
    counts = Parcours.objects.counts_by_etat()
    values, total = [counts[etat] for etat in Etat], sum(counts.values())
    if secret:
        values, total = aggregates.secret_statistique(values, total)
    return {
        "counts": [(etat, etat.label, n) for etat, n in zip(Etat, values, strict=True)],
        "total": total,
        "legende": aggregates.LEGENDE if secret else "",
    }


def _home_coordination(request):
    referentiel = Referentiel.objects.active_or_none()
    context = _counts_context()
    context["referentiel"] = referentiel
    charges = charge_referents(referentiel) if referentiel else []
    # The most loaded first, a screen of them: the référents page lists them all.
    context["charges"] = sorted(charges, key=lambda c: (-c.taux, -c.file_active, c.referent.pk))[:CHARGES_AFFICHEES]
    context["charges_total"] = len(charges)
    context["prescriptions_a_traiter"] = Prescription.objects.a_traiter().count()
    # « Demandes à traiter », and how many wait for the cellule de suivi: one query.
    context["demandes_a_traiter"] = Demande.objects.a_decider().aggregate(
        total=Count("pk"), en_cellule=Count("pk", filter=Q(decision_en_cellule=True))
    )
    context["postes_vacants"] = postes_vacants()
    # The référents in post who ran no atelier within the référentiel's minimum frequency (one query).
    frequences = (
        ateliers.frequences(referentiel, [c.referent.pk for c in charges])
        if referentiel and referentiel.ateliers_frequence_min_jours and charges
        else {}
    )
    context["ateliers_a_programmer"] = [
        (c.referent, frequences[c.referent.pk])
        for c in charges
        if c.referent.pk in frequences and frequences[c.referent.pk].en_retard
    ]
    # The measure clock (parcours/horloge.py): measures passed with no renewal asked, maximum lengths near.
    # Chosen in SQL, counted and sorted on a few values, then the rows of the most urgent: two queries.
    mesures = horloge.a_renouveler(Parcours.objects.all(), referentiel) if horloge.a_des_mesures(referentiel) else []
    context["mesures_echues_sans_demande"] = sum(1 for m in mesures if m.echue_sans_demande)
    context["durees_max_proches"] = sum(1 for m in mesures if m.limite_proche)
    context["mesures"] = horloge.avec_parcours(mesures[:MESURES_AFFICHEES]) if mesures else []
    context["mesures_suite"] = len(mesures) > MESURES_AFFICHEES
    return render(request, "home/coordination.html", context)


def postes_vacants(limit=20):
    """Vacant posts that still follow open parcours (their participants wait), and recent vacancies."""
    ouverts = (
        Parcours.objects.ouverts()
        .filter(referent=OuterRef("user_id"))
        .order_by()
        .values("referent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    recent = timezone.localdate() - datetime.timedelta(days=30)
    return list(
        ReferentProfile.objects.filter(actif=False)
        .annotate(parcours_ouverts=Coalesce(Subquery(ouverts), 0))
        .filter(Q(parcours_ouverts__gt=0) | Q(date_vacance__gte=recent))
        .select_related("user", "user__structure")
        .order_by("-parcours_ouverts", "date_vacance", "pk")[:limit]
    )


@dataclass(frozen=True)
class LigneRythme:
    parcours: Parcours
    echeance: rythme.Echeance
    prevu: RendezVous | None  # the next appointment fixed that would count

    @property
    def retard(self) -> int:
        return max(0, -self.echeance.jours_restants)


def _echeances(parcours, lectures, referentiel, today) -> list[LigneRythme]:
    """The parcours overdue, the most overdue first, then those due within 7 days.

    ``parcours`` carry :meth:`ParcoursQuerySet.annoter_en_action`; ``lectures`` are their rows read by
    :func:`parcours.rythme.lire_derniers`: no query here.
    """
    rows = []
    for p in parcours:
        if p.etat not in rythme.ETATS_RYTHME:
            continue
        lu = lectures[p.pk]
        echeance = rythme.echeance(
            p,
            referentiel,
            today,
            en_etape=p.en_action,
            rendez_vous=lu.rendez_vous,
            contacts=lu.contacts,
            veilles=lu.veilles,
        )
        if echeance and not echeance.en_veille and (echeance.en_retard or echeance.bientot):
            rows.append(LigneRythme(p, echeance, alertes.prochain_fixe(echeance, lu.rendez_vous, today)))
    return sorted(rows, key=lambda row: (row.echeance.jours_restants, row.parcours.pk))


def _home_referent(request):
    user = request.user
    referentiel = Referentiel.objects.active_or_none()
    today = timezone.localdate()
    # The oldest ones, most urgent, and a link to all of them when there are more: the page stays one
    # screen long (and fast) whatever the number waiting.
    nouvelles = nouvelles_orientations(user, referentiel, NOUVELLES_AFFICHEES + 1)
    # Every open parcours of the référent once, with the absence to follow, for the two lists below;
    # then what the rhythm reads of them (held and planned appointments, contacts that reached the
    # person, veilles: one query each, whatever their number).
    # The référent's last held atelier comes with the same rows (the same value on each).
    dernier_atelier = (
        SeanceAtelier.objects.filter(statut=StatutSeance.TENUE, debut__lte=timezone.now())
        .filter(Q(atelier__animateur=user) | Q(atelier__co_animateur=user))
        .order_by("-debut")
        .values("debut")[:1]
    )
    suivis = list(
        absences.avec_absence(Parcours.objects.visible_to(user).ouverts())
        .annoter_en_action(today)
        .annotate(dernier_atelier=Subquery(dernier_atelier))
        .select_related("participant", "participant__commune")
    )
    lectures = rythme.lire_derniers(
        (p.pk for p in suivis if p.etat in rythme.ETATS_RYTHME),
        ateliers=bool(referentiel and referentiel.ateliers_comptent_dans_rythme),
        today=today,
    )
    if suivis:
        dernier = suivis[0].dernier_atelier and timezone.localdate(suivis[0].dernier_atelier)
    else:
        dernier = ateliers.derniers_ateliers([user.pk], today).get(user.pk)
    a_suivre = sorted(
        (p for p in suivis if p.dernier_statut == StatutRendezVous.ABSENT), key=lambda p: (p.absence_debut, p.pk)
    )
    echeances = _echeances(suivis, lectures, referentiel, today) if referentiel else []
    context = {
        "nouvelles": nouvelles[:NOUVELLES_AFFICHEES],
        "nouvelles_suite": len(nouvelles) > NOUVELLES_AFFICHEES,
        "absences_a_suivre": a_suivre[:50],
        "en_retard": [row for row in echeances if row.echeance.en_retard],
        "bientot": [row for row in echeances if not row.echeance.en_retard],
        "frequence_ateliers": ateliers.frequence(referentiel, dernier, today),
        # « Mesures à renouveler » (parcours/horloge.py): one query, whatever the portfolio.
        "mesures": (
            horloge.a_renouveler(Parcours.objects.visible_to(user), referentiel, today, lire_parcours=True)
            if horloge.a_des_mesures(referentiel)
            else []
        ),
        "alerte_jours": horloge.jours_d_alerte(referentiel),
    }
    # « Parcours en cours »: the same rows by name, accents aside, paged here (a portfolio is a few dozen).
    en_cours = sorted(
        suivis, key=lambda p: (normaliser(p.participant.nom_usage), normaliser(p.participant.prenoms), p.pk)
    )
    return render(request, "home/referent.html", {**context, **paginer(request, en_cours)})


def _home_bureau_insertion(request):
    """The RSA parcours, below the validations the coordination is waiting for."""
    parcours = (
        Parcours.objects.visible_to(request.user)
        .select_related("participant", "referent")
        .order_by("-date_prescription", "-id")
    )
    validations = ValidationPrescription.objects.filter(
        organisme=Organisme.BUREAU_INSERTION,
        avis=Avis.EN_ATTENTE,
        prescription__in=Prescription.objects.visible_to(request.user),
    ).count()
    return render(
        request, "home/prescripteur.html", {"validations_en_attente": validations, **paginer(request, parcours)}
    )


def _home_operateur(request):
    """Their référents' load, each file active under statistical secrecy (its rate would give it back)."""
    referentiel = Referentiel.objects.active_or_none()
    charges = charge_referents(referentiel, structure=request.user.structure) if referentiel else []
    cells, _ = aggregates.secret_statistique([c.file_active for c in charges])
    rows = [(c, cell) for c, cell in zip(charges, cells, strict=True)]
    return render(
        request,
        "home/operateur.html",
        {"charges": rows, "referentiel": referentiel, "legende": aggregates.LEGENDE},
    )


def _home_financeur(request):
    return render(request, "home/financeur.html", _counts_context(secret=True))


@login_not_required
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
