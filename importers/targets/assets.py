"""Infrastructure assets (roads, bridges, schools, clinics…) by category."""

from __future__ import annotations

from typing import ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from importers.mapping import TargetField
from importers.targets.base import Target, number, text
from layers.models import Agency, Asset, AssetCategory


class AssetsTarget(Target):
    key = "assets"
    label = gettext_lazy("Assets")
    model = Asset
    kinds: ClassVar = None
    fields = (
        TargetField("category", gettext_lazy("category"), True,
                    ("kategori", "jenis_aset", "jenis", "category", "type", "amenity")),
        TargetField("name", gettext_lazy("name"), False,
                    ("nama", "namobj", "nama_aset", "nama_jalan", "name", "nama_objek")),
        TargetField("register_code", gettext_lazy("register number"), False,
                    ("kode_aset", "no_register", "nomor_register", "kode_barang", "id_aset")),
        TargetField("condition", gettext_lazy("condition"), False,
                    ("kondisi", "condition", "keadaan")),
        TargetField("year_built", gettext_lazy("year built"), False,
                    ("tahun", "tahun_bangun", "tahun_pembangunan", "thn_bangun", "year_built",
                     "p_liharaan")),
        TargetField("value_idr", gettext_lazy("value (Rp)"), False,
                    ("nilai", "nilai_aset", "biaya", "harga", "value")),
        TargetField("agency", gettext_lazy("responsible agency"), False,
                    ("opd", "dinas", "instansi", "pengelola", "agency")),
    )
    columns: ClassVar = {"category_id": "bigint", "name": "text", "register_code": "text",
                         "condition": "text", "year_built": "integer", "value_idr": "numeric",
                         "agency_id": "bigint"}
    CONDITIONS: ClassVar = {
        "baik": "baik", "b": "baik", "good": "baik",
        "rusak ringan": "rusak_ringan", "rusak_ringan": "rusak_ringan", "rr": "rusak_ringan",
        "rusak sedang": "rusak_sedang", "rusak_sedang": "rusak_sedang", "rs": "rusak_sedang",
        "rusak berat": "rusak_berat", "rusak_berat": "rusak_berat", "rb": "rusak_berat",
        "rusak": "rusak_sedang",
    }

    def __init__(self, *, constants):
        super().__init__(constants=constants)
        self.categories = {c.slug: c for c in AssetCategory.objects.filter(is_active=True)}
        self.namespace = "aset"

    def clean_category(self, values, ctx):
        lookup = {}
        for c in self.categories.values():
            lookup[c.slug.lower()] = c.id
            lookup[c.name.lower()] = c.id
        keys = text(values).str.lower()
        ids = keys.map(lookup)
        ctx.refuse(ids.isna(), "category_unknown", _(
            "Unknown asset category; known: %(known)s.") % {
            "known": ", ".join(sorted(self.categories))})
        self.kind_by_category = {c.id: c.geometry_type for c in self.categories.values()}
        return ids.astype("Int64")

    def clean_name(self, values, ctx):
        return text(values, 200)

    def clean_register_code(self, values, ctx):
        return text(values, 60)

    def clean_condition(self, values, ctx):
        raw = text(values).str.lower().str.replace(r"\s+", " ", regex=True)
        mapped = raw.map(self.CONDITIONS)
        ctx.note(mapped.isna() & (raw != ""), "condition_unknown", _(
            "Unknown condition; recorded as “baik” (good)."))
        return mapped.fillna("baik")

    def clean_year_built(self, values, ctx):
        years = number(values)
        wrong = years.notna() & ((years < 1800) | (years > 2100))
        ctx.note(wrong, "year_implausible", _("Implausible year left empty."))
        return years.mask(wrong).round().astype("Int64")

    def clean_value_idr(self, values, ctx):
        return number(values)

    def clean_agency(self, values, ctx):
        agencies = {}
        for a in Agency.objects.all():
            agencies[a.name.lower()] = a.id
            if a.short_name:
                agencies[a.short_name.lower()] = a.id
        names = text(values).str.lower()
        ids = names.map(agencies)
        ctx.note(ids.isna() & (names != ""), "agency_unknown",
                 _("Unknown agency left empty."))
        return ids.astype("Int64")

    def prepare(self, frame, mapping, ctx):
        out = super().prepare(frame, mapping, ctx)
        return out.rename(columns={"category": "category_id", "agency": "agency_id"})

    def insert_extra(self):
        return {}

    def after_write(self, cursor, ids, created):
        from layers.services.wilayah import areas_assign

        areas_assign(model=Asset, ids=ids)
