"""Input of the zonal statistics page (input only: the service validates and refuses)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from analysis.models import Raster
from analysis.services.zonal import CONTINUOUS_STATS
from layers.models import GeometryType, Layer, LayerKind

LEVEL_LABELS = {"provinsi": _("Provinsi"), "kabupaten": _("Kabupaten/kota"),
                "kecamatan": _("Kecamatan"), "desa": _("Desa/kelurahan"),
                "kelurahan": _("Desa/kelurahan"), "kota": _("Kabupaten/kota")}


class ZonalRunForm(forms.Form):
    raster = forms.ChoiceField(label=_("Raster"))
    zones = forms.ChoiceField(label=_("Zones"))
    stats = forms.MultipleChoiceField(
        label=_("Statistics (continuous rasters)"), required=False,
        choices=[(s, s) for s in CONTINUOUS_STATS], widget=forms.CheckboxSelectMultiple,
        help_text=_("A categorical raster always gives the area of each class in hectares."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["raster"].choices = [
            (r.layer.slug, r.layer.name) for r in Raster.objects.select_related("layer")]
        polygons = Layer.objects.filter(kind=LayerKind.GENERIC,
                                        geometry_type=GeometryType.POLYGON)
        self.fields["zones"].choices = [
            (_("Wilayah"), [(f"level:{k}", LEVEL_LABELS[k])
                            for k in ("provinsi", "kabupaten", "kecamatan", "desa")]),
            (_("Polygon layers"), [(f"layer:{la.slug}", la.name) for la in polygons]),
        ]
