"""The one interface of every SMS provider, and the errors the outbox tells apart.

An adapter sends one text to one number under our tag (the message's unique key), and can tell
whether it accepted a message with that tag: the outbox asks before resending a message a dead
worker left « en cours d'envoi » (:mod:`plie.notifications.envoi`).
"""

from dataclasses import dataclass


class ErreurFournisseur(Exception):
    """The provider refused or could not be reached."""


class ErreurTransitoire(ErreurFournisseur):
    """Worth a retry: network, timeout, 5xx, 429 (``retry_after`` seconds when the provider says).

    ``incertain``: the request may have reached the provider (no answer read, connection cut once
    it was sent). The outbox then resends nothing blind: the claim waits for :func:`reconcilier`,
    which asks the provider about the tag."""

    def __init__(self, message, retry_after: float | None = None, incertain: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.incertain = incertain


class ErreurPermanente(ErreurFournisseur):
    """Never retried: an invalid number, a refused request (4xx)."""


@dataclass(frozen=True)
class SMS:
    numero: str  # E.164
    texte: str
    expediteur: str
    tag: str  # our unique key: the provider keeps it, we find the message by it


class Fournisseur:
    nom = ""

    def envoyer(self, sms: SMS) -> str:
        """Send; return the provider's message id. Raise ErreurTransitoire or ErreurPermanente."""
        raise NotImplementedError

    def retrouver(self, tag: str) -> str | None:
        """The provider's id of the message it accepted under ``tag``, or None if it has none."""
        raise NotImplementedError
