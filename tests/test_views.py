"""The pages, as each role uses them: parcours, transitions, home pages, référentiel, territoire, login."""

import datetime
import re
from html import unescape

import pytest
from django import forms
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from parcours.models import Etat, Parcours, TransitionParcours
from plie.accounts.models import Role
from plie.referentiel.forms import ReferentielForm
from plie.referentiel.models import Referentiel
from plie.territoire.models import Commune
from tests.factories import (
    PASSWORD,
    ParcoursFactory,
    ParticipantFactory,
    PrescriptionFactory,
    ReferentFactory,
    UserFactory,
)
from tests.snapshots import instantane


def page(client, url, status=200):
    """GET ``url``, check the status, return the HTML (unknown template variables raise, see conftest)."""
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def field_block(content, name):
    """The HTML of one crispy field: from its wrapper to the next field's wrapper (or the form's end)."""
    start = content.find(f'id="div_id_{name}"')
    assert start != -1, f"field {name} not rendered"
    ends = [i for i in (content.find('id="div_id_', start + 1), content.find("</form>", start)) if i != -1]
    return content[start : min(ends)]


def field_value(block, name):
    """The value an <input> or a <textarea> of a field block shows."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', block)
    if match:
        return match.group(1)
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', block, re.S)
    assert match, f"no value rendered for {name}"
    return match.group(1).strip()


NAME = "VAUTRIN-LACOMBE Ysaline"


# --- sensitive data on the parcours page -----------------------------------------------------

PHONE = re.compile(r"6\W?12\W?34\W?56\W?78")  # +33612345678 or 06 12 34 56 78, however it is shown
ADDRESS = "12 rue des Tanneurs"
MOTIF = "Note confidentielle"


@pytest.fixture
def sensitive_parcours(named):
    """A parcours with disability data (RQTH), contact details and a motif in its log."""
    parcours = ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=named.referent_a,
        prescripteur=named.prescripteur,
        participant=ParticipantFactory(
            nom_usage="Keraudren",
            prenoms="Maëlys",
            criteres=["rqth", "brsa"],
            adresse=ADDRESS,
            code_postal="79000",
            telephone_mobile="+33612345678",
        ),
    )
    parcours.proposer_sortie(
        by=named.referent_a, date_sortie_prevue=parcours.date_entree + datetime.timedelta(days=90), motif=MOTIF
    )
    return parcours


@pytest.mark.parametrize("who", ["referent_a", "coordination"])
def test_sensitive_data_shown_to_referent_and_coordination(named, sensitive_parcours, client_for, who):
    content = page(client_for(getattr(named, who)), f"/parcours/{sensitive_parcours.pk}/")
    assert "RQTH" in content
    assert "Bénéficiaire du RSA (BRSA)" in content
    assert "Travailleur handicapé (RQTH / BOETH)" in content
    assert PHONE.search(content)
    assert ADDRESS in content
    assert MOTIF in content


@pytest.mark.parametrize("who", ["prescripteur", "bureau_insertion"])
def test_sensitive_data_hidden_from_prescripteurs(named, sensitive_parcours, client_for, who):
    content = page(client_for(getattr(named, who)), f"/parcours/{sensitive_parcours.pk}/")
    assert escape("KERAUDREN Maëlys") in content  # the page itself is shown
    assert "Proposer la sortie" in content  # so is the step in the log, without its motif
    assert "Bénéficiaire du RSA (BRSA)" in content  # non-sensitive criteria are listed
    assert "RQTH" not in content
    assert "handicap" not in content.lower()
    assert not PHONE.search(content)
    assert ADDRESS not in content
    assert MOTIF not in content


def test_refusal_motif_hidden_from_prescripteur(named, client_for):
    parcours = ParcoursFactory(etat=Etat.PRESCRIT, prescripteur=named.prescripteur)
    parcours.refuser(by=named.coordination, motif="Situation de santé incompatible")
    assert "Situation de santé incompatible" not in page(client_for(named.prescripteur), f"/parcours/{parcours.pk}/")
    assert "Situation de santé incompatible" in page(client_for(named.coordination), f"/parcours/{parcours.pk}/")


def test_detail_page_offers_only_allowed_actions(named, client_for):
    url = f"/parcours/{named.parcours.pk}/"
    action = f'href="/parcours/{named.parcours.pk}/action/'
    referent = page(client_for(named.referent_a), url)
    assert f"{action}proposer_sortie/" in referent
    assert f"{action}mettre_en_veille/" not in referent
    coordination = page(client_for(named.coordination), url)
    assert f"{action}mettre_en_veille/" in coordination
    assert f"{action}proposer_sortie/" in coordination
    assert action not in page(client_for(named.prescripteur), url)


# --- transitions ------------------------------------------------------------------------------


def test_coordination_orients_a_prescription(named, client_for):
    parcours = ParcoursFactory(etat=Etat.PRESCRIT, prescripteur=named.prescripteur)
    url = f"/parcours/{parcours.pk}/action/orienter/"
    client = client_for(named.coordination)
    content = page(client, url)
    assert escape(named.referent_a.get_full_name()) in content
    today = timezone.localdate()
    response = client.post(url, {"referent": named.referent_a.pk, "date": today.isoformat(), "motif": ""})
    assert response.status_code == 302
    assert response["Location"] == f"/parcours/{parcours.pk}/"
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ORIENTE
    assert parcours.referent == named.referent_a
    assert parcours.date_orientation == today
    log = TransitionParcours.objects.get(parcours=parcours)
    assert (log.transition, log.etat_avant, log.etat_apres, log.auteur) == (
        "orienter",
        Etat.PRESCRIT,
        Etat.ORIENTE,
        named.coordination,
    )
    assert "c&#x27;est enregistré" in page(client, response["Location"])
    # The référent now sees the parcours.
    assert page(client_for(named.referent_a), f"/parcours/{parcours.pk}/")


def test_referent_proposes_the_exit(named, client_for):
    parcours = named.parcours
    url = f"/parcours/{parcours.pk}/action/proposer_sortie/"
    client = client_for(named.referent_a)
    assert "Proposer la sortie" in page(client, url)
    date = parcours.date_entree + datetime.timedelta(days=60)
    response = client.post(url, {"date_sortie_prevue": date.isoformat(), "motif": "Embauche en CDI"})
    assert response.status_code == 302
    parcours.refresh_from_db()
    assert parcours.etat == Etat.SORTIE_PROPOSEE
    assert parcours.date_sortie_prevue == date
    log = TransitionParcours.objects.get(parcours=parcours)
    assert (log.transition, log.auteur, log.motif) == ("proposer_sortie", named.referent_a, "Embauche en CDI")


def test_french_date_format_is_accepted(named, client_for):
    parcours = named.parcours
    date = parcours.date_entree + datetime.timedelta(days=30)
    response = client_for(named.referent_a).post(
        f"/parcours/{parcours.pk}/action/proposer_sortie/",
        {"date_sortie_prevue": date.strftime("%d/%m/%Y"), "motif": "Formation qualifiante"},
    )
    assert response.status_code == 302
    parcours.refresh_from_db()
    assert parcours.date_sortie_prevue == date


@pytest.mark.parametrize("who", ["referent_b", "prescripteur", "financeur", "operateur", "bureau_insertion"])
def test_transition_refused_to_others_get_and_post(named, client_for, who):
    url = f"/parcours/{named.parcours.pk}/action/proposer_sortie/"
    client = client_for(getattr(named, who))
    assert client.get(url).status_code == 404
    date = named.parcours.date_entree + datetime.timedelta(days=60)
    assert client.post(url, {"date_sortie_prevue": date.isoformat(), "motif": "Tentative"}).status_code == 404
    named.parcours.refresh_from_db()
    assert named.parcours.etat == Etat.ACCOMPAGNEMENT
    assert not named.parcours.transitions.exists()


@pytest.mark.parametrize(
    ("who", "name"),
    [
        pytest.param("coordination", "inconnue", id="unknown-name"),
        pytest.param("coordination", "valider_sortie", id="coordination-not-from-this-state"),
        pytest.param("coordination", "orienter", id="coordination-orienter-already-oriented"),
        pytest.param("referent_a", "accueillir", id="referent-not-from-this-state"),
        pytest.param("referent_a", "mettre_en_veille", id="referent-not-an-actor"),
        pytest.param("referent_a", "changer_referent", id="referent-cannot-change-referent"),
    ],
)
def test_transition_unavailable_is_404(named, client_for, who, name):
    client = client_for(getattr(named, who))
    url = f"/parcours/{named.parcours.pk}/action/{name}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"motif": "x", "date": timezone.localdate().isoformat()}).status_code == 404
    named.parcours.refresh_from_db()
    assert named.parcours.etat == Etat.ACCOMPAGNEMENT


def test_transition_on_missing_parcours_is_404(named, client_for):
    assert client_for(named.coordination).get("/parcours/999999/action/orienter/").status_code == 404
    assert client_for(named.coordination).get("/parcours/999999/").status_code == 404


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        pytest.param({"date_sortie_prevue": "", "motif": "Motif tapé à la main"}, "date_sortie_prevue", id="date"),
        pytest.param({"date_sortie_prevue": "{date}", "motif": "   "}, "motif", id="motif"),
    ],
)
def test_missing_field_rerenders_with_french_error(named, client_for, data, missing):
    parcours = named.parcours
    date = (parcours.date_entree + datetime.timedelta(days=60)).isoformat()
    data = {key: value.format(date=date) for key, value in data.items()}
    response = client_for(named.referent_a).post(f"/parcours/{parcours.pk}/action/proposer_sortie/", data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ce champ est obligatoire." in field_block(content, missing)
    if missing == "date_sortie_prevue":
        assert field_value(field_block(content, "motif"), "motif") == "Motif tapé à la main"
    else:
        assert field_value(field_block(content, "date_sortie_prevue"), "date_sortie_prevue") == date
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT
    assert not TransitionParcours.objects.exists()


def test_guard_failure_rerenders_with_domain_message(named, client_for):
    parcours = named.parcours
    before = parcours.date_entree - datetime.timedelta(days=1)
    response = client_for(named.referent_a).post(
        f"/parcours/{parcours.pk}/action/proposer_sortie/",
        {"date_sortie_prevue": before.isoformat(), "motif": "Sortie anticipée"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    message = f"La sortie ne peut précéder l&#x27;entrée du {parcours.date_entree:%d/%m/%Y}."
    assert message in field_block(content, "date_sortie_prevue")
    assert field_value(field_block(content, "motif"), "motif") == "Sortie anticipée"
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT
    assert parcours.date_sortie_prevue is None
    assert not TransitionParcours.objects.exists()
    assert parcours.history.count() == 1  # only the creation


def test_orienter_to_an_inactive_referent_is_refused(named, client_for):
    parcours = ParcoursFactory(etat=Etat.PRESCRIT)
    vacant = ReferentFactory()
    profile = vacant.referent_profile
    profile.actif = False
    profile.date_vacance = timezone.localdate()
    profile.save()
    response = client_for(named.coordination).post(
        f"/parcours/{parcours.pk}/action/orienter/",
        {"referent": vacant.pk, "date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in field_block(response.content.decode(), "referent")
    parcours.refresh_from_db()
    assert parcours.etat == Etat.PRESCRIT
    assert parcours.referent is None


# --- home pages -------------------------------------------------------------------------------


def test_home_coordination_counts_and_referents_load(named, client_for):
    ParcoursFactory(etat=Etat.PRESCRIT)
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
        etat=Etat.PRESCRIT, participant=ParticipantFactory(nom_usage="Keraudren", prenoms="Maëlys", criteres=["brsa"])
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
    # Two people: every count is under statistical secrecy (tests/test_aggregates.py).
    assert f"<tr><td>{escape(Etat.ACCOMPAGNEMENT.label)}</td><td>&lt; 5</td></tr>" in content
    assert f"<tr><td>{escape(Etat.ORIENTE.label)}</td><td>&lt; 5</td></tr>" in content
    assert f"<tr><td>{escape(Etat.VEILLE.label)}</td><td>0</td></tr>" in content
    assert "<td>Total</td><td>&lt; 5</td>" in content
    for name in ("VAUTRIN", "Ysaline", "KERAUDREN", "Maëlys"):
        assert name not in content
    assert escape(named.referent_a.get_full_name()) not in content


# --- référentiel ------------------------------------------------------------------------------


def referentiel_post_data(referentiel, **changes):
    """What the edit form posts when nothing is touched, with ``changes`` typed in."""
    form = ReferentielForm(instance=referentiel)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list) and not isinstance(form.fields[name], forms.MultipleChoiceField):
            value = "\n".join(str(item) for item in value)
        elif value is None:
            value = ""
        data[name] = value
    data.update(changes)
    return data


def test_referentiel_detail_shows_the_rules(named, communes, client_for):
    content = page(client_for(named.referent_a), "/referentiel/")
    assert "PLIE du Niortais" in content
    assert "40 communes" in content
    assert 'href="/referentiel/modifier/"' not in content
    assert 'href="/referentiel/modifier/"' in page(client_for(named.coordination), "/referentiel/")


def test_referentiel_edit_page_shows_current_values(named, client_for):
    content = page(client_for(named.coordination), "/referentiel/modifier/")
    assert field_value(field_block(content, "rythme_intervalle_jours"), "rythme_intervalle_jours") == "30"
    assert field_value(field_block(content, "epci_sirens"), "epci_sirens") == "200041317"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            {"rythme_initial_intervalle_jours": "40"},
            "rythme_initial_intervalle_jours",
            "Le rythme de la phase initiale doit être au moins aussi soutenu que le rythme ensuite (30 jours).",
            id="rythme-initial-longer",
        ),
        pytest.param(
            {"capacite_annuelle_max_par_etp": "60"},
            "capacite_annuelle_max_par_etp",
            "Le maximum annuel doit être supérieur ou égal au minimum (70).",
            id="capacite-max-below-min",
        ),
        pytest.param(
            {"veille_renouvellements_max": "2", "veille_duree_max_mois": ""},
            "veille_renouvellements_max",
            "Un nombre de renouvellements n'a de sens qu'avec une durée maximale de veille.",
            id="veille-renewals-without-duration",
        ),
        pytest.param(
            {"epci_sirens": "200041317\n1234"},
            "epci_sirens",
            "Chaque EPCI est désigné par son SIREN à 9 chiffres.",
            id="bad-siren",
        ),
    ],
)
def test_referentiel_incoherent_values_are_refused(named, client_for, changes, field, message):
    referentiel = Referentiel.objects.active()
    before = Referentiel.objects.filter(pk=referentiel.pk).values().get()
    history = referentiel.history.count()
    response = client_for(named.coordination).post(
        "/referentiel/modifier/", referentiel_post_data(referentiel, **changes)
    )
    assert response.status_code == 200
    block = field_block(response.content.decode(), field)
    assert escape(message) in block
    assert field_value(block, field) == changes[field]
    assert Referentiel.objects.filter(pk=referentiel.pk).values().get() == before
    assert referentiel.history.count() == history


def test_referentiel_valid_post_saves_with_history(named, client_for):
    referentiel = Referentiel.objects.active()
    history = referentiel.history.count()
    data = referentiel_post_data(
        referentiel,
        file_active_par_etp="45",
        veille_duree_max_mois="6",
        veille_renouvellements_max="1",
        categories_depenses_ateliers="Frais de déplacement\n\nPrestations extérieures\n",
    )
    client = client_for(named.coordination)
    response = client.post("/referentiel/modifier/", data)
    assert response.status_code == 302
    assert response["Location"] == "/referentiel/"
    referentiel.refresh_from_db()
    assert referentiel.file_active_par_etp == 45
    assert (referentiel.veille_duree_max_mois, referentiel.veille_renouvellements_max) == (6, 1)
    assert referentiel.categories_depenses_ateliers == ["Frais de déplacement", "Prestations extérieures"]
    assert referentiel.epci_sirens == ["200041317"]  # untouched values survive the round trip
    assert referentiel.budget_ateliers_par_etp == 1000
    assert referentiel.history.count() == history + 1
    assert referentiel.history.first().history_user == named.coordination
    content = page(client, "/referentiel/")
    assert "Le référentiel est enregistré." in content
    assert escape(named.coordination.get_full_name()) in content


def test_referentiel_unchanged_post_keeps_every_value(named, client_for):
    referentiel = Referentiel.objects.active()
    before = Referentiel.objects.filter(pk=referentiel.pk).values().get()
    response = client_for(named.coordination).post("/referentiel/modifier/", referentiel_post_data(referentiel))
    assert response.status_code == 302
    assert Referentiel.objects.filter(pk=referentiel.pk).values().get() == before


# --- territoire -------------------------------------------------------------------------------


def commune_names(content):
    return {unescape(name) for name in re.findall(r"<tr>\s*<td>([^<]+)</td><td>\d{5}</td>", content)}


@pytest.fixture
def coordination_client(named, communes, client_for):
    return client_for(named.coordination)


def test_territoire_lists_the_referentiel_communes(coordination_client):
    names = commune_names(page(coordination_client, "/territoire/"))
    assert len(names) == 40
    assert {"Niort", "Chauray", "Amuré"} <= names
    assert "Périers-sur-le-Dan" not in names  # Caen's territory


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("q=chauray", {"Chauray"}, id="name-any-case"),
        pytest.param("q=79180", {"Chauray"}, id="postcode"),
        pytest.param("q=79160", {"Villiers-en-Plaine"}, id="other-postcode"),
        pytest.param("q=79191", {"Niort"}, id="insee"),
        pytest.param("q=Saint-G", {"Saint-Gelais", "Saint-Georges-de-Rex"}, id="partial-name"),
    ],
)
def test_territoire_search(coordination_client, query, expected):
    assert commune_names(page(coordination_client, f"/territoire/?{query}")) == expected


def test_territoire_filter_without_coordinates(coordination_client):
    names = commune_names(page(coordination_client, "/territoire/?sans_coordonnees=on"))
    assert names == set(
        Commune.objects.filter(epci_siren="200041317", latitude__isnull=True).values_list("nom", flat=True)
    )
    assert "Amuré" in names
    assert "Niort" not in names
    names = commune_names(page(coordination_client, "/territoire/?q=79210&sans_coordonnees=on"))
    assert names == {"Amuré", "Le Bourdet", "Prin-Deyrançon", "Saint-Georges-de-Rex"}


def test_territoire_edit_saves_coordinates(coordination_client):
    response = coordination_client.post(
        "/territoire/79009/",
        {"latitude": "46.26752", "longitude": "-0.61453", **instantane(coordination_client, "/territoire/79009/")},
    )
    assert response.status_code == 302
    assert response["Location"] == "/territoire/"
    amure = Commune.objects.get(insee="79009")
    assert (str(amure.latitude), str(amure.longitude)) == ("46.26752", "-0.61453")
    assert "Amuré" not in commune_names(page(coordination_client, "/territoire/?sans_coordonnees=on"))


def test_territoire_edit_accepts_a_decimal_comma(coordination_client):
    response = coordination_client.post(
        "/territoire/79009/",
        {"latitude": "46,26752", "longitude": "-0,61453", **instantane(coordination_client, "/territoire/79009/")},
    )
    assert response.status_code == 302
    amure = Commune.objects.get(insee="79009")
    assert (str(amure.latitude), str(amure.longitude)) == ("46.26752", "-0.61453")


def test_territoire_edit_can_clear_both_coordinates(coordination_client):
    response = coordination_client.post(
        "/territoire/79191/", {"latitude": "", "longitude": "", **instantane(coordination_client, "/territoire/79191/")}
    )
    assert response.status_code == 302
    assert not Commune.objects.get(insee="79191").has_centroid


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(
            {"latitude": "95", "longitude": "-0.4"}, "latitude", "La latitude est comprise entre -90 et 90.", id="lat95"
        ),
        pytest.param(
            {"latitude": "46.3", "longitude": "-190"},
            "longitude",
            "La longitude est comprise entre -180 et 180.",
            id="lon-190",
        ),
        pytest.param(
            {"latitude": "46.3", "longitude": ""},
            None,
            "Indiquez la latitude et la longitude, ou aucune des deux.",
            id="latitude-only",
        ),
        pytest.param(
            {"latitude": "", "longitude": "-0.4"},
            None,
            "Indiquez la latitude et la longitude, ou aucune des deux.",
            id="longitude-only",
        ),
    ],
)
@pytest.mark.parametrize("insee", ["79009", "79191"], ids=["without-centroid", "with-centroid"])
def test_territoire_edit_refuses_bad_coordinates(coordination_client, data, field, message, insee):
    before = Commune.objects.filter(insee=insee).values("latitude", "longitude").get()
    response = coordination_client.post(f"/territoire/{insee}/", data)
    assert response.status_code == 200
    content = response.content.decode()
    assert escape(message) in (field_block(content, field) if field else content)
    if field:
        assert field_value(field_block(content, field), field) == data[field]
    assert Commune.objects.filter(insee=insee).values("latitude", "longitude").get() == before


def test_territoire_unknown_commune_is_404(coordination_client):
    assert coordination_client.get("/territoire/00000/").status_code == 404


# --- login, logout, password reset ------------------------------------------------------------


@pytest.fixture
def account(db):
    """A role without a compulsory second factor: these tests are about the password step."""
    return UserFactory(role=Role.PRESCRIPTEUR, email="claire.martin@exemple.fr")


def test_login_with_email_in_another_case(account):
    client = Client()
    response = client.post("/compte/connexion/", {"username": "Claire.MARTIN@Exemple.FR", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(account.pk)
    assert client.get("/").status_code == 200


def test_login_follows_next(account):
    client = Client()
    response = client.post(
        "/compte/connexion/?next=/parcours/",
        {"username": account.email, "password": PASSWORD, "next": "/parcours/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/parcours/"


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param("claire.martin@exemple.fr", "mauvais-mot-de-passe", id="wrong-password"),
        pytest.param("personne@exemple.fr", PASSWORD, id="unknown-email"),
    ],
)
def test_login_failure_says_so_in_french(account, email, password):
    client = Client()
    response = client.post("/compte/connexion/", {"username": email, "password": password})
    assert response.status_code == 200
    assert "Adresse email ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_account_cannot_log_in(account):
    account.is_active = False
    account.save()
    client = Client()
    response = client.post("/compte/connexion/", {"username": account.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logged_in_user_is_sent_home_from_login_page(account, client_for):
    response = client_for(account).get("/compte/connexion/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logout_is_a_post(account, client_for):
    client = client_for(account)
    assert client.get("/compte/deconnexion/").status_code == 405
    assert client.get("/").status_code == 200  # still logged in
    response = client.post("/compte/deconnexion/")
    assert response.status_code == 302
    assert response["Location"] == "/compte/connexion/"
    assert client.get("/")["Location"] == "/compte/connexion/?next=/"


RESET_LINK = re.compile(r"https?://testserver(/compte/mot-de-passe/nouveau/[\w-]+/[\w-]+/)")


def request_reset(email):
    response = Client().post("/compte/mot-de-passe/oublie/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/compte/mot-de-passe/oublie/envoye/"


def test_password_reset_flow(account, mailoutbox):
    request_reset("CLAIRE.martin@exemple.fr")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [account.email]
    assert message.subject == "Plateforme PLIE : choisir un nouveau mot de passe"
    assert "Bonjour" in message.body
    assert "nouveau mot de passe" in message.body
    link = RESET_LINK.search(message.body)
    assert link, message.body

    client = Client()
    response = client.get(link.group(1))
    assert response.status_code == 302  # Django hides the token behind a redirect
    form_url = response["Location"]
    assert "Choisissez un nouveau mot de passe" in page(client, form_url)

    short = "Kx7#qLp2"
    response = client.post(form_url, {"new_password1": short, "new_password2": short})
    assert response.status_code == 200
    assert "Ce mot de passe est trop court pour ses types de caractères : estimé à 53 bits" in response.content.decode()
    account.refresh_from_db()
    assert account.check_password(PASSWORD)

    new = "Nouveau-secret-Tanneurs-79"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert response["Location"] == "/compte/mot-de-passe/nouveau/termine/"
    account.refresh_from_db()
    assert account.check_password(new)
    assert not account.check_password(PASSWORD)

    # The link served once.
    response = Client().get(link.group(1), follow=True)
    assert "Lien invalide" in response.content.decode()
    # And the new password opens the door.
    login = Client()
    assert login.post("/compte/connexion/", {"username": account.email, "password": new}).status_code == 302


def test_password_reset_for_unknown_email_sends_nothing(account, mailoutbox):
    request_reset("inconnu@exemple.fr")
    assert mailoutbox == []
