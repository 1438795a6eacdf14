"""Lockout after repeated failures, with django-axes: logins, password-reset requests, bad links.

Logins use axes as it comes: ``AxesStandaloneBackend`` refuses a locked (account, IP) pair before
any password is checked, the ``user_login_failed`` signal counts, ``AxesMiddleware`` answers with
:func:`lockout_response`. A password-reset request or the opening of an invitation or reset link
authenticates nobody, so the views below count them through the same handler API
(``AxesProxyHandler``) under a pseudo username that no email address can take (it has no ``@`` in
first position): ``reinitialisation:<email>`` for the requests about one address, ``lien`` for the
invalid links opened from one IP. Same rows (``AccessAttempt``), same limit, same cool-off, same
page: one mechanism, and the admin's « Access attempts » list shows them all.
"""

import ipaddress

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.shortcuts import render

RESET_PREFIX = "reinitialisation:"
LINK = "lien"
USERNAME_MAX_LENGTH = 255  # AccessAttempt.username


def normalise(username) -> str | None:
    """Emails are case-insensitive (EmailBackend): Claire@X and claire@x are one account to count."""
    username = (username or "").strip().lower()
    return username[:USERNAME_MAX_LENGTH] or None


def username_of(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the login form's ``username`` field holds the email."""
    if credentials:
        return normalise(credentials.get("username"))
    return normalise(request.POST.get("username"))


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: REMOTE_ADDR, or behind TRUSTED_PROXIES proxies, the address they saw.

    Each proxy appends the address it received the request from to X-Forwarded-For; with N proxies
    the client is the N-th from the right, whatever a client wrote on the left to disguise itself.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies and _is_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    return remote if _is_ip(remote) else None


def _is_ip(value) -> bool:
    try:
        ipaddress.ip_address(value or "")
    except ValueError:
        return False
    return True


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE, and the answer of every throttled view: one page, whatever was tried.

    It names neither the account nor the address, so it tells nobody whether an account exists.
    """
    return render(
        request,
        "registration/lockout.html",
        {"minutes": cooloff_minutes()},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def is_locked(request, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def count_failure(request, username: str) -> bool:
    """Count one failure for ``username`` from this request's IP; True once the limit is reached."""
    AxesProxyHandler.user_login_failed(sender=__name__, credentials={"username": username}, request=request)
    return bool(getattr(request, "axes_locked_out", False))
