"""What the HTTP providers share: one connection pool per process, the timeouts, and the mapping of
an HTTP answer to the outbox's two errors (:mod:`plie.sms.base`).

A network error or a timeout before the request left is worth a plain retry. A read timeout or a
connection dropped once the request was sent is *uncertain*: the provider may have accepted it, so
the outbox asks it about the tag before any resend (``ErreurTransitoire.incertain``).
"""

import email.utils
import os
import threading
import time

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from plie.sms.base import ErreurPermanente, ErreurTransitoire

_local = threading.local()


def session() -> requests.Session:
    """One pool per process and thread: keep-alive saves a TCP (and TLS) handshake per SMS. A forked
    worker builds its own (a pool shared across ``fork`` would mix two processes' sockets)."""
    if getattr(_local, "pid", None) != os.getpid():
        _local.session = requests.Session()
        _local.pid = os.getpid()
    return _local.session


def retry_after(valeur: str | None) -> float | None:
    """Retry-After in seconds (RFC 9110: a number of seconds or an HTTP date), None if unreadable."""
    if not valeur:
        return None
    valeur = valeur.strip()
    if valeur.isdigit():
        return float(valeur)
    try:
        date = email.utils.parsedate_to_datetime(valeur)
    except (TypeError, ValueError):
        return None
    return max(date.timestamp() - time.time(), 0.0)


def _detail(reponse) -> str:
    try:
        corps = reponse.json()
    except ValueError:
        return ""
    if isinstance(corps, dict):
        texte = corps.get("message") or corps.get("code") or corps.get("errorCode") or ""
        return str(texte)[:200]
    return ""


def _jamais_connecte(error) -> bool:
    """True when no connection was ever made (refused, unknown host): nothing reached the provider."""
    raison = error.args[0] if error.args else None
    raison = getattr(raison, "reason", raison)
    return isinstance(raison, (NewConnectionError, NameResolutionError))


def delais(config) -> tuple[float, float]:
    """(connect, read) seconds from settings.SMS: 5 and 10 by default."""
    return (config.get("connect_timeout") or 5, config.get("read_timeout") or 10)


def appeler(nom: str, methode: str, url: str, timeout, **kwargs) -> requests.Response:
    """Send one request; return a 2xx answer or raise the outbox's error (never a secret in it)."""
    try:
        reponse = session().request(methode, url, timeout=timeout, **kwargs)
    except requests.ConnectTimeout as error:
        raise ErreurTransitoire(f"{nom} injoignable (délai de connexion dépassé).") from error
    except requests.ReadTimeout as error:
        raise ErreurTransitoire(f"{nom} n'a pas répondu à temps.", incertain=True) from error
    except requests.ConnectionError as error:
        if _jamais_connecte(error):
            raise ErreurTransitoire(f"{nom} injoignable (connexion refusée).") from error
        # Cut once the request was written: the provider may hold it; it is asked before a resend.
        raise ErreurTransitoire(f"{nom} injoignable (connexion interrompue).", incertain=True) from error
    except requests.RequestException as error:
        raise ErreurTransitoire(f"{nom} injoignable ({type(error).__name__}).") from error
    statut = reponse.status_code
    if 200 <= statut < 300:
        return reponse
    detail = _detail(reponse)
    suite = f" : {detail}" if detail else ""
    if statut == 429:
        raise ErreurTransitoire(
            f"{nom} limite le débit (HTTP 429){suite}.", retry_after=retry_after(reponse.headers.get("Retry-After"))
        )
    if statut >= 500 or statut == 408:
        raise ErreurTransitoire(
            f"{nom} indisponible (HTTP {statut}){suite}.", retry_after=retry_after(reponse.headers.get("Retry-After"))
        )
    raise ErreurPermanente(f"{nom} a refusé le SMS (HTTP {statut}){suite}.")


def json_ou_erreur(nom: str, reponse) -> object:
    try:
        return reponse.json()
    except ValueError as error:
        raise ErreurTransitoire(f"{nom} a répondu sans JSON lisible.", incertain=True) from error
