"""SIG settings, read from the environment (12-factor).

Local use needs no configuration: the database defaults to the project-local PostGIS cluster
that `make run` starts (sig/localdb.py). `SIG_ENV=production` switches on the production mode,
which refuses to start without a real SECRET_KEY and ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from sig import localdb

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


SIG_ENV = os.environ.get("SIG_ENV", "development")
PRODUCTION = SIG_ENV == "production"
DEV_SECRET_KEY = "sig-development-only-key-not-for-production"

SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else DEV_SECRET_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "SIG_ENV=production needs SECRET_KEY: a random value of at least 50 characters."
    )
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("SIG_ENV=production needs ALLOWED_HOSTS (comma-separated).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_gis",
    "simple_history",
    "layers",
    "importers",
    "analysis",
    "exports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sig.middleware.IndonesianFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "sig.middleware.TimezoneMiddleware",
]

if PRODUCTION:
    # Static files from the app process behind the proxy; runserver serves them in development.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "sig.urls"
WSGI_APPLICATION = "sig.wsgi.application"
ASGI_APPLICATION = "sig.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sig.context_processors.sig_roles",
            ],
        },
    },
]

# DATABASE_URL wins (postgis://user:pass@host:port/name); otherwise the local cluster.
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            engine="django.contrib.gis.db.backends.postgis",
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
    # As for the local cluster (sig/localdb.py): JIT costs more than it saves here.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    DATABASES = {"default": localdb.settings_dict()}
# Parallel test runs (several checkouts or engineers on one cluster) pick their own test
# database with SIG_TEST_DB.
DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("SIG_TEST_DB", "test_sig")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Indonesian first; English switchable (LocaleMiddleware + the set_language view).
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Stored in UTC; shown in the region's zone. WIB by default; a WITA or WIT region sets
# SIG_TIME_ZONE=Asia/Makassar or Asia/Jayapura, and a user may pick another (sig.middleware).
TIME_ZONE = os.environ.get("SIG_TIME_ZONE", "Asia/Jakarta")
SIG_TIME_ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "layers:home"
LOGOUT_REDIRECT_URL = "layers:home"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sig@localhost")

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# The OpenAPI document (drf-spectacular) of the REST API and the OGC API, at /api/schema/ and
# /ogc/api; Swagger UI and ReDoc served from drf-spectacular-sidecar's static files, never a CDN.
INSTALLED_APPS += ["drf_spectacular", "drf_spectacular_sidecar"]
SPECTACULAR_SETTINGS = {
    "TITLE": "SIG API",
    "DESCRIPTION": (
        "The region's map layers for other programs: the REST API (`/api/v1/`) and OGC API – "
        "Features (`/ogc/`, for QGIS and GDAL). Each layer has one slug, used on every path: "
        "the OGC API collection id, `/tiles/{slug}/{z}/{x}/{y}.pbf`, "
        "`/api/layers/{slug}/geojson` and `/api/v1/layers/{slug}/`. What a caller may see "
        "(layers, features, fields) is decided on the server; the public never gets personal "
        "data."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "layers.api.openapi.add_components",
    ],
}

# The basemap is a setting: an XYZ template. Empty means boundaries only (an intranet).
SIG_BASEMAP_URL = os.environ.get(
    "SIG_BASEMAP_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
SIG_BASEMAP_ATTRIBUTION = os.environ.get(
    "SIG_BASEMAP_ATTRIBUTION", "&copy; OpenStreetMap contributors"
)

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Debian 12's GDAL 3.6 cannot block file/network access from spatial-reference strings.
# Django's GDAL here only parses geometries from our own forms; user files are read through
# pyogrio's bundled, newer GDAL. Remove when the system GDAL is 3.9+.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Background work (imports; later exports and statistics): procrastinate, a task queue kept in
# this same PostgreSQL, so there is no broker to run. Tasks live in each app's tasks.py;
# `manage.py procrastinate worker` runs them (scripts/serve.sh starts one with `make run`).
INSTALLED_APPS += ["procrastinate.contrib.django"]

# Uploads of the import wizard: a private folder (mode 0700, files named by the upload's id,
# never by the user's file name), a size limit per file, and how long an unfinished or unused
# upload is kept before the worker's hourly clean-up (or `manage.py clean_uploads`) removes it.
SIG_IMPORT_DIR = Path(os.environ.get("SIG_IMPORT_DIR", BASE_DIR / "var" / "imports"))
SIG_IMPORT_MAX_BYTES = int(os.environ.get("SIG_IMPORT_MAX_BYTES", str(1024**3)))
SIG_IMPORT_KEEP_HOURS = int(os.environ.get("SIG_IMPORT_KEEP_HOURS", "24"))
# Raster layers as Cloud-Optimized GeoTIFFs: private (not under MEDIA), served only as tiles
# through the layer's permissions.
SIG_RASTER_DIR = Path(os.environ.get("SIG_RASTER_DIR", BASE_DIR / "var" / "rasters"))
# The raster layer (slug) whose cells count people: the wilayah dashboards then show complaints
# per 1,000 people (analysis/selectors/complaints.py). Empty: no such figure.
SIG_POPULATION_RASTER = os.environ.get("SIG_POPULATION_RASTER", "")
# Exports (/ekspor/): GeoPackage, Shapefile and KML of more features than this are written by
# the worker (a job page with progress, then a download link); its files live in a private
# folder for SIG_EXPORT_KEEP_HOURS. A map export (HTML) holds at most MAP_MAX_FEATURES.
SIG_EXPORT_DIR = Path(os.environ.get("SIG_EXPORT_DIR", BASE_DIR / "var" / "exports"))
SIG_EXPORT_KEEP_HOURS = int(os.environ.get("SIG_EXPORT_KEEP_HOURS", "24"))
SIG_EXPORT_SYNC_MAX_FEATURES = int(os.environ.get("SIG_EXPORT_SYNC_MAX_FEATURES", "20000"))
SIG_EXPORT_MAP_MAX_FEATURES = int(os.environ.get("SIG_EXPORT_MAP_MAX_FEATURES", "20000"))
# procrastinate announces each task it registers, at INFO, in every manage.py command.
LOGGING.setdefault("loggers", {}).update({
    "procrastinate.blueprints": {"level": "WARNING"},
    "procrastinate.periodic": {"level": "WARNING"},
    # pandas imports numexpr (a rio-tiler dependency), which announces its thread count.
    "numexpr.utils": {"level": "WARNING"},
})

# Data leaving PostGIS: the most features one GeoJSON response carries (more sets
# "truncated": true), the most features in one vector tile, and how long public tiles may be
# cached (an edit or import changes the ETag at once).
SIG_GEOJSON_MAX_FEATURES = int(os.environ.get("SIG_GEOJSON_MAX_FEATURES", "150000"))
SIG_TILE_MAX_FEATURES = int(os.environ.get("SIG_TILE_MAX_FEATURES", "7000"))
SIG_TILE_MAX_AGE = int(os.environ.get("SIG_TILE_MAX_AGE", "300"))
# The public map's binary points answers, kept on disk by ETag (the layer's data_version) and
# shared by every web process: the first visitor after an edit pays for the encoding, the rest
# do not (0: none kept). About 2 MB an answer at the 150,000-point cap.
SIG_POINTS_CACHE_MB = int(os.environ.get("SIG_POINTS_CACHE_MB", "64"))
# Layer extents (layers/selectors/extents.py: the map asks for vector tiles inside them only),
# kept on disk by data version and shared by the web processes (0: computed every time).
SIG_EXTENTS_CACHE = os.environ.get("SIG_EXTENTS_CACHE", "1") == "1"
_CACHE_DIR = Path(os.environ.get("SIG_CACHE_DIR", BASE_DIR / "var" / "cache"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Bytes as they are, not pickled and compressed (sig/cache.py: zlib took as long as the
    # SQL on the first request after each write).
    "points": {
        "BACKEND": "sig.cache.BytesFileCache",
        "LOCATION": str(_CACHE_DIR / "points"),
        "TIMEOUT": SIG_TILE_MAX_AGE,
        "OPTIONS": {"MAX_ENTRIES": max(1, SIG_POINTS_CACHE_MB // 2)},
    },
    # A few dozen bytes an entry; a write moves the key on, so old entries only wait to expire.
    "extents": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(_CACHE_DIR / "extents"),
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

# Public submissions (complaint form, Open311 POST): at most this many per client address in
# the window; a reporter may reopen a resolved complaint within SIG_REOPEN_DAYS.
SIG_SUBMISSION_LIMIT = int(os.environ.get("SIG_SUBMISSION_LIMIT", "5"))
SIG_SUBMISSION_WINDOW_MINUTES = int(os.environ.get("SIG_SUBMISSION_WINDOW_MINUTES", "10"))
SIG_REOPEN_DAYS = int(os.environ.get("SIG_REOPEN_DAYS", "30"))
SIG_DUPLICATE_RADIUS_M = float(os.environ.get("SIG_DUPLICATE_RADIUS_M", "50"))
# Field capture (/lapangan/): a GPS fix less accurate than this many metres is flagged (the
# officer should drag the pin); photos are resized in the browser to this long side (px).
SIG_FIELD_ACCURACY_WARN_M = float(os.environ.get("SIG_FIELD_ACCURACY_WARN_M", "30"))
SIG_FIELD_PHOTO_MAX_PX = int(os.environ.get("SIG_FIELD_PHOTO_MAX_PX", "1600"))
# The address residents use, for links in e-mails.
SIG_PUBLIC_URL = os.environ.get("SIG_PUBLIC_URL", "http://127.0.0.1:8000")

# Open311 GeoReport v2 (/open311/v2/): whether filing needs a registered client's api_key
# (Open311Client in the admin; off so that any citizens' app can file), the most requests one
# GET returns (the specification's 1000), and the contact the discovery document gives.
SIG_OPEN311_REQUIRE_KEY = env_bool("SIG_OPEN311_REQUIRE_KEY", False)
SIG_OPEN311_MAX_REQUESTS = int(os.environ.get("SIG_OPEN311_MAX_REQUESTS", "1000"))
SIG_OPEN311_CONTACT = os.environ.get("SIG_OPEN311_CONTACT", "")
