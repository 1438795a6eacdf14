"""Where a ``next`` parameter may send a person: a page of this site, never elsewhere, never a crash.

``redirect()`` reads a bare word as a view name (``next=foo`` raised NoReverseMatch, a 500 after the
save), and a scheme-relative ``//evil.example`` leaves the site: every view that reads ``next`` asks
:func:`safe_next` instead of trusting the parameter.
"""

from django.utils.http import url_has_allowed_host_and_scheme

MAX_LENGTH = 2000  # longer is no link of ours


def safe_next(request, default: str) -> str:
    """The local path in ``next`` (POST first, then the query string), or ``default``.

    Accepted: a path starting with a single ``/`` on this host (``/parcours/12/?page=2``).
    Refused: a bare word, another host (``//evil.example``, ``https://evil.example/``, ``/\\evil``),
    another scheme (``javascript:``), control characters, anything too long.
    """
    url = request.POST.get("next") or request.GET.get("next") or ""
    return url if is_safe_path(request, url) else default


def is_safe_path(request, url: str) -> bool:
    if not url or len(url) > MAX_LENGTH or not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    if any(ord(char) < 32 or ord(char) == 127 for char in url):
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
