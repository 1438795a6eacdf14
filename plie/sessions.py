"""Session limits: an idle timeout and an absolute one, without losing what a person typed.

The session keeps the time of the login and of the last activity (seconds since the epoch). A
request past either limit logs the user out before the view runs: a page is then answered as for
anyone not logged in, with a French message on the login page, and a form sent (POST) gets a page
saying that nothing was saved and that the browser's Back button gives the text back, instead of a
redirect that would lose it. ``static/js/session.js`` keeps the session alive while a person types
and warns before the end; it reads the timings from ``<body data-session-*>`` (:func:`timings`).
"""

import time

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

LOGIN_AT = "plie_login_at"
SEEN_AT = "plie_seen_at"
EXPIRED_REASON = "plie_session_expired"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _seconds(minutes) -> int:
    return max(1, round(float(minutes) * 60))


def idle_seconds() -> int:
    return _seconds(settings.SESSION_IDLE_TIMEOUT)


def absolute_seconds() -> int:
    return _seconds(settings.SESSION_ABSOLUTE_TIMEOUT)


def _refresh_every() -> int:
    """An ordinary request writes the session at most this often (seconds): a write per click is useless."""
    return min(30, idle_seconds() // 10)


def start(session, now: int) -> None:
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def touch(session, now: int | None = None) -> None:
    session[SEEN_AT] = int(time.time()) if now is None else now


def expired(session, now: int) -> str | None:
    """``"idle"`` or ``"absolute"`` when the session is past a limit, else None."""
    if now - session[LOGIN_AT] >= absolute_seconds():
        return "absolute"
    if now - session[SEEN_AT] >= idle_seconds():
        return "idle"
    return None


def expiry_message(reason: str) -> str:
    if reason == "absolute":
        hours = settings.SESSION_ABSOLUTE_TIMEOUT / 60
        unit = "heures" if hours >= 2 else "heure"
        return (
            f"Votre session a expiré : par sécurité, une session dure au plus {hours:g} {unit}. "
            "Reconnectez-vous pour continuer."
        )
    return (
        f"Votre session a expiré après {settings.SESSION_IDLE_TIMEOUT:g} minutes sans activité. "
        "Reconnectez-vous pour continuer."
    )


class SessionTimeoutMiddleware:
    """Logs out a session past its idle or absolute limit; records the activity of the others."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            if LOGIN_AT not in session or SEEN_AT not in session:
                start(session, now)  # a session opened before the limits existed
            elif reason := expired(session, now):
                auth.logout(request)
                request.session[EXPIRED_REASON] = reason
                if request.method in SAFE_METHODS:
                    messages.warning(request, expiry_message(reason))
            elif now - session[SEEN_AT] >= _refresh_every():
                touch(session, now)
        response = self.get_response(request)
        # A login during this request (login page, activation link) starts the clock.
        if request.user.is_authenticated and LOGIN_AT not in request.session:
            start(request.session, int(time.time()))
        return response


def session_expired_response(request):
    """The answer to a form sent by someone no longer logged in: nothing saved, the text is not lost."""
    reason = request.session.get(EXPIRED_REASON)
    context = {
        "reason": reason,
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT,
        "login_url": resolve_url(settings.LOGIN_URL),
    }
    return render(request, "registration/session_expiree.html", context, status=403)


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, except that a form sent while logged out is answered by a page, not a redirect.

    A redirect would lose the text; the page says so and how to get it back. An htmx request is sent
    to the login page as a whole, rather than swapping the login form into a part of the page.
    """

    def handle_no_permission(self, request, view_func):
        # Logging out once the session has ended loses nothing: the login page, as Django does.
        if request.method not in SAFE_METHODS and request.path != reverse("logout"):
            return session_expired_response(request)
        response = super().handle_no_permission(request, view_func)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(response["Location"])
        return response


@require_POST
def keep_alive(request):
    """Called by session.js while a person types: the session stays open. Nothing to answer."""
    touch(request.session)
    return HttpResponse(status=204)


def timings(request) -> dict:
    """The numbers session.js needs (seconds), for ``<body data-session-*>``; none when logged out."""
    if not request.user.is_authenticated:
        return {}
    now = int(time.time())
    login_at = request.session.get(LOGIN_AT, now)
    return {
        "session_timing": {
            "idle": idle_seconds(),
            "remaining_absolute": max(0, absolute_seconds() - (now - login_at)),
            "warning": _seconds(settings.SESSION_WARNING_BEFORE),
            "keepalive_every": _seconds(settings.SESSION_KEEPALIVE_EVERY),
        }
    }
