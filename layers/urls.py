from django.urls import include, path

from layers.views import (
    complaint_form,
    complaint_queue,
    complaints,
    home,
    maps,
    transparency,
)

app_name = "layers"
urlpatterns = [
    path("", home.index, name="home"),
    path("peta/", maps.public_map, name="map"),
    path("peta/staf/", maps.staff_map, name="staff-map"),
    path("", include("layers.api.urls")),
    path("pengaduan/lacak/<str:ticket>/", complaints.track, name="complaint-track"),
    # The public form, its helpers, the officer's queue and the transparency page.
    path("pengaduan/baru/", complaint_form.complaint_new, name="complaint-new"),
    path("pengaduan/sekitar/", complaint_form.complaint_nearby, name="complaint-nearby"),
    path("pengaduan/lacak/<str:ticket>/saya-juga/", complaint_form.complaint_support_view,
         name="complaint-support"),
    path("pengaduan/petugas/", complaint_queue.queue, name="complaint-queue"),
    path("pengaduan/petugas/<str:ticket>/", complaint_queue.detail, name="complaint-officer"),
    path("transparansi/", transparency.transparency, name="transparency"),
]
