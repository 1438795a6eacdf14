"""Invitations: the coordination opens an account (any role), which its owner activates by email.

The transitions of an invitation, one function each: ``inviter`` (a new pending invitation and its
email), ``renvoyer`` (a new link, the old one stops working), ``annuler`` (gone, its link with it)
and ``accepter`` (the account is created, the link has served). The raw token is only ever in the
email; the database keeps its SHA-256, so a leaked table opens no account.
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from plie.accounts.models import INVITATION_VALIDITY, Invitation, InvitationStatut, ReferentProfile, Role, User
from plie.notifications.services import envoyer_email

SUJET = "Plateforme PLIE : activez votre compte"


class InvitationInvalide(Exception):
    """The link opens nothing; ``message`` says why to the person who clicked it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def motif_adresse_indisponible(email: str) -> str | None:
    """Why this address cannot be invited (an account, a pending invitation), or None."""
    if User.objects.filter(email__iexact=email).exists():
        return "Un compte existe déjà pour cette adresse."
    if Invitation.objects.en_attente().filter(email__iexact=email).exists():
        return "Une invitation est déjà en attente pour cette adresse : renvoyez-la depuis la liste des invitations."
    return None


@transaction.atomic
def inviter(invitation: Invitation) -> Invitation:
    """Save a new invitation (and its structure when it is new) with a fresh link, and email the link."""
    if invitation.structure.pk is None:
        invitation.structure.save()
    invitation.email = invitation.email.strip().lower()
    token = _nouveau_jeton(invitation)
    invitation.save()
    _envoyer(invitation, token)
    return invitation


@transaction.atomic
def renvoyer(invitation: Invitation) -> Invitation:
    """A new link valid for a new period; the previous link stops working at once."""
    invitation = Invitation.objects.select_for_update().non_acceptees().get(pk=invitation.pk)
    token = _nouveau_jeton(invitation)
    invitation.save(update_fields=["token_hash", "expire_le"])
    _envoyer(invitation, token)
    return invitation


def annuler(invitation: Invitation) -> None:
    Invitation.objects.non_acceptees().filter(pk=invitation.pk).delete()


def invitation_pour(token: str, *, lock: bool = False) -> Invitation:
    """The pending invitation this token opens, or InvitationInvalide with the reason."""
    invitations = Invitation.objects.select_related("structure")
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(token_hash=hash_token(token)).first()
    if invitation is None:
        raise InvitationInvalide(
            "Ce lien d'activation n'est pas valide. Il a peut-être été remplacé par un lien plus récent ou "
            "l'invitation a été annulée : demandez à la coordination du PLIE de vous en renvoyer une."
        )
    if invitation.statut == InvitationStatut.ACCEPTEE:
        raise InvitationInvalide("Ce lien a déjà servi : votre compte est créé, connectez-vous avec votre adresse.")
    if invitation.statut == InvitationStatut.EXPIREE:
        expiration = timezone.localtime(invitation.expire_le).strftime("%d/%m/%Y")
        raise InvitationInvalide(
            f"Ce lien a expiré le {expiration}. Demandez à la coordination du PLIE de vous renvoyer une invitation."
        )
    return invitation


@transaction.atomic
def accepter(token: str, password: str) -> User:
    """Create the account the invitation describes and mark it accepted, both or neither.

    The row is locked: of two clicks on the same link, the second waits, then finds it used.
    """
    invitation = invitation_pour(token, lock=True)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationInvalide("Un compte existe déjà pour cette adresse : connectez-vous avec votre adresse email.")
    user = User.objects.create_user(
        email=invitation.email,
        password=password,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        role=invitation.role,
        structure=invitation.structure,
    )
    if invitation.role == Role.REFERENT:
        # The post starts with the account; the coordination adds its places on the référents page.
        ReferentProfile.objects.create(user=user, etp=invitation.etp, date_debut=timezone.localdate())
    invitation.user = user
    invitation.acceptee_le = timezone.now()
    invitation.save(update_fields=["user", "acceptee_le"])
    return user


def _nouveau_jeton(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.expire_le = timezone.now() + INVITATION_VALIDITY
    return token


def _envoyer(invitation: Invitation, token: str) -> None:
    envoyer_email([invitation.email], SUJET, "emails/invitation.txt", {"invitation": invitation, "token": token})
