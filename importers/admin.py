"""Admin for import jobs (read-only record of what was imported) and mapping presets."""

from django.contrib import admin

from importers.models import ImportJob, MappingPreset


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("id", "source_name", "target", "status", "created_by", "created_at")
    list_filter = ("status", "target")
    search_fields = ("source_name", "target")
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        # Jobs come from the wizard or the command, never typed in by hand.
        return False


@admin.register(MappingPreset)
class MappingPresetAdmin(admin.ModelAdmin):
    list_display = ("name", "target", "agency", "created_at")
    search_fields = ("name",)
