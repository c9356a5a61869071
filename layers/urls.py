from django.urls import include, path

from layers.views import complaints, home

app_name = "layers"
urlpatterns = [
    path("", home.index, name="home"),
    path("", include("layers.api.urls")),
    path("pengaduan/lacak/<str:ticket>/", complaints.track, name="complaint-track"),
]
