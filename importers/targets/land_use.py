"""Land use and spatial-plan (RTRW pola ruang) zones by classification."""

from __future__ import annotations

import re
from typing import ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from importers.mapping import TargetField
from importers.targets.base import Target, text
from layers.models import LandUseClass, LandUseClassification, LandUseZone


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
