"""WSGI application for bench/serve's map test: sig.wsgi plus /static/ served from the source
tree. With DEBUG=0 outside SIG_ENV=production nothing serves static files (runserver does it
only in DEBUG; production adds WhiteNoise after collectstatic), so the map page would load
without its JavaScript. The tile and GeoJSON timings use plain sig.wsgi, not this."""

from pathlib import Path

from whitenoise import WhiteNoise

from sig.wsgi import application as django_application

ROOT = Path(__file__).resolve().parent.parent
application = WhiteNoise(django_application, root=str(ROOT / "static"), prefix="static/")
