"""The two référentiels built from the seeds (``shared/seeds``), loaded by ``load_referentiels``.

Every value cites its source: N = PLIE du Niortais (référentiel CAN/Département, appel à projets
2025), C = PLIE du Pays de Caen (cahier des charges APAP, FSE+ 2026-2027). Where a seed says
nothing, the value is None ("non précisé"), never invented; the coordination can fill it in.
"""

from sorties.models import ClasseSortie, SituationSortie

S = SituationSortie
POSITIVE, DYNAMIQUE, AUTRE, ETAPE = (
    ClasseSortie.POSITIVE,
    ClasseSortie.DYNAMIQUE,
    ClasseSortie.AUTRE,
    ClasseSortie.ETAPE,
)

EMPLOI_FORMATION = [
    S.CDI,
    S.CDD,
    S.INTERIM,
    S.CONTRAT_AIDE,
    S.CONTRAT_AIDE_IAE,
    S.CDD_INCLUSION,
    S.CDI_INCLUSION,
    S.CDDI,
    S.ALTERNANCE,
    S.SAISONNIER,
    S.CREATION,
    S.FORMATION,
    S.ASSOCIATION_INTERMEDIAIRE,
    S.CESU,
]
ADMINISTRATIVES = [
    S.DEMENAGEMENT,
    S.DECES,
    S.RETRAITE,
    S.SANTE,
    S.MATERNITE,
    S.LONGUE_MALADIE,
    S.INDISPONIBILITE,
]


def rule(situations, classe, libelle, source, neutralisee=False, **conditions):
    return {
        "situations": [str(s) for s in situations],
        "classe": str(classe),
        "libelle": libelle,
        "source": source,
        "neutralisee": neutralisee,
        "conditions": conditions,
    }


def ressource(nom, categorie, porteur, conditions, source):
    """A ressource du territoire of the PLIE's catalogue (plie.territoire.RessourceTerritoire)."""
    return {"nom": nom, "categorie": categorie, "porteur": porteur, "conditions": conditions, "source": source}


# N §III.d « Mobilisation des outils et ressources de levée des freins à l'emploi », in its order.
RESSOURCES_NIORT = [
    ressource(
        "Plateforme mobilité",
        "mobilite",
        "Plateforme mobilité du Niortais",
        "Conseil en mobilité, location de véhicules, auto-école solidaire.",
        "N §III.d",
    ),
    ressource(
        "Écoute psychologique",
        "sante",
        "PLIE du Niortais",
        "Écoute psychologique proposée aux participants du PLIE ; relais vers les professionnels de la santé "
        "(hôpital, EMAPP…).",
        "N §III.d",
    ),
    ressource(
        "Offre de formation régionale (RAFAEL)",
        "formation",
        "Région Nouvelle-Aquitaine",
        "L'offre de formation de la Région, consultée avec l'outil RAFAEL.",
        "N §III.d",
    ),
    ressource(
        "Places en crèche et halte-garderie",
        "garde_enfants",
        "Département des Deux-Sèvres (CD79) et partenaires du Contrat de Ville",
        "Places financées par le CD79 et les partenaires du Contrat de Ville.",
        "N §III.d",
    ),
    ressource(
        "Tests MOTIVA+",
        "projet_professionnel",
        "PLIE du Niortais",
        "Pour définir et valider le projet professionnel.",
        "N §III.d",
    ),
    ressource(
        "PMSMP (période de mise en situation en milieu professionnel)",
        "projet_professionnel",
        "France Travail et prescripteurs habilités",
        "Immersion en entreprise pour définir ou valider le projet professionnel.",
        "N §III.d",
    ),
    ressource(
        "Accompagnement des personnes allophones et en situation d'illettrisme (CORAPLIS)",
        "langue",
        "CORAPLIS",
        "Pour les personnes allophones et en situation d'illettrisme.",
        "N §III.d",
    ),
    ressource(
        "Cours de français et ateliers de conversation",
        "langue",
        "ASFODEP et structures du réseau AlphaCAN",
        "",
        "N §III.d",
    ),
    ressource(
        "Guichet clauses d'insertion du Niortais",
        "emploi",
        "Guichet clauses d'insertion du Niortais",
        "Accès renforcé au marché du travail par les clauses d'insertion des marchés publics.",
        "N §III.d",
    ),
    ressource(
        "Expérimentation « Question de regard(s) » (50 ans et plus)",
        "emploi",
        "PLIE du Niortais",
        "Pour les demandeurs d'emploi de plus de 50 ans, en accord avec la personne : 6 mois d'accompagnement "
        "dédié, comptés comme une étape du parcours PLIE.",
        "N §III.d",
    ),
]

# C §II.1-II.3: what the APAP mobilises besides the accompaniment.
RESSOURCES_CAEN = [
    ressource(
        "Opérations de la programmation du PLIE",
        "autre",
        "PLIE du Pays de Caen (CALMEC / AGIBN)",
        "Au moins une opération par an hors accompagnement ; l'APAP prescrit l'entrée et suit l'opération "
        "(bilans à mi-parcours et en fin d'opération).",
        "C §II.1, II.2.2",
    ),
    ressource(
        "Chargé(e) de relation entreprise du PLIE",
        "emploi",
        "PLIE du Pays de Caen (CALMEC)",
        "Rapprochement de l'offre et de la demande d'emploi.",
        "C §II.1, II.3.2",
    ),
    ressource(
        "Clauses sociales",
        "emploi",
        "CALMEC",
        "Dispositif de clauses sociales porté par CALMEC.",
        "C §II.3.2",
    ),
    ressource(
        "Outil OPUS (offres d'emploi)",
        "emploi",
        "France Travail",
        "Convention entre France Travail et le PLIE.",
        "C §II.2.2",
    ),
    ressource(
        "Ateliers de techniques de recherche d'emploi",
        "emploi",
        "France Travail et structures de droit commun",
        "",
        "C §II.3.1",
    ),
    ressource(
        "PMSMP (période de mise en situation en milieu professionnel)",
        "projet_professionnel",
        "France Travail et prescripteurs habilités",
        "Immersion en entreprise pour définir ou valider le projet professionnel.",
        "C §II.3.1",
    ),
    ressource(
        "Référents RSA des Maisons départementales des solidarités",
        "acces_droits",
        "Conseil départemental du Calvados",
        "Pour les allocataires du RSA, autant que de besoin.",
        "C §II.2.4",
    ),
]

AIDES_NIORT = [S.CONTRAT_AIDE, S.CONTRAT_AIDE_IAE, S.CDD_INCLUSION, S.CDI_INCLUSION]

NIORT = {
    "code": "niort",
    "nom": "PLIE du Niortais",
    "source": "Référentiel commun CAN / Département des Deux-Sèvres, appel à projets 2025",
    "epci_sirens": ["200041317"],  # CA du Niortais
    # N §III.d: « au minimum tous les 15 jours sur les 3 premiers mois […] dans la limite d'une
    # rencontre minimum par mois jusqu'à la sortie du PLIE ».
    "rythme_initial_duree_mois": 3,
    "rythme_initial_intervalle_jours": 15,
    "rythme_intervalle_jours": 30,
    "rythme_tout_moyen_en_etape": False,  # N §III.d: face-to-face meetings until the exit
    "duree_entretien_minutes": 60,  # N §III.d « La durée moyenne d'un entretien est de 60 minutes »
    "duree_diagnostic_minutes": None,
    # N §III.d: mesures de 6 mois renouvelables « dans la limite de 24 mois ».
    "duree_mesure_mois": 6,
    "duree_max_parcours_mois": 24,
    "veille_duree_max_mois": None,  # N §III.d: entry and end decided in cellule, no limit stated
    "veille_renouvellements_max": None,
    # N §III.d « suivi régulier […] par téléphone ou entretien physique » during veille: no figure (empty:
    # the rhythm's interval after the first months).
    "veille_suivi_intervalle_jours": None,
    # N §III.d and §V: veille in and out, every renewal and the reorientations are decided in cellule;
    # the remote derogation by the coordination (N §III « à distance »).
    "demandes_en_cellule": [
        "entree_veille",
        "renouvellement_veille",
        "fin_veille",
        "renouvellement_mesure",
        "reorientation",
    ],
    "alerte_fin_mesure_jours": 30,  # not in the seeds: a month leaves time for the bilan and the cellule
    "revue_duree_parcours_mois": None,  # N caps the parcours at 24 months instead
    "revue_sans_action_mois": None,
    # N §VIII: « 70 à 90 participants » par an et un « portefeuille mensuel de 40 » pour 1 ETP.
    "capacite_annuelle_min_par_etp": 70,
    "capacite_annuelle_max_par_etp": 90,
    "file_active_par_etp": 40,
    "delai_premier_contact_jours": None,  # not set by N
    # N §III.1: DELD, BRSA, TH, and people in or threatened by poverty « après validation en
    # cellule de suivi ».
    "criteres_eligibles": ["deld", "brsa", "rqth", "pauvrete"],
    "criteres_a_valider_en_cellule": ["pauvrete"],
    "inscription_france_travail_obligatoire": False,  # N says nothing of a mandatory registration
    # N §III.2 (schéma): « Validation avec France Travail et le BI (si la personne est bénéficiaire du RSA) ».
    "validation_france_travail": True,
    "validation_bureau_insertion_rsa": True,
    # N §III.c: « le contrat d'engagement réciproque », « établi à partir du 2ème RDV » (1er quand il
    # conditionne les droits RSA); the entry is reported to the cellule de suivi.
    "cer_libelle": "Contrat d'engagement réciproque",
    "cer_rang_rdv_min": 2,
    "cer_validation_equipe": False,
    "proposition_km_charge_pleine": 20,  # not in the seeds: the product's default, editable
    # N §V: documents remis « au plus tard cinq jours ouvrables avant la cellule de suivi ».
    "delai_documents_cellule_jours_ouvres": 5,
    "ateliers_frequence_min_jours": 30,  # N §III.d: ateliers collectifs au moins mensuels
    "ateliers_comptent_dans_rythme": False,  # N §III.d: the rhythm counts individual entretiens
    # N §VIII.a: « 1 000 € dédiés au financement d'actions menées dans le cadre des temps
    # collectifs », beside « 6 500 € pour 1 ETP »: read as per ETP, as the digest does.
    "budget_ateliers_par_etp": "1000.00",
    "categories_depenses_ateliers": [
        "Frais de déplacement",
        "Frais de réception",
        "Achat de petits matériels",
        "Prestations extérieures",
    ],
    "objectif_part_rsa": 65,  # N §VIII.a « un taux de 65% de bénéficiaires du RSA est visé »
    "taux_controle": 20,  # N §VIII.c échantillon aléatoire de 20 %
    "suivi_emploi_mois": 6,  # N §IV maintien en emploi ou formation suivi « pendant 6 mois »
    "ressources": RESSOURCES_NIORT,
    # N §III.d: « En cas d'absence injustifiée du bénéficiaire à la seconde proposition, la
    # situation est présentée en cellule de suivi ».
    "absences_avant_cellule": 2,
    "regles_sortie": [
        # Positive exits, N §IV (« mi-temps » is read as a 0.5 share of full time).
        rule([S.CDI], POSITIVE, "CDI à temps complet ou au moins à mi-temps", "N §IV", quotite_min=0.5),
        rule(
            [S.CDD],
            POSITIVE,
            "CDD d'au moins 6 mois, au moins à mi-temps, dans la même entreprise",
            "N §IV",
            duree_mois_min=6,
            quotite_min=0.5,
            meme_employeur=True,
        ),
        rule(AIDES_NIORT, POSITIVE, "Contrat aidé de plus d'un an", "N §IV", duree_mois_plus_de=12),
        rule(
            [S.CREATION],
            POSITIVE,
            "Création d'entreprise validée par la cellule de suivi",
            "N §IV",
            validation_instance=True,
        ),
        rule(
            [S.ALTERNANCE],
            POSITIVE,
            "Alternance, 6 mois après la signature du contrat",
            "N §IV",
            mois_depuis_debut_min=6,
        ),
        rule(
            [S.SAISONNIER],
            POSITIVE,
            "Saisonnier à temps plein, au moins 8 mois en emploi sur les 12 derniers mois",
            "N §IV",
            temps_plein=True,
            mois_emploi_12_derniers_min=8,
        ),
        rule(
            [S.INTERIM],
            POSITIVE,
            "Intérim : 6 mois de missions sans interruption",
            "N §IV",
            duree_mois_min=6,
            continu=True,
        ),
        rule(
            [S.INTERIM],
            POSITIVE,
            "Intérim en clauses d'insertion : au moins 600 heures sur les 6 derniers mois",
            "N §IV",
            clause_insertion=True,
            heures_6_derniers_mois_min=600,
        ),
        rule(
            [S.FORMATION],
            POSITIVE,
            "Formation qualifiante d'au moins 300 heures, titre ou diplôme obtenu",
            "N §IV",
            qualifiante=True,
            heures_formation_min=300,
            titre_obtenu=True,
        ),
        rule([S.CDDI], POSITIVE, "CDDI de plus de 12 mois", "N §IV", duree_mois_plus_de=12),
        # « Toute sortie dynamique est décidée conjointement avec le participant, dès lors que
        # celui-ci souhaite arrêter l'accompagnement PLIE. Dans le cas contraire, il s'agit
        # d'étapes de parcours » (N §IV).
        rule(
            EMPLOI_FORMATION,
            ETAPE,
            "Emploi ou formation non positif, la personne poursuit l'accompagnement : étape",
            "N §IV",
            souhaite_quitter_plie=False,
        ),
        rule([S.CESU], DYNAMIQUE, "Chèques emploi-service universels", "N §IV"),
        rule(
            EMPLOI_FORMATION,
            DYNAMIQUE,
            "Toute sortie sur emploi ou formation ne relevant pas d'une sortie positive",
            "N §IV",
        ),
        rule(
            [S.FREINS_REDUITS],
            ClasseSortie.REDUCTION_FREINS,
            "Sans emploi ni formation, levée partielle ou totale des freins (diagnostics initial et final)",
            "N §IV",
        ),
        rule([], AUTRE, "Toute autre sortie (abandon, déménagement, réorientation…)", "N §IV"),
    ],
}

EMPLOI_CLASSIQUE = [S.CDI, S.CDD, S.INTERIM]

CAEN = {
    "code": "caen",
    "nom": "PLIE du Pays de Caen",
    "source": "Cahier des charges des Accompagnateurs de Parcours Professionnel, FSE+ 2026-2027",
    "epci_sirens": ["200065597"],  # CU Caen la Mer
    # C §II.2.1, §III.1.3: entretien individuel en présentiel au minimum une fois par mois.
    "rythme_initial_duree_mois": 0,
    "rythme_initial_intervalle_jours": None,
    "rythme_intervalle_jours": 30,
    # C §III.1.3: « suivi mensuel » of people in an operation, by any means.
    "rythme_tout_moyen_en_etape": True,
    "duree_entretien_minutes": 45,  # C §III.1.3: 45 minutes en moyenne
    "duree_diagnostic_minutes": 60,  # C §III.1.1: entretien de diagnostic d'au moins 1 heure
    "duree_mesure_mois": None,  # C §I: pas de durée limite
    "duree_max_parcours_mois": None,
    # C §III.1.6.1: veille de 3 mois maximum, renouvelable une fois.
    "veille_duree_max_mois": 3,
    "veille_renouvellements_max": 1,
    "veille_suivi_intervalle_jours": None,  # C §III.1.6.1: no figure for the follow-up during veille
    # C §III.1.6.1: « La mise en veille […] doit être demandée à l'équipe du PLIE qui validera »: no cellule.
    "demandes_en_cellule": [],
    "alerte_fin_mesure_jours": 30,  # not in the seeds (no measures in Caen; the cap alert has no cap either)
    # C §IV.1.4: « durées de parcours importantes » and « aucune action […] au cours de la période
    # conventionnée », without figures: the convention runs two years (2026-2027), hence 24 months for a long
    # parcours and 12 without an étape or operation. The product's reading, editable by the coordination.
    "revue_duree_parcours_mois": 24,
    "revue_sans_action_mois": 12,
    "capacite_annuelle_min_par_etp": None,
    "capacite_annuelle_max_par_etp": None,
    "file_active_par_etp": 60,  # C §I: 60 participants en file active par ETP
    "delai_premier_contact_jours": None,  # not set by C
    # C §I « Le public ciblé »: minima sociaux (dont ARSA), DELD, « toute personne en difficulté
    # d'insertion sociale et professionnelle »; women, RQTH and QPV get attention but are no criterion.
    "criteres_eligibles": ["brsa", "ass", "minima_sociaux", "deld", "pauvrete"],
    "criteres_a_valider_en_cellule": [],
    # C §III.1.1: « l'inscription France Travail obligatoire pour tout participant du PLIE ».
    "inscription_france_travail_obligatoire": True,
    # C §III.1.2: the PLIE team validates the entry itself; no FT or BI validation is described.
    "validation_france_travail": False,
    "validation_bureau_insertion_rsa": False,
    # C §III.1.2: a « dossier de présentation au PLIE », contrat d'objectifs et d'engagement, signed
    # after the diagnostic interview, then validated (or not) by the PLIE's team.
    "cer_libelle": "Dossier de présentation au PLIE (contrat d'objectifs et d'engagement)",
    "cer_rang_rdv_min": 1,
    "cer_validation_equipe": True,
    "proposition_km_charge_pleine": 20,  # not in the seeds: the product's default, editable
    "delai_documents_cellule_jours_ouvres": None,  # C: no monthly cellule; a commission decides exits
    "ateliers_frequence_min_jours": None,
    "ateliers_comptent_dans_rythme": False,  # C §II.2.1: a monthly individual meeting
    "budget_ateliers_par_etp": None,
    "categories_depenses_ateliers": [],
    "objectif_part_rsa": None,
    "taux_controle": None,
    "suivi_emploi_mois": 6,  # C annexe 2: suivi dans l'emploi de 6 mois, pas au-delà
    "ressources": RESSOURCES_CAEN,
    # C §II.2.1 asks to recontact after « absences répétées » and sets no number.
    "absences_avant_cellule": None,
    "regles_sortie": [
        # Positive exits, C annexes 2 and 3.
        rule(
            [S.CDI],
            POSITIVE,
            "CDI à temps plein, 6 mois d'emploi continu",
            "C annexe 2",
            temps_plein=True,
            duree_mois_min=6,
        ),
        rule(
            [S.CDI],
            POSITIVE,
            "CDI à temps partiel choisi d'au moins 20 h par semaine, 6 mois d'emploi continu",
            "C annexes 2 et 3",
            heures_hebdo_min=20,
            temps_partiel_choisi=True,
            duree_mois_min=6,
        ),
        rule(
            [S.CDD],
            POSITIVE,
            "CDD d'au moins 6 mois, au moins 20 h par semaine, dans la même entreprise",
            "C annexes 2 et 3",
            duree_mois_min=6,
            heures_hebdo_min=20,
            meme_employeur=True,
        ),
        # Annexe 2 admits several firms when the person chose it; annexe 3 says the same firm.
        rule(
            [S.INTERIM],
            POSITIVE,
            "Intérim : 6 mois continus, au moins 20 h par semaine",
            "C annexes 2 et 3",
            duree_mois_min=6,
            continu=True,
            heures_hebdo_min=20,
        ),
        rule([S.ALTERNANCE], POSITIVE, "Contrat de professionnalisation ou d'apprentissage", "C annexe 2"),
        rule(
            [S.SAISONNIER],
            POSITIVE,
            "Saisonnier : au moins 8 mois en emploi sur les 12 derniers mois",
            "C annexe 2",
            mois_emploi_12_derniers_min=8,
        ),
        rule(
            [S.CREATION],
            POSITIVE,
            "Création d'entreprise dont le démarrage d'activité est vérifié",
            "C annexe 3",
            activite_verifiee=True,
        ),
        rule(
            [S.ASSOCIATION_INTERMEDIAIRE],
            POSITIVE,
            "Association intermédiaire : 55 ans et plus, plus de 2 ans de missions, au moins 1/3 temps, "
            "ne souhaite plus le PLIE",
            "C annexe 2",
            age_min=55,
            anciennete_mois_min=24,
            quotite_min=0.33,
            souhaite_quitter_plie=True,
        ),
        rule(
            [S.FORMATION],
            POSITIVE,
            "Formation certifiante d'au moins 9 mois : sortie possible au 6e mois",
            "C annexe 3",
            qualifiante=True,
            duree_mois_min=9,
            mois_depuis_debut_min=6,
        ),
        rule(
            [S.FORMATION],
            POSITIVE,
            "Formation certifiante validée, titre ou diplôme obtenu",
            "C annexes 2 et 3",
            qualifiante=True,
            titre_obtenu=True,
        ),
        rule(
            [S.CONTRAT_AIDE],
            POSITIVE,
            "Contrat aidé hors IAE, 6 mois après signature, par dérogation des instances du PLIE",
            "C annexe 2",
            mois_depuis_debut_min=6,
            validation_instance=True,
        ),
        # Dynamique: argued by the APAP and validated by the PLIE (C annexes 2 and 3).
        rule(
            [S.CDI, S.CDD],
            DYNAMIQUE,
            "CDI ou CDD d'au moins 15 h par semaine et 4 mois, validé par le PLIE",
            "C annexe 3",
            heures_hebdo_min=15,
            duree_mois_min=4,
            validation_instance=True,
        ),
        rule(
            [S.INTERIM],
            DYNAMIQUE,
            "Intérim d'au moins 15 h par semaine, 4 mois dans la même entreprise, validé par le PLIE",
            "C annexe 3",
            heures_hebdo_min=15,
            duree_mois_min=4,
            meme_employeur=True,
            validation_instance=True,
        ),
        rule(
            [S.CDD_INCLUSION],
            DYNAMIQUE,
            "CDD d'inclusion (CUI-PEC) à partir du 6e mois, validé par le PLIE",
            "C annexe 3",
            mois_depuis_debut_min=6,
            validation_instance=True,
        ),
        rule(
            [S.CDI_INCLUSION],
            DYNAMIQUE,
            "CDI d'inclusion pour les seniors, validé par le PLIE",
            "C annexe 3",
            validation_instance=True,
        ),
        # Everything else in employment or training is an étape (C §I, §II.4, annexe 2).
        rule(
            EMPLOI_FORMATION,
            ETAPE,
            "Autre emploi ou formation (IAE, CDD de moins de 6 mois, temps partiel subi…) : étape",
            "C §I, §II.4, annexe 2",
        ),
        rule(
            ADMINISTRATIVES,
            AUTRE,
            "Changement de situation non imputable au PLIE : neutralisé",
            "C annexe 2",
            neutralisee=True,
        ),
        rule([], AUTRE, "Toute autre sortie (abandon, sans nouvelle, non-respect des engagements…)", "C annexe 2"),
    ],
}

PRESETS = {preset["code"]: preset for preset in (NIORT, CAEN)}
