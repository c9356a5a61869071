from django.urls import path, register_converter

from layers.api import catalogue, geodata


class SignedIntConverter:
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(SignedIntConverter, "n")

urlpatterns = [
    path("api/layers/", catalogue.catalogue, name="catalogue"),
    path("api/layers/<slug:slug>/geojson", geodata.layer_geojson, name="geojson"),
    path("api/layers/<slug:slug>/points", geodata.layer_points, name="points"),
    path("api/wilayah/", catalogue.wilayah_search, name="wilayah-search"),
    path("tiles/<slug:slug>.json", catalogue.tilejson, name="tilejson"),
    path("tiles/<slug:slug>/<n:z>/<n:x>/<n:y>.pbf", geodata.layer_tile, name="tile"),
]
