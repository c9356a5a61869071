"""Django admin for reference data and for planners' occasional direct edits."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import get_deleted_objects
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.gis.admin import GISModelAdmin
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from layers import permissions
from layers.admin_scoping import ScopedFeatureAdmin
from layers.models import (
    AdministrativeArea,
    Agency,
    Asset,
    AssetCategory,
    AssetPhoto,
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    Feature,
    LandUseClass,
    LandUseClassification,
    LandUseZone,
    Layer,
    Open311Client,
    RoleAssignment,
)
from layers.services.layer_delete import layer_delete
from layers.services.wilayah import areas_assign
from layers.widgets import SigMapWidget


class MapAdmin(SimpleHistoryAdmin, GISModelAdmin):
    """Every geographic model: a map widget that works offline, and its edit history."""

    gis_widget = SigMapWidget


class CurrentFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("Current")), ("no", _("Retired"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(valid_until__isnull=True)
        if self.value() == "no":
            return queryset.filter(valid_until__isnull=False)
        return queryset


@admin.register(AdministrativeArea)
class AdministrativeAreaAdmin(MapAdmin):
    list_display = ("code", "name", "level", "parent", "area_ha_display", "valid_until")
    list_filter = ("level", CurrentFilter)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    readonly_fields = ("area_ha",)
    filter_horizontal = ("replaced_by",)
    list_select_related = ("parent",)

    def get_queryset(self, request):
        # The admin shows retired units too; everywhere else defaults to current ones.
        return AdministrativeArea.all_versions.select_related("parent")

    @admin.display(description=_("area (ha)"), ordering="area_ha")
    def area_ha_display(self, obj: AdministrativeArea) -> str:
        return f"{obj.area_ha:,.1f}" if obj.area_ha is not None else "—"


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "email", "area")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("area",)


@admin.register(AssetCategory)
class AssetCategoryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "slug", "geometry_type", "agency", "is_active")
    prepopulated_fields = {"slug": ("name",)}


class AssetPhotoInline(admin.TabularInline):
    model = AssetPhoto
    extra = 0


@admin.register(Asset)
class AssetAdmin(ScopedFeatureAdmin, MapAdmin):
    list_display = ("__str__", "category", "condition", "area", "is_verified", "is_public")
    list_filter = ("category", "condition", "is_verified", "is_public")
    search_fields = ("name", "register_code", "area__name", "area__code")
    readonly_fields = ("area", "length_m", "area_ha", "uid", "version")
    list_select_related = ("category", "area")
    inlines = [AssetPhotoInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "geom" in form.changed_data:
            areas_assign(model=Asset, ids=[obj.pk])


class LandUseClassInline(admin.TabularInline):
    model = LandUseClass
    extra = 0


@admin.register(LandUseClassification)
class LandUseClassificationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "reference")
    inlines = [LandUseClassInline]


@admin.register(LandUseZone)
class LandUseZoneAdmin(ScopedFeatureAdmin, MapAdmin):
    list_display = ("__str__", "land_use_class", "plan_name", "area_ha", "is_public")
    list_filter = ("land_use_class__classification", "land_use_class", "is_public")
    readonly_fields = ("area_ha", "uid", "version")
    list_select_related = ("land_use_class",)


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "slug", "agency", "service_days", "is_active")
    prepopulated_fields = {"slug": ("name",)}


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    readonly_fields = ("status_from", "status_to", "note", "is_internal", "by", "created_at")
    can_delete = False


@admin.register(Complaint)
class ComplaintAdmin(MapAdmin):
    list_display = ("ticket", "category", "status", "area", "due_date", "created_at")
    list_filter = ("status", "category")
    search_fields = ("ticket", "description", "area__name")
    # Status moves only through the workflow (services.complaints), never by a free edit.
    readonly_fields = ("ticket", "status", "area", "resolved_at", "version")
    list_select_related = ("category", "area")
    inlines = [ComplaintEventInline]

    def has_add_permission(self, request) -> bool:
        # Complaints are filed through the public form or Open311 (ticket, routing, history).
        return False


@admin.register(Layer)
class LayerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "slug", "kind", "geometry_type", "is_public", "sort_order")
    list_filter = ("kind", "is_public")
    prepopulated_fields = {"slug": ("name",)}

    # A layer goes with its features set-based (layers/services/layer_delete.py): Django's
    # cascade would load, list and delete them one by one (265 s for 200,000).
    def delete_model(self, request, obj: Layer) -> None:
        layer_delete(obj, user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for layer in queryset:
            layer_delete(layer, user=request.user)

    def get_deleted_objects(self, objs, request):
        """What the confirmation page lists: the layers, their features counted (not one line
        each), and whatever else goes with them as Django lists it."""
        objs = list(objs)
        features = Feature.objects.filter(layer__in=objs).count()
        others = [obj for rel in Layer._meta.get_fields(include_hidden=True)
                  if rel.auto_created and not rel.concrete and rel.related_model is not Feature
                  and rel.on_delete is not models.DO_NOTHING  # (the features' history stays)
                  for obj in rel.related_model._base_manager.filter(
                      **{f"{rel.field.name}__in": objs})]
        listed, model_count, perms_needed, protected = get_deleted_objects(
            others, request, self.admin_site) if others else ([], {}, set(), [])
        model_count = {Layer._meta.verbose_name_plural: len(objs),
                       Feature._meta.verbose_name_plural: features, **model_count}
        if features and not permissions.can_delete_layer(request.user):
            perms_needed.add(Feature._meta.verbose_name)
        summary = ngettext("%(count)d feature", "%(count)d features", features) % {
            "count": features}
        listed = [*(f"{capfirst(Layer._meta.verbose_name)}: {layer}" for layer in objs),
                  [summary, *listed]]
        return listed, {k: v for k, v in model_count.items() if v}, perms_needed, protected


@admin.register(Feature)
class FeatureAdmin(ScopedFeatureAdmin, MapAdmin):
    list_display = ("id", "layer", "is_verified", "is_public", "updated_at")
    list_filter = ("layer", "is_verified", "is_public")
    readonly_fields = ("uid", "version")


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ("area",)
    filter_horizontal = ("complaint_categories",)


class SigUserAdmin(UserAdmin):
    """Users with their SIG roles, each scoped to a wilayah."""

    inlines = [*UserAdmin.inlines, RoleAssignmentInline]


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), SigUserAdmin)


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """Apps allowed to file through Open311 when SIG_OPEN311_REQUIRE_KEY is on; the key is
    generated on save and shown here to hand to the app's maintainer."""

    list_display = ("name", "api_key", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "contact")
    readonly_fields = ("api_key", "created_at")
