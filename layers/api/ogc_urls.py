"""OGC API – Features under /ogc/ (paths as the standard names them, no trailing slash)."""

from django.urls import path

from layers.api import ogc

app_name = "ogc"
urlpatterns = [
    path("", ogc.LandingPage.as_view(), name="landing"),
    path("api", ogc.OpenApiDocument.as_view(), name="openapi"),
    path("conformance", ogc.Conformance.as_view(), name="conformance"),
    path("collections", ogc.Collections.as_view(), name="collections"),
    path("collections/<slug:collectionId>", ogc.Collection.as_view(), name="collection"),
    path("collections/<slug:collectionId>/items", ogc.Items.as_view(), name="items"),
    path("collections/<slug:collectionId>/items/<str:featureId>", ogc.Item.as_view(),
         name="item"),
]
