"""The export formats: one registry read by the views, the services and the catalogue links."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exports.errors import ExportErrorCode, ExportFailed


@dataclass(frozen=True)
class ExportFormat:
    key: str  # the URL suffix: /ekspor/<slug>.<key>
    label: object  # lazy translated name shown on links
    extension: str  # of the downloaded file
    media_type: str
    driver: str | None = None  # GDAL driver of formats written through a temporary file

    @property
    def streamed_from_sql(self) -> bool:
        """GeoJSON and CSV are written by PostgreSQL row by row straight into the response;
        the others go through GDAL into a temporary file first."""
        return self.driver is None


FORMATS: dict[str, ExportFormat] = {f.key: f for f in (
    ExportFormat("gpkg", gettext_lazy("GeoPackage"), "gpkg", "application/geopackage+sqlite3",
                 "GPKG"),
    ExportFormat("shp", gettext_lazy("Shapefile (zip)"), "zip", "application/zip",
                 "ESRI Shapefile"),
    ExportFormat("geojson", gettext_lazy("GeoJSON"), "geojson", "application/geo+json"),
    ExportFormat("csv", gettext_lazy("CSV"), "csv", "text/csv; charset=utf-8"),
    ExportFormat("kml", gettext_lazy("KML"), "kml", "application/vnd.google-earth.kml+xml",
                 "KML"),
)}


def export_format(key: str) -> ExportFormat:
    """The format named `key`, or a translated refusal naming the ones there are."""
    found = FORMATS.get((key or "").lower())
    if found is None:
        raise ExportFailed(ExportErrorCode.FORMAT_UNKNOWN, _(
            "Unknown export format “%(format)s”. Choose one of: %(formats)s.")
            % {"format": key, "formats": ", ".join(FORMATS)})
    return found
