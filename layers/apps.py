from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LayersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "layers"
    verbose_name = _("Map layers")

    def ready(self) -> None:
        from layers import checks, signals  # noqa: F401  (registers checks and handlers)
