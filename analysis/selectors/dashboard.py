"""Everything one wilayah's dashboard shows (/wilayah/<code>/), composed from the figure
selectors: assets per category and condition, land-use area per class, distance to the
nearest service, complaints received and closed on time, each per child wilayah with the
wilayah's own total, its sources and when it was computed.

Each figure is computed once per child (one statement); the wilayah's total is the sum of its
children (the roll-up rule), added up over those few dozen rows with pandas. A dashboard is
kept in Django's cache under the layers' data versions (bumped by database triggers on every
write): any edit or import gives the next visitor fresh figures, never stale ones."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from analysis.selectors.access import nearest_asset, nearest_asset_summary
from analysis.selectors.assets import assets_by_condition
from analysis.selectors.complaints import complaints_by_area, complaints_per_1000
from analysis.selectors.land_use import land_use_areas
from analysis.selectors.scope import CODE_LENGTH, Figure, Scope, child_scope
from layers import permissions
from layers.codes import Level, parent_code
from layers.models import AdministrativeArea, AssetCategory, Layer
from layers.models.assets import Condition

CACHE_SECONDS = 15 * 60
DEFAULT_SERVICE = "puskesmas"
DEFAULT_BEYOND_KM = 5.0


@dataclass
class Dashboard:
    area: AdministrativeArea
    ancestors: list[AdministrativeArea]
    children: list[dict[str, Any]]
    staff: bool
    assets: Figure
    asset_totals: list[dict[str, Any]]
    asset_children: list[dict[str, Any]]
    land_use: Figure
    land_use_totals: list[dict[str, Any]]
    service: dict[str, Any]
    access: Figure
    access_summary: Figure
    complaints: Figure
    complaint_totals: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)


def ancestors_of(area: AdministrativeArea) -> list[AdministrativeArea]:
    """Provinsi → … → parent, read off the code prefixes (one query)."""
    codes, code = [], parent_code(area.code)
    while code:
        codes.append(code)
        code = parent_code(code)
    return list(AdministrativeArea.objects.filter(code__in=codes).order_by("level"))


def children_of(area: AdministrativeArea) -> list[dict[str, Any]]:
    """The child wilayah (code, name, level, area_ha) for the links down."""
    if area.level == Level.VILLAGE:
        return []
    return list(AdministrativeArea.objects.filter(parent=area)
                .values("code", "name", "level", "area_ha").order_by("code"))


def map_geojson(area: AdministrativeArea) -> str:
    """The wilayah and its children as a FeatureCollection, simplified for a small map
    (≈ 1/2,000 of the wilayah's width) and built in SQL."""
    sql = """
WITH w AS (SELECT geom, greatest(ST_XMax(geom) - ST_XMin(geom),
                                 ST_YMax(geom) - ST_YMin(geom)) / 2000.0 AS tol
           FROM layers_administrativearea WHERE id = %(id)s)
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
  json_build_object('type', 'Feature',
    'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(a.geom, w.tol), 6)::json,
    'properties', json_build_object('code', a.code, 'name', a.name,
                                    'self', a.id = %(id)s)) ORDER BY a.code), '[]'))::text
FROM layers_administrativearea a, w
WHERE a.valid_until IS NULL AND (a.id = %(id)s OR a.parent_id = %(id)s)"""
    with connection.cursor() as cur:
        cur.execute(sql, {"id": area.id})
        return cur.fetchone()[0]


def _sum_rows(rows: list[dict[str, Any]], by: list[str], values: list[str]) -> list[dict]:
    """Children's rows added up into the wilayah's total (the roll-up rule)."""
    if not rows:
        return []
    frame = pd.DataFrame(rows)
    values = [v for v in values if v in frame.columns]
    return frame.groupby(by, dropna=False, sort=False)[values].sum(min_count=1) \
        .reset_index().to_dict("records")


def asset_totals(figure: Figure) -> list[dict[str, Any]]:
    """One row per category: its counts per condition, total, length, area (and, for staff,
    unverified), summed over the children."""
    if not figure.rows:
        return []
    frame = pd.DataFrame(figure.rows)
    keys = ["category", "category_name", "color"]
    counts = frame.pivot_table(index=keys, columns="condition", values="count",
                               aggfunc="sum", fill_value=0)
    counts = counts.reindex(columns=[c.value for c in Condition], fill_value=0)
    sums = frame.groupby(keys)[[c for c in ("count", "length_km", "area_ha", "unverified")
                                if c in frame.columns]].sum()
    out = counts.join(sums).reset_index().sort_values("category_name")
    records = out.to_dict("records")
    for r in records:
        r["by_condition"] = [int(r[c.value]) for c in Condition]
    return records


def asset_children(figure: Figure) -> list[dict[str, Any]]:
    """One row per child wilayah: its asset count per condition and in all."""
    if not figure.rows:
        return []
    frame = pd.DataFrame(figure.rows)
    frame["code"] = frame["code"].fillna("")
    frame["name"] = frame["name"].fillna("")
    counts = frame.pivot_table(index=["code", "name"], columns="condition", values="count",
                               aggfunc="sum", fill_value=0)
    counts = counts.reindex(columns=[c.value for c in Condition], fill_value=0)
    counts["count"] = counts.sum(axis=1)
    records = counts.reset_index().sort_values("code").to_dict("records")
    for r in records:
        r["by_condition"] = [int(r[c.value]) for c in Condition]
    return records


def land_use_totals(figure: Figure, area: AdministrativeArea) -> list[dict[str, Any]]:
    rows = _sum_rows(figure.rows, ["classification", "classification_name", "class_code",
                                   "class_name", "color"], ["area_ha"])
    for r in rows:
        r["share_pct"] = 100.0 * r["area_ha"] / area.area_ha if area.area_ha else None
    return sorted(rows, key=lambda r: (r["classification"], -r["area_ha"]))


def complaint_totals(figure: Figure) -> dict[str, Any]:
    if not figure.rows:
        return {}
    frame = pd.DataFrame(figure.rows)
    numeric = [c for c in frame.columns if c not in ("code", "name", "median_days",
                                                     "on_time_pct", "per_1000")]
    total = {k: (float(v) if k == "population" else int(v))
             for k, v in frame[numeric].sum().items()}
    total["on_time_pct"] = round(100 * total["on_time"] / total["resolved"]) \
        if total.get("resolved") else None
    if total.get("population"):
        total["per_1000"] = 1000.0 * total["total"] / total["population"]
    return total


def service_options(user) -> dict[str, Any]:
    """The active asset categories, for the distance figure's service picker."""
    return {"categories": list(AssetCategory.objects.filter(is_active=True)
                               .values("slug", "name").order_by("name"))}


def population_raster() -> str:
    """The population raster's slug (settings.SIG_POPULATION_RASTER), "" when none."""
    return str(settings.SIG_POPULATION_RASTER or "")


def _cache_key(area: AdministrativeArea, staff: bool, service: str, beyond_km: float,
               raster: str) -> str:
    # Every layer's data version: an edit anywhere (a trigger bumps it) changes the key.
    versions = ",".join(f"{s}:{v}" for s, v in Layer.objects.order_by("slug")
                        .values_list("slug", "data_version"))
    text = json.dumps([area.code, area.updated_at.isoformat(), staff, service, beyond_km,
                       raster, versions])
    return "sig-dashboard:" + hashlib.sha256(text.encode()).hexdigest()


def dashboard(*, area: AdministrativeArea, user, service: str = DEFAULT_SERVICE,
              beyond_km: float = DEFAULT_BEYOND_KM) -> Dashboard:
    """The wilayah's dashboard as `user` may see it (public figures, or staff figures)."""
    staff = permissions.is_staff(user)
    raster = population_raster()
    key = _cache_key(area, staff, service, beyond_km, raster)
    cached = cache.get(key)
    if cached is not None:
        return cached
    board = _compute(area=area, user=user, staff=staff, service=service,
                     beyond_km=beyond_km, raster=raster)
    cache.set(key, board, CACHE_SECONDS)
    return board


def _compute(*, area, user, staff, service, beyond_km, raster) -> Dashboard:
    scope = child_scope(area)
    assets = assets_by_condition(scope=scope, user=user)
    land_use = land_use_areas(scope=scope, user=user)
    desa = Scope(area=area, level=Level.VILLAGE)
    access = nearest_asset(scope=desa, user=user, category=service, beyond_m=beyond_km * 1000)
    summary = nearest_asset_summary(scope=scope, user=user, category=service,
                                    beyond_m=beyond_km * 1000)
    complaints = complaints_by_area(scope=scope, user=user)
    if raster:
        with_people = complaints_per_1000(scope=scope, user=user, raster_slug=raster)
        if with_people.available:
            complaints = with_people
    name = AssetCategory.objects.filter(slug=service).values_list("name", flat=True).first()
    return Dashboard(
        area=area, ancestors=ancestors_of(area), children=children_of(area), staff=staff,
        assets=assets, asset_totals=asset_totals(assets), asset_children=asset_children(assets),
        land_use=land_use, land_use_totals=land_use_totals(land_use, area),
        service={"slug": service, "name": name or service, "beyond_km": beyond_km},
        access=access, access_summary=summary,
        complaints=complaints, complaint_totals=complaint_totals(complaints),
        options={"map": map_geojson(area), "population_raster": raster,
                 "group_level": scope.level, "code_length": CODE_LENGTH[scope.level]})
