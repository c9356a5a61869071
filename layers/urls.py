from django.urls import include, path

from layers.views import home

app_name = "layers"
urlpatterns = [
    path("", home.index, name="home"),
    path("", include("layers.api.urls")),
]
