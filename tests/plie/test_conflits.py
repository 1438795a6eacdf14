"""A second save never silently overwrites a first one (plie/conflits.py), on every edit form.

Two people open the same form; the first saves; the second's save is refused with what the first
changed, keeps what the second typed, leaves the first save in the database; the second resubmits
after reading, and that saves.
"""

from dataclasses import dataclass
from html import unescape

import pytest
from django import forms

from parcours.models import Etape
from plie.accounts.models import Role
from plie.conflits import SNAPSHOT_FIELD
from plie.referentiel.forms import LinesField
from plie.referentiel.models import Referentiel
from plie.territoire.models import Commune, RessourceTerritoire
from prescriptions.models import Prescription
from tests.factories import EtapeFactory, PrescriptionFactory, UserFactory

CONFLICT = "Quelqu'un d'autre a modifié cette fiche pendant que vous la modifiiez"
UNVERIFIED = "Le formulaire n'a pas pu être vérifié"


def posted(form, **changes):
    """What the browser sends back for ``form`` as it is shown, with ``changes`` typed in."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, LinesField) and isinstance(value, list):
            value = "\n".join(str(item) for item in value)
        elif isinstance(field, forms.BooleanField):
            if not value or value in ("False", "false"):
                continue
            value = "on"
        elif value is None:
            value = ""
        data[name] = value
    data.update(changes)
    return data


@dataclass
class Case:
    url: str
    first: dict  # what the first person types
    second: dict  # what the second person types (one field in common with the first)
    field: str  # the field in common
    label: str  # its label, as the conflict message names it
    shown: tuple  # (value seen, value saved by the first) as the message shows them
    extra: dict  # what else the form posts (the submit button)
    stored: tuple  # the field in the database after the first save, then after the second

    def value(self, obj):
        return str(getattr(obj, self.field))


@pytest.fixture
def case(request, named, communes):
    kind = request.param
    if kind == "referentiel":
        other = UserFactory(role=Role.COORDINATION, first_name="Gaëlle", last_name="Quéméner")
        return (
            Case(
                url="/referentiel/modifier/",
                first={"duree_entretien_minutes": "90"},
                second={"duree_entretien_minutes": "45", "file_active_par_etp": "38"},
                field="duree_entretien_minutes",
                label="Durée moyenne d'un entretien (minutes)",
                shown=("60", "90"),
                extra={},
                stored=("90", "45"),
            ),
            other,
            named.coordination,
            lambda: Referentiel.objects.active(),
        )
    if kind == "commune":
        other = UserFactory(role=Role.COORDINATION, first_name="Gaëlle", last_name="Quéméner")
        return (
            Case(
                url="/territoire/79191/",
                first={"latitude": "46,3", "longitude": "-0,4"},
                second={"latitude": "46,1", "longitude": "-0,45877"},
                field="latitude",
                label="Latitude",
                shown=("46,32313", "46,30000"),
                extra={},
                stored=("46.30000", "46.10000"),
            ),
            other,
            named.coordination,
            lambda: Commune.objects.get(insee="79191"),
        )
    if kind == "ressource":
        other = UserFactory(role=Role.COORDINATION, first_name="Gaëlle", last_name="Quéméner")
        ressource = RessourceTerritoire.objects.get(nom="Plateforme mobilité")  # from Niort's preset
        return (
            Case(
                url=f"/ressources/{ressource.pk}/",
                first={"nom": "Plateforme mobilité du Niortais"},
                second={"nom": "Plateforme de mobilité", "contact": "05 49 00 00 00"},
                field="nom",
                label="Nom",
                shown=("Plateforme mobilité", "Plateforme mobilité du Niortais"),
                extra={},
                stored=("Plateforme mobilité du Niortais", "Plateforme de mobilité"),
            ),
            other,
            named.coordination,
            lambda: RessourceTerritoire.objects.get(pk=ressource.pk),
        )
    if kind == "etape":
        other = UserFactory(role=Role.COORDINATION, first_name="Gaëlle", last_name="Quéméner")
        etape = EtapeFactory(parcours=named.parcours, commentaire="Premier jet.")
        return (
            Case(
                url=f"/parcours/{named.parcours.pk}/etapes/{etape.pk}/",
                first={"commentaire": "Version du matin."},
                second={"commentaire": "Version de l'après-midi.", "type": "immersion"},
                field="commentaire",
                label="Commentaire",
                shown=("Premier jet.", "Version du matin."),
                extra={},
                stored=("Version du matin.", "Version de l'après-midi."),
            ),
            other,
            named.referent_a,
            lambda: Etape.objects.get(pk=etape.pk),
        )
    prescripteur = named.prescripteur
    prescripteur.first_name, prescripteur.last_name = "Gaëlle", "Quéméner"
    prescripteur.save()
    draft = PrescriptionFactory(brouillon=True, prescripteur=prescripteur, motifs="Premier jet.")
    return (
        Case(
            url=f"/prescriptions/{draft.pk}/modifier/",
            first={"motifs": "Version du matin."},
            second={"motifs": "Version de l'après-midi.", "prenoms": "Awa Marie"},
            field="motifs",
            label="Motifs de la prescription",
            shown=("Premier jet.", "Version du matin."),
            extra={"brouillon": "1"},
            stored=("Version du matin.", "Version de l'après-midi."),
        ),
        prescripteur,  # the same person in two tabs
        prescripteur,
        lambda: Prescription.objects.get(pk=draft.pk),
    )


CASES = ["referentiel", "commune", "prescription", "ressource", "etape"]


@pytest.mark.parametrize("case", CASES, indirect=True)
def test_second_save_is_refused_with_the_other_change_then_saves(case, client_for):
    case, first_user, second_user, current = case
    first, second = client_for(first_user), client_for(second_user)
    first_form = first.get(case.url).context["form"]
    second_form = second.get(case.url).context["form"]

    response = first.post(case.url, posted(first_form, **case.first, **case.extra))
    assert response.status_code == 302, response.context and response.context["form"].errors

    response = second.post(case.url, posted(second_form, **case.second, **case.extra))
    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert CONFLICT in content
    assert "Gaëlle Quéméner" in content  # who saved first, from the history
    before, after = case.shown
    assert f"{case.label} : {before} → {after}" in content
    assert "Corrigez les champs signalés" not in content  # nothing to correct: something to read
    form = response.context["form"]
    for name, typed in case.second.items():  # every value typed by the second person stays
        assert str(form[name].value()) == typed
    assert case.value(current()) == case.stored[0]  # the first save stands

    response = second.post(case.url, posted(form, **case.extra))  # after reading, confirmed
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert case.value(current()) == case.stored[1]


@pytest.mark.parametrize("case", CASES, indirect=True)
def test_a_change_elsewhere_in_the_row_is_no_conflict_and_is_kept(case, client_for):
    case, _first_user, second_user, current = case
    client = client_for(second_user)
    form = client.get(case.url).context["form"]
    obj = current()
    type(obj).objects.filter(pk=obj.pk).update(**{_untouched_field(obj): _untouched_value(obj)})

    response = client.post(case.url, posted(form, **case.second, **case.extra))

    assert response.status_code == 302
    obj = current()
    assert getattr(obj, _untouched_field(obj)) == _untouched_value(obj)
    assert case.value(obj) == case.stored[1]


def _untouched_field(obj):
    # A column none of the three forms edits.
    return {
        "referentiel": "code",
        "commune": "epci_nom",
        "prescription": "question_complement",
        "ressourceterritoire": "active",
        "etape": "cree_par",
    }[obj._meta.model_name]


def _untouched_value(obj):
    return {
        "referentiel": "niort-bis",
        "commune": "CA du Niortais (nouveau nom)",
        "prescription": "Une question ?",
        "ressourceterritoire": False,
        "etape": None,
    }[obj._meta.model_name]


@pytest.mark.parametrize("case", CASES, indirect=True)
@pytest.mark.parametrize(
    "snapshot", ["", "nimporte-quoi", "eyJ4IjoxfQ:1abc:forged", None], ids=["empty", "junk", "forged", "missing"]
)
def test_a_tampered_snapshot_is_refused_without_error(case, client_for, snapshot):
    case, _first_user, second_user, current = case
    client = client_for(second_user)
    form = client.get(case.url).context["form"]
    before = case.value(current())
    data = posted(form, **case.second, **case.extra)
    if snapshot is None:
        del data[SNAPSHOT_FIELD]
    else:
        data[SNAPSHOT_FIELD] = snapshot

    response = client.post(case.url, data)

    assert response.status_code == 200
    assert UNVERIFIED in unescape(response.content.decode())
    assert case.value(current()) == before
    for name, typed in case.second.items():
        assert str(response.context["form"][name].value()) == typed
    # Read, then confirmed: the fresh snapshot lets the save through.
    assert client.post(case.url, posted(response.context["form"], **case.extra)).status_code == 302


def test_a_snapshot_of_another_row_is_refused(named, communes, client_for):
    client = client_for(named.coordination)
    other_form = client.get("/territoire/79081/").context["form"]
    form = client.get("/territoire/79191/").context["form"]
    data = posted(form, latitude="46,1")
    data[SNAPSHOT_FIELD] = other_form[SNAPSHOT_FIELD].value()

    response = client.post("/territoire/79191/", data)

    assert UNVERIFIED in unescape(response.content.decode())
    assert str(Commune.objects.get(insee="79191").latitude) == "46.32313"
