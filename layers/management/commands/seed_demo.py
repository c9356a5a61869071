from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from layers.demo.seed import demo_admin, demo_exists, seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo region (Kabupaten Contoh, code 99.01): boundaries, assets, zones, "
        "complaints."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when the demo region is already loaded.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-admin", action="store_true",
                            help="Do not create the demo superuser admin/admin.")

    def handle(self, *args, if_empty: bool, seed: int, no_admin: bool, **options):
        if demo_exists():
            if if_empty:
                self.stdout.write("Demo region already loaded.")
                return
            raise CommandError("The demo region (99.01) is already loaded.")
        report = seed_demo(seed=seed)
        if not no_admin and not settings.PRODUCTION and demo_admin():
            self.stdout.write("Demo superuser: admin / admin (development only).")
        self.stdout.write(self.style.SUCCESS(
            f"Demo region loaded: {report.areas} areas, {report.assets} assets, "
            f"{report.zones} land-use zones, {report.complaints} complaints, "
            f"{report.features} thematic features."
        ))
