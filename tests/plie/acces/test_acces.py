"""The access log: written by every page that shows a named person, append-only, purged after a year,
read by the coordination only."""

import datetime
import os
import re

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.urls.converters import IntConverter
from django.utils import timezone
from django.utils.html import escape

from plie.acces.models import AccesDossier, Action, TypeObjet
from plie.acces.purge import purger_journal
from plie.acces.tasks import purger_journal_des_acces
from plie.accounts.models import Role, User
from plie.celery import app
from plie.env import ConfigError, read_config
from tests.conftest import Personas, verified_login
from tests.factories import (
    DepenseAtelierFactory,
    EntretienFactory,
    EtapeFactory,
    PrescriptionFactory,
    PresenceAtelierFactory,
    SuspensionMesureFactory,
    UserFactory,
)
from tests.resolver import pages

REFUSED = {403, 404}
ROLES_OTHER_THAN_COORDINATION = [name for name in Personas.NAMES if name != "coordination"]


def rows(**filters):
    return list(AccesDossier.objects.filter(**filters).order_by("id"))


def access(user, *, days_ago=0, type_objet=TypeObjet.PARCOURS, objet_id=1, refuse=False, **values):
    """A row as the decorator writes it, ``days_ago`` in the past."""
    return AccesDossier.objects.create(
        utilisateur=user,
        utilisateur_libelle=f"{user.get_full_name()} ({user.email})",
        role=user.role,
        type_objet=type_objet,
        objet_id=objet_id,
        action=values.pop("action", Action.CONSULTATION),
        refuse=refuse,
        chemin=values.pop("chemin", f"/parcours/{objet_id}/"),
        date=timezone.now() - datetime.timedelta(days=days_ago),
        **values,
    )


# --- the decorator ------------------------------------------------------------------------------


def test_a_consultation_is_logged_with_who_role_what_and_path(named, client_for):
    url = f"/parcours/{named.parcours.pk}/"
    response = client_for(named.coordination).get(url, {"onglet": "journal"})
    assert response.status_code == 200
    [row] = rows()
    assert row.utilisateur == named.coordination
    assert row.utilisateur_libelle == f"{named.coordination.get_full_name()} ({named.coordination.email})"
    assert row.role == Role.COORDINATION
    assert (row.type_objet, row.objet_id) == (TypeObjet.PARCOURS, named.parcours.pk)
    assert row.action == Action.CONSULTATION
    assert row.refuse is False
    assert row.chemin == url  # no query string: it may carry names typed in a search
    assert timezone.now() - row.date < datetime.timedelta(minutes=1)


@pytest.mark.parametrize("who", ["referent_b", "autre_prescripteur", "bureau_insertion", "operateur", "financeur"])
def test_a_404_on_someone_elses_file_is_logged_as_refused_with_the_user(named, client_for, who):
    user = getattr(named, who)
    response = client_for(user).get(f"/parcours/{named.parcours.pk}/")
    assert response.status_code == 404
    [row] = rows()
    assert (row.utilisateur, row.role, row.refuse) == (user, user.role, True)
    assert row.objet_id == named.parcours.pk


def test_a_403_is_logged_as_refused(named, client_for):
    """The author may see the fiche, not decide on it: the view raises PermissionDenied."""
    prescription = PrescriptionFactory(prescripteur=named.prescripteur)
    response = client_for(named.prescripteur).get(f"/prescriptions/{prescription.pk}/refus/")
    assert response.status_code == 403
    [row] = rows()
    assert (row.type_objet, row.objet_id, row.refuse) == (TypeObjet.PRESCRIPTION, prescription.pk, True)


def test_a_post_is_logged_as_a_modification(named, client_for):
    url = f"/parcours/{named.parcours.pk}/action/proposer_sortie/"
    response = client_for(named.referent_a).post(url, {"date_sortie_prevue": "", "motif": ""})
    assert response.status_code == 200  # the form answers with its errors
    [row] = rows()
    assert (row.utilisateur, row.action, row.refuse) == (named.referent_a, Action.MODIFICATION, False)


def test_an_id_too_large_for_the_database_is_logged_refused_without_an_id(named, client_for):
    response = client_for(named.coordination).get("/parcours/999999999999999999999/")
    assert response.status_code == 404
    [row] = rows()
    assert (row.objet_id, row.refuse) == (None, True)


def test_anonymous_visitors_are_sent_to_login_and_nothing_is_logged(named):
    response = Client().get(f"/parcours/{named.parcours.pk}/")
    assert response.status_code == 302
    assert not AccesDossier.objects.exists()


def test_a_get_on_a_post_only_url_shows_nothing_and_logs_nothing(named, client_for):
    prescription = PrescriptionFactory()
    response = client_for(named.coordination).get(
        f"/prescriptions/{prescription.pk}/validation/france_travail/demander/"
    )
    assert response.status_code == 405
    assert not AccesDossier.objects.exists()


def test_a_superuser_is_logged_as_administrateur(named):
    admin = User.objects.create_superuser("root@exemple.fr", "x", first_name="Ada", last_name="Min")
    client = verified_login(Client(), admin)
    assert client.get(f"/parcours/{named.parcours.pk}/").status_code == 200
    [row] = rows()
    assert (row.role, row.role_libelle) == ("", "Administrateur")


# --- every person-level URL of the resolver logs ------------------------------------------------

# Object URLs (an int in the path) that name no person, with the reason. Every other URL with an
# int kwarg must carry ``@journalise`` (the Django admin, staff only, keeps its own LogEntry).
ATELIER_NOMME_SES_PARTICIPANTS = (
    "un atelier ou une séance ne désigne personne ; la page journalise chaque parcours qu'elle nomme, refus compris"
)
DEMANDE_DESIGNE_SON_PARCOURS = (
    "l'identifiant est celui d'une demande, pas de l'objet journalisé : la page journalise le parcours de la "
    "personne, refus compris (tests/parcours/test_demandes_views.py)"
)
MESSAGE_DESIGNE_SON_PARCOURS = "désigne un message sortant ; la vue journalise le parcours du participant, et le refus"
EXEMPT = {
    "invitation_renew": "une invitation désigne le compte d'un professionnel, pas une personne accompagnée",
    "invitation_cancel": "une invitation désigne le compte d'un professionnel, pas une personne accompagnée",
    "second_factor_reset": "le compte d'un professionnel (sa double authentification), pas une personne accompagnée",
    "structure_edit": "une structure (CCAS, opérateur, financeur…), pas une personne accompagnée",
    "lieu_edit": "un lieu d'accompagnement (une permanence), pas une personne",
    "poste_edit": "le poste d'un référent (compte professionnel), pas une personne accompagnée",
    "vacance_declare": "le poste d'un référent (compte professionnel), pas une personne accompagnée",
    "parcours:reaffectation": "désigne un référent (compte professionnel) ; la page journalise chaque parcours listé",
    "user_deactivate": "le compte d'un professionnel, pas une personne accompagnée",
    "user_reactivate": "le compte d'un professionnel, pas une personne accompagnée",
    "ressources:edit": "une ressource du territoire (plateforme mobilité, crèche…), pas une personne",
    "ressources:deactivate": "une ressource du territoire, pas une personne",
    "ressources:reactivate": "une ressource du territoire, pas une personne",
    "notifications:open": "la notification de l'utilisateur lui-même ; elle mène à la page du dossier, qui journalise",
    "agenda:absence_edit": "une absence (congé, formation) d'un référent, compte professionnel, pas une personne",
    "agenda:absence_delete": "une absence d'un référent, compte professionnel, pas une personne",
    "depenses:referent": "le budget des ateliers d'un référent (compte professionnel), pas une personne accompagnée",
    "depenses:edit": "une dépense d'atelier d'un référent (fournisseur, montant), pas une personne accompagnée",
    "depenses:delete": "une dépense d'atelier d'un référent, pas une personne accompagnée",
    "depenses:valider": "une dépense d'atelier d'un référent, pas une personne accompagnée",
    "depenses:refuser": "une dépense d'atelier d'un référent, pas une personne accompagnée",
    "emargement:seance": "désigne une séance d'atelier ; la feuille journalise chaque parcours qu'elle nomme, "
    "et le refus",
    "emargement:lot": "le lot du mois d'un référent (compte professionnel) : son avancement ne nomme personne",
    "emargement:lot_fichier": "désigne un lot ; son téléchargement journalise chaque parcours du fichier, et le refus",
    "parcours:seance_signature_animateur": "la signature d'un animateur (compte professionnel) ; la page ne nomme "
    "aucune personne accompagnée",
    "ateliers:detail": ATELIER_NOMME_SES_PARTICIPANTS,
    "ateliers:inviter": ATELIER_NOMME_SES_PARTICIPANTS,
    "ateliers:desinviter": ATELIER_NOMME_SES_PARTICIPANTS,
    "ateliers:seance": ATELIER_NOMME_SES_PARTICIPANTS,
    "ateliers:seance_modifier": ATELIER_NOMME_SES_PARTICIPANTS,
    "ateliers:seance_annuler": ATELIER_NOMME_SES_PARTICIPANTS,
    "ateliers:seance_clore": ATELIER_NOMME_SES_PARTICIPANTS,
    "bilans:demande": "désigne une demande de décision ; le téléchargement de son bilan journalise le parcours, "
    "et le refus",
    # --- demandes de décision (parcours/views/demandes.py) ---
    "demandes:detail": DEMANDE_DESIGNE_SON_PARCOURS,
    "demandes:accepter": DEMANDE_DESIGNE_SON_PARCOURS,
    "demandes:refuser": DEMANDE_DESIGNE_SON_PARCOURS,
    "demandes:retirer": DEMANDE_DESIGNE_SON_PARCOURS,
    # --- convocation letters and failed messages (parcours/views/courriers.py) ---
    "courriers:pdf": MESSAGE_DESIGNE_SON_PARCOURS,
    "courriers:poster": MESSAGE_DESIGNE_SON_PARCOURS,
    "courriers:repli": MESSAGE_DESIGNE_SON_PARCOURS,
}


def object_urls():
    """(view name, view, converters) of every page of ours naming an object by its id (tests/resolver.py)."""
    return [
        (page.name, page.callback, page.converters)
        for page in pages()
        if any(isinstance(c, IntConverter) for c in page.converters.values())
    ]


def journalised_urls():
    return [
        pytest.param(name, view.journal_des_acces, sorted(found), id=name)
        for name, view, found in object_urls()
        if hasattr(view, "journal_des_acces")
    ]


def test_every_object_url_logs_or_is_exempt_with_a_reason():
    missing = [name for name, view, _ in object_urls() if not hasattr(view, "journal_des_acces") and name not in EXEMPT]
    assert missing == [], (
        "Ces pages désignent un objet sans écrire dans le journal des accès : ajoutez @journalise(...) "
        f"(plie/acces/journal.py), ou, si l'objet ne désigne aucune personne, une exemption motivée : {missing}"
    )


def test_exemptions_name_existing_urls_that_do_not_log():
    names = {name: view for name, view, _ in object_urls()}
    assert set(EXEMPT) <= set(names), set(EXEMPT) - set(names)
    assert [name for name in EXEMPT if hasattr(names[name], "journal_des_acces")] == []


def test_the_walk_finds_the_person_level_pages():
    names = {param.values[0] for param in journalised_urls()}
    assert {"parcours:detail", "parcours:tentative_contact", "prescriptions:detail", "prescriptions:avis"} <= names
    assert len(names) >= 15


# The object each kind of log row names, seen by the coordination, for the pk of the URL.
SAMPLE_OBJECTS = {
    TypeObjet.PARCOURS: lambda personas: personas.parcours.pk,
    TypeObjet.PRESCRIPTION: lambda personas: PrescriptionFactory(prescripteur=personas.prescripteur).pk,
    # A receipt (its download names the expense it proves).
    TypeObjet.DOCUMENT: lambda personas: DepenseAtelierFactory(referent=personas.referent_a).pk,
}
# The other parts of the URLs: a new kwarg needs a value here (the test says so).
SAMPLE_KWARGS = {
    "name": "proposer_sortie",
    "etape": "signer",
    "organisme": "france_travail",
    "kind": "participant",
    "participant_pk": lambda personas: personas.parcours.participant_id,
    "other_pk": lambda personas: personas.parcours.participant_id,
    "etape_pk": lambda personas: EtapeFactory(parcours=personas.parcours).pk,
    "transition": "terminer",
    "rdv": lambda personas: EntretienFactory(parcours=personas.parcours).pk,
    "seance": lambda personas: _presence_echantillon(personas).seance_id,
    "presence": lambda personas: _presence_echantillon(personas).pk,
    "type": "entree_veille",  # demandes:nouvelle
    "suspension": lambda personas: SuspensionMesureFactory(parcours=personas.parcours).pk,
}


def _presence_echantillon(personas):
    """The persona's parcours present at a held session (one per test, whichever kwarg asks first)."""
    if not hasattr(personas, "presence_echantillon"):
        personas.presence_echantillon = PresenceAtelierFactory(parcours=personas.parcours)
    return personas.presence_echantillon


def sample_url(personas, name, type_objet, kwargs):
    assert type_objet in SAMPLE_OBJECTS, f"Ajoutez un objet d'exemple de type « {type_objet} » à SAMPLE_OBJECTS."
    values = {}
    for kwarg in kwargs:
        if kwarg == "pk":
            values[kwarg] = SAMPLE_OBJECTS[type_objet](personas)
            continue
        assert kwarg in SAMPLE_KWARGS, f"{name} : ajoutez une valeur d'exemple pour « {kwarg} » à SAMPLE_KWARGS."
        sample = SAMPLE_KWARGS[kwarg]
        values[kwarg] = sample(personas) if callable(sample) else sample
    # A page listing named people (``journalise_liste``) names no object in its URL: it logs the
    # persona's parcours it shows (the sample session's only participant).
    return reverse(name, kwargs=values), values.get("pk", personas.parcours.pk)


def request(client, url):
    """GET, or POST for the pages that only take a form (405 to a GET, which shows nothing)."""
    response = client.get(url)
    return client.post(url) if response.status_code == 405 else response


@pytest.mark.parametrize(("name", "type_objet", "kwargs"), journalised_urls())
def test_every_person_level_url_logs_the_coordination_and_refuses_the_outsider(
    personas, client_for, name, type_objet, kwargs
):
    url, pk = sample_url(personas, name, type_objet, kwargs)
    for who, must_refuse in [("coordination", False), ("financeur", True)]:
        user = getattr(personas, who)
        response = request(client_for(user), url)
        assert response.status_code < 500, (who, response.status_code)
        refused = response.status_code in REFUSED
        assert refused or not must_refuse, f"{name} : {who} obtient {response.status_code}"
        [row] = rows(utilisateur=user)
        liste = "pk" not in kwargs
        assert (row.type_objet, row.objet_id, row.chemin) == (type_objet, None if liste and refused else pk, url)
        assert row.refuse is refused


# --- append-only on PostgreSQL ------------------------------------------------------------------


def database_url_names_postgresql():
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://"))


def test_the_table_refuses_update_and_delete_on_postgresql(personas):
    row = access(personas.coordination)
    if connection.vendor != "postgresql":
        # SQLite (``make test`` with no service): pgtrigger's migration skips every other vendor, so
        # the table has no trigger there and the rows are protected by the code only. A CI run whose
        # DATABASE_URL names PostgreSQL must not land here.
        assert not database_url_names_postgresql(), (
            "DATABASE_URL désigne PostgreSQL mais les tests tournent sur "
            f"{connection.vendor} : les déclencheurs du journal des accès ne sont pas vérifiés."
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'acces_accesdossier'")
            assert cursor.fetchall() == []
        return
    attempts = {
        "update()": lambda: AccesDossier.objects.filter(pk=row.pk).update(refuse=True),
        "save()": lambda: AccesDossier.objects.get(pk=row.pk).save(),
        "delete()": lambda: AccesDossier.objects.filter(pk=row.pk).delete(),
        "instance.delete()": lambda: AccesDossier.objects.get(pk=row.pk).delete(),
        "UPDATE": lambda: _raw("UPDATE acces_accesdossier SET utilisateur_libelle = 'Personne' WHERE id = %s", row.pk),
        "DELETE": lambda: _raw("DELETE FROM acces_accesdossier WHERE id = %s", row.pk),
    }
    for name, attempt in attempts.items():
        with pytest.raises(DatabaseError) as caught, transaction.atomic():
            attempt()
        assert re.search(r"Cannot (update|delete) rows from acces_accesdossier table", str(caught.value)), name
    kept = AccesDossier.objects.get(pk=row.pk)
    assert (kept.refuse, kept.utilisateur_libelle) == (False, row.utilisateur_libelle)


def _raw(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- the purge ----------------------------------------------------------------------------------


def test_the_purge_deletes_rows_past_the_retention_and_keeps_the_others(personas):
    assert settings.ACCESS_LOG_RETENTION_DAYS == 365
    old = [access(personas.coordination, days_ago=days) for days in (366, 400, 2000)]
    recent = [access(personas.financeur, days_ago=days, refuse=True) for days in (0, 30, 364)]

    assert purger_journal_des_acces.delay().get() == len(old)  # eager: the task as the worker runs it

    assert set(AccesDossier.objects.all()) == set(recent)
    assert purger_journal() == 0  # idempotent: a second run finds nothing more
    assert AccesDossier.objects.count() == len(recent)


def test_the_purge_also_forgets_old_login_records(personas):
    from axes.models import AccessAttempt, AccessLog

    now = timezone.now()
    for model, extra in ((AccessLog, {}), (AccessAttempt, {"failures_since_start": 1})):
        row = {"ip_address": "127.0.0.1", "user_agent": "x", "attempt_time": now, **extra}
        old = model.objects.create(username="a@exemple.fr", **row)
        model.objects.filter(pk=old.pk).update(attempt_time=now - datetime.timedelta(days=366))
        model.objects.create(username="b@exemple.fr", **row)
    purger_journal()
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["b@exemple.fr"]
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["b@exemple.fr"]


def test_the_purge_follows_the_setting(personas, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    access(personas.coordination, days_ago=31)
    kept = access(personas.coordination, days_ago=29)
    assert purger_journal() == 1
    assert list(AccesDossier.objects.all()) == [kept]


def test_the_purge_is_scheduled_every_night():
    entry = app.conf.beat_schedule["purger-journal-des-acces"]
    assert entry["task"] == "plie.acces.tasks.purger_journal_des_acces"
    assert entry["task"] == purger_journal_des_acces.name
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert len(schedule.hour) == 1 and len(schedule.minute) == 1  # once a day
    assert schedule.day_of_week == set(range(7)) and len(schedule.day_of_month) == 31


def test_retention_comes_from_the_environment(tmp_path):
    assert read_config({}, tmp_path).access_log_retention_days == 365
    assert read_config({"ACCESS_LOG_RETENTION_DAYS": "180"}, tmp_path).access_log_retention_days == 180


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("douze mois", "ACCESS_LOG_RETENTION_DAYS doit être un nombre entier (reçu : 'douze mois')."),
        ("0", "ACCESS_LOG_RETENTION_DAYS doit être supérieur ou égal à 1 (reçu : 0)."),
        ("100000", "ACCESS_LOG_RETENTION_DAYS doit être inférieur ou égal à 1830 jours (reçu : 100000)."),
    ],
)
def test_a_bad_retention_stops_the_start_up_in_french(tmp_path, value, message):
    with pytest.raises(ConfigError) as caught:
        read_config({"ACCESS_LOG_RETENTION_DAYS": value}, tmp_path)
    assert caught.value.problems == [message]


# --- « Qui a consulté ce dossier » on the parcours page ------------------------------------------


def test_the_coordination_sees_the_last_ten_accesses_on_the_parcours(named, client_for):
    for days in range(12, 0, -1):
        access(named.referent_a, days_ago=days, objet_id=named.parcours.pk)
    refused = access(named.financeur, objet_id=named.parcours.pk, refuse=True)
    access(named.coordination, objet_id=named.parcours.pk + 1000)  # another file: not shown
    response = client_for(named.coordination).get(f"/parcours/{named.parcours.pk}/")
    content = response.content.decode()
    shown = response.context["acces_recents"]
    assert len(shown) == 10
    assert shown[0] == refused
    assert [row.date for row in shown] == sorted((row.date for row in shown), reverse=True)
    assert "Qui a consulté ce dossier" in content
    card = content[content.index('id="qui-a-consulte"') :]
    assert escape(refused.utilisateur_libelle) in card
    assert "Financeur" in card and "refusé" in card and "consultation" in card
    assert timezone.localtime(refused.date).strftime("%d/%m/%Y %H:%M") in card
    link = f"/journal-des-acces/?type_objet=parcours&amp;objet={named.parcours.pk}"
    assert link in card


@pytest.mark.parametrize("who", ["referent_a", "prescripteur"])
def test_the_card_is_for_the_coordination_only(named, client_for, who):
    access(named.coordination, objet_id=named.parcours.pk)
    response = client_for(getattr(named, who)).get(f"/parcours/{named.parcours.pk}/")
    assert response.status_code == 200
    assert response.context["acces_recents"] is None
    assert "Qui a consulté ce dossier" not in response.content.decode()


# --- the journal page ---------------------------------------------------------------------------

JOURNAL = "/journal-des-acces/"


def test_the_coordination_opens_the_journal(personas, client_for):
    assert client_for(personas.coordination).get(JOURNAL).status_code == 200


@pytest.mark.parametrize("who", ROLES_OTHER_THAN_COORDINATION)
def test_every_other_role_is_refused_the_journal(personas, client_for, who):
    assert client_for(getattr(personas, who)).get(JOURNAL).status_code == 403


def test_anonymous_is_sent_to_login_from_the_journal(db):
    response = Client().get(JOURNAL)
    assert response.status_code == 302
    assert response["Location"] == f"/compte/connexion/?next={JOURNAL}"


def test_the_journal_is_empty_at_first(personas, client_for):
    content = client_for(personas.coordination).get(JOURNAL).content.decode()
    assert "Aucun accès ne correspond." in content


def journal(client, **params):
    response = client.get(JOURNAL, params)
    assert response.status_code == 200
    return response


def listed(response):
    return [row for row, _ in response.context["lignes"]]


def test_the_journal_lists_newest_first_with_links_to_existing_objects(named, client_for):
    parcours_row = access(named.referent_a, days_ago=2, objet_id=named.parcours.pk)
    prescription = PrescriptionFactory(prescripteur=named.prescripteur)
    prescription_row = access(
        named.coordination,
        days_ago=1,
        type_objet=TypeObjet.PRESCRIPTION,
        objet_id=prescription.pk,
        chemin=f"/prescriptions/{prescription.pk}/",
    )
    gone = access(named.coordination, objet_id=987654, refuse=True)
    response = journal(client_for(named.coordination))
    assert listed(response) == [gone, prescription_row, parcours_row]
    content = response.content.decode()
    assert f'href="/parcours/{named.parcours.pk}/"' in content
    assert f'href="/prescriptions/{prescription.pk}/"' in content
    assert 'href="/parcours/987654/"' not in content  # no such object: no link
    assert escape(parcours_row.utilisateur_libelle) in content
    assert "Référent de parcours" in content


def test_a_deleted_draft_loses_its_link(named, client_for):
    draft = PrescriptionFactory(prescripteur=named.prescripteur, brouillon=True)
    client = client_for(named.prescripteur)
    assert client.post(f"/prescriptions/{draft.pk}/supprimer/").status_code == 302
    [row] = rows()
    assert (row.action, row.objet_id) == (Action.MODIFICATION, draft.pk)
    response = journal(client_for(named.coordination))
    assert response.context["lignes"] == [(row, None)]


def test_the_journal_filters(named, client_for):
    named.referent_a.first_name, named.referent_a.last_name = "Gaëlle", "Morvan"
    named.referent_a.save()
    morvan = access(named.referent_a, days_ago=10, objet_id=named.parcours.pk)
    refused = access(named.financeur, days_ago=3, objet_id=named.parcours.pk, refuse=True)
    fiche = access(named.coordination, days_ago=1, type_objet=TypeObjet.PRESCRIPTION, objet_id=5, chemin="/p/5/")
    client = client_for(named.coordination)
    day = lambda row: timezone.localtime(row.date).strftime("%d/%m/%Y")  # noqa: E731

    assert listed(journal(client, q="morvan")) == [morvan]
    assert listed(journal(client, q="gaëlle MOR")) == [morvan]  # SQLite folds the case of ASCII only
    assert listed(journal(client, q=named.financeur.email)) == [refused]
    assert listed(journal(client, type_objet="prescription")) == [fiche]
    assert listed(journal(client, refuse="oui")) == [refused]
    assert listed(journal(client, refuse="non")) == [fiche, morvan]
    assert listed(journal(client, objet=named.parcours.pk, type_objet="parcours")) == [refused, morvan]
    assert listed(journal(client, du=day(refused))) == [fiche, refused]
    assert listed(journal(client, au=day(refused))) == [refused, morvan]
    assert listed(journal(client, du=day(morvan), au=day(morvan))) == [morvan]
    assert listed(journal(client, q="personne-inconnue")) == []
    assert "Aucun accès ne correspond à cette recherche." in journal(client, q="inconnue").content.decode()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"du": "31/02/2026"}, "du", "Saisissez une date au format JJ/MM/AAAA, par exemple 05/03/2026."),
        ({"au": "hier"}, "au", "Saisissez une date au format JJ/MM/AAAA, par exemple 05/03/2026."),
        ({"du": "01/01/0001"}, "du", "Saisissez une date entre 2000 et 2100."),
        ({"au": "31/12/9999"}, "au", "Saisissez une date entre 2000 et 2100."),
        ({"du": "10/03/2026", "au": "01/03/2026"}, "au", "La date de fin précède la date de début."),
        ({"objet": "abc"}, "objet", "Saisissez un nombre entier."),
        ({"objet": "99999999999999999999"}, "objet", None),
        ({"refuse": "peut-être"}, "refuse", None),
        ({"type_objet": "<script>"}, "type_objet", None),
        ({"q": "x" * 5000}, "q", None),
    ],
    ids=lambda value: str(value)[:30],
)
def test_bad_filters_give_a_french_message_beside_the_field_and_keep_the_typing(
    personas, client_for, params, field, message
):
    row = access(personas.coordination)
    response = journal(client_for(personas.coordination), **params, page="abc")
    form = response.context["form"]
    assert field in form.errors
    if message:
        assert form.errors[field] == [message]
    content = response.content.decode()
    errors = escape(" ".join(form.errors[field]))
    assert f'<div class="invalid-feedback" id="id_{field}_error">{errors}</div>' in content
    typed = params[field]
    if field not in {"refuse", "type_objet"}:
        assert f'value="{escape(typed)}"' in content
    # The other, valid filters still apply: here none, so the row is listed.
    assert listed(response) == [row]


def test_the_journal_is_paginated_by_fifty(personas, client_for):
    user = personas.coordination
    AccesDossier.objects.bulk_create(
        AccesDossier(
            utilisateur=user,
            utilisateur_libelle="Camille Test (camille@exemple.fr)",
            role=Role.COORDINATION,
            type_objet=TypeObjet.PARCOURS,
            objet_id=n + 1,
            action=Action.CONSULTATION,
            chemin=f"/parcours/{n + 1}/",
            date=timezone.now() - datetime.timedelta(minutes=n),
        )
        for n in range(120)
    )
    client = client_for(user)
    first = journal(client, refuse="non")
    assert first.context["page_obj"].paginator.num_pages == 3
    assert [row.objet_id for row in listed(first)] == list(range(1, 51))
    content = first.content.decode()
    assert "Page 1 sur 3" in content
    assert 'href="?refuse=non&amp;page=2"' in content
    last = journal(client, refuse="non", page="3")
    assert [row.objet_id for row in listed(last)] == list(range(101, 121))
    assert listed(journal(client, page="999")) == listed(last)  # past the end: the last page


def test_the_journal_query_count_does_not_grow_with_rows(named, client_for):
    client = client_for(named.coordination)
    prescription = PrescriptionFactory(prescripteur=named.prescripteur)

    def grow(total):
        while AccesDossier.objects.count() < total:
            n = AccesDossier.objects.count()
            if n % 2:
                access(named.referent_a, objet_id=named.parcours.pk)
            else:
                access(named.coordination, type_objet=TypeObjet.PRESCRIPTION, objet_id=prescription.pk)

    def count():
        with CaptureQueriesContext(connection) as context:
            response = client.get(JOURNAL)
        assert response.status_code == 200
        return len(context.captured_queries), len(response.context["lignes"])

    grow(4)
    client.get(JOURNAL)
    small = count()
    grow(45)
    large = count()
    assert large[1] > small[1]
    assert large[0] == small[0]


# --- the admin shows the log and changes nothing ------------------------------------------------


def test_the_admin_reads_the_log_and_cannot_add_change_or_delete(personas):
    admin = User.objects.create_superuser("root@exemple.fr", "x", first_name="Ada", last_name="Min")
    row = access(personas.coordination)
    client = verified_login(Client(), admin)
    base = "/admin/acces/accesdossier/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}?q=consultation").status_code == 200
    change = client.get(f"{base}{row.pk}/change/")
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.post(f"{base}{row.pk}/change/", {"refuse": "on"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    assert client.get(f"{base}{row.pk}/delete/").status_code == 403
    assert client.post(base, {"action": "delete_selected", "_selected_action": [row.pk]}).status_code in {200, 302}
    row.refresh_from_db()
    assert row.refuse is False
    assert AccesDossier.objects.count() == 1


def test_a_user_who_opened_a_file_cannot_be_deleted(personas):
    """PROTECT: the log keeps naming them; they are deactivated instead."""
    user = UserFactory(role=Role.COORDINATION)
    access(user)

    with pytest.raises(ProtectedError):
        user.delete()
