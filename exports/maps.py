"""A map to hand over: one self-contained HTML file (folium) of a selection of layers, with
their catalogue styles, a legend, the sources and popups, that opens with no internet.

folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs by default (`default_js`,
`default_css` on folium.Map). Here the map's lists are emptied and the vendored Leaflet
(static/vendor/leaflet-1.9.4, its images as data: URIs) is written into the page instead; the
popups and legend need nothing else. The only address left is the optional basemap's, whose
tiles simply fail offline: after a few errors the basemap is removed and the features stay.

Features come from the same SQL as the map's GeoJSON (layers.selectors.features), so the
viewer gets exactly the rows and properties the map would show them."""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import folium
from branca.element import Element, MacroElement
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext as _
from folium.template import Template
from folium.utilities import JsCode

from exports.errors import ExportErrorCode, ExportFailed
from exports.provenance import Provenance, layer_source_line
from exports.services import layer_source
from layers.api.catalogue import STATUS_COLORS, legend
from layers.models import AssetCategory, LayerKind
from layers.selectors.features import FeatureSource, features_query, filter_clauses

LEAFLET = "vendor/leaflet-1.9.4/dist"
BBox = tuple[float, float, float, float]

# Popups are built as DOM nodes with text only: an attribute holding markup stays text.
POPUP_JS = """
window.sigPopup = function (title, labels) {
  return function (feature, layer) {
    layer.bindPopup(function () {
      const box = document.createElement("div");
      box.className = "sig-popup";
      const head = document.createElement("strong");
      head.textContent = title;
      const table = document.createElement("table");
      const add = function (key, value) {
        if (value === null || value === undefined || value === "" || key === "color"
            || key === "icon") return;
        if (typeof value === "object") {
          for (const [k, v] of Object.entries(value)) add(k, v);
          return;
        }
        const row = table.insertRow();
        const th = document.createElement("th");
        th.textContent = labels[key] || key;
        const td = document.createElement("td");
        td.textContent = String(value);
        row.append(th, td);
      };
      for (const [k, v] of Object.entries(feature.properties || {})) add(k, v);
      box.append(head, table);
      return box;
    }, {maxWidth: 360});
  };
};
"""

PAGE_CSS = """
html, body {margin: 0; padding: 0; height: 100%; font: 14px/1.4 system-ui, sans-serif;}
.sig-box {position: absolute; z-index: 1000; background: rgba(255,255,255,.94);
  border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.35); padding: 8px 10px;
  max-width: 320px; max-height: 45vh; overflow: auto;}
.sig-title {top: 10px; left: 54px;} .sig-title h1 {font-size: 16px; margin: 0 0 4px;}
.sig-title p, .sig-title ul {margin: 2px 0; font-size: 12px; color: #374151;}
.sig-title ul {padding-left: 16px;}
.sig-legend {bottom: 24px; right: 10px;} .sig-legend h2 {font-size: 13px; margin: 6px 0 2px;}
.sig-legend ul {list-style: none; margin: 0; padding: 0;}
.sig-legend li {display: flex; align-items: center; gap: 6px; margin: 2px 0;}
.sig-swatch {display: inline-block; width: 14px; height: 14px; border: 2px solid var(--c);
  background: color-mix(in srgb, var(--c) 45%, transparent); border-radius: 2px;}
.sig-swatch.point {border-radius: 50%; background: var(--c);}
.sig-popup table {border-collapse: collapse;} .sig-popup th {text-align: left;
  padding-right: 8px; color: #4b5563; font-weight: 600; vertical-align: top;}
"""


class Raw(Element):
    """Text put into the page as it is (branca's Element would read it as a Jinja template,
    and Leaflet's source is not one)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


def js_value(value: object) -> str:
    """A value as a JavaScript literal that cannot end the <script> it is written into."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


class DropFailingBasemap(MacroElement):
    """Offline, a basemap only fails: after a few tile errors it is removed."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (layer, map) {
          var errors = 0;
          layer.on("tileerror", function () {
            errors += 1;
            if (errors === 4) { map.removeLayer(layer); }
          });
        })({{ this._parent.get_name() }}, {{ this.map_name }});
        {% endmacro %}
    """)

    def __init__(self, map_name: str) -> None:
        super().__init__()
        self.map_name = map_name


@dataclass
class MapLayer:
    source: FeatureSource
    collection: dict
    bounds: BBox | None


def max_features() -> int:
    return int(getattr(settings, "SIG_EXPORT_MAP_MAX_FEATURES", 20_000))


def export_map(*, slugs: list[str], user, bbox: BBox | None = None,
               filters: dict[str, str] | None = None, title: str | None = None,
               basemap: bool = True) -> str:
    """The HTML of a map of `slugs` as `user` may see them (bbox in EPSG:4326 degrees: west,
    south, east, north; filters as on the GeoJSON path). Refused with a translated message
    when no layer is named or the selection holds more than SIG_EXPORT_MAP_MAX_FEATURES."""
    slugs = [s for s in dict.fromkeys(s.strip() for s in slugs) if s]
    if not slugs:
        raise ExportFailed(ExportErrorCode.NO_LAYERS, _(
            "Name the layers to put on the map: ?layers=slug,slug."))
    sources = [layer_source(slug=slug, user=user) for slug in slugs]
    layers, total, cap = [], 0, max_features()
    for source in sources:
        layer = _read_layer(source, bbox=bbox, filters=filters or {}, limit=cap - total + 1)
        total += len(layer.collection["features"])
        if total > cap:
            raise ExportFailed(ExportErrorCode.TOO_MANY_FEATURES, _(
                "The map would hold more than %(max)d features: choose fewer layers or a "
                "smaller area (bbox).") % {"max": cap})
        layers.append(layer)
    provenance = Provenance(title=title or ", ".join(s.layer.name for s in sources),
                            sources=[layer_source_line(s.layer) for s in sources])
    return _render(layers, provenance, bbox=bbox, basemap=basemap)


def _read_layer(source: FeatureSource, *, bbox: BBox | None, filters: dict[str, str],
                limit: int) -> MapLayer:
    zoom = None
    if bbox is not None:
        # Detail for a few zoom levels beyond the one that shows the whole bbox.
        width = max(bbox[2] - bbox[0], bbox[3] - bbox[1], 1e-6)
        zoom = min(16, max(0, int(math.log2(360 / width)) + 4))
    sql, params = features_query(source, bbox=bbox, zoom=zoom, limit=limit, filters=filters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        features = [json.loads(row[0]) for row in cursor.fetchall()]
        clauses, extent_params = filter_clauses(source, filters)
        extent_params.update(source.params)
        if bbox is not None:
            clauses.append("t.geom && ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)")
            extent_params.update(dict(zip("wsen", bbox, strict=True)))
        cursor.execute("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT "
                       f"ST_Extent(t.geom) AS e FROM {source.from_sql} "
                       f"WHERE {source.where_sql(clauses)}) x", extent_params)
        row = cursor.fetchone()
    bounds = tuple(row) if row and row[0] is not None else None
    return MapLayer(source, {"type": "FeatureCollection", "features": features}, bounds)


def _style(source: FeatureSource):
    layer = source.layer
    base = {"weight": 2, "opacity": 0.9, "fillOpacity": 0.35}
    if layer.kind == LayerKind.ADMIN_AREAS:
        level_colour = {int(r["value"]): r["color"] for r in legend(layer)}

        def style(feature: dict) -> dict:
            colour = level_colour.get(feature["properties"].get("level"), "#374151")
            return {**base, "color": colour, "fillOpacity": 0.03, "weight": 1.5}
    elif layer.kind == LayerKind.COMPLAINTS:
        def style(feature: dict) -> dict:
            colour = STATUS_COLORS.get(feature["properties"].get("status"), "#6b7280")
            return {**base, "color": "#ffffff", "fillColor": colour, "fillOpacity": 0.9,
                    "weight": 1}
    elif layer.kind in (LayerKind.ASSETS, LayerKind.LAND_USE):
        def style(feature: dict) -> dict:
            colour = feature["properties"].get("color") or "#3366cc"
            return {**base, "color": colour, "fillColor": colour,
                    "fillOpacity": 0.5 if layer.kind == LayerKind.LAND_USE else 0.85}
    else:
        declared = layer.style or {}
        colour = declared.get("color", "#7c3aed")
        fixed = {**base, "color": colour, "fillColor": declared.get("fillColor", colour)}
        fixed.update({k: declared[k] for k in ("weight", "opacity", "fillOpacity")
                      if isinstance(declared.get(k), int | float)})

        def style(feature: dict) -> dict:
            return fixed
    return style


def _field_labels(source: FeatureSource) -> dict[str, str]:
    """Labels the layer declares for its JSON fields (a generic layer's schema, the asset
    categories' attribute schemas)."""
    if source.layer.kind == LayerKind.GENERIC:
        schemas = [source.layer.schema]
    elif source.layer.kind == LayerKind.ASSETS:
        schemas = list(AssetCategory.objects.values_list("attribute_schema", flat=True))
    else:
        return {}
    return {f["name"]: str(f["label"]) for schema in schemas for f in schema
            if f.get("name") and f.get("label")}


def _legend_rows(map_layer: MapLayer) -> list[dict]:
    """The catalogue's legend rows for what this map shows (for categories, classes and
    statuses: only those present)."""
    layer = map_layer.source.layer
    rows = legend(layer)
    key = {LayerKind.ASSETS: "category", LayerKind.LAND_USE: "class_code",
           LayerKind.COMPLAINTS: "status", LayerKind.ADMIN_AREAS: "level"}.get(layer.kind)
    if key:
        present = {str(f["properties"].get(key)) for f in map_layer.collection["features"]}
        rows = [r for r in rows if str(r["value"]) in present]
    return rows


def _legend_html(layers: list[MapLayer]) -> str:
    blocks = []
    for map_layer in layers:
        kind = map_layer.source.geometry_kind or map_layer.source.layer.geometry_type
        items = format_html_join(
            "", '<li><span class="sig-swatch {}" style="--c: {}"></span>{}</li>',
            ((("point" if (r.get("geometry") or kind) == "point" else ""),
              _safe_colour(r["color"]), r["label"]) for r in _legend_rows(map_layer)))
        blocks.append(format_html("<h2>{}</h2><ul>{}</ul>", map_layer.source.layer.name, items))
    return format_html('<div class="sig-box sig-legend" id="sig-legend" aria-label="{}">{}</div>',
                       _("Legend"), format_html_join("", "{}", ((b,) for b in blocks)))


def _safe_colour(value: str) -> str:
    text = str(value or "")
    ok = text.startswith("#") and len(text) in (4, 7) and all(
        c in "0123456789abcdefABCDEF" for c in text[1:])
    return text if ok else "#6b7280"


def _title_html(provenance: Provenance) -> str:
    when = timezone.localtime(provenance.exported_at).strftime("%Y-%m-%d %H:%M")
    return format_html(
        '<div class="sig-box sig-title" id="sig-title"><h1>{}</h1><p>{}</p><p>{}</p><ul>{}</ul>'
        "</div>", provenance.title,
        _("Made with SIG on %(when)s.") % {"when": when}, _("Sources:"),
        format_html_join("", "<li>{}</li>", ((s,) for s in provenance.sources)))


@cache
def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's script and stylesheet from the vendored copy, its images as data: URIs."""
    js = Path(finders.find(f"{LEAFLET}/leaflet.js")).read_text(encoding="utf-8")
    css = Path(finders.find(f"{LEAFLET}/leaflet.css")).read_text(encoding="utf-8")
    for image in ("layers.png", "layers-2x.png", "marker-icon.png"):
        data = base64.b64encode(Path(finders.find(f"{LEAFLET}/images/{image}")).read_bytes())
        css = css.replace(f"url(images/{image})", f"url(data:image/png;base64,{data.decode()})")
    # The script must not end the <script> element it is written into.
    return js.replace("</script", "<\\/script"), css


def _render(layers: list[MapLayer], provenance: Provenance, *, bbox: BBox | None,
            basemap: bool) -> str:
    fmap = folium.Map(location=[0, 0], zoom_start=5, tiles=None, control_scale=True,
                      prefer_canvas=False)
    # No CDN: the instance's lists shadow folium's class-level defaults (which stay intact).
    fmap.default_js, fmap.default_css = [], []
    js, css = _leaflet_assets()
    root = fmap.get_root()
    root.header.add_child(Raw(f"<style>{css}</style><style>{PAGE_CSS}</style>"),
                          name="sig_leaflet_css")
    root.header.add_child(Raw(f"<script>{js}</script><script>{POPUP_JS}</script>"),
                          name="sig_leaflet_js")
    root.title = provenance.title
    url = settings.SIG_BASEMAP_URL if basemap else ""
    if url:
        tiles = folium.TileLayer(tiles=url, attr=settings.SIG_BASEMAP_ATTRIBUTION,
                                 name=_("Basemap"), max_zoom=19)
        tiles.add_to(fmap)
        tiles.add_child(DropFailingBasemap(fmap.get_name()))
    from layers.views.maps import map_strings

    labels = map_strings()
    for map_layer in layers:
        source = map_layer.source
        name = source.layer.name
        on_each = JsCode(f"window.sigPopup({js_value(name)}, "
                         f"{js_value({**labels, **_field_labels(source)})})")
        points = (source.geometry_kind or source.layer.geometry_type) == "point"
        folium.GeoJson(
            map_layer.collection, name=name, style_function=_style(source),
            marker=folium.CircleMarker(radius=6, fill=True) if points or
            source.layer.kind == LayerKind.ASSETS else None,
            on_each_feature=on_each, smooth_factor=0.5,
        ).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    extents = [m.bounds for m in layers if m.bounds]
    if bbox is not None:
        w, s, e, n = bbox
    elif extents:
        w, s = min(b[0] for b in extents), min(b[1] for b in extents)
        e, n = max(b[2] for b in extents), max(b[3] for b in extents)
    else:
        w, s, e, n = 95.0, -11.0, 141.0, 6.0  # Indonesia
    fmap.fit_bounds([[s, w], [n, e]])
    root.html.add_child(Raw(_title_html(provenance) + _legend_html(layers)))
    html = root.render()
    return html.replace("<html>", f'<html lang="{escape(settings.LANGUAGE_CODE[:2])}">', 1)
