from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Staff sign in here, not in /admin/: a role (planner, field officer…) is enough, Django's
    # is_staff flag only opens the administration.
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("impor/", include("importers.urls")),
    path("analisis/", include("analysis.urls")),
    # A dashboard per wilayah: /wilayah/ and /wilayah/<code>/ (analysis/dashboard_urls.py).
    path("wilayah/", include("analysis.dashboard_urls")),
    path("ekspor/", include("exports.urls")),
    # Data out for other programs: OGC API – Features (QGIS, GDAL) and the REST API.
    path("ogc/", include("layers.api.ogc_urls")),
    path("api/", include("layers.api.rest_urls")),
    # Complaints for Open311 apps and aggregators: GeoReport v2 and its discovery document.
    path("open311/", include("layers.api.open311_urls")),
    path("", include("layers.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
