"""Writes of administrative areas."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from layers import codes
from layers.errors import ErrorCode
from layers.geometry import clean_geometry
from layers.models import AdministrativeArea


@transaction.atomic
def area_create(
    *,
    code: str,
    name: str,
    geom: GEOSGeometry,
    parent: AdministrativeArea | None = None,
    valid_from: dt.date | None = None,
    legal_basis: str = "",
    by: AbstractBaseUser | None = None,
) -> AdministrativeArea:
    """Create a current wilayah. Its level is read off the code; its parent, when not given,
    is the current area whose code is this code minus its last part (required below the
    province level)."""
    code = codes.normalise_code(code)
    level = codes.validate_code(code)
    expected_parent = codes.parent_code(code)
    if parent is None and expected_parent is not None:
        parent = AdministrativeArea.objects.filter(code=expected_parent).first()
        if parent is None:
            raise ValidationError(
                _("Parent area %(parent)s does not exist: create it first."),
                code=ErrorCode.AREA_PARENT_MISSING, params={"parent": expected_parent},
            )
    if parent is not None:
        codes.validate_parent(code, parent.code)
    if AdministrativeArea.objects.filter(code=code).exists():
        raise ValidationError(
            _("An area with code %(code)s is already in force."),
            code=ErrorCode.AREA_CODE_TAKEN, params={"code": code},
        )
    area = AdministrativeArea(
        code=code, name=name.strip(), level=level, parent=parent,
        geom=clean_geometry(geom, kind="polygon", multi_polygon=True),
        valid_from=valid_from, legal_basis=legal_basis,
    )
    area.full_clean(validate_constraints=False)
    area._history_user = by
    area.save()
    return area


@transaction.atomic
def area_retire(
    *,
    area: AdministrativeArea,
    valid_until: dt.date,
    legal_basis: str,
    replaced_by: list[AdministrativeArea] = (),
    by: AbstractBaseUser | None = None,
) -> AdministrativeArea:
    """Close a wilayah (pemekaran, merger, new code list): it stays in history, no longer
    current, and points at the units that replace it."""
    area.valid_until = valid_until
    area.legal_basis = legal_basis
    area._history_user = by
    area.save(update_fields=["valid_until", "legal_basis", "updated_at"])
    if replaced_by:
        area.replaced_by.set(replaced_by)
    return area
