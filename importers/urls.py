"""The import wizard under /impor/ (staff only)."""

from django.urls import path

from importers.views import jobs, uploads, wizard

app_name = "importers"
urlpatterns = [
    path("", jobs.job_list, name="jobs"),
    path("baru/", wizard.upload_page, name="upload"),
    path("unggah/", uploads.upload_start, name="upload_start"),
    path("unggah/<uuid:upload_id>/", uploads.upload_detail, name="upload_detail"),
    path("unggah/<uuid:upload_id>/selesai/", uploads.upload_done, name="upload_finish"),
    path("unggah/<uuid:upload_id>/pratinjau/", wizard.preview, name="preview"),
    path("unggah/<uuid:upload_id>/buang/", wizard.discard, name="discard"),
    path("tugas/<int:job_id>/", jobs.job_detail, name="job"),
    path("tugas/<int:job_id>/status/", jobs.job_status, name="job_status"),
    path("tugas/<int:job_id>/batalkan/", jobs.job_revert, name="job_revert"),
    path("tugas/<int:job_id>/masalah.csv", jobs.job_problems_csv, name="job_problems"),
]
