from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from plie.listes import FiltresForm, paginer
from plie.notifications.models import Notification


class NotificationSearchForm(FiltresForm):
    q = forms.CharField(label="Rechercher", required=False, max_length=100)
    lues = forms.ChoiceField(
        label="Afficher", required=False, choices=[("", "Toutes"), ("non", "Non lues"), ("oui", "Lues")]
    )

    def filtre_q(self, notifications, texte):
        for word in texte.split():
            notifications = notifications.filter(Q(titre__icontains=word) | Q(message__icontains=word))
        return notifications

    def filtre_lues(self, notifications, lues):
        return notifications.filter(lue_le__isnull=lues == "non")


def notification_list(request):
    form = NotificationSearchForm(request.GET)
    notifications = form.filtrer(Notification.objects.filter(destinataire=request.user))
    return render(request, "notifications/list.html", {"form": form, **paginer(request, notifications)})


@require_POST
def notification_open(request, pk):
    """Mark one notification read and follow its link (only to this site)."""
    notification = get_object_or_404(Notification, pk=pk, destinataire=request.user)
    if notification.lue_le is None:
        notification.lue_le = timezone.now()
        notification.save(update_fields=["lue_le"])
    if notification.lien and url_has_allowed_host_and_scheme(notification.lien, allowed_hosts={request.get_host()}):
        return redirect(notification.lien)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request):
    count = Notification.objects.filter(destinataire=request.user).non_lues().update(lue_le=timezone.now())
    s = "s" if count > 1 else ""
    messages.success(request, f"{count} notification{s} marquée{s} comme lue{s}.")
    return redirect("notifications:list")
