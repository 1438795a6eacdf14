"""The demo's atelier expenses: validated, refused and to validate, each within its référent's budget."""

import io

from django.core.management import call_command
from django.db.models import Count

from financement import depenses
from financement.models import DepenseAtelier, StatutDepense, TransitionDepense
from plie.accounts.models import User
from plie.demo import DEMO_DOMAIN


def seed():
    call_command("seed_demo", "--participants", "30", stdout=io.StringIO())


def test_niorts_demo_has_expenses_in_every_status_within_the_budgets(niort, communes):
    seed()
    statuts = dict(DepenseAtelier.objects.values_list("statut").annotate(n=Count("id")))
    assert set(statuts) == set(StatutDepense.values)
    demo_referent = User.objects.get(email=f"referent@{DEMO_DOMAIN}")
    assert set(DepenseAtelier.objects.filter(referent=demo_referent).values_list("statut", flat=True)) == set(
        StatutDepense.values
    )
    assert set(DepenseAtelier.objects.values_list("categorie", flat=True)) <= set(niort.categories_depenses_ateliers)
    for depense in DepenseAtelier.objects.select_related("referent"):
        budget = depenses.budget(depense.referent, depense.date.year, niort)
        assert budget.restant >= 0, depense.referent
        assert depense.transitions.first().transition == "saisir"
        assert depense.transitions.count() == (1 if depense.statut == StatutDepense.A_VALIDER else 2)
    refusee = DepenseAtelier.objects.filter(statut=StatutDepense.REFUSEE).first()
    assert refusee.motif_refus and refusee.decide_par is not None
    assert TransitionDepense.objects.filter(transition="refuser").exclude(motif="").exists()


def test_caens_demo_has_none(caen, communes):
    seed()
    assert not DepenseAtelier.objects.exists()
