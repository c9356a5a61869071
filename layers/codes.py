"""Kemendagri kode wilayah: the format of each level and the parent-prefix rule.

`61` provinsi · `61.12` kabupaten/kota · `61.12.01` kecamatan · `61.12.01.2001` desa/kelurahan.
In the last part of a desa/kelurahan code a first digit 1 marks a kelurahan, 2 a desa; a
kabupaten/kota part of 71 or more marks a kota.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from layers.errors import ErrorCode


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    REGENCY = 2, _("Regency/city")
    DISTRICT = 3, _("District (kecamatan)")
    VILLAGE = 4, _("Village (desa/kelurahan)")


# Used by the database check constraint too, so the rule lives in one place.
CODE_REGEX = {
    Level.PROVINCE: r"^[0-9]{2}$",
    Level.REGENCY: r"^[0-9]{2}\.[0-9]{2}$",
    Level.DISTRICT: r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$",
    Level.VILLAGE: r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[12][0-9]{3}$",
}
_COMPILED = {level: re.compile(rx) for level, rx in CODE_REGEX.items()}


def normalise_code(code: str) -> str:
    """Trim and accept the undotted form agencies often use (`6112012001` → `61.12.01.2001`)."""
    code = (code or "").strip()
    if code.isdigit() and len(code) in (2, 4, 6, 10):
        parts = [code[0:2], code[2:4], code[4:6], code[6:10]]
        code = ".".join(p for p in parts if p)
    return code


def level_of(code: str) -> Level | None:
    """The level whose format `code` has, or None when it has none."""
    for level, rx in _COMPILED.items():
        if rx.match(code):
            return level
    return None


def parent_code(code: str) -> str | None:
    """`61.12.01.2001` → `61.12.01`; a province has no parent."""
    head, sep, _tail = code.rpartition(".")
    return head if sep else None


def is_kelurahan(code: str) -> bool:
    return level_of(code) == Level.VILLAGE and code.rsplit(".", 1)[1].startswith("1")


def is_kota(code: str) -> bool:
    return level_of(code) == Level.REGENCY and int(code.split(".")[1]) >= 71


def validate_code(code: str, level: int | None = None) -> Level:
    """Return the code's level; raise ValidationError when the format is wrong or differs
    from `level`."""
    found = level_of(code)
    if found is None:
        raise ValidationError(
            _("“%(code)s” is not a Kemendagri area code (e.g. 61, 61.12, 61.12.01 or "
              "61.12.01.2001; a desa/kelurahan part starts with 2 or 1)."),
            code=ErrorCode.AREA_CODE_FORMAT, params={"code": code},
        )
    if level is not None and found != level:
        raise ValidationError(
            _("Code “%(code)s” is a %(found)s code, not a %(level)s code."),
            code=ErrorCode.AREA_CODE_LEVEL,
            params={"code": code, "found": found.label, "level": Level(level).label},
        )
    return found


def validate_parent(code: str, parent: str | None) -> None:
    """The parent's code must be the code minus its last part."""
    expected = parent_code(code)
    if parent is None or expected is None:
        return
    if parent != expected:
        raise ValidationError(
            _("Code “%(code)s” does not belong under “%(parent)s”: its parent must be "
              "“%(expected)s”."),
            code=ErrorCode.AREA_PARENT_MISMATCH,
            params={"code": code, "parent": parent, "expected": expected},
        )
