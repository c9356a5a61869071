from django.contrib import admin

from exports.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Background exports, for looking into a failed one; they are made from /ekspor/."""

    list_display = ["layer_slug", "format", "status", "feature_count", "created_by",
                    "created_at", "finished_at"]
    list_filter = ["status", "format"]
    search_fields = ["layer_slug", "created_by__username"]
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
