"""The participant's personal link: confirm or cancel one convocation, without an account.

The page tells only what the convocation itself says (what it is for, when, where, with whom by first
name, a number to call): whoever holds the link learns nothing else. An unknown link and an expired
one get the same 404; invalid links opened from one IP are counted like the accounts' bad links
(plie.accounts.lockout), so that nobody tries tokens in bulk. No path in any referrer (the token is in it),
no cache, no indexing, and a policy that allows no script at all.
"""

from functools import wraps

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from parcours import convocations
from parcours.models import Convocation, ReponseConvocation
from plie.accounts import lockout
from plie.phones import parse_phone
from plie.referentiel.models import Referentiel

# The lockout's pseudo username for the invalid convocation links opened from one IP.
LIEN_CONVOCATION = "lien-convocation"
CONFIRMEE = "Merci, votre venue est confirmée. À bientôt !"
ANNULEE = "C'est noté : votre venue est annulée. Votre référent est prévenu et vous recontactera."


# The token is in the path: no request from the page may carry the path in its Referer. « no-referrer »
# would do it too, but then browsers post the form with « Origin: null », which Django's CSRF check
# rightly refuses; « strict-origin » sends the origin alone (never the path), and nothing over HTTP.
REFERRER_POLICY = "strict-origin"


def prive(view):
    """The headers of every answer of the personal link, pages of errors included."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers["Referrer-Policy"] = REFERRER_POLICY
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _page(request, template, status, contexte=None):
    referentiel = Referentiel.objects.active_or_none()
    telephone = _telephone_plie(referentiel)
    return render(request, template, {"telephone": telephone, **(contexte or {})}, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
@never_cache
@csp_replace({"script-src": ["'none'"]})
@prive
def reponse(request, jeton):
    if lockout.is_locked(request, LIEN_CONVOCATION):
        lockout.count_failure(request, LIEN_CONVOCATION)
        return _page(request, "convocations/trop_de_tentatives.html", 429, {"minutes": lockout.cooloff_minutes()})
    now = timezone.now()
    convocation = (
        Convocation.objects.select_related(
            "parcours__referent",
            "rendez_vous__lieu__commune",
            "seance__atelier__lieu__commune",
            "seance__lieu__commune",
        )
        .filter(jeton=jeton, expire_le__gt=now)
        .first()
    )
    if convocation is None:
        if lockout.count_failure(request, LIEN_CONVOCATION):
            return _page(request, "convocations/trop_de_tentatives.html", 429, {"minutes": lockout.cooloff_minutes()})
        return _page(request, "convocations/introuvable.html", 404)
    referentiel = Referentiel.objects.active()
    modifiable = convocations.peut_repondre(convocation, now)
    if request.method == "POST":
        choix = request.POST.get("reponse")
        if modifiable and choix in {"oui", "non"}:
            try:
                convocation = convocations.repondre(convocation, choix == "oui", now=now)
            except convocations.ConvocationError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, CONFIRMEE if choix == "oui" else ANNULEE)
        elif not modifiable:
            messages.error(request, "Ce rendez-vous ne peut plus être modifié en ligne : appelez le numéro ci-dessous.")
        return redirect("convocation_reponse", jeton=convocation.jeton)
    ev = convocations.evenement(convocation, referentiel)
    return render(
        request,
        "convocations/reponse.html",
        {
            "convocation": convocation,
            "ev": ev,
            "modifiable": modifiable,
            "annule_par_le_plie": convocations.evenement_annule(convocation),
            "confirmee": convocation.reponse == ReponseConvocation.CONFIRMEE,
            "annulee": convocation.reponse == ReponseConvocation.ANNULEE,
            "telephone_lien": _tel(ev.telephone),
        },
    )


def _telephone_plie(referentiel) -> str:
    """The PLIE's own number (never a référent's: an unknown link names nobody)."""
    numero = getattr(referentiel, "telephone_contact", "")
    try:
        return parse_phone(numero).national() if numero else ""
    except ValidationError:
        return numero


def _tel(telephone) -> str:
    """A tel: link's target, when the contact is a number."""
    chiffres = "".join(c for c in telephone if c.isdigit() or c == "+")
    return chiffres if len(chiffres) >= 6 else ""
