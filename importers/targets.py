"""Import targets, declared: model, natural key, fields with the names agencies use, and
`clean_<field>` hooks that work on whole columns (pandas), never row by row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from importers.errors import ImportErrorCode, ImportFailed
from importers.mapping import TargetField
from importers.report import Problem
from layers import codes
from layers.models import (
    AdministrativeArea,
    Agency,
    Asset,
    AssetCategory,
    Complaint,
    ComplaintCategory,
    Feature,
    LandUseClass,
    LandUseClassification,
    LandUseZone,
    Layer,
    Status,
)

TARGET_CHOICES = ("admin_areas", "assets", "land_use", "complaints", "layer:<slug>")


@dataclass
class Context:
    """What a target's hooks see: constants and options, and where they refuse rows."""

    constants: dict[str, Any]
    key_field: str | None
    user: AbstractBaseUser | None
    public: bool
    keep: np.ndarray
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def refuse(self, mask: np.ndarray | pd.Series, code: str, message: str) -> None:
        """Leave out the rows where `mask` is true (and still kept), each with the reason."""
        mask = np.asarray(mask, dtype=bool) & self.keep
        for i in np.flatnonzero(mask):
            self.problems.append(Problem(int(i) + 1, code, message))
        self.keep &= ~mask

    def note(self, mask: np.ndarray | pd.Series, code: str, message: str) -> None:
        """Report rows that go on with a changed value."""
        mask = np.asarray(mask, dtype=bool) & self.keep
        for i in np.flatnonzero(mask):
            self.problems.append(Problem(int(i) + 1, code, message, skipped=False))


def text(values: pd.Series, max_length: int | None = None) -> pd.Series:
    out = values.astype("string").fillna("").str.strip()
    return out.str.slice(0, max_length) if max_length else out


def number(values: pd.Series) -> pd.Series:
    """Numbers as agencies write them: `1.500.000`, `1,53`, `Rp 2.000.000,50`."""
    if pd.api.types.is_numeric_dtype(values):
        return pd.to_numeric(values, errors="coerce")
    s = values.astype("string").str.replace(r"[^0-9,.\-]", "", regex=True)
    both = s.str.contains(",", regex=False) & s.str.contains(".", regex=False)
    many_dots = s.str.count(r"\.") > 1
    s = s.mask(both | many_dots, s.str.replace(".", "", regex=False))
    s = s.str.replace(",", ".", regex=False)
    return pd.to_numeric(s, errors="coerce")


class Target:
    """Base of every target. Subclasses declare `fields` and the write columns."""

    key: ClassVar[str]
    label: ClassVar[Any]
    model: ClassVar[type[models.Model]]
    fields: ClassVar[tuple[TargetField, ...]]
    kinds: ClassVar[set[str] | None] = None
    multi: ClassVar[bool] = False
    # Stage columns and their PostgreSQL types (the geometry and source_ref come on top).
    columns: ClassVar[dict[str, str]]
    namespace: str = ""

    def __init__(self, *, constants: dict[str, Any]) -> None:
        self.constants = constants

    # The SQL that matches a stage row `s` to an existing row `t`.
    def key_match(self) -> str:
        return "t.source_ref = s.source_ref"

    def insert_extra(self) -> dict[str, str]:
        """Columns only an insert sets, as SQL over the stage row `s` and %(params)s."""
        return {}

    def params(self) -> dict[str, Any]:
        return {}

    def claim_empty(self, cursor) -> bool:
        """True when no stored row can match this import (a first import into a thematic
        layer), with the layer locked until the transaction ends, so the rows may go into a
        batch table of their own (importers/writers.py)."""
        return False

    def copy_extra(self) -> dict[str, Any]:
        """insert_extra() as constants for a batch table: column -> value."""
        return {}

    def geometry_kinds(self) -> set[str] | None:
        return self.kinds

    def prepare(self, frame: pd.DataFrame, mapping: dict[str, str], ctx: Context
                ) -> pd.DataFrame:
        """The stage columns for every row, cleaned by the `clean_<field>` hooks."""
        out = pd.DataFrame(index=frame.index)
        for f in self.fields:
            source = mapping.get(f.name)
            if source is not None:
                values = frame[source]
            elif self.constants.get(f.name) not in (None, ""):
                values = pd.Series([self.constants[f.name]] * len(frame), index=frame.index)
            else:
                continue  # not in the file: inserts take the default, updates keep the value
            hook = getattr(self, f"clean_{f.name}", None)
            out[f.name] = hook(values, ctx) if hook else values
        return out

    def after_write(self, cursor, ids: list[int], created: list[int]) -> None:
        """Derived columns, in SQL, in the import's transaction."""


ADMIN_CODE_ALIASES = ("kode", "kode_wilayah", "kode_kemendagri", "kdepum", "kode_desa",
                      "kode_kel", "kd_desa", "kdcpum", "kode_kec", "kd_kec", "kdpkab",
                      "kode_kab", "kd_kab", "kdppum", "kode_prov", "kd_prov", "description")
ADMIN_NAME_ALIASES = ("nama", "namobj", "nama_wilayah", "nama_desa", "nama_kel", "desa",
                      "kelurahan", "wadmkd", "nama_kec", "kecamatan", "wadmkc", "nama_kab",
                      "wadmkk", "nama_prov", "wadmpr", "name")


class AdminAreasTarget(Target):
    key = "admin_areas"
    label = gettext_lazy("Administrative areas")
    model = AdministrativeArea
    kinds: ClassVar = {"polygon"}
    multi = True
    fields = (
        TargetField("code", gettext_lazy("Kemendagri code"), True, ADMIN_CODE_ALIASES),
        TargetField("name", gettext_lazy("name"), True, ADMIN_NAME_ALIASES),
        TargetField("valid_from", gettext_lazy("valid from"), False,
                    ("berlaku", "tgl_berlaku", "valid_from")),
        TargetField("legal_basis", gettext_lazy("legal basis"), False,
                    ("dasar_hukum", "sk", "legal_basis", "metadata")),
    )
    columns: ClassVar = {"code": "text", "name": "text", "level": "smallint",
                         "valid_from": "date", "legal_basis": "text"}

    def key_match(self) -> str:
        return "t.code = s.code AND t.valid_until IS NULL"

    def prepare(self, frame, mapping, ctx):
        out = super().prepare(frame, mapping, ctx)
        out["level"] = out["code"].map(lambda c: codes.level_of(c) or 0).astype("int16")
        return out

    def clean_code(self, values, ctx):
        normalised = text(values).map(codes.normalise_code)
        bad = normalised.map(codes.level_of).isna()
        ctx.refuse(bad, "code_invalid", _(
            "Not a Kemendagri area code (e.g. 61.12.01.2001)."))
        dup = normalised.duplicated(keep="first") & ~bad
        ctx.refuse(dup, "code_duplicate", _("The code appears more than once in the file."))
        return normalised

    def clean_name(self, values, ctx):
        names = text(values, 200)
        ctx.refuse(names == "", "name_missing", _("The area has no name."))
        return names

    def clean_valid_from(self, values, ctx):
        return pd.to_datetime(values, errors="coerce", dayfirst=True).dt.date

    def clean_legal_basis(self, values, ctx):
        return text(values, 300)

    def after_write(self, cursor, ids, created):
        # Parents by code prefix, set-based: this import's rows and any earlier orphans.
        cursor.execute("""
            UPDATE layers_administrativearea c SET parent_id = p.id
            FROM layers_administrativearea p
            WHERE c.valid_until IS NULL AND p.valid_until IS NULL AND c.level > 1
              AND (c.parent_id IS NULL OR c.id = ANY(%(ids)s::bigint[]))
              AND p.code = regexp_replace(c.code, '\\.[^.]+$', '')
              AND c.parent_id IS DISTINCT FROM p.id
        """, {"ids": ids})


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


class LandUseTarget(Target):
    key = "land_use"
    label = gettext_lazy("Land use and zoning")
    model = LandUseZone
    kinds: ClassVar = {"polygon"}
    multi = True
    fields = (
        TargetField("land_use_class", gettext_lazy("class"), True,
                    ("kelas", "kode_kelas", "pola_ruang", "ket_peta", "penggunaan", "landuse",
                     "qname_2018", "q_name19", "namobj", "keterangan", "kategori", "class")),
        TargetField("name", gettext_lazy("name"), False, ("nama", "name", "nama_zona")),
        TargetField("plan_name", gettext_lazy("plan"), False, ("rencana", "plan", "dokumen")),
        TargetField("regulation", gettext_lazy("regulation"), False,
                    ("perda", "regulasi", "dasar_hukum", "regulation")),
    )
    columns: ClassVar = {"land_use_class_id": "bigint", "name": "text", "plan_name": "text",
                         "regulation": "text"}

    def __init__(self, *, constants):
        super().__init__(constants=constants)
        slug = str(constants.get("classification") or "penggunaan-lahan")
        self.classification, _created = LandUseClassification.objects.get_or_create(
            slug=slug, defaults={"name": slug.replace("-", " ").title(),
                                 "kind": LandUseClassification.Kind.EXISTING})
        self.namespace = f"lahan:{slug}"

    def clean_land_use_class(self, values, ctx):
        names = text(values, 200)
        ctx.refuse(names == "", "class_missing", _("The zone has no class."))
        known = {}
        for c in self.classification.classes.all():
            known[c.code.lower()] = c.id
            known[c.name.lower()] = c.id
        new = sorted({n for n in names[ctx.keep] if n.lower() not in known})
        for name in new:
            code = re.sub(r"[^0-9A-Za-z]+", "-", name).strip("-")[:30] or "X"
            cls = LandUseClass.objects.create(classification=self.classification,
                                              code=_unique_code(self.classification, code),
                                              name=name)
            known[name.lower()] = cls.id
        if new:
            ctx.notices.append(_("New classes added to %(cls)s: %(names)s.") % {
                "cls": self.classification.name, "names": ", ".join(new)})
        return names.str.lower().map(known).astype("Int64")

    def clean_name(self, values, ctx):
        return text(values, 200)

    def clean_plan_name(self, values, ctx):
        return text(values, 200)

    def clean_regulation(self, values, ctx):
        return text(values, 200)

    def prepare(self, frame, mapping, ctx):
        out = super().prepare(frame, mapping, ctx)
        return out.rename(columns={"land_use_class": "land_use_class_id"})


def _unique_code(classification: LandUseClassification, code: str) -> str:
    taken = set(classification.classes.values_list("code", flat=True))
    candidate, n = code, 2
    while candidate in taken:
        candidate, n = f"{code[:26]}-{n}", n + 1
    return candidate


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


class LayerTarget(Target):
    """A generic thematic layer; created with a schema inferred from the file."""

    key = "layer"
    label = gettext_lazy("Thematic layer")
    model = Feature
    kinds: ClassVar = None
    fields = ()
    columns: ClassVar = {}

    def __init__(self, *, constants, slug: str):
        super().__init__(constants=constants)
        self.slug = slug
        self.layer: Layer | None = None

    def bind(self, frame: pd.DataFrame, kind: str | None, public: bool) -> None:
        """Get or create the layer, merging the file's fields into its schema."""
        types = {"int": "integer", "float": "number", "bool": "boolean", "datetime": "date"}
        schema = [
            {"name": str(c), "label": str(c), "public": True,
             "type": next((v for k, v in types.items() if k in str(frame[c].dtype)), "text")}
            for c in frame.columns if c != "geometry"
        ]
        existing = Layer.objects.filter(slug=self.slug).exclude(kind="generic").first()
        if existing is not None:
            raise ImportFailed(ImportErrorCode.TARGET_UNKNOWN, _(
                "“%(slug)s” is a core layer: import into it with --target %(kind)s.")
                % {"slug": self.slug, "kind": existing.kind})
        layer, created = Layer.objects.get_or_create(slug=self.slug, defaults={
            "name": self.constants.get("layer_name") or self.slug.replace("-", " ").title(),
            "geometry_type": kind or "", "schema": schema, "is_public": public})
        if not created:
            names = {f["name"] for f in layer.schema}
            added = [f for f in schema if f["name"] not in names]
            if added:
                layer.schema = [*layer.schema, *added]
                layer.save(update_fields=["schema", "updated_at"])
        self.layer = layer

    def key_match(self) -> str:
        # The NOT … = '' repeats the predicate of the partial unique index on (layer_id,
        # source_ref), so each stage row is probed through it, never by a scan of the layer.
        return ("t.layer_id = %(layer_id)s AND t.source_ref = s.source_ref "
                "AND NOT t.source_ref = ''")

    def insert_extra(self):
        return {"layer_id": "%(layer_id)s"}

    def claim_empty(self, cursor) -> bool:
        # FOR UPDATE conflicts with the FOR KEY SHARE that the feature → layer foreign key
        # takes: no other transaction can add a feature to this layer until we are done.
        cursor.execute("SELECT 1 FROM layers_layer WHERE id = %s FOR UPDATE", [self.layer.id])
        cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM layers_feature WHERE layer_id = %s)",
                       [self.layer.id])
        return bool(cursor.fetchone()[0])

    def copy_extra(self):
        return {"layer_id": self.layer.id}

    def params(self):
        return {"layer_id": self.layer.id}


def target_for(name: str, *, constants: dict[str, Any]) -> Target:
    """`admin_areas`, `assets`, `land_use`, `complaints` or `layer:<slug>`."""
    simple = {t.key: t for t in (AdminAreasTarget, AssetsTarget, LandUseTarget,
                                  ComplaintsTarget)}
    if name in simple:
        return simple[name](constants=constants)
    if name.startswith("layer:") and re.fullmatch(r"[-a-z0-9_]+", name[6:] or "-") \
            and name[6:]:
        return LayerTarget(constants=constants, slug=name[6:])
    raise ImportFailed(ImportErrorCode.TARGET_UNKNOWN, _(
        "Unknown target “%(name)s”: use one of %(choices)s.") % {
        "name": name, "choices": ", ".join(TARGET_CHOICES)})
