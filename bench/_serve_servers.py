"""bench/serve's HTTP servers: ours under gunicorn, tipg under uvicorn, pygeoapi under gunicorn.

Each runs in its own process group (killed by that group's id in `stop()`), logs to
/var/tmp/sig-bench/serve-logs/<name>.log, listens on a free port of 127.0.0.1 only. tipg and
pygeoapi live in their own virtualenvs under /var/tmp/sig-bench/venvs/ (made on first use with
pip from PyPI), never in the project's.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from _common import ROOT, libpq_params, log

CACHE = Path(os.environ.get("SIG_BENCH_CACHE", "/var/tmp/sig-bench"))
VENVS = CACHE / "venvs"
LOGS = CACHE / "serve-logs"
PROJECT_PY = ROOT / ".venv" / "bin" / "python"

# What each anchor venv gets (bumping this list rebuilds the venv).
ANCHOR_PACKAGES = {
    "tipg": ["tipg", "uvicorn"],
    "pygeoapi": ["pygeoapi", "gunicorn", "psycopg2-binary", "sqlalchemy", "geoalchemy2"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, cmd: list[str], env: dict[str, str], port: int,
                 ready_path: str, cwd: str | None = None):
        self.name, self.cmd, self.env, self.port = name, cmd, env, port
        self.ready_path, self.cwd = ready_path, cwd
        self.proc: subprocess.Popen | None = None
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log_path = LOGS / f"{name}.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        logf = open(self.log_path, "w")  # noqa: SIM115 (kept open for the child)
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=self.cwd, stdout=logf,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        logf.close()
        return self

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc and self.proc.returncode});"
                                   f" log {self.log_path}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.base + self.ready_path, timeout=10) as r:
                    if r.status < 500:
                        return
            except Exception as exc:
                last = str(exc)
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f}s ({last}); "
                           f"log {self.log_path}:\n{self.tail()}")

    def tail(self, n: int = 25) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        pgid = self.proc.pid  # start_new_session: the group id is the child's pid
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass


# --- ours ---------------------------------------------------------------------------------

def ensure_gunicorn() -> Path:
    """gunicorn in the project venv (requirements.txt; installed here if an older venv lacks it)."""
    exe = ROOT / ".venv" / "bin" / "gunicorn"
    if not exe.exists():
        log("  gunicorn is not in the project venv: pip install "
            "gunicorn…")
        subprocess.run([str(PROJECT_PY), "-m", "pip", "install", "-q",
                        "--disable-pip-version-check", "gunicorn"], check=True)
    return exe


def database_url() -> str:
    """DATABASE_URL (postgis://…) for the database the bench uses: with it, sig.settings keep
    connections open (CONN_MAX_AGE, default 60 s) instead of one per request."""
    p = _db()
    auth = urllib.parse.quote(p["user"], safe="")
    if p.get("password"):
        auth += ":" + urllib.parse.quote(p["password"], safe="")
    return (f"postgis://{auth}@{urllib.parse.quote(p['host'], safe='')}:{p['port']}/"
            f"{p['dbname']}")


def ours(workers: int = 2, extra_env: dict[str, str] | None = None,
         name: str = "ours-gunicorn", app: str = "sig.wsgi:application",
         threads: int = 1) -> Server:
    exe = ensure_gunicorn()
    port = free_port()
    env = dict(os.environ)
    env.update({"DJANGO_SETTINGS_MODULE": "sig.settings", "SIG_ENV": "development",
                "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "PYTHONUNBUFFERED": "1"})
    env.update(extra_env or {})
    # threads > 1: gunicorn's gthread worker (the production set-up in docs/operations.md), so
    # a page's ~20 static files do not queue behind its one slow data request.
    cmd = [str(exe), app, "--workers", str(workers), "--threads", str(threads),
           "--bind", f"127.0.0.1:{port}", "--timeout", "300", "--log-level", "warning",
           "--chdir", str(ROOT), "--pythonpath", str(ROOT / "bench")]
    return Server(name, cmd, env, port, "/api/layers/", cwd=str(ROOT))


# --- anchors --------------------------------------------------------------------------------

def ensure_venv(name: str) -> Path:
    """/var/tmp/sig-bench/venvs/<name> with ANCHOR_PACKAGES[name], made once."""
    venv = VENVS / name
    marker = venv / ".sig-bench-packages"
    wanted = json.dumps(ANCHOR_PACKAGES[name])
    if marker.exists() and marker.read_text() == wanted:
        return venv
    log(f"  making the {name} venv in {venv} (pip install {' '.join(ANCHOR_PACKAGES[name])})…")
    if venv.exists():
        shutil.rmtree(venv)
    VENVS.mkdir(parents=True, exist_ok=True)
    py = shutil.which("python3") or sys.executable
    subprocess.run([py, "-m", "venv", str(venv)], check=True)
    out = subprocess.run([str(venv / "bin" / "pip"), "install", "-q",
                          "--disable-pip-version-check", *ANCHOR_PACKAGES[name]],
                         capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"pip install {name} failed:\n{out.stderr[-2000:]}")
    marker.write_text(wanted)
    return venv


def pip_version(venv: Path, package: str) -> str:
    out = subprocess.run([str(venv / "bin" / "python"), "-c",
                          f"import importlib.metadata as m; print(m.version({package!r}))"],
                         capture_output=True, text=True, cwd="/")
    return out.stdout.strip() or "?"


def _db() -> dict[str, str]:
    p = libpq_params()
    p.setdefault("host", "/var/run/postgresql")
    p.setdefault("port", "5432")
    return p


def tipg(schema: str, max_features: int, buffer: int, workers: int = 2) -> Server:
    venv = ensure_venv("tipg")
    p = _db()
    # pydantic's PostgresDsn wants a host: a Unix socket folder goes in percent-encoded.
    host = urllib.parse.quote(p["host"], safe="")
    auth = urllib.parse.quote(p["user"], safe="")
    if p.get("password"):
        auth += ":" + urllib.parse.quote(p["password"], safe="")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIPG_", "DATABASE_"))}
    env.update({
        "DATABASE_URL": f"postgresql://{auth}@{host}:{p['port']}/{p['dbname']}",
        "TIPG_DB_SCHEMAS": json.dumps([schema]),
        "TIPG_MAX_FEATURES_PER_TILE": str(max_features),
        "TIPG_TILE_BUFFER": str(buffer),
        "TIPG_DB_SPATIAL_EXTENT": "false", "TIPG_DB_DATETIME_EXTENT": "false",
    })
    cmd = [str(venv / "bin" / "uvicorn"), "tipg.main:app", "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), "--no-access-log",
           "--log-level", "warning"]
    return Server("tipg-uvicorn", cmd, env, port, "/collections", cwd="/")


PYGEOAPI_CONFIG = """\
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  languages: [en-US]
  limits: {{default_items: 10, max_items: 200000}}
  map: {{url: 'https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png', attribution: OSM}}
logging:
  level: ERROR
metadata:
  identification:
    title: sig bench
    description: bench/serve anchor
    keywords: [bench]
    keywords_type: theme
    terms_of_service: none
    url: http://127.0.0.1
  license: {{name: none, url: http://127.0.0.1}}
  provider: {{name: sig bench, url: http://127.0.0.1}}
  contact: {{name: bench, email: bench@localhost, role: pointOfContact}}
resources:
  {name}:
    type: collection
    title: {name}
    description: bench/serve polygons (the same rows as our public view)
    keywords: [bench]
    extents:
      spatial:
        bbox: [{w}, {s}, {e}, {n}]
        crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84
    providers:
      - type: feature
        name: PostgreSQL
        data: &db
          host: '{host}'
          port: {dbport}
          dbname: '{dbname}'
          user: '{user}'
          password: '{password}'
          search_path: ['{schema}']
        id_field: id
        table: {name}
        geom_field: geom
      - type: tile
        name: MVT-postgresql
        data: *db
        id_field: id
        table: {name}
        geom_field: geom
        options:
          zoom: {{min: 0, max: 22}}
        format: {{name: pbf, mimetype: application/vnd.mapbox-vector-tile}}
"""


def pygeoapi(schema: str, table: str, extent, workers: int = 2) -> Server:
    venv = ensure_venv("pygeoapi")
    p = _db()
    port = free_port()
    workdir = CACHE / "pygeoapi-conf"
    workdir.mkdir(parents=True, exist_ok=True)
    cfg, oapi = workdir / "config.yml", workdir / "openapi.yml"
    cfg.write_text(PYGEOAPI_CONFIG.format(
        port=port, name=table, schema=schema, host=p["host"], dbport=p["port"],
        dbname=p["dbname"], user=p["user"], password=p.get("password", ""),
        w=extent[0], s=extent[1], e=extent[2], n=extent[3]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYGEOAPI_")}
    env.update({"PYGEOAPI_CONFIG": str(cfg), "PYGEOAPI_OPENAPI": str(oapi)})
    out = subprocess.run([str(venv / "bin" / "pygeoapi"), "openapi", "generate", str(cfg),
                          "--output-file", str(oapi)], env=env, capture_output=True, text=True,
                         timeout=180, cwd="/")
    if out.returncode != 0:
        raise RuntimeError(f"pygeoapi openapi generate failed:\n{out.stderr[-2000:]}")
    cmd = [str(venv / "bin" / "gunicorn"), "pygeoapi.flask_app:APP", "--workers", str(workers),
           "--bind", f"127.0.0.1:{port}", "--timeout", "300", "--log-level", "warning"]
    return Server("pygeoapi-gunicorn", cmd, env, port, "/collections?f=json", cwd="/")
