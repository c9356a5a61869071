"""A real agency file through the importer and back out: the 117 desa of Kabupaten Kubu Raya
(../shared/data, skipped when absent) exported as GeoPackage and zipped Shapefile."""

from __future__ import annotations

import pyogrio
import pytest
import shapely
from django.urls import reverse

from importers.jobs import ImportRequest, run_import
from tests.conftest import shared_file
from tests.exports.conftest import ogrinfo_summary, save

pytestmark = pytest.mark.django_db


def test_kubu_raya_desa_survive_import_and_export(client, tmp_path):
    shp = shared_file("indonesia", "wilayah-kemendagri-cahyadsn", "kubu_raya",
                      "kubu_raya_desa.shp")
    assert run_import(ImportRequest(path=shp, target="admin_areas")).report.created == 117
    original = pyogrio.read_dataframe(shp).set_index("kode")

    for fmt, name in (("gpkg", "desa.gpkg"), ("shp", "desa.zip")):
        response = client.get(reverse("exports:layer", args=["wilayah", fmt]),
                              {"level": "4", "parent": "61.12"})
        assert response.status_code == 200
        path = save(response, tmp_path, name)
        source = path if fmt == "gpkg" else f"/vsizip/{path}/wilayah.shp"
        assert "Feature Count: 117" in ogrinfo_summary(source)
        exported = pyogrio.read_dataframe(source).set_index("code")
        assert sorted(exported.index) == sorted(original.index)
        assert (exported["name"] == original.loc[exported.index, "nama"]).all()
        assert exported.loc["61.12.01.2001", "name"] == "Sungai Raya"
        assert "Olak-Olak Kubu" in set(exported["name"])
        # The same shapes (polygons as stored: multi): no area differs between them.
        before = original.loc[exported.index].geometry.values
        moved = shapely.area(shapely.symmetric_difference(exported.geometry.values, before))
        assert (moved <= 1e-9 * shapely.area(before)).all()
        assert (exported["area_ha"] > 0).all()
