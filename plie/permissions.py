"""Who may do what: the pure rule functions, in one module.

Lists are scoped by QuerySets (``Parcours.objects.visible_to(user)``); object pages call
``get_object_or_404`` on those QuerySets, so that a page someone may not see does not exist
for them. The functions below decide everything else and are what views and templates ask.
"""

from plie.accounts.models import Role


def is_coordination(user) -> bool:
    return user.is_authenticated and (user.has_role(Role.COORDINATION))


def acts_as(user, transition) -> bool:
    """Whether the user's role is among the actors a transition table declares (a superuser acts
    as the coordination)."""
    if not user.is_authenticated:
        return False
    return (Role.COORDINATION if is_coordination(user) else user.role) in transition.actors


def must_use_second_factor(user) -> bool:
    """Who sees every file or the Django admin logs in with a second factor (others may choose to)."""
    return user.is_authenticated and (user.is_staff or user.has_role(Role.COORDINATION))


def can_reset_second_factor(user, target) -> bool:
    """A colleague of the coordination resets a lost device; nobody resets their own this way."""
    return is_coordination(user) and target.pk != user.pk


def can_view_access_log(user) -> bool:
    """Who opened which file: the coordination only (the journal and the card on a parcours)."""
    return is_coordination(user)


def can_view_sensitive(user, obj) -> bool:
    """The one rule for what :mod:`plie.sensitive` declares (health, disability, notes).

    ``obj`` is a parcours or a fiche de prescription. On a parcours: its référent and the
    coordination. On a fiche: the same people for the parcours it became, and its author, who
    sees back only what they wrote themselves (never the référent's notes, which live on the
    parcours). The bureau insertion, opérateurs and financeurs never see it.
    """
    if not user.is_authenticated:
        return False
    if is_coordination(user):
        return True
    from prescriptions.models import Prescription

    if isinstance(obj, Prescription):
        if obj.prescripteur_id == user.pk:
            return True
        parcours = obj.parcours if obj.parcours_id else None
    else:
        parcours = obj
    return user.has_role(Role.REFERENT) and parcours is not None and parcours.referent_id == user.pk


def can_apply_transition(user, parcours, transition) -> bool:
    """The actors the transition table declares; a référent only on their own parcours."""
    if not user.is_authenticated or parcours.etat not in transition.sources:
        return False
    if not acts_as(user, transition):
        return False
    return is_coordination(user) or (user.has_role(Role.REFERENT) and parcours.referent_id == user.pk)


def can_log_contact_attempt(user, parcours) -> bool:
    """The parcours's référent and the coordination, while the person is still being reached."""
    from parcours.accueil import ETATS_PREMIER_CONTACT

    return parcours.etat in ETATS_PREMIER_CONTACT and can_view_sensitive(user, parcours)


def can_view_alertes(user, parcours) -> bool:
    """The dossier's alerts (rhythm, absences, contract, measure): the follow-up of the parcours's référent
    and the coordination. They tell of absences and of the person's étapes: the sensitive-data rule."""
    return can_view_sensitive(user, parcours)


def can_view_diagnostic(user, parcours) -> bool:
    """The diagnostic grades health and holds notes: whom the sensitive-data rule allows, and only them."""
    return can_view_sensitive(user, parcours)


def can_edit_diagnostic(user, parcours) -> bool:
    """From the first appointment until the exit, by the parcours's référent or the coordination."""
    from parcours.diagnostic import ETATS_DIAGNOSTIC

    return parcours.etat in ETATS_DIAGNOSTIC and can_view_sensitive(user, parcours)


def can_view_contrat(user, parcours) -> bool:
    """The contract: whom the sensitive-data rule allows, and the bureau insertion, which signs it when
    the référent is RUP. The prescripteur never reads it."""
    if can_view_sensitive(user, parcours):
        return True
    from parcours.models import Parcours

    return (
        user.is_authenticated
        and user.has_role(Role.BUREAU_INSERTION)
        and parcours.rup
        and Parcours.objects.visible_to(user).filter(pk=parcours.pk).exists()
    )


def can_write_contrat(user, parcours) -> bool:
    from parcours.cer import ETATS_CONTRAT

    return (
        parcours.etat in ETATS_CONTRAT
        and can_view_sensitive(user, parcours)
        and user.has_role(Role.REFERENT, Role.COORDINATION)
    )


def can_apply_contrat_step(user, contrat, transition) -> bool:
    """The actors the contract's table declares: a référent on their own parcours, the bureau
    insertion on a RUP parcours it sees."""
    if contrat.statut not in transition.sources or not acts_as(user, transition):
        return False
    if is_coordination(user):
        return True
    if user.has_role(Role.REFERENT):
        return contrat.parcours.referent_id == user.pk
    return can_view_contrat(user, contrat.parcours)


def _follows(user, parcours, transition) -> bool:
    """A transition of a parcours's rendez-vous: its declared actors; a référent only on their own parcours."""
    if not acts_as(user, transition):
        return False
    return is_coordination(user) or (user.has_role(Role.REFERENT) and parcours.referent_id == user.pk)


def can_plan_entretien(user, parcours) -> bool:
    from parcours.entretiens import ETATS_ENTRETIENS
    from parcours.models import TRANSITIONS_RDV

    return parcours.etat in ETATS_ENTRETIENS and _follows(user, parcours, TRANSITIONS_RDV["planifier"])


def can_close_rendez_vous(user, parcours) -> bool:
    """Whoever may apply every closing transition of the parcours's appointments (held, missed…)."""
    from parcours.models import CLOTURES_RDV, TRANSITIONS_RDV

    return all(_follows(user, parcours, TRANSITIONS_RDV[name]) for name in CLOTURES_RDV.values())


def can_log_contact(user, parcours) -> bool:
    """The parcours's référent and the coordination, from the entry until the exit is validated."""
    from parcours.contacts import ETATS_CONTACTS

    return parcours.etat in ETATS_CONTACTS and can_view_sensitive(user, parcours)


def can_list_parcours(user) -> bool:
    return user.is_authenticated and (
        user.has_role(Role.COORDINATION, Role.REFERENT, Role.PRESCRIPTEUR, Role.BUREAU_INSERTION)
    )


def can_edit_referentiel(user) -> bool:
    return is_coordination(user)


def can_view_referentiel(user) -> bool:
    """Every role but prescripteurs reads the rules the PLIE runs by."""
    return user.is_authenticated and (not user.has_role(Role.PRESCRIPTEUR))


def can_edit_communes(user) -> bool:
    return is_coordination(user)


def can_view_referents(user) -> bool:
    """The coordination sees every post; an opérateur the posts of its own structure."""
    return is_coordination(user) or (user.is_authenticated and user.has_role(Role.OPERATEUR))


def can_view_aggregates(user) -> bool:
    return user.is_authenticated and (user.has_role(Role.COORDINATION, Role.FINANCEUR, Role.OPERATEUR))


# --- prescriptions ------------------------------------------------------------------------------


def can_view_prescription(user, prescription) -> bool:
    from prescriptions.models import Prescription

    return Prescription.objects.visible_to(user).filter(pk=prescription.pk).exists()


def can_prescribe(user) -> bool:
    """Prescripteurs, and the bureau insertion, which also refers people (N §III)."""
    return user.is_authenticated and user.has_role(Role.PRESCRIPTEUR, Role.BUREAU_INSERTION)


def can_instruct_prescriptions(user) -> bool:
    """Who examines and decides: the actors of the prescription table's decisions."""
    from prescriptions.workflow import TRANSITIONS

    return acts_as(user, TRANSITIONS["examiner"]) and acts_as(user, TRANSITIONS["accepter"])


def can_edit_prescription(user, prescription) -> bool:
    return user.is_authenticated and prescription.prescripteur_id == user.pk and prescription.est_modifiable


def can_give_avis(user, organisme) -> bool:
    """France Travail's agreement is recorded by the coordination; the bureau insertion gives its own."""
    from prescriptions.models import Organisme

    if organisme == Organisme.BUREAU_INSERTION:
        return user.is_authenticated and user.has_role(Role.BUREAU_INSERTION)
    return is_coordination(user)


def can_invite(user) -> bool:
    """The coordination opens prescripteurs' accounts by email (plie.accounts.invitations)."""
    return is_coordination(user)


# --- the PLIE's own administration (plie/accounts: structures, posts, accounts) -----------------


def can_manage_structures(user) -> bool:
    return is_coordination(user)


def can_manage_postes(user) -> bool:
    """Référents' posts (employer, ETP, places) and the places of accompaniment."""
    return is_coordination(user)


def can_manage_users(user) -> bool:
    return is_coordination(user)


def can_deactivate_user(user, target) -> bool:
    """The coordination deactivates a colleague's account, never its own (nor a Django administrator's)."""
    return can_manage_users(user) and target.pk != user.pk and not target.is_superuser


def can_declare_vacancy(user, referent) -> bool:
    """The opérateur declares the vacancy of one of its référents' posts (N §VII); the coordination too."""
    if can_manage_postes(user):
        return True
    return (
        user.is_authenticated
        and user.has_role(Role.OPERATEUR)
        and referent.has_role(Role.REFERENT)
        and user.structure_id is not None
        and referent.structure_id == user.structure_id
    )


def can_reassign(user) -> bool:
    """Moving a référent's participants to others: the coordination (the changer_referent actors)."""
    return is_coordination(user)


# --- étapes de parcours and the ressources du territoire ------------------------------------------


def can_view_etapes(user, parcours) -> bool:
    """The parcours's référent and the coordination (the prescripteur, bureau insertion, opérateur and
    financeur get a 404 on the étape pages). An étape can tell a health matter (« écoute
    psychologique ») and carries the référent's comment: it follows the sensitive-data rule."""
    return can_view_sensitive(user, parcours)


def can_edit_etapes(user, parcours) -> bool:
    """Add or change an étape: who may see them, on a parcours still open, in a role the étape table declares."""
    from parcours.etapes import ACTEURS

    if not parcours.est_ouvert or not can_view_etapes(user, parcours):
        return False
    return (Role.COORDINATION if is_coordination(user) else user.role) in ACTEURS


def can_apply_etape_transition(user, etape, transition) -> bool:
    return etape.etat in transition.sources and acts_as(user, transition) and can_edit_etapes(user, etape.parcours)


def can_manage_ressources(user) -> bool:
    """The catalogue of the ressources du territoire is kept by the coordination."""
    return is_coordination(user)


def can_view_ressources(user) -> bool:
    """The coordination, and the référents, who mobilise them (N §III.d, C §II.2.2)."""
    return is_coordination(user) or (user.is_authenticated and user.has_role(Role.REFERENT))


# --- the référent's agenda, their own absences, and the rhythm's compliance ----------------------


def can_view_agenda(user, referent=None) -> bool:
    """A référent's agenda (their appointments, with the names of the people, and their absences): the
    référent's own, and any référent's for the coordination. Without ``referent``: whether the user has an
    agenda page at all (the navigation; the prescripteur, bureau insertion, opérateur and financeur get a
    403, a référent asking another's agenda a 404)."""
    if not user.is_authenticated:
        return False
    if referent is None:
        return is_coordination(user) or user.has_role(Role.REFERENT)
    if not referent.has_role(Role.REFERENT):
        return False
    return is_coordination(user) or (user.has_role(Role.REFERENT) and referent.pk == user.pk)


def can_edit_absences_referent(user, referent) -> bool:
    """The référent enters their own leave and training in their agenda (C §IV.1); the coordination
    enters anyone's: whoever sees the agenda."""
    return can_view_agenda(user, referent)


def can_view_conformite(user) -> bool:
    """« Respect du rythme »: the coordination, the référents, and whom sees aggregates (opérateur,
    financeur). No participant is named on it."""
    return (
        is_coordination(user) or (user.is_authenticated and user.has_role(Role.REFERENT)) or can_view_aggregates(user)
    )


def can_view_conformite_referent(user, referent) -> bool:
    """One référent's line of compliance (with their absence days): the coordination for every référent,
    a référent their own, an opérateur its own référents (their activity, as on its home page)."""
    if not user.is_authenticated or not referent.has_role(Role.REFERENT):
        return False
    if is_coordination(user) or (user.has_role(Role.REFERENT) and referent.pk == user.pk):
        return True
    return (
        user.has_role(Role.OPERATEUR) and user.structure_id is not None and referent.structure_id == user.structure_id
    )


def sees_aggregates_only(user) -> bool:
    """Whom sees figures about people only as aggregates, under statistical secrecy (plie.aggregates):
    every role but the coordination and the référents."""
    return not (is_coordination(user) or (user.is_authenticated and user.has_role(Role.REFERENT)))


# Budget des ateliers


def can_view_budgets_ateliers(user) -> bool:
    """The pages of the ateliers' budget (N §III.d): the coordination (every référent's, and the expenses to
    validate), a référent their own, an opérateur its référents' (read only), a financeur the PLIE's totals
    per category, without any name. The prescripteur and the bureau insertion get a 403."""
    return user.is_authenticated and user.has_role(Role.COORDINATION, Role.REFERENT, Role.OPERATEUR, Role.FINANCEUR)


def can_view_budget_referent(user, referent) -> bool:
    """One référent's budget with its expenses (and their receipts): the référent, the coordination, the
    opérateur employing them. Anyone else gets a 404."""
    if not user.is_authenticated or not referent.has_role(Role.REFERENT):
        return False
    if is_coordination(user) or (user.has_role(Role.REFERENT) and referent.pk == user.pk):
        return True
    return (
        user.has_role(Role.OPERATEUR) and user.structure_id is not None and referent.structure_id == user.structure_id
    )


def can_add_depense_atelier(user) -> bool:
    """The référents enter their own expenses (the « saisir » actors)."""
    from financement.depenses import TRANSITIONS

    return acts_as(user, TRANSITIONS["saisir"])


def can_edit_depense_atelier(user, depense) -> bool:
    """Its référent changes or deletes an expense until the coordination decides."""
    from financement.models import StatutDepense

    return (
        user.is_authenticated
        and user.has_role(Role.REFERENT)
        and depense.referent_id == user.pk
        and depense.statut == StatutDepense.A_VALIDER
    )


def can_decide_depenses_ateliers(user) -> bool:
    """Who validates and refuses at the team meeting: the actors of both decisions (the coordination)."""
    from financement.depenses import TRANSITIONS

    return acts_as(user, TRANSITIONS["valider"]) and acts_as(user, TRANSITIONS["refuser"])


def can_download_justificatif(user, depense) -> bool:
    """A receipt: whoever may read the référent's budget (the référent, the coordination, their opérateur)."""
    return can_view_budget_referent(user, depense.referent)


def sees_budget_totals_only(user) -> bool:
    """The financeur reads the ateliers' budget as the PLIE's totals per category, never per référent."""
    return user.is_authenticated and user.has_role(Role.FINANCEUR)


# Émargement -------------------------------------------------------------------------------------


def can_print_emargement(user, parcours) -> bool:
    """A parcours's individual and partners' sheets (every contact, with its absences): the parcours's
    référent and the coordination, as for the contacts themselves. Nobody else, the prescripteur never."""
    if not user.is_authenticated:
        return False
    return is_coordination(user) or (user.has_role(Role.REFERENT) and parcours.referent_id == user.pk)


def can_print_emargement_seance(user, atelier) -> bool:
    """The collective sheet of a session names everyone invited: its animateurs and the coordination."""
    if not user.is_authenticated:
        return False
    return is_coordination(user) or (user.has_role(Role.REFERENT) and user.pk in atelier.animateur_ids)


def can_request_lot_emargement(user, referent=None) -> bool:
    """A month's batch of individual sheets: a référent asks for their own, the coordination for any
    référent's. Without ``referent``: whether the user has the page at all."""
    if not user.is_authenticated:
        return False
    if referent is None:
        return is_coordination(user) or user.has_role(Role.REFERENT)
    if not referent.has_role(Role.REFERENT):
        return False
    return is_coordination(user) or (user.has_role(Role.REFERENT) and referent.pk == user.pk)


def can_view_lot_emargement(user, lot) -> bool:
    """A batch and its file: the référent whose sheets they are, and the coordination."""
    return can_request_lot_emargement(user, lot.referent)


# Signatures


def can_collect_signature_entretien(user, parcours) -> bool:
    """The signatures of an entretien (the participant's, the référent's): the parcours's référent and the
    coordination, who hold it; the dates and states are :mod:`parcours.signatures`'s."""
    if not user.is_authenticated:
        return False
    return is_coordination(user) or (user.has_role(Role.REFERENT) and parcours.referent_id == user.pk)


def can_collect_signature_seance(user, seance) -> bool:
    """The signatures of a session of an atelier (present participants, animateurs): its animateurs and
    the coordination. The page names every present participant: nobody else reaches it (404)."""
    if not user.is_authenticated:
        return False
    return is_coordination(user) or (user.has_role(Role.REFERENT) and user.pk in seance.atelier.animateur_ids)


# Ateliers collectifs


def can_list_ateliers(user) -> bool:
    """The « Ateliers » page: the référents (who run them) and the coordination. Whom sees no named
    person (opérateur, financeur) and the prescripteurs and bureau insertion get a 403."""
    return is_coordination(user) or (user.is_authenticated and user.has_role(Role.REFERENT))


def ateliers_visibles(user, ateliers):
    """The ateliers a user may open (they name their participants): every one for the coordination,
    those a référent runs (alone or in binôme) for a référent, none for the others."""
    if is_coordination(user):
        return ateliers
    if user.is_authenticated and user.has_role(Role.REFERENT):
        return ateliers.animes_par(user)
    return ateliers.none()


def can_create_atelier(user) -> bool:
    return can_list_ateliers(user)


def can_view_ateliers_du_parcours(user, parcours) -> bool:
    """The ateliers a person attended (their themes tell what the person works on): on the dossier's
    card, in its journal and on its frise, for whom may read sensitive data (the référent, the
    coordination); never the prescripteur nor the bureau insertion."""
    return can_view_sensitive(user, parcours)


def can_manage_atelier(user, atelier) -> bool:
    """Invite, move or cancel a session, note the attendance, lock the émargement: the atelier's
    animateurs and the coordination."""
    if is_coordination(user):
        return True
    return user.is_authenticated and user.has_role(Role.REFERENT) and user.pk in atelier.animateur_ids


def can_view_frequence_ateliers(user, referent) -> bool:
    """Whether a référent ran an atelier recently enough (no participant named): whoever sees their line of
    « Respect du rythme » — the coordination, the référent themselves, the opérateur employing them."""
    return can_view_conformite_referent(user, referent)


# --- bilan intermédiaire (parcours/bilan.py, parcours/views/bilans.py) ---


def can_view_bilan(user, demande) -> bool:
    """The bilan intermédiaire of a measure-renewal request: the material of the cellule de suivi, it
    names the person's freins (health included), ateliers and étapes — for whom may read the parcours's
    sensitive data (its référent, the coordination), as the request itself (``Demande.visible_to``)."""
    return can_view_sensitive(user, demande.parcours)


def can_preview_bilan(user, parcours) -> bool:
    """The bilan of the measure in progress, drawn on the fly before the renewal is asked: the same rule."""
    return can_view_sensitive(user, parcours)


# --- demandes de décision (requests on a parcours and their decisions) -------------------------


def can_view_demandes(user, parcours) -> bool:
    """A parcours's requests quote a veille motive and free text about the person: whom the
    sensitive-data rule allows (its référent, the coordination), and only them."""
    return can_view_sensitive(user, parcours)


def can_request_demande(user, parcours) -> bool:
    """The parcours's référent and the coordination (which records a request made otherwise), while the
    parcours is open."""
    from parcours.models.demandes import TRANSITIONS_DEMANDE

    if not parcours.est_ouvert or not acts_as(user, TRANSITIONS_DEMANDE["demander"]):
        return False
    return is_coordination(user) or (user.has_role(Role.REFERENT) and parcours.referent_id == user.pk)


def can_decide_demande(user, demande=None) -> bool:
    """Accept or refuse: the actors of both decisions (the coordination), while the request waits.
    Without ``demande``: whether the user decides requests at all (« Demandes à traiter »)."""
    from parcours.models.demandes import TRANSITIONS_DEMANDE

    if not (acts_as(user, TRANSITIONS_DEMANDE["accepter"]) and acts_as(user, TRANSITIONS_DEMANDE["refuser"])):
        return False
    return demande is None or demande.a_decider


def can_withdraw_demande(user, demande) -> bool:
    """Its author (who still may see the parcours's requests), or the coordination, while it waits."""
    from parcours.models.demandes import TRANSITIONS_DEMANDE

    if not demande.a_decider or not acts_as(user, TRANSITIONS_DEMANDE["retirer"]):
        return False
    return is_coordination(user) or demande.auteur_id == user.pk


# --- the measure clock: suspensions of the measure, the review of long parcours (N §III.d, C §IV.1.4) ---


def can_record_suspension(user, parcours) -> bool:
    """Record, change or delete the participant's leave, illness or hospitalisation: the parcours's référent
    and the coordination (who may read its health data), while the measure runs (accompaniment or veille)."""
    from parcours.suspensions import ETATS_MESURE

    return parcours.etat in ETATS_MESURE and can_view_sensitive(user, parcours)


def can_view_revue_parcours(user) -> bool:
    """The list of parcours to review (long ones, those without action): the coordination, which assesses
    them with the référents (C §IV.1.4)."""
    return is_coordination(user)


# --- the proof of a remote entretien, added after its closing (N §III « à distance ») ---


def can_record_preuve_distance(user, rdv) -> bool:
    """Add or change the means and the participant's confirmation of a held phone or video entretien: whoever
    may close the parcours's appointments (its référent, the coordination). ``rdv.parcours`` is read."""
    from parcours.models import Modalite, StatutRendezVous

    if rdv.statut != StatutRendezVous.HONORE or rdv.modalite == Modalite.PRESENTIEL:
        return False
    return can_close_rendez_vous(user, rdv.parcours)


def can_view_convocations(user, parcours) -> bool:
    """The participant's answers to the convocations and what became of their messages: the team that
    follows the parcours (its référent, the coordination), as for its notes; never the prescripteur."""
    return can_view_sensitive(user, parcours)


# --- convocation letters and failed messages (parcours/courriers.py, N §III.d) ---


def can_list_courriers(user) -> bool:
    """The « Courriers à envoyer » and the failed messages: the référents (their own participants) and the
    coordination (every one)."""
    return is_coordination(user) or (user.is_authenticated and user.has_role(Role.REFERENT))


def can_handle_message(user, message) -> bool:
    """Print a letter, mark it posted, replace a failed message: the parcours's référent and the
    coordination. ``message.convocation.parcours`` is read."""
    if message.convocation_id is None:
        return False
    return is_coordination(user) or (
        user.is_authenticated and user.has_role(Role.REFERENT) and message.convocation.parcours.referent_id == user.pk
    )
