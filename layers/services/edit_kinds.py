"""What differs between the editable layers (assets, land use, generic): the model, the
layer's own fields, the geometry kind wanted, and how sent properties are applied. The
editing services (layers.services.editing) are written once over these."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from layers.models import (
    AdministrativeArea,
    Asset,
    AssetCategory,
    Condition,
    Feature,
    LandUseClass,
    LandUseZone,
    Layer,
    LayerKind,
)
from layers.selectors.boundaries import village_at
from layers.services.attributes import clean_values, merged, normalise_field

# Properties the API sends out that are not edited through properties: sent back unchanged
# by a client that echoes a stored feature, they are ignored.
BOOKKEEPING = {"uid", "version", "is_verified", "is_public", "review_note", "area_code",
               "area_name", "area_ha", "length_m", "recorded_by", "created_at", "updated_at"}

Errors = dict[str, list[str]]


class EditKind:
    model: type
    multi_polygon = False

    def rows(self, layer: Layer) -> QuerySet:
        return self.model.objects.all()

    def fields(self, layer: Layer) -> list[dict]:
        return []

    def categories(self) -> list[dict]:
        return []

    def geometry_kind(self, layer: Layer, obj: Any) -> str | None:
        return layer.geometry_type or None

    def new(self, layer: Layer) -> Any:
        return self.model()

    def apply(self, obj: Any, layer: Layer, props: dict, *, creating: bool) -> Errors:
        raise NotImplementedError

    def own_properties(self, obj: Any) -> dict:
        raise NotImplementedError

    def area(self, obj: Any) -> AdministrativeArea | None:
        """The desa the feature lies in (the rule: its reference point)."""
        return village_at(obj.geom) if obj.geom is not None else None

    def derive(self, obj: Any, area: AdministrativeArea | None) -> None:
        """Store derived columns computed in Python (the generated ones follow by themselves)."""

    def _own(self, obj: Any, layer: Layer, props: dict, *, creating: bool,
             json_field: str | None, skip: tuple[str, ...] = ()) -> Errors:
        """Apply the layer's own column fields and its JSON attributes (free-form)."""
        fields = self.fields(layer)
        names = {f["name"] for f in fields}
        errors: Errors = {}
        own = {k: v for k, v in props.items() if k in names}
        for key in props:
            if key not in names and key not in BOOKKEEPING and key != json_field \
                    and key not in skip:
                errors[key] = [_("Not a field of this layer.")]
        cleaned, problems = clean_values(fields, own, creating=creating)
        errors.update(problems)
        for name, value in cleaned.items():
            field = obj._meta.get_field(name)
            setattr(obj, name, "" if value is None and not field.null else value)
        return errors


def _attributes(obj: Any, column: str, props: dict, schema: list[dict], *, creating: bool,
                free: bool) -> Errors:
    if column not in props:
        if creating:
            _cleaned, errors = clean_values(schema, {}, creating=True, prefix=f"{column}.")
            return errors
        return {}
    sent = props[column]
    if sent is None:
        sent = {}
    if not isinstance(sent, dict):
        return {column: [_("Enter an object of attribute values.")]}
    stored = getattr(obj, column) or {}
    cleaned, errors = clean_values(schema, sent, creating=creating, stored=stored,
                                   prefix=f"{column}.", free=free)
    if not errors:
        setattr(obj, column, merged(stored, cleaned))
    return errors


class AssetsKind(EditKind):
    model = Asset

    def rows(self, layer: Layer) -> QuerySet:
        return Asset.objects.select_related("category", "area")

    def fields(self, layer: Layer) -> list[dict]:
        return [normalise_field(f) for f in (
            {"name": "name", "label": _("Name"), "type": "text", "max_length": 200},
            {"name": "register_code", "label": _("Register number"), "type": "text",
             "max_length": 60},
            {"name": "condition", "label": _("Condition"), "type": "choice",
             "choices": [[c.value, str(c.label)] for c in Condition]},
            {"name": "year_built", "label": _("Year built"), "type": "integer",
             "min": 1800, "max": 2100},
            {"name": "value_idr", "label": _("Value (Rp)"), "type": "number", "min": 0,
             "max": 9_999_999_999_999_999},
        )]

    def categories(self) -> list[dict]:
        return [{"slug": c.slug, "name": c.name, "geometry_type": c.geometry_type,
                 "fields": [normalise_field(f) for f in c.attribute_schema or []]}
                for c in AssetCategory.objects.filter(is_active=True).order_by("name")]

    def geometry_kind(self, layer: Layer, obj: Asset) -> str | None:
        return obj.category.geometry_type if obj.category_id else None

    def apply(self, obj: Asset, layer: Layer, props: dict, *, creating: bool) -> Errors:
        errors: Errors = {}
        if "category" in props or creating:
            slug = props.get("category")
            category = AssetCategory.objects.filter(slug=str(slug or ""), is_active=True).first()
            if category is None:
                errors["category"] = [_("Choose one of the asset categories.")
                                      if slug else _("This field is required.")]
            else:
                if obj.category_id != category.id and not creating:
                    obj.attributes = {}  # another category: another attribute schema
                obj.category = category
                if creating:
                    obj.agency = category.agency
        errors.update(self._own(obj, layer, props, creating=creating,
                                json_field="attributes", skip=("category",)))
        if obj.category_id and "category" not in errors:
            schema = [normalise_field(f) for f in obj.category.attribute_schema or []]
            errors.update(_attributes(obj, "attributes", props, schema, creating=creating,
                                      free=not schema))
        if creating and not obj.condition:
            obj.condition = Condition.GOOD
        return errors

    def own_properties(self, obj: Asset) -> dict:
        value = obj.value_idr
        return {"category": obj.category.slug, "name": obj.name,
                "register_code": obj.register_code, "condition": obj.condition,
                "year_built": obj.year_built,
                "value_idr": None if value is None else
                int(value) if value == int(value) else float(value),
                "attributes": obj.attributes or {}}

    def derive(self, obj: Asset, area: AdministrativeArea | None) -> None:
        obj.area = area


class LandUseKind(EditKind):
    model = LandUseZone
    multi_polygon = True

    def rows(self, layer: Layer) -> QuerySet:
        return LandUseZone.objects.select_related("land_use_class")

    def fields(self, layer: Layer) -> list[dict]:
        classes = LandUseClass.objects.select_related("classification").order_by(
            "classification__name", "code")
        return [normalise_field(f) for f in (
            {"name": "land_use_class", "label": _("Class"), "type": "choice", "required": True,
             "choices": [[c.code, f"{c.code} {c.name}"] for c in classes]},
            {"name": "name", "label": _("Name"), "type": "text", "max_length": 200},
            {"name": "plan_name", "label": _("Plan"), "type": "text", "max_length": 200},
            {"name": "regulation", "label": _("Regulation"), "type": "text", "max_length": 200},
        )]

    def geometry_kind(self, layer: Layer, obj: LandUseZone) -> str | None:
        return "polygon"

    def apply(self, obj: LandUseZone, layer: Layer, props: dict, *, creating: bool) -> Errors:
        errors: Errors = {}
        code = props.get("land_use_class")
        if "land_use_class" in props or creating:
            classes = list(LandUseClass.objects.filter(code=str(code or "")))
            if len(classes) != 1:
                errors["land_use_class"] = [
                    _("This field is required.") if not code else
                    _("Choose one of the land-use classes.") if not classes else
                    _("This code is used by several classifications.")]
            else:
                obj.land_use_class = classes[0]
        rest = {k: v for k, v in props.items() if k != "land_use_class"}
        errors.update(self._own(obj, layer, rest, creating=False, json_field="attributes"))
        errors.update(_attributes(obj, "attributes", props, [], creating=creating, free=True))
        return errors

    def own_properties(self, obj: LandUseZone) -> dict:
        return {"land_use_class": obj.land_use_class.code, "name": obj.name,
                "plan_name": obj.plan_name, "regulation": obj.regulation,
                "attributes": obj.attributes or {}}


class GenericKind(EditKind):
    model = Feature

    def rows(self, layer: Layer) -> QuerySet:
        return Feature.objects.filter(layer=layer)

    def fields(self, layer: Layer) -> list[dict]:
        return [normalise_field(f) for f in layer.schema or [] if f.get("name")]

    def new(self, layer: Layer) -> Feature:
        return Feature(layer=layer)

    def apply(self, obj: Feature, layer: Layer, props: dict, *, creating: bool) -> Errors:
        schema = self.fields(layer)
        values = {k: v for k, v in props.items() if k not in BOOKKEEPING}
        stored = obj.properties or {}
        cleaned, errors = clean_values(schema, values, creating=creating, stored=stored,
                                       free=not schema)
        if not errors:
            obj.properties = merged(stored, cleaned)
        return errors

    def own_properties(self, obj: Feature) -> dict:
        return dict(obj.properties or {})


KINDS: dict[str, EditKind] = {
    LayerKind.ASSETS: AssetsKind(), LayerKind.LAND_USE: LandUseKind(),
    LayerKind.GENERIC: GenericKind(),
}
