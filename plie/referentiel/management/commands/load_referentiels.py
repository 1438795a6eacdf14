from django.core.management.base import BaseCommand, CommandError

from plie.referentiel.models import Referentiel
from plie.referentiel.presets import PRESETS
from plie.referentiel.services import activate_referentiel, load_preset, load_ressources


class Command(BaseCommand):
    help = (
        "Charge les référentiels prédéfinis (PLIE du Niortais, PLIE du Pays de Caen). "
        "Un référentiel déjà présent est conservé, sauf avec --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--activate", choices=sorted(PRESETS), help="Code du référentiel à rendre actif.")
        parser.add_argument(
            "--reset", action="store_true", help="Remet les valeurs prédéfinies, y compris les modifications."
        )

    def handle(self, *args, activate=None, reset=False, **options):
        for code in PRESETS:
            existing = Referentiel.objects.filter(code=code).first()
            if existing and not reset:
                self.stdout.write(f"{existing.nom} : déjà présent, conservé.")
                if added := load_ressources(existing):
                    self.stdout.write(
                        self.style.SUCCESS(f"{existing.nom} : {added} ressources du territoire ajoutées.")
                    )
                continue
            referentiel = load_preset(code)
            self.stdout.write(self.style.SUCCESS(f"{referentiel.nom} : chargé."))
        if activate:
            activate_referentiel(Referentiel.objects.get(code=activate))
            self.stdout.write(self.style.SUCCESS(f"Référentiel actif : {activate}."))
        elif not Referentiel.objects.filter(actif=True).exists():
            raise CommandError("Aucun référentiel actif : relancez avec --activate niort ou --activate caen.")
