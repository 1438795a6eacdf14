"""Before online referrals a parcours could wait for validation or be refused; now the prescription
does (prescriptions.workflow) and a parcours is born oriented. Rows left in the removed states are
closed as cancelled, and the log keeps only transitions that still exist: the orientation becomes
the creation (no state before). simple-history keeps every earlier version of each parcours."""

from django.db import migrations
from django.utils import timezone

ANCIENS = ["prescrit", "a_valider"]
MOTIF = "Parcours ouvert avant les prescriptions en ligne et jamais orienté : annulé lors de la mise à jour."


def forward(apps, schema_editor):
    Parcours = apps.get_model("parcours", "Parcours")
    TransitionParcours = apps.get_model("parcours", "TransitionParcours")
    today = timezone.localdate()
    for parcours in Parcours.objects.filter(etat__in=ANCIENS):
        parcours.etat = "annule"
        parcours.date_cloture = max(today, parcours.date_prescription)
        parcours.motif_cloture = MOTIF
        parcours.save(update_fields=["etat", "date_cloture", "motif_cloture"])
    # A refusal already has its date and motif.
    Parcours.objects.filter(etat="refuse").update(etat="annule")
    TransitionParcours.objects.filter(transition__in=["demander_validation", "refuser"]).delete()
    TransitionParcours.objects.filter(transition="orienter").update(etat_avant="")


class Migration(migrations.Migration):
    dependencies = [("parcours", "0008_indexes_ordering_file_active_contacts")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
