"""The project-local PostGIS cluster that `make run` and `make test` use.

Standard library only: it runs before the virtualenv exists (`python3 -m sig.localdb start`).
The cluster lives outside the checkout, in a per-checkout folder under /var/tmp, because
`initdb` refuses root and the `postgres` user it then runs as may not be able to traverse the
folder a clone sits in (e.g. /root). It listens on a Unix socket only, so two checkouts never
fight over a TCP port, and it trusts local connections: it is a development cluster.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DB_NAME = "sig"
DB_USER = "sig"
PORT = 5432


def root_dir() -> Path:
    """Folder holding the cluster's data, socket and log (SIG_PGDIR overrides it)."""
    if os.environ.get("SIG_PGDIR"):
        return Path(os.environ["SIG_PGDIR"])
    digest = hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:10]
    return Path("/var/tmp") / f"sig-pg-{digest}"


def socket_dir() -> Path:
    return root_dir() / "run"


def settings_dict() -> dict:
    """Django DATABASES entry for the local cluster."""
    return {
        "ENGINE": "django.contrib.gis.db.backends.postgis",
        "NAME": DB_NAME,
        "USER": DB_USER,
        "HOST": str(socket_dir()),
        "PORT": str(PORT),
        # Reuse connections: a new backend costs a connect plus PROJ set-up on its first
        # ST_Transform (≈ 100 ms measured per tile request).
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # JIT compilation costs more than it saves on tile and GeoJSON statements (653 of
        # 863 ms of a z8 tile, measured).
        "OPTIONS": {"options": "-c jit=off"},
    }


def _bin(name: str) -> str:
    bindir = os.environ.get("SIG_PG_BIN")
    if not bindir:
        try:
            out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
            bindir = out.stdout.strip() if out.returncode == 0 else ""
        except FileNotFoundError:
            bindir = ""
        # Debian's pg_config may come from libpq-dev and point at /usr/bin, which has no
        # initdb: fall back to the server's own folder.
        if not bindir or not Path(bindir, "initdb").exists():
            found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                           key=lambda p: int(p.parent.parent.name))
            bindir = str(found[-1].parent) if found else "/usr/lib/postgresql/15/bin"
    return str(Path(bindir) / name)


def _as_owner(cmd: list[str]) -> list[str]:
    # initdb and the server refuse to run as root: hand them to the postgres user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kw)


def _psql(sql: str, db: str = "postgres") -> str:
    out = _run(
        [_bin("psql"), "-h", str(socket_dir()), "-p", str(PORT), "-U", DB_USER, "-d", db,
         "-v", "ON_ERROR_STOP=1", "-tAc", sql],
        capture_output=True, text=True,
    )
    return out.stdout.strip()


def is_running() -> bool:
    data = root_dir() / "data"
    if not (data / "PG_VERSION").exists():
        return False
    res = subprocess.run(_as_owner([_bin("pg_ctl"), "-D", str(data), "status"]),
                         capture_output=True)
    return res.returncode == 0


def start() -> None:
    """Create (once) and start the cluster, then make sure the database has PostGIS."""
    root, data, run = root_dir(), root_dir() / "data", socket_dir()
    if not (data / "PG_VERSION").exists():
        for d in (root, data, run):
            d.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
            for d in (data, run):
                shutil.chown(d, "postgres", "postgres")
        os.chmod(root, 0o755)
        os.chmod(run, 0o700)
        _run(_as_owner([_bin("initdb"), "-D", str(data), "-U", DB_USER, "--auth=trust",
                        "-E", "UTF8", "--locale=C.UTF-8"]), stdout=subprocess.DEVNULL)
        # Local development and test cluster: durability is not worth the fsyncs here.
        with open(data / "postgresql.auto.conf", "a") as conf:
            conf.write(
                "listen_addresses = ''\n"
                f"unix_socket_directories = '{run}'\n"
                f"port = {PORT}\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "shared_buffers = '512MB'\nwork_mem = '64MB'\nmaintenance_work_mem = '512MB'\n"
                "max_wal_size = '4GB'\n"
            )
    if not is_running():
        run.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(run, "postgres", "postgres")
        _run(_as_owner([_bin("pg_ctl"), "-D", str(data), "-l", str(root / "server.log"),
                        "-w", "-t", "60", "start"]), stdout=subprocess.DEVNULL)
    if _psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'") != "1":
        _psql(f"CREATE DATABASE {DB_NAME}")
    _psql("CREATE EXTENSION IF NOT EXISTS postgis", db=DB_NAME)


def stop() -> None:
    data = root_dir() / "data"
    if is_running():
        _run(_as_owner([_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
             stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "status"
    if cmd == "start":
        if os.environ.get("DATABASE_URL"):
            print("DATABASE_URL is set: using that database, not starting the local cluster.")
            return 0
        start()
        print(f"PostGIS running: socket {socket_dir()}, database '{DB_NAME}'")
    elif cmd == "stop":
        stop()
    elif cmd == "status":
        print(f"{root_dir()}: {'running' if is_running() else 'stopped'}")
    elif cmd == "dir":
        print(root_dir())
    else:
        print("usage: python3 -m sig.localdb start|stop|status|dir", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
