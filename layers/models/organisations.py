"""Offices (OPD) that own assets and answer complaints."""

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    """A government office: Dinas PUPR, Dinas Kesehatan, a kecamatan office…"""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    area = models.ForeignKey(
        "layers.AdministrativeArea", verbose_name=_("jurisdiction"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="agencies",
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name
