"""Email subjects carry no personal data: mail servers log them and every mailbox lists them.

Every flow that sends an email runs here with a participant, a prescripteur and a référent whose
names are found nowhere else; the subjects of every email (outbox rows and sent messages) must hold
none of the participant's name, first name, birth date, phone or email, nor the staff's names. The
bodies may. The test fails when a template of ``templates/emails/`` is not sent by some flow below,
so that a new kind of email cannot skip it.
"""

import datetime
import pathlib

import pytest
from django.conf import settings
from django.core import mail
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from parcours import accueil, cer, entretiens, reaffectation
from parcours.models import Etat, Modalite, StatutRendezVous
from plie.accounts import invitations, second_factor
from plie.accounts.models import Invitation, PrescripteurKind, Role
from plie.notifications.models import Message
from plie.referentiel.models import Referentiel
from plie.territoire.models import Commune
from prescriptions import decisions, validations
from prescriptions.models import Avis, Organisme, ValidationPrescription
from tests.factories import (
    EntretienFactory,
    LieuFactory,
    ParcoursFactory,
    ParticipantFactory,
    PrescriptionFactory,
    StructureFactory,
)

EMAIL_TEMPLATES = sorted(
    f"emails/{path.name}" for path in (pathlib.Path(settings.BASE_DIR) / "templates" / "emails").glob("*.txt")
)
PASSWORD_RESET = "registration/password_reset_email.txt"

PERSON = {
    "nom_usage": "Quillivic-Zanetti",
    "nom_naissance": "Abgrall",
    "prenoms": "Philomène",
    "date_naissance": datetime.date(1987, 11, 23),
    "telephone_mobile": "+33698765432",
    "email": "philomene.qz@exemple.org",
}


def forbidden(prescripteur, referent):
    birth = PERSON["date_naissance"]
    return [
        PERSON["nom_usage"],
        PERSON["nom_usage"].upper(),
        PERSON["nom_naissance"],
        PERSON["prenoms"],
        f"{birth:%d/%m/%Y}",
        birth.isoformat(),
        "06 98 76 54 32",
        "0698765432",
        PERSON["telephone_mobile"],
        PERSON["email"],
        "Quillivic",
        prescripteur.last_name,
        prescripteur.first_name,
        referent.last_name,
        referent.first_name,
    ]


@pytest.fixture
def rendered():
    names = []

    def record(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


@pytest.fixture
def people(personas, communes):
    prescripteur, referent = personas.prescripteur, personas.referent_a
    prescripteur.first_name, prescripteur.last_name = "Ombeline", "Kerhervé"
    prescripteur.save()
    referent.first_name, referent.last_name = "Thibaud", "Vandenbussche"
    referent.save()
    referent.referent_profile.lieux.add(LieuFactory(commune=Commune.objects.get(insee="79191")))
    bi = personas.bureau_insertion
    bi.structure.type_prescripteur = PrescripteurKind.BUREAU_INSERTION
    bi.structure.email = "bi@departement.example"
    bi.structure.save()
    return personas


def _prescription(people, **fields):
    return PrescriptionFactory(
        prescripteur=people.prescripteur,
        commune=Commune.objects.get(insee="79191"),
        criteres=["brsa"],
        rup_demande=True,
        **PERSON,
        **fields,
    )


def run_every_flow(people, client):
    """Each flow of the product that sends an email, in turn."""
    coordination = people.coordination
    # Invitation (and its new link).
    invitation = invitations.inviter(
        Invitation(
            email="nouvelle.personne@exemple.fr",
            first_name=PERSON["prenoms"],
            last_name=PERSON["nom_usage"],
            role=Role.PRESCRIPTEUR,
            structure=StructureFactory(prescripteur=True),
        )
    )
    invitations.renvoyer(invitation)
    # Validations asked of the bureau insertion, then acceptance (référent, prescripteur, RUP).
    prescription = _prescription(people)
    validations.demander_validation(
        prescription, coordination, Organisme.BUREAU_INSERTION, Referentiel.objects.active()
    )
    now = timezone.now()
    ValidationPrescription.objects.create(
        prescription=prescription, organisme=Organisme.FRANCE_TRAVAIL, demandee_le=now, avis=Avis.FAVORABLE, avis_le=now
    )
    validation = prescription.validations.get(organisme=Organisme.BUREAU_INSERTION)
    validations.rendre_avis(validation, people.bureau_insertion, Avis.FAVORABLE)
    prescription.refresh_from_db()
    parcours = decisions.accepter(
        prescription, coordination, people.referent_a, confirme=True, referentiel=Referentiel.objects.active()
    )
    assert parcours.etat == Etat.ORIENTE
    # Complement, refusal (after the acceptance: these ones are then no duplicate to examine).
    decisions.demander_complement(_prescription(people), coordination, "Quel est son niveau de français ?")
    decisions.refuser(_prescription(people), coordination, "autre", "Orientation plus adaptée ailleurs")
    # First appointment: the prescripteur is told.
    parcours.refresh_from_db()
    accueil.fixer_premier_rdv(
        parcours,
        by=people.referent_a,
        debut=timezone.now() + datetime.timedelta(days=3),
        modalite=Modalite.TELEPHONE,
    )
    # An unjustified absence while the référent is RUP: the bureau insertion is told.
    suivi = ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=people.referent_a,
        prescripteur=people.prescripteur,
        rup=True,
        participant=ParticipantFactory(**PERSON),
    )
    entretien = EntretienFactory(parcours=suivi, debut=timezone.now() - datetime.timedelta(hours=2))
    entretiens.clore(entretien, people.referent_a, StatutRendezVous.ABSENT)
    # The same at an atelier collectif.
    from parcours import ateliers
    from tests.factories import AtelierFactory, InscriptionAtelierFactory, SeanceAtelierFactory

    hier = timezone.localdate() - datetime.timedelta(days=1)
    atelier = AtelierFactory(animateur=people.referent_a, premiere_date=hier)
    InscriptionAtelierFactory(atelier=atelier, parcours=suivi)
    seance = SeanceAtelierFactory(atelier=atelier)
    ateliers.noter_presences(seance, people.referent_a, [ateliers.LignePresence(suivi.pk, "absent_injustifie")])
    # A contract signed with a RUP référent: the bureau insertion is asked to sign it.
    accueilli = ParcoursFactory(
        etat=Etat.ACCUEIL,
        referent=people.referent_a,
        rup=True,
        cer_conditionne_rsa=True,
        participant=ParticipantFactory(**PERSON),
    )
    held = EntretienFactory(parcours=accueilli, honore=True, debut=timezone.now() - datetime.timedelta(days=1))
    contrat = cer.rediger(
        accueilli,
        people.referent_a,
        objectifs="Objectifs",
        actions_prevues="Première étape",
        engagements_participant="Venir",
        engagements_referent="Recevoir",
        date_debut=timezone.localdate(),
        duree_mois=6,
    )
    cer.signer(contrat, people.referent_a, held.debut_local.date(), referentiel=Referentiel.objects.active())
    # A convocation by email (no mobile) to an entretien in three days, then by letter (no email).
    from parcours import convocations

    sans_mobile = ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=people.referent_a,
        participant=ParticipantFactory(**{**PERSON, "telephone_mobile": ""}),
    )
    convocations.convoquer_rdv(
        EntretienFactory(parcours=sans_mobile, debut=timezone.now() + datetime.timedelta(days=3))
    )
    # A lost phone: a colleague of the coordination resets the référent's second factor.
    second_factor.confirm_app_device(second_factor.pending_app_device(people.referent_a))
    second_factor.reset(people.referent_a, par=coordination)
    # The référent's participants go to a colleague: the new référent is told.
    parcours.refresh_from_db()
    reaffectation.reaffecter(coordination, people.referent_a, {parcours.pk: people.referent_b}, "Poste vacant")
    # Password reset (Django's view, our subject template).
    assert client.post(reverse("password_reset"), {"email": people.prescripteur.email}).status_code == 302


def test_no_subject_carries_personal_data(people, client, rendered, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_every_flow(people, client)

    subjects = set(Message.objects.values_list("sujet", flat=True)) | {m.subject for m in mail.outbox}
    assert len(subjects) >= len(EMAIL_TEMPLATES)
    words = forbidden(people.prescripteur, people.referent_a)
    leaks = {subject: [w for w in words if w.casefold() in subject.casefold()] for subject in subjects}
    assert {s: w for s, w in leaks.items() if w} == {}
    # The bodies still name the person: the subjects were cleaned, not the emails emptied.
    assert any("QUILLIVIC-ZANETTI" in m.body for m in mail.outbox)


def test_every_kind_of_email_is_covered(people, client, rendered, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_every_flow(people, client)

    assert EMAIL_TEMPLATES, "templates/emails/ is empty?"
    missing = sorted(set(EMAIL_TEMPLATES) - set(rendered))
    assert missing == [], f"Add a flow sending {missing} to run_every_flow"
    assert PASSWORD_RESET in rendered
