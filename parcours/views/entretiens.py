"""The entretiens and contacts pages: plan an entretien, close one, log a contact, the whole list;
and the « Entretiens et contacts » card of the parcours page (:func:`carte`)."""

from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from parcours import absences, agenda, contacts, convocations_suivi, entretiens, signatures
from parcours.forms_entretiens import ClotureForm, ContactForm, EntretienForm, PreuveDistanceForm
from parcours.models import Parcours
from plie import permissions
from plie.acces.journal import journalise
from plie.listes import paginer
from plie.referentiel.models import Referentiel
from plie.workflow import TransitionError

# The parameters of the rules, as the forms name them.
FORM_FIELD = {"debut": "date", "prochain_debut": "prochain_date"}
CARTE_LIGNES = 10


def _parcours(request, pk):
    return get_object_or_404(Parcours.objects.visible_to(request.user).select_related("participant", "referent"), pk=pk)


def _add_error(form, error):
    field = FORM_FIELD.get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


def _rendez_vous(parcours):
    return parcours.rendez_vous.select_related("lieu", "lieu__commune")


def preuves_modifiables(user, rendez_vous, parcours) -> frozenset:
    """The ids of those of ``rendez_vous`` (all of ``parcours``) whose remote proof ``user`` may add or
    change: no query, the rows already read."""
    ids = set()
    for r in rendez_vous:
        r.parcours = parcours
        if permissions.can_record_preuve_distance(user, r):
            ids.add(r.pk)
    return frozenset(ids)


@dataclass
class Carte:
    prevus: list
    derniers: list
    plus: bool  # older appointments than these: see the full list
    contacts: list
    sensitive: bool
    peut_planifier: bool
    peut_clore: bool
    peut_noter_contact: bool
    peut_signer: bool  # the honoré entretiens lead to their signatures (parcours.signatures)
    a_signer: frozenset  # those still to be signed: « Faire signer »
    preuves_modifiables: frozenset  # the held remote ones whose proof this user may add: « Ajouter la preuve »
    suivi: object
    signalement: object


def carte(
    parcours, user, *, rendez_vous=None, tentatives=None, referentiel=None, presences_atelier=None, suivi=False
) -> Carte:
    """What the parcours page shows of its appointments and contacts: the latest rows, in two
    queries whatever the history holds (none when the page gives the rows it already read:
    ``rendez_vous`` in date order, ``tentatives`` newest first, and its ``referentiel``); two more only
    when an unjustified absence is to follow (the référentiel's threshold, and the run of absences if
    the latest rows do not hold it).

    ``suivi``: the absence to follow, when the page has it (:func:`parcours.absences.suivi_lu`); else
    ``parcours`` carries the annotations of :func:`parcours.absences.avec_absence`;
    ``presences_atelier``: its attendance at the ateliers' sessions (each with its ``seance``), which
    count in the run of absences (read when needed otherwise).
    """
    if rendez_vous is None:
        recents = list(_rendez_vous(parcours).order_by("-debut", "-id")[: CARTE_LIGNES + 1])
    else:
        recents = sorted(rendez_vous, key=lambda r: (r.debut, r.pk), reverse=True)[: CARTE_LIGNES + 1]
    plus = len(recents) > CARTE_LIGNES
    recents = recents[:CARTE_LIGNES]
    if tentatives is None:
        derniers_contacts = list(parcours.tentatives_contact.de_l_accompagnement(parcours).journal()[:CARTE_LIGNES])
    else:
        entree = parcours.date_entree
        derniers_contacts = [c for c in tentatives if entree and timezone.localdate(c.date) >= entree][:CARTE_LIGNES]
    if suivi is False:
        suivi = absences.suivi(parcours)
    signalement = absences.Signalement(a_signaler=False, dates=[], seuil=None)
    if suivi is not None:
        clos = [r for r in recents if not r.est_prevu]
        if presences_atelier is None:
            presences_atelier = list(parcours.presences_atelier.select_related("seance"))
        serie = absences.serie_depuis(clos, complet=not plus, presences=presences_atelier)
        signalement = absences.absences_a_signaler(
            parcours,
            referentiel if referentiel is not None else Referentiel.objects.active_or_none(),
            absences.serie(parcours) if serie is None else serie,
        )
    peut_clore = permissions.can_close_rendez_vous(user, parcours)
    convocations_suivi.annoter(recents, visible=permissions.can_view_convocations(user, parcours))
    return Carte(
        prevus=sorted((r for r in recents if r.est_prevu), key=lambda r: (r.debut, r.pk)),
        derniers=[r for r in recents if not r.est_prevu],
        plus=plus,
        contacts=derniers_contacts,
        sensitive=permissions.can_view_sensitive(user, parcours),
        peut_planifier=permissions.can_plan_entretien(user, parcours),
        peut_clore=peut_clore,
        peut_noter_contact=permissions.can_log_contact(user, parcours),
        peut_signer=permissions.can_collect_signature_entretien(user, parcours),
        a_signer=signatures.a_signer(recents),
        preuves_modifiables=preuves_modifiables(user, recents, parcours),
        # The follow-up tasks are the référent's: shown to whom closes the appointments.
        suivi=suivi if peut_clore else None,
        signalement=signalement,
    )


@journalise("parcours")
def planifier(request, pk):
    parcours = _parcours(request, pk)
    if not permissions.can_plan_entretien(request.user, parcours):
        raise Http404("Action indisponible pour ce parcours.")
    referentiel = Referentiel.objects.active_or_none()
    form = EntretienForm(
        parcours, request.POST or None, duree_initiale=referentiel.duree_entretien_minutes if referentiel else None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rdv = entretiens.planifier_entretien(
                parcours,
                request.user,
                data["debut"],
                modalite=data["modalite"],
                lieu=data["lieu"],
                lieu_precision=data["lieu_precision"],
                duree_minutes=data["duree_minutes"],
            )
        except TransitionError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"Entretien planifié le {rdv.debut_local:%d/%m/%Y à %H:%M}.")
            if avertissement := agenda.avertissement_absence(parcours.referent_id, rdv.debut):
                messages.warning(request, avertissement)
            return redirect("parcours:detail", pk=parcours.pk)
    return render(request, "parcours/entretien_planifier.html", {"parcours": parcours, "form": form})


@journalise("parcours")
def clore(request, pk, rdv):
    parcours = _parcours(request, pk)
    if not permissions.can_close_rendez_vous(request.user, parcours):
        raise Http404("Action indisponible pour ce parcours.")
    rdv = get_object_or_404(_rendez_vous(parcours), pk=rdv)
    rdv.parcours = parcours
    form = ClotureForm(rdv, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if form.sans_conflit():
                    prochain = entretiens.clore(
                        form.instance,
                        request.user,
                        data["statut"],
                        duree_reelle_minutes=data["duree_reelle_minutes"],
                        sujet=data["sujet"],
                        notes=data["notes"],
                        prochain=data["prochain"],
                        preuve=data["preuve"],
                    )
                    saved = True
                else:
                    saved = False
        except TransitionError as error:
            _add_error(form, error)
            rdv.refresh_from_db()  # the transaction rolled back: the form is shown again on the row as it is
        else:
            if saved:
                message = (
                    f"{rdv.get_objet_display()} du {rdv.debut_local:%d/%m/%Y} : {rdv.get_statut_display().lower()}."
                )
                if prochain:
                    message += f" Prochain rendez-vous le {prochain.debut_local:%d/%m/%Y à %H:%M}."
                messages.success(request, message)
                if prochain and (avertissement := agenda.avertissement_absence(parcours.referent_id, prochain.debut)):
                    messages.warning(request, avertissement)
                return redirect("parcours:detail", pk=parcours.pk)
    return render(
        request,
        "parcours/entretien_clore.html",
        # A refused POST shows the form again, what was typed kept, even if someone closed it meanwhile.
        {"parcours": parcours, "rdv": rdv, "form": form, "peut_clore": rdv.est_prevu or form.is_bound},
    )


@journalise("parcours")
def noter_contact(request, pk):
    parcours = _parcours(request, pk)
    if not permissions.can_log_contact(request.user, parcours):
        raise Http404("Action indisponible pour ce parcours.")
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contacts.noter_contact(
                parcours,
                request.user,
                data["canal"],
                abouti=data["abouti"],
                date=data["date"],
                partenaire=data["partenaire"],
                avertissement_absence=data["avertissement_absence"],
                commentaire=data["commentaire"],
            )
        except TransitionError as error:
            _add_error(form, error)
        else:
            messages.success(request, "Contact noté.")
            return redirect("parcours:detail", pk=parcours.pk)
    return render(request, "parcours/contact_noter.html", {"parcours": parcours, "form": form})


@journalise("parcours")
def liste(request, pk):
    """Every appointment of the parcours, newest first, a page at a time."""
    parcours = _parcours(request, pk)
    if not permissions.can_view_sensitive(request.user, parcours):
        raise Http404("Page réservée au référent du parcours et à la coordination.")
    rows = _rendez_vous(parcours).order_by("-debut", "-id")
    page = paginer(request, rows)
    convocations_suivi.annoter(page["page_obj"], visible=permissions.can_view_convocations(request.user, parcours))
    return render(
        request,
        "parcours/entretiens_liste.html",
        {
            "parcours": parcours,
            "peut_clore": permissions.can_close_rendez_vous(request.user, parcours),
            "peut_signer": permissions.can_collect_signature_entretien(request.user, parcours),
            "a_signer": signatures.a_signer(page["page_obj"]),
            "preuves_modifiables": preuves_modifiables(request.user, page["page_obj"], parcours),
            **page,
        },
    )


@journalise("parcours")
def preuve(request, pk, rdv):
    """« Preuve de l'entretien à distance »: add or change the means and the participant's confirmation
    of a held phone or video entretien, once the confirmation has arrived (N §III « à distance »)."""
    parcours = _parcours(request, pk)
    rdv = get_object_or_404(_rendez_vous(parcours), pk=rdv)
    rdv.parcours = parcours
    if not permissions.can_record_preuve_distance(request.user, rdv):
        raise Http404("Page réservée au référent du parcours et à la coordination, pour un entretien à distance tenu.")
    form = PreuveDistanceForm(rdv, request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = False
        try:
            with transaction.atomic():
                if form.sans_conflit():
                    rdv.enregistrer_preuve(request.user, **form.preuve())
                    saved = True
        except TransitionError as error:
            _add_error(form, error)
            rdv.refresh_from_db()  # rolled back: the page shows the row as it is, with what was typed
        if saved:
            libelle = rdv.preuve_libelle or "confirmation du participant à produire"
            messages.success(request, f"Preuve de l'entretien du {rdv.debut_local:%d/%m/%Y} enregistrée : {libelle}.")
            return redirect(reverse("parcours:detail", args=[parcours.pk]) + "#entretiens-et-contacts")
    return render(request, "parcours/entretien_preuve.html", {"parcours": parcours, "rdv": rdv, "form": form})
