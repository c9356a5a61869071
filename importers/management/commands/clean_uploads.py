"""`manage.py clean_uploads [--hours N]`: remove uploads left unfinished or unused.

The worker does this every hour (importers.tasks.clean_uploads); the command is for a host
that runs no worker, or to clean at once."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from importers.uploads import uploads_clean


class Command(BaseCommand):
    help = "Remove import uploads idle for longer than SIG_IMPORT_KEEP_HOURS (or --hours)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=settings.SIG_IMPORT_KEEP_HOURS,
                            help="remove uploads idle for longer than this many hours")

    def handle(self, *args, **opts):
        removed = uploads_clean(older_than=timedelta(hours=opts["hours"]))
        self.stdout.write(f"{removed} upload file(s) removed.")
