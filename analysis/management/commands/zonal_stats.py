"""`manage.py zonal_stats --raster SLUG (--level kelurahan | --zones layer:SLUG)`: zonal
statistics per zone, stored as a run (shown on /analisis/zonal/) and optionally as CSV."""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from analysis.errors import AnalysisFailed
from analysis.models import RunStatus
from analysis.services.zonal import LEVELS
from analysis.services.zonal_runs import results_frame, zonal_run_create, zonal_run_execute
from exports.services import frame_csv


class Command(BaseCommand):
    help = "Zonal statistics of a raster layer per wilayah or per feature of a polygon layer."

    def add_arguments(self, parser):
        parser.add_argument("--raster", required=True, help="slug of the raster layer")
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--level", choices=list(LEVELS), help="a level of the wilayah")
        where.add_argument("--zones", help="layer:<slug> of a polygon layer (or level:<level>)")
        parser.add_argument("--stats", default="",
                            help="sum,mean,min,max,count (continuous; default all) or area "
                                 "(categorical)")
        parser.add_argument("--csv", help="write the result here (one row per zone)")
        parser.add_argument("--user", help="username recorded on the run")

    def handle(self, *args, **opts):
        user = None
        if opts["user"]:
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"No user named {opts['user']!r}.")
        zones = f"level:{opts['level']}" if opts["level"] else opts["zones"]
        stats = [s for s in opts["stats"].split(",") if s.strip()]
        try:
            run = zonal_run_create(raster_slug=opts["raster"], zones=zones, stats=stats,
                                   user=user)
        except AnalysisFailed as exc:
            raise CommandError(exc.message) from exc
        bar = tqdm(total=100, unit="%", file=sys.stderr, leave=False,
                   disable=opts["verbosity"] == 0 or not sys.stderr.isatty())

        def progress(fraction: float, note: str) -> None:
            bar.set_description(note)
            bar.update(max(0, round(fraction * 100) - bar.n))

        run = zonal_run_execute(run, progress=progress)
        bar.close()
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(run.error_message)
        frame = results_frame(run)
        if opts["csv"]:
            # The same bytes as the run page's download (exports.services.frame_csv).
            Path(opts["csv"]).write_bytes(frame_csv(frame.reset_index(), spatial=False))
        if opts["verbosity"] > 0:
            self.stdout.write(f"run #{run.pk}: {run.zone_count} zones, "
                              f"{', '.join(c['key'] for c in run.columns)}"
                              + (f" → {opts['csv']}" if opts["csv"] else ""))
