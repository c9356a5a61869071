"""Attribute values checked against a schema: a category's `attribute_schema`, a generic
layer's `schema`, or a core layer's own columns described the same way. One field is
{"name", "label", "type": text|integer|number|boolean|date|choice, "required", "choices",
and optionally "max_length", "min", "max"}. Errors are translated sentences per field."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

TYPES = ("text", "integer", "number", "boolean", "date", "choice")
_TRUE = {"true", "1", "ya", "yes", "y"}
_FALSE = {"false", "0", "tidak", "no", "n"}


def normalise_field(spec: dict) -> dict:
    """A schema field in the edit-schema shape: choices as [[value, label], …], a known type
    (an unknown one, or a field with choices, is read as text or choice)."""
    choices = [_choice_pair(c) for c in spec.get("choices") or []]
    kind = spec.get("type") or "text"
    if choices:
        kind = "choice"
    elif kind not in TYPES:
        kind = "text"
    out = {"name": str(spec["name"]), "label": str(spec.get("label") or spec["name"]),
           "type": kind, "required": bool(spec.get("required", False)), "choices": choices}
    for extra in ("max_length", "min", "max"):
        if spec.get(extra) is not None:
            out[extra] = spec[extra]
    return out


def _choice_pair(choice: Any) -> list:
    if isinstance(choice, list | tuple) and len(choice) == 2:
        return [choice[0], str(choice[1])]
    if isinstance(choice, dict):
        return [choice.get("value"), str(choice.get("label", choice.get("value")))]
    return [choice, str(choice)]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_value(field: dict, value: Any) -> Any:
    """One value converted to the field's type, or ValueError with a translated reason. A blank
    value is None."""
    if _blank(value):
        return None
    kind = field["type"]
    if kind == "text":
        if isinstance(value, dict | list):
            raise ValueError(_("Enter text."))
        text = str(value).strip()
        limit = field.get("max_length")
        if limit and len(text) > limit:
            raise ValueError(_("At most %(n)d characters.") % {"n": limit})
        return text
    if kind == "integer":
        number = _number(value)
        if number != int(number):
            raise ValueError(_("Enter a whole number."))
        return _in_range(field, int(number))
    if kind == "number":
        number = _number(value)
        return _in_range(field, int(number) if number == int(number) else number)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError(_("Enter yes or no."))
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    allowed = [c[0] for c in field["choices"]]
    for choice in allowed:
        if value == choice or str(value) == str(choice):
            return choice
    raise ValueError(_("Choose one of: %(choices)s.") % {
        "choices": ", ".join(str(c) for c in allowed)})


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(_("Enter a number."))
    if isinstance(value, int | float | Decimal):
        number = float(value)
    else:
        try:
            # Indonesian decimals are written with a comma ("1,5").
            number = float(Decimal(str(value).strip().replace(" ", "").replace(",", ".")))
        except (InvalidOperation, ValueError):
            raise ValueError(_("Enter a number.")) from None
    if not math.isfinite(number):
        raise ValueError(_("Enter a number."))
    return number


def _in_range(field: dict, number: float) -> float:
    low, high = field.get("min"), field.get("max")
    if low is not None and number < low:
        raise ValueError(_("At least %(n)s.") % {"n": low})
    if high is not None and number > high:
        raise ValueError(_("At most %(n)s.") % {"n": high})
    return number


def clean_values(fields: list[dict], values: dict[str, Any], *, creating: bool,
                 stored: dict[str, Any] | None = None, prefix: str = "",
                 free: bool = False) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check `values` (the sent ones) against `fields`; returns (cleaned, errors).

    On create every required field must have a value; on update only the sent fields are
    checked (a required field the editor did not touch is not their problem). A key the
    schema does not declare is refused unless `free` (no schema) or already stored (imports
    keep the file's other columns); None clears a value. `prefix` names nested errors
    ("attributes.murid")."""
    by_name = {f["name"]: f for f in fields}
    stored = stored or {}
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        field = by_name.get(name)
        if field is None:
            if free or name in stored:
                if isinstance(value, dict | list):
                    errors[prefix + name] = [_("Enter a single value.")]
                else:
                    cleaned[name] = value
            else:
                errors[prefix + name] = [_("Not a field of this layer.")]
            continue
        try:
            cleaned[name] = clean_value(field, value)
        except ValueError as exc:
            errors[prefix + name] = [str(exc)]
            continue
        if cleaned[name] is None and field["required"]:
            errors[prefix + name] = [_("This field is required.")]
    if creating:
        for field in fields:
            if field["required"] and field["name"] not in values:
                errors[prefix + field["name"]] = [_("This field is required.")]
    return cleaned, errors


def merged(stored: dict[str, Any], cleaned: dict[str, Any]) -> dict[str, Any]:
    """The stored JSON values with the cleaned ones applied; None removes a key."""
    out = dict(stored)
    for key, value in cleaned.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out
