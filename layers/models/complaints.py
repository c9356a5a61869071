"""Citizen complaints (pengaduan masyarakat) with their status workflow and public history."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models.common import SRID
from layers.querysets import FeatureQuerySet


class ComplaintCategory(models.Model):
    """What a complaint is about; routes it to an office and sets its service level."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    agency = models.ForeignKey(
        "layers.Agency", verbose_name=_("responsible agency"), null=True, blank=True,
        on_delete=models.SET_NULL,
    )
    service_days = models.PositiveSmallIntegerField(_("service level (days)"), default=14)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    NEW = "baru", _("New")
    VERIFIED = "diverifikasi", _("Verified")
    IN_PROGRESS = "diproses", _("In progress")
    RESOLVED = "selesai", _("Resolved")
    REJECTED = "ditolak", _("Rejected")


# The workflow: which status may follow which. A resolved complaint may be reopened
# (back to in progress) by its reporter within a time limit (services enforce the limit).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.VERIFIED, Status.REJECTED}),
    Status.VERIFIED: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED}),
    Status.IN_PROGRESS: frozenset({Status.RESOLVED, Status.REJECTED}),
    Status.RESOLVED: frozenset({Status.IN_PROGRESS}),
    Status.REJECTED: frozenset(),
}
OPEN_STATUSES = frozenset({Status.NEW, Status.VERIFIED, Status.IN_PROGRESS})


class ComplaintQuerySet(FeatureQuerySet):
    def published(self):
        # Every complaint but a rejected one is public (its description, point and status);
        # the reporter's identity never is (see PUBLIC_FIELDS).
        return self.exclude(status=Status.REJECTED)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Complaint(models.Model):
    """A complaint. `reporter_*` fields are personal data (UU PDP): never public, never in a
    public export or API response."""

    # The only fields a public response may carry.
    PUBLIC_FIELDS = (
        "ticket", "category", "description", "geom", "area", "status", "created_at",
        "updated_at", "resolved_at", "due_date", "supporters",
    )

    ticket = models.CharField(_("ticket"), max_length=20, unique=True, editable=False)
    category = models.ForeignKey(
        ComplaintCategory, verbose_name=_("category"), on_delete=models.PROTECT,
        related_name="complaints",
    )
    description = models.TextField(_("description"))
    geom = models.PointField(_("location"), srid=SRID, spatial_index=False)
    area = models.ForeignKey(
        "layers.AdministrativeArea", verbose_name=_("desa/kelurahan"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="complaints", editable=False,
    )
    asset = models.ForeignKey(
        "layers.Asset", verbose_name=_("asset"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="complaints",
    )
    agency = models.ForeignKey(
        "layers.Agency", verbose_name=_("assigned agency"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="complaints",
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.NEW
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    supporters = models.PositiveIntegerField(
        _("supporters"), default=0, help_text=_("Residents who reported the same (“saya juga”).")
    )
    reporter_name = models.CharField(_("reporter name"), max_length=120, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=30, blank=True)
    reporter_email = models.EmailField(_("reporter e-mail"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    source_ref = models.CharField(_("source reference"), max_length=250, blank=True,
                                  editable=False)
    created_at = models.DateTimeField(_("filed"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ComplaintQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at"]
        indexes = [
            GistIndex(fields=["geom"], name="complaint_geom_gist"),
            models.Index(fields=["status", "due_date"], name="complaint_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]),
                name="complaint_status_allowed",
            ),
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="complaint_geom_valid"),
            models.UniqueConstraint(fields=["source_ref"], condition=~Q(source_ref=""),
                                    name="complaint_source_ref_unique"),
        ]

    def __str__(self) -> str:
        return self.ticket


class ComplaintEvent(models.Model):
    """One step in a complaint's history: a status change or a note. Public unless internal."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    status_from = models.CharField(max_length=15, choices=Status.choices, blank=True)
    status_to = models.CharField(max_length=15, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_internal = models.BooleanField(_("internal"), default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["created_at", "id"]


class ComplaintPhoto(models.Model):
    """A photo as published: re-encoded, no EXIF (layers.photos)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="complaints/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="complaints/thumbs/%Y/%m/",
                                  blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("complaint photo")
        verbose_name_plural = _("complaint photos")


class ComplaintFollower(models.Model):
    """A resident who said “saya juga” and wants to hear of changes. Personal data: never
    public, used only to send the notices."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="followers")
    email = models.EmailField(_("e-mail"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("complaint follower")
        verbose_name_plural = _("complaint followers")
        constraints = [models.UniqueConstraint(fields=["complaint", "email"],
                                               name="complaintfollower_unique")]


class SubmissionAttempt(models.Model):
    """One accepted public submission, for per-address rate limits. The address is kept only
    as a keyed hash, and rows older than a day are removed."""

    key = models.CharField(max_length=64, db_index=True)
    action = models.CharField(max_length=30)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
