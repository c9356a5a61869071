"""Citizen complaints (pengaduan masyarakat) with their locations."""

from __future__ import annotations

from typing import ClassVar

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from importers.mapping import TargetField
from importers.targets.base import Target, text
from layers.models import Complaint, ComplaintCategory, Status


class ComplaintsTarget(Target):
    key = "complaints"
    label = gettext_lazy("Complaints")
    model = Complaint
    kinds: ClassVar = {"point"}
    fields = (
        TargetField("description", gettext_lazy("description"), True,
                    ("isi", "uraian", "deskripsi", "keluhan", "laporan", "description")),
        TargetField("category", gettext_lazy("category"), True, ("kategori", "jenis")),
        TargetField("ticket", gettext_lazy("ticket"), False, ("tiket", "no_tiket", "ticket")),
        TargetField("status", gettext_lazy("status"), False, ("status",)),
        TargetField("created_at", gettext_lazy("filed"), False,
                    ("tanggal", "tgl", "waktu", "created_at", "tanggal_lapor")),
        TargetField("reporter_name", gettext_lazy("reporter name"), False,
                    ("nama_pelapor", "pelapor")),
        TargetField("reporter_phone", gettext_lazy("reporter phone"), False,
                    ("telepon", "no_hp", "hp", "telp")),
        TargetField("reporter_email", gettext_lazy("reporter e-mail"), False, ("email",)),
    )
    columns: ClassVar = {"description": "text", "category_id": "bigint", "ticket": "text",
                         "status": "text", "created_at": "timestamptz", "reporter_name": "text",
                         "reporter_phone": "text", "reporter_email": "text"}

    def __init__(self, *, constants):
        super().__init__(constants=constants)
        self.namespace = "pengaduan"

    def clean_description(self, values, ctx):
        out = text(values)
        ctx.refuse(out == "", "description_missing", _("The complaint has no description."))
        return out

    def clean_category(self, values, ctx):
        lookup = {}
        for c in ComplaintCategory.objects.all():
            lookup[c.slug.lower()] = c.id
            lookup[c.name.lower()] = c.id
        ids = text(values).str.lower().map(lookup)
        ctx.refuse(ids.isna(), "category_unknown", _("Unknown complaint category."))
        return ids.astype("Int64")

    def clean_ticket(self, values, ctx):
        return text(values, 20).replace("", None)

    def clean_status(self, values, ctx):
        raw = text(values).str.lower()
        allowed = {s.value for s in Status}
        ctx.note(~raw.isin(allowed) & (raw != ""), "status_unknown",
                 _("Unknown status; recorded as “baru” (new)."))
        return raw.where(raw.isin(allowed), Status.NEW)

    def clean_created_at(self, values, ctx):
        stamps = pd.to_datetime(values, errors="coerce", dayfirst=True)
        if stamps.dt.tz is None:
            stamps = stamps.dt.tz_localize("Asia/Jakarta", nonexistent="NaT", ambiguous="NaT")
        return stamps

    def clean_reporter_name(self, values, ctx):
        return text(values, 120)

    def clean_reporter_phone(self, values, ctx):
        return text(values, 30)

    def clean_reporter_email(self, values, ctx):
        return text(values, 254)

    def prepare(self, frame, mapping, ctx):
        out = super().prepare(frame, mapping, ctx)
        # insert_extra() reads these even when the file has none (they are never compared or
        # updated, so an empty column changes no stored complaint).
        for column in ("ticket", "created_at"):
            if column not in out:
                out[column] = None
        return out.rename(columns={"category": "category_id"})

    def insert_extra(self):
        return {
            "ticket": "COALESCE(NULLIF(s.ticket, ''), 'ADU-' || to_char(now(), 'YYYY') || '-' || "
                      "lpad(nextval('layers_complaint_ticket_seq')::text, 6, '0'))",
            "created_at": "COALESCE(s.created_at, now())",
            "agency_id": "(SELECT agency_id FROM layers_complaintcategory c "
                         "WHERE c.id = s.category_id)",
            "due_date": "(COALESCE(s.created_at, now()) + make_interval(days => "
                        "(SELECT service_days FROM layers_complaintcategory c "
                        "WHERE c.id = s.category_id)))::date",
            "supporters": "0",
        }

    def after_write(self, cursor, ids, created):
        from layers.services.wilayah import areas_assign

        areas_assign(model=Complaint, ids=ids)
        cursor.execute("""
            INSERT INTO layers_complaintevent (complaint_id, status_from, status_to, note,
                                               is_internal, created_at, by_id)
            SELECT id, '', status, %(note)s, false, created_at, NULL
            FROM layers_complaint WHERE id = ANY(%(ids)s::bigint[])
        """, {"ids": created, "note": _("Imported.")})
