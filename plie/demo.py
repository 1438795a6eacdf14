"""A believable demo PLIE: structures, people in every role, participants in every state.

Built with bulk inserts so that 10 000 participants take seconds, not minutes. Histories are
consistent: every date follows the previous one, and each parcours carries the transition log
that its state implies.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from financement.demo import seed_depenses
from parcours.demo import seed_absences_referents, seed_entretiens
from parcours.demo_ateliers import seed_ateliers
from parcours.demo_contrats import seed_contrats
from parcours.demo_convocations import seed_convocations
from parcours.demo_demandes import seed_demandes
from parcours.demo_etapes import seed_etapes
from parcours.models import (
    Etat,
    MotifVeille,
    Parcours,
    Participant,
    PeriodeVeille,
    Sexe,
    TransitionParcours,
)
from parcours.workflow import ETATS_OUVERTS
from plie.accounts.models import (
    LieuAccompagnement,
    PrescripteurKind,
    ReferentProfile,
    Role,
    Structure,
    StructureType,
    User,
)
from plie.referentiel.models import CriterePublic, Referentiel
from plie.territoire.models import Commune
from prescriptions.demo import PrescriptionsDemo

DEMO_PASSWORD = "plie-demo-2026"
DEMO_DOMAIN = "demo.plie.localhost"

PRENOMS_F = [
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Sandrine",
    "Céline",
    "Stéphanie",
    "Aurélie",
    "Émilie",
    "Julie",
    "Laura",
    "Camille",
    "Sarah",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Yasmina",
    "Fatima",
    "Aïcha",
    "Nadia",
    "Sophie",
    "Élodie",
    "Karine",
    "Valérie",
    "Mélanie",
    "Virginie",
    "Amandine",
    "Océane",
    "Lucie",
    "Anaïs",
    "Maëlle",
    "Rose",
    "Awa",
    "Mariama",
]
PRENOMS_M = [
    "Jean",
    "Pierre",
    "Michel",
    "Philippe",
    "Nicolas",
    "Christophe",
    "Sébastien",
    "Julien",
    "David",
    "Thomas",
    "Frédéric",
    "Laurent",
    "Kévin",
    "Maxime",
    "Alexandre",
    "Romain",
    "Anthony",
    "Mohamed",
    "Karim",
    "Mehdi",
    "Yanis",
    "Lucas",
    "Hugo",
    "Théo",
    "Nathan",
    "Enzo",
    "Jérôme",
    "Franck",
    "Grégory",
    "Cédric",
    "Bruno",
    "Mamadou",
    "Ibrahim",
    "Loïc",
    "Gaël",
    "Rémi",
]
NOMS = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Gautier",
    "Roger",
    "Roche",
    "Roy",
    "Noël",
    "Meyer",
    "Lucas",
    "Meunier",
    "Jean",
    "Pérez",
    "Marchand",
    "Dufour",
    "Blanchard",
    "Marie",
    "Barbier",
    "Brun",
    "Dumas",
    "Brunet",
    "Schmitt",
    "Leroux",
    "Colin",
    "Fernandez",
    "Pierre",
    "Renard",
    "Arnaud",
    "Rolland",
    "Caron",
    "Aubert",
    "Giraud",
    "Leclerc",
    "Vidal",
    "Bourgeois",
    "Renaud",
    "Lemoine",
    "Picard",
    "Gaillard",
    "Philippe",
    "Leclercq",
    "Lacroix",
    "Fabre",
    "Dupuis",
    "Olivier",
    "Rodriguez",
    "Da-Silva",
    "Hubert",
    "Louis",
    "Charles",
    "Guillot",
    "Rivière",
    "Le-Gall",
    "Guillaume",
    "Adam",
    "Rey",
    "Moulin",
    "Gonzalez",
    "Berger",
    "Lecomte",
    "Ménard",
    "Fleury",
    "Deschamps",
    "Carpentier",
    "Julien",
    "Benoît",
    "Paris",
    "Maillard",
    "Marchal",
    "Aubry",
    "Vasseur",
    "Le-Roux",
    "Renault",
    "Jacquet",
    "Collet",
    "Prévost",
    "Poirier",
    "Charpentier",
    "Royer",
    "Huet",
    "Baron",
    "Dupuy",
    "Pons",
    "Paul",
    "Laine",
    "Carré",
    "Breton",
    "Rémy",
    "Schneider",
    "Perrot",
    "Guyot",
    "Barre",
    "Marty",
    "Cousin",
    "Diallo",
    "Traoré",
    "Benali",
    "Haddad",
    "Kaya",
    "Öztürk",
    "Mendes",
    "Ferreira",
    "N'Diaye",
    "D'Almeida",
]
RUES = [
    "rue Victor-Hugo",
    "avenue de Limoges",
    "rue de la Gare",
    "place du Marché",
    "rue des Écoles",
    "allée des Tilleuls",
    "rue Jean-Jaurès",
    "rue du Moulin",
    "chemin des Vignes",
    "rue de l'Église",
    "boulevard de la République",
    "rue Pasteur",
    "impasse des Lilas",
    "rue du Stade",
    "rue Émile-Zola",
    "avenue de Paris",
    "rue des Acacias",
    "rue Saint-Jean",
    "rue de la Mairie",
    "résidence les Peupliers",
]

# What becomes of each demo person: a referral still pending or refused (only its fiche exists, see
# prescriptions.demo), or a parcours in one of its states.
PENDING_WEIGHTS = {"envoyee": 4, "a_valider": 3, "refuse": 3}
ETAT_WEIGHTS = {
    Etat.ORIENTE: 5,
    Etat.ACCUEIL: 5,
    Etat.ACCOMPAGNEMENT: 42,
    Etat.VEILLE: 8,
    Etat.SORTIE_PROPOSEE: 4,
    Etat.SORTI: 23,
    Etat.ANNULE: 3,
}
PORTEFEUILLE = 45  # open parcours a référent holds, about (N §VIII: 40 a month per ETP)
ANNULATIONS = ["Ne s'est pas présenté(e) au premier rendez-vous malgré deux relances.", "A déménagé avant l'accueil."]
MOTIFS_SORTIE = [
    "CDI à temps plein chez un employeur du territoire.",
    "CDD de 8 mois à 28 h par semaine.",
    "Entrée en formation qualifiante (titre professionnel).",
    "Abandon du parcours, sans nouvelle depuis 3 mois.",
    "Déménagement hors du territoire.",
]


@dataclass
class DemoLogin:
    role: str
    email: str
    nom: str


class DemoBuilder:
    def __init__(self, participants: int, seed: int = 2026):
        self.n = participants
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.referentiel = Referentiel.objects.active()
        self.communes = list(Commune.objects.in_epcis(self.referentiel.epci_sirens).order_by("insee"))
        if not self.communes:
            raise ValueError("Aucune commune sur le territoire du référentiel actif : lancez load_communes.")
        self.password = make_password(DEMO_PASSWORD)
        self.logins: list[DemoLogin] = []
        self.criteres = {c.code: c for c in CriterePublic.objects.all()}

    # --- people and structures ---------------------------------------------------------------

    def _user(self, email, first, last, role, structure, login_label=None):
        user = User.objects.create(
            email=f"{email}@{DEMO_DOMAIN}",
            first_name=first,
            last_name=last,
            role=role,
            structure=structure,
            password=self.password,
        )
        if login_label:
            self.logins.append(DemoLogin(login_label, user.email, user.get_full_name()))
        return user

    def _draw(self):
        """The fates a person is drawn from, their weights, and the share of exits referred again.

        A PLIE's history piles up: past a few thousand people most have left, while the open parcours
        and the referrals waiting stay what its référents can hold (N §VIII: a portfolio of 40 a month
        per ETP). The demo's own 400 people keep the weights as they are.
        """
        pending, etats = dict(PENDING_WEIGHTS), dict(ETAT_WEIGHTS)
        total = sum(pending.values()) + sum(etats.values())
        ouverts = [e for e in etats if e in ETATS_OUVERTS]
        share = (sum(pending.values()) + sum(etats[e] for e in ouverts)) / total
        capacity = len(self.referents) * PORTEFEUILLE
        factor = min(1.0, capacity / (self.n * share)) if self.n else 1.0
        if factor < 1.0:
            freed = 0.0
            for table, keys in ((pending, list(pending)), (etats, ouverts)):
                for key in keys:
                    freed += table[key] * (1 - factor)
                    table[key] *= factor
            etats[Etat.SORTI] += freed * 0.9
            etats[Etat.ANNULE] += freed * 0.1
        return [*pending, *etats], [*pending.values(), *etats.values()], 0.06 * factor

    def build_structures(self):
        ville = max(self.communes, key=lambda c: (len(c.codes_postaux.split()), c.nom)).nom
        coordination = Structure.objects.create(
            nom=f"{self.referentiel.nom} — équipe d'animation", type=StructureType.COORDINATION
        )
        self._user("coordination", "Claire", "Fontaine", Role.COORDINATION, coordination, "Coordination")
        self._user("coordination2", "Hélène", "Marchand", Role.COORDINATION, coordination)

        nb_referents = max(5, min(60, self.n // 45))
        operateur_names = [
            "Association Tremplin Emploi",
            "Passerelles Insertion",
            "Horizons Solidaires",
            "Cap Avenir Compétences",
        ][: max(2, min(4, nb_referents // 4))]
        self.operateurs = [Structure.objects.create(nom=n, type=StructureType.OPERATEUR) for n in operateur_names]
        self._user("operateur", "Bruno", "Lacroix", Role.OPERATEUR, self.operateurs[0], "Opérateur")

        # Places of accompaniment spread over the territory (the largest communes first).
        lieux_communes = sorted(self.communes, key=lambda c: (-len(c.codes_postaux.split()), c.nom))[:8]
        lieux_communes += self.rng.sample(self.communes, min(6, len(self.communes)))
        lieux = []
        for commune in dict.fromkeys(lieux_communes):
            lieux.append(
                LieuAccompagnement.objects.create(
                    nom=f"Permanence emploi de {commune.nom}", adresse=self.rng.choice(RUES), commune=commune
                )
            )

        self.referents = []
        self.referent_weights = []  # a half-time référent gets half the participants
        for i in range(nb_referents):
            sexe_f = i % 3 != 2
            first = self.rng.choice(PRENOMS_F if sexe_f else PRENOMS_M)
            last = self.rng.choice(NOMS).replace("-", " ")
            operateur = self.operateurs[i % len(self.operateurs)]
            label = "Référent" if i == 0 else None
            email = "referent" if i == 0 else f"referent{i + 1}"
            user = self._user(email, first, last, Role.REFERENT, operateur, label)
            profile = ReferentProfile.objects.create(
                user=user,
                etp=Decimal("0.50") if i % 5 == 4 else Decimal("1.00"),
                date_debut=self.today - datetime.timedelta(days=self.rng.randint(200, 2500)),
            )
            profile.lieux.set(self.rng.sample(lieux, min(2, len(lieux))))
            self.referents.append(user)
            self.referent_weights.append(float(profile.etp))
        # One post left vacant, as happens: it must not be proposed for new assignments.
        vacant = self._user("referent-parti", "Paul", "Renaud", Role.REFERENT, self.operateurs[-1])
        ReferentProfile.objects.create(
            user=vacant,
            etp=Decimal("1.00"),
            actif=False,
            date_debut=self.today - datetime.timedelta(days=900),
            date_vacance=self.today - datetime.timedelta(days=20),
        )

        kinds = [
            (f"France Travail {ville}", PrescripteurKind.FRANCE_TRAVAIL),
            (f"CCAS de {ville}", PrescripteurKind.CCAS),
            ("Mission Locale du territoire", PrescripteurKind.MISSION_LOCALE),
            ("Action médico-sociale du Département", PrescripteurKind.AMS),
            ("Atelier chantier d'insertion Les Jardins partagés", PrescripteurKind.SIAE),
            ("Association Accueil et Entraide", PrescripteurKind.ASSOCIATION),
        ]
        self.prescripteurs = []
        for index, (nom, kind) in enumerate(kinds):
            structure = Structure.objects.create(nom=nom, type=StructureType.PRESCRIPTEUR, type_prescripteur=kind)
            first = self.rng.choice(PRENOMS_F)
            last = self.rng.choice(NOMS).replace("-", " ")
            email = "prescripteur" if index == 0 else f"prescripteur{index + 1}"
            label = "Prescripteur" if index == 0 else None
            self.prescripteurs.append(self._user(email, first, last, Role.PRESCRIPTEUR, structure, label))
        bi = Structure.objects.create(
            nom="Bureau insertion du Département",
            type=StructureType.PRESCRIPTEUR,
            type_prescripteur=PrescripteurKind.BUREAU_INSERTION,
        )
        self.bureau_insertion = self._user(
            "bureau-insertion", "Sylvie", "Perrin", Role.BUREAU_INSERTION, bi, "Bureau insertion"
        )
        self.prescripteurs.append(self.bureau_insertion)
        financeur = Structure.objects.create(nom="Service emploi de l'agglomération", type=StructureType.FINANCEUR)
        self._user("financeur", "Marc", "Giraud", Role.FINANCEUR, financeur, "Financeur")
        admin = User.objects.create_superuser(
            email=f"admin@{DEMO_DOMAIN}", password=DEMO_PASSWORD, first_name="Admin", last_name="Technique"
        )
        self.logins.append(DemoLogin("Administrateur", admin.email, admin.get_full_name()))

    # --- participants and parcours -----------------------------------------------------------

    def _date_in_past(self, min_days, max_days):
        return self.today - datetime.timedelta(days=self.rng.randint(min_days, max_days))

    def _participant(self):
        sexe = self.rng.choice([Sexe.FEMME, Sexe.FEMME, Sexe.HOMME])
        prenom = self.rng.choice(PRENOMS_F if sexe == Sexe.FEMME else PRENOMS_M)
        nom = self.rng.choice(NOMS).replace("-", " ")
        nom_naissance = ""
        if sexe == Sexe.FEMME and self.rng.random() < 0.25:
            nom_naissance = self.rng.choice(NOMS).replace("-", " ")
        naissance = self.today - relativedelta(years=self.rng.randint(19, 62), days=self.rng.randint(0, 364))
        commune = self.rng.choice(self.communes)
        mobile = f"+336{self.rng.randint(10_000_000, 99_999_999)}" if self.rng.random() < 0.9 else ""
        consent = self._date_in_past(0, 800)
        inscription = None
        if self.rng.random() < 0.85:
            months = self.rng.randint(1, 60)
            inscription = max(self.today - relativedelta(months=months), naissance + relativedelta(years=16))
        participant = Participant(
            nom_usage=nom,
            nom_naissance=nom_naissance,
            prenoms=prenom,
            sexe=sexe,
            date_naissance=naissance,
            telephone_mobile=mobile,
            email=f"{prenom}.{nom}{self.rng.randint(1, 99)}@exemple.fr".lower().replace(" ", "-")
            if self.rng.random() < 0.6
            else "",
            adresse=f"{self.rng.randint(1, 120)} {self.rng.choice(RUES)}",
            code_postal=commune.codes_postaux.split()[0],
            commune=commune,
            date_inscription_france_travail=inscription,
            consentement=True,
            date_consentement=max(consent, naissance + relativedelta(years=18)),
        )
        codes = set()
        if self.rng.random() < 0.55:
            codes.add("brsa")
        if participant.est_deld(self.today):
            codes.add("deld")
        if self.rng.random() < 0.12:
            codes.add("rqth")
        if self.rng.random() < 0.2:
            codes.add("qpv")
        if self.rng.random() < 0.08:
            codes.add("ass")
        age = participant.age(self.today)
        if age < 26:
            codes.add("jeune")
        if age >= 50:
            codes.add("senior")
        return participant, codes

    def _history(self, etat, start_max_days):
        """Dates of one parcours ending in ``etat``; every date follows the previous one."""
        r = self.rng
        d = {}
        if etat in {Etat.ORIENTE, Etat.ACCUEIL}:
            d["date_prescription"] = self._date_in_past(10, 45)
        else:
            d["date_prescription"] = self._date_in_past(90, start_max_days)
        d["date_orientation"] = min(self.today, d["date_prescription"] + datetime.timedelta(days=r.randint(3, 12)))
        if etat == Etat.ORIENTE:
            return d
        if etat == Etat.ANNULE:  # the person never came to a first appointment
            d["date_cloture"] = min(self.today, d["date_orientation"] + datetime.timedelta(days=r.randint(5, 25)))
            return d
        d["date_premier_rdv"] = d["date_orientation"] + datetime.timedelta(days=r.randint(3, 15))
        if etat == Etat.ACCUEIL:
            return d
        d["date_entree"] = min(self.today, d["date_premier_rdv"] + datetime.timedelta(days=r.randint(0, 14)))
        d["date_premier_rdv"] = min(d["date_premier_rdv"], d["date_entree"])
        if etat == Etat.SORTI:
            duree = r.randint(4, 24)
            d["date_sortie"] = min(
                self.today - datetime.timedelta(days=1), d["date_entree"] + relativedelta(months=duree)
            )
            d["date_sortie"] = max(d["date_sortie"], d["date_entree"])
        mesure = self.referentiel.duree_mesure_mois
        if mesure:
            debut, fin = d["date_entree"], d["date_entree"] + relativedelta(months=mesure)
            horizon = d.get("date_sortie", self.today)
            renouvellements = 0
            limite = self.referentiel.duree_max_parcours_mois
            while fin < horizon and (not limite or (renouvellements + 2) * mesure <= limite):
                debut, fin = fin, fin + relativedelta(months=mesure)  # as Parcours.renouveler moves them
                renouvellements += 1
            d["date_debut_mesure"], d["date_fin_mesure"] = debut, fin
            d["nombre_renouvellements"] = renouvellements
        if etat == Etat.SORTIE_PROPOSEE:
            d["date_sortie_prevue"] = max(d["date_entree"], self.today + datetime.timedelta(days=r.randint(0, 30)))
        return d

    def _transitions(self, parcours, etat, referent, auteur):
        """The log implied by the dates: (transition, before, after, date, author)."""
        rows = []

        def add(name, before, after, date, who, motif=""):
            # Steps of one day keep their order: the log is read in date order.
            moment = timezone.make_aware(datetime.datetime.combine(date, datetime.time(10, min(len(rows), 59))))
            rows.append(
                TransitionParcours(
                    parcours=parcours,
                    transition=name,
                    etat_avant=before,
                    etat_apres=after,
                    auteur=who,
                    date=moment,
                    motif=motif,
                )
            )

        p = parcours
        add("orienter", "", Etat.ORIENTE, p.date_orientation, auteur)  # the creation: no state before
        if etat == Etat.ANNULE:
            add("annuler", Etat.ORIENTE, Etat.ANNULE, p.date_cloture, auteur, p.motif_cloture)
            return rows
        if p.date_premier_rdv:
            add(
                "accueillir",
                Etat.ORIENTE,
                Etat.ACCUEIL,
                min(p.date_orientation + datetime.timedelta(days=1), self.today),
                referent,
            )
        if p.date_entree:
            add("demarrer_accompagnement", Etat.ACCUEIL, Etat.ACCOMPAGNEMENT, p.date_entree, referent)
        debut_veille = self.today - datetime.timedelta(days=10)
        renouvellements = []
        for i in range(p.nombre_renouvellements):  # only under a référentiel with measures
            date = min(p.date_entree + relativedelta(months=(i + 1) * self.referentiel.duree_mesure_mois), self.today)
            renouvellements.append(date)
        for date in renouvellements:
            if etat == Etat.VEILLE and date >= debut_veille:
                break
            add("renouveler", Etat.ACCOMPAGNEMENT, Etat.ACCOMPAGNEMENT, date, auteur)
        if etat == Etat.VEILLE:
            add("mettre_en_veille", Etat.ACCOMPAGNEMENT, Etat.VEILLE, debut_veille, auteur)
            # A measure renewed while the person is in veille keeps the veille (the table allows it).
            for date in renouvellements:
                if date >= debut_veille:
                    add("renouveler", Etat.VEILLE, Etat.VEILLE, date, auteur)
        if etat in {Etat.SORTIE_PROPOSEE, Etat.SORTI}:
            proposed = min(self.today, p.date_sortie or self.today)
            add(
                "proposer_sortie",
                Etat.ACCOMPAGNEMENT,
                Etat.SORTIE_PROPOSEE,
                proposed,
                referent,
                self.rng.choice(MOTIFS_SORTIE),
            )
        if etat == Etat.SORTI:
            add("valider_sortie", Etat.SORTIE_PROPOSEE, Etat.SORTI, p.date_sortie, auteur)
        return rows

    @transaction.atomic
    def build(self):
        self.build_structures()
        coordination = User.objects.filter(role=Role.COORDINATION).first()
        etats, weights, reentry_rate = self._draw()

        # A referral not yet accepted (or refused) has no participant: only its fiche exists.
        demo_prescriptions = PrescriptionsDemo(self, coordination)
        brsa_prescripteurs = [self.bureau_insertion]
        others = [u for u in self.prescripteurs if u.role == Role.PRESCRIPTEUR]

        def choose_prescripteur(codes):
            return self.rng.choice(brsa_prescripteurs if "brsa" in codes and self.rng.random() < 0.4 else others)

        participants, criteres, etats_plan = [], [], []
        for _ in range(self.n):
            participant, codes = self._participant()
            etat = self.rng.choices(etats, weights)[0]
            if etat in PENDING_WEIGHTS:
                plan = etat if etat != "envoyee" or self.rng.random() > 0.15 else "complement"
                demo_prescriptions.pending(participant, codes, choose_prescripteur(codes), plan)
                continue
            participants.append(participant)
            criteres.append(codes)
            etats_plan.append(etat)
        for _ in range(2):  # the demo prescripteur's unfinished fiches
            participant, codes = self._participant()
            demo_prescriptions.draft(participant, codes, others[0])
        participants = bulk_create_with_history(participants, Participant, batch_size=2000)
        if participants and participants[0].pk is None:  # databases without RETURNING ids
            participants = list(Participant.objects.order_by("id"))[-len(criteres) :]
        through = Participant.criteres.through
        through.objects.bulk_create(
            [
                through(participant_id=p.pk, criterepublic_id=self.criteres[code].pk)
                for p, codes in zip(participants, criteres, strict=True)
                for code in codes
            ],
            batch_size=5000,
        )

        parcours_list, plans = [], []
        for participant, codes, etat in zip(participants, criteres, etats_plan, strict=True):
            reentry = etat == Etat.SORTI and self.rng.random() < reentry_rate
            start_max = 900 if not reentry else 1400
            dates = self._history(etat, start_max)
            prescripteur = choose_prescripteur(codes)
            referent = self.rng.choices(self.referents, weights=self.referent_weights)[0]
            parcours = Parcours(
                participant=participant,
                etat=etat,
                referent=referent,
                prescripteur=prescripteur,
                structure_prescriptrice=prescripteur.structure,
                rup="brsa" in codes and self.rng.random() < 0.5,
                motif_cloture=self.rng.choice(ANNULATIONS) if etat == Etat.ANNULE else "",
                **dates,
            )
            parcours_list.append(parcours)
            plans.append((parcours, etat, referent, codes))
            if reentry and parcours.date_sortie and parcours.date_sortie < self.today - datetime.timedelta(days=30):
                # Re-entry: the same person is referred again after their exit; the coordination
                # finds them among the possible duplicates and links the referral to them.
                demo_prescriptions.pending(participant, codes, prescripteur, "envoyee", known=participant)
        parcours_list = bulk_create_with_history(parcours_list, Parcours, batch_size=2000)
        if parcours_list and parcours_list[0].pk is None:
            saved = list(Parcours.objects.order_by("id"))[-len(plans) :]
            plans = [(s, etat, ref, codes) for s, (_, etat, ref, codes) in zip(saved, plans, strict=True)]
        else:
            plans = [(p, etat, ref, codes) for p, (_, etat, ref, codes) in zip(parcours_list, plans, strict=True)]
        for parcours, _etat, _referent, codes in plans:
            demo_prescriptions.accepted(parcours, codes)
        demo_prescriptions.save()
        plans = [(p, etat, ref) for p, etat, ref, _codes in plans]

        transitions, veilles = [], []
        motifs = list(MotifVeille.values)
        for parcours, etat, referent in plans:
            transitions += self._transitions(parcours, etat, referent, coordination)
            if etat == Etat.VEILLE:
                debut = max(parcours.date_entree, self.today - datetime.timedelta(days=10))
                months = self.referentiel.veille_duree_max_mois or 3
                veilles.append(
                    PeriodeVeille(
                        parcours=parcours,
                        motif=self.rng.choice(motifs),
                        debut=debut,
                        fin_prevue=debut + relativedelta(months=self.rng.randint(1, months)),
                    )
                )
        TransitionParcours.objects.bulk_create(transitions, batch_size=5000)
        PeriodeVeille.objects.bulk_create(veilles, batch_size=5000)
        seed_contrats(self.rng, self.today, self.referentiel, plans)
        seed_etapes(self.rng, self.today, self.referentiel, plans)
        seed_entretiens(self.rng, self.today, plans, self.referentiel)
        seed_absences_referents(self.rng, self.today, self.referents)
        seed_ateliers(self.rng, self.today, self.referents, plans)
        seed_depenses(self.rng, self.today, self.referentiel, self.referents, coordination)
        seed_demandes(self.rng, self.today, self.referentiel, plans, coordination)
        seed_convocations(self.referentiel, self.referents[0])
        return self.logins


def demo_second_factor(user) -> tuple[str, list[str]]:
    """The demo's coordination and admin log in with a second factor like everyone's: the same app
    secret run after run (an app set up once keeps working), and fresh backup codes each time."""
    from plie.accounts import second_factor

    device = second_factor.TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = second_factor.pending_app_device(user)
        second_factor.confirm_app_device(device)
    return second_factor.secret_for_typing(device).replace(" ", ""), second_factor.new_backup_codes(user)


def build_demo(participants: int, seed: int = 2026) -> list[DemoLogin]:
    return DemoBuilder(participants, seed).build()
