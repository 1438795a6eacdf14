"""No absurd values: free text has a limit, names are names, dates and durations are plausible, and
French decimals are read as people type them."""

import datetime
from decimal import Decimal
from html import unescape

import pytest
from dateutil.relativedelta import relativedelta
from django import forms
from django.apps import apps
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from parcours import accueil
from parcours.models import Etat, Modalite
from plie.accounts.forms import InvitationForm
from plie.decimaux import DecimalFrField, lire_decimal
from plie.noms import MESSAGE as NOM_MESSAGE
from plie.noms import NomField
from plie.referentiel.models import Referentiel
from plie.territoire.models import Commune
from prescriptions.forms import PrescriptionForm
from prescriptions.models import Prescription
from prescriptions.workflow import Statut
from tests.factories import LieuFactory, ParcoursFactory, PrescriptionFactory
from tests.snapshots import instantane

OUR_APPS = [
    "accounts",
    "territoire",
    "referentiel",
    "notifications",
    "prescriptions",
    "parcours",
    "cellules",
    "sorties",
    "financement",
]
MODELS = [model for label in OUR_APPS for model in apps.get_app_config(label).get_models()]
ONE_MB = "x" * (1024 * 1024)


# --- free text ---------------------------------------------------------------------------------


def test_every_text_field_of_ours_has_a_max_length():
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in MODELS
        for field in model._meta.get_fields()
        if isinstance(field, (models.CharField, models.TextField)) and not field.max_length
    ]
    assert missing == []


def _length_checks(model):
    checks = {}
    for constraint in model._meta.constraints:
        condition = getattr(constraint, "condition", None)
        if isinstance(condition, LessThanOrEqual) and isinstance(condition.lhs, Length):
            checks[condition.lhs.source_expressions[0].name] = condition.rhs
    return checks


def test_every_text_field_has_its_limit_in_the_database():
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in MODELS
        if not model._meta.label.split(".")[1].startswith("Historical")
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField) and _length_checks(model).get(field.name) != field.max_length
    ]
    assert missing == []


def _too_long_is_refused(response, field):
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any("Assurez-vous que cette valeur comporte au plus" in e and "1048576" in e for e in errors), errors
    assert "Assurez-vous que cette valeur comporte au plus" in unescape(response.content.decode())


def test_a_refusal_motive_of_one_megabyte_is_refused_with_the_limit(personas, client_for):
    prescription = PrescriptionFactory()
    response = client_for(personas.coordination).post(
        f"/prescriptions/{prescription.pk}/refus/", {"motif_refus": "autre", "commentaire": ONE_MB}
    )
    _too_long_is_refused(response, "commentaire")
    assert "au plus 2000 caractères" in response.context["form"].errors["commentaire"][0]
    prescription.refresh_from_db()
    assert prescription.statut == Statut.ENVOYEE


def test_a_transition_motive_of_one_megabyte_is_refused_with_the_limit(personas, client_for):
    parcours = ParcoursFactory(etat=Etat.ORIENTE)
    response = client_for(personas.coordination).post(f"/parcours/{parcours.pk}/action/annuler/", {"motif": ONE_MB})
    _too_long_is_refused(response, "motif")
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ORIENTE


def test_the_motives_of_a_fiche_are_limited_as_the_model_says(personas, client_for):
    response = client_for(personas.prescripteur).post(
        "/prescriptions/nouvelle/", {"nom_usage": "Martin", "motifs": ONE_MB, "brouillon": "1"}
    )
    _too_long_is_refused(response, "motifs")
    assert "au plus 5000 caractères" in response.context["form"].errors["motifs"][0]
    assert 'maxlength="5000"' in response.content.decode()
    assert not Prescription.objects.exists()


# --- names -------------------------------------------------------------------------------------

ACCEPTED_NAMES = [
    ("D'Almeida", "D'Almeida"),
    ("Le Gall", "Le Gall"),
    ("Jean-Pierre", "Jean-Pierre"),
    ("N’Diaye", "N’Diaye"),
    ("St. John", "St. John"),
    ("  Marie   Claire ", "Marie Claire"),
    ("Marie\u00a0Claire", "Marie Claire"),
    ("Marie\u202fClaire", "Marie Claire"),
    ("Éloïse Çağlar", "Éloïse Çağlar"),
    ("Ngô Bảo Châu", "Ngô Bảo Châu"),
    ("Zoe\u0301", "Zoé"),  # a combining accent, as some keyboards type it
]
REFUSED_NAMES = ["R2D2", "<script>", "Dupont;", "👍", "Martin & fils", "-", "'", "Jean_Pierre", "a@b"]


@pytest.mark.parametrize(("typed", "kept"), ACCEPTED_NAMES)
def test_a_name_is_trimmed_and_collapsed(typed, kept):
    assert NomField(required=False).clean(typed) == kept


@pytest.mark.parametrize("typed", REFUSED_NAMES)
def test_a_name_with_other_characters_is_refused(typed):
    with pytest.raises(forms.ValidationError) as excinfo:
        NomField().clean(typed)
    assert excinfo.value.messages == [NOM_MESSAGE]


def _fiche_form(**data):
    prescription = Prescription()
    return PrescriptionForm({"sexe": "F", **data, "brouillon": "1"}, instance=prescription)


@pytest.mark.parametrize("field", ["nom_usage", "nom_naissance", "prenoms"])
def test_the_fiche_checks_every_name(db, field):
    form = _fiche_form(**{field: "  Le\u00a0Gall  "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data[field] == "Le Gall"
    form = _fiche_form(**{field: "R2D2"})
    assert not form.is_valid()
    assert form.errors[field] == [NOM_MESSAGE]


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_the_invitation_checks_both_names(db, field):
    assert isinstance(InvitationForm.base_fields[field], NomField)
    form = InvitationForm({"first_name": "Léa", "last_name": "Morin", field: "<script>"})
    form.is_valid()
    assert form.errors[field] == [NOM_MESSAGE]


def test_a_name_typed_on_the_fiche_is_kept_as_typed_when_refused(personas, client_for):
    response = client_for(personas.prescripteur).post(
        "/prescriptions/nouvelle/", {"nom_usage": "Dupont;", "brouillon": "1"}
    )
    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert 'value="Dupont;"' in content and NOM_MESSAGE in content


# --- birth dates -------------------------------------------------------------------------------


def _years_before(day, years):
    return day - relativedelta(years=years)


DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("born", "accepted"),
    [
        pytest.param(lambda today: _years_before(today, 16) + DAY, False, id="15"),
        pytest.param(lambda today: _years_before(today, 16), True, id="16"),
        pytest.param(lambda today: _years_before(today, 45), True, id="45"),
        pytest.param(lambda today: _years_before(today, 101) + DAY, True, id="100"),
        pytest.param(lambda today: _years_before(today, 101), False, id="101"),
    ],
)
def test_a_birth_date_gives_an_age_between_16_and_100_at_the_referral(db, born, accepted):
    today = timezone.localdate()
    form = _fiche_form(date_naissance=born(today).isoformat())
    assert form.is_valid() is accepted, form.errors
    if not accepted:
        [message] = form.errors["date_naissance"]
        assert "entre 16 et 100 ans à la date de la prescription" in message
        assert f"le {_years_before(today, 101) + DAY:%d/%m/%Y} et le {_years_before(today, 16):%d/%m/%Y}" in message


def test_the_age_is_counted_at_the_date_of_the_referral(db, time_machine):
    sent = PrescriptionFactory(statut="complement_demande", question_complement="Date ?", envoyee_le=timezone.now())
    time_machine.move_to(timezone.now() + datetime.timedelta(days=400), tick=False)
    # 16 at the referral, 17 now: accepted; 15 at the referral, 16 now: refused.
    at_referral = sent.date_prescription
    for born, accepted in [(_years_before(at_referral, 16), True), (_years_before(at_referral, 15), False)]:
        form = PrescriptionForm({"sexe": "F", "date_naissance": born.isoformat()}, instance=sent)
        assert form.is_valid() is accepted, (born, form.errors)


# --- first appointment -------------------------------------------------------------------------


@pytest.fixture
def oriente(named):
    return ParcoursFactory(etat=Etat.ORIENTE, referent=named.referent_a, prescripteur=named.prescripteur)


def test_a_first_appointment_more_than_six_months_ahead_is_refused(named, oriente, client_for):
    limit = timezone.localdate() + relativedelta(months=6)
    client = client_for(named.referent_a)
    response = client.post(
        f"/parcours/{oriente.pk}/premier-rendez-vous/",
        {"date": (limit + datetime.timedelta(days=1)).isoformat(), "heure": "10:00", "modalite": Modalite.TELEPHONE},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        f"Le premier rendez-vous se fixe dans les 6 mois : le {limit:%d/%m/%Y} au plus tard."
    ]
    oriente.refresh_from_db()
    assert oriente.etat == Etat.ORIENTE

    response = client.post(
        f"/parcours/{oriente.pk}/premier-rendez-vous/",
        {"date": limit.isoformat(), "heure": "10:00", "modalite": Modalite.TELEPHONE},
    )
    assert response.status_code == 302
    oriente.refresh_from_db()
    assert oriente.etat == Etat.ACCUEIL


def test_the_rule_holds_outside_the_form(named, oriente):
    lieu = LieuFactory()
    named.referent_a.referent_profile.lieux.add(lieu)
    with pytest.raises(accueil.AccueilError) as excinfo:
        accueil.fixer_premier_rdv(
            oriente, by=named.referent_a, debut=timezone.now() + datetime.timedelta(days=200), lieu=lieu
        )
    assert excinfo.value.field == "debut"


# --- référentiel -------------------------------------------------------------------------------


def _referentiel_data(client, **changes):
    form = client.get("/referentiel/modifier/").context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(value, list) and not isinstance(field, forms.MultipleChoiceField):
            value = "\n".join(str(v) for v in value)
        elif isinstance(field, forms.BooleanField):
            if not value:
                continue
            value = "on"
        data[name] = "" if value is None else value
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("duree_entretien_minutes", "1500", "Assurez-vous que cette valeur est inférieure ou égale à 480."),
        ("duree_diagnostic_minutes", "2", "Assurez-vous que cette valeur est supérieure ou égale à 5."),
        ("veille_duree_max_mois", "600", "Assurez-vous que cette valeur est inférieure ou égale à 36."),
        ("proposition_km_charge_pleine", "9000", "Assurez-vous que cette valeur est inférieure ou égale à 500."),
        ("suivi_emploi_mois", "61", "Assurez-vous que cette valeur est inférieure ou égale à 60."),
        ("duree_mesure_mois", "0", "Assurez-vous que cette valeur est supérieure ou égale à 1."),
        ("budget_ateliers_par_etp", "-1", "Assurez-vous que cette valeur est supérieure ou égale à 0."),
        ("epci_sirens", "200041317\n200041317", "Chaque EPCI ne figure qu'une fois : 200041317 est en double."),
    ],
)
def test_referentiel_values_out_of_bounds_are_refused(named, client_for, field, typed, message):
    client = client_for(named.coordination)
    before = Referentiel.objects.filter(actif=True).values().get()
    response = client.post("/referentiel/modifier/", _referentiel_data(client, **{field: typed}))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]  # said once, next to the field
    assert Referentiel.objects.filter(actif=True).values().get() == before


def test_every_bound_is_a_validator_of_its_field():
    from plie.referentiel.models import BORNES

    for field, (low, high) in BORNES.items():
        validators = Referentiel._meta.get_field(field).validators
        limits = {type(v).__name__: v.limit_value for v in validators if hasattr(v, "limit_value")}
        assert (limits.get("MinValueValidator"), limits.get("MaxValueValidator")) == (low, high), field


# --- French decimals ---------------------------------------------------------------------------

DECIMALS = [
    ("1 000,00", Decimal("1000.00")),
    ("1\u00a0000,00", Decimal("1000.00")),
    ("1\u202f000,00", Decimal("1000.00")),
    ("1000,5", Decimal("1000.5")),
    ("1000.5", Decimal("1000.5")),
    (" 46,32313 ", Decimal("46.32313")),
    ("-0,45877", Decimal("-0.45877")),
]
BAD_DECIMALS = ["1,000.50", "1.000,50", "abc", "1..2", "NaN", "Infinity", "1e309", "12 , 5,"]


@pytest.mark.parametrize(("typed", "value"), DECIMALS)
def test_french_decimals_are_read_as_typed(typed, value):
    assert DecimalFrField(max_digits=10, decimal_places=5).clean(typed) == value


@pytest.mark.parametrize("typed", BAD_DECIMALS)
def test_what_is_no_number_is_refused_in_french(typed):
    with pytest.raises(forms.ValidationError) as excinfo:
        DecimalFrField(max_digits=10, decimal_places=5).clean(typed)
    assert excinfo.value.messages[0].startswith(("Saisissez un nombre.", "Assurez-vous"))
    with pytest.raises(ValueError):
        lire_decimal(typed) if typed != "1e309" else lire_decimal("x")


@pytest.mark.parametrize("typed", ["1 000,00", "1\u00a0000,00", "1\u202f000,00", "1000,5", "1000.5"])
def test_the_referentiel_budget_reads_french_decimals(named, client_for, typed):
    client = client_for(named.coordination)
    response = client.post("/referentiel/modifier/", _referentiel_data(client, budget_ateliers_par_etp=typed))
    assert response.status_code == 302, response.context["form"].errors
    assert Referentiel.objects.active().budget_ateliers_par_etp == lire_decimal(typed)


@pytest.mark.parametrize("typed", ["46,5", "46.5", "46,50000", " 46,5 "])
def test_the_commune_coordinates_read_french_decimals(named, communes, client_for, typed):
    client = client_for(named.coordination)
    response = client.post(
        "/territoire/79191/", {"latitude": typed, "longitude": "-0,4", **instantane(client, "/territoire/79191/")}
    )
    assert response.status_code == 302
    assert Commune.objects.get(insee="79191").latitude == Decimal("46.5")


def test_every_decimal_form_field_of_ours_reads_french_decimals():
    from django.contrib import admin

    from plie.accounts.postes_views import PosteForm
    from plie.referentiel.forms import ReferentielForm
    from plie.territoire.forms import CommuneCentroidForm

    for form_class in (ReferentielForm, CommuneCentroidForm, InvitationForm, PosteForm, PrescriptionForm):
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.DecimalField):
                assert isinstance(field, DecimalFrField), (form_class.__name__, name)
    for model, model_admin in admin.site._registry.items():
        if any(isinstance(f, models.DecimalField) for f in model._meta.fields):
            overrides = model_admin.formfield_overrides.get(models.DecimalField, {})
            assert overrides.get("form_class") is DecimalFrField, model._meta.label
    for inline in admin.site._registry[apps.get_model("accounts", "User")].inlines:
        if any(isinstance(f, models.DecimalField) for f in inline.model._meta.fields):
            assert inline.formfield_overrides.get(models.DecimalField, {}).get("form_class") is DecimalFrField
