"""``make demo``'s requests for a decision, suspensions of the measure and remote-entretien proofs.

- Every parcours in veille has the accepted request that put it there (asked by its référent a day or
  two before, accepted by the coordination on the first day), its two log rows, and its
  ``mettre_en_veille`` log row pointing at it (one UPDATE for all).
- About 5 % of the parcours in accompaniment have a request waiting (mostly a veille for an étape in
  employment or training, some reorientations), a few in veille ask for its end; about 1 % were refused
  with a reason, two were withdrawn.
- Under a référentiel with measures (Niort), a few measures ending within a month have their renewal
  asked through the real service (:func:`parcours.demandes.demander`), so that its bilan PDF exists.
- A few suspensions (leave, one illness) through :func:`parcours.suspensions.enregistrer`, within the
  measure, on days without an appointment.
- The remote entretiens held get their means and, for most, the participant's confirmation (one UPDATE
  each); the recent ones and one in ten wait for it (« Preuve à produire »).

Bulk-written: one query per table, whatever the number of participants; the service calls are a fixed
handful (at most :data:`RENOUVELLEMENTS` + :data:`SUSPENSIONS`). Called once, last, from
:meth:`plie.demo.DemoBuilder.build`.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Mod, TruncDate
from django.db.models.lookups import Exact, GreaterThan
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from parcours import demandes as service
from parcours import suspensions
from parcours.etapes import CategorieEtape, EtatEtape, TypeEtape, types_de
from parcours.models import (
    ConfirmationDistance,
    Demande,
    Etape,
    Etat,
    Modalite,
    MotifSuspension,
    MotifVeille,
    Parcours,
    PeriodeVeille,
    RendezVous,
    StatutDemande,
    StatutRendezVous,
    TransitionDemande,
    TransitionParcours,
    TypeDemande,
)

S, T = StatutDemande, TypeDemande
DAY = datetime.timedelta(days=1)
PART_EN_ATTENTE = 0.05  # of the parcours in accompaniment
PART_REFUSEES = 0.01
PART_FIN_VEILLE = 0.1  # of the parcours in veille
RETIREES = 2
RENOUVELLEMENTS = 5  # through the service (each draws its bilan PDF)
SUSPENSIONS = 8  # through the service

TYPES_EMPLOI_FORMATION = frozenset(types_de(CategorieEtape.EMPLOI, CategorieEtape.FORMATION))
TYPES_FORMATION = frozenset(types_de(CategorieEtape.FORMATION))

# Why the référent asked, by veille motive; none for the health ones (sensitive) nor « autre ».
JUSTIFICATIONS_VEILLE = {
    MotifVeille.DEMANDE_BI: "Demande du bureau insertion à la suite de l'équipe pluridisciplinaire.",
    MotifVeille.DEMENAGEMENT_PROVISOIRE: "Hébergement chez un proche hors du territoire pour quelques semaines.",
    MotifVeille.INDISPONIBILITE: "Indisponible pour les entretiens ; contact par téléphone maintenu.",
    MotifVeille.RAISONS_FAMILIALES: "Doit s'occuper d'un proche pendant quelques semaines ; point téléphonique prévu.",
}
AUTRES_MOTIFS = [MotifVeille.INDISPONIBILITE, MotifVeille.DEMENAGEMENT_PROVISOIRE, MotifVeille.RAISONS_FAMILIALES]
VALIDEE_EN_CELLULE = "Validée en cellule de suivi."
REORIENTATIONS = [
    "A déménagé à l'autre bout du territoire : la permanence de son référent est à plus d'une heure en bus.",
    "Ses horaires de travail ne sont plus compatibles avec les jours de permanence de son référent.",
    "Souhaite un référent qui reçoit plus près de son domicile.",
    "L'accompagnement vers les métiers du bâtiment que propose un autre opérateur lui conviendrait mieux.",
]
FINS_VEILLE = [
    "La personne est de nouveau disponible et souhaite reprendre les entretiens.",
    "Fin de la mission intérimaire : reprise de l'accompagnement vers un emploi durable.",
    "De retour sur le territoire, la personne a repris contact pour fixer un entretien.",
]
REFUS = [
    (
        T.ENTREE_VEILLE,
        MotifVeille.INDISPONIBILITE,
        "Des entretiens par téléphone restent possibles pendant cette période : l'accompagnement est maintenu.",
    ),
    (
        T.REORIENTATION,
        None,
        "Aucun référent disponible sur ce secteur pour l'instant ; un point à trois avec le référent actuel est "
        "proposé.",
    ),
]
RETRAITS = [
    "L'entrée en formation est reportée à la prochaine session : demande retirée.",
    "L'employeur a décalé l'embauche ; la demande sera refaite à la signature du contrat.",
]
OBJECTIFS = [
    "Terminer la formation de préparateur de commandes et passer le CACES 1 ; deux immersions en entrepôt.",
    "Consolider le projet d'aide à domicile : une immersion en structure, le permis B (code obtenu), des "
    "candidatures auprès de trois employeurs du territoire.",
    "Poursuivre le contrat en chantier d'insertion et préparer la sortie : CV à jour, ateliers de recrutement, "
    "candidatures sur les clauses d'insertion.",
    "Lever le frein de la garde d'enfants (place en crèche demandée) puis reprendre les candidatures en "
    "restauration collective.",
    "Valider le projet d'agent de propreté par une immersion, puis entrer dans la formation qualifiante prévue.",
]
JUSTIFICATION_RENOUVELLEMENT = "Étapes en cours à poursuivre : la mesure se termine avant leur fin."
MOYENS = {
    Modalite.TELEPHONE: ["Appel sur le portable du participant", "Appel depuis la ligne de la permanence"],
    Modalite.VISIO: ["Visio Teams (lien envoyé par email)", "Visio par WhatsApp, à la demande du participant"],
}
CONFIRMATIONS = [ConfirmationDistance.EMAIL, ConfirmationDistance.SMS, ConfirmationDistance.COURRIER]
PREUVE_RECENTE_JOURS = 10  # the confirmation of an entretien held these last days is still awaited


def _moment(rng, day, heures=(9, 17)):
    """A working hour of ``day``; never later than now (a request asked this morning, run at 8 h)."""
    moment = timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randint(*heures), rng.choice([0, 15, 30, 45])))
    )
    return min(moment, timezone.now())


def seed_demandes(rng, today, referentiel, plans, coordination):
    """``plans``: (parcours, état, référent) of the demo. Returns the numbers written, by kind."""
    accompagnes = [(p, r) for p, etat, r in plans if etat == Etat.ACCOMPAGNEMENT and p.date_entree]
    en_veille = {p.pk: (p, r) for p, etat, r in plans if etat == Etat.VEILLE}
    referents = list({r.pk: r for _, _, r in plans}.values())
    # The printed « Référent » login (the first one created) finds one of each on their own parcours.
    vitrine = min((r.pk for r in referents), default=None)
    rows = []  # (Demande, [(transition, avant, après, date, auteur, motif)])

    def add(demande, decision=None):
        log = [("demander", "", S.DEMANDEE, demande.demandee_le, demande.auteur, "")]
        if decision:
            log.append(decision)
        rows.append((demande, log))

    def demande(parcours, referent, type_, asked, **faits):
        return Demande(
            parcours=parcours,
            type=type_,
            statut=S.DEMANDEE,
            auteur=referent,
            demandee_le=asked,
            decision_en_cellule=service.en_cellule(referentiel, type_),
            **faits,
        )

    # --- every veille entered through its accepted request ----------------------------------------
    periodes = (
        PeriodeVeille.objects.filter(fin__isnull=True, parcours__etat=Etat.VEILLE)
        .order_by("parcours_id")  # the same draws run after run
        .values_list("parcours_id", "motif", "debut", "fin_prevue")
    )
    for parcours_id, motif, debut, fin_prevue in periodes:
        if parcours_id not in en_veille:
            continue
        parcours, referent = en_veille[parcours_id]
        asked = _moment(rng, max(parcours.date_entree, debut - DAY * rng.randint(1, 2)))
        d = demande(
            parcours,
            referent,
            T.ENTREE_VEILLE,
            asked,
            motif_veille=motif,
            debut=debut,
            fin_prevue=fin_prevue,
            justification=JUSTIFICATIONS_VEILLE.get(motif, ""),
        )
        # On the first day, before its log row (10 h): the decision applies the transition.
        d.statut, d.decide_par = S.ACCEPTEE, coordination
        d.decide_le = max(asked, timezone.make_aware(datetime.datetime.combine(debut, datetime.time(9, 30))))
        d.motif_decision = VALIDEE_EN_CELLULE if d.decision_en_cellule else ""
        add(d, ("accepter", S.DEMANDEE, S.ACCEPTEE, d.decide_le, coordination, d.motif_decision))

    # --- waiting, refused and withdrawn requests on the accompaniments -----------------------------
    etapes = {}  # parcours id -> (type, start) of an étape in employment or training, planned or running
    for parcours_id, type_, debut in (
        Etape.objects.filter(
            parcours__etat=Etat.ACCOMPAGNEMENT,
            type__in=sorted(TYPES_EMPLOI_FORMATION),
            etat__in=[EtatEtape.PREVUE, EtatEtape.EN_COURS],
        )
        .order_by("parcours_id", "date_debut")
        .values_list("parcours_id", "type", "date_debut")
    ):
        etapes.setdefault(parcours_id, (type_, debut))
    pool = list(accompagnes)
    rng.shuffle(pool)
    pool.sort(key=lambda pr: pr[0].pk not in etapes)  # those in an étape emploi / formation first
    _en_tete(pool, lambda pr: pr[1].pk == vitrine)
    n_attente = max(2, round(PART_EN_ATTENTE * len(accompagnes))) if len(accompagnes) >= 10 else 0
    n_veille = max(1, round(n_attente * 0.65)) if n_attente else 0
    a_veille, pool = pool[:n_veille], pool[n_veille:]
    rng.shuffle(pool)
    a_reorienter, pool = pool[: n_attente - n_veille], pool[n_attente - n_veille :]
    n_refus = max(1, round(PART_REFUSEES * len(accompagnes))) if n_attente else 0
    anciens = [pr for pr in pool if pr[0].date_entree <= today - DAY * 75]
    refusees, retirees = anciens[:n_refus], anciens[n_refus : n_refus + (RETIREES if n_attente else 0)]
    used = {p.pk for p, _ in a_veille + a_reorienter + refusees + retirees}
    mois_max = referentiel.veille_duree_max_mois or 6

    for parcours, referent in a_veille:
        asked = _moment(rng, max(parcours.date_entree, today - DAY * rng.randint(0, 6)), (9, 12))
        etape = etapes.get(parcours.pk)
        if etape:
            type_, debut_etape = etape
            debut = max(debut_etape, today + DAY * rng.randint(1, 7))
            quoi = "la formation" if type_ in TYPES_FORMATION else TypeEtape(type_).label.lower()
            motif, justification = (
                MotifVeille.EMPLOI_FORMATION,
                (f"Entrée en étape « {quoi} » le {debut:%d/%m/%Y} : disponible pour un point téléphonique par mois."),
            )
        else:
            debut = today + DAY * rng.randint(3, 14)
            motif = rng.choice(AUTRES_MOTIFS)
            justification = JUSTIFICATIONS_VEILLE[motif]
        fin_prevue = debut + relativedelta(months=rng.randint(1, min(3, mois_max)))
        add(
            demande(
                parcours,
                referent,
                T.ENTREE_VEILLE,
                asked,
                motif_veille=motif,
                debut=debut,
                fin_prevue=fin_prevue,
                justification=justification,
            )
        )
    for index, (parcours, referent) in enumerate(a_reorienter):
        asked = _moment(rng, max(parcours.date_entree, today - DAY * rng.randint(0, 10)), (9, 12))
        autres = [r for r in referents if r.pk != referent.pk]
        propose = rng.choice(autres) if autres and index % 2 == 0 else None
        add(
            demande(
                parcours,
                referent,
                T.REORIENTATION,
                asked,
                referent_propose=propose,
                justification=rng.choice(REORIENTATIONS),
            )
        )
    fins = [en_veille[pk] for pk in sorted(en_veille)]
    rng.shuffle(fins)
    for parcours, referent in fins[: max(1, round(PART_FIN_VEILLE * len(fins))) if fins else 0]:
        asked = _moment(rng, today - DAY * rng.randint(0, 3), (9, 12))
        add(
            demande(
                parcours,
                referent,
                T.FIN_VEILLE,
                asked,
                date_effet=today + DAY * rng.randint(1, 10),
                justification=rng.choice(FINS_VEILLE),
            )
        )
    for index, (parcours, referent) in enumerate(refusees):
        type_, motif, raison = REFUS[index % len(REFUS)]
        asked_day = today - DAY * rng.randint(20, 60)
        asked = _moment(rng, asked_day, (9, 12))
        faits = {"justification": rng.choice(REORIENTATIONS)}
        if type_ == T.ENTREE_VEILLE:
            faits = {
                "motif_veille": motif,
                "debut": asked_day + DAY * 7,
                "fin_prevue": asked_day + DAY * 7 + relativedelta(months=2),
                "justification": JUSTIFICATIONS_VEILLE[motif],
            }
        d = demande(parcours, referent, type_, asked, **faits)
        d.statut, d.decide_par, d.motif_decision = S.REFUSEE, coordination, raison
        d.decide_le = _moment(rng, asked_day + DAY * rng.randint(3, 10), (13, 17))
        add(d, ("refuser", S.DEMANDEE, S.REFUSEE, d.decide_le, coordination, raison))
    for index, (parcours, referent) in enumerate(retirees):
        asked_day = today - DAY * rng.randint(15, 45)
        debut = asked_day + DAY * 14
        d = demande(
            parcours,
            referent,
            T.ENTREE_VEILLE,
            _moment(rng, asked_day, (9, 12)),
            motif_veille=MotifVeille.EMPLOI_FORMATION,
            debut=debut,
            fin_prevue=debut + relativedelta(months=2),
        )
        d.statut = S.RETIREE
        retrait = _moment(rng, asked_day + DAY * rng.randint(2, 8), (13, 17))
        add(d, ("retirer", S.DEMANDEE, S.RETIREE, retrait, referent, RETRAITS[index % len(RETRAITS)]))

    # --- written in bulk, then the veille entries' log rows point at their request ------------------
    written = bulk_create_with_history([d for d, _ in rows], Demande, batch_size=2000)
    if written and written[0].pk is None:  # databases without RETURNING ids
        written = list(Demande.objects.order_by("id"))[-len(rows) :]
    TransitionDemande.objects.bulk_create(
        [
            TransitionDemande(
                demande=d,
                transition=name,
                statut_avant=avant,
                statut_apres=apres,
                auteur=auteur,
                date=date,
                motif=motif,
            )
            for d, (_, log) in zip(written, rows, strict=True)
            for name, avant, apres, date, auteur, motif in log
        ],
        batch_size=5000,
    )
    TransitionParcours.objects.filter(transition="mettre_en_veille", demande__isnull=True).update(
        demande=Subquery(
            Demande.objects.filter(parcours=OuterRef("parcours"), type=T.ENTREE_VEILLE, statut=S.ACCEPTEE)
            .order_by("-decide_le")
            .values("pk")[:1]
        )
    )

    renouvelees = _renouvellements(rng, today, referentiel, accompagnes, used, vitrine)
    used |= renouvelees
    suspendues = _suspensions(rng, today, referentiel, accompagnes, used, vitrine)
    preuves = _preuves_distance(today)
    return {"demandes": len(written) + len(renouvelees), "suspensions": suspendues, "preuves": preuves}


def _en_tete(items, condition):
    """Move the first item that meets ``condition`` to the front (in place)."""
    index = next((i for i, item in enumerate(items) if condition(item)), None)
    if index is not None:
        items.insert(0, items.pop(index))


def _renouvellements(rng, today, referentiel, accompagnes, used, vitrine) -> set:
    """A few measures ending within a month, whose renewal the référentiel still allows, asked through the
    service (the bilan PDF joined). Returns their parcours ids."""
    if not referentiel.duree_mesure_mois:
        return set()
    mois = relativedelta(months=referentiel.duree_mesure_mois)
    candidats = []
    for parcours, referent in accompagnes:
        fin = parcours.date_fin_mesure
        if parcours.pk in used or fin is None or not today <= fin <= today + DAY * 30:
            continue
        limite = parcours.date_limite(referentiel, veilles=[])  # no veille in accompaniment, in the demo
        if limite is None or fin + mois <= limite:
            candidats.append((parcours.pk, referent))
    rng.shuffle(candidats)
    _en_tete(candidats, lambda c: c[1].pk == vitrine)
    choisis = dict(candidats[:RENOUVELLEMENTS])
    a_renouveler = Parcours.objects.filter(pk__in=choisis).select_related("participant").order_by("pk")
    for index, parcours in enumerate(a_renouveler):
        service.demander(
            choisis[parcours.pk],
            parcours,
            T.RENOUVELLEMENT_MESURE,
            referentiel=referentiel,
            objectifs=OBJECTIFS[index % len(OBJECTIFS)],
            justification=JUSTIFICATION_RENOUVELLEMENT,
        )
    return set(choisis)


def _suspensions(rng, today, referentiel, accompagnes, used, vitrine) -> int:
    """A few suspensions through the service: past, current and planned leave, one illness; within the
    measure in progress, on days without an appointment of the parcours."""
    bornes = {}
    for parcours, referent in accompagnes:
        if parcours.pk in used:
            continue
        debut, fin = parcours.date_entree, parcours.date_sortie or today + DAY * 120
        if referentiel.duree_mesure_mois:  # within the measure in progress
            if parcours.date_debut_mesure is None or parcours.date_fin_mesure is None:
                continue
            debut, fin = parcours.date_debut_mesure, parcours.date_fin_mesure
        if debut <= today - DAY * 45 and fin >= today + DAY * 60:
            bornes[parcours.pk] = (debut + DAY, fin, referent)
    ids = rng.sample(sorted(bornes), len(bornes))
    _en_tete(ids, lambda pk: bornes[pk][2].pk == vitrine)
    ids = ids[: SUSPENSIONS * 3]
    occupes = {}  # the days each candidate has an appointment (held, planned or missed)
    for parcours_id, debut in (
        RendezVous.objects.filter(parcours_id__in=ids)
        .exclude(statut=StatutRendezVous.ANNULE)
        .values_list("parcours_id", "debut")
    ):
        occupes.setdefault(parcours_id, set()).add(timezone.localdate(debut))
    # (motif, length in days, earliest and latest first day relative to today)
    plan = [(MotifSuspension.MALADIE, 10, -40, -15)]
    plan += [(MotifSuspension.CONGES, 14, 15, 35), (MotifSuspension.CONGES, 7, -4, -1)]
    plan += [(MotifSuspension.CONGES, rng.choice([7, 14, 21]), -42, -28) for _ in range(SUSPENSIONS - len(plan))]
    parcours_par_id = Parcours.objects.in_bulk(ids) if ids else {}
    written = 0
    for parcours_id in ids:
        if written == len(plan):
            break
        motif, jours, tot, tard = plan[written]
        lo, hi, referent = bornes[parcours_id]
        jours_rdv = occupes.get(parcours_id, set())
        starts = [
            today + DAY * offset
            for offset in range(tot, tard + 1)
            if lo <= today + DAY * offset and today + DAY * (offset + jours - 1) <= hi
        ]
        starts = [s for s in starts if not any(s + DAY * i in jours_rdv for i in range(jours))]
        if not starts:
            continue
        debut = rng.choice(starts)
        suspensions.enregistrer(
            referent, parcours_par_id[parcours_id], motif=motif, debut=debut, fin=debut + DAY * (jours - 1)
        )
        written += 1
    return written


def _preuves_distance(today) -> int:
    """The remote entretiens held: their means, and the participant's confirmation on the day for all but
    the recent ones and one in ten (« Preuve à produire »). One UPDATE each, whatever their number."""
    distants = RendezVous.objects.filter(
        statut=StatutRendezVous.HONORE, modalite__in=[Modalite.TELEPHONE, Modalite.VISIO], moyen_distance=""
    )
    parite = [Exact(Mod("id", 2), 0), Exact(Mod("id", 2), 1)]
    n = distants.update(
        moyen_distance=Case(
            *[
                When(Q(parite[index], modalite=modalite), then=Value(moyen))
                for modalite, moyens in MOYENS.items()
                for index, moyen in enumerate(moyens)
            ],
            default=Value(MOYENS[Modalite.TELEPHONE][0]),
        )
    )
    recent = timezone.make_aware(datetime.datetime.combine(today - DAY * PREUVE_RECENTE_JOURS, datetime.time()))
    reste = Mod("id", 10, output_field=IntegerField())
    RendezVous.objects.filter(
        GreaterThan(reste, 0),
        statut=StatutRendezVous.HONORE,
        modalite__in=[Modalite.TELEPHONE, Modalite.VISIO],
        confirmation_participant="",
        debut__lt=recent,
    ).update(
        confirmation_participant=Case(
            *[When(Exact(Mod("id", 3), index), then=Value(c)) for index, c in enumerate(CONFIRMATIONS)],
            default=Value(ConfirmationDistance.EMAIL),
        ),
        confirmation_le=TruncDate("debut"),
    )
    return n
