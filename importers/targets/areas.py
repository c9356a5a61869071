"""Administrative areas: the four-level wilayah hierarchy by Kemendagri code."""

from __future__ import annotations

from typing import ClassVar

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from importers.mapping import TargetField
from importers.targets.base import Target, text
from layers import codes
from layers.models import AdministrativeArea

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
