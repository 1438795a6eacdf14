import time

from django.core.management.base import BaseCommand, CommandError

from parcours.models import Parcours
from plie import permissions
from plie.accounts.models import User
from plie.demo import DEMO_DOMAIN, DEMO_PASSWORD, build_demo, demo_second_factor
from plie.referentiel.models import NoActiveReferentiel


class Command(BaseCommand):
    help = "Crée un PLIE de démonstration crédible (structures, comptes par rôle, participants dans tous les états)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--participants", type=int, default=400, help="Nombre de personnes orientées vers le PLIE (défaut : 400)."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Graine du hasard, pour des données reproductibles.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Ne fait rien si la base contient déjà des parcours."
        )

    def handle(self, *args, participants, seed, if_empty, **options):
        if participants < 1:
            raise CommandError("--participants doit être supérieur ou égal à 1.")
        if Parcours.objects.exists() or User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists():
            if if_empty:
                self.stdout.write("La base contient déjà des données : démonstration conservée.")
                self._print_logins()
                return
            raise CommandError("La base contient déjà des données : la démonstration se crée sur une base vide.")
        started = time.monotonic()
        try:
            build_demo(participants, seed)
        except NoActiveReferentiel as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"PLIE de démonstration créé : {participants} personnes orientées (participants et prescriptions "
                f"en attente) en {time.monotonic() - started:.1f} s."
            )
        )
        self._print_logins()

    def _print_logins(self):
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for email in [
            "coordination",
            "referent",
            "prescripteur",
            "bureau-insertion",
            "operateur",
            "financeur",
            "admin",
        ]:
            user = User.objects.filter(email=f"{email}@{DEMO_DOMAIN}").first()
            if user:
                role = user.get_role_display() if user.role else "Administrateur"
                self.stdout.write(f"  {role:<22} {user.email}")
                if permissions.must_use_second_factor(user):
                    secret, codes = demo_second_factor(user)
                    self.stdout.write(f"  {'':<22}   2e étape : code de secours {codes[0]} (usage unique ; autres : ")
                    self.stdout.write(
                        f"  {'':<22}   {', '.join(codes[1:4])}), ou clé TOTP {secret} dans une application"
                    )
