"""Error pages that say, in French, what happened and how not to lose what was typed."""

from django.contrib.auth.decorators import login_not_required
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render


@login_not_required
def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: a form refused for its security token (expired, missing)."""
    return render(request, "403_csrf.html", {"no_cookie": reason == REASON_NO_CSRF_COOKIE}, status=403)
