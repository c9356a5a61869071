"""What leaves in an export is what the map shows the same viewer: the public never gets
personal data, a non-public field or an unverified feature; staff get unverified features
and internal fields; nobody gets a complaint's reporter."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from tests.exports.conftest import DRAFT_NAME, REPORTER, SECRET_PHONE, body_of, read, save

pytestmark = pytest.mark.django_db

FORMATS = ["gpkg", "shp", "geojson", "csv", "kml"]


def everything(response) -> str:
    """Every byte of the download as text (a zip's members unpacked)."""
    data = body_of(response)
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            data = b"\n".join(zf.read(n) for n in zf.namelist())
    return data.decode("utf-8", errors="replace")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_public_export_holds_no_personal_data_no_hidden_field_no_draft(client, data_out,
                                                                        thematic, fmt):
    complaints = client.get(reverse("exports:layer", args=["pengaduan", fmt]))
    assert complaints.status_code == 200
    text = everything(complaints)
    assert data_out.complaint.ticket in text  # the complaint itself is public
    for secret in [*REPORTER.values(), "reporter"]:
        assert secret not in text

    assets = everything(client.get(reverse("exports:layer", args=["aset", fmt])))
    assert "SD Negeri Terbit" in assets
    for secret in data_out.secrets():
        assert secret not in assets

    thematic_text = everything(client.get(reverse("exports:layer", args=["titik-uji", fmt])))
    assert "Kelurahan Tanjung Hulu (Lama)" in thematic_text
    for secret in (SECRET_PHONE, "hp_pengelola", "hp_pengel", DRAFT_NAME):
        assert secret not in thematic_text


def test_staff_exports_include_unverified_features_and_internal_fields(
        admin_client, data_out, thematic, tmp_path):
    frame = read(save(admin_client.get(reverse("exports:layer", args=["titik-uji", "gpkg"])),
                      tmp_path, "staff.gpkg"))
    assert DRAFT_NAME in set(frame["nama"]) and len(frame) == 5
    assert set(frame["hp_pengelola"].dropna()) == {SECRET_PHONE}
    assets = read(save(admin_client.get(reverse("exports:layer", args=["aset", "gpkg"])),
                       tmp_path, "aset.gpkg"))
    assert {"SD Negeri Terbit", "SD Draf Tersembunyi"} <= set(assets["name"])
    assert "register_code" in assets and "kontak_kepala" in assets
    # Even staff never get the reporter through an export.
    text = everything(admin_client.get(reverse("exports:layer", args=["pengaduan", "csv"])))
    assert not any(secret in text for secret in REPORTER.values())


def test_a_hidden_layer_is_answered_as_a_missing_one(client, admin_client, data_out):
    hidden = client.get(reverse("exports:layer", args=["rahasia-internal", "csv"]),
                        HTTP_ACCEPT="application/json")
    missing = client.get(reverse("exports:layer", args=["tidak-ada", "csv"]),
                         HTTP_ACCEPT="application/json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["code"] == missing.json()["code"] == "layer_not_found"
    assert hidden.json()["description"].replace("rahasia-internal", "X") == \
        missing.json()["description"].replace("tidak-ada", "X")
    staff = admin_client.get(reverse("exports:layer", args=["rahasia-internal", "csv"]))
    assert staff.status_code == 200 and "Gudang Rahasia" in everything(staff)
