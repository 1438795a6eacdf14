import pytest
from django.test import Client

from parcours.models import Etat
from plie.accounts.models import Role
from plie.referentiel.services import load_preset
from plie.territoire.services import load_communes
from tests.factories import ParcoursFactory, ReferentFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Real hashers cost ~0.1 s a user by design; tests create hundreds of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _private_files_in_a_temporary_folder(tmp_path_factory):
    """Receipts, sheets and bilans the tests write go to a folder of the run, never to var/prive."""
    from django.core.files.storage import storages

    storage = storages["prive"]
    folder = str(tmp_path_factory.mktemp("prive"))
    with pytest.MonkeyPatch.context() as patch:
        # FileSystemStorage caches both as properties: the instance's values win.
        patch.setattr(storage, "base_location", folder, raising=False)
        patch.setattr(storage, "location", folder, raising=False)
        yield folder


@pytest.fixture(autouse=True)
def _strict_templates(settings):
    """A template that reads an unknown variable fails the test (les-emplois' habit)."""
    for template in settings.TEMPLATES:
        template.setdefault("OPTIONS", {})["string_if_invalid"] = InvalidVariable("%s")


class InvalidVariable(str):
    """Django formats string_if_invalid with the variable's name: raise instead."""

    def __mod__(self, other):
        raise AssertionError(f"Variable de gabarit inconnue : {other!r}")


@pytest.fixture
def niort(db):
    return load_preset("niort", activate=True)


@pytest.fixture
def caen(db):
    return load_preset("caen", activate=True)


@pytest.fixture
def communes(db):
    load_communes()


def verified_login(client, user):
    """force_login, plus the second step for whom must use it (a confirmed app, this session verified)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from plie import permissions

    client.force_login(user)
    if permissions.must_use_second_factor(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Application de test", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for():
    def make(user):
        return verified_login(Client(), user)

    return make


class Personas:
    """The people of the visibility matrix (healthchecks' alice/bob/charlie)."""

    NAMES = (
        "coordination",
        "referent_a",
        "referent_b",
        "prescripteur",
        "autre_prescripteur",
        "prescripteur_ailleurs",
        "bureau_insertion",
        "operateur",
        "financeur",
    )

    def __init__(self):
        self.coordination = UserFactory(role=Role.COORDINATION)
        self.referent_a = ReferentFactory()
        self.referent_b = ReferentFactory(structure=self.referent_a.structure)
        self.prescripteur = UserFactory(role=Role.PRESCRIPTEUR)
        self.autre_prescripteur = UserFactory(role=Role.PRESCRIPTEUR, structure=self.prescripteur.structure)
        self.prescripteur_ailleurs = UserFactory(role=Role.PRESCRIPTEUR)
        self.bureau_insertion = UserFactory(role=Role.BUREAU_INSERTION)
        self.operateur = UserFactory(role=Role.OPERATEUR, structure=self.referent_a.structure)
        self.financeur = UserFactory(role=Role.FINANCEUR)
        # The parcours everyone is asked about: followed by référent A, sent by the prescripteur.
        self.parcours = ParcoursFactory(
            etat=Etat.ACCOMPAGNEMENT,
            referent=self.referent_a,
            prescripteur=self.prescripteur,
        )


@pytest.fixture
def personas(niort):
    return Personas()


@pytest.fixture
def named(personas):
    """The personas, with a participant name that appears nowhere else in a page."""
    participant = personas.parcours.participant
    participant.nom_usage = "Vautrin-Lacombe"
    participant.prenoms = "Ysaline"
    participant.save()
    return personas


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in the test's process, after commit, so that emails land in Django's outbox.

    Tests of the worker itself ask for ``real_worker``, which turns this off.
    """
    from plie.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def real_worker(_celery_eager):
    from plie.celery import app

    app.conf.task_always_eager = False
    yield app


@pytest.fixture
def faux_sms():
    """A fake SMS provider on 127.0.0.1 (Brevo's and OVHcloud's endpoints): tests/fakes/sms_provider.py."""
    from tests.fakes.sms_provider import FauxFournisseur

    faux = FauxFournisseur().demarrer()
    yield faux
    faux.arreter()


@pytest.fixture(autouse=True)
def _sms_sender_read_per_test():
    """A worker reads the référentiel's SMS sender once a minute; each test has its own référentiel."""
    from plie.notifications.envoi import oublier_expediteur

    oublier_expediteur()
