"""The signature pages, on a tablet or with a mouse: an entretien's (the participant, then the référent),
and a session's émargement (each present participant, each animateur).

Rules: :mod:`parcours.signatures`; who reaches the pages: ``plie.permissions`` (« Signatures »); for
everyone else they do not exist (404). Every page naming a participant writes the access log.
"""

import base64

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from parcours import signatures
from parcours.forms_signatures import SignatureEntretienForm, SignatureForm
from parcours.models import Parcours, PresenceAtelier, SeanceAtelier, Signature, StatutPresence
from parcours.models.signatures import Signataire, SignatureError
from plie import permissions
from plie.acces.journal import journalise, journalise_liste

AUTRE_CIBLE = {
    "entretien": "Cette signature a été tracée pour un autre entretien : elle n'est pas enregistrée. "
    "Vérifiez la page et faites signer à nouveau.",
    "presence": "Cette signature a été tracée pour un autre participant : elle n'est pas enregistrée. "
    "Vérifiez le nom affiché et faites signer à nouveau.",
    "animateur": "Cette signature a été tracée pour un autre animateur : elle n'est pas enregistrée.",
}


def _image_src(signature) -> str:
    return "data:image/png;base64," + base64.b64encode(bytes(signature.image)).decode()


def _lignes(liste):
    """(signature, its image as a data URL) for the page to show."""
    return [(s, _image_src(s)) for s in liste]


def _collecter(request, form, *, cible_nom, enregistrer):
    """Check the post and save; returns the signature, or None with the error on the form."""
    if not form.is_valid():
        return None
    if form.cleaned_data["cible"] != form.cible_attendue:
        form.add_error(None, AUTRE_CIBLE[cible_nom])
        return None
    try:
        png = signatures.decoder_image(form.cleaned_data["image"])
        return enregistrer(png)
    except SignatureError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


# --- an entretien --------------------------------------------------------------------------------


@journalise("parcours")
def signature_entretien(request, pk, rdv):
    parcours = get_object_or_404(
        Parcours.objects.visible_to(request.user).select_related("participant", "referent"), pk=pk
    )
    if not permissions.can_collect_signature_entretien(request.user, parcours):
        raise Http404("Page réservée au référent du parcours et à la coordination.")
    rdv = get_object_or_404(parcours.rendez_vous.select_related("lieu"), pk=rdv)
    rdv.parcours = parcours
    faites = list(rdv.signatures.select_related("referent", "recueillie_par"))
    attendu = signatures.signataire_attendu(rdv, faites)
    try:
        signatures.verifier_entretien(rdv)
        ouvert, raison = True, ""
    except SignatureError as error:
        ouvert, raison = False, error.message
    signataire = request.POST.get("signataire") if request.method == "POST" else attendu
    form = SignatureEntretienForm(request.POST or None, cible=rdv.pk, signataire=signataire)
    if request.method == "POST":
        signature = _collecter(
            request,
            form,
            cible_nom="entretien",
            enregistrer=lambda png: signatures.signer_entretien(
                rdv, form.cleaned_data["signataire"], png, request.user, request.session.session_key
            ),
        )
        if signature is not None:
            messages.success(
                request,
                f"Signature du {signature.get_signataire_display().lower()} enregistrée "
                f"le {timezone.localtime(signature.signe_le):%d/%m/%Y à %H:%M}.",
            )
            return redirect("parcours:entretien_signature", pk=parcours.pk, rdv=rdv.pk)
    return render(
        request,
        "parcours/signature_entretien.html",
        {
            "parcours": parcours,
            "rdv": rdv,
            "signatures": _lignes(faites),
            "attendu": Signataire(signataire) if signataire in Signataire.values else attendu,
            "ouvert": ouvert and attendu is not None,
            "raison": raison,
            "form": form,
            "signataire_nom": (
                parcours.participant.nom_complet
                if signataire == Signataire.PARTICIPANT
                else request.user.get_full_name() or request.user.email
            ),
        },
        status=200,
    )


# --- a session of an atelier ---------------------------------------------------------------------


def _seance(request, seance):
    seance = get_object_or_404(
        SeanceAtelier.objects.select_related("atelier", "atelier__animateur", "atelier__co_animateur", "lieu"),
        pk=seance,
    )
    if not permissions.can_collect_signature_seance(request.user, seance):
        raise Http404("Page réservée aux animateurs de la séance et à la coordination.")
    return seance


def _etat_seance(seance):
    try:
        signatures.verifier_seance(seance)
    except SignatureError as error:
        return False, error.message
    return True, ""


SANS_IMAGE = Signature.objects.defer("image").select_related("recueillie_par")


@journalise_liste("parcours")
def signatures_seance(request, seance):
    """The session's sheet on screen: the present participants, each with « Faire signer », and the animateurs."""
    seance = _seance(request, seance)
    presents = list(
        seance.presences.filter(statut=StatutPresence.PRESENT)
        .select_related("parcours__participant")
        .prefetch_related(Prefetch("signatures", queryset=SANS_IMAGE, to_attr="faites"))
        .order_by("parcours__participant__nom_usage", "parcours__participant__prenoms", "id")
    )
    par_animateur = {s.referent_id: s for s in seance.signatures.all().defer("image")}
    animateurs = [
        (a, par_animateur.get(a.pk)) for a in (seance.atelier.animateur, seance.atelier.co_animateur) if a is not None
    ]
    ouvert, raison = _etat_seance(seance)
    response = render(
        request,
        "parcours/signatures_seance.html",
        {
            "seance": seance,
            "presents": [(p, p.faites[0] if p.faites else None) for p in presents],
            "animateurs": animateurs,
            "ouvert": ouvert,
            "raison": raison,
        },
    )
    response.journal_objets = [p.parcours_id for p in presents]
    return response


@journalise_liste("parcours")
def signature_presence(request, seance, presence):
    seance = _seance(request, seance)
    presence = get_object_or_404(
        PresenceAtelier.objects.filter(seance=seance).select_related("parcours__participant"), pk=presence
    )
    presence.seance = seance
    form = SignatureForm(request.POST or None, cible=presence.pk)
    if request.method == "POST":
        signature = _collecter(
            request,
            form,
            cible_nom="presence",
            enregistrer=lambda png: signatures.signer_presence(
                presence, png, request.user, request.session.session_key
            ),
        )
        if signature is not None:
            messages.success(request, f"Signature de {presence.parcours.participant.nom_complet} enregistrée.")
            response = redirect("parcours:seance_signatures", seance=seance.pk)
            response.journal_objets = [presence.parcours_id]
            return response
    faite = presence.signatures.first()
    ouvert, raison = _etat_seance(seance)
    response = render(
        request,
        "parcours/signature_seance_form.html",
        {
            "seance": seance,
            "form": form,
            "signataire_nom": presence.parcours.participant.nom_complet,
            "signature": (faite, _image_src(faite)) if faite else None,
            "ouvert": ouvert and faite is None and presence.statut == StatutPresence.PRESENT,
            "raison": raison or ("" if presence.est_present() else "Seule une personne présente signe."),
            "action": reverse("parcours:seance_signature_presence", args=[seance.pk, presence.pk]),
        },
    )
    response.journal_objets = [presence.parcours_id]
    return response


def signature_animateur(request, seance, animateur):
    """An animateur signs the session (no participant named on the page: nothing to log)."""
    seance = _seance(request, seance)
    atelier = seance.atelier
    animateur = next((a for a in (atelier.animateur, atelier.co_animateur) if a and a.pk == animateur), None)
    if animateur is None:
        raise Http404("Cet utilisateur n'anime pas cet atelier.")
    form = SignatureForm(request.POST or None, cible=animateur.pk)
    if request.method == "POST":
        signature = _collecter(
            request,
            form,
            cible_nom="animateur",
            enregistrer=lambda png: signatures.signer_seance(
                seance, animateur, png, request.user, request.session.session_key
            ),
        )
        if signature is not None:
            messages.success(request, f"Signature de {animateur.get_full_name() or animateur.email} enregistrée.")
            return redirect("parcours:seance_signatures", seance=seance.pk)
    faite = seance.signatures.filter(referent=animateur).first()
    ouvert, raison = _etat_seance(seance)
    return render(
        request,
        "parcours/signature_seance_form.html",
        {
            "seance": seance,
            "form": form,
            "signataire_nom": animateur.get_full_name() or animateur.email,
            "signature": (faite, _image_src(faite)) if faite else None,
            "ouvert": ouvert and faite is None,
            "raison": raison,
            "action": reverse("parcours:seance_signature_animateur", args=[seance.pk, animateur.pk]),
        },
    )
