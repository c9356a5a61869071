"""REST API under /api/: v1 of the layers and their features, the OpenAPI document and its
documentation pages (Swagger UI and ReDoc from drf-spectacular-sidecar's static files)."""

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework.routers import DefaultRouter

from layers.api import edit, edit_review, rest

app_name = "api"

router = DefaultRouter()
router.register("layers", rest.LayerViewSet, basename="layer")

# Reads as in rest.LayerFeatureViewSet; writes (docs/editing-api.md) in layers.api.edit.
features = edit.FeatureEditViewSet
feature = "v1/layers/<slug:slug>/features/<str:id>/"

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/layers/<slug:slug>/features/",
         features.as_view({"get": "list", "post": "create"}), name="layer-features"),
    path(feature, features.as_view({"get": "retrieve", "patch": "partial_update",
                                    "delete": "destroy"}), name="layer-feature"),
    path("v1/layers/<slug:slug>/edit-schema/", edit.EditSchemaView.as_view(),
         name="layer-edit-schema"),
    path(feature + "edit/", edit.FeatureForEditView.as_view(), name="feature-for-edit"),
    path(feature + "history/", edit.FeatureHistoryView.as_view(), name="feature-history"),
    path(feature + "revert/", edit.FeatureRevertView.as_view(), name="feature-revert"),
    path(feature + "photos/", edit.FeaturePhotoView.as_view(), name="feature-photos"),
    path(feature + "verify/", edit_review.VerifyView.as_view(), name="feature-verify"),
    path(feature + "send-back/", edit_review.SendBackView.as_view(), name="feature-send-back"),
    path("v1/review/", edit_review.ReviewListView.as_view(), name="review"),
    path("v1/imports/<int:job_id>/revert/", edit_review.ImportRevertView.as_view(),
         name="import-revert"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
