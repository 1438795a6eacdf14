"""Invitations: the coordination invites a person of any role by email, who activates their account once.

Who may open each page (the personas), the email and its link, the link's life (expiry, renewal,
cancellation, single use), the account it creates, and the French answers to bad input.
"""

import datetime
import hashlib
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from plie.accounts import invitations
from plie.accounts.models import (
    INVITATION_VALIDITY,
    Invitation,
    InvitationStatut,
    PrescripteurKind,
    Role,
    Structure,
    StructureType,
    User,
)
from tests.conftest import Personas, verified_login
from tests.factories import StructureFactory, UserFactory

ALL_PERSONAS = list(Personas.NAMES)
COORDINATION_PAGES = [
    "/compte/invitations/",
    "/compte/invitations/nouvelle/",
    "/compte/invitations/{pk}/renvoyer/",
    "/compte/invitations/{pk}/annuler/",
]
LINK = re.compile(r"https?://[^/\s]+(/compte/activer/([\w-]+)/)")
PASSWORD = "Nouveau-secret-Tanneurs-79"
ACTIVATION_PAGE = "/compte/activer/"


@pytest.fixture
def ccas(db):
    return StructureFactory(prescripteur=True, nom="CCAS de Niort")


@pytest.fixture
def bureau(db):
    return StructureFactory(bureau_insertion=True, nom="Bureau insertion des Deux-Sèvres")


@pytest.fixture
def sent(mailoutbox, django_capture_on_commit_callbacks):
    """Run ``action`` and the after-commit callbacks it queues; return the emails it sent."""

    def run(action, *args, **kwargs):
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = action(*args, **kwargs)
        return result, mailoutbox[before:]

    return run


def invite(sent, structure, email="Lea.Morin@Exemple.fr", **fields):
    """An invitation made through the service; returns it with the path of its activation link."""
    fields = {"first_name": "Léa", "last_name": "Morin", "role": Role.PRESCRIPTEUR, **fields}
    invitation, emails = sent(invitations.inviter, Invitation(email=email, structure=structure, **fields))
    assert len(emails) == 1
    return invitation, link_of(emails[0])


def link_of(message):
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def pending(personas, ccas, sent):
    return invite(sent, ccas)


def form_data(**overrides):
    data = {
        "email": "Lea.Morin@Exemple.fr",
        "first_name": "Léa",
        "last_name": "Morin",
        "role": Role.PRESCRIPTEUR,
        "structure": "",
        "nouvelle_structure_nom": "",
        "nouvelle_structure_type": "",
    }
    data.update(overrides)
    return data


def field_block(content, name):
    """The HTML of one crispy field: from its wrapper to the next field's wrapper (or the form's end)."""
    start = content.find(f'id="div_id_{name}"')
    assert start != -1, f"field {name} not rendered"
    ends = [i for i in (content.find('id="div_id_', start + 1), content.find("</form>", start)) if i != -1]
    return content[start : min(ends)]


def shown_value(block, name):
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', block)
    if match:
        return match.group(1)
    match = re.search(r"<option[^>]*value=\"([^\"]*)\"[^>]*selected", block)
    return match.group(1) if match else ""


def open_link(client, path):
    """Open the emailed link as a browser does: its token goes into the session, the page has none."""
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATION_PAGE
    return client.get(ACTIVATION_PAGE)


def activate(client, path, password1=PASSWORD, password2=None):
    client.get(path)
    return client.post(ACTIVATION_PAGE, {"password1": password1, "password2": password2 or password1})


# --- who may open what ----------------------------------------------------------------------


@pytest.mark.parametrize("path", COORDINATION_PAGES)
@pytest.mark.parametrize("who", ALL_PERSONAS)
def test_coordination_pages_matrix(personas, pending, client_for, who, path):
    invitation, _ = pending
    response = client_for(getattr(personas, who)).get(path.format(pk=invitation.pk))
    assert response.status_code == (200 if who == "coordination" else 403)


@pytest.mark.parametrize("path", COORDINATION_PAGES[2:])
@pytest.mark.parametrize("who", [name for name in ALL_PERSONAS if name != "coordination"])
def test_other_roles_cannot_renew_or_cancel(personas, pending, client_for, sent, who, path):
    invitation, link = pending
    response, emails = sent(client_for(getattr(personas, who)).post, path.format(pk=invitation.pk))
    assert response.status_code == 403
    assert emails == []
    assert Invitation.objects.get(pk=invitation.pk).token_hash == invitation.token_hash


@pytest.mark.parametrize("who", [name for name in ALL_PERSONAS if name != "coordination"])
def test_other_roles_cannot_invite(personas, ccas, client_for, sent, who):
    response, emails = sent(client_for(getattr(personas, who)).post, "/compte/invitations/nouvelle/", form_data())
    assert response.status_code == 403
    assert emails == []
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("path", COORDINATION_PAGES)
def test_anonymous_is_sent_to_login(pending, path):
    url = path.format(pk=pending[0].pk)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/compte/connexion/?next={url}"


def test_anonymous_opens_the_activation_page(pending):
    response = open_link(Client(), pending[1])
    assert response.status_code == 200
    assert "Activez votre compte" in response.content.decode()


@pytest.mark.parametrize("who", ALL_PERSONAS)
def test_navigation_shows_invitations_to_the_coordination_only(personas, client_for, who):
    content = client_for(getattr(personas, who)).get("/").content.decode()
    assert ('href="/compte/invitations/"' in content) is (who == "coordination")


# --- inviting -------------------------------------------------------------------------------


def test_coordination_invites_into_an_existing_structure(personas, ccas, client_for, sent):
    client = client_for(personas.coordination)
    response, emails = sent(client.post, "/compte/invitations/nouvelle/", form_data(structure=ccas.pk))
    assert response.status_code == 302
    assert response["Location"] == "/compte/invitations/"

    invitation = Invitation.objects.get()
    assert invitation.email == "lea.morin@exemple.fr"
    assert (invitation.first_name, invitation.last_name) == ("Léa", "Morin")
    assert invitation.role == Role.PRESCRIPTEUR
    assert invitation.structure == ccas
    assert invitation.invite_par == personas.coordination
    assert invitation.statut == InvitationStatut.EN_ATTENTE
    assert abs(invitation.expire_le - invitation.cree_le - INVITATION_VALIDITY) < datetime.timedelta(seconds=5)

    [message] = emails
    assert message.to == ["lea.morin@exemple.fr"]
    assert message.subject == "Plateforme PLIE : activez votre compte"
    assert "Bonjour Léa" in message.body
    assert "CCAS de Niort" in message.body
    path, token = LINK.search(message.body).groups()
    # Only the token's hash is kept: the link is the one place the token lives.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not Invitation.objects.filter(token_hash=token).exists()

    content = client.get(response["Location"]).content.decode()
    assert "L&#x27;invitation est envoyée à lea.morin@exemple.fr." in content
    assert "Morin" in content
    assert "En attente" in content


def test_email_is_plain_text(personas, sent):
    """A text email: an apostrophe stays an apostrophe, not an HTML entity."""
    structure = StructureFactory(prescripteur=True, nom="CCAS de l'Aiguillon")
    _, emails = sent(
        invitations.inviter,
        Invitation(
            email="a@exemple.fr", first_name="Zoé", last_name="D'Arc", role=Role.PRESCRIPTEUR, structure=structure
        ),
    )
    assert "« CCAS de l'Aiguillon »" in emails[0].body
    assert "&#x27;" not in emails[0].body


def test_coordination_invites_into_a_new_structure(personas, client_for, sent):
    data = form_data(
        role=Role.BUREAU_INSERTION,
        nouvelle_structure_nom="Bureau insertion de Melle",
        nouvelle_structure_type=PrescripteurKind.BUREAU_INSERTION,
    )
    response, emails = sent(client_for(personas.coordination).post, "/compte/invitations/nouvelle/", data)
    assert response.status_code == 302
    assert len(emails) == 1
    structure = Structure.objects.get(nom="Bureau insertion de Melle")
    assert structure.type == StructureType.PRESCRIPTEUR
    assert structure.type_prescripteur == PrescripteurKind.BUREAU_INSERTION
    assert Invitation.objects.get().structure == structure


def test_an_address_whose_invitation_expired_can_be_invited_again(personas, pending, client_for, sent, ccas):
    Invitation.objects.update(cree_le=timezone.now() - datetime.timedelta(days=10), expire_le=timezone.now())
    response, emails = sent(
        client_for(personas.coordination).post, "/compte/invitations/nouvelle/", form_data(structure=ccas.pk)
    )
    assert response.status_code == 302
    assert len(emails) == 1
    assert Invitation.objects.count() == 2


# --- bad input on the invitation form -------------------------------------------------------

BAD_INVITATIONS = {
    "missing-fields": (
        {"email": "", "first_name": "", "last_name": "", "role": ""},
        {"email": "Ce champ est obligatoire.", "first_name": "Ce champ est obligatoire.", "role": "obligatoire"},
    ),
    "malformed-email": ({"email": "lea.morin@"}, {"email": "Saisissez une adresse de courriel valide."}),
    "neither-structure": ({}, {"structure": "Choisissez une structure existante ou créez-en une nouvelle ci-dessous."}),
    "both-structures": (
        {
            "structure": "{ccas}",
            "nouvelle_structure_nom": "Mission Locale du Niortais",
            "nouvelle_structure_type": "ccas",
        },
        {"structure": "pas les deux"},
    ),
    "new-structure-without-type": (
        {"nouvelle_structure_nom": "Mission Locale du Niortais"},
        {"nouvelle_structure_type": "Choisissez le type de prescripteur de la nouvelle structure."},
    ),
    "new-structure-without-name": (
        {"nouvelle_structure_type": "mission_locale"},
        {"nouvelle_structure_nom": "Donnez le nom de la nouvelle structure."},
    ),
    "new-structure-name-taken": (
        {"nouvelle_structure_nom": "CCAS de Niort", "nouvelle_structure_type": "ccas"},
        {"nouvelle_structure_nom": "Une structure prescriptrice porte déjà ce nom"},
    ),
    "unknown-structure": ({"structure": "999999"}, {"structure": "Sélectionnez un choix valide."}),
    "prescripteur-in-an-operateur-structure": (
        {"structure": "{operateur}"},
        {"structure": "Un utilisateur au rôle « Prescripteur » appartient à une structure de type Prescripteur."},
    ),
    "coordination-in-a-ccas": (
        {"role": "coordination", "structure": "{ccas}"},
        {"structure": "appartient à une structure de type Coordination du PLIE."},
    ),
    "referent-without-etp": ({"role": "referent", "structure": "{operateur}"}, {"etp": "Indiquez l'ETP du poste"}),
    "referent-etp-above-one": (
        {"role": "referent", "structure": "{operateur}", "etp": "1,5"},
        {"etp": "inférieure ou égale à 1"},
    ),
    "unknown-role": ({"role": "stagiaire", "structure": "{ccas}"}, {"role": "Sélectionnez un choix valide."}),
    "bureau-insertion-role-in-a-ccas": (
        {"role": "bureau_insertion", "structure": "{ccas}"},
        {"structure": "Le rôle bureau insertion suppose une structure « bureau insertion »."},
    ),
    "bureau-insertion-role-in-a-new-ccas": (
        {"role": "bureau_insertion", "nouvelle_structure_nom": "CCAS de Chauray", "nouvelle_structure_type": "ccas"},
        {"nouvelle_structure_type": "Le rôle bureau insertion suppose une structure « bureau insertion »."},
    ),
    "existing-account": (
        {"email": "{account}", "structure": "{ccas}"},
        {"email": "Un compte existe déjà pour cette adresse."},
    ),
    "pending-invitation": (
        {"email": "{invited}", "structure": "{ccas}"},
        {"email": "Une invitation est déjà en attente pour cette adresse"},
    ),
}


@pytest.mark.parametrize(("overrides", "errors"), BAD_INVITATIONS.values(), ids=BAD_INVITATIONS.keys())
def test_bad_invitations_are_refused_in_french(personas, ccas, client_for, sent, overrides, errors):
    invitation, _ = invite(sent, ccas, email="deja.invitee@exemple.fr")
    names = {
        "ccas": str(ccas.pk),
        "operateur": str(personas.operateur.structure.pk),
        "account": personas.prescripteur.email.upper(),  # the check ignores case
        "invited": "Deja.Invitee@EXEMPLE.fr",
    }
    data = form_data(**{key: value.format(**names) for key, value in overrides.items()})
    structures = Structure.objects.count()

    response, emails = sent(client_for(personas.coordination).post, "/compte/invitations/nouvelle/", data)

    assert response.status_code == 200
    assert emails == []
    assert list(Invitation.objects.all()) == [invitation]
    assert Structure.objects.count() == structures
    content = response.content.decode()
    for field, message in errors.items():
        assert escape(message) in field_block(content, field), (field, message)
    # What was typed stays: every text, and every choice that is one of the list's.
    for field in data:
        block = field_block(content, field)
        if "<select" not in block or f'value="{data[field]}"' in block:
            assert shown_value(block, field) == escape(data[field]), field


JUNK = ["", " ", "-1", "99999999999999999999", "<script>alert(1)</script>", "'; DROP TABLE x; --", "x" * 5000]


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_invitation_form_never_fails(personas, client_for, junk):
    client = client_for(personas.coordination)
    for name in form_data():
        response = client.post("/compte/invitations/nouvelle/", form_data(**{name: junk}))
        assert response.status_code == 200, (name, junk[:20])
    assert not Invitation.objects.exists()
    for params in [{"q": junk}, {"statut": junk}, {"page": junk}]:
        assert client.get("/compte/invitations/", params).status_code == 200


# --- activating -----------------------------------------------------------------------------


def test_activation_creates_the_account_once(pending, ccas):
    invitation, path = pending
    client = Client()
    assert "Léa" in open_link(client, path).content.decode()

    response = activate(client, path)
    assert response.status_code == 302
    assert response["Location"] == "/"

    user = User.objects.get(email="lea.morin@exemple.fr")
    assert (user.first_name, user.last_name, user.role, user.structure) == ("Léa", "Morin", Role.PRESCRIPTEUR, ccas)
    assert user.has_usable_password() and user.check_password(PASSWORD)
    assert int(client.session[SESSION_KEY]) == user.pk
    assert "Bienvenue Léa : votre compte est activé." in client.get("/").content.decode()
    invitation.refresh_from_db()
    assert invitation.user == user
    assert invitation.acceptee_le is not None
    assert invitation.statut == InvitationStatut.ACCEPTEE

    # The link has served: opening it or posting it again creates nothing.
    again = Client()
    response = open_link(again, path)
    assert response.status_code == 410
    assert "Ce lien a déjà servi" in response.content.decode()
    assert activate(again, path, "Autre-secret-Tanneurs-80").status_code == 410
    assert User.objects.filter(email__iexact=invitation.email).count() == 1
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    # And the chosen password opens the door.
    login = Client()
    response = login.post("/compte/connexion/", {"username": "LEA.MORIN@exemple.fr", "password": PASSWORD})
    assert response.status_code == 302
    assert int(login.session[SESSION_KEY]) == user.pk


def test_bureau_insertion_invitation_creates_a_bureau_insertion_account(personas, bureau, sent):
    invitation, path = invite(sent, bureau, role=Role.BUREAU_INSERTION)
    assert activate(Client(), path).status_code == 302
    user = User.objects.get(email=invitation.email)
    assert (user.role, user.structure) == (Role.BUREAU_INSERTION, bureau)


BAD_PASSWORDS = {
    "mismatch": (PASSWORD, PASSWORD + "x", "Les deux mots de passe ne correspondent pas."),
    "too-short": ("Kx7#qLp2", "Kx7#qLp2", "Ce mot de passe est trop court pour ses types de caractères"),
    "common": ("telechargement", "telechargement", "Ce mot de passe est trop courant."),
    "numeric": ("205814736925", "205814736925", "estimé à 34 bits, il en faut 80. Avec des chiffres"),
    "keyboard-walk": ("Azerty12345678", "Azerty12345678", "« azerty », une suite de touches du clavier"),
    "like-the-address": ("lea.morin.exemple", "lea.morin.exemple", "Le mot de passe est trop semblable"),
    "empty": ("", "", "Ce champ est obligatoire."),
}


@pytest.mark.parametrize(("password1", "password2", "error"), BAD_PASSWORDS.values(), ids=BAD_PASSWORDS.keys())
def test_bad_passwords_are_refused_in_french(pending, password1, password2, error):
    invitation, path = pending
    response = activate(Client(), path, password1, password2)
    assert response.status_code == 200
    assert escape(error) in field_block(response.content.decode(), "password2")
    assert not User.objects.filter(email=invitation.email).exists()
    invitation.refresh_from_db()
    assert invitation.statut == InvitationStatut.EN_ATTENTE


def test_expired_link_is_refused(pending, time_machine):
    invitation, path = pending
    time_machine.move_to(timezone.now() + INVITATION_VALIDITY - datetime.timedelta(minutes=1))
    assert open_link(Client(), path).status_code == 200  # still valid just before the end

    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=2))
    client = Client()
    response = open_link(client, path)
    assert response.status_code == 410
    assert "Ce lien a expiré le" in response.content.decode()
    assert activate(client, path).status_code == 410
    assert not User.objects.filter(email=invitation.email).exists()
    assert Invitation.objects.get().statut == InvitationStatut.EXPIREE


def test_renewed_invitation_invalidates_the_old_link(personas, pending, client_for, sent):
    invitation, old_path = pending
    client = client_for(personas.coordination)
    url = f"/compte/invitations/{invitation.pk}/renvoyer/"
    assert "Renvoyer l'invitation" in client.get(url).content.decode()  # a confirmation, nothing sent yet
    assert Invitation.objects.get().token_hash == invitation.token_hash

    response, emails = sent(client.post, url)
    assert response.status_code == 302
    assert response["Location"] == "/compte/invitations/"
    [message] = emails
    new_path = link_of(message)
    assert new_path != old_path
    renewed = Invitation.objects.get()
    assert renewed.token_hash != invitation.token_hash
    assert renewed.expire_le > invitation.expire_le

    assert open_link(Client(), old_path).status_code == 410
    assert activate(Client(), old_path).status_code == 410
    assert not User.objects.filter(email=invitation.email).exists()
    assert activate(Client(), new_path).status_code == 302
    assert User.objects.filter(email=invitation.email).exists()


def test_an_expired_invitation_can_be_renewed(personas, pending, client_for, sent, time_machine):
    invitation, _ = pending
    time_machine.move_to(timezone.now() + INVITATION_VALIDITY + datetime.timedelta(days=1))
    response, emails = sent(client_for(personas.coordination).post, f"/compte/invitations/{invitation.pk}/renvoyer/")
    assert response.status_code == 302
    assert activate(Client(), link_of(emails[0])).status_code == 302


def test_cancelled_invitation_link_is_refused(personas, pending, client_for):
    invitation, path = pending
    client = client_for(personas.coordination)
    url = f"/compte/invitations/{invitation.pk}/annuler/"
    assert "Annuler l'invitation" in client.get(url).content.decode()
    assert Invitation.objects.exists()  # GET only asks

    response = client.post(url)
    assert response.status_code == 302
    assert not Invitation.objects.exists()
    response = open_link(Client(), path)
    assert response.status_code == 410
    assert "n&#x27;est pas valide" in response.content.decode()
    assert activate(Client(), path).status_code == 410
    assert not User.objects.filter(email=invitation.email).exists()


@pytest.mark.parametrize("action", ["renvoyer", "annuler"])
def test_an_accepted_invitation_can_neither_be_renewed_nor_cancelled(personas, pending, client_for, sent, action):
    invitation, path = pending
    activate(Client(), path)
    client = client_for(personas.coordination)
    assert client.get(f"/compte/invitations/{invitation.pk}/{action}/").status_code == 404
    response, emails = sent(client.post, f"/compte/invitations/{invitation.pk}/{action}/")
    assert response.status_code == 404
    assert emails == []
    assert Invitation.objects.get().statut == InvitationStatut.ACCEPTEE


def test_link_refused_when_the_address_got_an_account_meanwhile(pending):
    invitation, path = pending
    UserFactory(email=invitation.email, role=Role.PRESCRIPTEUR)
    response = activate(Client(), path)
    assert response.status_code == 410
    assert "Un compte existe déjà pour cette adresse" in response.content.decode()
    assert Invitation.objects.get().statut == InvitationStatut.EN_ATTENTE


def test_a_logged_in_user_can_open_a_link(personas, pending, client_for):
    invitation, path = pending
    client = client_for(personas.financeur)
    assert open_link(client, path).status_code == 200
    assert activate(client, path).status_code == 302
    assert int(client.session[SESSION_KEY]) == User.objects.get(email=invitation.email).pk


def test_the_token_leaves_the_url_at_once(pending):
    """Web server and proxy logs, and the Referer of the next request, only ever see /compte/activer/."""
    invitation, path = pending
    token = path.split("/")[-2]
    assert len(token) >= 40
    client = Client()

    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATION_PAGE
    form_page = client.get(response["Location"])
    assert form_page.status_code == 200
    done = client.post(ACTIVATION_PAGE, {"password1": PASSWORD, "password2": PASSWORD}, follow=True)

    assert done.redirect_chain == [("/", 302)]
    for response in (form_page, done):
        assert token not in response.request["PATH_INFO"]
        assert token not in response.content.decode()
    user = User.objects.get(email=invitation.email)
    assert int(client.session[SESSION_KEY]) == user.pk
    assert "_invitation_token" not in client.session
    assert "Bienvenue Léa : votre compte est activé." in done.content.decode()


def test_the_activation_page_without_a_link_says_where_to_start(db):
    response = Client().get(ACTIVATION_PAGE)
    assert response.status_code == 410
    assert "Ouvrez le lien d&#x27;activation reçu par email" in response.content.decode()
    response = Client().post(ACTIVATION_PAGE, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 410
    assert not User.objects.filter(email="lea.morin@exemple.fr").exists()


TOKENS = ["x", "0" * 43, "a" * 5000, "%3Cscript%3E", "..", "é", "'; DROP TABLE accounts_invitation; --"]


@pytest.mark.parametrize("token", TOKENS, ids=range(len(TOKENS)))
def test_junk_tokens_are_refused(pending, token):
    path = f"/compte/activer/{token}/"
    assert open_link(Client(), path).status_code == 410
    assert activate(Client(), path).status_code == 410
    assert User.objects.filter(email=pending[0].email).count() == 0


# --- the list -------------------------------------------------------------------------------


@pytest.fixture
def three_states(personas, ccas, sent):
    waiting, _ = invite(sent, ccas, email="attente@exemple.fr", last_name="Attente")
    accepted, path = invite(sent, ccas, email="acceptee@exemple.fr", last_name="Acceptée")
    activate(Client(), path)
    expired, _ = invite(sent, ccas, email="expiree@exemple.fr", last_name="Expirée")
    Invitation.objects.filter(pk=expired.pk).update(
        cree_le=timezone.now() - datetime.timedelta(days=10), expire_le=timezone.now() - datetime.timedelta(days=3)
    )
    return waiting, accepted, expired


@pytest.mark.parametrize(
    ("params", "listed"),
    [
        ({}, {"attente", "acceptee", "expiree"}),
        ({"statut": "en_attente"}, {"attente"}),
        ({"statut": "acceptee"}, {"acceptee"}),
        ({"statut": "expiree"}, {"expiree"}),
        ({"q": "ATTENTE"}, {"attente"}),
        ({"q": "expiree@exemple"}, {"expiree"}),
        ({"q": "Léa acceptée"}, {"acceptee"}),
        ({"q": "Léa", "statut": "expiree"}, {"expiree"}),
        ({"q": "personne"}, set()),
    ],
)
def test_list_search_and_status(personas, three_states, client_for, params, listed):
    content = client_for(personas.coordination).get("/compte/invitations/", params).content.decode()
    for name in ["attente", "acceptee", "expiree"]:
        assert (f"{name}@exemple.fr" in content) is (name in listed), name
    if not listed:
        assert "Aucune invitation ne correspond à cette recherche." in content


def test_list_offers_actions_on_invitations_not_yet_accepted(personas, three_states, client_for):
    waiting, accepted, expired = three_states
    content = client_for(personas.coordination).get("/compte/invitations/").content.decode()
    for invitation in [waiting, expired]:
        assert f'href="/compte/invitations/{invitation.pk}/renvoyer/"' in content
        assert f'href="/compte/invitations/{invitation.pk}/annuler/"' in content
    assert f"/compte/invitations/{accepted.pk}/" not in content


def test_empty_list_says_how_to_start(personas, client_for):
    content = client_for(personas.coordination).get("/compte/invitations/").content.decode()
    assert "Aucune invitation pour l'instant." in content


def test_list_pages_by_25(personas, ccas, client_for):
    now = timezone.now()
    Invitation.objects.bulk_create(
        Invitation(
            email=f"personne{i}@exemple.fr",
            first_name="Léa",
            last_name=f"Morin{i}",
            role=Role.PRESCRIPTEUR,
            structure=ccas,
            token_hash=f"{i:064x}",
            cree_le=now - datetime.timedelta(minutes=i),
            expire_le=now + INVITATION_VALIDITY,
        )
        for i in range(26)
    )
    client = client_for(personas.coordination)
    first = client.get("/compte/invitations/").content.decode()
    second = client.get("/compte/invitations/", {"page": 2}).content.decode()
    assert first.count("@exemple.fr</div>") == 25
    assert second.count("@exemple.fr</div>") == 1
    assert "personne25@exemple.fr" in second  # the oldest comes last
    assert "Page 1 sur 2" in first


def test_list_queries_do_not_grow_with_rows(personas, ccas, client_for, sent):
    client = client_for(personas.coordination)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/compte/invitations/").status_code == 200
        return len(queries)

    invite(sent, ccas, email="une@exemple.fr", invite_par=personas.coordination)
    count()  # the first page of a session also records its start (plie/sessions.py): warm it up
    few = count()
    for i in range(5):
        invite(
            sent, StructureFactory(prescripteur=True), email=f"autre{i}@exemple.fr", invite_par=personas.coordination
        )
    assert count() == few


# --- the rules the database keeps -----------------------------------------------------------


def _row(ccas, **fields):
    now = timezone.now()
    values = {
        "email": "regle@exemple.fr",
        "first_name": "Léa",
        "last_name": "Morin",
        "role": Role.PRESCRIPTEUR,
        "structure": ccas,
        "token_hash": "f" * 64,
        "cree_le": now,
        "expire_le": now + INVITATION_VALIDITY,
    }
    values.update(fields)
    return Invitation(**values)


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"role": "stagiaire"}, id="unknown-role"),
        pytest.param({"role": Role.REFERENT}, id="referent-without-etp"),
        pytest.param({"acceptee_le": timezone.now()}, id="accepted-without-account"),
        pytest.param({"expire_le": timezone.now() - datetime.timedelta(days=1)}, id="expires-before-creation"),
    ],
)
def test_database_refuses_inconsistent_invitations(personas, ccas, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(ccas, **fields).save()


def test_database_refuses_an_account_without_acceptance(personas, ccas):
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(ccas, user=personas.prescripteur).save()


def test_token_hash_is_unique(personas, ccas):
    _row(ccas).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(ccas, email="autre@exemple.fr").save()


# --- the admin ------------------------------------------------------------------------------


def test_admin_shows_the_hash_read_only_and_sends_what_it_adds(personas, pending, ccas, sent):
    admin = User.objects.create_superuser(
        email="admin@exemple.fr", password="mot-de-passe-admin-2026", first_name="Ada", last_name="Admin"
    )
    client = verified_login(Client(), admin)
    invitation, _ = pending
    content = client.get(f"/admin/accounts/invitation/{invitation.pk}/change/").content.decode()
    assert invitation.token_hash in content
    assert 'name="token_hash"' not in content

    data = {"email": "Admin.Invite@exemple.fr", "first_name": "Ana", "last_name": "Durand", "role": "prescripteur"}
    response, emails = sent(client.post, "/admin/accounts/invitation/add/", {**data, "structure": ccas.pk})
    assert response.status_code == 302
    added = Invitation.objects.get(email="admin.invite@exemple.fr")
    assert added.invite_par == admin
    assert activate(Client(), link_of(emails[0])).status_code == 302
