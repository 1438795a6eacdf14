"""The demo PLIE is believable: every role, every state, consistent histories."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.utils import timezone

from parcours.models import Etat, Parcours, Participant, TransitionParcours
from parcours.workflow import ETATS_OUVERTS
from plie import permissions
from plie.accounts.models import Role, User
from plie.demo import DEMO_DOMAIN, DEMO_PASSWORD
from prescriptions.models import Prescription
from prescriptions.workflow import Statut


@pytest.fixture
def demo(niort, communes, tmp_path, monkeypatch):
    # Niort's measure renewals join their bilan PDF: in a folder of the test, not var/prive.
    from django.core.files.storage import FileSystemStorage

    from parcours.models import Demande

    monkeypatch.setattr(Demande._meta.get_field("bilan"), "storage", FileSystemStorage(location=tmp_path / "prive"))
    out = io.StringIO()
    call_command("seed_demo", "--participants", "300", stdout=out)
    return out.getvalue()


def test_prints_one_login_per_role(demo, client):
    """Each printed login reaches its home page, through the second step where the role needs it."""
    for role in [*Role, None]:
        users = User.objects.filter(email__in=_printed_emails(demo))
        user = (users.filter(role=role) if role else users.filter(is_superuser=True)).first()
        assert user is not None, f"no printed login for {role.label if role else 'admin'}"
        response = client.post("/compte/connexion/", {"username": user.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        if permissions.must_use_second_factor(user):
            code = re.search(rf"{re.escape(user.email)}[^\n]*\n\s+2e étape : code de secours (\w+)", demo).group(1)
            assert client.post("/compte/double-authentification/", {"code": code}).status_code == 302
        assert client.get("/").status_code == 200
        client.post("/compte/deconnexion/")
    assert DEMO_PASSWORD in demo


def test_prints_every_demo_login_grouped_by_role(demo):
    """Not one référent: every account the demo creates, each under its role's heading."""
    created = set(User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").values_list("email", flat=True))
    assert User.objects.filter(role=Role.REFERENT, email__endswith=f"@{DEMO_DOMAIN}").count() > 1
    assert set(_printed_emails(demo)) == created
    for user in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}"):
        heading = f"  {user.get_role_display() if user.role else 'Administrateur'} ("
        section = demo[demo.index(heading) :]
        next_heading = re.search(r"\n  \S", section[len(heading) :])
        section = section[: len(heading) + next_heading.start()] if next_heading else section
        assert user.email in section, f"{user.email} not under {heading.strip()}"


def test_a_second_run_prints_fresh_backup_codes_and_keeps_the_app_secret(demo):
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    secrets = re.findall(r"clé TOTP (\w+)", demo), re.findall(r"clé TOTP (\w+)", out.getvalue())
    assert secrets[0] and secrets[0] == secrets[1]
    assert re.findall(r"code de secours (\w+)", demo) != re.findall(r"code de secours (\w+)", out.getvalue())


def _printed_emails(output):
    return [word for word in output.split() if "@" in word]


def test_every_state_is_represented(demo):
    """Parcours in every state (they are born oriented); before it, referrals in every status of the queue."""
    counts = dict(Parcours.objects.values_list("etat").annotate(n=Count("id")))
    assert set(counts) == set(Etat.values)
    assert set(Prescription.objects.values_list("statut", flat=True)) == set(Statut.values)
    # Every person drawn is either a participant or a referral still without one (300 in all),
    # besides the re-entries (a known participant referred again) and the prescripteur's drafts.
    sans_participant = Prescription.objects.filter(participant=None).exclude(statut=Statut.BROUILLON)
    assert Participant.objects.count() + sans_participant.count() - reentries() == 300
    assert Prescription.objects.filter(statut=Statut.BROUILLON).count() == 2


def reentries():
    """Pending referrals of a person who already had a parcours (the demo's possible duplicates)."""
    from prescriptions.dedoublonnage import doublons_possibles

    pending = list(Prescription.objects.filter(statut=Statut.ENVOYEE))
    return len(doublons_possibles(pending) & {p.pk for p in pending})


def test_accepted_referrals_match_their_parcours(demo):
    accepted = Prescription.objects.filter(statut=Statut.ACCEPTEE).select_related("parcours")
    assert accepted.count() == Parcours.objects.filter(date_orientation__isnull=False).count()
    for prescription in accepted[:100]:
        assert prescription.participant_id == prescription.parcours.participant_id
        assert prescription.prescripteur_id == prescription.parcours.prescripteur_id
    assert not Prescription.objects.filter(
        statut__in=[Statut.REFUSEE, Statut.ENVOYEE], participant__isnull=False
    ).exists()


def test_histories_are_consistent(demo):
    # Every oriented parcours carries the log of its orientation, every exit its validation.
    assert (
        not Parcours.objects.filter(date_orientation__isnull=False).exclude(transitions__transition="orienter").exists()
    )
    assert not Parcours.objects.filter(etat=Etat.SORTI).exclude(transitions__transition="valider_sortie").exists()
    assert not Parcours.objects.filter(etat=Etat.VEILLE).exclude(periodes_veille__fin__isnull=True).exists()
    for log in TransitionParcours.objects.select_related("parcours")[:500]:
        assert log.date.date() >= log.parcours.date_prescription
    # One open parcours at most per person; some people came back after an exit.
    assert not Participant.objects.annotate(ouverts=Count("parcours", filter=_open())).filter(ouverts__gt=1).exists()


def _open():
    from django.db.models import Q

    return Q(parcours__etat__in=ETATS_OUVERTS)


def test_referents_have_profiles_places_and_one_vacant_post(demo):
    referents = User.objects.filter(role=Role.REFERENT)
    assert 5 <= referents.filter(referent_profile__actif=True).count() <= 40
    assert referents.filter(referent_profile__actif=False, referent_profile__date_vacance__isnull=False).count() == 1
    assert not referents.filter(referent_profile__actif=True, referent_profile__lieux__isnull=True).exists()
    # The vacant post is not proposed for new assignments and follows no one.
    assert not Parcours.objects.filter(referent__referent_profile__actif=False).exists()


def test_refuses_a_second_run_unless_if_empty(demo):
    before = (Participant.objects.count(), Prescription.objects.count())
    with pytest.raises(CommandError, match="déjà des données"):
        call_command("seed_demo", "--participants", "5", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "conservée" in out.getvalue()
    assert (Participant.objects.count(), Prescription.objects.count()) == before


def test_needs_an_active_referentiel(db, communes):
    with pytest.raises(CommandError, match="Aucun référentiel n'est actif"):
        call_command("seed_demo", "--participants", "5", stdout=io.StringIO())


def test_every_seeded_log_row_is_a_transition_of_the_table(demo):
    # The demo writes its histories in bulk; each row must still be a step the machine allows, the rows
    # of a parcours must chain from one state to the next, and the last one must end in its state.
    from parcours.workflow import TRANSITIONS

    logs = {}
    for log in TransitionParcours.objects.order_by("parcours_id", "date", "id"):
        transition = TRANSITIONS[log.transition]
        if transition.sources:
            assert log.etat_avant in transition.sources, (log.transition, log.etat_avant)
            assert log.etat_apres == transition.target_from(log.etat_avant), (log.transition, log.etat_apres)
        else:  # the creation, first of its parcours
            assert (log.etat_avant, log.etat_apres) == ("", transition.target), log.transition
        logs.setdefault(log.parcours_id, []).append(log)
    assert logs
    etats = dict(Parcours.objects.filter(pk__in=logs).values_list("pk", "etat"))
    for pk, rows in logs.items():
        assert rows[0].transition == "orienter", (pk, rows[0].transition)
        for before, after in zip(rows, rows[1:], strict=False):
            assert after.etat_avant == before.etat_apres, (pk, before.transition, after.transition)
        assert rows[-1].etat_apres == etats[pk], (pk, rows[-1].transition, etats[pk])


def test_parcours_in_accompaniment_have_etapes_from_the_catalogue_with_their_log(demo):
    from parcours.etapes import TRANSITIONS, EtatEtape
    from parcours.models import Etape, EvenementEtape

    accompagnes = Parcours.objects.filter(etat=Etat.ACCOMPAGNEMENT)
    assert accompagnes.exists()
    assert not accompagnes.exclude(etapes__type="diagnostic").exists()  # every one opened by its diagnostic
    assert Etape.objects.filter(ressource__isnull=False).count() >= accompagnes.count() // 2
    assert set(Etape.objects.values_list("etat", flat=True)) >= {EtatEtape.REALISEE, EtatEtape.EN_COURS}
    assert not Etape.objects.exclude(
        parcours__etat__in=[Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE]
    ).exists()
    # The bulk log chains as the machine would have written it, and ends in the étape's state.
    rows = {}
    for log in EvenementEtape.objects.order_by("etape_id", "date", "id"):
        transition = TRANSITIONS[log.transition]
        assert log.etat_avant in transition.sources or (not transition.sources and log.etat_avant == "")
        rows.setdefault(log.etape_id, []).append(log)
    etats = dict(Etape.objects.values_list("pk", "etat"))
    assert rows.keys() == etats.keys()
    for pk, logs in rows.items():
        for before, after in zip(logs, logs[1:], strict=False):
            assert after.etat_avant == before.etat_apres
        assert logs[-1].etat_apres == etats[pk]
    assert Etape.history.count() == len(etats)  # one history row each, as bulk_create_with_history writes


def test_accompaniments_have_months_of_entretiens_with_some_absences(demo):
    from parcours import absences
    from parcours.models import RendezVous, StatutRendezVous, TransitionRendezVous

    entered = Parcours.objects.filter(etat__in=[Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE])
    assert RendezVous.objects.filter(statut=StatutRendezVous.HONORE).count() > entered.count()
    assert RendezVous.objects.filter(statut=StatutRendezVous.ABSENT).exists()
    assert RendezVous.objects.filter(statut=StatutRendezVous.PREVU).exists()
    assert absences.a_suivre(Parcours.objects.ouverts()).exists()  # some follow-up tasks to show
    # Every appointment lies within its parcours, and carries its log.
    for rdv in RendezVous.objects.select_related("parcours")[:300]:
        assert rdv.parcours.date_entree <= rdv.debut_local.date()
        assert rdv.parcours.date_sortie is None or rdv.debut_local.date() <= rdv.parcours.date_sortie
    assert not RendezVous.objects.exclude(transitions__transition="planifier").exists()
    assert (
        TransitionRendezVous.objects.exclude(transition="planifier").count()
        == RendezVous.objects.exclude(statut=StatutRendezVous.PREVU).count()
    )


def test_entered_parcours_have_their_diagnostic_and_signed_contract(demo):
    from parcours.models import Contrat, Diagnostic, EvenementContrat, NatureDiagnostic, StatutContrat
    from parcours.models.cer import TRANSITIONS

    entered = Parcours.objects.filter(date_entree__isnull=False)
    open_ = entered.exclude(etat=Etat.SORTI)
    assert open_.exists() and entered.filter(etat=Etat.SORTI).exists()
    for nature in (NatureDiagnostic.EN_COURS, NatureDiagnostic.INITIAL):
        assert not open_.exclude(diagnostics__nature=nature).exists(), nature
    assert Diagnostic.objects.filter(freins__niveau="bloquant").exists()
    signed = Contrat.objects.filter(statut=StatutContrat.SIGNE)  # Niort: the entry counts at the signature
    assert signed.count() == entered.count()
    assert not signed.exclude(date_signature=F("parcours__date_entree")).exists()
    assert Contrat.objects.filter(statut=StatutContrat.BROUILLON, parcours__etat=Etat.ACCUEIL).exists()
    # The log chains as the contract's machine writes it, and ends in the contract's status.
    for contrat in Contrat.objects.prefetch_related("evenements"):
        rows = sorted(contrat.evenements.all(), key=lambda e: (e.date, e.pk))
        assert rows[0].transition == "rediger" and rows[0].statut_avant == ""
        for before, after in zip(rows, rows[1:], strict=False):
            assert after.statut_avant == before.statut_apres
            assert after.statut_avant in TRANSITIONS[after.transition].sources
        assert rows[-1].statut_apres == contrat.statut
    assert EvenementContrat.objects.count() >= Contrat.objects.count()


def test_referents_have_absences_that_their_agenda_shows(demo, client):
    from parcours import agenda
    from parcours.models import AbsenceReferent

    referents = User.objects.filter(role=Role.REFERENT, referent_profile__actif=True)
    assert set(AbsenceReferent.objects.values_list("referent", flat=True)) == set(
        referents.values_list("pk", flat=True)
    )
    for referent in referents:
        absences = list(AbsenceReferent.objects.du_referent(referent))
        assert not any(AbsenceReferent.objects.chevauchant(a).exists() for a in absences)  # never two on one day
        assert all(a.fin >= a.debut for a in absences)
    assert AbsenceReferent.history.count() == AbsenceReferent.objects.count()
    # The demo référent's week holds a training day, blocked in their agenda.
    referent = User.objects.get(email=f"referent@{DEMO_DOMAIN}")
    lundi, dimanche = agenda.periode(timezone.localdate(), agenda.VUE_SEMAINE)
    jours = agenda.agenda(referent, lundi, dimanche)
    assert any(j.absences and not j.libres for j in jours)
    client.force_login(referent)
    assert "Formation des référents du PLIE" in client.get("/agenda/").content.decode()


def test_ateliers_with_sessions_and_attendance(demo):
    from parcours.models import Atelier, PresenceAtelier, SeanceAtelier

    assert Atelier.objects.count() >= 2
    assert Atelier.objects.filter(co_animateur__isnull=False).exists()  # one in binôme
    assert SeanceAtelier.objects.filter(statut="tenue", emargement_clos_le__isnull=False).exists()
    assert SeanceAtelier.objects.filter(statut="annulee").exclude(motif_annulation="").exists()
    assert PresenceAtelier.objects.filter(statut="absent_injustifie").exists()
    # Only people of the animateurs' portfolios are invited.
    for atelier in Atelier.objects.all():
        referents = set(atelier.inscriptions.values_list("parcours__referent", flat=True))
        assert referents <= atelier.animateur_ids


def test_the_demo_has_convocations_of_each_kind(demo):
    """On the demo référent's participants: an SMS due now (the worker prints it within a minute), one
    confirmed, one cancelled, a letter to post and a failure with its fallback; a personal link printed."""
    from parcours import courriers
    from parcours.models import Convocation, ReponseConvocation
    from plie.notifications.models import Message, StatutMessage

    referent = User.objects.get(email=f"referent@{DEMO_DOMAIN}")
    mine = Message.objects.filter(convocation__parcours__referent=referent)
    now = timezone.now()
    # Due at once, not queued by the seed (no broker then): the worker's sweep sends it.
    assert mine.filter(canal="sms", statut=StatutMessage.A_ENVOYER, du_le__lte=now).exists()
    assert mine.courriers_a_envoyer().exists()
    [echec] = mine.filter(statut=StatutMessage.ECHEC)
    assert courriers.canal_de_repli(echec) == "email"  # the card offers « Envoyer par email »
    assert echec in courriers.echecs_de(referent)
    reponses = set(Convocation.objects.filter(parcours__referent=referent).values_list("reponse", flat=True))
    assert {ReponseConvocation.CONFIRMEE, ReponseConvocation.ANNULEE, ReponseConvocation.SANS_REPONSE} <= reponses
    [lien] = re.findall(r"Lien personnel d'un participant à essayer[^:]*: (\S+)", demo)
    jeton = lien.rstrip("/").rsplit("/", 1)[1]
    assert Convocation.objects.filter(jeton=jeton, reponse=ReponseConvocation.SANS_REPONSE).exists()
