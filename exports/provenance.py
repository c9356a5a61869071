"""What an exported file says about itself: its title, its sources and when it was made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from importers.selectors import last_import
from layers.models import Layer


@dataclass(frozen=True)
class Provenance:
    title: str
    sources: list[str]
    exported_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def stamp(self) -> str:
        return self.exported_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def as_text(self) -> str:
        lines = [self.title, _("Exported: %(when)s") % {"when": self.stamp}, _("Sources:")]
        return "\n".join([*lines, *(f"- {s}" for s in self.sources)])

    def as_members(self) -> dict:
        """GeoJSON foreign members."""
        return {"title": self.title, "sources": self.sources, "exported_at": self.stamp}

    def as_metadata(self) -> dict[str, str]:
        """GeoPackage layer metadata (gpkg_metadata)."""
        return {"TITLE": self.title, "SOURCES": "\n".join(self.sources),
                "EXPORTED_AT": self.stamp}


def layer_source_line(layer: Layer) -> str:
    """One layer as a source: its name and slug, who provides it and how recent it is (its
    last import, as the dashboards and zonal statistics name it)."""
    owner = layer.source or (layer.agency.name if layer.agency_id else "")
    text = _("%(name)s (layer %(slug)s), updated %(date)s, data version %(version)s") % {
        "name": layer.name, "slug": layer.slug,
        "date": timezone.localtime(layer.updated_at).strftime("%Y-%m-%d"),
        "version": layer.data_version}
    if job := last_import(layer):
        text += "; " + _("imported %(date)s from %(file)s") % {
            "date": timezone.localtime(job.finished_at).strftime("%Y-%m-%d"),
            "file": job.source_name}
    return f"{text}; {owner}" if owner else text


def source_lines(sources: Sequence[str | Layer | Mapping]) -> list[str]:
    """Sources as text: a layer, a mapping (name, and optionally date or note) or text."""
    lines = []
    for item in sources:
        if isinstance(item, Layer):
            lines.append(layer_source_line(item))
        elif isinstance(item, Mapping):
            lines.append("; ".join(str(v) for v in item.values() if v not in (None, "")))
        else:
            lines.append(str(item))
    return lines
