"""Health, disability and notes appear only to whom the one rule allows, on every page of the product.

The pages come from the URL resolver (tests/resolver.py), the sensitive labels from the declaration
(plie/sensitive.py): a page or a sensitive item added later is checked without touching this file,
and a URL parameter this file does not know fails the test until a value is given below.
"""

import datetime
from html import unescape

import pytest
from django.utils import timezone

from parcours.diagnostic import diagnostic_en_cours
from parcours.etapes import TRANSITIONS as ETAPE_TRANSITIONS
from parcours.freins import Frein
from parcours.models import (
    Diagnostic,
    Etat,
    MotifVeille,
    NiveauFrein,
    PeriodeVeille,
    TransitionParcours,
    TypeDemande,
)
from parcours.models.cer import TRANSITIONS as CONTRAT_TRANSITIONS
from parcours.workflow import TRANSITIONS
from plie import sensitive
from plie.accounts.models import Role
from plie.referentiel.models import CriterePublic
from prescriptions.models import Organisme
from tests.conftest import Personas
from tests.factories import (
    ContactFactory,
    DemandeFactory,
    EntretienFactory,
    EtapeFactory,
    ParcoursFactory,
    ParticipantFactory,
    PrescriptionFactory,
    PresenceAtelierFactory,
    SuspensionMesureFactory,
    TentativeContactFactory,
    UserFactory,
)
from tests.resolver import pages

NOTE_TRANSITION = "Note-confidentielle-du-journal"
NOTE_TENTATIVE = "Commentaire-confidentiel-de-tentative"
NOTE_DIAGNOSTIC = "Commentaire-confidentiel-du-diagnostic"
NOTE_FREIN = "Commentaire-confidentiel-du-frein-sante"
NOTE_ETAPE = "Commentaire-confidentiel-d-etape"
NOTE_ABANDON = "Motif-confidentiel-d-abandon"
NOTE_ENTRETIEN = "Note-confidentielle-d-entretien"
SUJET_ENTRETIEN = "Objet-confidentiel-d-entretien"
PARTENAIRE = "Partenaire-confidentiel-du-contact"
NOTE_CONTACT = "Commentaire-confidentiel-de-contact"
NOTE_DEMANDE = "Justification-confidentielle-de-demande"

# Who may see the sensitive data of this parcours and of its fiche (the expectation, written out:
# the test does not ask the rule it checks). The fiche's author sees back what they wrote.
MAY_SEE = {"coordination", "superuser", "referent_a"}
MAY_SEE_ON_FICHE = MAY_SEE | {"prescripteur"}
ROLES = ["superuser", *Personas.NAMES]


def sensitive_markers() -> list[str]:
    """Every label of what plie.sensitive declares, and the free texts written in the fixture."""
    labels = [c.libelle for c in CriterePublic.objects.filter(code__in=sensitive.CRITERES)]
    labels += [Frein(code).label for code in sensitive.FREINS]
    labels += [MotifVeille(code).label for code in sensitive.MOTIFS_VEILLE]
    assert len(labels) == len(sensitive.CRITERES) + len(sensitive.FREINS) + len(sensitive.MOTIFS_VEILLE)
    return [
        *labels,
        "RQTH",
        NOTE_TRANSITION,
        NOTE_TENTATIVE,
        NOTE_DIAGNOSTIC,
        NOTE_FREIN,
        NOTE_ETAPE,
        NOTE_ABANDON,
        NOTE_ENTRETIEN,
        SUJET_ENTRETIEN,
        PARTENAIRE,
        NOTE_CONTACT,
        NOTE_DEMANDE,
    ]


@pytest.fixture
def dossier(named):
    """A parcours holding every sensitive item: RQTH, the health frein, three veille motives, notes."""
    named.superuser = UserFactory(is_superuser=True, is_staff=True, role="", structure=None)
    parcours = ParcoursFactory(
        etat=Etat.VEILLE,
        referent=named.referent_a,
        prescripteur=named.prescripteur,
        participant=ParticipantFactory(nom_usage="Quéméneur", prenoms="Albane", criteres=["rqth", "brsa"]),
    )
    entree = parcours.date_entree
    for motif, start in [(MotifVeille.MATERNITE, 1), (MotifVeille.MATERNITE, 11)]:
        PeriodeVeille.objects.create(
            parcours=parcours,
            motif=motif,
            debut=entree + datetime.timedelta(days=start),
            fin_prevue=entree + datetime.timedelta(days=start + 9),
            fin=entree + datetime.timedelta(days=start + 8),
        )
    assert parcours.periodes_veille.filter(motif=MotifVeille.SANTE, fin__isnull=True).exists()
    TransitionParcours.objects.create(
        parcours=parcours,
        transition="mettre_en_veille",
        etat_avant=Etat.ACCOMPAGNEMENT,
        etat_apres=Etat.VEILLE,
        auteur=named.referent_a,
        motif=NOTE_TRANSITION,
    )
    TentativeContactFactory(
        parcours=parcours,
        commentaire=NOTE_TENTATIVE,
        auteur=named.referent_a,
        date=timezone.make_aware(datetime.datetime.combine(parcours.date_orientation, datetime.time(9))),
    )
    # An entretien held, one planned, and a contact with a partner, each with its notes.
    named.entretien = EntretienFactory(parcours=parcours, honore=True, sujet=SUJET_ENTRETIEN, notes=NOTE_ENTRETIEN)
    EntretienFactory(parcours=parcours, debut=timezone.now() + datetime.timedelta(days=2), notes=NOTE_ENTRETIEN)
    ContactFactory(parcours=parcours, canal="partenaire", partenaire=PARTENAIRE, commentaire=NOTE_CONTACT)
    diagnostic = diagnostic_en_cours(parcours, named.referent_a)
    Diagnostic.objects.filter(pk=diagnostic.pk).update(
        potentiels=NOTE_DIAGNOSTIC, souhaits_metiers=NOTE_DIAGNOSTIC, parcours_professionnel=NOTE_DIAGNOSTIC
    )
    diagnostic.freins.filter(theme=Frein.SANTE).update(niveau=NiveauFrein.BLOQUANT, commentaire=NOTE_FREIN)
    diagnostic.freins.filter(theme=Frein.LOGEMENT).update(niveau=NiveauFrein.FORT, commentaire=NOTE_FREIN)
    parcours.etape_sensible = EtapeFactory(parcours=parcours, commentaire=NOTE_ETAPE)
    EtapeFactory(parcours=parcours).abandonner(
        named.referent_a, parcours.date_entree + datetime.timedelta(days=2), NOTE_ABANDON
    )
    # A request for a veille for health, refused (its page, the dossier's card, the journal).
    named.demande = DemandeFactory(
        parcours=parcours,
        motif_veille=MotifVeille.SANTE,
        justification=NOTE_DEMANDE,
        statut="refusee",
        demandee_le=timezone.now() - datetime.timedelta(days=1),
        decide_par=named.coordination,
        decide_le=timezone.now(),
        motif_decision=NOTE_DEMANDE,
    )
    fiche = PrescriptionFactory(
        accepted_for=parcours,
        prescripteur=named.prescripteur,
        criteres=["rqth", "brsa"],
        freins=[Frein.SANTE, Frein.MOBILITE],
        nom_usage="Quéméneur",
        prenoms="Albane",
    )
    return named, parcours, fiche


def url_kwargs(parcours, fiche):
    """Values for every URL parameter of the product; each list is tried in turn."""
    # The person present at a held session their référent animates (the signature pages).
    presence = PresenceAtelierFactory(parcours=parcours, seance__atelier__animateur=parcours.referent)
    return {
        "pk": None,  # decided by the namespace, below
        "name": list(TRANSITIONS),
        "etape": list(CONTRAT_TRANSITIONS),
        "organisme": list(Organisme.values),
        "kind": ["participant", "prescription"],
        "other_pk": [parcours.participant_id],
        "participant_pk": [parcours.participant_id],
        "insee": ["79191"],
        "token": ["jeton-inconnu"],
        "jeton": ["jeton-inconnu"],  # a convocation's personal link
        "fournisseur": ["brevo", "ovh"],  # the SMS provider's webhooks
        "uidb64": ["MQ"],
        "etape_pk": [parcours.etape_sensible.pk],
        "transition": list(ETAPE_TRANSITIONS),
        "rdv": list(parcours.rendez_vous.values_list("pk", flat=True)),
        "seance": [presence.seance_id],
        "presence": [presence.pk],
        "animateur": [parcours.referent_id],
        "type": list(TypeDemande.values),  # demandes:nouvelle
        # An illness on the entry day, before the veilles (parcours/suspensions.py).
        "suspension": [
            SuspensionMesureFactory(
                parcours=parcours, motif="maladie", debut=parcours.date_entree, fin=parcours.date_entree
            ).pk
        ],
    }


def pk_for(page_name, parcours, fiche):
    if page_name == "demandes:nouvelle":  # a request form names its parcours; the other pages, a request
        return parcours.pk
    namespace = page_name.split(":")[0] if ":" in page_name else ""
    demande = parcours.demandes.values_list("pk", flat=True).first()
    pks = {
        "parcours": parcours.pk,
        "emargement": parcours.pk,
        "suspensions": parcours.pk,
        "prescriptions": fiche.pk,
        "demandes": demande,
    }
    return pks.get(namespace, 1)


def urls_of_every_page(parcours, fiche):
    values = url_kwargs(parcours, fiche)
    urls = []
    for page in pages():
        unknown = [p for p in page.params if p not in values]
        assert not unknown, f"{page.name} : donnez une valeur au paramètre {unknown} dans url_kwargs()"
        combos = [{}]
        for param in page.params:
            options = [pk_for(page.name, parcours, fiche)] if param == "pk" else values[param]
            combos = [{**c, param: o} for c in combos for o in options]
        urls += [(page.name, page.url(**kwargs)) for kwargs in combos]
    return urls


@pytest.mark.parametrize("who", ROLES)
def test_no_sensitive_item_on_any_page_for_whom_may_not_see_it(dossier, client_for, who):
    personas, parcours, fiche = dossier
    user = getattr(personas, who)
    client = client_for(user)
    markers = sensitive_markers()
    shown = person_pages = 0
    for name, url in urls_of_every_page(parcours, fiche):
        response = client.get(url)
        assert response.status_code != 500, url
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        shown += 1
        allowed = MAY_SEE_ON_FICHE if name.startswith("prescriptions:") else MAY_SEE
        if who in allowed:
            continue
        content = unescape(response.content.decode())
        if "QUÉMÉNEUR" not in content and "Quéméneur" not in content:
            continue  # not about this person (the référentiel lists RQTH as a criterion, say)
        person_pages += 1
        leaked = [m for m in markers if m in content]
        assert not leaked, f"{url} montre {leaked} à {who}"
    assert shown > 0
    if who not in {"operateur", "financeur", "referent_b", "prescripteur_ailleurs", "autre_prescripteur"} | MAY_SEE:
        assert person_pages > 0, f"{who} n'a vu aucune page de la personne : le test ne vérifierait rien"


@pytest.mark.parametrize("who", ["prescripteur", "bureau_insertion"])
def test_the_parcours_page_is_shown_without_its_sensitive_items(dossier, client_for, who):
    """The check above is not vacuous: these roles do open the parcours and its fiche."""
    personas, parcours, fiche = dossier
    client = client_for(getattr(personas, who))
    for url in [f"/parcours/{parcours.pk}/", f"/prescriptions/{fiche.pk}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "QUÉMÉNEUR Albane" in unescape(response.content.decode())
    content = unescape(client.get(f"/parcours/{parcours.pk}/").content.decode())
    assert f"Veille, motif {sensitive.MASQUE}" in content  # the periods, without their motive
    assert "Bénéficiaire du RSA (BRSA)" in content


@pytest.mark.parametrize("who", sorted(MAY_SEE))
def test_whom_the_rule_allows_sees_every_item(dossier, client_for, who):
    personas, parcours, fiche = dossier
    client = client_for(getattr(personas, who))
    content = unescape(client.get(f"/parcours/{parcours.pk}/").content.decode())
    for marker in ["Travailleur handicapé (RQTH / BOETH)", "Problème de santé", "Maternité"]:
        assert marker in content
    assert NOTE_TRANSITION in content
    assert NOTE_TENTATIVE in content
    assert NOTE_ETAPE in content
    assert NOTE_ABANDON in content
    for note in [NOTE_ENTRETIEN, SUJET_ENTRETIEN, PARTENAIRE, NOTE_CONTACT]:
        assert note in content
    demande_page = unescape(client.get(f"/demandes/{personas.demande.pk}/").content.decode())
    assert "Problème de santé" in demande_page and NOTE_DEMANDE in demande_page
    fiche_page = unescape(client.get(f"/prescriptions/{fiche.pk}/").content.decode())
    assert "Santé" in fiche_page


def test_the_author_sees_back_the_health_frein_they_wrote_but_not_on_the_parcours(dossier, client_for):
    personas, parcours, fiche = dossier
    client = client_for(personas.prescripteur)
    assert "Mobilité, Santé" in unescape(client.get(f"/prescriptions/{fiche.pk}/").content.decode())
    parcours_page = unescape(client.get(f"/parcours/{parcours.pk}/").content.decode())
    assert "RQTH" not in parcours_page
    assert NOTE_TRANSITION not in parcours_page


def test_every_role_is_in_the_matrix(dossier):
    """A new role must get a persona in ROLES (and a place in MAY_SEE if it may see health data)."""
    personas, _, _ = dossier
    assert {getattr(personas, who).role for who in ROLES} >= set(Role)
