"""The password rule (CNIL délibération 2022-100, case 1): 80 bits, predictable parts discounted.

A table of passwords with the verdict and the reason, the estimate's arithmetic, and the pages where
a password is chosen (activation, change, reset): the rule is explained next to the field and a weak
password is refused there, in French.
"""

import math
import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils.html import escape

from plie.accounts import invitations
from plie.accounts.models import Invitation, Role, User
from plie.accounts.passwords import CnilPasswordValidator, common_words, estimate
from tests.factories import PASSWORD, StructureFactory, UserFactory

RULE = CnilPasswordValidator().get_help_text()

# password, accepted?, what the refusal says (a part of the French message)
PASSWORDS = {
    # The examples of the issue.
    "motdepasse-and-a-year": ("Motdepasse2026!", False, "il contient « motdepasse », un mot courant, et « 2026 »"),
    "azerty-and-digits": ("Azerty12345678", False, "« azerty », une suite de touches du clavier"),
    "random-14-three-classes": ("Kq7vXm2pLr9wTz", True, None),
    "12-lowercase-and-digits": ("k7vx2plr9wtz", False, "estimé à 62 bits, il en faut 80"),
    # The CNIL's arithmetic: 12 of the four classes (79.6 bits, rounded to 80), 14 of three.
    "12-four-classes": ("Kq7#vXm2pL!9", True, None),
    "11-four-classes": ("Kq7#vXm2pL!", False, "estimé à 73 bits, il en faut 80"),
    "13-three-classes": (
        "Kq7vXm2pLr9wT",
        False,
        "Avec des minuscules, des majuscules et des chiffres, il faut au moins 14",
    ),
    "17-lowercase": ("kqvxmplrwtzhgbnjd", True, None),
    "16-lowercase": ("kqvxmplrwtzhgbnj", False, "Avec des minuscules, il faut au moins 17 caractères"),
    "accented-letters-are-special": ("kqvxmplrwtzé", False, "estimé à 72 bits"),
    "accented-letters-make-a-class": ("Kq7vXm2pLr9é", True, None),
    "digits-only": ("205814736925", False, "Avec des chiffres, il faut au moins 24 caractères"),
    # French words and names, leet speak, keyboard walks on both layouts, sequences, repeats, years.
    "leet-speak": ("J3t41m3!Soleil", False, "« jetaime », un mot courant, et « soleil », un mot courant"),
    "a-city-and-a-postcode": ("Marseille13013!", False, "« marseille », un mot courant"),
    "the-programme": ("PlieNiort-Emploi79", False, "« plie », un mot courant, « niort », un mot courant"),
    "a-first-name": ("Nicolas.1985.Lyon", False, "« nicolas », un mot courant"),
    "azerty-second-row": ("Qsdfghjklm!2024", False, "« qsdfghjklm », une suite de touches du clavier"),
    "qwerty-walk-backwards": ("Ytrewq#Kx7!Lp", False, "« ytrewq », une suite de touches du clavier"),
    "wxcvbn": ("Wxcvbn-Kx7!Lp9", False, "« wxcvbn », une suite de touches du clavier"),
    "descending-sequence": ("Kx7!Lp9876543", False, "« 9876543 », une suite de caractères"),
    "letter-sequence": ("abcdefGHIJ#9x", False, "« abcdefghij », une suite de caractères"),
    "repeats": ("Kx7!!!!!!!Lp9q", False, "« !!!!!!! », un caractère répété"),
    "a-year": ("Kx7!Lp9q1987Rt", False, "« 1987 », une année"),
    # Long enough, words or not: a passphrase of uncommon words passes.
    "passphrase": ("tanneurs-gabare-lavoir-sevre", True, None),
    "the-test-accounts-password": (PASSWORD, True, None),
}


@pytest.mark.parametrize(("password", "accepted", "reason"), PASSWORDS.values(), ids=PASSWORDS.keys())
def test_password_table(password, accepted, reason):
    validator = CnilPasswordValidator()
    if accepted:
        validator.validate(password)
        assert estimate(password).bits >= 80
        return
    with pytest.raises(ValidationError) as refusal:
        validator.validate(password)
    [message] = refusal.value.messages
    assert reason in message, message
    estimated = "estimée" if "trop prévisible" in message else "estimé"
    assert f"{estimated} à {estimate(password).bits} bits, il en faut 80" in message


def test_the_two_kinds_of_refusal_say_why():
    with pytest.raises(ValidationError) as predictable:
        CnilPasswordValidator().validate("Motdepasse2026!")
    assert predictable.value.messages == [
        "Ce mot de passe est trop prévisible : il contient « motdepasse », un mot courant, et « 2026 », une année. "
        "Sa robustesse est estimée à 25 bits, il en faut 80."
    ]
    assert predictable.value.error_list[0].code == "password_too_predictable"
    with pytest.raises(ValidationError) as short:
        CnilPasswordValidator().validate("k7vx2plr9wtz")
    assert short.value.messages[0].startswith(
        "Ce mot de passe est trop court pour ses types de caractères : estimé à 62 bits, il en faut 80. "
        "Avec des minuscules et des chiffres, il faut au moins 16 caractères"
    )
    assert short.value.error_list[0].code == "password_too_weak"


@pytest.mark.parametrize(
    ("password", "pool"),
    [("abcxyz", 26), ("ABC", 26), ("123", 10), ("!?", 37), ("é", 37), ("aB3!", 99), ("Zürich 2", 99), ("a1", 36)],
)
def test_the_pool_is_the_sum_of_the_classes_used(password, pool):
    assert estimate(password).pool == pool


def test_the_estimate_is_length_times_log2_pool_without_patterns():
    assert estimate("Kq7#vXm2pL!9").bits == round(12 * math.log2(99)) == 80
    assert estimate("Kq7vXm2pLr9wTz").bits == 83
    assert estimate("Kq7vXm2pLr9wTz").patterns == []


def test_a_pattern_never_raises_the_estimate():
    """A short word costs its fixed bits only when that is cheaper than its characters."""
    plain = estimate("Kx7!Lp9q")
    assert estimate("Kx7!Lp9qcafe").bits <= plain.bits + 4 * math.log2(99)
    assert estimate("Kx7!Lp9qcafe").bits >= plain.bits


def test_the_word_list_is_ours_and_french():
    words = common_words()
    assert 300 <= len(words) <= 2000
    for word in ["motdepasse", "bonjour", "soleil", "jetaime", "marseille", "paris", "france", "chouchou"]:
        assert word in words
    for word in ["doudou", "loulou", "princesse", "nicolas", "camille", "emploi", "insertion", "plie", "niort"]:
        assert word in words
    assert "caen" in words
    assert all(len(word) >= 4 and word == word.lower() for word in words)


def test_junk_never_fails():
    for password in ["", " ", "\x00" * 20, "é" * 3000, "a" * 10_000, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢" * 3, "İstanbul-1453-Kx7!"]:
        result = estimate(password)
        assert result.bits >= 0
        try:
            CnilPasswordValidator().validate(password)
        except ValidationError as error:
            assert error.messages[0].startswith("Ce mot de passe est trop")


def test_django_validators_still_apply(db):
    user = User(email="claire.martin@exemple.fr", first_name="Claire", last_name="Martin")
    with pytest.raises(ValidationError) as common:
        validate_password("telechargement", user)
    assert "Ce mot de passe est trop courant." in common.value.messages
    with pytest.raises(ValidationError) as similar:
        validate_password("claire.martin.exemple.fr", user)
    assert any("trop semblable" in message for message in similar.value.messages)
    validate_password("Kq7vXm2pLr9wTz", user)


# --- the pages where a password is chosen ---------------------------------------------------


def field_block(content, name):
    start = content.find(f'id="div_id_{name}"')
    assert start != -1, f"field {name} not rendered"
    ends = [i for i in (content.find('id="div_id_', start + 1), content.find("</form>", start)) if i != -1]
    return content[start : min(ends)]


def assert_shows_the_rule(content, field):
    block = field_block(content, field)
    assert escape(RULE) in block
    assert re.search(r'<input[^>]*data-password-strength="80"', block)
    assert '<script src="/static/js/password-strength.js" defer></script>' in content


@pytest.fixture
def activation_client(db, mailoutbox, django_capture_on_commit_callbacks):
    structure = StructureFactory(prescripteur=True, nom="CCAS de Niort")
    with django_capture_on_commit_callbacks(execute=True):
        invitations.inviter(
            Invitation(
                email="lea.morin@exemple.fr",
                first_name="Léa",
                last_name="Morin",
                role=Role.PRESCRIPTEUR,
                structure=structure,
            )
        )
    path = re.search(r"https?://[^/\s]+(/compte/activer/[\w-]+/)", mailoutbox[-1].body).group(1)
    client = Client()
    assert client.get(path)["Location"] == "/compte/activer/"
    return client


def test_activation_page_explains_and_refuses_a_weak_password(activation_client):
    assert_shows_the_rule(activation_client.get("/compte/activer/").content.decode(), "password1")

    response = activation_client.post(
        "/compte/activer/", {"password1": "Azerty12345678", "password2": "Azerty12345678"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert escape("« azerty », une suite de touches du clavier") in field_block(content, "password2")
    assert_shows_the_rule(content, "password1")
    assert "Bonjour Léa" in content  # the page keeps its context; password inputs are never re-filled
    assert not User.objects.filter(email="lea.morin@exemple.fr").exists()

    response = activation_client.post(
        "/compte/activer/", {"password1": "Kq7vXm2pLr9wTz", "password2": "Kq7vXm2pLr9wTz"}
    )
    assert response.status_code == 302
    assert User.objects.get(email="lea.morin@exemple.fr").check_password("Kq7vXm2pLr9wTz")


def test_password_change_page_explains_and_refuses_a_weak_password(db, client_for):
    user = UserFactory(email="claire.martin@exemple.fr")
    client = client_for(user)
    assert_shows_the_rule(client.get("/compte/mot-de-passe/changer/").content.decode(), "new_password1")

    weak = "k7vx2plr9wtz"
    response = client.post(
        "/compte/mot-de-passe/changer/",
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "estimé à 62 bits, il en faut 80" in field_block(content, "new_password2")
    assert_shows_the_rule(content, "new_password1")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    strong = "Kq7vXm2pLr9wTz"
    response = client.post(
        "/compte/mot-de-passe/changer/",
        {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(strong)


def test_password_reset_page_explains_and_refuses_a_weak_password(db, mailoutbox):
    user = UserFactory(email="claire.martin@exemple.fr")
    Client().post("/compte/mot-de-passe/oublie/", {"email": user.email})
    link = re.search(r"https?://testserver(/compte/mot-de-passe/nouveau/[\w-]+/[\w-]+/)", mailoutbox[-1].body)
    client = Client()
    form_url = client.get(link.group(1))["Location"]
    assert form_url.endswith("/set-password/")
    assert_shows_the_rule(client.get(form_url).content.decode(), "new_password1")

    response = client.post(form_url, {"new_password1": "Motdepasse2026!", "new_password2": "Motdepasse2026!"})
    assert response.status_code == 200
    assert escape("« motdepasse », un mot courant") in field_block(response.content.decode(), "new_password2")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
