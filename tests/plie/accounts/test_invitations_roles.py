"""The coordination invites people of every role; a référent's post starts with their account."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from plie.accounts.models import Invitation, ReferentProfile, Role, StructureType, User
from tests.factories import StructureFactory
from tests.plie.accounts.test_invitations import activate, form_data, link_of

STRUCTURE_OF_ROLE = {
    Role.COORDINATION: {"coordination": True},
    Role.REFERENT: {"operateur": True},
    Role.OPERATEUR: {"operateur": True},
    Role.FINANCEUR: {"type": StructureType.FINANCEUR},
    Role.PRESCRIPTEUR: {"prescripteur": True},
    Role.BUREAU_INSERTION: {"bureau_insertion": True},
}


@pytest.mark.parametrize("role", list(Role))
def test_the_coordination_invites_every_role_and_the_account_activates(
    personas, client_for, mailoutbox, django_capture_on_commit_callbacks, role
):
    structure = StructureFactory(**STRUCTURE_OF_ROLE[role])
    data = form_data(role=role, structure=structure.pk, email=f"{role}@exemple.fr")
    if role == Role.REFERENT:
        data["etp"] = "0,6"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.coordination).post("/compte/invitations/nouvelle/", data)
    assert response.status_code == 302, response.content.decode()
    invitation = Invitation.objects.get(email=f"{role}@exemple.fr")
    assert (invitation.role, invitation.structure) == (role, structure)
    response = activate(Client(), link_of(mailoutbox[-1]))
    assert response.status_code == 302
    user = User.objects.get(email=f"{role}@exemple.fr")
    assert (user.role, user.structure) == (role, structure)
    profile = ReferentProfile.objects.filter(user=user).first()
    if role == Role.REFERENT:
        assert (profile.etp, profile.actif, profile.date_debut) == (Decimal("0.60"), True, timezone.localdate())
    else:
        assert profile is None


def test_an_etp_typed_for_another_role_is_not_kept(personas, client_for, mailoutbox):
    structure = StructureFactory(type=StructureType.FINANCEUR)
    data = form_data(role=Role.FINANCEUR, structure=structure.pk, etp="0,5")
    assert client_for(personas.coordination).post("/compte/invitations/nouvelle/", data).status_code == 302
    assert Invitation.objects.get().etp is None


def test_the_new_referent_appears_on_the_referents_page(
    personas, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    data = form_data(role=Role.REFERENT, structure=personas.operateur.structure_id, etp="1", email="neo@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(personas.coordination).post("/compte/invitations/nouvelle/", data)
    activate(Client(), link_of(mailoutbox[-1]))
    content = client_for(personas.operateur).get("/referents/").content.decode()
    assert "neo@exemple.fr" in content
    assert timezone.localdate().strftime("%d/%m/%Y") in content
