"""Deleting a thematic layer (layers/services/layer_delete.py, and the admin through it):
its features go set-based, batch tables and all, each feature's last version stays in the
history as a deletion by the user, and the admin's confirmation page counts the features
instead of listing each."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from importers import writers
from layers.models import Feature, FeatureBatch, Layer
from layers.services.edit_errors import EditForbidden
from layers.services.layer_delete import layer_delete
from tests.api.editing_support import client_for
from tests.importers.test_feature_batches import batch_tables, do_import

pytestmark = pytest.mark.django_db


def layer_with_batch_and_staged_rows(tmp_path, user) -> Layer:
    """Five batch rows (a first import), one of them edited since, and two rows a second
    import added to the feature table itself."""
    do_import(tmp_path, user)
    more = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [110.02, -0.06]},
         "properties": {"kode": f"U{i}", "nama": f"Baru {i}"}} for i in range(2)]}
    do_import(tmp_path, user, more, name="tambahan.geojson")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE layers_feature SET properties = properties || '{\"x\": 1}' "
                       "WHERE source_ref = 'T3'")
    return Layer.objects.get(slug="titik")


def test_a_layer_goes_with_every_feature_and_each_ones_last_version_in_the_history(
        tmp_path, editors):
    layer = layer_with_batch_and_staged_rows(tmp_path, editors.planner)
    ids = set(Feature.objects.filter(layer=layer).values_list("id", flat=True))
    assert len(ids) == 7 and batch_tables()
    assert layer_delete(layer, user=editors.admin) == 7
    assert not Layer.objects.filter(slug="titik").exists() and not Feature.objects.exists()
    assert not batch_tables() and not FeatureBatch.objects.exists()
    gone = Feature.history.filter(history_type="-")
    assert {h.id for h in gone} == ids and {h.history_user_id for h in gone} == {
        editors.admin.pk}
    t3 = gone.get(source_ref="T3")
    assert (t3.version, t3.properties["x"]) == (2, 1)  # the last version, not the imported one
    assert Layer.history.filter(history_type="-", slug="titik").exists()


def test_the_admin_confirms_with_a_count_and_deletes_through_the_service(tmp_path, editors,
                                                                        monkeypatch):
    monkeypatch.setattr(writers, "PARTS_MIN_ROWS", 10**9)  # one batch table, in this test
    layer = layer_with_batch_and_staged_rows(tmp_path, editors.planner)
    editors.admin.is_staff = editors.admin.is_superuser = True
    editors.admin.save()
    client = client_for(editors.admin)
    url = reverse("admin:layers_layer_delete", args=[layer.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    one = str(Feature.objects.filter(layer=layer).first())  # how Django would list each
    assert "7 features" in text and one not in text  # counted, not listed one by one
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Layer.objects.filter(slug="titik").exists() and not Feature.objects.exists()
    assert not batch_tables()
    assert Feature.history.filter(history_type="-").count() == 7


def test_only_a_region_wide_publisher_deletes_a_layer(tmp_path, editors):
    """A planner scoped to one kabupaten may not delete a layer (it holds features wherever
    they lie): refused by the service, and the admin's page says so and refuses the POST."""
    layer = layer_with_batch_and_staged_rows(tmp_path, editors.planner)
    with pytest.raises(EditForbidden):
        layer_delete(layer, user=editors.planner)
    # Even with Django's own permission to delete layers in the admin:
    editors.planner.user_permissions.add(Permission.objects.get(codename="delete_layer"),
                                         Permission.objects.get(codename="view_layer"))
    editors.planner.is_staff = True
    editors.planner.save()
    client = client_for(editors.planner)
    url = reverse("admin:layers_layer_delete", args=[layer.pk])
    page = client.get(url)
    assert page.status_code == 200 and "permission to delete" in page.content.decode()
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Feature.objects.filter(layer=layer).count() == 7 and batch_tables()
