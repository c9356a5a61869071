"""`manage.py export_layer SLUG --format gpkg`: the export pipeline on the command line."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from exports.errors import ExportFailed
from exports.formats import FORMATS
from exports.services import export_layer_to_file
from layers.api.geodata import BadRequest, parse_bbox


class Command(BaseCommand):
    help = ("Export a layer as GeoPackage, zipped Shapefile, GeoJSON, CSV or KML, as a user "
            "sees it (without --user: what the public sees).")

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("--out", default=".", help="folder to write the file into")
        parser.add_argument("--bbox", help="west,south,east,north in EPSG:4326 degrees")
        parser.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                            help="a filter of the layer (as on the GeoJSON path); repeatable")
        parser.add_argument("--user", help="export what this user may see (staff: all)")

    def handle(self, *args, slug: str, format: str, out: str, bbox: str | None,
               filter: list[str], user: str | None, **options):
        folder = Path(out)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        try:
            box = parse_bbox(bbox)
        except BadRequest as exc:
            raise CommandError(str(exc)) from exc
        filters = dict(f.split("=", 1) for f in filter if "=" in f)
        who = None
        if user:
            who = get_user_model().objects.filter(username=user).first()
            if who is None:
                raise CommandError(f"No user named {user}.")
        bar = tqdm(total=100, unit="%", disable=options["verbosity"] == 0, file=self.stderr)

        def progress(fraction: float, note: str) -> None:
            bar.n = round(fraction * 100)
            bar.set_description(note)
            bar.refresh()

        try:
            path, count = export_layer_to_file(slug=slug, user=who, fmt=format, folder=folder,
                                               bbox=box, filters=filters, progress=progress)
        except ExportFailed as exc:
            raise CommandError(exc.message) from exc
        finally:
            bar.close()
        self.stdout.write(f"{path} ({count} features)")
