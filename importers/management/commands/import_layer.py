"""`manage.py import_layer PATH --target …`: the import pipeline on the command line."""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from importers.errors import ImportFailed
from importers.jobs import ImportRequest, run_import
from importers.mapping import load_mapping_file
from importers.models import MappingPreset


class Command(BaseCommand):
    help = ("Import a vector file (zipped or loose shapefile, GeoPackage, GeoJSON, KML/KMZ, CSV) "
            "into administrative areas, assets, land use, complaints or a thematic layer.")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--target", required=True,
                            help="admin_areas, assets, land_use, complaints or layer:<slug>")
        parser.add_argument("--layer", help="layer inside the file (GeoPackage, folder, zip)")
        parser.add_argument("--srid", type=int, help="EPSG code when the file has none")
        parser.add_argument("--encoding", help="text encoding of the attributes (e.g. cp1252)")
        parser.add_argument("--mapping", help="JSON mapping file {target_field: source_field}")
        parser.add_argument("--preset", help="use a saved mapping preset")
        parser.add_argument("--save-preset", help="save the mapping used under this name")
        parser.add_argument("--key", help="source field that identifies a feature on re-import")
        parser.add_argument("--category", help="asset or complaint category for every feature")
        parser.add_argument("--classification", help="land-use classification slug")
        parser.add_argument("--layer-name", help="display name of a new thematic layer")
        parser.add_argument("--private", action="store_true",
                            help="do not publish what is imported")
        parser.add_argument("--user", help="username recorded in the edit history")
        parser.add_argument("--dry-run", action="store_true",
                            help="check everything and report, write nothing")

    def handle(self, *args, **opts):
        mapping, constants = None, {}
        if opts["preset"]:
            preset = MappingPreset.objects.filter(name=opts["preset"]).first()
            if preset is None:
                raise CommandError(f"No mapping preset named {opts['preset']!r}.")
            mapping = dict(preset.mapping)
        if opts["mapping"]:
            try:
                mapping, constants = load_mapping_file(Path(opts["mapping"]))
            except ImportFailed as exc:
                raise CommandError(exc.message) from exc
        for name in ("category", "classification", "layer_name"):
            if opts[name]:
                constants[name] = opts[name]
        user = None
        if opts["user"]:
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"No user named {opts['user']!r}.")
        request = ImportRequest(
            path=Path(opts["path"]), target=opts["target"], layer=opts["layer"],
            srid=opts["srid"], encoding=opts["encoding"], mapping=mapping, constants=constants,
            key=opts["key"], dry_run=opts["dry_run"], public=not opts["private"], user=user)
        bar = tqdm(total=100, unit="%", file=sys.stderr, leave=False,
                   disable=opts["verbosity"] == 0 or not sys.stderr.isatty())

        def progress(fraction: float, note: str) -> None:
            bar.set_description(note)
            bar.update(round(fraction * 100) - bar.n)

        try:
            outcome = run_import(request, progress=progress)
        except ImportFailed as exc:
            bar.close()
            raise CommandError(exc.message) from exc
        bar.close()
        report = outcome.report
        if opts["verbosity"] > 0:
            source = outcome.source
            self.stdout.write(f"{source.driver} · {source.crs} · {source.feature_count} features")
            self.stdout.write("mapping: " + ", ".join(
                f"{k} ← {v}" for k, v in outcome.mapping.items()))
            for notice in report.notices:
                self.stdout.write(f"note: {notice}")
            for problem in report.problems[:20]:
                self.stdout.write(f"feature {problem.feature}: {problem.message}")
            if len(report.problems) > 20:
                self.stdout.write(f"… and {len(report.problems) - 20} more problems")
        if opts["save_preset"] and not opts["dry_run"]:
            MappingPreset.objects.update_or_create(
                name=opts["save_preset"],
                defaults={"target": opts["target"], "mapping": outcome.mapping,
                          "created_by": user})
        self.stdout.write(report.summary())
