"""The permission rules, in the one place they live (layers.permissions)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from layers import permissions
from layers.models import ComplaintCategory, Layer, Role, RoleAssignment


@pytest.fixture
def make_user(db, django_user_model):
    def make(name, *roles):
        user = django_user_model.objects.create_user(name)
        for role, area, categories in roles:
            a = RoleAssignment.objects.create(user=user, role=role, area=area)
            a.complaint_categories.set(categories)
        return django_user_model.objects.get(pk=user.pk)  # fresh: no cached roles
    return make


def test_desa_operator_edits_only_inside_their_desa(region, make_user):
    op = make_user("operator", (Role.VILLAGE_OPERATOR, region.desa_a1, []))
    assert permissions.can_edit_at(op, "99.01.01.2001")
    assert not permissions.can_edit_at(op, "99.01.01.1002")
    assert not permissions.can_edit_at(op, "99.01.02.2001")
    assert not permissions.can_edit_at(op, None)  # outside every desa
    assert not permissions.can_publish_at(op, "99.01.01.2001")


def test_kecamatan_planner_covers_every_desa_of_the_kecamatan(region, make_user):
    planner = make_user("perencana", (Role.PLANNER, region.district_a, []))
    assert permissions.can_edit_at(planner, "99.01.01.2001")
    assert permissions.can_edit_at(planner, "99.01.01.1002")
    assert permissions.can_publish_at(planner, "99.01.01.1002")
    assert not permissions.can_edit_at(planner, "99.01.02.2001")
    # A code that merely starts with the same digits is not inside.
    assert not permissions.covers(["99.01.01"], "99.01.011.2001")


def test_region_wide_roles_and_superusers_cover_everything(region, make_user,
                                                           django_user_model):
    admin = make_user("admin-sig", (Role.ADMIN, None, []))
    assert permissions.can_edit_at(admin, "99.01.02.2001") and permissions.can_edit_at(admin,
                                                                                         None)
    root = django_user_model.objects.create_superuser("root", password="x")
    assert permissions.scope_codes(root, permissions.EDITORS) is None


def test_the_public_and_roleless_users_edit_nothing_and_see_public_layers(region, make_user):
    nobody = make_user("warga")
    hidden = Layer.objects.create(slug="rahasia", name="Rahasia", is_public=False)
    for user in (AnonymousUser(), nobody):
        assert not permissions.is_staff(user)
        assert not permissions.can_edit_at(user, "99.01.01.2001")
        assert not permissions.can_view_layer(user, hidden)
    field = make_user("lapangan", (Role.FIELD_OFFICER, region.desa_b1, []))
    assert permissions.is_staff(field) and permissions.can_view_layer(field, hidden)


def test_complaint_officers_by_wilayah_and_category(region, make_user):
    road = ComplaintCategory.objects.create(slug="jalan", name="Jalan")
    light = ComplaintCategory.objects.create(slug="pju", name="PJU")
    officer = make_user("petugas", (Role.COMPLAINT_OFFICER, region.district_b, [road]))
    assert permissions.can_handle_complaint(officer, area_code="99.01.02.2001",
                                            category_id=road.id)
    assert not permissions.can_handle_complaint(officer, area_code="99.01.02.2001",
                                                category_id=light.id)
    assert not permissions.can_handle_complaint(officer, area_code="99.01.01.2001",
                                                category_id=road.id)
    planner = make_user("perencana", (Role.PLANNER, None, []))
    assert not permissions.can_handle_complaint(planner, area_code="99.01.02.2001",
                                                category_id=road.id)
