"""Resumable uploads for the import wizard: create, append a chunk at an offset, finish,
discard, and clean up what was left behind.

A planner on a weak connection must not start a 300 MB shapefile over because the line
dropped at 80 %: the server says how many bytes it holds and the client goes on from there.
Every file sits in one private folder (0700, files 0600) under the upload's id, never under
a name the user chose, so no upload can reach a path outside it.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from importers.models import ImportJob, JobStatus, UploadSession

UPLOAD_SUFFIXES = (".zip", ".kmz", ".gpkg", ".geojson", ".json", ".kml", ".csv")
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
MAX_CHUNK = 4 * 1024**2  # bytes; the wizard sends 1 MiB, a slow link may choose 2 MiB
_COPY_BLOCK = 256 * 1024
_CORE_TARGETS = ("admin_areas", "assets", "land_use", "complaints")


class UploadErrorCode(models.TextChoices):
    FILE_TOO_LARGE = "file_too_large", gettext_lazy("File too large")
    FILE_EMPTY = "file_empty", gettext_lazy("Empty file")
    FORMAT_UNKNOWN = "format_unknown", gettext_lazy("Unknown format")
    TARGET_UNKNOWN = "target_unknown", gettext_lazy("Unknown target")
    WRONG_OFFSET = "wrong_offset", gettext_lazy("Wrong offset")
    CHUNK_TOO_LARGE = "chunk_too_large", gettext_lazy("Chunk too large")
    CHUNK_INCOMPLETE = "chunk_incomplete", gettext_lazy("Chunk incomplete")
    INCOMPLETE = "incomplete", gettext_lazy("Upload incomplete")
    CLOSED = "closed", gettext_lazy("Upload already finished")
    GONE = "gone", gettext_lazy("Upload expired")


class UploadRefused(Exception):
    """A request the upload cannot take; `message` is a translated sentence, `received` the
    bytes the server holds (what a client resumes from)."""

    def __init__(self, code: UploadErrorCode, message: str, *, received: int | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = str(message)
        self.received = received


def import_dir() -> Path:
    """The private folder of uploads, created on first use and kept at mode 0700."""
    folder = Path(settings.SIG_IMPORT_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)  # mkdir's mode is cut by the umask, and the folder may be older
    return folder


def target_is_valid(name: str) -> bool:
    """A core target or `layer:<slug>` of a thematic (generic) layer, checked without
    building the target (which may write, e.g. a land-use classification)."""
    from layers.models import Layer, LayerKind

    if name in _CORE_TARGETS:
        return True
    match = re.fullmatch(r"layer:([-a-z0-9_]{1,80})", name)
    if not match:
        return False
    core_slugs = Layer.objects.exclude(kind=LayerKind.GENERIC).values_list("slug", flat=True)
    return match.group(1) not in set(core_slugs)


def upload_create(*, filename: str, size: int, target: str,
                  user: AbstractBaseUser | None) -> UploadSession:
    """Open an upload of `size` bytes; refuses what the pipeline could never read and what
    is over `SIG_IMPORT_MAX_BYTES`, before a single byte is sent."""
    name = re.split(r"[\\/]", str(filename))[-1].strip()[:255]
    suffix = Path(name).suffix.lower()
    if suffix in SHAPEFILE_PARTS:
        raise UploadRefused(UploadErrorCode.FORMAT_UNKNOWN, _(
            "A shapefile is several files (.shp, .shx, .dbf, .prj, .cpg): put them together "
            "in one .zip archive and upload that."))
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadRefused(UploadErrorCode.FORMAT_UNKNOWN, _(
            "“%(name)s” is not a format SIG reads. Upload a zipped shapefile (.zip), "
            "GeoPackage, GeoJSON, KML/KMZ or CSV.") % {"name": name or "?"})
    limit = int(settings.SIG_IMPORT_MAX_BYTES)
    if size > limit:
        raise UploadRefused(UploadErrorCode.FILE_TOO_LARGE, _(
            "The file is %(size)s; the limit is %(limit)s.") % {
            "size": filesizeformat(size), "limit": filesizeformat(limit)})
    if size <= 0:
        raise UploadRefused(UploadErrorCode.FILE_EMPTY, _("The file is empty."))
    if not target_is_valid(target):
        raise UploadRefused(UploadErrorCode.TARGET_UNKNOWN, _(
            "Choose what to import into: administrative areas, assets, land use, complaints "
            "or a thematic layer."))
    import_dir()
    upload = UploadSession.objects.create(filename=name, size=size, target=target,
                                          created_by=user)
    fd = os.open(upload.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    return upload


def upload_append(*, upload_id: object, offset: int, length: int, stream: BinaryIO) -> int:
    """Write `length` bytes read from `stream` at `offset`; returns the bytes now held.

    Only the next chunk is taken (offset == received): a retried or out-of-order chunk gets
    WRONG_OFFSET with what the server holds. The row is locked while writing, so a retry that
    races its own first attempt cannot write twice."""
    with transaction.atomic():
        upload = UploadSession.objects.select_for_update().get(pk=upload_id)
        if upload.completed:
            raise UploadRefused(UploadErrorCode.CLOSED, _("This upload is already finished."),
                                received=upload.received)
        if not upload.path.exists():
            raise UploadRefused(UploadErrorCode.GONE, _(
                "This upload has expired; upload the file again."))
        if offset != upload.received:
            raise UploadRefused(UploadErrorCode.WRONG_OFFSET, _(
                "The server holds %(n)d bytes; go on from there.") % {"n": upload.received},
                received=upload.received)
        if length > MAX_CHUNK or offset + length > upload.size:
            raise UploadRefused(UploadErrorCode.CHUNK_TOO_LARGE, _(
                "The piece is larger than allowed or than the file."), received=upload.received)
        written = 0
        with open(upload.path, "r+b") as out:
            out.seek(offset)
            while written < length:
                block = stream.read(min(_COPY_BLOCK, length - written))
                if not block:
                    break
                out.write(block)
                written += len(block)
            out.truncate(offset + written if written == length else upload.received)
        if written != length:
            raise UploadRefused(UploadErrorCode.CHUNK_INCOMPLETE, _(
                "The piece arrived incomplete; send it again."), received=upload.received)
        upload.received = offset + length
        upload.save(update_fields=["received", "updated_at"])
        return upload.received


def upload_finish(*, upload: UploadSession) -> UploadSession:
    """Mark an upload whole; refuses one that is missing bytes (with what the server holds)."""
    with transaction.atomic():
        upload = UploadSession.objects.select_for_update().get(pk=upload.pk)
        if upload.received != upload.size:
            raise UploadRefused(UploadErrorCode.INCOMPLETE, _(
                "The upload is incomplete: %(got)d of %(size)d bytes.") % {
                "got": upload.received, "size": upload.size}, received=upload.received)
        if not upload.completed:
            upload.completed = True
            upload.save(update_fields=["completed", "updated_at"])
    return upload


def upload_discard(*, upload: UploadSession) -> None:
    """Forget an upload the user gave up on: its file now, its row too unless a job uses it."""
    upload.path.unlink(missing_ok=True)
    if upload.job_id is None:
        upload.delete()


def uploads_clean(*, older_than: timedelta | None = None) -> int:
    """Remove uploads idle for longer than `older_than` (default `SIG_IMPORT_KEEP_HOURS`):
    their files, their rows, and files in the folder that no row claims. Files of a job
    still waiting or running are kept. Returns how many files were removed."""
    cutoff = timezone.now() - (older_than if older_than is not None
                               else timedelta(hours=settings.SIG_IMPORT_KEEP_HOURS))
    folder = import_dir()
    busy = set(ImportJob.objects.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING],
                                        upload__isnull=False)
               .values_list("upload__id", flat=True))
    old = UploadSession.objects.filter(updated_at__lt=cutoff).exclude(pk__in=busy)
    keep = {str(pk) for pk in UploadSession.objects.exclude(pk__in=old).values_list(
        "pk", flat=True)}
    removed = 0
    for path in folder.iterdir():
        if path.name.split(".", 1)[0] in keep:
            continue
        if path.lstat().st_mtime > cutoff.timestamp():
            continue  # a row being created right now
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed += 1
    old.delete()
    return removed
