"""`manage.py import_raster PATH --slug SLUG`: a GeoTIFF or ASCII grid as a raster layer."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from analysis.errors import AnalysisFailed
from analysis.models import RasterRamp
from analysis.services.rasters import parse_classes, raster_import


class Command(BaseCommand):
    help = ("Import a raster (GeoTIFF, or ASCII grid with its .prj) as a raster layer, stored as "
            "a Cloud-Optimized GeoTIFF.")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--slug", required=True, help="the layer's name on every path")
        parser.add_argument("--name", help="display name (default: the slug)")
        parser.add_argument("--description", default="")
        parser.add_argument("--units", default="", help="units of the values, e.g. m, jiwa")
        parser.add_argument("--categorical", action="store_true",
                            help="values are classes (zonal statistics give area per class)")
        parser.add_argument("--classes", default="",
                            help='labels and colours: "1=Rendah:#fde68a,2=Sedang:#f59e0b"')
        parser.add_argument("--ramp", choices=RasterRamp.values,
                            help="colour ramp of a continuous raster")
        parser.add_argument("--range", dest="display_range",
                            help="MIN,MAX of the colour ramp (default: 2nd–98th percentile)")
        parser.add_argument("--nodata", type=float,
                            help="no-data value, when the file declares none (or a wrong one)")
        parser.add_argument("--private", action="store_true", help="staff only")
        parser.add_argument("--replace", action="store_true",
                            help="replace the grid of an existing raster layer")
        parser.add_argument("--user", help="username recorded as importer")

    def handle(self, *args, **opts):
        user = None
        if opts["user"]:
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"No user named {opts['user']!r}.")
        display_range = None
        if opts["display_range"]:
            try:
                low, high = (float(v) for v in opts["display_range"].split(","))
            except ValueError as exc:
                raise CommandError("--range is MIN,MAX, e.g. 0,5") from exc
            display_range = (low, high)
        try:
            outcome = raster_import(
                path=Path(opts["path"]), slug=opts["slug"], name=opts["name"],
                description=opts["description"], units=opts["units"],
                categorical=opts["categorical"], classes=parse_classes(opts["classes"]) or None,
                ramp=opts["ramp"], display_range=display_range, nodata=opts["nodata"],
                public=not opts["private"], replace=opts["replace"], user=user)
        except AnalysisFailed as exc:
            raise CommandError(exc.message) from exc
        raster = outcome.raster
        if opts["verbosity"] > 0:
            for notice in outcome.notices:
                self.stdout.write(f"  {notice}")
            self.stdout.write(
                f"{raster.layer.slug}: {raster.width}×{raster.height} {raster.dtype}, "
                f"{raster.crs_name} (EPSG:{raster.epsg or '—'}), nodata {raster.nodata}, "
                f"{raster.size_bytes / 1e6:.1f} MB → {raster.file}")
