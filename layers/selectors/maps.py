"""Reads behind the map pages: the choices of the filter form and the labels of attributes.

The features themselves come from the GeoJSON and tile endpoints (selectors.features); this
module only names what the page offers to filter by, so the form is rendered on the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from layers.api.catalogue import STATUS_COLORS  # one palette for the legend and the filters
from layers.models import (
    AdministrativeArea,
    AssetCategory,
    ComplaintCategory,
    Condition,
    Status,
)

# Condition colours: a traffic-light scale, so "rusak berat" reads as urgent on any basemap.
CONDITION_COLORS = {
    Condition.GOOD: "#16a34a",
    Condition.LIGHT_DAMAGE: "#eab308",
    Condition.MODERATE_DAMAGE: "#f97316",
    Condition.HEAVY_DAMAGE: "#dc2626",
}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    color: str = ""


@dataclass
class MapChoices:
    """What the filter form lists (labels already translated for the active language)."""

    asset_categories: list[Choice] = field(default_factory=list)
    conditions: list[Choice] = field(default_factory=list)
    complaint_categories: list[Choice] = field(default_factory=list)
    statuses: list[Choice] = field(default_factory=list)
    # (group label, [Choice]) — kabupaten/kota with their kecamatan, for the wilayah filter.
    areas: list[tuple[str, list[Choice]]] = field(default_factory=list)
    # attribute name → label, from the asset categories' schemas (public fields only).
    attribute_labels: dict[str, str] = field(default_factory=dict)


def map_choices(*, staff: bool) -> MapChoices:
    """Filter choices for the map. Wilayah are offered down to kecamatan level (a desa is
    reached through the search box, which can then filter to it)."""
    categories = list(AssetCategory.objects.filter(is_active=True).order_by("name"))
    labels: dict[str, str] = {}
    for category in categories:
        for attr in category.attribute_schema or []:
            if staff or attr.get("public", True):
                labels.setdefault(attr["name"], attr.get("label") or attr["name"])
    regencies: dict[str, tuple[str, list[Choice]]] = {}
    for area in AdministrativeArea.objects.filter(level__in=(2, 3)).order_by("code"):
        if area.level == 2:
            regencies[area.code] = (area.name, [Choice(area.code, area.name)])
        elif (parent := area.code.rsplit(".", 1)[0]) in regencies:
            regencies[parent][1].append(Choice(area.code, area.name))
    return MapChoices(
        asset_categories=[Choice(c.slug, c.name, c.color) for c in categories],
        conditions=[Choice(c.value, str(c.label), CONDITION_COLORS[c]) for c in Condition],
        complaint_categories=[
            Choice(c.slug, c.name)
            for c in ComplaintCategory.objects.filter(is_active=True).order_by("name")
        ],
        # The public never sees rejected complaints (selectors.features), so no such filter.
        statuses=[Choice(s.value, str(s.label), STATUS_COLORS[s.value]) for s in Status
                  if staff or s != Status.REJECTED],
        areas=list(regencies.values()),
        attribute_labels=labels,
    )
