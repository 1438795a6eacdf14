"""The database refuses impossible rows, whatever code writes them.

Each case below writes one impossible row behind the transitions' back (``update()`` or a direct
``save()``) and expects an IntegrityError naming the constraint. A completeness test checks that
every constraint declared on the models listed in ``MODELS`` has at least one case.
"""

import datetime
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint
from django.utils import timezone
from simple_history.models import HistoricalChanges

from financement.models import InstantaneEtats
from parcours.freins import Frein
from parcours.models import (
    Contrat,
    Convocation,
    Diagnostic,
    Etat,
    EvenementContrat,
    EvenementEtape,
    FreinDiagnostic,
    MotifVeille,
    NatureDiagnostic,
    Parcours,
    PeriodeVeille,
    TransitionParcours,
    TransitionRendezVous,
)
from plie.acces.models import AccesDossier, Action, TypeObjet
from plie.accounts.models import Invitation, PrescripteurKind, Role, Structure, StructureType, User
from plie.notifications.models import TENTATIVES_MAX, EvenementFournisseur, Notification
from plie.referentiel.models import BORNES, BORNES_SANS_CHECK, Referentiel
from plie.referentiel.services import load_preset
from prescriptions.models import Avis, CandidatEcarte, EvenementPrescription, Organisme, ValidationPrescription
from prescriptions.workflow import MotifRefus, Statut
from sorties.models import ClasseSortie, RegleSortie
from tests.factories import (
    CommuneFactory,
    ContactFactory,
    ConvocationFactory,
    EntretienFactory,
    EtapeFactory,
    MessageFactory,
    ParcoursFactory,
    ParticipantFactory,
    PrescriptionFactory,
    ReferentFactory,
    RendezVousFactory,
    RessourceFactory,
    SeanceAtelierFactory,
    SMSFactory,
    StructureFactory,
    TentativeContactFactory,
    UserFactory,
)

DAY = datetime.timedelta(days=1)
# Every model of ours: a constraint added anywhere without a case below fails the completeness test.
MODELS = [
    model
    for label in [
        "accounts",
        "territoire",
        "referentiel",
        "notifications",
        "prescriptions",
        "parcours",
        "sorties",
        "financement",
        "acces",
    ]
    for model in apps.get_app_config(label).get_models()
    if not issubclass(model, HistoricalChanges)
]
CONSTRAINTS = {c.name: c for model in MODELS for c in model._meta.constraints}
CONSTRAINT_MODELS = {c.name: model for model in MODELS for c in model._meta.constraints}


def update(instance, **values):
    """Write ``values`` straight to the row, bypassing save(), validation and transitions."""
    type(instance).objects.filter(pk=instance.pk).update(**values)


@contextmanager
def refused_by(name):
    """The block raises IntegrityError, and the database says it was constraint ``name``."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield
    message = str(excinfo.value)
    constraint = CONSTRAINTS[name]
    if connection.vendor == "sqlite" and isinstance(constraint, UniqueConstraint):
        # SQLite names the columns of a unique index, not the index.
        meta = CONSTRAINT_MODELS[name]._meta
        columns = ", ".join(f"{meta.db_table}.{meta.get_field(field).column}" for field in constraint.fields)
        assert message == f"UNIQUE constraint failed: {columns}"
    else:
        assert name in message, message


# --- the cases: constraint name → functions that prepare valid rows and return the impossible write

CASES = []


def violates(name):
    def register(prepare):
        CASES.append(pytest.param(name, prepare, id=f"{name}:{prepare.__name__}"))
        return prepare

    return register


# Parcours


@violates("parcours_one_open_per_participant")
def two_open_parcours_for_one_participant():
    first = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    return lambda: Parcours(
        participant=first.participant,
        etat=Etat.ORIENTE,
        referent=first.referent,
        date_prescription=first.date_prescription,
        date_orientation=first.date_orientation,
    ).save()


@violates("parcours_one_open_per_participant")
def reopening_a_cancelled_parcours_beside_an_open_one():
    closed = ParcoursFactory(etat=Etat.ANNULE)
    ParcoursFactory(etat=Etat.ORIENTE, participant=closed.participant)
    return lambda: update(closed, etat=Etat.ORIENTE, date_cloture=None, motif_cloture="")


@violates("parcours_etat_known")
def parcours_in_a_removed_state():
    parcours = ParcoursFactory(etat=Etat.SORTIE_PROPOSEE)
    return lambda: update(parcours, etat="a_valider")


@violates("parcours_etat_known")
def parcours_without_a_state():
    parcours = ParcoursFactory(etat=Etat.ORIENTE)
    return lambda: update(parcours, etat="")


@violates("parcours_oriented_has_referent")
def oriented_parcours_without_referent():
    parcours = ParcoursFactory(etat=Etat.ORIENTE)
    return lambda: update(parcours, referent=None)


@violates("parcours_oriented_has_referent")
def accompanied_parcours_without_orientation_date():
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    return lambda: update(parcours, date_orientation=None)


@violates("parcours_entered_has_dates")
def accompanied_parcours_without_entry_date():
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    return lambda: update(parcours, date_entree=None, date_fin_mesure=None)


@violates("parcours_accueil_has_first_rdv")
def accueil_without_first_rdv():
    parcours = ParcoursFactory(etat=Etat.ACCUEIL)
    return lambda: update(parcours, date_premier_rdv=None)


@violates("parcours_proposed_exit_has_date")
def proposed_exit_without_date():
    parcours = ParcoursFactory(etat=Etat.SORTIE_PROPOSEE)
    return lambda: update(parcours, date_sortie_prevue=None)


@violates("parcours_sortie_date_iff_sorti")
def sorti_without_exit_date():
    parcours = ParcoursFactory(etat=Etat.SORTI)
    return lambda: update(parcours, date_sortie=None)


@violates("parcours_sortie_date_iff_sorti")
def exit_date_on_a_parcours_not_sorti():
    parcours = ParcoursFactory(etat=Etat.SORTIE_PROPOSEE)
    return lambda: update(parcours, date_sortie=parcours.date_sortie_prevue)


@violates("parcours_closure_has_date_and_motif")
def cancelled_without_motif():
    parcours = ParcoursFactory(etat=Etat.ANNULE)
    return lambda: update(parcours, motif_cloture="")


@violates("parcours_closure_has_date_and_motif")
def cancelled_without_date():
    parcours = ParcoursFactory(etat=Etat.ANNULE)
    return lambda: update(parcours, date_cloture=None)


@violates("parcours_closure_has_date_and_motif")
def closure_date_on_an_open_parcours():
    parcours = ParcoursFactory(etat=Etat.ORIENTE)
    return lambda: update(parcours, date_cloture=parcours.date_orientation)


@violates("parcours_cloture_after_prescription")
def cancellation_before_prescription():
    parcours = ParcoursFactory(etat=Etat.ANNULE)
    return lambda: update(parcours, date_cloture=parcours.date_prescription - DAY)


@violates("parcours_orientation_after_prescription")
def orientation_before_prescription():
    parcours = ParcoursFactory(etat=Etat.ORIENTE)
    return lambda: update(parcours, date_orientation=parcours.date_prescription - DAY)


@violates("parcours_first_rdv_after_orientation")
def first_rdv_before_orientation():
    parcours = ParcoursFactory(etat=Etat.ACCUEIL)
    return lambda: update(parcours, date_premier_rdv=parcours.date_orientation - DAY)


@violates("parcours_entree_after_first_rdv")
def entry_before_first_rdv():
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    return lambda: update(parcours, date_entree=parcours.date_premier_rdv - DAY)


@violates("parcours_fin_mesure_after_entree")
def measure_ending_on_entry_day():
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    return lambda: update(parcours, date_fin_mesure=parcours.date_entree)


@violates("parcours_sortie_prevue_after_entree")
def planned_exit_before_entry():
    parcours = ParcoursFactory(etat=Etat.SORTIE_PROPOSEE)
    return lambda: update(parcours, date_sortie_prevue=parcours.date_entree - DAY)


@violates("parcours_sortie_after_entree")
def exit_before_entry():
    parcours = ParcoursFactory(etat=Etat.SORTI)
    return lambda: update(parcours, date_sortie=parcours.date_entree - DAY)


# PeriodeVeille


@violates("veille_fin_prevue_after_debut")
def veille_planned_to_end_before_it_starts():
    periode = ParcoursFactory(etat=Etat.VEILLE).veille_en_cours()
    return lambda: update(periode, fin_prevue=periode.debut - DAY)


@violates("veille_fin_prevue_after_debut")
def veille_planned_to_end_the_day_it_starts():
    periode = ParcoursFactory(etat=Etat.VEILLE).veille_en_cours()
    return lambda: update(periode, fin_prevue=periode.debut)


@violates("veille_fin_after_debut")
def veille_ended_before_it_started():
    periode = ParcoursFactory(etat=Etat.VEILLE).veille_en_cours()
    return lambda: update(periode, fin=periode.debut - DAY)


@violates("veille_one_open_per_parcours")
def two_open_veille_periods():
    periode = ParcoursFactory(etat=Etat.VEILLE).veille_en_cours()
    return lambda: PeriodeVeille(
        parcours=periode.parcours, motif=MotifVeille.AUTRE, debut=periode.debut, fin_prevue=periode.fin_prevue
    ).save()


# Participant


@violates("participant_consentement_has_date")
def consent_without_date():
    participant = ParticipantFactory()
    return lambda: update(participant, date_consentement=None)


@violates("participant_consentement_has_date")
def consent_date_without_consent():
    participant = ParticipantFactory()
    return lambda: update(participant, consentement=False)


@violates("participant_date_naissance_plausible")
def born_before_1900():
    participant = ParticipantFactory()
    return lambda: update(participant, date_naissance=datetime.date(1899, 12, 31))


@violates("participant_consentement_after_naissance")
def consent_before_birth():
    participant = ParticipantFactory()
    return lambda: update(participant, date_consentement=participant.date_naissance - DAY)


@violates("participant_inscription_ft_after_naissance")
def france_travail_registration_on_birth_day():
    participant = ParticipantFactory()
    return lambda: update(participant, date_inscription_france_travail=participant.date_naissance)


# ReferentProfile


@violates("referent_etp_between_0_and_1")
def etp_zero():
    profile = ReferentFactory().referent_profile
    return lambda: update(profile, etp=Decimal("0"))


@violates("referent_etp_between_0_and_1")
def etp_one_and_a_half():
    profile = ReferentFactory().referent_profile
    return lambda: update(profile, etp=Decimal("1.5"))


@violates("referent_vacant_has_date")
def vacant_post_without_date():
    profile = ReferentFactory().referent_profile
    return lambda: update(profile, actif=False)


@violates("referent_vacant_has_date")
def occupied_post_with_a_vacancy_date():
    profile = ReferentFactory().referent_profile
    return lambda: update(profile, date_vacance=profile.date_debut + DAY)


@violates("referent_vacance_after_debut")
def vacancy_before_taking_up_the_post():
    profile = ReferentFactory().referent_profile
    return lambda: update(profile, actif=False, date_vacance=profile.date_debut - DAY)


# Structure


@violates("structure_type_prescripteur_iff_prescripteur")
def prescripteur_structure_without_kind():
    return lambda: Structure(nom="CCAS sans type", type=StructureType.PRESCRIPTEUR, type_prescripteur="").save()


@violates("structure_type_prescripteur_iff_prescripteur")
def operateur_structure_with_a_prescripteur_kind():
    return lambda: Structure(
        nom="Opérateur", type=StructureType.OPERATEUR, type_prescripteur=PrescripteurKind.CCAS
    ).save()


@violates("structure_unique_nom_type")
def two_structures_with_the_same_name_and_type():
    structure = StructureFactory(operateur=True)
    return lambda: Structure(nom=structure.nom, type=structure.type).save()


# User


@violates("user_role_and_structure_unless_superuser")
def user_without_role():
    user = UserFactory(role=Role.REFERENT)
    return lambda: update(user, role="")


@violates("user_role_and_structure_unless_superuser")
def user_without_structure():
    user = UserFactory(role=Role.PRESCRIPTEUR)
    return lambda: update(user, structure=None)


# Referentiel (loaded from the presets; Niort is active)


@violates("referentiel_single_active")
def two_active_referentiels():
    load_preset("niort", activate=True)
    caen = load_preset("caen")
    return lambda: update(caen, actif=True)


@violates("referentiel_rythme_initial_coherent")
def initial_interval_without_initial_phase():
    caen = load_preset("caen")
    return lambda: update(caen, rythme_initial_intervalle_jours=15)


@violates("referentiel_rythme_initial_coherent")
def initial_phase_without_interval():
    niort = load_preset("niort")
    return lambda: update(niort, rythme_initial_intervalle_jours=None)


@violates("referentiel_rythme_initial_coherent")
def initial_phase_slower_than_the_rhythm_after():
    niort = load_preset("niort")
    return lambda: update(niort, rythme_initial_intervalle_jours=niort.rythme_intervalle_jours + 1)


@violates("referentiel_duree_max_covers_mesure")
def maximum_shorter_than_one_measure():
    niort = load_preset("niort")
    return lambda: update(niort, duree_max_parcours_mois=niort.duree_mesure_mois - 1)


@violates("referentiel_capacite_range")
def capacity_minimum_above_maximum():
    niort = load_preset("niort")
    return lambda: update(niort, capacite_annuelle_min_par_etp=niort.capacite_annuelle_max_par_etp + 1)


@violates("referentiel_objectif_rsa_percent")
def rsa_target_above_100_percent():
    niort = load_preset("niort")
    return lambda: update(niort, objectif_part_rsa=101)


@violates("referentiel_taux_controle_percent")
def control_rate_above_100_percent():
    niort = load_preset("niort")
    return lambda: update(niort, taux_controle=101)


# RegleSortie


@violates("regle_sortie_neutralisee_is_autre")
def neutralised_positive_rule():
    niort = load_preset("niort")
    return lambda: RegleSortie(
        referentiel=niort, ordre=999, classe=ClasseSortie.POSITIVE, neutralisee=True, libelle="Décès"
    ).save()


@violates("regle_sortie_neutralisee_is_autre")
def neutralising_an_existing_positive_rule():
    rule = load_preset("niort").regles_sortie.filter(classe=ClasseSortie.POSITIVE).first()
    return lambda: update(rule, neutralisee=True)


@violates("regle_sortie_unique_ordre")
def two_rules_with_the_same_rank():
    rule = load_preset("niort").regles_sortie.first()
    return lambda: RegleSortie(
        referentiel=rule.referentiel, ordre=rule.ordre, classe=ClasseSortie.AUTRE, libelle="Doublon"
    ).save()


# Commune, daily photograph


@violates("commune_centroid_complete_and_valid")
def commune_with_a_latitude_out_of_range():
    commune = CommuneFactory()
    return lambda: update(commune, latitude=91)


@violates("commune_centroid_complete_and_valid")
def commune_with_half_a_centroid():
    commune = CommuneFactory()
    return lambda: update(commune, longitude=None)


@violates("instantane_unique_date_etat")
def two_photographs_of_one_state_the_same_day():
    InstantaneEtats.objects.create(date=datetime.date(2026, 1, 5), etat=Etat.VEILLE, nombre=1)
    return lambda: InstantaneEtats.objects.create(date=datetime.date(2026, 1, 5), etat=Etat.VEILLE, nombre=2)


# Invitations, notifications


def _invitation():
    structure = StructureFactory(prescripteur=True)
    return Invitation.objects.create(
        email="invitee@exemple.fr",
        first_name="Iris",
        last_name="Invitée",
        role=Role.PRESCRIPTEUR,
        structure=structure,
        token_hash="a" * 64,
        expire_le=timezone.now() + datetime.timedelta(days=7),
    )


@violates("invitation_role_known")
def invitation_to_no_role():
    invitation = _invitation()
    return lambda: update(invitation, role="")


@violates("invitation_etp_iff_referent")
def referent_invitation_without_etp():
    invitation = _invitation()
    return lambda: update(invitation, role=Role.REFERENT)


@violates("invitation_etp_iff_referent")
def prescripteur_invitation_with_an_etp():
    invitation = _invitation()
    return lambda: update(invitation, etp=Decimal("0.5"))


@violates("invitation_accepted_iff_user")
def accepted_invitation_without_account():
    invitation = _invitation()
    return lambda: update(invitation, acceptee_le=timezone.now())


@violates("invitation_expires_after_creation")
def invitation_expired_before_it_was_made():
    invitation = _invitation()
    return lambda: update(invitation, expire_le=invitation.cree_le - DAY)


@violates("notification_lue_after_creation")
def notification_read_before_it_was_sent():
    notification = Notification.objects.create(destinataire=UserFactory(), titre="Nouvelle orientation")
    return lambda: update(notification, lue_le=notification.cree_le - DAY)


# Prescriptions


@violates("prescription_sent_is_complete")
def sent_prescription_without_birth_date():
    prescription = PrescriptionFactory()
    return lambda: update(prescription, date_naissance=None)


@violates("prescription_sent_is_complete")
def draft_sent_without_motives():
    draft = PrescriptionFactory(brouillon=True, motifs="")
    return lambda: update(draft, statut=Statut.ENVOYEE, envoyee_le=timezone.now())


@violates("prescription_one_commune")
def prescription_with_two_communes():
    prescription = PrescriptionFactory(commune=CommuneFactory())
    return lambda: update(prescription, commune_autre="Bordeaux")


@violates("prescription_ft_date_only_if_registered")
def registration_date_of_someone_not_registered():
    prescription = PrescriptionFactory()
    return lambda: update(prescription, inscrit_france_travail=False)


@violates("prescription_ft_date_only_if_registered")
def registration_date_on_a_draft_that_does_not_say():
    draft = PrescriptionFactory(brouillon=True)
    return lambda: update(draft, inscrit_france_travail=None)


@violates("prescription_date_naissance_plausible")
def prescription_born_in_1850():
    prescription = PrescriptionFactory()
    return lambda: update(prescription, date_naissance=datetime.date(1850, 1, 1))


@violates("prescription_accepted_iff_parcours")
def accepted_without_parcours():
    prescription = PrescriptionFactory()
    return lambda: update(prescription, statut=Statut.ACCEPTEE, decidee_le=timezone.now())


@violates("prescription_accepted_iff_parcours")
def parcours_on_a_pending_prescription():
    prescription = PrescriptionFactory()
    return lambda: update(prescription, parcours=ParcoursFactory(etat=Etat.ORIENTE))


@violates("prescription_refused_iff_motif")
def refusal_without_motif():
    prescription = PrescriptionFactory()
    return lambda: update(prescription, statut=Statut.REFUSEE, decidee_le=timezone.now())


@violates("prescription_decided_has_date")
def refusal_without_date():
    prescription = PrescriptionFactory()
    return lambda: update(prescription, statut=Statut.REFUSEE, motif_refus=MotifRefus.AUTRE)


@violates("prescription_complement_has_question")
def complement_without_question():
    prescription = PrescriptionFactory()
    return lambda: update(prescription, statut=Statut.COMPLEMENT_DEMANDE)


@violates("prescription_linked_person_was_checked")
def linked_to_a_person_nobody_checked():
    prescription = PrescriptionFactory()
    return lambda: update(prescription, participant=ParticipantFactory())


def _validation(**values):
    now = timezone.now()
    return ValidationPrescription.objects.create(
        prescription=PrescriptionFactory(), organisme=Organisme.FRANCE_TRAVAIL, demandee_le=now, **values
    )


@violates("validation_one_per_organisme")
def two_france_travail_validations():
    validation = _validation()
    return lambda: ValidationPrescription.objects.create(
        prescription=validation.prescription, organisme=Organisme.FRANCE_TRAVAIL
    )


@violates("validation_avis_has_date")
def avis_without_date():
    validation = _validation()
    return lambda: update(validation, avis=Avis.FAVORABLE)


@violates("validation_avis_after_request")
def avis_before_the_request():
    validation = _validation()
    return lambda: update(validation, avis=Avis.FAVORABLE, avis_le=validation.demandee_le - DAY)


@violates("candidat_ecarte_one_target")
def candidate_set_aside_without_target():
    prescription = PrescriptionFactory()
    return lambda: CandidatEcarte.objects.create(prescription=prescription)


@violates("candidat_ecarte_one_target")
def candidate_set_aside_with_two_targets():
    prescription = PrescriptionFactory()
    return lambda: CandidatEcarte.objects.create(
        prescription=prescription, participant=ParticipantFactory(), autre_prescription=PrescriptionFactory()
    )


@violates("candidat_ecarte_unique_participant")
def participant_set_aside_twice():
    ecarte = CandidatEcarte.objects.create(prescription=PrescriptionFactory(), participant=ParticipantFactory())
    return lambda: CandidatEcarte.objects.create(prescription=ecarte.prescription, participant=ecarte.participant)


@violates("candidat_ecarte_unique_prescription")
def prescription_set_aside_twice():
    ecarte = CandidatEcarte.objects.create(prescription=PrescriptionFactory(), autre_prescription=PrescriptionFactory())
    return lambda: CandidatEcarte.objects.create(
        prescription=ecarte.prescription, autre_prescription=ecarte.autre_prescription
    )


@violates("candidat_ecarte_not_itself")
def prescription_set_aside_as_its_own_duplicate():
    prescription = PrescriptionFactory()
    return lambda: CandidatEcarte.objects.create(prescription=prescription, autre_prescription=prescription)


# Accueil


@violates("rendez_vous_presentiel_has_place")
def face_to_face_appointment_nowhere():
    rdv = RendezVousFactory()
    return lambda: update(rdv, lieu=None, lieu_precision="")


@violates("rendez_vous_duree_positive")
def appointment_of_no_minutes():
    rdv = RendezVousFactory()
    return lambda: update(rdv, duree_minutes=0)


@violates("rendez_vous_one_first_per_parcours")
def two_first_appointments():
    rdv = RendezVousFactory()
    return lambda: RendezVousFactory(parcours=rdv.parcours)


# Entretiens (parcours.models.rendez_vous)


@violates("rendez_vous_statut_known")
def appointment_in_an_unknown_state():
    rdv = EntretienFactory()
    return lambda: update(rdv, statut="reporte")


@violates("rendez_vous_duree_reelle_bornes")
def entretien_of_no_minutes():
    rdv = EntretienFactory(honore=True)
    return lambda: update(rdv, duree_reelle_minutes=0)


@violates("rendez_vous_duree_reelle_bornes")
def entretien_of_25_hours():
    rdv = EntretienFactory(honore=True)
    return lambda: update(rdv, duree_reelle_minutes=25 * 60)


@violates("rendez_vous_duree_reelle_iff_honore")
def held_entretien_without_its_length():
    rdv = EntretienFactory(honore=True)
    return lambda: update(rdv, duree_reelle_minutes=None)


@violates("rendez_vous_duree_reelle_iff_honore")
def missed_entretien_with_a_length():
    rdv = EntretienFactory(absent=True)
    return lambda: update(rdv, duree_reelle_minutes=45)


@violates("rendez_vous_closed_has_date")
def held_entretien_never_closed():
    rdv = EntretienFactory(honore=True)
    return lambda: update(rdv, cloture_le=None)


@violates("rendez_vous_closed_after_start")
def held_entretien_closed_before_it_started():
    rdv = EntretienFactory(honore=True)
    return lambda: update(rdv, cloture_le=rdv.debut - DAY)


@violates("rendez_vous_closed_after_start")
def absence_noted_before_the_appointment():
    rdv = EntretienFactory(absent=True)
    return lambda: update(rdv, cloture_le=rdv.debut - DAY)


@violates("transition_rendez_vous_state_before_unless_creation")
def rendez_vous_log_closing_without_a_state_before():
    rdv = EntretienFactory()
    return lambda: TransitionRendezVous.objects.create(rendez_vous=rdv, transition="honorer", statut_apres="honore")


@violates("transition_rendez_vous_state_before_unless_creation")
def rendez_vous_log_planning_with_a_state_before():
    rdv = EntretienFactory()
    return lambda: TransitionRendezVous.objects.create(
        rendez_vous=rdv, transition="planifier", statut_avant="prevu", statut_apres="prevu"
    )


@violates("tentative_contact_canal_known")
def contact_by_pigeon():
    contact = ContactFactory()
    return lambda: update(contact, canal="pigeon")


@violates("tentative_contact_partenaire_iff_exchange")
def partner_exchange_naming_nobody():
    contact = ContactFactory(canal="partenaire", partenaire="Mme Roux, CCAS")
    return lambda: update(contact, partenaire="")


@violates("tentative_contact_partenaire_iff_exchange")
def phone_call_naming_a_partner():
    contact = ContactFactory()
    return lambda: update(contact, partenaire="Mme Roux, CCAS")


def _transition_rdv():
    rdv = EntretienFactory()
    return TransitionRendezVous.objects.create(rendez_vous=rdv, transition="planifier", statut_apres="prevu")


# Access log (rows are only ever created: the impossible row is an INSERT)


def access_row(**values):
    user = UserFactory(role=Role.COORDINATION)
    row = {
        "utilisateur": user,
        "utilisateur_libelle": f"{user.get_full_name()} ({user.email})",
        "role": user.role,
        "type_objet": TypeObjet.PARCOURS,
        "objet_id": 1,
        "action": Action.CONSULTATION,
        "chemin": "/parcours/1/",
    }
    row.update(values)
    return lambda: AccesDossier.objects.create(**row)


@violates("acces_type_objet_connu")
def access_to_an_unknown_kind_of_object():
    return access_row(type_objet="dossier_medical")


@violates("acces_action_connue")
def access_with_an_unknown_action():
    return access_row(action="effacement")


@violates("acces_role_connu")
def access_by_an_unknown_role():
    return access_row(role="stagiaire")


@violates("acces_accorde_designe_un_objet")
def granted_access_to_no_object():
    return access_row(objet_id=None, refuse=False)


@violates("acces_accorde_designe_un_objet")
def granted_access_to_object_zero():
    return access_row(objet_id=0)


@violates("acces_chemin_absolu")
def access_to_a_relative_path():
    return access_row(chemin="parcours/1/")


@violates("acces_libelle_renseigne")
def access_by_nobody_named():
    return access_row(utilisateur_libelle="")


# Free text: no longer than its limit (plie/longueurs.py).


def _longer_than(model, field):
    return "x" * (model._meta.get_field(field).max_length + 1)


def _text_row(make, field):
    def prepare():
        row = make()
        return lambda: update(row, **{field: _longer_than(type(row), field)})

    prepare.__name__ = f"{field}_longer_than_its_limit"
    return prepare


def _prescription():
    return PrescriptionFactory()


def _diagnostic():
    return Diagnostic.objects.create(parcours=ParcoursFactory(etat=Etat.ACCOMPAGNEMENT))


def _frein():
    return FreinDiagnostic.objects.create(diagnostic=_diagnostic(), theme=Frein.MOBILITE)


@violates("diagnostic_one_per_nature")
def two_diagnostics_in_progress():
    first = _diagnostic()
    return lambda: Diagnostic.objects.create(parcours=first.parcours)


@violates("diagnostic_nature_known")
def diagnostic_of_an_unknown_nature():
    diagnostic = _diagnostic()
    return lambda: update(diagnostic, nature="provisoire", fige_le=timezone.now())


@violates("diagnostic_code_rome_format")
def rome_code_of_three_digits():
    diagnostic = _diagnostic()
    return lambda: update(diagnostic, code_rome="123")


@violates("diagnostic_code_rome_format")
def rome_code_in_lower_case():
    diagnostic = _diagnostic()
    return lambda: update(diagnostic, code_rome="k2204")


@violates("diagnostic_duree_bornee")
def diagnostic_interview_of_25_hours():
    diagnostic = _diagnostic()
    return lambda: update(diagnostic, duree_entretien_minutes=25 * 60)


@violates("diagnostic_duree_bornee")
def diagnostic_interview_of_no_time():
    diagnostic = _diagnostic()
    return lambda: update(diagnostic, duree_entretien_minutes=0)


@violates("diagnostic_niveau_formation_known")
def education_level_9():
    diagnostic = _diagnostic()
    return lambda: update(diagnostic, niveau_formation="9")


@violates("diagnostic_fige_iff_not_en_cours")
def initial_diagnostic_without_its_date():
    diagnostic = _diagnostic()
    return lambda: update(diagnostic, nature=NatureDiagnostic.INITIAL)


@violates("diagnostic_fige_iff_not_en_cours")
def diagnostic_in_progress_marked_frozen():
    diagnostic = _diagnostic()
    return lambda: update(diagnostic, fige_le=timezone.now())


@violates("frein_diagnostic_one_per_theme")
def one_theme_twice():
    frein = _frein()
    return lambda: FreinDiagnostic.objects.create(diagnostic=frein.diagnostic, theme=Frein.MOBILITE)


@violates("frein_diagnostic_theme_known")
def frein_of_an_unknown_theme():
    frein = _frein()
    return lambda: update(frein, theme="meteo")


@violates("frein_diagnostic_niveau_known")
def frein_of_an_unknown_level():
    frein = _frein()
    return lambda: update(frein, niveau="extreme")


def _contrat(**fields):
    return Contrat.objects.create(
        parcours=ParcoursFactory(etat=Etat.ACCUEIL),
        statut="brouillon",
        objectifs="Objectifs",
        actions_prevues="Première étape",
        engagements_participant="Venir",
        engagements_referent="Recevoir",
        date_debut=datetime.date(2026, 3, 2),
        **fields,
    )


def _contrat_signe():
    contrat = _contrat()
    update(contrat, statut="signe", date_signature=contrat.date_debut, signe_par_referent=contrat.parcours.referent)
    contrat.refresh_from_db()
    return contrat


@violates("contrat_statut_known")
def contract_of_an_unknown_status():
    contrat = _contrat_signe()
    return lambda: update(contrat, statut="perdu")


@violates("contrat_one_per_parcours")
def two_contracts_for_one_parcours():
    contrat = _contrat()
    return lambda: Contrat.objects.create(
        parcours=contrat.parcours,
        statut="brouillon",
        objectifs="x",
        actions_prevues="x",
        engagements_participant="x",
        engagements_referent="x",
        date_debut=contrat.date_debut,
    )


@violates("contrat_duree_bornee")
def contract_of_no_month():
    contrat = _contrat()
    return lambda: update(contrat, duree_mois=0)


@violates("contrat_duree_bornee")
def contract_of_five_years():
    contrat = _contrat()
    return lambda: update(contrat, duree_mois=60)


@violates("contrat_signed_iff_not_draft")
def signed_contract_without_its_date():
    contrat = _contrat_signe()
    return lambda: update(contrat, date_signature=None)


@violates("contrat_signed_iff_not_draft")
def draft_with_a_signature():
    contrat = _contrat()
    return lambda: update(contrat, date_signature=contrat.date_debut)


@violates("contrat_bi_signature_complete")
def bi_signature_without_its_signatory():
    contrat = _contrat_signe()
    return lambda: update(contrat, signe_bi_le=timezone.now())


@violates("contrat_decision_iff_decided")
def validated_integration_without_its_date():
    contrat = _contrat_signe()
    return lambda: update(contrat, statut="valide")


@violates("contrat_decision_iff_decided")
def decision_date_on_a_contract_not_decided():
    contrat = _contrat_signe()
    return lambda: update(contrat, decision_le=timezone.now())


@violates("contrat_refusal_has_motif")
def refused_integration_without_motif():
    contrat = _contrat_signe()
    return lambda: update(contrat, statut="refuse", decision_le=timezone.now())


@violates("contrat_refusal_has_motif")
def refusal_motif_on_a_signed_contract():
    contrat = _contrat_signe()
    return lambda: update(contrat, motif_refus="Hors critères")


def _evenement_contrat():
    return EvenementContrat.objects.create(contrat=_contrat(), transition="rediger", statut_apres="brouillon")


def _validation():
    return ValidationPrescription.objects.create(prescription=PrescriptionFactory(), organisme=Organisme.FRANCE_TRAVAIL)


def _evenement():
    prescription = PrescriptionFactory()
    return EvenementPrescription.objects.create(
        prescription=prescription, type="examiner", statut_avant=Statut.ENVOYEE, statut_apres=Statut.EN_EXAMEN
    )


def _transition():
    return TransitionParcours.objects.create(
        parcours=ParcoursFactory(etat=Etat.ORIENTE), transition="orienter", etat_avant="", etat_apres=Etat.ORIENTE
    )


@violates("transition_parcours_state_before_unless_creation")
def creation_logged_with_a_state_before():
    log = _transition()
    return lambda: update(log, etat_avant=Etat.ACCUEIL)


@violates("transition_parcours_state_before_unless_creation")
def transition_logged_without_a_state_before():
    log = TransitionParcours.objects.create(
        parcours=ParcoursFactory(etat=Etat.ACCUEIL),
        transition="accueillir",
        etat_avant=Etat.ORIENTE,
        etat_apres=Etat.ACCUEIL,
    )
    return lambda: update(log, etat_avant="")


def _notification():
    return Notification.objects.create(destinataire=UserFactory(), titre="Nouvelle orientation")


def _email():
    return MessageFactory()


for _name, _make, _field in [
    ("prescription_motifs_length", _prescription, "motifs"),
    ("prescription_question_complement_length", _prescription, "question_complement"),
    ("prescription_reponse_complement_length", _prescription, "reponse_complement"),
    ("prescription_commentaire_refus_length", _prescription, "commentaire_refus"),
    ("validation_commentaire_length", _validation, "commentaire"),
    ("evenement_prescription_detail_length", _evenement, "detail"),
    ("parcours_motif_cloture_length", lambda: ParcoursFactory(etat=Etat.ANNULE), "motif_cloture"),
    ("transition_parcours_motif_length", _transition, "motif"),
    ("tentative_contact_commentaire_length", TentativeContactFactory, "commentaire"),
    ("diagnostic_potentiels_length", _diagnostic, "potentiels"),
    ("diagnostic_souhaits_metiers_length", _diagnostic, "souhaits_metiers"),
    ("diagnostic_parcours_professionnel_length", _diagnostic, "parcours_professionnel"),
    ("frein_diagnostic_commentaire_length", _frein, "commentaire"),
    ("contrat_objectifs_length", _contrat, "objectifs"),
    ("contrat_actions_prevues_length", _contrat, "actions_prevues"),
    ("contrat_engagements_participant_length", _contrat, "engagements_participant"),
    ("contrat_engagements_referent_length", _contrat, "engagements_referent"),
    ("contrat_motif_refus_length", _contrat, "motif_refus"),
    ("evenement_contrat_motif_length", _evenement_contrat, "motif"),
    ("rendez_vous_notes_length", EntretienFactory, "notes"),
    ("transition_rendez_vous_motif_length", _transition_rdv, "motif"),
    ("notification_message_length", _notification, "message"),
    ("message_corps_length", _email, "corps"),
    ("message_derniere_erreur_length", _email, "derniere_erreur"),
    ("referentiel_sms_modele_length", lambda: load_preset("niort"), "sms_modele"),
]:
    violates(_name)(_text_row(_make, _field))


# Référentiel: values within their bounds (BORNES); a value one above its maximum is refused.
# Neighbouring fields are emptied where another check would refuse the row first.
_BORNES_EXTRA = {
    "duree_mesure_mois": {"duree_max_parcours_mois": None},
    "capacite_annuelle_min_par_etp": {"capacite_annuelle_max_par_etp": None},
}


def _above_bound(field):
    def prepare():
        referentiel = load_preset("niort")
        high = BORNES[field][1]
        return lambda: update(referentiel, **{field: high + 1, **_BORNES_EXTRA.get(field, {})})

    prepare.__name__ = f"{field}_above_its_maximum"
    return prepare


for _field in BORNES:
    if _field not in BORNES_SANS_CHECK:
        violates(f"referentiel_{_field}_bornes")(_above_bound(_field))


# Étapes de parcours and their log


@violates("etape_etat_known")
def etape_in_an_unknown_state():
    etape = EtapeFactory()
    return lambda: update(etape, etat="suspendue")


@violates("etape_type_known")
def etape_of_an_unknown_type():
    etape = EtapeFactory()
    return lambda: update(etape, type="stage")


@violates("etape_fin_prevue_after_debut")
def etape_planned_to_end_before_it_starts():
    etape = EtapeFactory()
    return lambda: update(etape, date_fin_prevue=etape.date_debut - DAY)


@violates("etape_fin_after_debut")
def etape_done_before_it_started():
    etape = EtapeFactory(etat="realisee")
    return lambda: update(etape, date_fin=etape.date_debut - DAY)


@violates("etape_fin_iff_terminee")
def etape_done_without_a_real_end():
    etape = EtapeFactory(etat="realisee")
    return lambda: update(etape, date_fin=None)


@violates("etape_fin_iff_terminee")
def etape_abandoned_without_a_real_end():
    etape = EtapeFactory(etat="abandonnee")
    return lambda: update(etape, date_fin=None)


@violates("etape_fin_iff_terminee")
def etape_in_progress_with_a_real_end():
    etape = EtapeFactory()
    return lambda: update(etape, date_fin=etape.date_debut)


def _evenement_etape(transition="planifier", etat_avant=""):
    return EvenementEtape.objects.create(
        etape=EtapeFactory(), transition=transition, etat_avant=etat_avant, etat_apres="en_cours"
    )


@violates("evenement_etape_state_before_unless_creation")
def etape_creation_logged_with_a_state_before():
    log = _evenement_etape()
    return lambda: update(log, etat_avant="prevue")


@violates("evenement_etape_state_before_unless_creation")
def etape_transition_logged_without_a_state_before():
    log = _evenement_etape("commencer", "prevue")
    return lambda: update(log, etat_avant="")


# The référent's own absences


def _absence_referent():
    from parcours.models import AbsenceReferent

    day = datetime.date(2026, 3, 2)
    return AbsenceReferent.objects.create(referent=ReferentFactory(), debut=day, fin=day, nature="conge")


@violates("absence_referent_fin_after_debut")
def absence_referent_ending_before_it_starts():
    absence = _absence_referent()
    return lambda: update(absence, fin=absence.debut - DAY)


@violates("absence_referent_nature_known")
def absence_referent_of_an_unknown_nature():
    absence = _absence_referent()
    return lambda: update(absence, nature="sabbatique")


# The catalogue of the ressources du territoire


@violates("ressource_nom_unique_par_plie")
def two_ressources_of_one_name_in_one_plie():
    first = RessourceFactory()
    return lambda: RessourceFactory(referentiel=first.referentiel, nom=first.nom)


@violates("ressource_categorie_known")
def ressource_of_an_unknown_category():
    ressource = RessourceFactory()
    return lambda: update(ressource, categorie="loisirs")


@violates("ressource_has_porteur")
def ressource_without_structure_nor_porteur():
    ressource = RessourceFactory()
    return lambda: update(ressource, structure=None, porteur="")


for _name, _make, _field in [
    ("etape_commentaire_length", EtapeFactory, "commentaire"),
    ("evenement_etape_motif_length", _evenement_etape, "motif"),
    ("ressource_conditions_length", RessourceFactory, "conditions"),
]:
    violates(_name)(_text_row(_make, _field))


# The ateliers' budget: expenses and their log


def _depense():
    from tests.factories import DepenseAtelierFactory

    return DepenseAtelierFactory()


@violates("depense_atelier_montant_positif")
def depense_of_a_negative_amount():
    depense = _depense()
    return lambda: update(depense, montant=Decimal("-1.00"))


@violates("depense_atelier_montant_positif")
def depense_of_nothing():
    depense = _depense()
    return lambda: update(depense, montant=Decimal("0"))


@violates("depense_atelier_statut_known")
def depense_of_an_unknown_status():
    depense = _depense()
    return lambda: update(depense, statut="remboursee", decide_le=timezone.now())


@violates("depense_atelier_refus_a_motif")
def depense_refused_without_a_motive():
    depense = _depense()
    return lambda: update(depense, statut="refusee", decide_le=timezone.now(), motif_refus="")


@violates("depense_atelier_decision_datee")
def depense_validated_without_a_date():
    depense = _depense()
    return lambda: update(depense, statut="validee", decide_le=None)


@violates("depense_atelier_justificatif_type")
def depense_receipt_without_its_checked_type():
    depense = _depense()
    return lambda: update(depense, justificatif="justificatifs/2026/x.pdf", justificatif_type="")


def _transition_depense():
    from financement.models import TransitionDepense

    return TransitionDepense.objects.create(depense=_depense(), transition="saisir", statut_apres="a_valider")


for _name, _make, _field in [
    ("depense_atelier_motif_refus_length", _depense, "motif_refus"),
    ("transition_depense_motif_length", _transition_depense, "motif"),
]:
    violates(_name)(_text_row(_make, _field))

# Émargement: a référent's monthly batch of sheets


@violates("lot_emargement_progress_bounded")
def lot_with_more_sheets_done_than_to_do():
    from tests.factories import LotEmargementFactory

    lot = LotEmargementFactory(total=3)
    return lambda: update(lot, faites=4)


@violates("lot_emargement_first_of_month")
def lot_dated_in_the_middle_of_a_month():
    from tests.factories import LotEmargementFactory

    lot = LotEmargementFactory()
    return lambda: update(lot, mois=lot.mois.replace(day=15))


@violates("lot_emargement_statut_known")
def lot_in_an_unknown_state():
    from tests.factories import LotEmargementFactory

    lot = LotEmargementFactory()
    return lambda: update(lot, statut="imprime")


@violates("lot_emargement_done_has_file")
def lot_done_without_its_file():
    from tests.factories import LotEmargementFactory

    lot = LotEmargementFactory()
    return lambda: update(lot, statut="termine", termine_le=timezone.now())


@violates("lot_emargement_done_has_file")
def lot_done_without_its_date():
    from tests.factories import LotEmargementFactory

    lot = LotEmargementFactory()
    return lambda: update(lot, statut="termine", fichier="emargement/lot.pdf")


# Ateliers collectifs (parcours/models/ateliers.py)


def _atelier(**values):
    from tests.factories import AtelierFactory

    return AtelierFactory(**values)


def _seance(**values):
    from tests.factories import SeanceAtelierFactory

    return SeanceAtelierFactory(**values)


def _presence(**values):
    from tests.factories import PresenceAtelierFactory

    return PresenceAtelierFactory(**values)


@violates("atelier_binome_distinct")
def atelier_co_animated_by_its_animateur():
    atelier = _atelier()
    return lambda: update(atelier, co_animateur=atelier.animateur)


@violates("atelier_capacite_bornes")
def atelier_without_a_place():
    atelier = _atelier()
    return lambda: update(atelier, capacite=0)


@violates("atelier_capacite_bornes")
def atelier_of_a_hundred_places():
    atelier = _atelier()
    return lambda: update(atelier, capacite=100)


@violates("atelier_fin_apres_debut")
def atelier_ending_before_it_starts():
    atelier = _atelier()
    return lambda: update(atelier, heure_fin=datetime.time(9, 0))


@violates("atelier_nombre_seances_bornes")
def atelier_series_of_no_session():
    atelier = _atelier(periodicite="hebdomadaire", nombre_seances=4)
    return lambda: update(atelier, nombre_seances=0)


@violates("atelier_nombre_seances_bornes")
def atelier_series_of_more_than_a_year():
    atelier = _atelier(periodicite="hebdomadaire", nombre_seances=4)
    return lambda: update(atelier, nombre_seances=53)


@violates("atelier_unique_une_seance")
def one_off_atelier_of_several_sessions():
    atelier = _atelier()
    return lambda: update(atelier, nombre_seances=3)


@violates("atelier_periodicite_known")
def atelier_of_an_unknown_periodicity():
    atelier = _atelier()
    return lambda: update(atelier, periodicite="annuelle")


@violates("seance_atelier_numero_unique")
def two_sessions_of_one_number():
    seance = _seance()
    return lambda: _seance(atelier=seance.atelier, numero=seance.numero)


@violates("seance_atelier_fin_apres_debut")
def session_ending_before_it_starts():
    seance = _seance()
    return lambda: update(seance, fin=seance.debut)


@violates("seance_atelier_statut_known")
def session_of_an_unknown_state():
    seance = _seance()
    return lambda: update(seance, statut="reportee")


@violates("seance_atelier_annulee_a_motif")
def session_cancelled_without_a_motive():
    seance = _seance()
    return lambda: update(seance, statut="annulee", motif_annulation="")


@violates("seance_atelier_emargement_clos_si_tenue")
def emargement_locked_on_a_session_to_come():
    seance = _seance()
    return lambda: update(seance, emargement_clos_le=timezone.now())


@violates("inscription_atelier_unique")
def one_person_invited_twice():
    from tests.factories import InscriptionAtelierFactory

    inscription = InscriptionAtelierFactory()
    return lambda: InscriptionAtelierFactory(atelier=inscription.atelier, parcours=inscription.parcours)


@violates("presence_atelier_unique")
def two_attendances_of_one_person_at_one_session():
    presence = _presence()
    return lambda: _presence(seance=presence.seance, parcours=presence.parcours)


@violates("presence_atelier_statut_known")
def attendance_of_an_unknown_kind():
    presence = _presence(statut="absent_justifie", duree_minutes=None)
    return lambda: update(presence, statut="en_retard")


@violates("presence_atelier_duree_iff_present")
def present_without_a_duration():
    presence = _presence()
    return lambda: update(presence, duree_minutes=None)


@violates("presence_atelier_duree_iff_present")
def present_for_a_whole_day_and_night():
    presence = _presence()
    return lambda: update(presence, duree_minutes=601)


@violates("presence_atelier_duree_iff_present")
def absent_with_a_duration():
    presence = _presence(statut="absent_justifie", duree_minutes=None)
    return lambda: update(presence, duree_minutes=30)


def _transition_seance():
    from parcours.models import TransitionSeance

    return TransitionSeance.objects.create(seance=_seance(), transition="planifier", statut_apres="prevue")


for _name, _make, _field in [
    ("atelier_description_length", _atelier, "description"),
    ("seance_atelier_contenu_length", _seance, "contenu"),
    ("transition_seance_motif_length", _transition_seance, "motif"),
]:
    violates(_name)(_text_row(_make, _field))


# Signatures drawn on screen (parcours/models/signatures.py)


def _signature(**values):
    from tests.factories import EntretienFactory, SignatureFactory

    if not {"rendez_vous", "presence", "seance"} & set(values):
        values["rendez_vous"] = EntretienFactory(honore=True)
    return SignatureFactory(**values)


def _presence_signee():
    from tests.factories import PresenceAtelierFactory

    return PresenceAtelierFactory()


@violates("signature_one_target")
def signature_of_nothing():
    signature = _signature()
    return lambda: type(signature).objects.filter(pk=signature.pk).update(rendez_vous=None)


@violates("signature_one_target")
def signature_of_an_entretien_and_an_attendance():
    signature = _signature()
    presence = _presence_signee()
    return lambda: type(signature).objects.filter(pk=signature.pk).update(presence=presence)


@violates("signature_signataire_known")
def signature_by_an_unknown_signer():
    signature = _signature()
    return lambda: type(signature).objects.filter(pk=signature.pk).update(signataire="temoin")


@violates("signature_referent_iff_referent")
def referent_signature_without_its_referent():
    signature = _signature()
    return lambda: type(signature).objects.filter(pk=signature.pk).update(signataire="referent")


@violates("signature_referent_iff_referent")
def participant_signature_naming_a_referent():
    signature = _signature()
    return lambda: type(signature).objects.filter(pk=signature.pk).update(referent=signature.recueillie_par)


@violates("signature_presence_by_participant")
def attendance_signed_by_a_referent():
    presence = _presence_signee()
    signature = _signature(presence=presence)
    referent = presence.seance.atelier.animateur
    return lambda: type(signature).objects.filter(pk=signature.pk).update(signataire="referent", referent=referent)


@violates("signature_seance_by_referent")
def session_signed_by_a_participant():
    from tests.factories import SeanceAtelierFactory

    seance = SeanceAtelierFactory(tenue=True)
    signature = _signature(seance=seance, signataire="referent", referent=seance.atelier.animateur)
    return lambda: type(signature).objects.filter(pk=signature.pk).update(signataire="participant", referent=None)


@violates("signature_image_size")
def signature_without_an_image():
    signature = _signature()
    return lambda: type(signature).objects.filter(pk=signature.pk).update(image=b"")


@violates("signature_image_size")
def signature_heavier_than_a_drawing():
    from parcours.models.signatures import IMAGE_MAX_OCTETS

    signature = _signature()
    return lambda: type(signature).objects.filter(pk=signature.pk).update(image=b"x" * (IMAGE_MAX_OCTETS + 1))


@violates("signature_once_per_rendez_vous")
def entretien_signed_twice_by_the_participant():
    signature = _signature()
    return lambda: _signature(rendez_vous=signature.rendez_vous)


@violates("signature_once_per_presence")
def attendance_signed_twice():
    signature = _signature(presence=_presence_signee())
    return lambda: _signature(presence=signature.presence)


@violates("signature_once_per_animateur")
def session_signed_twice_by_its_animateur():
    from tests.factories import SeanceAtelierFactory

    seance = SeanceAtelierFactory(tenue=True)
    animateur = seance.atelier.animateur
    _signature(seance=seance, signataire="referent", referent=animateur)
    return lambda: _signature(seance=seance, signataire="referent", referent=animateur)


# Requests for a decision (parcours/models/demandes.py), suspensions of the measure, the measure's dates


def _demande(**values):
    from tests.factories import DemandeFactory

    return DemandeFactory(**values)


def _update_demande(demande, **values):
    return lambda: type(demande).objects.filter(pk=demande.pk).update(**values)


@violates("demande_type_known")
def request_of_an_unknown_type():
    return _update_demande(_demande(), type="demenagement")


@violates("demande_statut_known")
def request_in_an_unknown_status():
    return _update_demande(_demande(), statut="en_cellule")


@violates("demande_one_waiting_per_type")
def two_waiting_veille_requests():
    first = _demande()
    return lambda: _demande(parcours=first.parcours)


@violates("demande_entree_veille_facts")
def veille_request_without_a_motive():
    return _update_demande(_demande(), motif_veille="")


@violates("demande_entree_veille_facts")
def veille_request_ending_before_it_starts():
    demande = _demande()
    return _update_demande(demande, fin_prevue=demande.debut)


@violates("demande_renouvellement_veille_facts")
def veille_renewal_without_its_new_end():
    demande = _demande(type="renouvellement_veille", motif_veille="", debut=None, fin_prevue=DAY + timezone.localdate())
    return _update_demande(demande, fin_prevue=None)


@violates("demande_fin_veille_facts")
def veille_end_without_its_date():
    demande = _demande(type="fin_veille", motif_veille="", debut=None, fin_prevue=None, date_effet=timezone.localdate())
    return _update_demande(demande, date_effet=None)


@violates("demande_renouvellement_mesure_facts")
def measure_renewal_without_its_period():
    today = timezone.localdate()
    demande = _demande(
        type="renouvellement_mesure",
        motif_veille="",
        debut=None,
        fin_prevue=None,
        periode_debut=today,
        periode_fin=today,
    )
    return _update_demande(demande, periode_debut=today + DAY)


@violates("demande_derogation_facts")
def remote_derogation_without_the_autonomy_assessed():
    demande = _demande(
        type="derogation_distance",
        motif_veille="",
        debut=None,
        fin_prevue=None,
        justification="Horaires de travail",
        autonomie_numerique="autonome",
    )
    return _update_demande(demande, autonomie_numerique="")


@violates("demande_reorientation_facts")
def reorientation_without_a_reason():
    demande = _demande(type="reorientation", motif_veille="", debut=None, fin_prevue=None, justification="Déménagement")
    return _update_demande(demande, justification="")


@violates("demande_presentiel_impossible_veille")
def renewal_saying_the_person_cannot_come():
    today = timezone.localdate()
    demande = _demande(
        type="renouvellement_mesure",
        motif_veille="",
        debut=None,
        fin_prevue=None,
        periode_debut=today,
        periode_fin=today,
    )
    return _update_demande(demande, presentiel_impossible=True)


@violates("demande_decided_has_date")
def accepted_request_without_a_decision_date():
    return _update_demande(_demande(), statut="acceptee")


@violates("demande_decided_has_date")
def waiting_request_with_a_decision_date():
    return _update_demande(_demande(), decide_le=timezone.now())


@violates("demande_refusal_has_reason")
def refusal_without_its_reason():
    return _update_demande(_demande(), statut="refusee", decide_le=timezone.now())


@violates("demande_decided_after_asked")
def decision_before_the_request():
    demande = _demande()
    return _update_demande(demande, statut="acceptee", decide_le=demande.demandee_le - DAY)


for _name, _field in [
    ("demande_objectifs_length", "objectifs"),
    ("demande_justification_length", "justification"),
    ("demande_motif_decision_length", "motif_decision"),
]:

    def _too_long(field=_field):
        from plie import longueurs

        return _update_demande(_demande(), **{field: "x" * (longueurs.COMMENTAIRE + 1)})

    _too_long.__name__ = f"request_{_field}_longer_than_its_limit"
    violates(_name)(_too_long)


@violates("transition_demande_motif_length")
def request_log_motive_longer_than_its_limit():
    from parcours.models import TransitionDemande
    from plie import longueurs

    demande = _demande()
    return lambda: TransitionDemande.objects.create(
        demande=demande, transition="demander", statut_apres="demandee", motif="x" * (longueurs.MOTIF + 1)
    )


@violates("transition_demande_state_before_unless_creation")
def request_log_of_a_decision_without_a_state_before():
    from parcours.models import TransitionDemande

    demande = _demande()
    return lambda: TransitionDemande.objects.create(demande=demande, transition="accepter", statut_apres="acceptee")


def _suspension(**values):
    from tests.factories import SuspensionMesureFactory

    return SuspensionMesureFactory(**values)


@violates("suspension_fin_after_debut")
def suspension_ending_before_it_starts():
    suspension = _suspension()
    return lambda: type(suspension).objects.filter(pk=suspension.pk).update(fin=suspension.debut - DAY)


@violates("suspension_duree_max")
def suspension_of_more_than_a_year():
    suspension = _suspension()
    return lambda: type(suspension).objects.filter(pk=suspension.pk).update(fin=suspension.debut + 366 * DAY)


@violates("suspension_motif_known")
def suspension_for_an_unknown_motive():
    suspension = _suspension()
    return lambda: type(suspension).objects.filter(pk=suspension.pk).update(motif="vacances")


@violates("veille_motif_known")
def veille_for_a_removed_motive():
    parcours = ParcoursFactory(etat=Etat.VEILLE)
    return lambda: PeriodeVeille.objects.filter(parcours=parcours).update(motif="longue_maladie")


@violates("parcours_mesure_dates_ordered")
def measure_starting_before_the_entry():
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    update(parcours, date_fin_mesure=parcours.date_entree + 180 * DAY)
    return lambda: update(parcours, date_debut_mesure=parcours.date_entree - DAY)


@violates("parcours_mesure_dates_ordered")
def measure_ending_on_its_start():
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    start = parcours.date_entree + 10 * DAY
    return lambda: update(parcours, date_debut_mesure=start, date_fin_mesure=start)


@violates("rendez_vous_preuve_distance_only_remote")
def face_to_face_entretien_with_a_remote_means():
    rdv = EntretienFactory(honore=True)
    return lambda: type(rdv).objects.filter(pk=rdv.pk).update(modalite="presentiel", moyen_distance="Teams")


@violates("rendez_vous_confirmation_has_date")
def remote_confirmation_without_its_date():
    rdv = EntretienFactory(honore=True)
    return lambda: (
        type(rdv)
        .objects.filter(pk=rdv.pk)
        .update(modalite="telephone", confirmation_participant="email", confirmation_le=None)
    )


# Convocations and the outbox


@violates("convocation_one_event")
def convocation_for_no_event():
    convocation = ConvocationFactory()
    return lambda: update(convocation, rendez_vous=None)


@violates("convocation_one_per_seance_and_person")
def two_convocations_to_one_session():
    seance = SeanceAtelierFactory()
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    debut = seance.debut
    Convocation.objects.create(parcours=parcours, seance=seance, jeton="seance0001", debut=debut, expire_le=seance.fin)
    return lambda: Convocation.objects.create(
        parcours=parcours, seance=seance, jeton="seance0002", debut=debut, expire_le=seance.fin
    )


@violates("convocation_reponse_known")
def convocation_with_an_unknown_answer():
    convocation = ConvocationFactory()
    return lambda: update(convocation, reponse="peut_etre", repondu_le=timezone.now(), repondu_par="lien")


@violates("convocation_answer_has_date_and_means")
def convocation_confirmed_without_a_date():
    convocation = ConvocationFactory()
    return lambda: update(convocation, reponse="confirmee", repondu_par="sms")


@violates("convocation_answer_has_date_and_means")
def convocation_unanswered_with_a_date():
    convocation = ConvocationFactory()
    return lambda: update(convocation, repondu_le=timezone.now())


@violates("convocation_link_expires_after_start")
def convocation_link_expiring_before_the_event():
    convocation = ConvocationFactory()
    return lambda: update(convocation, expire_le=convocation.debut - DAY)


@violates("message_canal_known")
def message_through_an_unknown_channel():
    message = MessageFactory()
    return lambda: update(message, canal="pigeon")


@violates("message_statut_known")
def message_in_an_unknown_state():
    message = MessageFactory()
    return lambda: update(message, statut="perdu")


@violates("message_email_has_recipients")
def email_to_nobody():
    message = MessageFactory()
    return lambda: update(message, destinataires=[])


@violates("message_sms_has_number")
def sms_without_a_number():
    message = SMSFactory()
    return lambda: update(message, numero="")


@violates("message_sms_has_number")
def email_with_a_number():
    message = MessageFactory()
    return lambda: update(message, numero="+33612345678")


@violates("message_convocation_has_its_rdv")
def convocation_message_without_its_convocation():
    message = SMSFactory()
    return lambda: update(message, convocation=None)


@violates("message_courrier_is_convocation")
def service_letter():
    message = SMSFactory()
    return lambda: update(message, canal="courrier", numero="", genre="service")


@violates("message_sent_has_date")
def message_sent_without_a_date():
    message = MessageFactory()
    return lambda: update(message, statut="envoye")


@violates("message_claim_has_date")
def message_claimed_without_a_date():
    message = MessageFactory()
    return lambda: update(message, statut="en_cours")


@violates("message_failure_has_date")
def message_failed_without_a_date():
    message = MessageFactory()
    return lambda: update(message, statut="echec")


@violates("message_failure_has_date")
def message_waiting_with_a_failure_date():
    message = MessageFactory()
    return lambda: update(message, echec_le=timezone.now())


@violates("message_courrier_states")
def letter_delivered():
    message = SMSFactory()
    now = timezone.now()
    return lambda: update(message, canal="courrier", numero="", statut="delivre", envoye_le=now, delivre_le=now)


@violates("message_tentatives_max")
def message_tried_too_often():
    message = MessageFactory()
    return lambda: update(message, tentatives=TENTATIVES_MAX + 1)


@violates("evenement_fournisseur_unique")
def provider_event_received_twice():
    EvenementFournisseur.objects.create(fournisseur="brevo", cle="evt-1", genre="statut")
    return lambda: EvenementFournisseur.objects.create(fournisseur="brevo", cle="evt-1", genre="statut")


@violates("referentiel_sms_expediteur_format")
def sender_name_with_a_space():
    referentiel = load_preset("niort")
    return lambda: update(referentiel, sms_expediteur="PLIE NIORT")


@violates("referentiel_sms_expediteur_format")
def sender_name_with_an_accent():
    referentiel = load_preset("niort")
    return lambda: update(referentiel, sms_expediteur="PLIÉ")


# --- the tests ----------------------------------------------------------------------------------


def test_every_constraint_has_a_case():
    covered = {case.values[0] for case in CASES}
    assert covered == set(CONSTRAINTS)


@pytest.mark.parametrize(("name", "prepare"), CASES)
def test_database_refuses_impossible_row(db, name, prepare):
    write = prepare()
    with refused_by(name):
        write()


# Rows close to the impossible ones that are legitimate.


def test_re_entry_is_allowed_after_a_closed_parcours(db):
    closed = ParcoursFactory(etat=Etat.SORTI)
    ParcoursFactory(etat=Etat.ANNULE, participant=closed.participant)

    reentry = ParcoursFactory(etat=Etat.ORIENTE, participant=closed.participant)

    assert Parcours.objects.filter(participant=closed.participant).count() == 3
    assert list(Parcours.objects.filter(participant=closed.participant).ouverts()) == [reentry]


def test_a_closed_veille_beside_an_open_one_is_allowed(db):
    parcours = ParcoursFactory(etat=Etat.VEILLE)
    PeriodeVeille.objects.create(
        parcours=parcours,
        motif=MotifVeille.SANTE,
        debut=parcours.date_entree,
        fin_prevue=parcours.date_entree + 10 * DAY,
        fin=parcours.date_entree + 5 * DAY,
    )

    assert parcours.periodes_veille.count() == 2


def test_a_superuser_needs_neither_role_nor_structure(db):
    admin = User.objects.create_superuser("admin@exemple.fr", "x", first_name="Ada", last_name="Min")

    assert (admin.role, admin.structure) == ("", None)


@pytest.mark.parametrize("etp", ["0.10", "0.50", "1.00"])
def test_etp_between_0_and_1_is_allowed(db, etp):
    profile = ReferentFactory().referent_profile
    update(profile, etp=Decimal(etp))

    profile.refresh_from_db()
    assert profile.etp == Decimal(etp)


def test_a_refused_access_may_name_no_object(db):
    """An id too large for the database is logged as refused, without an id."""
    access_row(objet_id=None, refuse=True)()

    assert AccesDossier.objects.get().objet_id is None


def test_inactive_referentiels_beside_the_active_one_are_allowed(db):
    load_preset("niort", activate=True)
    load_preset("caen")

    assert Referentiel.objects.count() == 2
    assert Referentiel.objects.active().code == "niort"


# --- model validation speaks French -------------------------------------------------------------


def _sorti_without_date():
    parcours = ParcoursFactory(etat=Etat.SORTI)
    parcours.date_sortie = None
    return parcours


def _second_open_parcours():
    first = ParcoursFactory(etat=Etat.ORIENTE)
    return Parcours(
        participant=first.participant,
        etat=Etat.ORIENTE,
        referent=first.referent,
        date_prescription=first.date_prescription,
        date_orientation=first.date_orientation,
    )


def _oriented_without_referent():
    parcours = ParcoursFactory(etat=Etat.ORIENTE)
    parcours.referent = None
    return parcours


def _consent_without_date():
    participant = ParticipantFactory()
    participant.date_consentement = None
    return participant


def _vacant_without_date():
    profile = ReferentFactory().referent_profile
    profile.actif = False
    return profile


def _neutralised_positive_rule():
    return RegleSortie(
        referentiel=load_preset("niort"), ordre=999, classe=ClasseSortie.POSITIVE, neutralisee=True, libelle="Décès"
    )


VALIDATION_CASES = [
    pytest.param(_sorti_without_date, "parcours_sortie_date_iff_sorti", id="sorti-without-date"),
    pytest.param(_second_open_parcours, "parcours_one_open_per_participant", id="second-open-parcours"),
    pytest.param(_oriented_without_referent, "parcours_oriented_has_referent", id="oriented-without-referent"),
    pytest.param(_consent_without_date, "participant_consentement_has_date", id="consent-without-date"),
    pytest.param(_vacant_without_date, "referent_vacant_has_date", id="vacant-without-date"),
    pytest.param(_neutralised_positive_rule, "regle_sortie_neutralisee_is_autre", id="neutralised-positive-rule"),
]


@pytest.mark.parametrize(("make", "name"), VALIDATION_CASES)
def test_validate_constraints_gives_the_french_message(db, make, name):
    instance = make()
    message = CONSTRAINTS[name].violation_error_message
    assert message and "%(name)s" not in message

    with pytest.raises(ValidationError) as excinfo:
        instance.validate_constraints()

    assert excinfo.value.messages == [message]


def test_full_clean_reports_the_french_message_of_a_parcours_constraint(db):
    parcours = _sorti_without_date()

    with pytest.raises(ValidationError) as excinfo:
        parcours.full_clean()

    assert "Seul un parcours sorti a une date de sortie réelle, et il en a une." in excinfo.value.messages


# Periods that must not overlap: exclusion constraints PostgreSQL alone can hold (plie/contraintes.py).


def test_postgresql_refuses_two_overlapping_veilles(db):
    parcours = ParcoursFactory(etat=Etat.VEILLE)  # its veille runs from entry + 30 days, open
    with pytest.raises(IntegrityError, match="veille_no_overlap"), transaction.atomic():
        PeriodeVeille.objects.create(
            parcours=parcours,
            motif=MotifVeille.AUTRE,
            debut=parcours.date_entree + 20 * DAY,
            fin_prevue=parcours.date_entree + 40 * DAY,
            fin=parcours.date_entree + 30 * DAY,
        )
    # Ending the day before the next one starts is no overlap (the end day is a day of veille).
    PeriodeVeille.objects.create(
        parcours=parcours,
        motif=MotifVeille.AUTRE,
        debut=parcours.date_entree + 20 * DAY,
        fin_prevue=parcours.date_entree + 40 * DAY,
        fin=parcours.date_entree + 29 * DAY,
    )


def test_postgresql_refuses_two_overlapping_suspensions(db):
    first = _suspension()
    with pytest.raises(IntegrityError, match="suspension_no_overlap"), transaction.atomic():
        _suspension(parcours=first.parcours, debut=first.fin, fin=first.fin + 5 * DAY)
    _suspension(parcours=first.parcours, debut=first.fin + DAY, fin=first.fin + 5 * DAY)
