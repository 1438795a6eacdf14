import itertools
import re
import time

from django.core.management.base import BaseCommand, CommandError

from parcours.demo_convocations import lien_a_essayer
from parcours.models import Parcours
from plie import permissions
from plie.accounts.models import Role, User
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
        """Every demo login, grouped by role (the admin last), with the second step where the role has one."""
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
        users = list(User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True))
        order = {role: index for index, role in enumerate(Role.values)}
        users.sort(key=lambda u: (order.get(u.role, len(order)), _natural(u.email)))
        for group, members in itertools.groupby(
            users, key=lambda u: u.get_role_display() if u.role else "Administrateur"
        ):
            members = list(members)
            self.stdout.write(f"  {group} ({len(members)}) :")
            for user in members:
                self.stdout.write(f"    {user.email:<40} {user.get_full_name()}")
                if permissions.must_use_second_factor(user):
                    secret, codes = demo_second_factor(user)
                    self.stdout.write(f"    {'':<40}   2e étape : code de secours {codes[0]} (usage unique ; autres : ")
                    self.stdout.write(
                        f"    {'':<40}   {', '.join(codes[1:4])}), ou clé TOTP {secret} dans une application"
                    )
        lien = lien_a_essayer()
        if lien:
            self.stdout.write(
                f"Lien personnel d'un participant à essayer (sa convocation, à confirmer ou annuler) : {lien}"
            )


def _natural(email):
    """referent2 before referent10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", email)]
