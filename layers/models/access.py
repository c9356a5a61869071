"""Roles scoped to a wilayah: who may edit what, and where."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "administrator", _("Administrator")
    PLANNER = "perencana", _("Planner")
    VILLAGE_OPERATOR = "operator_desa", _("Desa/kelurahan operator")
    FIELD_OFFICER = "petugas_lapangan", _("Field officer")
    COMPLAINT_OFFICER = "petugas_pengaduan", _("Complaint officer")


class RoleAssignment(models.Model):
    """A user's role in a wilayah (any level; it covers everything inside). No wilayah means
    the whole database (for administrators and region-wide offices)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="sig_roles", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    area = models.ForeignKey("layers.AdministrativeArea", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="role_assignments",
                             verbose_name=_("wilayah"))
    complaint_categories = models.ManyToManyField(
        "layers.ComplaintCategory", blank=True, verbose_name=_("complaint categories"),
        help_text=_("For complaint officers: the categories they handle (empty: all)."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"],
                                    name="roleassignment_unique"),
            models.CheckConstraint(condition=models.Q(role__in=[r.value for r in Role]),
                                   name="roleassignment_role_allowed"),
        ]

    def __str__(self) -> str:
        where = self.area.name if self.area_id else _("whole region")
        return f"{self.user} · {self.get_role_display()} · {where}"
