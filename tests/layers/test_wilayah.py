"""The wilayah of a feature: per object on save, and in bulk with one SQL statement."""

import random

from django.contrib.gis.geos import GEOSGeometry, LineString, Point

from layers.models import Asset, AssetCategory
from layers.selectors.boundaries import village_at
from layers.services.assets import asset_create
from layers.services.wilayah import areas_assign


def category(slug: str, kind: str) -> AssetCategory:
    return AssetCategory.objects.create(slug=slug, name=slug.title(), geometry_type=kind)


def test_point_on_a_desa_gets_that_desa(region):
    school = asset_create(category=category("sekolah", "point"),
                          geom=Point(110.05, -0.05, srid=4326), name="SD Negeri 1")
    assert school.area == region.desa_a1
    kel = asset_create(category=AssetCategory.objects.get(slug="sekolah"),
                       geom=Point(110.15, -0.02, srid=4326))
    assert kel.area == region.kel_a2


def test_point_outside_every_desa_gets_none(region):
    far = asset_create(category=category("sekolah", "point"),
                       geom=Point(112.0, -3.0, srid=4326))
    assert far.area is None


def test_a_line_is_placed_by_a_point_on_it(region):
    road = asset_create(
        category=category("jalan", "line"),
        geom=LineString((110.21, -0.05), (110.29, -0.05), srid=4326),
    )
    assert road.area == region.desa_b1


def test_point_on_a_shared_border_goes_to_the_lowest_code(region):
    # 110.1 is the border of 99.01.01.2001 and 99.01.01.1002: the lower code wins.
    border = Point(110.1, -0.05, srid=4326)
    assert village_at(border) == region.kel_a2  # "…1002" < "…2001"


def test_bulk_assignment_gives_the_same_answer_as_per_object(region):
    rng = random.Random(7)
    point_cat, line_cat = category("sekolah", "point"), category("jalan", "line")
    assets = []
    for _ in range(60):
        x, y = rng.uniform(109.95, 110.35), rng.uniform(-0.15, 0.05)
        assets.append(asset_create(category=point_cat, geom=Point(x, y, srid=4326)))
    # Points exactly on borders and lines too.
    assets.append(asset_create(category=point_cat, geom=Point(110.2, -0.05, srid=4326)))
    assets.append(asset_create(category=line_cat, geom=GEOSGeometry(
        "LINESTRING(110.01 -0.01, 110.12 -0.09, 110.25 -0.03)", srid=4326)))
    per_object = {a.pk: a.area_id for a in assets}
    assert len(set(per_object.values())) == 4  # three desa and None all occur

    Asset.objects.update(area=None)
    updated = areas_assign(model=Asset)
    assert updated == len(assets)
    bulk = dict(Asset.objects.values_list("pk", "area_id"))
    assert bulk == per_object


def test_bulk_assignment_can_be_limited_to_some_rows(region):
    cat = category("sekolah", "point")
    a = asset_create(category=cat, geom=Point(110.05, -0.05, srid=4326))
    b = asset_create(category=cat, geom=Point(110.25, -0.05, srid=4326))
    Asset.objects.update(area=None)
    assert areas_assign(model=Asset, ids=[a.pk]) == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.area == region.desa_a1 and b.area is None
