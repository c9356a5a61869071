"""Where a figure is computed (a wilayah and everything inside it) and at which level it is
grouped. Roll-ups go by Kemendagri code prefix: a desa `61.12.01.2001` lies in kecamatan
`61.12.01`, kabupaten `61.12` and provinsi `61`, so one GROUP BY left(code, n) rolls the desa
figures up to any level without a recursive join, and a parent's figure is exactly the sum of
its children's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.utils import timezone

from layers.codes import Level
from layers.models import AdministrativeArea, Layer, LayerKind
from layers.selectors.features import FeatureSource, feature_source

# Length of a code at each level: 61 · 61.12 · 61.12.01 · 61.12.01.2001.
CODE_LENGTH: dict[int, int] = {Level.PROVINCE: 2, Level.REGENCY: 5, Level.DISTRICT: 8,
                               Level.VILLAGE: 13}


@dataclass(frozen=True)
class Scope:
    """Desa inside `area` (all current desa when None), grouped at `level`."""

    area: AdministrativeArea | None
    level: int

    def __post_init__(self) -> None:
        if self.level not in CODE_LENGTH:
            raise ValueError(f"unknown level {self.level!r}")
        if self.area is not None and self.level < self.area.level:
            raise ValueError("a figure is grouped at the area's level or below it")

    def group_sql(self, code_column: str) -> str:
        """The group's code for a desa code column: its prefix at the grouping level."""
        return f"left({code_column}, {CODE_LENGTH[self.level]})"

    def where_sql(self, code_column: str) -> str:
        """Desa codes inside the area (%(scope_code)s / %(scope_prefix)s parameters)."""
        if self.area is None:
            return "true"
        return f"({code_column} = %(scope_code)s OR {code_column} LIKE %(scope_prefix)s)"

    def params(self) -> dict[str, Any]:
        if self.area is None:
            return {}
        return {"scope_code": self.area.code, "scope_prefix": self.area.code + ".%"}


def child_scope(area: AdministrativeArea) -> Scope:
    """The area's figures per child (per desa for a kecamatan); a desa is its own group."""
    return Scope(area=area, level=min(area.level + 1, Level.VILLAGE))


@dataclass(frozen=True)
class Source:
    """One layer a figure read, and how fresh it is."""

    slug: str
    name: str
    last_import: dt.datetime | None = None
    import_file: str = ""
    last_edit: dt.datetime | None = None


@dataclass
class Figure:
    """A computed figure: its rows, the layers it read and when it was computed."""

    rows: list[dict[str, Any]]
    sources: list[Source] = field(default_factory=list)
    computed_at: dt.datetime = field(default_factory=timezone.now)
    available: bool = True
    note: str = ""


def core_source(kind: str, user) -> FeatureSource | None:
    """The core layer of `kind` as `user` may read it (layers/permissions.py through
    feature_source), or None when the layer is missing or hidden from them."""
    layer = Layer.objects.filter(kind=kind).only("slug").first()
    if layer is None:
        return None
    return layer_source(layer.slug, user)


def layer_source(slug: str, user) -> FeatureSource | None:
    try:
        return feature_source(slug=slug, user=user)
    except Http404:
        return None


__all__ = ["CODE_LENGTH", "Figure", "LayerKind", "Scope", "Source", "child_scope",
           "core_source", "layer_source"]
