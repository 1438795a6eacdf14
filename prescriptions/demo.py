"""The demo's referrals: one accepted fiche behind every oriented parcours, and a live queue.

Pending referrals (received, being checked with validations asked, awaiting a complement, with a
possible duplicate of a known person) and refused ones have no participant: that is the rule of
the product (a person becomes a participant only when accepted). Bulk inserts, like the rest of
the demo, so that 10 000 participants still take seconds.
"""

import datetime

from django.utils import timezone

from parcours.freins import Frein
from prescriptions.models import (
    CHAMPS_CONTACT,
    CHAMPS_IDENTITE,
    Avis,
    EvenementPrescription,
    Organisme,
    Prescription,
    SituationProfessionnelle,
    ValidationPrescription,
)
from prescriptions.workflow import MotifRefus, Statut

MOTIFS = [
    "Au chômage depuis plus d'un an, souhaite retrouver un emploi stable dans la logistique.",
    "Bénéficiaire du RSA, projet d'aide à domicile à construire, freins de mobilité.",
    "Sortie de formation sans emploi, a besoin d'un accompagnement renforcé vers l'emploi.",
    "Reprise d'activité après un congé parental, souhaite se réorienter.",
    "Parcours d'emplois courts, demande un appui pour accéder à un CDI.",
    "Difficultés à l'écrit, projet dans l'entretien des espaces verts.",
]
QUESTIONS = [
    "La personne est-elle inscrite à France Travail ? Merci de préciser depuis quand.",
    "Pouvez-vous confirmer l'adresse actuelle de la personne ?",
]
FIELDS = CHAMPS_IDENTITE + CHAMPS_CONTACT


def moment(date, hour=9):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour, 30)))


class PrescriptionsDemo:
    def __init__(self, builder, coordination):
        self.b = builder
        self.rng = builder.rng
        self.coordination = coordination
        self.rows, self.criteres, self.after = [], [], []

    def _fiche(self, person, codes, prescripteur, statut, envoyee, **extra):
        data = {f: getattr(person, f) for f in FIELDS}
        data.update(
            statut=statut,
            prescripteur=prescripteur,
            structure=prescripteur.structure,
            situation=self.rng.choice(
                [SituationProfessionnelle.DEMANDEUR_EMPLOI] * 4 + [SituationProfessionnelle.INACTIF]
            ),
            inscrit_france_travail=data["date_inscription_france_travail"] is not None,
            rup_demande="brsa" in codes and prescripteur.role == "bureau_insertion" and self.rng.random() < 0.6,
            motifs=self.rng.choice(MOTIFS),
            freins=self.rng.sample(list(Frein.values), self.rng.randint(0, 3)),
            souhaite_assister_premier_rdv=self.rng.random() < 0.3,
            envoyee_le=moment(envoyee) if statut != Statut.BROUILLON else None,
        )
        data.update(extra)
        prescription = Prescription(**data)
        self.rows.append(prescription)
        self.criteres.append(codes)
        return prescription

    def accepted(self, parcours, codes):
        decided = moment(parcours.date_orientation, 11)
        self._fiche(
            parcours.participant,
            codes,
            parcours.prescripteur,
            Statut.ACCEPTEE,
            parcours.date_prescription,
            parcours=parcours,
            participant=parcours.participant,
            rup_demande=parcours.rup,
            identite_verifiee_le=decided,
            identite_verifiee_par=self.coordination,
            decidee_le=decided,
            decidee_par=self.coordination,
        )

    def pending(self, person, codes, prescripteur, etat_plan, known=None):
        """A referral not decided yet, or refused (``etat_plan`` is the old parcours state it replaces)."""
        today = self.b.today
        envoyee = today - datetime.timedelta(days=self.rng.randint(0, 20))
        if etat_plan == "refuse":
            self._fiche(
                person,
                codes,
                prescripteur,
                Statut.REFUSEE,
                envoyee,
                motif_refus=self.rng.choice(list(MotifRefus.values)),
                decidee_le=moment(min(today, envoyee + datetime.timedelta(days=5)), 15),
                decidee_par=self.coordination,
            )
            return
        if etat_plan == "complement":
            self._fiche(
                person,
                codes,
                prescripteur,
                Statut.COMPLEMENT_DEMANDE,
                envoyee,
                question_complement=self.rng.choice(QUESTIONS),
            )
            return
        statut = Statut.EN_EXAMEN if etat_plan == "a_valider" else Statut.ENVOYEE
        prescription = self._fiche(person, codes, prescripteur, statut, envoyee)
        if known is not None:
            prescription.nom_usage, prescription.prenoms = known.nom_usage.upper(), known.prenoms
        if statut == Statut.EN_EXAMEN:
            self.after.append((prescription, codes, envoyee))

    def draft(self, person, codes, prescripteur):
        self._fiche(person, codes, prescripteur, Statut.BROUILLON, None, motifs="")

    def save(self):
        referentiel = self.b.referentiel
        saved = Prescription.objects.bulk_create(self.rows, batch_size=2000)
        if saved and saved[0].pk is None:  # databases without RETURNING ids
            saved = list(Prescription.objects.order_by("id"))[-len(self.rows) :]
            by_position = dict(zip(map(id, self.rows), saved, strict=True))
            self.after = [(by_position[id(p)], codes, envoyee) for p, codes, envoyee in self.after]
        through = Prescription.criteres.through
        through.objects.bulk_create(
            [
                through(prescription_id=p.pk, criterepublic_id=self.b.criteres[code].pk)
                for p, codes in zip(saved, self.criteres, strict=True)
                for code in codes
            ],
            batch_size=5000,
        )
        events, validations = [], []
        for p in saved:
            if p.statut == Statut.BROUILLON:
                continue
            events.append(self._event(p, "envoyer", Statut.BROUILLON, Statut.ENVOYEE, p.prescripteur, p.envoyee_le))
            if p.statut == Statut.COMPLEMENT_DEMANDE:
                asked = p.envoyee_le + datetime.timedelta(hours=26)
                events.append(self._event(p, "demander_complement", Statut.ENVOYEE, p.statut, self.coordination, asked))
            if p.statut in {Statut.ACCEPTEE, Statut.REFUSEE}:
                name = "accepter" if p.statut == Statut.ACCEPTEE else "refuser"
                events.append(self._event(p, name, Statut.EN_EXAMEN, p.statut, self.coordination, p.decidee_le))
        for p, codes, envoyee in self.after:
            asked = moment(envoyee, 14)
            events.append(self._event(p, "examiner", Statut.ENVOYEE, Statut.EN_EXAMEN, self.coordination, asked))
            if referentiel.validation_france_travail:
                favorable = self.rng.random() < 0.6
                validations.append(
                    ValidationPrescription(
                        prescription=p,
                        organisme=Organisme.FRANCE_TRAVAIL,
                        demandee_le=asked,
                        demandee_par=self.coordination,
                        avis=Avis.FAVORABLE if favorable else Avis.EN_ATTENTE,
                        avis_le=asked + datetime.timedelta(hours=20) if favorable else None,
                        avis_par=self.coordination if favorable else None,
                        interlocuteur="Conseillère France Travail" if favorable else "",
                    )
                )
            if referentiel.validation_bureau_insertion_rsa and "brsa" in codes:
                validations.append(
                    ValidationPrescription(
                        prescription=p,
                        organisme=Organisme.BUREAU_INSERTION,
                        demandee_le=asked,
                        demandee_par=self.coordination,
                    )
                )
        EvenementPrescription.objects.bulk_create(events, batch_size=5000)
        ValidationPrescription.objects.bulk_create(validations, batch_size=2000)

    @staticmethod
    def _event(prescription, name, before, after, who, date):
        return EvenementPrescription(
            prescription=prescription, type=name, statut_avant=before, statut_apres=after, auteur=who, date=date
        )
