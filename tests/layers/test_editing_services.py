"""The pieces under the editing services: the version trigger, geometry repair and schema
values."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError

from layers.geometry import repair_geometry
from layers.models import Asset, Feature, LandUseZone
from layers.services.assets import asset_create
from layers.services.attributes import clean_values, normalise_field
from layers.services.wilayah import areas_assign

MIGRATION = importlib.import_module(
    "layers.migrations.0010_feature_review_photo_uid_version_trigger")
NOT_VERSIONED = {"id", "version", "created_at", "updated_at", "area_id"}


@pytest.mark.parametrize("model", [Asset, LandUseZone, Feature])
def test_the_version_trigger_watches_every_editable_column(model):
    """A column added later must be added to the trigger (or to NOT_VERSIONED, on purpose)."""
    columns = {f.column for f in model._meta.concrete_fields
               if not getattr(f, "generated", False)} - NOT_VERSIONED
    assert set(MIGRATION.VERSIONED[model._meta.db_table]) == columns


def test_set_based_updates_bump_the_version_derived_columns_do_not(region, asset_categories):
    asset = asset_create(category=asset_categories["sekolah"], geom=Point(110.05, -0.05, srid=4326),
                         attributes={"murid": 1})
    Asset.objects.filter(pk=asset.pk).update(name="Baru")
    assert Asset.objects.get(pk=asset.pk).version == 2
    Asset.objects.filter(pk=asset.pk).update(name="Baru")  # no change: no new version
    areas_assign(model=Asset, ids=[asset.pk])  # derived: no new version
    assert Asset.objects.get(pk=asset.pk).version == 2
    # A writer that manages the version is not bumped twice.
    from django.db.models import F

    Asset.objects.filter(pk=asset.pk).update(name="Lagi", version=F("version") + 1)
    assert Asset.objects.get(pk=asset.pk).version == 3


def test_repair_geometry_repairs_with_a_notice_or_refuses():
    bowtie = GEOSGeometry("POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))", srid=4326)
    fixed, notices = repair_geometry(bowtie, kind="polygon", multi_polygon=True)
    assert fixed.geom_type == "MultiPolygon" and fixed.valid and len(fixed) == 2
    assert "Self-intersection" in notices[0]
    # A polygon collapsed to a line has nothing of the polygon kind left: refused.
    flat = GEOSGeometry("POLYGON((0 0, 1 1, 2 2, 0 0))", srid=4326)
    with pytest.raises(ValidationError) as refused:
        repair_geometry(flat, kind="polygon")
    assert refused.value.code == "geometry_invalid"
    tall, notices = repair_geometry(GEOSGeometry("POINT Z (110 -0.05 12)", srid=4326),
                                    kind="point")
    assert not tall.hasz and "Heights" in notices[0]
    ok, notices = repair_geometry(Point(110, 0, srid=4326), kind="point")
    assert notices == [] and ok.coords == (110, 0)


def test_values_are_typed_by_the_schema():
    fields = [normalise_field(f) for f in (
        {"name": "n", "type": "integer", "required": True}, {"name": "x", "type": "number"},
        {"name": "ok", "type": "boolean"}, {"name": "d", "type": "date"},
        {"name": "c", "choices": ["a", "b"]}, {"name": "t", "type": "weird"})]
    assert [f["type"] for f in fields] == ["integer", "number", "boolean", "date", "choice",
                                           "text"]
    cleaned, errors = clean_values(fields, {"n": "12", "x": "1,5", "ok": "ya",
                                            "d": "2024-02-29", "c": "b", "t": 7},
                                   creating=True)
    assert errors == {}
    assert cleaned == {"n": 12, "x": 1.5, "ok": True, "d": "2024-02-29", "c": "b", "t": "7"}
    _cleaned, errors = clean_values(fields, {"n": True, "x": "NaN", "ok": "mungkin",
                                             "d": "2024-02-30", "c": "z"}, creating=True)
    assert set(errors) == {"n", "x", "ok", "d", "c"}
    # On update only what is sent is checked; an untouched required field is not.
    assert clean_values(fields, {"x": 2}, creating=False) == ({"x": 2}, {})
    assert clean_values(fields, {}, creating=True)[1] == {"n": ["This field is required."]}
    assert clean_values(fields, {"n": ""}, creating=False)[1] == {
        "n": ["This field is required."]}
    # Keys the schema does not declare: kept when already stored (imported columns).
    assert clean_values(fields, {"KDEPUM": "x"}, creating=False, stored={"KDEPUM": "y"}) == (
        {"KDEPUM": "x"}, {})


def test_the_editing_rules_in_the_permission_function(region, editors):
    from layers import permissions
    from layers.models import Layer

    aset = Layer.objects.get(slug="aset")
    wilayah = Layer.objects.get(slug="wilayah")
    assert permissions.can_edit_layer(editors.field, aset)
    assert not permissions.can_edit_layer(editors.field, wilayah)
    assert not permissions.can_edit_layer(editors.warga, aset)
    # Whose save is verified on the spot: publishers of that wilayah only.
    assert permissions.verified_on_save(editors.planner, "99.01.01.1002")
    assert not permissions.verified_on_save(editors.planner, "99.01.02.2001")
    assert not permissions.verified_on_save(editors.operator, "99.01.01.2001")
    assert not permissions.verified_on_save(editors.field, "99.01.01.2001")
    # Reverting an import: a publisher of every touched wilayah (None: outside every desa).
    assert permissions.can_revert_import(editors.planner, ["99.01.01.2001", "99.01.01.1002"])
    assert not permissions.can_revert_import(editors.planner, ["99.01.01.2001", None])
    assert permissions.can_revert_import(editors.admin, ["99.01.02.2001", None])
    assert permissions.published_sql("x") == ["x.is_public", "x.is_verified"]
