"""Complaints received and closed on time in each wilayah, and complaints per 1,000 people
where a population raster exists. The figures are the transparency page's own aggregates
(layers.selectors.complaint_stats), grouped by the code prefix of each complaint's desa:
one aggregate query, whatever the number of complaints."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db.models import F, Q
from django.db.models.functions import Left
from django.utils import timezone

from analysis.selectors.provenance import sources_of
from analysis.selectors.scope import CODE_LENGTH, Figure, Scope, Source, core_source
from layers import permissions
from layers.codes import Level
from layers.models import AdministrativeArea, Complaint, LayerKind
from layers.models.complaints import Status
from layers.selectors.complaint_stats import _figures, _finish

# What the transparency page shows everyone; the rest (overdue, rejected, every status) is
# for staff, as there.
PUBLIC_KEYS = ("code", "name", "total", "open", "resolved", "on_time", "on_time_pct",
               "median_days")
STAFF_KEYS = ("overdue", "rejected", *(f"n_{s.value}" for s in Status))

ZONE_LEVEL = {Level.PROVINCE: "provinsi", Level.REGENCY: "kabupaten",
              Level.DISTRICT: "kecamatan", Level.VILLAGE: "desa"}


def complaints_by_area(*, scope: Scope, user) -> Figure:
    """Rows: code, name, total, open, resolved, on_time (resolved by the due date),
    on_time_pct, median_days; staff also overdue, rejected and n_<status>."""
    source = core_source(LayerKind.COMPLAINTS, user)
    if source is None:
        return Figure(rows=[], available=False)
    staff = permissions.sees_unpublished(user, source.layer)
    qs = Complaint.objects.all()
    if scope.area is not None:
        code = scope.area.code
        qs = qs.filter(Q(area__code=code) | Q(area__code__startswith=code + "."))
    rows = [_finish(r) for r in (
        qs.annotate(code=Left(F("area__code"), CODE_LENGTH[scope.level]))
        .values("code").annotate(**_figures(timezone.localdate()))
        .order_by(F("code").asc(nulls_last=True)))]
    names = dict(AdministrativeArea.objects.filter(code__in=[r["code"] for r in rows])
                 .values_list("code", "name"))
    keys = PUBLIC_KEYS + (STAFF_KEYS if staff else ())
    out = [{k: (names.get(r["code"]) if k == "name" else r[k]) for k in keys} for r in rows]
    return Figure(rows=out, sources=sources_of(source))


def population_by_area(*, scope: Scope, raster_slug: str) -> pd.Series:
    """People per group of `scope` from a population raster: the raster's zonal sum per desa
    (analysis.services.zonal.compute_zonal), summed up the code prefix so a parent's
    population is its children's sum. Indexed by the group's code."""
    from analysis.services.zonal import compute_zonal

    frame = compute_zonal(raster_slug, f"level:{ZONE_LEVEL[Level.VILLAGE]}", ["sum"])
    codes = frame.index.to_series().astype(str)
    if scope.area is not None:
        inside = (codes == scope.area.code) | codes.str.startswith(scope.area.code + ".")
        frame, codes = frame[inside], codes[inside]
    return frame["sum"].groupby(codes.str.slice(0, CODE_LENGTH[scope.level])).sum()


def complaints_per_1000(*, scope: Scope, user, raster_slug: str) -> Figure:
    """Complaints received per 1,000 people in each group: the complaint rows above with
    `population` and `per_1000` added (None where the raster has no people)."""
    figure = complaints_by_area(scope=scope, user=user)
    raster = _raster_layer(raster_slug, user)
    if not figure.available or raster is None:
        return Figure(rows=[], available=False)
    from analysis.errors import AnalysisFailed

    try:
        people = population_by_area(scope=scope, raster_slug=raster_slug)
    except AnalysisFailed as exc:  # e.g. the raster covers none of these desa
        return Figure(rows=[], available=False, note=exc.message)
    rows: list[dict[str, Any]] = []
    for row in figure.rows:  # one row per wilayah group (a few dozen), not per complaint
        population = float(people.get(row["code"], 0.0) or 0.0)
        rows.append({**row, "population": population,
                     "per_1000": 1000.0 * row["total"] / population if population > 0
                     else None})
    return Figure(rows=rows, sources=[*figure.sources, raster])


def _raster_layer(slug: str, user) -> Source | None:
    """The population raster as a source (its import date), if `user` may see it."""
    from analysis.models import Raster

    raster = Raster.objects.select_related("layer").filter(layer__slug=slug).first()
    if raster is None or not permissions.can_view_layer(user, raster.layer):
        return None
    return Source(slug=raster.layer.slug, name=raster.layer.name,
                  last_import=raster.imported_at, import_file=raster.source_name)
