"""REST API under /api/: v1 of the layers and their features, the OpenAPI document and its
documentation pages (Swagger UI and ReDoc from drf-spectacular-sidecar's static files)."""

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework.routers import DefaultRouter

from layers.api import rest

app_name = "api"

router = DefaultRouter()
router.register("layers", rest.LayerViewSet, basename="layer")

features = rest.LayerFeatureViewSet

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/layers/<slug:slug>/features/", features.as_view({"get": "list"}),
         name="layer-features"),
    path("v1/layers/<slug:slug>/features/<str:id>/", features.as_view({"get": "retrieve"}),
         name="layer-feature"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
