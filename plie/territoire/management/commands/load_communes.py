from django.core.management.base import BaseCommand

from plie.territoire.services import load_communes


class Command(BaseCommand):
    help = "Charge les communes des territoires livrés (CA du Niortais, CU Caen la Mer)."

    def handle(self, *args, **options):
        created, updated = load_communes()
        self.stdout.write(self.style.SUCCESS(f"Communes : {created} créées, {updated} mises à jour."))
