from django.urls import path

from layers.views import home

app_name = "layers"
urlpatterns = [
    path("", home.index, name="home"),
]
