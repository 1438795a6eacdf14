"""The coordination deactivates an account (and reactivates it): its sessions end, its history stays."""

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from plie import permissions
from plie.accounts.models import User


def fermer_sessions(user) -> int:
    """Delete every open session of this user (database sessions: decoded one by one)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def desactiver(user) -> None:
    """No more login; every open session ends now. Nothing is deleted: what they did stays theirs."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    fermer_sessions(user)


def reactiver(user) -> None:
    User.objects.filter(pk=user.pk).update(is_active=True)


def user_activation(request, pk, action):
    """GET asks for confirmation, POST applies: deactivate or reactivate an account."""
    if not permissions.can_manage_users(request.user):
        raise PermissionDenied
    target = get_object_or_404(
        User.objects.select_related("structure", "referent_profile"), pk=pk, is_active=(action == "desactiver")
    )
    if not permissions.can_deactivate_user(request.user, target):
        raise PermissionDenied
    profile = getattr(target, "referent_profile", None)
    if request.method == "POST":
        if action == "desactiver":
            desactiver(target)
            messages.success(
                request, f"Le compte de {target.get_full_name()} est désactivé ; ses sessions sont fermées."
            )
        else:
            reactiver(target)
            messages.success(request, f"Le compte de {target.get_full_name()} est réactivé.")
        return redirect("user_list")
    return render(
        request,
        "accounts/user_activation.html",
        {"target": target, "action": action, "poste_occupe": profile is not None and profile.actif},
    )
