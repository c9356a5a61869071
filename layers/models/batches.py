"""Feature batches: the rows of a first bulk import into a thematic layer, kept in a table of
their own that inherits from `layers_feature`.

Why: a first import of 200,000 features into one shared table pays, row by row, for every
index of that table (GiST, unique keys), the foreign-key checks at commit and a copy of every
row into the edit history. Loaded into a table of its own, the rows are COPYed bare and the
indexes are built once afterwards (a sorted GiST build); `ALTER TABLE … INHERIT` then makes
them part of `layers_feature` for every query, update and delete (PostgreSQL table
inheritance: the parent's queries see the child's rows; its CHECK (layer_id = …) lets the
planner skip it for other layers).

The edit history is kept once per import: this record says who imported what, when and why.
A row's imported version is written to the history the first time the row changes or is
deleted (a trigger on the batch table, `layers_feature_batch_history`), so every version is
still kept and can be reverted to, without 200,000 copies of rows nobody has touched."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from layers.models.catalogue import Layer


class FeatureBatch(models.Model):
    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="batches",
                              verbose_name=_("layer"))
    table = models.CharField(_("table"), max_length=63, unique=True)
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("imported at"))
    rows = models.PositiveIntegerField(_("rows"))
    # A reverted import's table is dropped; the record stays as its history.
    reverted_at = models.DateTimeField(_("reverted at"), null=True, blank=True)
    reverted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("reverted by"))

    class Meta:
        verbose_name = _("feature batch")
        verbose_name_plural = _("feature batches")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.table} ({self.rows})"
