"""Every edit is kept: who, when, what changed."""

from django.contrib.gis.geos import Point

from layers.models import AdministrativeArea, AssetCategory
from layers.services.assets import asset_create


def test_history_records_who_changed_what_through_a_service(region, staff_user):
    cat = AssetCategory.objects.create(slug="pju", name="PJU", geometry_type="point")
    lamp = asset_create(category=cat, geom=Point(110.05, -0.05, srid=4326), name="PJU 1",
                        by=staff_user)
    lamp.condition = "rusak_berat"
    lamp._history_user = staff_user
    lamp.save()
    first, second = lamp.history.order_by("history_date")
    assert first.history_type == "+" and first.history_user == staff_user
    delta = second.diff_against(first)
    assert delta.changed_fields == ["condition"]
    assert delta.changes[0].old == "baik" and delta.changes[0].new == "rusak_berat"
    assert second.history_user == staff_user


def test_history_records_the_admin_user_of_an_admin_edit(region, admin_client,
                                                          django_user_model):
    desa = region.desa_a1
    url = f"/admin/layers/administrativearea/{desa.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    response = admin_client.post(url, {
        "code": desa.code, "name": "Desa Satu Baru", "level": desa.level,
        "parent": desa.parent_id, "geom": desa.geom.geojson, "valid_from": "",
        "valid_until": "", "legal_basis": "", "replaced_by": [],
    })
    assert response.status_code == 302, response.content[:2000]
    latest = AdministrativeArea.objects.get(pk=desa.pk).history.first()
    assert latest.name == "Desa Satu Baru"
    assert latest.history_user == django_user_model.objects.get(username="admin")
    assert latest.prev_record.name == "Desa Satu"
