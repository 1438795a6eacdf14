"""Each role's home page: what it counts and lists, and what it leaves out."""

import re

from django.utils.html import escape

from parcours.models import Etat, Parcours
from tests.factories import (
    ParcoursFactory,
    ParticipantFactory,
    PrescriptionFactory,
    ReferentFactory,
)
from tests.html import page

NAME = "VAUTRIN-LACOMBE Ysaline"


# --- home pages -------------------------------------------------------------------------------


def test_home_coordination_counts_and_referents_load(named, client_for):
    ParcoursFactory(etat=Etat.ANNULE)
    ParcoursFactory(etat=Etat.ORIENTE, referent=named.referent_a)
    ParcoursFactory(etat=Etat.SORTI, referent=named.referent_b)
    content = page(client_for(named.coordination), "/")
    for etat in Etat:
        n = Parcours.objects.filter(etat=etat).count()
        assert f"<tr><td>{escape(etat.label)}</td><td>{n}</td></tr>" in content, etat
    assert f"<td>Total</td><td>{Parcours.objects.count()}</td>" in content
    # Référent A: the accompagnement + the oriented one = 2 of a capacity of 40 (1 ETP × 40).
    row = re.search(rf"<td>{re.escape(escape(named.referent_a.get_full_name()))}</td>(.*?)</tr>", content, re.S).group(
        1
    )
    assert re.search(r'<td class="text-end">2</td>\s*<td class="text-end">40</td>', row)
    assert escape(named.referent_b.get_full_name()) in content
    assert NAME not in content


def test_home_coordination_lists_the_most_loaded_referents_and_links_to_all(named, client_for):
    """Past a screen of référents, the home shows the most loaded ones; the référents page, every one."""
    from plie.views.home import CHARGES_AFFICHEES

    quiet = [ReferentFactory(structure=named.referent_a.structure) for _ in range(CHARGES_AFFICHEES)]
    for _ in range(3):
        ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=named.referent_b)
    response = client_for(named.coordination).get("/")
    shown = [c.referent for c in response.context["charges"]]
    assert len(shown) == CHARGES_AFFICHEES
    assert shown[:2] == [named.referent_b, named.referent_a]  # 3 then 1 of 40
    total = CHARGES_AFFICHEES + 2
    content = response.content.decode()
    assert f"Les {CHARGES_AFFICHEES} référents les plus chargés sur {total}." in content
    assert f'href="/referents/">Voir les {total} référents</a>' in content
    table = content[content.index("Charge des référents") :]
    table = table[: table.index("</table>")]
    assert sum(escape(r.get_full_name()) in table for r in quiet) == CHARGES_AFFICHEES - 2
    listed = page(client_for(named.coordination), "/referents/")
    assert all(escape(r.get_full_name()) in listed for r in quiet)


def test_home_referent_lists_own_participants_only(named, client_for):
    assert NAME in page(client_for(named.referent_a), "/")
    content_b = page(client_for(named.referent_b), "/")
    assert NAME not in content_b
    assert "Aucun participant ne vous est confié" in content_b


def test_home_referent_leaves_out_closed_parcours(named, client_for):
    closed = ParcoursFactory(
        etat=Etat.SORTI,
        referent=named.referent_a,
        participant=ParticipantFactory(nom_usage="Dubreuil-Ancien", prenoms="Oscar"),
    )
    content = page(client_for(named.referent_a), "/")
    assert NAME in content
    assert escape(closed.participant.nom_complet) not in content


def test_home_prescripteur_shows_their_referrals(named, client_for):
    PrescriptionFactory(
        accepted_for=named.parcours, prescripteur=named.prescripteur, nom_usage="Vautrin-Lacombe", prenoms="Ysaline"
    )
    content = page(client_for(named.prescripteur), "/")
    assert "Mes prescriptions" in content
    assert NAME in content
    assert escape(named.referent_a.get_full_name()) in content
    for other in ("autre_prescripteur", "prescripteur_ailleurs"):
        assert NAME not in page(client_for(getattr(named, other)), "/")


def test_home_bureau_insertion_shows_brsa_parcours(named, client_for):
    brsa = ParcoursFactory(
        etat=Etat.ORIENTE, participant=ParticipantFactory(nom_usage="Keraudren", prenoms="Maëlys", criteres=["brsa"])
    )
    content = page(client_for(named.bureau_insertion), "/")
    assert "Parcours des bénéficiaires du RSA" in content
    assert escape(brsa.participant.nom_complet) in content
    assert NAME not in content


def test_home_operateur_shows_its_referents_without_participants(named, client_for):
    elsewhere = ReferentFactory()
    content = page(client_for(named.operateur), "/")
    assert escape(named.referent_a.get_full_name()) in content
    assert escape(named.referent_b.get_full_name()) in content
    assert escape(elsewhere.get_full_name()) not in content
    assert NAME not in content
    assert "VAUTRIN" not in content


def test_home_financeur_shows_counts_only(named, client_for):
    ParcoursFactory(etat=Etat.ORIENTE, participant=ParticipantFactory(nom_usage="Keraudren", prenoms="Maëlys"))
    content = page(client_for(named.financeur), "/")
    # Two people: every count is under statistical secrecy (tests/plie/test_aggregates.py).
    assert f"<tr><td>{escape(Etat.ACCOMPAGNEMENT.label)}</td><td>&lt; 5</td></tr>" in content
    assert f"<tr><td>{escape(Etat.ORIENTE.label)}</td><td>&lt; 5</td></tr>" in content
    assert f"<tr><td>{escape(Etat.VEILLE.label)}</td><td>0</td></tr>" in content
    assert "<td>Total</td><td>&lt; 5</td>" in content
    for name in ("VAUTRIN", "Ysaline", "KERAUDREN", "Maëlys"):
        assert name not in content
    assert escape(named.referent_a.get_full_name()) not in content
