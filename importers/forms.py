"""Forms of the upload wizard. The preview form is built per target: one select per target
field (filled with the file's fields once the dry run has read them), the constants a target
takes as selects, and the reading options (layer, SRID, encoding, key)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from importers.models import MappingPreset
from importers.wizard import WizardOptions, target_fields
from layers.models import AssetCategory, ComplaintCategory, LandUseClassification, Layer, LayerKind

ENCODINGS = [
    ("", _("automatic")),
    ("utf-8", "UTF-8"),
    ("cp1252", _("Windows (cp1252)")),
    ("latin-1", "ISO-8859-1 (Latin-1)"),
    ("cp850", _("DOS (cp850)")),
    ("cp437", _("DOS (cp437)")),
]
NEW_LAYER = "layer:"


def target_choices() -> list[tuple[str, Any]]:
    """The four core targets, every thematic layer, and a new thematic layer."""
    core = [("admin_areas", _("Administrative areas")), ("assets", _("Assets")),
            ("land_use", _("Land use and zoning")), ("complaints", _("Complaints"))]
    generic = [(f"layer:{slug}", _("Thematic layer: %(name)s") % {"name": name})
               for slug, name in Layer.objects.filter(kind=LayerKind.GENERIC)
               .values_list("slug", "name")]
    return [*core, *generic, (NEW_LAYER, _("New thematic layer…"))]


class UploadTargetForm(forms.Form):
    """What the upload page asks before the file: where it goes."""

    target = forms.ChoiceField(label=_("Import into"), choices=())
    new_layer = forms.SlugField(label=_("Slug of the new layer"), required=False, max_length=80,
                                help_text=_("Lower-case letters, digits and hyphens, e.g. "
                                            "rawan-banjir."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = target_choices()


class PreviewForm(forms.Form):
    """Mapping and options of one upload; `options()` turns it into WizardOptions."""

    layer = forms.CharField(label=_("Layer in the file"), required=False, max_length=200)
    srid = forms.IntegerField(
        label=_("Coordinate system (EPSG code)"), required=False, min_value=1,
        max_value=999999, help_text=_("Only when the file has none or a wrong one: 4326 for "
                                      "longitude/latitude, 32749 for UTM 49S, 23845 for "
                                      "DGN95 TM-3 49.1."))
    encoding = forms.ChoiceField(label=_("Text encoding"), required=False, choices=ENCODINGS)
    key = forms.CharField(label=_("Key field"), required=False, max_length=200,
                          widget=forms.Select, help_text=_(
                              "A field that identifies a feature, so that importing a newer "
                              "version of the file updates instead of adding."))
    public = forms.BooleanField(label=_("Publish what is imported"), required=False,
                                initial=True)
    preset = forms.ModelChoiceField(label=_("Saved mapping"), required=False,
                                    queryset=MappingPreset.objects.none())
    preset_name = forms.CharField(label=_("Save this mapping as"), required=False,
                                  max_length=120)

    def __init__(self, *args: Any, target: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        self.mapped = list(target_fields(target))
        for f in self.mapped:
            self.fields[f"map_{f.name}"] = forms.CharField(
                label=f.label, required=False, max_length=200, widget=forms.Select)
        self.fields.update(self._constant_fields(target))
        self.fields["preset"].queryset = MappingPreset.objects.filter(target=target)

    @staticmethod
    def _constant_fields(target: str) -> dict[str, forms.Field]:
        none = [("", _("— from the file —"))]
        if target == "assets":
            cats = AssetCategory.objects.filter(is_active=True).values_list("slug", "name")
            return {"const_category": forms.ChoiceField(
                label=_("Category of every feature"), required=False, choices=none + list(cats))}
        if target == "complaints":
            cats = ComplaintCategory.objects.filter(is_active=True).values_list("slug", "name")
            return {"const_category": forms.ChoiceField(
                label=_("Category of every complaint"), required=False,
                choices=none + list(cats))}
        if target == "land_use":
            known = list(LandUseClassification.objects.values_list("slug", "name"))
            if not any(slug == "penggunaan-lahan" for slug, _name in known):
                known.insert(0, ("penggunaan-lahan", _("Existing land use (new)")))
            return {"const_classification": forms.ChoiceField(
                label=_("Classification"), choices=known, initial="penggunaan-lahan")}
        if target.startswith("layer:"):
            return {"const_layer_name": forms.CharField(
                label=_("Name of the layer"), required=False, max_length=200,
                help_text=_("Only used when the layer is new."))}
        return {}

    def mapping_fields(self) -> list[forms.BoundField]:
        return [self[f"map_{f.name}"] for f in self.mapped]

    def constant_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("const_")]

    def set_source_fields(self, names: list[str]) -> None:
        """Offer the file's fields in every mapping select (and keep a value the user chose
        that the file no longer has, so the error about it makes sense). Call it once the
        form's initial values are final: reading a value fixes them."""
        for name in [f"map_{f.name}" for f in self.mapped] + ["key"]:
            current = self[name].value() or ""
            options = list(names) + ([current] if current and current not in names else [])
            empty = _("— not imported —") if name != "key" else _("— none —")
            self.fields[name].widget.choices = [("", empty)] + [(n, n) for n in options]

    def options(self) -> WizardOptions:
        data = self.cleaned_data
        constants = {name.removeprefix("const_"): data[name]
                     for name in self.fields if name.startswith("const_") and data.get(name)}
        mapping = {f.name: data[f"map_{f.name}"] for f in self.mapped
                   if data.get(f"map_{f.name}")}
        return WizardOptions(
            layer=data["layer"] or None, srid=data["srid"], encoding=data["encoding"] or None,
            # Nothing mapped yet (the file could not be read before): let the pipeline suggest.
            mapping=mapping or None, constants=constants, key=data["key"] or None,
            public=data["public"])
