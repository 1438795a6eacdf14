"""factory_boy factories. A parcours is built in any state with dates that the database
constraints accept: ``ParcoursFactory(etat=Etat.VEILLE)``."""

import datetime
from decimal import Decimal

import factory
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from parcours.models import Etat, MotifVeille, Parcours, Participant, PeriodeVeille, Sexe
from parcours.workflow import ETATS_AVEC_REFERENT
from plie.accounts.models import (
    LieuAccompagnement,
    PrescripteurKind,
    ReferentProfile,
    Role,
    Structure,
    StructureType,
    User,
)
from plie.referentiel.models import CriterePublic
from plie.territoire.models import Commune

PASSWORD = "mot-de-passe-de-test-2026"


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ["insee"]

    # « 99 » (abroad, no commune of the territories) and three base-36 characters: five characters, as the
    # field holds, for 46 656 communes (a full run creates more than the 1 000 of three digits).
    insee = factory.Sequence(
        lambda n: "99" + "".join("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n // 36**i % 36] for i in (2, 1, 0))
    )
    nom = factory.Sequence(lambda n: f"Commune {n}")
    codes_postaux = "99000"
    epci_siren = "200041317"
    epci_nom = "CA du Niortais"
    departement = "79"
    latitude = Decimal("46.32313")
    longitude = Decimal("-0.45877")


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    nom = factory.Sequence(lambda n: f"Structure {n}")
    type = StructureType.OPERATEUR
    type_prescripteur = ""

    class Params:
        coordination = factory.Trait(type=StructureType.COORDINATION)
        operateur = factory.Trait(type=StructureType.OPERATEUR)
        prescripteur = factory.Trait(type=StructureType.PRESCRIPTEUR, type_prescripteur=PrescripteurKind.CCAS)
        bureau_insertion = factory.Trait(
            type=StructureType.PRESCRIPTEUR, type_prescripteur=PrescripteurKind.BUREAU_INSERTION
        )
        financeur = factory.Trait(type=StructureType.FINANCEUR)


STRUCTURE_TRAIT = {
    Role.COORDINATION: "coordination",
    Role.REFERENT: "operateur",
    Role.OPERATEUR: "operateur",
    Role.PRESCRIPTEUR: "prescripteur",
    Role.BUREAU_INSERTION: "bureau_insertion",
    Role.FINANCEUR: "financeur",
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = Role.COORDINATION
    structure = factory.LazyAttribute(lambda o: StructureFactory(**{STRUCTURE_TRAIT[o.role]: True}))
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class ReferentFactory(UserFactory):
    role = Role.REFERENT

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):
        if create:
            ReferentProfile.objects.create(
                user=obj,
                etp=kwargs.get("etp", Decimal("1.00")),
                date_debut=datetime.date(2020, 1, 1),
            )


class LieuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LieuAccompagnement

    nom = factory.Sequence(lambda n: f"Permanence {n}")
    commune = factory.SubFactory(CommuneFactory)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant
        skip_postgeneration_save = True

    nom_usage = factory.Faker("last_name", locale="fr_FR")
    prenoms = factory.Faker("first_name_female", locale="fr_FR")
    sexe = Sexe.FEMME
    date_naissance = datetime.date(1985, 4, 12)
    telephone_mobile = "+33612345678"
    consentement = True
    date_consentement = datetime.date(2025, 1, 10)

    @factory.post_generation
    def criteres(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.criteres.set(CriterePublic.objects.filter(code__in=extracted))


def dates_for(etat, start):
    """Consistent dates of a parcours that reached ``etat``, starting at ``start``."""
    # Every parcours is born oriented (Parcours.orienter).
    d = {"date_prescription": start, "date_orientation": start + datetime.timedelta(days=3)}
    if etat == Etat.ANNULE:
        d.update(date_cloture=start + datetime.timedelta(days=5), motif_cloture="Motif de test")
    if etat in ETATS_AVEC_REFERENT - {Etat.ORIENTE}:
        d["date_premier_rdv"] = start + datetime.timedelta(days=10)
    if etat in {Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE, Etat.SORTI}:
        d["date_entree"] = start + datetime.timedelta(days=14)
        d["date_fin_mesure"] = d["date_entree"] + relativedelta(months=6)
    if etat == Etat.SORTIE_PROPOSEE:
        d["date_sortie_prevue"] = d["date_entree"] + relativedelta(months=5)
    if etat == Etat.SORTI:
        d["date_sortie"] = d["date_entree"] + relativedelta(months=5)
    return d


class ParcoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parcours
        skip_postgeneration_save = True

    participant = factory.SubFactory(ParticipantFactory)
    etat = Etat.ORIENTE
    prescripteur = factory.SubFactory(UserFactory, role=Role.PRESCRIPTEUR)
    structure_prescriptrice = factory.LazyAttribute(lambda o: o.prescripteur.structure if o.prescripteur else None)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        etat = kwargs["etat"]
        start = kwargs.pop("start", None) or timezone.localdate() - datetime.timedelta(days=60)
        for field, value in dates_for(etat, start).items():
            kwargs.setdefault(field, value)
        if not kwargs.get("referent"):
            kwargs["referent"] = ReferentFactory()
        return kwargs

    @factory.post_generation
    def veille(obj, create, extracted, **kwargs):
        if create and obj.etat == Etat.VEILLE:
            PeriodeVeille.objects.create(
                parcours=obj,
                motif=MotifVeille.SANTE,
                debut=obj.date_entree + datetime.timedelta(days=30),
                fin_prevue=obj.date_entree + relativedelta(months=2, days=30),
            )


class PrescriptionFactory(factory.django.DjangoModelFactory):
    """A complete referral, sent (``statut``) unless ``brouillon=True``."""

    class Meta:
        model = "prescriptions.Prescription"
        skip_postgeneration_save = True

    statut = "envoyee"
    prescripteur = factory.SubFactory(UserFactory, role=Role.PRESCRIPTEUR)
    structure = factory.LazyAttribute(lambda o: o.prescripteur.structure)
    nom_usage = factory.Faker("last_name", locale="fr_FR")
    prenoms = factory.Faker("first_name_female", locale="fr_FR")
    sexe = Sexe.FEMME
    date_naissance = datetime.date(1988, 6, 3)
    telephone_mobile = factory.Sequence(lambda n: f"+3367{n:07d}")
    situation = "demandeur_emploi"
    inscrit_france_travail = True
    date_inscription_france_travail = datetime.date(2024, 1, 15)
    motifs = "Recherche d'emploi depuis deux ans, besoin d'un accompagnement renforcé."
    envoyee_le = factory.LazyFunction(timezone.now)

    class Params:
        brouillon = factory.Trait(statut="brouillon", envoyee_le=None)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # ``accepted_for=parcours``: the prescription was accepted into that parcours.
        parcours = kwargs.pop("accepted_for", None)
        if parcours is not None:
            now = timezone.now()
            kwargs.update(
                statut="acceptee",
                parcours=parcours,
                participant=parcours.participant,
                identite_verifiee_le=now,
                decidee_le=now,
            )
        return kwargs

    @factory.post_generation
    def criteres(obj, create, extracted, **kwargs):
        if create:
            obj.criteres.set(CriterePublic.objects.filter(code__in=extracted if extracted is not None else ["deld"]))


class TentativeContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "parcours.TentativeContact"

    parcours = factory.SubFactory(ParcoursFactory, etat=Etat.ORIENTE)
    date = factory.LazyFunction(timezone.now)
    canal = "telephone"
    abouti = False
    auteur = factory.LazyAttribute(lambda o: o.parcours.referent)


class RendezVousFactory(factory.django.DjangoModelFactory):
    """A first appointment, in person at a place of the parcours's référent, a week after the orientation."""

    class Meta:
        model = "parcours.RendezVous"

    parcours = factory.SubFactory(ParcoursFactory, etat=Etat.ACCUEIL)
    objet = "premier_rdv"
    debut = factory.LazyAttribute(
        lambda o: timezone.make_aware(
            datetime.datetime.combine(o.parcours.date_orientation + datetime.timedelta(days=7), datetime.time(14, 0))
        )
    )
    modalite = "presentiel"
    lieu = factory.SubFactory(LieuFactory)
    cree_par = factory.LazyAttribute(lambda o: o.parcours.referent)


def _referentiel_actif():
    from plie.referentiel.models import Referentiel
    from plie.referentiel.services import load_preset

    return Referentiel.objects.active_or_none() or load_preset("niort", activate=True)


class RessourceFactory(factory.django.DjangoModelFactory):
    """A ressource du territoire of the active PLIE's catalogue (Niort's, loaded if none is active)."""

    class Meta:
        model = "territoire.RessourceTerritoire"

    referentiel = factory.LazyFunction(_referentiel_actif)
    nom = factory.Sequence(lambda n: f"Ressource de test {n}")
    categorie = "mobilite"
    porteur = "Association de test"
    active = True


class EtapeFactory(factory.django.DjangoModelFactory):
    """An étape in progress since the parcours's entry; ``etat=`` gives consistent dates for any state."""

    class Meta:
        model = "parcours.Etape"

    parcours = factory.SubFactory(ParcoursFactory, etat=Etat.ACCOMPAGNEMENT)
    type = "formation_qualifiante"
    etat = "en_cours"
    cree_par = factory.LazyAttribute(lambda o: o.parcours.referent)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        parcours, etat = kwargs["parcours"], kwargs["etat"]
        today = timezone.localdate()
        start = parcours.date_entree or parcours.date_orientation or today
        if etat == "prevue":
            kwargs.setdefault("date_debut", today + datetime.timedelta(days=7))
        else:
            kwargs.setdefault("date_debut", min(start, today))
        if etat in {"realisee", "abandonnee"}:
            kwargs.setdefault("date_fin", max(kwargs["date_debut"], today - datetime.timedelta(days=1)))
        return kwargs


class EntretienFactory(RendezVousFactory):
    """An individual entretien of a parcours in accompaniment, planned a week after its entry.

    ``honore=True`` / ``absent=True``: closed, held (60 minutes) or missed, the day it took place.
    """

    parcours = factory.SubFactory(ParcoursFactory, etat=Etat.ACCOMPAGNEMENT)
    objet = "entretien"
    debut = factory.LazyAttribute(
        lambda o: timezone.make_aware(
            datetime.datetime.combine(
                (o.parcours.date_entree or o.parcours.date_orientation) + datetime.timedelta(days=7),
                datetime.time(10, 0),
            )
        )
    )
    lieu = None
    lieu_precision = "Bureau 2"

    class Params:
        honore = factory.Trait(
            statut="honore",
            duree_reelle_minutes=60,
            cloture_le=factory.LazyAttribute(lambda o: o.debut + datetime.timedelta(hours=1)),
        )
        absent = factory.Trait(
            statut="absent", cloture_le=factory.LazyAttribute(lambda o: o.debut + datetime.timedelta(hours=1))
        )


class ContactFactory(TentativeContactFactory):
    """A contact of the accompaniment (after the entry)."""

    parcours = factory.SubFactory(ParcoursFactory, etat=Etat.ACCOMPAGNEMENT)
    date = factory.LazyAttribute(
        lambda o: timezone.make_aware(datetime.datetime.combine(o.parcours.date_entree, datetime.time(14, 0)))
    )


# --- Accompagnement II: ateliers, signatures, expenses ----------------------------------------


def _png_signature() -> bytes:
    """A small PNG with a stroke drawn on it, as signature_pad sends."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 90), (120, 30), (200, 80), (280, 20)], fill=(0, 0, 0, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class AtelierFactory(factory.django.DjangoModelFactory):
    """A one-off atelier run by one référent next week, 9:30-12:00, for 8 people."""

    class Meta:
        model = "parcours.Atelier"

    theme = factory.Sequence(lambda n: f"Atelier CV et lettre de motivation {n}")
    animateur = factory.SubFactory(ReferentFactory)
    lieu_precision = "Salle collective"
    capacite = 8
    premiere_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    heure_debut = datetime.time(9, 30)
    heure_fin = datetime.time(12, 0)
    cree_par = factory.LazyAttribute(lambda o: o.animateur)


class SeanceAtelierFactory(factory.django.DjangoModelFactory):
    """A session of an atelier, on its first date and slot; ``tenue=True``: held."""

    class Meta:
        model = "parcours.SeanceAtelier"

    atelier = factory.SubFactory(AtelierFactory)
    numero = factory.Sequence(lambda n: n + 1)
    debut = factory.LazyAttribute(
        lambda o: timezone.make_aware(datetime.datetime.combine(o.atelier.premiere_date, o.atelier.heure_debut))
    )
    fin = factory.LazyAttribute(
        lambda o: timezone.make_aware(datetime.datetime.combine(o.atelier.premiere_date, o.atelier.heure_fin))
    )
    lieu_precision = factory.LazyAttribute(lambda o: o.atelier.lieu_precision)

    class Params:
        tenue = factory.Trait(statut="tenue", contenu="Rédaction des CV, simulation d'entretien.")


class InscriptionAtelierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "parcours.InscriptionAtelier"

    atelier = factory.SubFactory(AtelierFactory)
    parcours = factory.SubFactory(ParcoursFactory, etat=Etat.ACCOMPAGNEMENT)
    invite_par = factory.LazyAttribute(lambda o: o.atelier.animateur)


class PresenceAtelierFactory(factory.django.DjangoModelFactory):
    """A participant present for the whole of a held session."""

    class Meta:
        model = "parcours.PresenceAtelier"

    seance = factory.SubFactory(SeanceAtelierFactory, tenue=True)
    parcours = factory.SubFactory(ParcoursFactory, etat=Etat.ACCOMPAGNEMENT)
    statut = "present"
    duree_minutes = factory.LazyAttribute(lambda o: o.seance.duree_minutes if o.statut == "present" else None)
    saisi_par = factory.LazyAttribute(lambda o: o.seance.atelier.animateur)


class SignatureFactory(factory.django.DjangoModelFactory):
    """A participant's signature of an entretien (give ``presence=`` or ``seance=`` for the others)."""

    class Meta:
        model = "parcours.Signature"

    rendez_vous = None
    signataire = "participant"
    image = factory.LazyFunction(_png_signature)
    recueillie_par = factory.SubFactory(ReferentFactory)
    session_empreinte = "0" * 64


class DepenseAtelierFactory(factory.django.DjangoModelFactory):
    """An expense of 45,50 € in the first of Niort's categories, to validate."""

    class Meta:
        model = "financement.DepenseAtelier"

    referent = factory.SubFactory(ReferentFactory)
    date = factory.LazyFunction(timezone.localdate)
    montant = Decimal("45.50")
    categorie = "Frais de déplacement"
    fournisseur = "SNCF"
    cree_par = factory.LazyAttribute(lambda o: o.referent)


# --- Émargement: a référent's monthly batch of sheets ------------------------------------------


class LotEmargementFactory(factory.django.DjangoModelFactory):
    """A batch of the current month's sheets, waiting for the worker."""

    class Meta:
        model = "parcours.LotEmargement"

    referent = factory.SubFactory(ReferentFactory)
    mois = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    demande_par = factory.LazyAttribute(lambda o: o.referent)


# --- Requests for a decision, suspensions of the measure (parcours/models/demandes.py, suspensions.py) ---


class DemandeFactory(factory.django.DjangoModelFactory):
    """A waiting request to put an accompanied parcours in veille for a training étape, a month from now
    (written directly; the service is parcours.demandes.demander)."""

    class Meta:
        model = "parcours.Demande"

    parcours = factory.SubFactory(ParcoursFactory, etat=Etat.ACCOMPAGNEMENT)
    type = "entree_veille"
    statut = "demandee"
    auteur = factory.LazyAttribute(lambda o: o.parcours.referent)
    motif_veille = MotifVeille.EMPLOI_FORMATION
    debut = factory.LazyFunction(timezone.localdate)
    fin_prevue = factory.LazyAttribute(lambda o: o.debut + relativedelta(months=1) if o.debut else None)


class SuspensionMesureFactory(factory.django.DjangoModelFactory):
    """A fortnight of the participant's leave, from their entry on."""

    class Meta:
        model = "parcours.SuspensionMesure"

    parcours = factory.SubFactory(ParcoursFactory, etat=Etat.ACCOMPAGNEMENT)
    motif = "conges"
    debut = factory.LazyAttribute(lambda o: o.parcours.date_entree + datetime.timedelta(days=10))
    fin = factory.LazyAttribute(lambda o: o.debut + datetime.timedelta(days=13))
    cree_par = factory.LazyAttribute(lambda o: o.parcours.referent)


# --- Convocations and the outbox (parcours/models/convocations.py, plie/notifications/models.py) ---


class ConvocationFactory(factory.django.DjangoModelFactory):
    """A convocation to an entretien two days from now, without an answer (written directly; the
    service is parcours.convocations.convoquer_rdv)."""

    class Meta:
        model = "parcours.Convocation"

    rendez_vous = factory.SubFactory(
        EntretienFactory,
        debut=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2)),
    )
    parcours = factory.LazyAttribute(lambda o: o.rendez_vous.parcours)
    jeton = factory.Sequence(lambda n: f"jeton{n:05d}")
    debut = factory.LazyAttribute(lambda o: o.rendez_vous.debut)
    expire_le = factory.LazyAttribute(lambda o: o.debut + datetime.timedelta(hours=3))


class MessageFactory(factory.django.DjangoModelFactory):
    """A service email waiting to be sent."""

    class Meta:
        model = "notifications.Message"

    canal = "email"
    genre = "service"
    cle = factory.Sequence(lambda n: f"test:{n}")
    destinataires = factory.LazyFunction(lambda: ["participant@exemple.fr"])
    sujet = "PLIE : un message"
    corps = "Bonjour"
    du_le = factory.LazyFunction(timezone.now)


class SMSFactory(MessageFactory):
    """A convocation SMS waiting to be sent."""

    canal = "sms"
    genre = "convocation"
    convocation = factory.SubFactory(ConvocationFactory)
    destinataires = factory.LazyFunction(list)
    numero = "+33612345678"
    sujet = ""
    corps = "PLIE : votre entretien le 08/12/2026 à 14h00"
