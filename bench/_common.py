"""Shared by the bench/ scripts: Django start-up, the database they all use, timing, tables."""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def django_setup() -> None:
    """Django on the database `make run` uses (or DATABASE_URL), from any working folder."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sig.settings")
    import django

    django.setup()


def db_settings() -> dict:
    from django.db import connection

    return connection.settings_dict


def libpq_params() -> dict[str, str]:
    """host/port/dbname/user(/password) of the Django database, for libpq clients."""
    s = db_settings()
    out = {"dbname": s["NAME"], "user": s.get("USER") or ""}
    if s.get("HOST"):
        out["host"] = str(s["HOST"])
    if s.get("PORT"):
        out["port"] = str(s["PORT"])
    if s.get("PASSWORD"):
        out["password"] = s["PASSWORD"]
    return {k: v for k, v in out.items() if v}


def ogr_pg_dsn() -> tuple[str, dict[str, str]]:
    """`PG:"host=… dbname=… user=…"` for GDAL, and the environment carrying the password."""
    params = libpq_params()
    env = dict(os.environ)
    if "password" in params:
        env["PGPASSWORD"] = params.pop("password")
    return "PG:" + " ".join(f"{k}={v}" for k, v in params.items()), env


def psycopg_connect(**kw):
    import psycopg

    return psycopg.connect(**libpq_params(), **kw)


def sqlalchemy_engine():
    from sqlalchemy import URL, create_engine

    p = libpq_params()
    host = p.get("host", "")
    query = {}
    if host.startswith("/"):  # a Unix socket folder goes in the query string
        query["host"] = host
        host = None
    url = URL.create("postgresql+psycopg", username=p.get("user"), password=p.get("password"),
                     host=host or None, port=int(p["port"]) if p.get("port") and host else None,
                     database=p["dbname"], query=query | ({"port": p["port"]}
                                                          if "port" in p and not host else {}))
    return create_engine(url)


def sql(statement: str, params=None):
    """Run one statement on Django's connection (autocommit); rows if it returns any."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall() if cur.description else None


def checkpoint() -> None:
    """Flush dirty pages now, so no timed run pays for the one before it."""
    # Needs superuser or pg_checkpoint; without it the figures are only less steady.
    with contextlib.suppress(Exception):
        sql("CHECKPOINT")


def clean_layer(slug: str, vacuum: bool = True) -> None:
    """Remove a generic layer's features, their history, the layer and its history (SQL:
    the ORM's cascade would load every feature into Python)."""
    ids = [r[0] for r in sql("SELECT id FROM layers_layer WHERE slug = %s", [slug])]
    if ids:
        # Batch tables first (layers/models/batches.py): dropped, their rows go at once and
        # the history trigger on them does not copy every row on its way out.
        for (table,) in sql("SELECT \"table\" FROM layers_featurebatch WHERE layer_id = ANY(%s)",
                            [ids]):
            sql(f"DROP TABLE IF EXISTS {table} CASCADE")  # and its parts
        sql("DELETE FROM layers_featurebatch WHERE layer_id = ANY(%s)", [ids])
        sql("DELETE FROM layers_historicalfeature WHERE layer_id = ANY(%s)", [ids])
        sql("DELETE FROM layers_feature WHERE layer_id = ANY(%s)", [ids])
        sql("DELETE FROM layers_layer WHERE id = ANY(%s)", [ids])
    sql("DELETE FROM layers_historicallayer WHERE slug = %s", [slug])
    if ids and vacuum:
        sql("VACUUM ANALYZE layers_feature, layers_historicalfeature")


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0.0 if it cannot be read (a
    database on another machine). On a shared, noisy machine CPU time is steadier than wall."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    fmt = lambda r: "  ".join(  # noqa: E731
        str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths,
                                                                                       strict=True)))
    return "\n".join([fmt(header), line, *(fmt(r) for r in rows)])
