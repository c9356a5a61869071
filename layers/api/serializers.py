"""REST API serializers. Features are not serialised here: they leave PostGIS as GeoJSON text
(layers.selectors.features), the same as for the map and the OGC API."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from exports.formats import FORMATS as EXPORT_FORMATS
from layers import permissions
from layers.models import Layer, LayerKind
from layers.selectors.features import FILTERS, feature_source


def visible_schema(layer: Layer, user) -> list[dict]:
    """The declared fields of a generic layer that `user` may see (the public: those not marked
    "public": false)."""
    staff = permissions.sees_unpublished(user, layer)
    return [f for f in layer.schema if staff or f.get("public", True)]


class LayerSerializer(serializers.ModelSerializer):
    """A layer of the catalogue, as the viewer may see it, with its URL on every path. Every
    URL is named by the one slug."""

    properties = serializers.SerializerMethodField(
        help_text="The property names each feature carries for this viewer.")
    schema = serializers.SerializerMethodField(
        help_text="The declared fields (generic layers) this viewer may see.")
    filters = serializers.SerializerMethodField(help_text="Query parameters the features "
                                                          "endpoints accept for this layer.")
    links = serializers.SerializerMethodField()

    class Meta:
        model = Layer
        fields = ["slug", "name", "description", "kind", "geometry_type", "is_public", "style",
                  "properties", "schema", "filters", "data_version", "links"]
        read_only_fields = fields

    def _user(self):
        request = self.context.get("request")
        return request.user if request is not None else None

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_properties(self, layer: Layer) -> list[str]:
        if layer.kind == LayerKind.RASTER:
            return []  # cells, not features
        return list(feature_source(slug=layer.slug, user=self._user()).props)

    @extend_schema_field({"type": "array", "items": {"type": "object",
                                                      "additionalProperties": True}})
    def get_schema(self, layer: Layer) -> list[dict]:
        return visible_schema(layer, self._user())

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_filters(self, layer: Layer) -> list[str]:
        return sorted(FILTERS[layer.kind])

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_links(self, layer: Layer) -> dict[str, str]:
        request = self.context.get("request")
        slug = layer.slug

        def url(name: str, *args: object) -> str:
            return reverse(name, args=args, request=request)

        if layer.kind == LayerKind.RASTER:
            # No feature paths: PNG tiles and a legend (analysis.views.rasters).
            tile = url("analysis:raster-tile", slug, 0, 0, 0).removesuffix("/0/0/0.png")
            return {"self": url("api:layer-detail", slug), "tiles": tile + "/{z}/{x}/{y}.png",
                    "legend": url("analysis:raster-legend", slug)}
        tile = url("layers:tile", slug, 0, 0, 0).removesuffix("/0/0/0.pbf")
        return {
            "self": url("api:layer-detail", slug),
            "features": url("api:layer-features", slug),
            "geojson": url("layers:geojson", slug),
            "tilejson": url("layers:tilejson", slug),
            "tiles": tile + "/{z}/{x}/{y}.pbf",
            "ogc_collection": url("ogc:collection", slug),
            "ogc_items": url("ogc:items", slug),
            # Downloads (exports app): export_gpkg, export_shp, export_geojson, export_csv,
            # export_kml; they take bbox and the same filters.
            **{f"export_{key}": url("exports:layer", slug, key) for key in EXPORT_FORMATS},
        }
