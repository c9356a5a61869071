"""Field mapping: which source field fills which target field. Suggested from the names
agencies use, given explicitly (a JSON file or the wizard), or saved as a preset."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from importers.errors import ImportErrorCode, ImportFailed


def normalise_name(name: str) -> str:
    """`Kode Desa`, `KODE_DESA` and `kode-desa` all become `kode_desa`."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


@dataclass(frozen=True)
class TargetField:
    """A field of a target. `aliases` are the names agencies use for it, most specific first
    (BIG's ADMINISTRASI_AR schema: KDEPUM desa code, KDCPUM kecamatan code, WADMKD…)."""

    name: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()


def suggest_mapping(fields: Sequence[TargetField], source_fields: Sequence[str]) -> dict[str, str]:
    """Target field → source field, by name and alias, each source field used once."""
    by_norm = {normalise_name(f): f for f in source_fields}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for field in fields:
        for alias in (field.name, *field.aliases):
            source = by_norm.get(normalise_name(alias))
            if source is not None and source not in used:
                mapping[field.name] = source
                used.add(source)
                break
    return mapping


def check_mapping(fields: Sequence[TargetField], mapping: dict[str, str],
                  source_fields: Sequence[str], constants: dict[str, object]) -> None:
    """Refuse a mapping before any row is read: unknown names either side, required fields
    left empty."""
    known = {f.name for f in fields}
    unknown_targets = sorted(set(mapping) - known)
    if unknown_targets:
        raise ImportFailed(ImportErrorCode.MAPPING_INVALID, _(
            "The mapping names fields this target does not have: %(names)s. Known fields: "
            "%(known)s.") % {"names": ", ".join(unknown_targets),
                             "known": ", ".join(f.name for f in fields)})
    missing_sources = sorted(v for v in mapping.values() if v not in source_fields)
    if missing_sources:
        raise ImportFailed(ImportErrorCode.MAPPING_INVALID, _(
            "The mapping uses fields the file does not have: %(names)s. The file has: "
            "%(fields)s.") % {"names": ", ".join(missing_sources),
                              "fields": ", ".join(source_fields) or "—"})
    unmapped = [f.name for f in fields
                if f.required and f.name not in mapping and constants.get(f.name) in (None, "")]
    if unmapped:
        raise ImportFailed(ImportErrorCode.MAPPING_INVALID, _(
            "Required fields have no source: %(names)s. Map them to a field of the file "
            "(e.g. in a mapping file: {\"%(first)s\": \"FIELD\"}) or give a fixed value.")
            % {"names": ", ".join(unmapped), "first": unmapped[0]})


def load_mapping_file(path: Path) -> tuple[dict[str, str], dict[str, object]]:
    """Read a mapping file: {"fields": {target: source}, "constants": {target: value}}, or a
    flat {target: source} object."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImportFailed(ImportErrorCode.MAPPING_INVALID, _(
            "The mapping file cannot be read as JSON: %(reason)s") % {"reason": exc}) from exc
    if not isinstance(data, dict):
        raise ImportFailed(ImportErrorCode.MAPPING_INVALID,
                           _("The mapping file must hold a JSON object."))
    fields = data.get("fields", data if "constants" not in data else {})
    constants = data.get("constants", {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items()):
        raise ImportFailed(ImportErrorCode.MAPPING_INVALID, _(
            "Mapping entries must be \"target field\": \"source field\" pairs."))
    return dict(fields), dict(constants)
