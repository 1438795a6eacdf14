"""The rules of the ateliers' budget (financement/depenses.py): the budget per référent and year, what
remains, the categories, the decisions on the workflow kernel and their notification, and two expenses
entered at once that cannot both take the same remainder."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from financement import depenses
from financement.depenses import DepenseError
from financement.models import DepenseAtelier, StatutDepense, TransitionDepense
from plie.accounts.models import ReferentProfile
from plie.notifications.models import Notification
from plie.referentiel.services import load_preset
from tests.factories import AtelierFactory, DepenseAtelierFactory, ReferentFactory, UserFactory
from tests.fichiers_exemples import PDF, upload

S = StatutDepense
TODAY = timezone.localdate()
ANNEE = TODAY.year


def nouvelle(referent, montant="100.00", **fields):
    values = {"date": TODAY, "categorie": "Frais de réception", "fournisseur": "Boulangerie du Marais"}
    values.update(fields)
    return DepenseAtelier(referent=referent, montant=Decimal(montant), **values)


def test_the_budget_is_the_referentiel_amount_per_etp_prorated_to_the_post(niort):
    plein, mi_temps, tiers = ReferentFactory(), ReferentFactory(profile__etp=Decimal("0.50")), ReferentFactory()
    ReferentProfile.objects.filter(user=tiers).update(etp=Decimal("0.33"))
    assert depenses.budget(plein, ANNEE).montant == Decimal("1000.00")
    assert depenses.budget(mi_temps, ANNEE).montant == Decimal("500.00")
    assert depenses.budget(tiers, ANNEE).montant == Decimal("330.00")


def test_spent_counts_the_validated_and_the_pending_of_the_year_not_the_refused(niort):
    referent = ReferentFactory(profile__etp=Decimal("0.50"))
    DepenseAtelierFactory(referent=referent, montant=Decimal("120.00"), statut=S.VALIDEE, decide_le=timezone.now())
    DepenseAtelierFactory(referent=referent, montant=Decimal("30.50"))
    DepenseAtelierFactory(
        referent=referent,
        montant=Decimal("200.00"),
        statut=S.REFUSEE,
        motif_refus="Hors champ",
        decide_le=timezone.now(),
    )
    DepenseAtelierFactory(referent=referent, montant=Decimal("99.00"), date=datetime.date(ANNEE - 1, 12, 31))
    DepenseAtelierFactory(montant=Decimal("77.00"))  # another référent's
    budget = depenses.budget(referent, ANNEE)
    assert (budget.montant, budget.valide, budget.a_valider, budget.engage, budget.restant) == (
        Decimal("500.00"),
        Decimal("120.00"),
        Decimal("30.50"),
        Decimal("150.50"),
        Decimal("349.50"),
    )
    assert depenses.budget(referent, ANNEE - 1).restant == Decimal("401.00")  # each year has its own


def test_without_a_budget_in_the_referentiel_there_is_none_and_no_expense(caen):
    referent = ReferentFactory()
    assert depenses.budget(referent, ANNEE).montant is None
    assert depenses.budget(referent, ANNEE).restant is None
    assert depenses.categories(caen) == []
    with pytest.raises(DepenseError, match="ne prévoit pas de budget pour les ateliers"):
        depenses.ajouter(nouvelle(referent), referent)
    assert not DepenseAtelier.objects.exists()


def test_an_expense_is_entered_to_validate_with_its_first_log_row(niort):
    referent = ReferentFactory()
    atelier = AtelierFactory(animateur=referent)
    depense = depenses.ajouter(nouvelle(referent, atelier=atelier), referent)
    depense.refresh_from_db()
    assert (depense.statut, depense.cree_par, depense.atelier) == (S.A_VALIDER, referent, atelier)
    [log] = TransitionDepense.objects.all()
    assert (log.transition, log.statut_avant, log.statut_apres, log.auteur) == ("saisir", "", S.A_VALIDER, referent)
    assert depense.history.get().history_user == referent


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"categorie": "Frais de bouche"},
            "categorie",
            "Choisissez une catégorie du référentiel : Frais de déplacement",
        ),
        ({"montant": Decimal("-5")}, "montant", "Le montant d'une dépense est positif"),
        ({"montant": Decimal("0")}, "montant", "Le montant d'une dépense est positif"),
        ({"montant": Decimal("1000.01")}, "montant", "Ce montant dépasse le budget restant de"),
        # Tomorrow as of the test's run, not of the module's import (a run across midnight in Paris).
        (
            {"date": lambda: timezone.localdate() + datetime.timedelta(days=1)},
            "date",
            "sa date ne peut suivre aujourd'hui",
        ),
        ({"date": datetime.date(ANNEE - 2, 12, 31)}, "date", "Seules les dépenses de l'année en cours"),
    ],
)
def test_a_refused_expense_says_why_next_to_its_field_and_nothing_is_saved(niort, fields, field, message):
    referent = ReferentFactory()
    fields = {name: value() if callable(value) else value for name, value in fields.items()}
    with pytest.raises(DepenseError) as caught:
        depenses.ajouter(nouvelle(referent, **fields), referent)
    assert caught.value.field == field
    assert message in caught.value.message
    assert not DepenseAtelier.objects.exists()
    assert not TransitionDepense.objects.exists()


def test_the_remainder_is_what_is_refused_beyond(niort):
    referent = ReferentFactory(profile__etp=Decimal("0.50"))
    depenses.ajouter(nouvelle(referent, "450.00"), referent)
    with pytest.raises(DepenseError) as caught:
        depenses.ajouter(nouvelle(referent, "50.01"), referent)
    assert caught.value.message == f"Ce montant dépasse le budget restant de {ANNEE} : 50,00\u00a0€ sur 500,00\u00a0€."
    depenses.ajouter(nouvelle(referent, "50.00"), referent)  # exactly the remainder
    with pytest.raises(DepenseError, match=f"Le budget des ateliers de {ANNEE} est épuisé"):
        depenses.ajouter(nouvelle(referent, "0.01"), referent)


def test_an_atelier_must_be_one_the_referent_animates(niort):
    referent = ReferentFactory()
    with pytest.raises(DepenseError) as caught:
        depenses.ajouter(nouvelle(referent, atelier=AtelierFactory()), referent)
    assert caught.value.field == "atelier"
    co_anime = AtelierFactory(co_animateur=referent)
    assert depenses.ajouter(nouvelle(referent, atelier=co_anime), referent).pk


def test_only_a_referent_with_a_post_has_a_budget(niort):
    coordination = UserFactory()
    with pytest.raises(DepenseError, match="Seul un référent qui tient un poste"):
        depenses.ajouter(nouvelle(coordination), coordination)


def test_a_change_is_checked_against_the_budget_without_its_own_amount(niort):
    referent = ReferentFactory(profile__etp=Decimal("0.50"))
    depense = depenses.ajouter(nouvelle(referent, "400.00"), referent)
    depense.montant = Decimal("500.00")
    depenses.modifier(depense, referent)
    depense.montant = Decimal("500.01")
    with pytest.raises(DepenseError, match="dépasse le budget restant"):
        depenses.modifier(depense, referent)
    depense.refresh_from_db()
    assert depense.montant == Decimal("500.00")


def test_a_decided_expense_is_neither_changed_nor_deleted(niort):
    referent, coordination = ReferentFactory(), UserFactory()
    depense = depenses.ajouter(nouvelle(referent), referent)
    depenses.valider(DepenseAtelier.objects.get(pk=depense.pk), coordination)
    depense.fournisseur = "Autre"
    with pytest.raises(DepenseError, match="« validée » : elle ne se modifie plus"):
        depenses.modifier(depense, referent)
    with pytest.raises(DepenseError, match="ne se modifie plus"):
        depenses.supprimer(depense, referent)
    assert DepenseAtelier.objects.get().fournisseur == "Boulangerie du Marais"


def test_validation_logs_dates_and_notifies_the_referent(niort):
    referent, coordination = ReferentFactory(), UserFactory()
    depense = depenses.ajouter(nouvelle(referent, "45.50"), referent)
    depenses.valider(depense, coordination)
    depense.refresh_from_db()
    assert (depense.statut, depense.decide_par) == (S.VALIDEE, coordination)
    assert depense.decide_le is not None
    assert list(depense.transitions.values_list("transition", "statut_avant", "statut_apres", "auteur")) == [
        ("saisir", "", S.A_VALIDER, referent.pk),
        ("valider", S.A_VALIDER, S.VALIDEE, coordination.pk),
    ]
    [notification] = Notification.objects.filter(destinataire=referent)
    assert notification.titre == "Dépense d'atelier validée"
    assert notification.message == (
        f"Votre dépense du {TODAY:%d/%m/%Y} (Frais de réception, 45,50\u00a0€, Boulangerie du Marais) est validée."
    )
    assert notification.lien == f"/budget-ateliers/?annee={ANNEE}"
    with pytest.raises(DepenseError, match="« Valider la dépense » impossible : la dépense est « Validée »"):
        depenses.valider(depense, coordination)


def test_a_refusal_needs_a_motive_frees_the_budget_and_tells_the_referent_why(niort):
    referent, coordination = ReferentFactory(profile__etp=Decimal("0.50")), UserFactory()
    depense = depenses.ajouter(nouvelle(referent, "500.00"), referent)
    with pytest.raises(DepenseError) as caught:
        depenses.refuser(depense, coordination, "   ")
    assert (caught.value.field, caught.value.message) == ("motif", "Indiquez le motif du refus : le référent le lira.")
    depense.refresh_from_db()
    assert depense.statut == S.A_VALIDER
    depenses.refuser(depense, coordination, "Achat sans lien avec un atelier.")
    depense.refresh_from_db()
    assert (depense.statut, depense.motif_refus, depense.decide_par) == (
        S.REFUSEE,
        "Achat sans lien avec un atelier.",
        coordination,
    )
    assert depense.transitions.last().motif == "Achat sans lien avec un atelier."
    notification = Notification.objects.get(destinataire=referent)
    assert notification.titre == "Dépense d'atelier refusée"
    assert notification.message.endswith("est refusée. Motif : Achat sans lien avec un atelier.")
    assert depenses.budget(referent, ANNEE).restant == Decimal("500.00")


def test_a_decision_on_a_copy_older_than_the_referents_change_is_refused(niort):
    referent, coordination = ReferentFactory(), UserFactory()
    depense = depenses.ajouter(nouvelle(referent, "45.50"), referent)
    seen = DepenseAtelier.objects.get(pk=depense.pk).modifie_le
    depense.montant = Decimal("450.00")
    depenses.modifier(depense, referent)
    with pytest.raises(DepenseError, match="vient d'être modifiée par son référent"):
        depenses.valider(DepenseAtelier.objects.get(pk=depense.pk), coordination, vu_le=seen)
    assert DepenseAtelier.objects.get().statut == S.A_VALIDER
    assert not Notification.objects.exists()


def test_the_receipt_is_stored_under_a_random_name_and_deleted_with_its_expense(
    niort, stockage_prive, django_capture_on_commit_callbacks
):
    from plie.fichiers import verifier_fichier

    referent = ReferentFactory()
    fichier = verifier_fichier(upload("../Facture SNCF.pdf", PDF))
    depense = depenses.ajouter(nouvelle(referent), referent, fichier)
    depense.refresh_from_db()
    assert (depense.justificatif_nom, depense.justificatif_type) == ("Facture SNCF.pdf", "application/pdf")
    assert depense.justificatif.name.startswith(f"justificatifs/{ANNEE}/")
    assert "SNCF" not in depense.justificatif.name
    path = stockage_prive / depense.justificatif.name
    assert path.read_bytes() == PDF
    with django_capture_on_commit_callbacks(execute=True):
        depenses.supprimer(depense, referent)
    assert not path.exists()


def test_a_refused_expense_leaves_no_file_behind(niort, stockage_prive):
    from plie.fichiers import verifier_fichier

    referent = ReferentFactory()
    with pytest.raises(DepenseError):
        depenses.ajouter(nouvelle(referent, "5000.00"), referent, verifier_fichier(upload("f.pdf", PDF)))
    assert not stockage_prive.exists() or not any(p.is_file() for p in stockage_prive.rglob("*"))


def test_entering_an_expense_locks_the_referents_post(niort):
    referent = ReferentFactory()
    with CaptureQueriesContext(connection) as queries:
        depenses.ajouter(nouvelle(referent), referent)
    locks = [q["sql"] for q in queries.captured_queries if "accounts_referentprofile" in q["sql"]]
    if connection.vendor == "postgresql":
        assert any("FOR UPDATE" in sql for sql in locks), locks


@pytest.mark.django_db(transaction=True)
def test_two_expenses_entered_at_once_cannot_both_take_the_remainder():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite locks the whole database: no two writers run at once")
    load_preset("niort", activate=True)
    referent = ReferentFactory(profile__etp=Decimal("0.50"))
    barrier = threading.Barrier(2)
    results = []

    def enter():
        try:
            barrier.wait(timeout=10)
            depenses.ajouter(nouvelle(referent, "300.00"), referent)
            results.append("saved")
        except DepenseError as error:
            results.append(error.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enter) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [
        f"Ce montant dépasse le budget restant de {ANNEE} : 200,00\u00a0€ sur 500,00\u00a0€.",
        "saved",
    ]
    assert DepenseAtelier.objects.count() == 1
