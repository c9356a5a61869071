"""The demo region: plausible, valid, correctly coded, and loaded once."""

import pytest
from django.core.management import call_command
from django.db import connection

from layers.codes import Level, level_of, parent_code
from layers.models import AdministrativeArea, Asset, Complaint, LandUseZone, Status


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--no-admin", verbosity=0)


def test_demo_region_has_the_hierarchy_with_structured_codes_and_a_clean_tiling(demo):
    areas = AdministrativeArea.objects.all()
    by_level = {lvl: areas.filter(level=lvl).count() for lvl in Level}
    assert by_level[Level.PROVINCE] == 1 and by_level[Level.REGENCY] == 1
    assert 5 <= by_level[Level.DISTRICT] <= 8
    assert 45 <= by_level[Level.VILLAGE] <= 60
    for area in areas.select_related("parent"):
        assert level_of(area.code) == area.level
        if area.level > Level.PROVINCE:
            assert area.parent.code == parent_code(area.code)
    assert "DEMO" in AdministrativeArea.objects.get(code="99.01").name
    # Both kelurahan (1xxx) and desa (2xxx) occur.
    suffixes = {c.rsplit(".", 1)[1][0] for c in areas.filter(level=4).values_list("code",
                                                                                   flat=True)}
    assert suffixes == {"1", "2"}

    # The desa do not overlap and together tile the kabupaten.
    with connection.cursor() as cur:
        cur.execute("""
            SELECT count(*) FROM layers_administrativearea a
            JOIN layers_administrativearea b ON a.id < b.id AND a.level = 4 AND b.level = 4
             AND a.geom && b.geom
             AND ST_Area(ST_Intersection(a.geom, b.geom)::geography) > 1
        """)
        assert cur.fetchone()[0] == 0
        cur.execute("""
            SELECT sum(area_ha) FILTER (WHERE level = 4),
                   max(area_ha) FILTER (WHERE level = 2),
                   bool_and(ST_IsValid(geom))
            FROM layers_administrativearea
        """)
        desa_ha, kab_ha, all_valid = cur.fetchone()
    assert all_valid
    assert desa_ha == pytest.approx(kab_ha, rel=1e-4)


def test_demo_holds_assets_zones_and_complaints_in_several_states(demo):
    assert Asset.objects.count() >= 200
    assert Asset.objects.values("category").distinct().count() >= 6
    assert Asset.objects.filter(area__isnull=True).count() == 0
    assert LandUseZone.objects.count() >= 10
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert {Status.NEW, Status.RESOLVED, Status.REJECTED} <= statuses
    assert Complaint.objects.filter(area__isnull=True).count() == 0
    resolved = Complaint.objects.filter(status=Status.RESOLVED).first()
    assert resolved.resolved_at > resolved.created_at
    assert list(resolved.events.values_list("status_to", flat=True)) == [
        "baru", "diverifikasi", "diproses", "selesai"]

    # Loaded once: --if-empty leaves it alone.
    count = AdministrativeArea.objects.count()
    call_command("seed_demo", "--if-empty", "--no-admin", verbosity=0)
    assert AdministrativeArea.objects.count() == count
