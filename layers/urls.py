from django.urls import include, path

from layers.views import (
    complaint_form,
    complaint_queue,
    complaints,
    field,
    home,
    maps,
    review,
    transparency,
)

app_name = "layers"
urlpatterns = [
    path("", home.index, name="home"),
    path("peta/", maps.public_map, name="map"),
    path("peta/staf/", maps.staff_map, name="staff-map"),
    path("peta/staf/tinjau/", review.review_queue, name="review"),
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
    # Field capture, an installable offline web app: page, manifest, service worker (served
    # here so that its scope is /lapangan/).
    path("lapangan/", field.field_app, name="field"),
    path("lapangan/manifest.webmanifest", field.manifest, name="field-manifest"),
    path("lapangan/sw.js", field.service_worker, name="field-sw"),
    path("lapangan/sesi/", field.session, name="field-session"),
]
