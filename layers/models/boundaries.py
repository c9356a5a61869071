"""Administrative boundaries (wilayah): provinsi → kabupaten/kota → kecamatan → desa/kelurahan."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers import codes
from layers.codes import CODE_REGEX, Level
from layers.models.common import SRID, area_ha_field
from layers.querysets import AdministrativeAreaQuerySet, CurrentAreaManager


class AdministrativeArea(models.Model):
    """One wilayah, in force from `valid_from` until `valid_until` (None: in force now).

    A pemekaran, merger or renaming closes the old row (`valid_until`, `legal_basis`) and adds
    the new ones, so history keeps the old unit while everything defaults to current units.
    The code's parent prefix is enforced by a trigger too (migration 0002), because imports
    write with set-based SQL that bypasses Python validation.
    """

    code = models.CharField(_("Kemendagri code"), max_length=13, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, blank=True,
        help_text=_("Read off the code when left empty."),
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    geom = models.MultiPolygonField(_("boundary"), srid=SRID, spatial_index=False)
    area_ha = area_ha_field()
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True,
        help_text=_("Empty while the unit is in force."),
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=300, blank=True,
        help_text=_("Decree that created or changed it, e.g. Kepmendagri 300.2.2-2430/2025."),
    )
    replaced_by = models.ManyToManyField(
        "self", verbose_name=_("replaced by"), symmetrical=False, blank=True,
        related_name="replaces",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CurrentAreaManager()
    all_versions = AdministrativeAreaQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["area_ha"])

    class Meta:
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        ordering = ["code"]
        default_manager_name = "objects"
        base_manager_name = "all_versions"
        indexes = [
            GistIndex(fields=["geom"], name="adminarea_geom_gist"),
            models.Index(fields=["level", "code"], name="adminarea_level_code"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_until__isnull=True),
                name="adminarea_current_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(geom__isvalid=True), name="adminarea_geom_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(level=Level.PROVINCE, code__regex=CODE_REGEX[Level.PROVINCE])
                    | Q(level=Level.REGENCY, code__regex=CODE_REGEX[Level.REGENCY])
                    | Q(level=Level.DISTRICT, code__regex=CODE_REGEX[Level.DISTRICT])
                    | Q(level=Level.VILLAGE, code__regex=CODE_REGEX[Level.VILLAGE])
                ),
                name="adminarea_code_matches_level",
            ),
            models.CheckConstraint(
                condition=Q(level__gt=Level.PROVINCE) | Q(parent__isnull=True),
                name="adminarea_province_has_no_parent",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="adminarea_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def kind_label(self) -> str:
        """Desa or kelurahan, kabupaten or kota, read off the code."""
        if self.level == Level.VILLAGE:
            return _("Kelurahan") if codes.is_kelurahan(self.code) else _("Desa")
        if self.level == Level.REGENCY:
            return _("Kota") if codes.is_kota(self.code) else _("Kabupaten")
        return Level(self.level).label

    @property
    def is_current(self) -> bool:
        return self.valid_until is None

    def clean(self) -> None:
        # Field-level rules for forms (admin); services call full_clean() too.
        self.code = codes.normalise_code(self.code)
        self.level = codes.validate_code(self.code, self.level or None)
        if self.parent_id is not None:
            codes.validate_parent(self.code, self.parent.code)
