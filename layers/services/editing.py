"""Writes of map features through the editing API (docs/editing-api.md): create, update and
delete on the assets, land-use and generic layers.

Every save: the geometry is repaired or refused (layers.geometry.repair_geometry), of the kind
the category or layer wants; the values are checked against the schema; the editor must be
allowed at the feature's old and new wilayah (layers.permissions); the stored version must be
the one the edit was based on (row locked, compared, bumped); derived columns follow in the
same transaction. Any refusal raises an EditError and nothing is written."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from layers import permissions
from layers.geometry import repair_geometry
from layers.models import AdministrativeArea, GeometryType, Layer
from layers.selectors.boundaries import village_at
from layers.selectors.edit_features import edit_feature, stored_area
from layers.services.edit_errors import (
    EditConflict,
    EditForbidden,
    EditInvalid,
    EditNotFound,
)
from layers.services.edit_kinds import KINDS, EditKind


@dataclass
class EditResult:
    layer: Layer
    feature: Any  # the stored feature, fresh from the database (with its measures)
    created: bool = False
    notices: list[str] = field(default_factory=list)


def editable_layer(*, slug: str, user: AbstractBaseUser | None) -> tuple[Layer, EditKind]:
    """The layer by slug if `user` may edit some of its features; 404 when they may not see
    it, 403 when it is not edited here or they hold no editing role."""
    layer = Layer.objects.filter(slug=slug).first()
    if layer is None or not permissions.can_view_layer(user, layer):
        raise EditNotFound(_("No such layer."))
    if layer.kind not in KINDS:
        raise EditForbidden(_("Features of this layer are not edited here."))
    if not permissions.can_edit_layer(user, layer):
        raise EditForbidden(_("You have no role that may edit this layer."))
    return layer, KINDS[layer.kind]


def parse_geometry(value: Any) -> GEOSGeometry:
    """A GeoJSON geometry (EPSG:4326 longitude/latitude) → GEOS, or EditInvalid."""
    if not isinstance(value, dict) or "type" not in value:
        raise EditInvalid(_("The feature is not valid."),
                          errors={"geometry": [_("Send a GeoJSON geometry.")]})
    try:
        geom = GEOSGeometry(json.dumps(value), srid=4326)
    except (GEOSException, GDALException, ValueError, TypeError):
        raise EditInvalid(_("The feature is not valid."), errors={
            "geometry": [_("This is not a readable GeoJSON geometry.")]}) from None
    if not geom.empty:
        west, south, east, north = geom.extent
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise EditInvalid(_("The feature is not valid."), errors={"geometry": [
                _("Coordinates must be longitude, latitude in degrees (EPSG:4326).")]})
    geom.srid = 4326
    return geom


def parse_version(value: Any) -> int:
    if isinstance(value, bool) or value in (None, ""):
        raise EditInvalid(_("The version the edit is based on is missing."),
                          errors={"version": [_("This field is required.")]})
    try:
        return int(value)
    except (TypeError, ValueError):
        raise EditInvalid(_("The version must be a whole number."),
                          errors={"version": [_("Enter a whole number.")]}) from None


def parse_uid(value: Any) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise EditInvalid(_("The identifier is not a UUID."),
                          errors={"uid": [_("Enter a UUID.")]}) from None


def _properties(data: Any) -> dict:
    if not isinstance(data, dict):
        raise EditInvalid(_("Send a GeoJSON Feature."))
    props = data.get("properties") or {}
    if not isinstance(props, dict):
        raise EditInvalid(_("The feature's properties must be an object."))
    return props


def _place(kind: EditKind, layer: Layer, obj: Any, geometry: Any, errors: dict
           ) -> list[str]:
    """Check and set the geometry; returns the repair notices (errors go into `errors`)."""
    try:
        geom = parse_geometry(geometry)
        if GeometryType.of(geom.geom_type) is None:
            raise EditInvalid(_("The feature is not valid."), errors={"geometry": [
                _("Draw a point, a line or a polygon (not a collection).")]})
        obj.geom, notices = repair_geometry(geom, kind=kind.geometry_kind(layer, obj),
                                            multi_polygon=kind.multi_polygon)
    except EditInvalid as exc:
        errors.update(exc.errors)
        return []
    except ValidationError as exc:
        errors["geometry"] = list(exc.messages)
        return []
    return notices


def _code(area: AdministrativeArea | None) -> str | None:
    return area.code if area else None


def refuse_outside(by, area: AdministrativeArea | None) -> None:
    if not permissions.can_edit_at(by, _code(area)):
        where = area.name if area else _("outside every desa/kelurahan")
        raise EditForbidden(_("You may not edit features here (%(where)s): it is outside your "
                              "wilayah.") % {"where": where})


def save_feature(obj: Any, *, by, reason: str = "") -> None:
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise EditInvalid(_("The feature is not valid."),
                          errors=exc.message_dict) from None
    obj._history_user = by
    if reason:
        obj._change_reason = reason
    obj.save()


def fresh_feature(layer: Layer, obj: Any) -> Any:
    return edit_feature(layer, obj.pk)


@transaction.atomic
def feature_create(*, slug: str, data: Any, by: AbstractBaseUser | None) -> EditResult:
    """Record a feature. With a client `uid` already stored, returns that feature unchanged
    (created=False): a record sent twice is stored once."""
    layer, kind = editable_layer(slug=slug, user=by)
    props = _properties(data)
    uid = parse_uid(data.get("uid") if isinstance(data, dict) else None)
    if uid is not None:
        existing = kind.rows(layer).filter(uid=uid).first()
        if existing is not None:
            return EditResult(layer=layer, feature=fresh_feature(layer, existing), created=False)
        if kind.model.objects.filter(uid=uid).exists():
            raise EditConflict(_("This identifier belongs to a feature of another layer."))
    obj = kind.new(layer)
    errors = kind.apply(obj, layer, props, creating=True)
    notices = _place(kind, layer, obj, data.get("geometry"), errors)
    area = village_at(obj.geom) if "geometry" not in errors and obj.geom else None
    if "geometry" not in errors:
        refuse_outside(by, area)
    if errors:
        raise EditInvalid(_("The feature is not valid."), errors=errors)
    verified = permissions.verified_on_save(by, _code(area))
    obj.is_verified = verified
    obj.is_public = verified and props.get("is_public", True) is not False
    obj.recorded_by = by if getattr(by, "pk", None) else None
    if uid is not None:
        obj.uid = uid
    kind.derive(obj, area)
    try:
        with transaction.atomic():
            save_feature(obj, by=by)
    except IntegrityError:
        # The same uid arrived twice at once: the other request stored it.
        existing = kind.rows(layer).filter(uid=uid).first() if uid else None
        if existing is None:
            raise
        return EditResult(layer=layer, feature=fresh_feature(layer, existing), created=False)
    return EditResult(layer=layer, feature=fresh_feature(layer, obj), created=True, notices=notices)


def locked_feature(layer: Layer, kind: EditKind, feature_id: int) -> Any:
    """The stored feature, locked until the transaction ends (so two saves cannot both pass
    the version check)."""
    obj = kind.rows(layer).select_for_update(of=("self",)).filter(pk=feature_id).first()
    if obj is None:
        raise EditNotFound(_("No such feature."))
    return obj


def check_version(layer: Layer, obj: Any, version: int) -> None:
    if obj.version != version:
        raise EditConflict(
            _("This feature was changed by someone else since you opened it (you edited "
              "version %(yours)d, the stored one is version %(current)d). Compare both and "
              "choose.") % {"yours": version, "current": obj.version},
            current=fresh_feature(layer, obj), layer=layer)


def apply_save_rule(obj: Any, *, by, area: AdministrativeArea | None) -> None:
    """An edit by someone who may not publish there sends the feature back to review."""
    if not permissions.verified_on_save(by, _code(area)):
        obj.is_verified = False
        obj.is_public = False


@transaction.atomic
def feature_update(*, slug: str, feature_id: int, data: Any, by: AbstractBaseUser | None
                   ) -> EditResult:
    """Change a feature's geometry and/or some properties, based on `data["version"]`."""
    layer, kind = editable_layer(slug=slug, user=by)
    props = _properties(data)
    version = parse_version(data.get("version"))
    obj = locked_feature(layer, kind, feature_id)
    refuse_outside(by, stored_area(kind, obj))
    check_version(layer, obj, version)
    errors = kind.apply(obj, layer, props, creating=False)
    notices: list[str] = []
    if data.get("geometry") is not None:
        notices = _place(kind, layer, obj, data["geometry"], errors)
    elif "category" in props and not errors:
        # Another category may want another geometry kind.
        notices = _place(kind, layer, obj, json.loads(obj.geom.geojson), errors)
    area = village_at(obj.geom) if "geometry" not in errors else None
    if "geometry" not in errors:
        refuse_outside(by, area)
    if errors:
        raise EditInvalid(_("The feature is not valid."), errors=errors)
    apply_save_rule(obj, by=by, area=area)
    kind.derive(obj, area)
    obj.version = version + 1
    save_feature(obj, by=by)
    return EditResult(layer=layer, feature=fresh_feature(layer, obj), notices=notices)


@transaction.atomic
def feature_delete(*, slug: str, feature_id: int, version: Any,
                   by: AbstractBaseUser | None) -> None:
    """Delete a feature, based on `version`; its history keeps every version."""
    layer, kind = editable_layer(slug=slug, user=by)
    version = parse_version(version)
    obj = locked_feature(layer, kind, feature_id)
    refuse_outside(by, stored_area(kind, obj))
    check_version(layer, obj, version)
    obj._history_user = by
    obj.delete()
