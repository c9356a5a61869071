"""Rasters, zonal statistics and the wilayah dashboards."""

from django.urls import path  # noqa: F401

app_name = "analysis"
urlpatterns: list = []
