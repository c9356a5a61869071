"""Downloads of layers and analysis results, and the map export (/ekspor/)."""

from django.urls import path, register_converter

from exports.views import downloads, jobs, maps


class FormatConverter:
    # Any word: an unknown format gets a translated answer naming the ones there are.
    regex = "[A-Za-z0-9]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

app_name = "exports"
urlpatterns = [
    # Before the layer pattern: the map export's name is not a layer's.
    path("peta.html", maps.map_download, name="map"),
    path("tugas/<uuid:job_id>/", jobs.job_page, name="job"),
    path("tugas/<uuid:job_id>/status/", jobs.job_status, name="job_status"),
    path("tugas/<uuid:job_id>/unduh/", jobs.job_file, name="job_file"),
    path("<slug:slug>.<fmt:fmt>", downloads.layer_download, name="layer"),
]
