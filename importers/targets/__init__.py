"""Import targets, declared: model, natural key, fields with the names agencies use, and
`clean_<field>` hooks that work on whole columns (pandas), never row by row. One module per
kind of target; `target_for` names them."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from importers.errors import ImportErrorCode, ImportFailed
from importers.targets.areas import ADMIN_CODE_ALIASES, ADMIN_NAME_ALIASES, AdminAreasTarget
from importers.targets.assets import AssetsTarget
from importers.targets.base import TARGET_CHOICES, Context, Target, number, text
from importers.targets.complaints import ComplaintsTarget
from importers.targets.land_use import LandUseTarget
from importers.targets.layers import LayerTarget

__all__ = ["ADMIN_CODE_ALIASES", "ADMIN_NAME_ALIASES", "TARGET_CHOICES", "AdminAreasTarget",
           "AssetsTarget", "ComplaintsTarget", "Context", "LandUseTarget", "LayerTarget",
           "Target", "number", "target_for", "text"]


def target_for(name: str, *, constants: dict[str, Any]) -> Target:
    """`admin_areas`, `assets`, `land_use`, `complaints` or `layer:<slug>`."""
    simple = {t.key: t for t in (AdminAreasTarget, AssetsTarget, LandUseTarget,
                                  ComplaintsTarget)}
    if name in simple:
        return simple[name](constants=constants)
    if name.startswith("layer:") and re.fullmatch(r"[-a-z0-9_]+", name[6:] or "-") \
            and name[6:]:
        return LayerTarget(constants=constants, slug=name[6:])
    raise ImportFailed(ImportErrorCode.TARGET_UNKNOWN, _(
        "Unknown target “%(name)s”: use one of %(choices)s.") % {
        "name": name, "choices": ", ".join(TARGET_CHOICES)})
