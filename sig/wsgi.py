import os

from django.core.wsgi import get_wsgi_application
from django.template.loader import get_template
from django.urls import reverse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sig.settings")
application = get_wsgi_application()
# As each web process starts, not on its first request: import the URLconf (and with it every
# view module, ~1 s) and compile the map page's templates (~0.2 s; kept by the cached loader
# outside DEBUG). The first visitor of each process waited for both.
reverse("layers:map")
get_template("layers/map.html")
