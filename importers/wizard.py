"""What the upload wizard does besides uploading: preview an upload (the pipeline as a dry
run), start the real import in the background, save a mapping preset, and write the problem
list as CSV. The views only validate input and call these."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from importers.errors import ImportFailed
from importers.jobs import ImportOutcome, ImportRequest, run_import
from importers.mapping import TargetField, suggest_mapping
from importers.models import ImportJob, MappingPreset, UploadSession
from importers.sources import open_source
from importers.targets import (
    AdminAreasTarget,
    AssetsTarget,
    ComplaintsTarget,
    LandUseTarget,
    LayerTarget,
    Target,
)
from importers.tasks import run_import_job

_TARGETS: dict[str, type[Target]] = {t.key: t for t in (
    AdminAreasTarget, AssetsTarget, LandUseTarget, ComplaintsTarget)}
# The admin page that lists what each target writes.
ADMIN_CHANGELISTS = {
    "admin_areas": "admin:layers_administrativearea_changelist",
    "assets": "admin:layers_asset_changelist",
    "land_use": "admin:layers_landusezone_changelist",
    "complaints": "admin:layers_complaint_changelist",
    "layer": "admin:layers_feature_changelist",
}


def target_class(name: str) -> type[Target]:
    """The target class behind a target name, read without building it (building may touch
    the database)."""
    return LayerTarget if name.startswith("layer:") else _TARGETS[name]


def target_fields(name: str) -> tuple[TargetField, ...]:
    return target_class(name).fields


def target_label(name: str) -> str:
    """What a person calls the target: "Wilayah administrasi", "Lapisan tematik: rawan-banjir"."""
    if name.startswith("layer:"):
        return _("Thematic layer: %(name)s") % {"name": name.removeprefix("layer:")}
    cls = _TARGETS.get(name)
    return str(cls.label) if cls else name


@dataclass
class WizardOptions:
    """What the user may set on the preview page; the same keys go into ImportJob.options."""

    layer: str | None = None
    srid: int | None = None
    encoding: str | None = None
    mapping: dict[str, str] | None = None  # None: let the pipeline suggest one
    constants: dict[str, Any] = field(default_factory=dict)
    key: str | None = None
    public: bool = True

    def request(self, upload: UploadSession, *, dry_run: bool,
                user: AbstractBaseUser | None) -> ImportRequest:
        return ImportRequest(
            path=upload.path, target=upload.target, layer=self.layer, srid=self.srid,
            encoding=self.encoding, mapping=self.mapping, constants=dict(self.constants),
            key=self.key, dry_run=dry_run, public=self.public, user=user,
            reason=upload.filename)


@dataclass
class Preview:
    """A dry run's outcome, or why the file cannot be imported as asked; either way the
    file's fields and layers when they can be read, for the mapping form."""

    outcome: ImportOutcome | None = None
    failure: ImportFailed | None = None
    source_fields: list[str] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # used, or suggested


def upload_preview(*, upload: UploadSession, options: WizardOptions,
                   user: AbstractBaseUser | None) -> Preview:
    """Run the whole pipeline on the upload and roll it back: what the import would do."""
    try:
        outcome = run_import(options.request(upload, dry_run=True, user=user))
    except ImportFailed as exc:
        return Preview(failure=exc, **_fields_and_layers(upload, options))
    return Preview(outcome=outcome, source_fields=[f["name"] for f in outcome.source.fields],
                   layers=outcome.source.layers, mapping=outcome.mapping)


def _fields_and_layers(upload: UploadSession, options: WizardOptions) -> dict[str, Any]:
    """What can still be learnt of a file the dry run refused (a wrong mapping, no CRS), so
    the user can correct the mapping. The CRS does not change the fields: assume one."""
    with tempfile.TemporaryDirectory(prefix="sig-preview-") as workdir:
        try:
            source = open_source(upload.path, workdir=Path(workdir), layer=options.layer,
                                 srid=options.srid or 4326, encoding=options.encoding)
        except ImportFailed:
            return {}
    return {"source_fields": source.fields, "layers": source.layers,
            "mapping": suggest_mapping(target_fields(upload.target), source.fields)}


def job_start(*, upload: UploadSession, options: WizardOptions,
              user: AbstractBaseUser | None, language: str | None) -> ImportJob:
    """Record the import and queue it for the worker once the record is committed. A second
    click on "run" finds the job the first one started."""
    with transaction.atomic():
        upload = UploadSession.objects.select_for_update().get(pk=upload.pk)
        if upload.job_id is not None:
            return upload.job
        job = ImportJob.objects.create(
            source_name=upload.filename, source_path=str(upload.path), target=upload.target,
            layer_name=options.layer or "", created_by=user,
            options={"srid": options.srid, "encoding": options.encoding,
                     "mapping": options.mapping, "constants": options.constants,
                     "key": options.key, "public": options.public})
        upload.job = job
        upload.save(update_fields=["job", "updated_at"])
        transaction.on_commit(lambda: run_import_job.defer(job_id=job.pk, language=language))
    return job


def preset_save(*, name: str, target: str, mapping: dict[str, str],
                user: AbstractBaseUser | None) -> MappingPreset:
    """Save (or overwrite) a named mapping for the next file from the same agency."""
    preset, _created = MappingPreset.objects.update_or_create(
        name=name, defaults={"target": target, "mapping": mapping, "created_by": user})
    return preset


def problems_csv(job: ImportJob) -> Iterator[str]:
    """The job's problems as CSV rows (feature, code, message, skipped), with a byte-order
    mark first so that Excel on Windows reads the Indonesian text as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff"
    writer.writerow(["feature", "code", "message", "skipped"])
    yield flush()
    for n, problem in enumerate(job.problems or [], start=1):
        writer.writerow([problem.get("feature"), problem.get("code"), problem.get("message"),
                         "yes" if problem.get("skipped", True) else "no"])
        if n % 500 == 0:
            yield flush()
    yield flush()
