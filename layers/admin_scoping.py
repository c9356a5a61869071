"""The admin's feature pages under the same rules as the editing API: a scoped user lists,
changes and deletes only the features their role covers (layers.permissions.can_edit_at for
the stored and the new place), publishes only where they may publish, and every save bumps
the version and records who saved."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from layers import permissions
from layers.models import AdministrativeArea
from layers.selectors.boundaries import village_at
from layers.selectors.edit_features import in_edit_scope


def feature_area(obj: Any) -> AdministrativeArea | None:
    """The desa a feature lies in: the stored one (assets) or by the same rule."""
    if obj is None or getattr(obj, "geom", None) is None:
        return None
    if any(f.name == "area" for f in obj._meta.fields):
        return obj.area
    return village_at(obj.geom)


def _code(area: AdministrativeArea | None) -> str | None:
    return area.code if area else None


class ScopedFeatureAdmin:
    """Mixin for the ModelAdmin of an editable feature model (before the ModelAdmin base)."""

    def get_queryset(self, request):
        return in_edit_scope(super().get_queryset(request),
                             permissions.edit_scope(request.user))

    def has_module_permission(self, request) -> bool:
        return permissions.can_edit_somewhere(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return permissions.can_edit_somewhere(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return permissions.can_edit_somewhere(request.user)
        return permissions.can_edit_at(request.user, _code(feature_area(obj)))

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        where = _code(feature_area(obj)) if obj is not None else None
        may_publish = (permissions.can_publish_at(request.user, where) if obj is not None
                       else permissions.can_publish_somewhere(request.user))
        if not may_publish:
            fields += [f for f in ("is_verified", "is_public") if f not in fields]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class ScopedForm(base):
            def clean(self):
                data = super().clean()
                geom = data.get("geom")
                if geom is not None and not permissions.can_edit_at(user, _code(
                        village_at(geom))):
                    self.add_error("geom", forms.ValidationError(
                        _("This place is outside your wilayah."), code="forbidden"))
                return data

        return ScopedForm

    def save_model(self, request, obj, form, change):
        if change:
            # The version the form was opened at is not known here; the admin's own save
            # still makes a new version so that open API edits become stale (409).
            obj.version += 1
        where = village_at(obj.geom) if obj.geom is not None else None
        if not permissions.verified_on_save(request.user, _code(where)):
            obj.is_verified = obj.is_public = False
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
