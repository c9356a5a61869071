"""Bad requests get a clear, translated answer with a code, and no file."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """These tests read the English msgids; Indonesian is what a visitor gets by default
    (test_the_messages_go_through_translation)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_an_unknown_format_names_the_formats_there_are(client, thematic):
    response = client.get(reverse("exports:layer", args=["titik-uji", "xlsx"]),
                          HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "format_unknown"
    assert body["description"] == ("Unknown export format “xlsx”. Choose one of: gpkg, shp, "
                                   "geojson, csv, kml.")


def test_an_unknown_layer_is_a_404_with_a_sentence(client, db):
    response = client.get(reverse("exports:layer", args=["tidak-ada", "gpkg"]),
                          HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json() == {"code": "layer_not_found",
                               "description": "There is no layer “tidak-ada” that you may see."}


def test_people_get_the_refusal_as_a_page(client, db):
    response = client.get(reverse("exports:layer", args=["tidak-ada", "gpkg"]),
                          HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]
    assert "There is no layer “tidak-ada” that you may see." in response.content.decode()


def test_the_messages_go_through_translation(client, db):
    # The message is a gettext msgid: with a catalogue the visitor reads it in Indonesian.
    from exports.errors import ExportFailed
    from exports.formats import export_format

    with translation.override("id"), pytest.raises(ExportFailed) as err:
        export_format("docx")
    assert err.value.code == "format_unknown"
    assert err.value.message.startswith("Format ekspor “docx” tidak dikenal")


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "10,0,5,1", "0,-100,1,1"])
def test_a_bad_bbox_is_refused(client, thematic, bbox):
    response = client.get(reverse("exports:layer", args=["titik-uji", "geojson"]),
                          {"bbox": bbox}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    assert "bbox" in response.json()["description"]


def test_a_frame_without_geometry_is_refused_for_geometry_formats(db):
    import pandas as pd

    from exports.errors import ExportFailed
    from exports.services import export_frame

    with pytest.raises(ExportFailed) as err:
        export_frame(pd.DataFrame({"a": [1]}), fmt="shp", title="Tabel", sources=[])
    assert err.value.code == "geometry_required"
    assert err.value.message == "This result has no geometry: export it as CSV or GeoPackage."


def test_a_map_without_layers_or_with_too_many_features_is_refused(client, thematic, settings):
    none = client.get(reverse("exports:map"), HTTP_ACCEPT="application/json")
    assert none.status_code == 400 and none.json()["code"] == "no_layers"
    settings.SIG_EXPORT_MAP_MAX_FEATURES = 3
    many = client.get(reverse("exports:map"), {"layers": "titik-uji"},
                      HTTP_ACCEPT="application/json")
    assert many.status_code == 400 and many.json()["code"] == "too_many_features"
    assert "more than 3 features" in many.json()["description"]
