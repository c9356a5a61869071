"""The wilayah dashboards, mounted at /wilayah/ by sig/urls.py."""

from django.urls import path

from analysis.views import dashboards

app_name = "dashboards"
urlpatterns = [
    path("", dashboards.index, name="index"),
    path("<str:code>/", dashboards.wilayah, name="wilayah"),
    path("<str:code>/ekspor/<slug:figure>.<str:fmt>", dashboards.figure_download,
         name="figure-download"),
]
